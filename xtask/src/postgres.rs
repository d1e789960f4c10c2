//! A throwaway PostgreSQL server for the tests: Debian's binaries, a fresh cluster in a
//! temporary folder, a free loopback port; stopped and removed when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run_command, step, Result};

pub struct Postgres {
    folder: PathBuf,
    bin: PathBuf,
    as_root: bool,
    /// An administrator's URL (the `postgres` database), for creating databases.
    pub url: String,
}

impl Postgres {
    pub fn start() -> Result<Self> {
        let bin = newest_bin().ok_or(
            "PostgreSQL is not installed (/usr/lib/postgresql/*/bin): `cargo xtask setup` \
             installs it",
        )?;
        let as_root = crate::tools::is_root();
        // Short: the socket's path must stay under 107 bytes.
        let made = Command::new("mktemp")
            .args(["-d", "/tmp/gh-pg.XXXXXX"])
            .output()
            .map_err(|e| format!("mktemp: {e}"))?;
        if !made.status.success() {
            return Err(format!(
                "mktemp failed: {}",
                String::from_utf8_lossy(&made.stderr)
            ));
        }
        let folder = PathBuf::from(String::from_utf8_lossy(&made.stdout).trim());
        if as_root {
            run_command(Command::new("chown").arg("postgres:postgres").arg(&folder))?;
        }
        let mut server = Self {
            folder,
            bin,
            as_root,
            url: String::new(),
        };
        step("starting a throwaway PostgreSQL server");
        // A password even on loopback: for as long as the tests run, another local user
        // must not be able to connect as this superuser.
        let password = random_password()?;
        let password_file = server.folder.join("password");
        std::fs::write(&password_file, &password).map_err(|e| format!("{e}"))?;
        if as_root {
            run_command(
                Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(&password_file),
            )?;
        }
        run_command(server.command("initdb").args([
            "-D",
            "data",
            "-A",
            "scram-sha-256",
            "--pwfile",
            "password",
            "-U",
            "gatehouse",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]))?;
        // A port found free can be taken before the server binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("no free port: {e}"))?
                .port();
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 \
                 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                server.folder.display()
            );
            let started = server
                .command("pg_ctl")
                .args([
                    "-D", "data", "-l", "log", "-w", "-t", "30", "-o", &options, "start",
                ])
                .status()
                .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
            if started.success() {
                server.url = format!("postgres://gatehouse:{password}@127.0.0.1:{port}/postgres");
                return Ok(server);
            }
            last_error = std::fs::read_to_string(server.folder.join("log")).unwrap_or_default();
        }
        Err(format!("PostgreSQL did not start:\n{last_error}"))
    }

    /// One of PostgreSQL's programs, run in the server's folder (as `postgres` when we
    /// are root: initdb refuses root).
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        command.current_dir(&self.folder);
        command
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if !self.url.is_empty() {
            let _ = self
                .command("pg_ctl")
                .args(["-D", "data", "-m", "fast", "-w", "stop"])
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// 32 random hex digits.
fn random_password() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The newest installed PostgreSQL's programs (not whatever `initdb` is on PATH).
fn newest_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            Path::new(&bin.join("initdb"))
                .exists()
                .then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throwaway_server_answers_and_leaves_nothing_behind() {
        let server = Postgres::start().unwrap();
        let (_, address) = server.url.rsplit_once('@').unwrap();
        let address = address.trim_end_matches("/postgres").to_owned();
        std::net::TcpStream::connect(&address).unwrap();
        let folder = server.folder.clone();
        assert!(folder.join("data/PG_VERSION").exists());
        drop(server);
        assert!(!folder.exists());
        assert!(std::net::TcpStream::connect(&address).is_err());
    }
}
