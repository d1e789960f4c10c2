//! `gatehouse-bench`: server latency on a large database and time to the users table
//! in headless Chromium. Run through `cargo xtask bench`, which builds what it needs.
//!
//! Usage: gatehouse-bench [--users N] [--requests N]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use gatehouse_e2e::{dist_dir, free_port, Chromedriver, PageExt};
use serde_json::{json, Value};

const ADMIN_EMAIL: &str = "bench@example.com";
const ADMIN_PASSWORD: &str = "measure twice, cut once";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<()> {
    let users = arg("--users", 100_000);
    let requests = arg("--requests", 200);
    let server_bin = std::env::var("GATEHOUSE_SERVER_BIN")
        .context("GATEHOUSE_SERVER_BIN is not set (run cargo xtask bench)")?;
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("bench.db").display());

    let started = Instant::now();
    let status = Command::new(&server_bin)
        .args([
            "demo",
            "--database",
            &database,
            "--users",
            &users.to_string(),
        ])
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("demo data generation failed");
    }
    println!(
        "demo data: {users} users generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server(
        Command::new(&server_bin)
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database",
                &database,
                "--static-dir",
            ])
            .arg(dist_dir()?)
            .env("GATEHOUSE_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("GATEHOUSE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("GATEHOUSE_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let http = reqwest::Client::new();
    let ready = Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        if let Some(status) = server.0.try_wait()? {
            bail!("the server exited at start ({status})");
        }
        if ready.elapsed() > Duration::from_secs(30) {
            bail!("server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["data"]["token"]
        .as_str()
        .context("no token")?
        .to_owned();

    println!("\nserver latency, {requests} sequential requests per scenario after 20 warm-up, per_page=50, loopback:");
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let scenarios: &[(&str, &[&str])] = &[
        ("list, newest first (no filter)", &["per_page=50"]),
        (
            "search (8 different terms)",
            &[
                "per_page=50&search=lovelace",
                "per_page=50&search=ada",
                "per_page=50&search=smith",
                "per_page=50&search=hooli",
                "per_page=50&search=kim",
                "per_page=50&search=ber",
                "per_page=50&search=grace%20hopper",
                "per_page=50&search=zhang1",
            ],
        ),
        (
            "status filter (LOCKED, DISABLED, PENDING_*)",
            &[
                "per_page=50&status=LOCKED",
                "per_page=50&status=DISABLED",
                "per_page=50&status=PENDING_APPROVAL",
                "per_page=50&status=PENDING_EMAIL_VERIFICATION",
            ],
        ),
        (
            "sorted by last login (pages 1-4)",
            &[
                "per_page=50&sort_by=last_login_at",
                "per_page=50&sort_by=last_login_at&page=2",
                "per_page=50&sort_by=last_login_at&page=3",
                "per_page=50&sort_by=last_login_at&sort_order=asc",
            ],
        ),
        (
            "status filter + sorted by last login",
            &["per_page=50&status=LOCKED&sort_by=last_login_at"],
        ),
        (
            "sorted by name, deep page (page 1000)",
            &["per_page=50&sort_by=display_name&page=1000"],
        ),
    ];
    for (name, queries) in scenarios {
        let url = |i: usize| {
            format!(
                "{base}/api/v1/tenants/default/users?{}",
                queries[i % queries.len()]
            )
        };
        for i in 0..20 {
            http.get(url(i))
                .bearer_auth(&token)
                .send()
                .await?
                .error_for_status()?;
        }
        let mut times = Vec::with_capacity(requests);
        for i in 0..requests {
            let t = Instant::now();
            let body = http
                .get(url(i))
                .bearer_auth(&token)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(!body.is_empty());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name:<44} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            times[times.len() - 1]
        );
    }

    println!(
        "\ntime from navigation to the users table painted (headless Chromium, loopback, 50 rows):"
    );
    let chromedriver = Chromedriver::start().await?;
    let browser = chromedriver.browser().await?;
    browser.goto(&format!("{base}/login")).await?;
    browser
        .execute(
            format!("localStorage.setItem('gatehouse.token', '{token}');"),
            Vec::new(),
        )
        .await?;
    let mut paints = Vec::new();
    for _ in 0..7 {
        browser.goto(&format!("{base}/users?per_page=50")).await?;
        let mut painted = Value::Null;
        for _ in 0..500 {
            painted = browser
                .eval("(performance.getEntriesByName('gatehouse:users-table-painted')[0] || {}).startTime")
                .await?;
            if painted.is_number() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        paints.push(
            painted
                .as_f64()
                .context("the table never marked its first paint")?,
        );
    }
    browser.quit().await?;
    // The first load fills the browser cache; report the warm loads.
    let cold = paints.remove(0);
    paints.sort_by(f64::total_cmp);
    println!("cold (first load): {cold:.0} ms; warm: median {:.0} ms, min {:.0} ms, max {:.0} ms over {} loads",
        percentile(&paints, 0.5), paints[0], paints[paints.len() - 1], paints.len());
    Ok(())
}
