//! `gatehouse-bench`: server latency on a large database (users, groups, invites and
//! their mail), a sign-in flood, and time to the users table in headless Chromium. Run through `cargo xtask bench`, which builds what it needs.
//!
//! Usage: gatehouse-bench [--users N] [--requests N] [--groups N] [--large-users N]
//! (`--large-users 0` skips the users list at a million users). With
//! `GATEHOUSE_BENCH_POSTGRES` (an administrator's URL) the users list's scenarios run
//! again on PostgreSQL at both sizes.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use gatehouse_e2e::{dist_dir, free_port, Chromedriver, MailServer, PageExt};

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

/// The server's resident memory now and at its peak (VmRSS, VmHWM), in MB.
fn memory_mb(pid: u32) -> Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<f64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .with_context(|| format!("{name} missing"))?;
        let kb: f64 = line.split_whitespace().nth(1).context("value")?.parse()?;
        Ok(kb / 1024.0)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// p50 and p95 (ms) of `count` sequential GETs of `url`.
async fn latencies(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    count: usize,
) -> Result<(f64, f64)> {
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let t = Instant::now();
        http.get(url)
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok((percentile(&times, 0.5), percentile(&times, 0.95)))
}

/// 500 concurrent sign-ins with wrong passwords for unknown addresses, and what they do
/// to the server's memory and to an administrator's list request meanwhile.
async fn sign_in_flood(
    http: &reqwest::Client,
    base: &str,
    api: &str,
    token: &str,
    pid: u32,
) -> Result<()> {
    const FLOOD: usize = 500;
    let list = format!("{api}/users?per_page=50");
    let (quiet_p50, quiet_p95) = latencies(http, &list, token, 100).await?;
    let (_, peak_before) = memory_mb(pid)?;
    let started = Instant::now();
    let flood: Vec<_> = (0..FLOOD)
        .map(|n| {
            let request = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": format!("flood{n}@example.com"), "password": "wrong guess number one"}));
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    // Let the flood arrive, then measure while it is being answered.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (busy_p50, busy_p95) = latencies(http, &list, token, 100).await?;
    let mut answers = std::collections::BTreeMap::<String, usize>::new();
    for task in flood {
        let key = match task.await? {
            Ok(status) => status.to_string(),
            Err(_) => "connection error".to_owned(),
        };
        *answers.entry(key).or_default() += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (_, peak_after) = memory_mb(pid)?;
    println!("\nsign-in flood: {FLOOD} concurrent sign-ins with wrong passwords (unknown emails, one client, per-address limit lifted):");
    println!(
        "answers: {} in {elapsed:.1} s",
        answers
            .iter()
            .map(|(status, n)| format!("{n} × {status}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("server peak memory (VmHWM): {peak_before:.0} MB before the flood, {peak_after:.0} MB after");
    println!("users list (per_page=50), 100 sequential requests: p50 {quiet_p50:.2} ms, p95 {quiet_p95:.2} ms without the flood; p50 {busy_p50:.2} ms, p95 {busy_p95:.2} ms during it");
    Ok(())
}

/// One row of a latency table: `requests` sequential GETs cycling through `urls`, after
/// 20 to warm up.
async fn scenario_row(
    http: &reqwest::Client,
    token: &str,
    name: &str,
    urls: &[String],
    requests: usize,
) -> Result<()> {
    for i in 0..20 {
        http.get(&urls[i % urls.len()])
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?;
    }
    let mut times = Vec::with_capacity(requests);
    for i in 0..requests {
        let t = Instant::now();
        let body = http
            .get(&urls[i % urls.len()])
            .bearer_auth(token)
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
        "{name:<52} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );
    Ok(())
}

/// Invites: 500 addresses in one request (with their outbox rows), the outbox drained
/// into a real SMTP server, and the invites list with 10,000 invites.
async fn invites(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    database: &str,
    requests: usize,
) -> Result<()> {
    const PER_REQUEST: usize = 500;
    const TOTAL: usize = 10_000;
    let invite = |batch: usize| {
        let emails: Vec<String> = (0..PER_REQUEST)
            .map(|i| format!("invitee{batch}-{i}@bench.example.org"))
            .collect();
        http.post(format!("{api}/invites"))
            .bearer_auth(token)
            .json(&json!({"emails": emails, "expires_in_days": 30}))
            .send()
    };
    println!(
        "
inviting {PER_REQUEST} addresses in one request (mail configured, so each also queues a message):"
    );
    let mut runs = Vec::new();
    for batch in 0..3 {
        let t = Instant::now();
        let answer: Value = invite(batch).await?.error_for_status()?.json().await?;
        let elapsed = t.elapsed().as_secs_f64() * 1000.0;
        let invited = answer["data"]["results"]
            .as_array()
            .context("results")?
            .iter()
            .filter(|r| r["outcome"] == "invited")
            .count();
        ensure!(invited == PER_REQUEST, "only {invited} invited");
        println!("run {}: {elapsed:.0} ms, {invited} invited", batch + 1);
        runs.push(elapsed);
    }
    runs.sort_by(f64::total_cmp);
    println!("p50 of 3: {:.0} ms", percentile(&runs, 0.5));
    for batch in 3..TOTAL / PER_REQUEST {
        invite(batch).await?.error_for_status()?;
    }
    // The list is measured once the mail has gone, as it would be on a quiet server.
    let db = sqlx::SqlitePool::connect(database).await?;
    let started = Instant::now();
    loop {
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status != 'SENT'")
            .fetch_one(&db)
            .await?;
        if waiting == 0 {
            break;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(900),
            "{waiting} messages still queued after 15 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    db.close().await;
    println!(
        "all {TOTAL} invitation emails were delivered to the SMTP server (maildev) {:.1} s after the last request",
        started.elapsed().as_secs_f64()
    );
    println!("
invites list with {TOTAL} invites, {requests} sequential requests per scenario after 20 warm-up, per_page=50:");
    println!(
        "{:<52} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let list = |queries: &[&str]| -> Vec<String> {
        queries
            .iter()
            .map(|q| format!("{api}/invites?per_page=50&{q}"))
            .collect()
    };
    let scenarios = [
        ("newest first", list(&[""])),
        (
            "pending, sorted by expiry",
            list(&["status=PENDING&sort_by=expires_at"]),
        ),
        (
            "search by address (4 terms)",
            list(&[
                "search=invitee7-",
                "search=42@",
                "search=bench",
                "search=nobody",
            ]),
        ),
        (
            "sorted by email, deep page (page 150)",
            list(&["sort_by=email&page=150"]),
        ),
    ];
    for (name, urls) in &scenarios {
        scenario_row(http, token, name, urls, requests).await?;
    }
    Ok(())
}

/// API keys: the users list authenticated by a key and by a session token, requests
/// interleaved so both see the same server; then the tenant's keys list with 10,000 keys.
async fn api_keys(
    http: &reqwest::Client,
    base: &str,
    api: &str,
    token: &str,
    requests: usize,
) -> Result<()> {
    const TOTAL: usize = 10_000;
    let issue = |path: String, body: Value| {
        let request = http.post(path).bearer_auth(token).json(&body).send();
        async move {
            let created: Value = request.await?.error_for_status()?.json().await?;
            anyhow::Ok(created)
        }
    };
    let created = issue(
        format!("{base}/api/v1/auth/me/api-keys"),
        json!({"name": "Bench", "expires": {"in_days": 30}}),
    )
    .await?;
    let key = created["data"]["secret"]
        .as_str()
        .context("secret")?
        .to_owned();
    let urls = [
        format!("{api}/users?per_page=50"),
        format!("{api}/users?per_page=50&search=lovelace"),
        format!("{api}/users?per_page=50&status=LOCKED"),
    ];
    for i in 0..40 {
        for credential in [token, key.as_str()] {
            http.get(&urls[i % urls.len()])
                .bearer_auth(credential)
                .send()
                .await?
                .error_for_status()?;
        }
    }
    let (mut by_session, mut by_key) = (Vec::new(), Vec::new());
    for i in 0..requests * 2 {
        // Alternate which goes first, so neither always follows the other.
        let order = if i % 2 == 0 {
            [token, key.as_str()]
        } else {
            [key.as_str(), token]
        };
        for credential in order {
            let t = Instant::now();
            http.get(&urls[i % urls.len()])
                .bearer_auth(credential)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            let elapsed = t.elapsed().as_secs_f64() * 1000.0;
            if credential == token {
                by_session.push(elapsed)
            } else {
                by_key.push(elapsed)
            }
        }
    }
    by_session.sort_by(f64::total_cmp);
    by_key.sort_by(f64::total_cmp);
    let (s50, s95, k50, k95) = (
        percentile(&by_session, 0.5),
        percentile(&by_session, 0.95),
        percentile(&by_key, 0.5),
        percentile(&by_key, 0.95),
    );
    println!("\nusers list (newest first, search, status filter in turn), {} requests each, session token and API key interleaved:", requests * 2);
    println!("{:<52} {:>9} {:>9}", "authenticated by", "p50 ms", "p95 ms");
    println!("{:<52} {s50:>9.2} {s95:>9.2}", "session token");
    println!(
        "{:<52} {k50:>9.2} {k95:>9.2}",
        "API key (unrestricted, owner's roles each request)"
    );
    println!(
        "API key overhead: p50 {:+.1}%, p95 {:+.1}%",
        (k50 / s50 - 1.0) * 100.0,
        (k95 / s95 - 1.0) * 100.0
    );

    // Owners: 100 demo users; one key in ten expires within a week.
    let owners: Vec<String> = http
        .get(format!("{api}/users?per_page=100&status=ACTIVE"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json::<Value>()
        .await?["data"]
        .as_array()
        .context("users")?
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect();
    ensure!(!owners.is_empty(), "no active demo users");
    let started = Instant::now();
    let mut pending = futures_util::stream::FuturesUnordered::new();
    for n in 1..TOTAL {
        let owner = &owners[n % owners.len()];
        let days = if n % 10 == 0 { 3 } else { 90 };
        pending.push(issue(
            format!("{api}/users/{owner}/api-keys"),
            json!({"name": format!("Key {n} for job {}", n % 37), "expires": {"in_days": days}}),
        ));
        if pending.len() >= 8 {
            if let Some(done) = futures_util::StreamExt::next(&mut pending).await {
                done?;
            }
        }
    }
    while let Some(done) = futures_util::StreamExt::next(&mut pending).await {
        done?;
    }
    println!(
        "\nissued {} API keys in {:.1} s (8 requests in flight)",
        TOTAL - 1,
        started.elapsed().as_secs_f64()
    );
    println!("\nAPI keys list with {TOTAL} keys, {requests} sequential requests per scenario after 20 warm-up, per_page=50:");
    println!(
        "{:<52} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let list = |queries: &[&str]| -> Vec<String> {
        queries
            .iter()
            .map(|q| format!("{api}/api-keys?per_page=50&{q}"))
            .collect()
    };
    let owner_filter: Vec<String> = owners
        .iter()
        .take(8)
        .map(|o| format!("{api}/api-keys?per_page=50&owner_id={o}"))
        .collect();
    let scenarios = [
        ("newest first", list(&[""])),
        ("expiring within 7 days", list(&["expires_within_days=7"])),
        (
            "active, sorted by expiry",
            list(&["status=ACTIVE&sort_by=expires_at"]),
        ),
        (
            "search by name (4 terms)",
            list(&[
                "search=job%2012",
                "search=Key%2042",
                "search=bench",
                "search=nothing",
            ]),
        ),
        ("filtered by owner (8 owners)", owner_filter),
        (
            "sorted by name, deep page (page 150)",
            list(&["sort_by=name&page=150"]),
        ),
    ];
    for (name, urls) in &scenarios {
        scenario_row(http, token, name, urls, requests).await?;
    }
    Ok(())
}

/// Times one request that must succeed; the answer's body and the milliseconds it took.
async fn timed(request: reqwest::RequestBuilder) -> Result<(Vec<u8>, f64)> {
    let t = Instant::now();
    let body = request.send().await?.error_for_status()?.bytes().await?;
    Ok((body.to_vec(), t.elapsed().as_secs_f64() * 1000.0))
}

/// A UUID's 16 bytes, as the server stores ids.
fn uuid_blob(id: &str) -> Result<Vec<u8>> {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    ensure!(hex.len() == 32, "not a UUID: {id}");
    (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).context("not a UUID"))
        .collect()
}

/// Issue 11's figures: exporting every user as CSV, importing 10,000 rows, disabling
/// 10,000 users in one bulk action, and the audit list with 1,000,000 events.
async fn audit_bulk_csv(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    admin_id: &str,
    database: &str,
    requests: usize,
) -> Result<()> {
    println!(
        "
CSV export of every user (GET /users/export, all columns), 3 runs:"
    );
    for run in 1..=3 {
        let (body, ms) = timed(http.get(format!("{api}/users/export")).bearer_auth(token)).await?;
        let rows = body.iter().filter(|b| **b == b'\n').count() - 1;
        println!(
            "run {run}: {:.1} s, {rows} rows, {:.1} MB",
            ms / 1000.0,
            body.len() as f64 / 1e6
        );
    }

    const ROWS: usize = 10_000;
    let mut csv = String::from("email,first_name,last_name,groups\n");
    for n in 0..ROWS {
        csv.push_str(&format!(
            "imported{n:05}@bench.example.org,Imported,Person {n},\n"
        ));
    }
    println!(
        "
CSV import of {ROWS} new users (POST /users/import, {:.1} MB):",
        csv.len() as f64 / 1e6
    );
    for dry_run in [true, false] {
        let (body, ms) = timed(
            http.post(format!("{api}/users/import"))
                .bearer_auth(token)
                .json(&json!({"csv": csv, "dry_run": dry_run})),
        )
        .await?;
        let report: Value = serde_json::from_slice(&body)?;
        println!(
            "{}: {:.1} s, {} created, {} errors",
            if dry_run { "dry run" } else { "import" },
            ms / 1000.0,
            report["data"]["created"],
            report["data"]["errors"]
        );
    }
    let (body, ms) = timed(
        http.post(format!("{api}/users/import"))
            .bearer_auth(token)
            .json(&json!({"csv": csv})),
    )
    .await?;
    let again: Value = serde_json::from_slice(&body)?;
    println!(
        "the same file again: {:.1} s, {} unchanged",
        ms / 1000.0,
        again["data"]["unchanged"]
    );

    println!("
disabling the {ROWS} imported users in one bulk action (filter search=imported, status ACTIVE, with a reason; each change audited):");
    let bulk = |dry_run: bool| {
        http.post(format!("{api}/users/bulk"))
            .bearer_auth(token)
            .json(&json!({
                "action": {"kind": "disable", "reason": "Benchmark"},
                "selection": {"filter": {"search": "imported", "status": "ACTIVE"}},
                "dry_run": dry_run,
            }))
    };
    for dry_run in [true, false] {
        let (body, ms) = timed(bulk(dry_run)).await?;
        let result: Value = serde_json::from_slice(&body)?;
        println!(
            "{}: {:.1} s, {} done",
            if dry_run { "dry run" } else { "run" },
            ms / 1000.0,
            result["data"]["done"]
        );
    }

    const EVENTS: i64 = 1_000_000;
    let db = sqlx::SqlitePool::connect(database).await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&db)
        .await?;
    let admin = uuid_blob(admin_id)?;
    let now = chrono::Utc::now().timestamp_millis();
    let started = Instant::now();
    let mut added = 0;
    while existing + added < EVENTS {
        let batch = (EVENTS - existing - added).min(100_000);
        // One event a second, going back; every tenth by the bench administrator.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 + ?2 - 1)
             INSERT INTO audit_events (tenant_id, occurred_at, actor_kind, actor_id, actor_name,
                 action, target_type, target_id, target_name, changes, request_id, client_ip)
             SELECT 'default', ?3 - (?4 - i) * 1000,
                 CASE WHEN i % 10 = 0 THEN 'user' ELSE 'system' END,
                 CASE WHEN i % 10 = 0 THEN ?5 END,
                 CASE WHEN i % 10 = 0 THEN 'Bench admin' END,
                 CASE i % 4 WHEN 0 THEN 'user.updated' WHEN 1 THEN 'auth.signed_in'
                     WHEN 2 THEN 'group.members_added' ELSE 'user.status_changed' END,
                 'user', printf('%08d', i % 100000), 'Person ' || (i % 100000),
                 '[{\"field\":\"first_name\",\"before\":\"A' || i || '\",\"after\":\"B\"}]',
                 lower(hex(randomblob(16))), '10.0.' || (i % 250) || '.1'
             FROM n",
        )
        .bind(added)
        .bind(batch)
        .bind(now)
        .bind(EVENTS)
        .bind(&admin[..])
        .execute(&db)
        .await?;
        added += batch;
    }
    db.close().await;
    println!(
        "
audit list with {EVENTS} events ({added} synthetic ones written in {:.1} s), {requests} sequential requests per scenario after 20 warm-up, per_page=50:",
        started.elapsed().as_secs_f64()
    );
    println!(
        "{:<52} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let first: Value = serde_json::from_slice(
        &timed(
            http.get(format!("{api}/audit?per_page=200"))
                .bearer_auth(token),
        )
        .await?
        .0,
    )?;
    let one_user = first["data"]
        .as_array()
        .context("events")?
        .iter()
        .find(|e| e["target"]["type"] == "user" && e["action"] == "user.status_changed")
        .and_then(|e| e["target"]["id"].as_str())
        .context("a disabled user's event")?
        .to_owned();
    let audit = |queries: &[&str]| -> Vec<String> {
        queries
            .iter()
            .map(|q| format!("{api}/audit?per_page=50&{q}"))
            .collect()
    };
    let day_ago = |days: i64| {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now - days * 86_400_000)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let scenarios = [
        ("newest first (no filter)", audit(&[""])),
        (
            "filtered by action (user.updated)",
            audit(&["action=user.updated"]),
        ),
        (
            "filtered by actor (the bench administrator)",
            audit(&[&format!("actor_id={admin_id}")]),
        ),
        (
            "one user's history (Activity tab)",
            audit(&[&format!("target_type=user&target_id={one_user}")]),
        ),
        (
            "a day, five days back",
            audit(&[&format!("from={}&to={}", day_ago(5), day_ago(4))]),
        ),
        (
            "deep page (cursor 500,000 s back)",
            audit(&[&format!("cursor={}.{}", now - 500_000 * 1000, i64::MAX)]),
        ),
        (
            "free text (\"Person 4242\")",
            audit(&["search=Person%204242"]),
        ),
    ];
    for (name, urls) in &scenarios {
        scenario_row(http, token, name, urls, requests).await?;
    }
    Ok(())
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

    let groups = arg("--groups", 1_000);
    generate(&server_bin, &database, users, groups)?;

    let mail = MailServer::start().await;
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
            .args(["--smtp-url", &mail.smtp_url()])
            .env("GATEHOUSE_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("GATEHOUSE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            // The sign-in flood below comes from one address; a real one comes from
            // many, so the per-address limit is lifted to measure the worst case.
            .env("GATEHOUSE_MAX_FAILED_LOGINS_PER_CLIENT", "1000000")
            .env("GATEHOUSE_LOG", "error")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let http = reqwest::Client::new();
    let login = sign_in(&http, &base, &mut server).await?;
    let token = token_of(&login)?;
    let api = format!("{base}/api/v1/tenants/default");

    users_scenarios(&http, &api, &token, "SQLite", users, requests).await?;
    let get_json = |url: String| get_json(&http, &token, url);

    println!("\nadding 10,000 members to a new group in one request:");
    let mut ids = Vec::new();
    for page in 1..=50 {
        let users = get_json(format!(
            "{api}/users?per_page=200&page={page}&sort_by=email"
        ))
        .await?;
        ids.extend(
            users["data"]
                .as_array()
                .context("users")?
                .iter()
                .filter_map(|u| u["id"].as_str().map(str::to_owned)),
        );
    }
    for run in 1..=3 {
        let group: Value = http
            .post(format!("{api}/groups"))
            .bearer_auth(&token)
            .json(&json!({"name": format!("Bulk {run}")}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let members = format!(
            "{api}/groups/{}/members",
            group["data"]["id"].as_str().context("group id")?
        );
        let t = Instant::now();
        let result: Value = http
            .post(&members)
            .bearer_auth(&token)
            .json(&json!({"user_ids": ids}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        println!(
            "run {run}: {} ms, {} members",
            t.elapsed().as_millis(),
            result["data"]["member_count"]
        );
    }

    invites(&http, &api, &token, &database, requests).await?;

    api_keys(&http, &base, &api, &token, requests).await?;

    let admin_id = login["data"]["user"]["id"].as_str().context("no user id")?;
    audit_bulk_csv(&http, &api, &token, admin_id, &database, requests).await?;

    sign_in_flood(&http, &base, &api, &token, server.0.id()).await?;

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

    console_bytes(&chromedriver, &base).await?;
    drop(server);
    drop(dir);

    let large = arg("--large-users", 1_000_000);
    if large > 0 {
        let dir = tempfile::tempdir()?;
        let database = format!("sqlite://{}", dir.path().join("large.db").display());
        large_list(&server_bin, &database, "SQLite", large, groups, requests).await?;
    }
    // The same scenarios on PostgreSQL, at both sizes, when the benchmark has a server.
    if let Ok(admin) = std::env::var("GATEHOUSE_BENCH_POSTGRES") {
        for size in [users, large].into_iter().filter(|&n| n > 0) {
            let database =
                gatehouse_server::store::create_postgres_database(&admin, &format!("bench_{size}"))
                    .await?;
            large_list(&server_bin, &database, "PostgreSQL", size, groups, requests).await?;
        }
    }
    Ok(())
}

/// A GET answered 2xx, as JSON.
async fn get_json(http: &reqwest::Client, token: &str, url: String) -> reqwest::Result<Value> {
    http.get(url)
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json::<Value>()
        .await
}

/// The users list's latency scenarios on a database of `users` users.
async fn users_scenarios(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    engine: &str,
    users: usize,
    requests: usize,
) -> Result<()> {
    println!("\nusers list at {users} users on {engine}, {requests} sequential requests per scenario after 20 warm-up, per_page=50, loopback:");
    println!(
        "{:<52} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let get_json = |url: String| get_json(http, token, url);
    let group_ids: Vec<String> = get_json(format!("{api}/groups?per_page=200")).await?["data"]
        .as_array()
        .context("groups")?
        .iter()
        .step_by(25)
        .map(|g| g["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let roles = get_json(format!("{api}/roles?per_page=200")).await?;
    let role_id = |name: &str| -> Result<String> {
        roles["data"]
            .as_array()
            .context("roles")?
            .iter()
            .find(|r| r["name"] == name)
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned)
            .context("role")
    };
    let users_with = |queries: &[&str]| {
        queries
            .iter()
            .map(|q| format!("{api}/users?per_page=50&{q}"))
            .collect::<Vec<_>>()
    };
    let scenarios: Vec<(String, Vec<String>)> = vec![
        ("list, newest first (no filter)".into(), users_with(&[""])),
        (
            "search (8 different terms)".into(),
            users_with(&[
                "search=lovelace",
                "search=ada",
                "search=smith",
                "search=hooli",
                "search=kim",
                "search=ber",
                "search=grace%20hopper",
                "search=zhang1",
            ]),
        ),
        (
            "status filter (LOCKED, DISABLED, PENDING_*)".into(),
            users_with(&[
                "status=LOCKED",
                "status=DISABLED",
                "status=PENDING_APPROVAL",
                "status=PENDING_EMAIL_VERIFICATION",
            ]),
        ),
        (
            "sorted by last login (pages 1-4)".into(),
            users_with(&[
                "sort_by=last_login_at",
                "sort_by=last_login_at&page=2",
                "sort_by=last_login_at&page=3",
                "sort_by=last_login_at&sort_order=asc",
            ]),
        ),
        (
            "status filter + sorted by last login".into(),
            users_with(&["status=LOCKED&sort_by=last_login_at"]),
        ),
        (
            "sorted by name, deep page (page 1000)".into(),
            users_with(&["sort_by=display_name&page=1000"]),
        ),
        (
            format!("filtered by group ({} groups)", group_ids.len()),
            group_ids
                .iter()
                .map(|g| format!("{api}/users?per_page=50&group_id={g}"))
                .collect(),
        ),
        (
            "filtered by role (Support agent, Auditor, Viewer)".into(),
            ["Support agent", "Auditor", "Viewer"]
                .iter()
                .map(|name| role_id(name).map(|id| format!("{api}/users?per_page=50&role_id={id}")))
                .collect::<Result<_>>()?,
        ),
        (
            "a group's members page".into(),
            group_ids
                .iter()
                .map(|g| format!("{api}/groups/{g}/members?per_page=50"))
                .collect(),
        ),
    ];
    for (name, urls) in &scenarios {
        scenario_row(http, token, name, urls, requests).await?;
    }

    Ok(())
}

/// Generates the demo database: `users` users and `groups` groups.
fn generate(server_bin: &str, database: &str, users: usize, groups: usize) -> Result<()> {
    let started = Instant::now();
    let status = Command::new(server_bin)
        .args(["demo", "--database", database])
        .args([
            "--users",
            &users.to_string(),
            "--groups",
            &groups.to_string(),
        ])
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("demo data generation failed");
    }
    let engine = if database.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "demo data on {engine}: {users} users and {groups} groups (1-3 groups per user) generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The users list's scenarios again on `database` (`engine`'s) filled with `users` demo
/// users, on a server of its own.
async fn large_list(
    server_bin: &str,
    database: &str,
    engine: &str,
    users: usize,
    groups: usize,
    requests: usize,
) -> Result<()> {
    println!();
    generate(server_bin, database, users, groups)?;
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server(
        Command::new(server_bin)
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database",
                database,
            ])
            .env("GATEHOUSE_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("GATEHOUSE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("GATEHOUSE_LOG", "error")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let http = reqwest::Client::new();
    let token = token_of(&sign_in(&http, &base, &mut server).await?)?;
    let api = format!("{base}/api/v1/tenants/default");
    users_scenarios(&http, &api, &token, engine, users, requests).await
}

/// Waits for the server to answer, signs in as the benchmark's administrator, and
/// returns the answer.
async fn sign_in(http: &reqwest::Client, base: &str, server: &mut Server) -> Result<Value> {
    let ready = Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        if let Some(status) = server.0.try_wait()? {
            bail!("the server exited at start ({status})");
        }
        if ready.elapsed() > Duration::from_secs(60) {
            bail!("server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await?
        .json()
        .await?)
}

/// The session token in a sign-in answer.
fn token_of(login: &Value) -> Result<String> {
    Ok(login["data"]["token"]
        .as_str()
        .context("no token")?
        .to_owned())
}

/// The areas a visit walks through, by the sidebar's links (and the users list's), in
/// the order an administrator might.
/// An empty name is a step back to a page already seen.
const AREAS: &[(&str, &str)] = &[
    ("a user's page", "table tbody a[href^='/users/']"),
    ("", "nav a[href='/users']"),
    ("import users", "a[href='/users/import']"),
    ("invites", "nav a[href='/invites']"),
    ("API keys", "nav a[href='/api-keys']"),
    ("groups", "nav a[href='/groups']"),
    ("roles", "nav a[href='/roles']"),
    ("SSO", "nav a[href='/sso']"),
    ("new SSO connection", "main a[href='/sso/new']"),
    ("audit log", "nav a[href='/audit']"),
    ("settings", "nav a[href='/settings']"),
    ("my account", "a.whoami"),
];

/// What the browser fetched of the console (wasm, js, css), by name, once the page has
/// gone quiet: the Resource Timing API's entries, polled until none arrive for 400 ms.
async fn fetched_console_files(browser: &thirtyfour::WebDriver) -> Result<Vec<String>> {
    let mut last = Value::Null;
    let mut quiet_since = Instant::now();
    loop {
        let names = browser
            .eval("performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)")
            .await?;
        if names != last {
            last = names;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() > Duration::from_millis(400) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(last
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
        .map(|n| n.trim_start_matches('/').to_owned())
        .filter(|n| n.ends_with(".wasm") || n.ends_with(".js") || n.ends_with(".css"))
        .collect())
}

/// The files in `after` that were not in `seen`: what one step fetched.
fn not_in(after: &[String], seen: &[String]) -> Vec<String> {
    after
        .iter()
        .filter(|f| !seen.contains(f))
        .cloned()
        .collect()
}

/// Raw, gzip and brotli bytes of these files as dist/ ships them (the `.gz` and `.br`
/// siblings are what the server sends by Accept-Encoding).
fn sizes_of(files: &[String]) -> Result<(u64, u64, u64)> {
    let dist = dist_dir()?;
    let size = |name: String| -> Result<u64> {
        Ok(std::fs::metadata(dist.join(&name))
            .with_context(|| format!("dist/{name}"))?
            .len())
    };
    let mut total = (0, 0, 0);
    for file in files {
        total.0 += size(file.clone())?;
        total.1 += size(format!("{file}.gz"))?;
        total.2 += size(format!("{file}.br"))?;
    }
    Ok(total)
}

/// Bytes of console code the browser fetched for the sign-in page, the users list after
/// signing in, and each area on its first visit (a fresh browser profile, so a cold cache).
async fn console_bytes(chromedriver: &Chromedriver, base: &str) -> Result<()> {
    println!("\nconsole code the browser fetched (headless Chromium, cold cache; files from the Resource Timing API, sizes as dist/ ships them):");
    println!(
        "{:<34} {:>5} {:>10} {:>10} {:>10}",
        "page", "files", "raw", "gzip", "brotli"
    );
    let kb = |b: u64| format!("{:.1} KB", b as f64 / 1000.0);
    let row = |page: &str, files: &[String]| -> Result<(u64, u64, u64)> {
        let (raw, gz, br) = sizes_of(files)?;
        println!(
            "{page:<34} {:>5} {:>10} {:>10} {:>10}",
            files.len(),
            kb(raw),
            kb(gz),
            kb(br)
        );
        Ok((raw, gz, br))
    };
    let browser = chromedriver.browser().await?;
    browser.goto(&format!("{base}/login")).await?;
    browser.wait_for("#email").await?;
    browser
        .execute(
            "performance.setResourceTimingBufferSize(100000);",
            Vec::new(),
        )
        .await?;
    let mut seen = fetched_console_files(&browser).await?;
    row("sign-in page", &seen)?;
    browser.fill("#email", ADMIN_EMAIL).await?;
    browser.fill("#password", ADMIN_PASSWORD).await?;
    browser.click("form button[type=submit]").await?;
    browser.wait_for("table tbody a[href^='/users/']").await?;
    let after = fetched_console_files(&browser).await?;
    row("users list, after signing in", &not_in(&after, &seen))?;
    row("sign-in page and users list", &after)?;
    seen = after;
    for (area, link) in AREAS {
        browser.click(link).await?;
        let after = fetched_console_files(&browser).await?;
        if !area.is_empty() {
            row(&format!("+ {area} (first visit)"), &not_in(&after, &seen))?;
        }
        seen = after;
    }
    row("everything fetched in this visit", &seen)?;
    browser.quit().await?;
    Ok(())
}
