//! `cargo xtask bench`: the console's shipped size, then the server's latency on a
//! 100,000-user database and the time to the users table in headless Chromium (both
//! measured by `gatehouse-bench` in crates/e2e). Rerun it after a change and compare.

use std::fs;

use crate::dist::{brotli, gzip};
use crate::tools::Tools;
use crate::{cargo, root, run_command, step, Result};

pub fn run(args: &[String]) -> Result {
    let tools = Tools::ensure(true)?;
    crate::dist::build(&tools)?;
    report_sizes()?;
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
    let target = root().join("target/server");
    run_command(
        std::process::Command::new(target.join("gatehouse-bench"))
            .args(args)
            .env("GATEHOUSE_SERVER_BIN", target.join("gatehouse-server"))
            .env("GATEHOUSE_DIST", root().join("dist"))
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("CHROMIUM", &tools.chromium),
    )
}

fn report_sizes() -> Result {
    step("shipped console size (dist/)");
    let mut rows = Vec::new();
    for entry in fs::read_dir(root().join("dist"))
        .map_err(|e| format!("reading dist/: {e}"))?
        .flatten()
    {
        let path = entry.path();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => "wasm",
            Some("js") => "js",
            Some("css") => "css",
            _ => continue,
        };
        let data = fs::read(&path).map_err(|e| e.to_string())?;
        rows.push((kind, data.len(), gzip(&data).len(), brotli(&data).len()));
    }
    rows.sort();
    println!(
        "{:<6} {:>10} {:>10} {:>10}",
        "kind", "raw", "gzip", "brotli"
    );
    let mut total = (0, 0, 0);
    for (kind, raw, gz, br) in &rows {
        println!("{kind:<6} {:>10} {:>10} {:>10}", kb(*raw), kb(*gz), kb(*br));
        total = (total.0 + raw, total.1 + gz, total.2 + br);
    }
    println!(
        "{:<6} {:>10} {:>10} {:>10}",
        "total",
        kb(total.0),
        kb(total.1),
        kb(total.2)
    );
    Ok(())
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}
