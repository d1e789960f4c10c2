//! `cargo xtask`: the project's two commands and their helpers.
//!
//! - `cargo xtask run`   installs what is missing, builds the console and starts the server
//! - `cargo xtask test`  installs what is missing and runs every test
//! - `cargo xtask dist`  builds the release console into `dist/` with .gz/.br siblings
//! - `cargo xtask bench` measures console size and server latency on 100,000 users
//! - `cargo xtask setup` only installs the tools
//!
//! Tools go into `.tools/` in the repository, pinned, so a second run installs nothing.

mod bench;
mod contract;
mod dist;
mod function_order;
mod glue_names;
mod null_slots;
mod postgres;
mod shared_code;
mod split;
mod styles;
mod tools;
mod unused_exports;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => tools::Tools::ensure(false).map(drop),
        Some("dist") => tools::Tools::ensure(false).and_then(|t| dist::build(&t)),
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench::run(&args[1..]),
        Some("contract") => tools::Tools::ensure(true).and_then(|t| contract::run(&t)),
        _ => {
            eprintln!("usage: cargo xtask <run|test|dist|bench|contract|setup>\n");
            eprintln!("  run    build the console and start the server on http://127.0.0.1:8080");
            eprintln!("  test   run every test: native, component tests in Chromium, end to end");
            eprintln!("  dist   build the release console into dist/ (static files)");
            eprintln!("  bench  measure shipped size and server latency on 100,000 users");
            eprintln!("  contract  only the API contract check (schemathesis)");
            eprintln!("  setup  install the pinned tools into .tools/");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_owned()
}

/// Prints a step heading.
pub fn step(text: &str) {
    eprintln!("\n==> {text}");
}

/// Runs a command to completion, failing with its description if it fails.
pub fn run_command(command: &mut Command) -> Result {
    let description = format!("{command:?}");
    let status = command
        .current_dir_if_unset()
        .status()
        .map_err(|e| format!("cannot start {description}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{description} failed ({status})"))
    }
}

trait CurrentDir {
    fn current_dir_if_unset(&mut self) -> &mut Self;
}

impl CurrentDir for Command {
    fn current_dir_if_unset(&mut self) -> &mut Self {
        if self.get_current_dir().is_none() {
            self.current_dir(root());
        }
        self
    }
}

/// `cargo` with the tools on PATH.
pub fn cargo(tools: &tools::Tools) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.env("PATH", tools.path_env());
    if std::env::var_os("CI").is_some() {
        // A fresh clone never rebuilds, so incremental caches are gigabytes of disk for nothing.
        command.env("CARGO_INCREMENTAL", "0");
    }
    command
}

fn run(args: &[String]) -> Result {
    let tools = tools::Tools::ensure(false)?;
    dist::build(&tools)?;
    step("building the server");
    run_command(cargo(&tools).args(["build", "--profile", "server", "-p", "gatehouse-server"]))?;
    let server = root().join("target/server/gatehouse-server");
    let listen = std::env::var("GATEHOUSE_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    step(&format!(
        "starting Gatehouse on http://{listen} (Ctrl-C stops it)"
    ));
    eprintln!("    database: ./data/gatehouse.db   console: ./dist");
    eprintln!(
        "    First run? Open the one-time setup link printed below to create the administrator."
    );
    eprintln!("    Want demo data? In another terminal: target/server/gatehouse-server demo --users 1000 --groups 20\n");
    let mut command = Command::new(server);
    command
        .args([
            "--listen",
            &listen,
            "--database",
            "sqlite://./data/gatehouse.db",
            "--static-dir",
            "dist",
        ])
        .args(args);
    run_command(&mut command)
}

fn test() -> Result {
    let tools = tools::Tools::ensure(true)?;
    step("checking formatting");
    run_command(cargo(&tools).args(["fmt", "--all", "--", "--check"]))?;
    step("lints (clippy, warnings are errors)");
    run_command(cargo(&tools).args([
        "clippy",
        "--workspace",
        "--exclude",
        "gatehouse-console",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run_command(cargo(&tools).args([
        "clippy",
        "-p",
        "gatehouse-console",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("native tests: contract, server (real SQLite, real HTTP), xtask");
    run_command(
        cargo(&tools)
            .args([
                "test",
                "--workspace",
                "--exclude",
                "gatehouse-console",
                "--exclude",
                "gatehouse-e2e",
            ])
            .env("MAILDEV", &tools.maildev)
            .env("OIDC_PROVIDER", &tools.oidc_provider),
    )?;
    step("server integration tests again, on PostgreSQL");
    let postgres = postgres::Postgres::start()?;
    run_command(
        cargo(&tools)
            .args(["test", "-p", "gatehouse-server", "--test", "api"])
            .env("GATEHOUSE_TEST_POSTGRES", &postgres.url)
            .env("MAILDEV", &tools.maildev)
            .env("OIDC_PROVIDER", &tools.oidc_provider),
    )?;
    contract::run(&tools)?;
    dist::build(&tools)?;
    step("component tests (wasm-bindgen-test in headless Chromium)");
    run_command(
        cargo(&tools)
            .args([
                "test",
                "-p",
                "gatehouse-console",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env(
                "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
                root().join("webdriver.json"),
            )
            .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180"),
    )?;
    step("end-to-end tests (release console + real server + headless Chromium)");
    run_command(
        cargo(&tools)
            .args(["test", "-p", "gatehouse-e2e", "--", "--test-threads=1"])
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("CHROMIUM", &tools.chromium)
            .env("AXE_CORE", &tools.axe)
            .env("MAILDEV", &tools.maildev)
            .env("OIDC_PROVIDER", &tools.oidc_provider)
            .env("GATEHOUSE_DIST", root().join("dist"))
            .env("GATEHOUSE_TEST_POSTGRES", &postgres.url),
    )?;
    drop(postgres);
    step("all tests passed");
    Ok(())
}
