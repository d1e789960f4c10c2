//! The API against its own OpenAPI document: schemathesis (from PyPI) runs its coverage,
//! fuzzing and stateful phases against a real server on a fresh database and checks
//! every answer's status code, content type, headers and body against the document.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tools::Tools;
use crate::{root, run_command, step, Result};

const EMAIL: &str = "contract@example.com";
const PASSWORD: &str = "schemathesis drives this";

/// What must hold for every answer. Left out on purpose: `positive_data_acceptance` and
/// `negative_data_rejection` (the API checks rules no schema expresses, such as the
/// password policy, and clamps `per_page` instead of refusing it, both documented) and
/// `missing_required_header` (a missing `If-Match` is 428, RFC 6585, which the check does
/// not expect).
const CHECKS: &str = concat!(
    "not_a_server_error,status_code_conformance,content_type_conformance,",
    "response_headers_conformance,response_schema_conformance,ignored_auth,",
    "unsupported_method,use_after_free,ensure_resource_availability"
);

/// The server, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Waits until the server answers its health check.
fn wait_for(base: &str, server: &mut Server) -> Result {
    let started = Instant::now();
    let address = base.trim_start_matches("http://");
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(status) = server.0.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("the server exited at start ({status})"));
        }
        if std::net::TcpStream::connect(address).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the server did not start".into())
}

pub fn run(tools: &Tools) -> Result {
    step("API contract: schemathesis against the served OpenAPI document");
    run_command(crate::cargo(tools).args(["build", "-p", "gatehouse-server"]))?;
    let dir = tempdir()?;
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server(
        Command::new(root().join("target/debug/gatehouse-server"))
            .args(["--listen", &format!("127.0.0.1:{port}"), "--database"])
            .arg(format!("sqlite://{}", dir.join("contract.db").display()))
            .env("GATEHOUSE_ADMIN_EMAIL", EMAIL)
            .env("GATEHOUSE_ADMIN_PASSWORD", PASSWORD)
            // The fuzzer signs in wrongly a great deal; it must not block itself out.
            .env("GATEHOUSE_MAX_FAILED_LOGINS", "1000000")
            .env("GATEHOUSE_MAX_FAILED_LOGINS_PER_CLIENT", "1000000")
            .env("GATEHOUSE_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?,
    );
    wait_for(&base, &mut server)?;
    let result = run_command(
        Command::new(&tools.schemathesis)
            .arg("run")
            .arg(format!("{base}/api/openapi.json"))
            .args(["--checks", CHECKS])
            .args(["--phases", "coverage,fuzzing,stateful"])
            .args(["--seed", "20261125", "--max-examples", "40"])
            .args(["--max-time", "150", "--workers", "1"])
            .current_dir(&dir)
            .env("PYTHONPATH", root().join("xtask/schemathesis"))
            .env("SCHEMATHESIS_HOOKS", "gatehouse_auth")
            .env("GATEHOUSE_URL", &base)
            .env("GATEHOUSE_EMAIL", EMAIL)
            .env("GATEHOUSE_PASSWORD", PASSWORD),
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A fresh directory under the system's temporary folder.
fn tempdir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("gatehouse-contract-{}", std::process::id()));
    if Path::new(&dir).exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}
