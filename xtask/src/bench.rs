//! `cargo xtask bench`: the console's shipped size, then the server's latency on a
//! 100,000-user database, a sign-in flood, the time to the users table in headless
//! Chromium, and the users list again at 1,000,000 users, then at both sizes on
//! PostgreSQL (a throwaway server; measured by `gatehouse-bench` in crates/e2e). Everything it prints is also
//! written into docs/performance.md, so the figures there are always the last run's.

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::dist::{brotli, gzip};
use crate::tools::Tools;
use crate::{cargo, root, run_command, step, Result};

pub fn run(args: &[String]) -> Result {
    let tools = Tools::ensure(true)?;
    crate::dist::build(&tools)?;
    let sizes = report_sizes()?;
    step("building the server and the benchmark client (profile `server`)");
    run_command(cargo(&tools).args([
        "build",
        "--profile",
        "server",
        "-p",
        "gatehouse-server",
        "-p",
        "gatehouse-e2e",
        "--bins",
    ]))?;
    step("server latency and time to first table");
    let postgres = crate::postgres::Postgres::start()?;
    let target = root().join("target/server");
    let mut bench = std::process::Command::new(target.join("gatehouse-bench"))
        .args(args)
        .env("GATEHOUSE_BENCH_POSTGRES", &postgres.url)
        .env("GATEHOUSE_SERVER_BIN", target.join("gatehouse-server"))
        .env("GATEHOUSE_DIST", root().join("dist"))
        .env("CHROMEDRIVER", &tools.chromedriver)
        .env("CHROMIUM", &tools.chromium)
        .env("MAILDEV", &tools.maildev)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start gatehouse-bench: {e}"))?;
    let mut output = String::new();
    if let Some(stdout) = bench.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            println!("{line}");
            output.push_str(&line);
            output.push('\n');
        }
    }
    let status = bench.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("gatehouse-bench failed ({status})"));
    }
    record(args, &sizes, &output)
}

const BEGIN: &str = "<!-- cargo xtask bench writes from here; edits below are replaced -->";
const END: &str = "<!-- end of cargo xtask bench output -->";

/// Writes the run into docs/performance.md between the markers (appending them the
/// first time), with the command and the machine, so the document never drifts.
fn record(args: &[String], sizes: &str, output: &str) -> Result {
    let path = root().join("docs/performance.md");
    let doc = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let command = std::iter::once("cargo xtask bench".to_owned())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let section = format!(
        "{BEGIN}\n## Latest run\n\n`{command}` on {}, {cores} cores, printed:\n\n```text\n{sizes}{output}```\n{END}",
        today()
    );
    let updated = match (doc.find(BEGIN), doc.find(END)) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{section}{}", &doc[..start], &doc[end + END.len()..])
        }
        _ => format!("{}\n{section}\n", doc.trim_end()),
    };
    fs::write(&path, updated).map_err(|e| format!("writing {}: {e}", path.display()))?;
    eprintln!("\nwrote the figures into {}", path.display());
    Ok(())
}

/// Today's date (UTC), from the `date` command so xtask needs no date crate.
fn today() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|d| d.trim().to_owned())
        .unwrap_or_else(|| "an unknown date".into())
}

/// What a file in `dist/` is, for the size table: the main module, an area's part, the
/// split loader and the bindings, or a stylesheet.
fn kind_of(name: &str) -> Option<&'static str> {
    match name.rsplit('.').next()? {
        "wasm" if name.starts_with("split_") || name.starts_with("chunk_") => {
            Some("area parts (wasm)")
        }
        "wasm" => Some("main module (wasm)"),
        "js" => Some("js"),
        "css" => Some("css"),
        _ => None,
    }
}

/// Prints the size of what `dist/` ships, by kind, and returns the same table.
fn report_sizes() -> Result<String> {
    step("shipped console size (dist/)");
    let mut rows: Vec<(&str, usize, usize, usize, usize)> = Vec::new();
    for entry in fs::read_dir(root().join("dist"))
        .map_err(|e| format!("reading dist/: {e}"))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(kind) = kind_of(&name) else {
            continue;
        };
        let data = fs::read(entry.path()).map_err(|e| e.to_string())?;
        let (raw, gz, br) = (data.len(), gzip(&data).len(), brotli(&data).len());
        match rows.iter_mut().find(|r| r.0 == kind) {
            Some(row) => *row = (kind, row.1 + 1, row.2 + raw, row.3 + gz, row.4 + br),
            None => rows.push((kind, 1, raw, gz, br)),
        }
    }
    rows.sort();
    let mut table = String::from("shipped console (dist/):\n");
    let line = |kind: &str, files: usize, raw: usize, gz: usize, br: usize| {
        format!(
            "{kind:<20} {files:>5} {:>10} {:>10} {:>10}\n",
            kb(raw),
            kb(gz),
            kb(br)
        )
    };
    table.push_str(&format!(
        "{:<20} {:>5} {:>10} {:>10} {:>10}\n",
        "kind", "files", "raw", "gzip", "brotli"
    ));
    let mut total = (0, 0, 0, 0);
    for (kind, files, raw, gz, br) in &rows {
        table.push_str(&line(kind, *files, *raw, *gz, *br));
        total = (total.0 + files, total.1 + raw, total.2 + gz, total.3 + br);
    }
    table.push_str(&line("total", total.0, total.1, total.2, total.3));
    print!("{table}");
    Ok(table)
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::kind_of;

    #[test]
    fn dist_files_are_told_apart() {
        assert_eq!(
            kind_of("split_sso-a9d504d3a9e23672.wasm"),
            Some("area parts (wasm)")
        );
        assert_eq!(
            kind_of("chunk_7-b64d9ee5c4db2856.wasm"),
            Some("area parts (wasm)")
        );
        assert_eq!(
            kind_of("gatehouse-console_bg-4cf320422c861361.wasm"),
            Some("main module (wasm)")
        );
        assert_eq!(
            kind_of("__wasm_split.89e496442e4dc823_split.js"),
            Some("js")
        );
        assert_eq!(kind_of("index.html"), None);
        assert_eq!(kind_of("app-6b7236a73b3ca061.css.br"), None);
    }
}
