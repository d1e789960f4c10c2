//! The end-to-end harness: the released console served by a real Gatehouse server on a
//! temporary database, driven in headless Chromium through chromedriver.
//!
//! Everything started here is stopped when its handle drops: chromedriver is killed,
//! the server shuts down, the temporary directory is removed.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
pub use gatehouse_mailbox::{link_in, secret_in, MailServer};
use gatehouse_server::mail::MailSettings;
use gatehouse_server::{Config, Running, Settings};
use serde_json::{json, Value};
use tempfile::TempDir;
use thirtyfour::prelude::*;
use thirtyfour::ChromiumLikeCapabilities;

/// How long to wait for anything to appear on screen.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Chromium flags for this closed network (see TOOLCHAIN.md).
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
];

/// The built console (`cargo xtask dist`).
pub fn dist_dir() -> Result<PathBuf> {
    let dir = std::env::var_os("GATEHOUSE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist"));
    if !dir.join("index.html").exists() {
        bail!(
            "no console build at {}: run `cargo xtask dist` (cargo xtask test does)",
            dir.display()
        );
    }
    Ok(dir)
}

/// A copy of the built console in `to` (created if missing), for a host to serve.
fn copy_console(to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(dist_dir()?)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// A free loopback port.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A chromedriver process on a free port.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Chromedriver {
    pub async fn start() -> Result<Self> {
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port()?;
        // Its own process group, so that stopping it also stops every Chromium it started,
        // even one stuck in a page.
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {binary}"))?;
        let driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        let client = reqwest::Client::new();
        while started.elapsed() < PATIENCE {
            if client
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("chromedriver did not become ready")
    }

    /// A new headless Chromium session.
    pub async fn browser(&self) -> Result<WebDriver> {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()))?;
        for arg in CHROMIUM_ARGS {
            caps.add_arg(arg)?;
        }
        Ok(WebDriver::new(&self.url, caps).await?)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Gatehouse server serving the built console on a fresh database.
pub struct App {
    server: Option<Running>,
    pub base: String,
    pub database: String,
    _dir: TempDir,
}

impl App {
    /// Starts the server; with `admin`, the first administrator exists already.
    pub async fn start(admin: Option<(&str, &str)>) -> Result<Self> {
        Self::start_with(admin, MailSettings::default()).await
    }

    /// Starts the server sending mail through `mail`, retrying quickly.
    pub async fn with_mail(admin: (&str, &str), mail: &MailServer) -> Result<Self> {
        let settings = MailSettings {
            smtp_url: Some(mail.smtp_url()),
            from: "Gatehouse <gatehouse@example.com>".into(),
            retry_base: Duration::from_millis(300),
            max_attempts: 30,
        };
        Self::start_with(Some(admin), settings).await
    }

    /// The API alone (no console) for a console hosted at `console` (a static host's
    /// origin): the only origin it answers (CORS), where its links and SSO sign-ins lead.
    pub async fn api_only(admin: (&str, &str), console: &str) -> Result<Self> {
        let hosting = Hosting {
            console_url: Some(console.to_owned()),
            cors_origins: vec![console.to_owned()],
            ..Hosting::default()
        };
        Self::start_server(Some(admin), MailSettings::default(), None, hosting).await
    }

    /// The API alone, reached through a proxy at `public_url` (where people find the
    /// console), with no administrator yet: the setup link points there.
    pub async fn api_behind(public_url: &str) -> Result<Self> {
        let hosting = Hosting {
            public_url: Some(public_url.to_owned()),
            ..Hosting::default()
        };
        Self::start_server(None, MailSettings::default(), None, hosting).await
    }

    async fn start_with(admin: Option<(&str, &str)>, mail: MailSettings) -> Result<Self> {
        Self::start_server(admin, mail, Some(dist_dir()?), Hosting::default()).await
    }

    /// Starts the server on a new database of the PostgreSQL server named by
    /// `GATEHOUSE_TEST_POSTGRES` (an administrator's URL; `cargo xtask test` runs one).
    pub async fn on_postgres(admin: (&str, &str)) -> Result<Self> {
        let server = std::env::var("GATEHOUSE_TEST_POSTGRES").context(
            "GATEHOUSE_TEST_POSTGRES is not set: this test needs a PostgreSQL server \
             (cargo xtask test starts one)",
        )?;
        let name = format!("e2e_{}", uuid::Uuid::new_v4().simple());
        let database = gatehouse_server::store::create_postgres_database(&server, &name).await?;
        let hosting = Hosting {
            database: Some(database),
            ..Hosting::default()
        };
        Self::start_server(
            Some(admin),
            MailSettings::default(),
            Some(dist_dir()?),
            hosting,
        )
        .await
    }

    async fn start_server(
        admin: Option<(&str, &str)>,
        mail: MailSettings,
        static_dir: Option<PathBuf>,
        hosting: Hosting,
    ) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let database = hosting
            .database
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("e2e.db").display()));
        let server = gatehouse_server::start(Config {
            listen: "127.0.0.1:0".parse()?,
            database: database.clone(),
            static_dir,
            admin: admin.map(|(e, p)| (e.to_owned(), p.to_owned())),
            public_url: hosting.public_url,
            console_url: hosting.console_url,
            mail,
            cors_origins: hosting.cors_origins,
            settings: Settings::default(),
        })
        .await?;
        let base = server.url();
        Ok(App {
            server: Some(server),
            base,
            database,
            _dir: dir,
        })
    }

    /// A second server on this one's database, serving the console too: another
    /// machine behind a load balancer.
    pub async fn beside(&self) -> Result<Self> {
        let server = gatehouse_server::start(Config {
            listen: "127.0.0.1:0".parse()?,
            database: self.database.clone(),
            static_dir: Some(dist_dir()?),
            admin: None,
            public_url: None,
            console_url: None,
            mail: MailSettings::default(),
            cors_origins: Vec::new(),
            settings: Settings::default(),
        })
        .await?;
        Ok(App {
            base: server.url(),
            server: Some(server),
            database: self.database.clone(),
            _dir: tempfile::tempdir()?,
        })
    }

    /// Stops the server (gracefully: requests in flight finish), as taking a machine out
    /// of a load balancer's pool does.
    pub fn stop(&mut self) {
        self.server.take();
    }

    pub fn setup_url(&self) -> Option<String> {
        self.server.as_ref().and_then(|s| s.setup_url.clone())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Dropping the handle starts a graceful shutdown.
        self.server.take();
    }
}

/// How a server is reached when it does not simply serve the console itself.
#[derive(Default)]
struct Hosting {
    /// Another database than a new SQLite file.
    database: Option<String>,
    public_url: Option<String>,
    console_url: Option<String>,
    cors_origins: Vec<String>,
}

/// A load balancer for the tests: it takes connections on a loopback port and hands each
/// to the next of its backends in turn (round robin per connection, as HAProxy's and
/// nginx's TCP modes do), passing over a backend that refuses. Stops when dropped.
pub struct RoundRobin {
    pub base: String,
    served: std::sync::Arc<Vec<std::sync::atomic::AtomicUsize>>,
    task: tokio::task::JoinHandle<()>,
}

impl RoundRobin {
    /// Balances between the servers at `bases` (`http://host:port`).
    pub async fn start(bases: &[&str]) -> Result<Self> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let backends = bases
            .iter()
            .map(|b| b.trim_start_matches("http://").parse())
            .collect::<Result<Vec<std::net::SocketAddr>, _>>()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let served: std::sync::Arc<Vec<AtomicUsize>> =
            std::sync::Arc::new(backends.iter().map(|_| AtomicUsize::new(0)).collect());
        let counts = served.clone();
        let task = tokio::spawn(async move {
            let mut next = 0;
            while let Ok((mut client, _)) = listener.accept().await {
                let mut chosen = None;
                for _ in 0..backends.len() {
                    let i = next % backends.len();
                    next += 1;
                    if let Ok(stream) = tokio::net::TcpStream::connect(backends[i]).await {
                        chosen = Some((i, stream));
                        break;
                    }
                }
                // No backend up: the client sees its connection closed.
                let Some((i, mut backend)) = chosen else {
                    continue;
                };
                counts[i].fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut backend).await;
                });
            }
        });
        Ok(Self { base, served, task })
    }

    /// How many connections each backend was given, in the order they were named.
    pub fn connections(&self) -> Vec<usize> {
        self.served
            .iter()
            .map(|c| c.load(std::sync::atomic::Ordering::Relaxed))
            .collect()
    }
}

impl Drop for RoundRobin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A static host as docs/deploy.md asks for: Python's `http.server`, answering a path
/// without a file extension (one of the console's routes) with `index.html`. Arguments:
/// the port, the folder.
const STATIC_HOST: &str = r#"
import functools, http.server, os, sys
class Host(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        path = self.path.split('?')[0].split('#')[0]
        if '.' not in os.path.basename(path):
            self.path = '/index.html'
        return super().send_head()
    def log_message(self, *args):
        pass
handler = functools.partial(Host, directory=sys.argv[2])
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), handler).serve_forever()
"#;

/// The built console served by a plain static file server (Python's `http.server`) from
/// a folder of its own, with `config.json` pointing at `api`: the console on a static
/// host or CDN, on another origin than the API.
pub struct StaticConsole {
    child: Child,
    pub base: String,
    _dir: TempDir,
}

impl StaticConsole {
    pub async fn start(api: &str) -> Result<Self> {
        Self::start_on(free_port()?, api).await
    }

    /// On a port chosen beforehand (the API's CORS settings name the origin).
    pub async fn start_on(port: u16, api: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        copy_console(dir.path())?;
        std::fs::write(
            dir.path().join("config.json"),
            serde_json::json!({ "api_base_url": api }).to_string(),
        )?;
        let child = Command::new("python3")
            .args(["-c", STATIC_HOST, &port.to_string()])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting python3 (a static file server)")?;
        let console = StaticConsole {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        for _ in 0..100 {
            if reqwest::get(&console.base).await.is_ok() {
                return Ok(console);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the static file server did not start")
    }
}

impl Drop for StaticConsole {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx (Debian's package) in front of a Gatehouse API, running `docs/nginx-admin.conf`
/// as shipped: the console under `/admin/` (a copy of `dist/` with `<base href="/admin/">`
/// and the policy `gatehouse-server csp` computes for it), the API under `/admin/api/`.
/// A reverse proxy that is not the Gatehouse server. Stops when dropped.
pub struct PrefixProxy {
    child: Child,
    /// `http://127.0.0.1:<port>`; the console is at `{base}/admin/`.
    pub base: String,
    dir: TempDir,
}

impl PrefixProxy {
    /// The configuration the docs show, which this harness runs.
    const SITE: &str = include_str!("../../../docs/nginx-admin.conf");

    /// On a port chosen beforehand (the API's `--public-url` names it).
    pub async fn start_on(port: u16, api: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let console = dir.path().join("www/admin");
        copy_console(&console)?;
        let index = std::fs::read_to_string(console.join("index.html"))?;
        let base = r#"<base href="/" />"#;
        ensure!(index.contains(base), "index.html has no {base}");
        std::fs::write(
            console.join("index.html"),
            index.replace(base, r#"<base href="/admin/" />"#),
        )?;
        let policy = gatehouse_server::console::policy_for(&console)?;
        let replacements = [
            (
                "listen 127.0.0.1:8081;".to_owned(),
                format!("listen 127.0.0.1:{port};"),
            ),
            (
                "root /var/www/gatehouse;".to_owned(),
                format!("root {};", dir.path().join("www").display()),
            ),
            (
                "proxy_pass http://127.0.0.1:8080/api/;".to_owned(),
                format!("proxy_pass {api}/api/;"),
            ),
            (
                r#"add_header Content-Security-Policy "default-src 'self'";"#.to_owned(),
                format!(r#"add_header Content-Security-Policy "{policy}";"#),
            ),
        ];
        let mut site = Self::SITE.to_owned();
        for (line, ours) in &replacements {
            ensure!(
                site.contains(line.as_str()),
                "docs/nginx-admin.conf no longer has the line the test replaces: {line}"
            );
            site = site.replace(line.as_str(), ours);
        }
        // One process, no workers (so nothing runs as another user or outlives the
        // test), everything it writes in the temporary folder.
        let d = dir.path().display();
        let config = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n\
             client_body_temp_path {d}/client_body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             {site}\n}}\n"
        );
        let config_path = dir.path().join("nginx.conf");
        std::fs::write(&config_path, config)?;
        let nginx = std::env::var("NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
        let child = Command::new(&nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&config_path)
            .args(["-e", "stderr"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {nginx} (Debian's nginx package)"))?;
        let mut proxy = PrefixProxy {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        };
        for _ in 0..100 {
            if reqwest::get(format!("{}/admin/", proxy.base)).await.is_ok() {
                return Ok(proxy);
            }
            if let Ok(Some(status)) = proxy.child.try_wait() {
                bail!("nginx stopped ({status}): {}", proxy.error_log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("nginx did not start: {}", proxy.error_log())
    }

    /// What nginx complained about.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for PrefixProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `check` holds, or fails with `what` after [`PATIENCE`].
pub async fn eventually<F, Fut>(what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let started = Instant::now();
    let mut last_error = None;
    while started.elapsed() < PATIENCE {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    match last_error {
        Some(e) => bail!("timed out waiting for {what} (last error: {e:#})"),
        None => bail!("timed out waiting for {what}"),
    }
}

/// Page helpers in the vocabulary of the tests.
pub trait PageExt {
    /// The first displayed element matching `css`, waiting for it.
    fn wait_for(&self, css: &str) -> impl std::future::Future<Output = Result<WebElement>>;
    /// Replaces the value of the input matching `css`.
    fn fill(&self, css: &str, text: &str) -> impl std::future::Future<Output = Result<()>>;
    fn click(&self, css: &str) -> impl std::future::Future<Output = Result<()>>;
    /// Clicks the first displayed element matching `css` whose text contains `text`.
    fn click_text(&self, css: &str, text: &str) -> impl std::future::Future<Output = Result<()>>;
    /// Waits until the element matching `css` shows text containing `text`.
    fn wait_for_text(&self, css: &str, text: &str)
        -> impl std::future::Future<Output = Result<()>>;
    /// Waits until the URL contains `part`.
    fn wait_for_url(&self, part: &str) -> impl std::future::Future<Output = Result<String>>;
    /// Evaluates a JavaScript expression.
    fn eval(
        &self,
        expression: &str,
    ) -> impl std::future::Future<Output = Result<serde_json::Value>>;
}

impl PageExt for WebDriver {
    async fn wait_for(&self, css: &str) -> Result<WebElement> {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let found = self
                .query(By::Css(css))
                .wait(PATIENCE, Duration::from_millis(100))
                .and_displayed()
                .first()
                .await;
            match found {
                Ok(element) => return Ok(element),
                // The page re-rendered between finding the element and checking that it
                // shows: look again.
                Err(error)
                    if error.to_string().contains("stale")
                        && std::time::Instant::now() < deadline =>
                {
                    continue
                }
                Err(error) => return Err(error).with_context(|| format!("waiting for {css}")),
            }
        }
    }

    async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let input = self.wait_for(css).await?;
        input.clear().await?;
        input.send_keys(text).await?;
        Ok(())
    }

    async fn click(&self, css: &str) -> Result<()> {
        let element = self.wait_for(css).await?;
        // Centre it first, so the sticky header cannot cover it, as a person would scroll.
        self.execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![element.to_json()?],
        )
        .await?;
        element
            .click()
            .await
            .with_context(|| format!("clicking {css}"))
    }

    async fn click_text(&self, css: &str, text: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            // The page may re-render between finding and clicking (a reactive view
            // replacing its buttons): then look again.
            for element in self.find_all(By::Css(css)).await? {
                let shown = element.is_displayed().await.unwrap_or(false)
                    && element.text().await.unwrap_or_default().contains(text);
                if !shown {
                    continue;
                }
                let centred = match element.to_json() {
                    Ok(json) => self
                        .execute(
                            "arguments[0].scrollIntoView({block: 'center'});",
                            vec![json],
                        )
                        .await
                        .is_ok(),
                    Err(_) => false,
                };
                if centred && element.click().await.is_ok() {
                    return Ok(());
                }
            }
            if started.elapsed() > PATIENCE {
                bail!("timed out waiting to click {css:?} showing {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for_text(&self, css: &str, text: &str) -> Result<()> {
        eventually(&format!("{css:?} to show {text:?}"), || async {
            for element in self.find_all(By::Css(css)).await? {
                if element.text().await?.contains(text) {
                    return Ok(true);
                }
            }
            Ok(false)
        })
        .await
    }

    async fn wait_for_url(&self, part: &str) -> Result<String> {
        let started = Instant::now();
        loop {
            let url = self.current_url().await?.to_string();
            if url.contains(part) {
                return Ok(url);
            }
            if started.elapsed() > PATIENCE {
                bail!("timed out waiting for the URL to contain {part:?} (it is {url})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn eval(&self, expression: &str) -> Result<serde_json::Value> {
        let ret = self
            .execute(format!("return {expression};"), Vec::new())
            .await?;
        Ok(ret.json().clone())
    }
}

/// Fills the sign-in page the browser is on and submits it.
pub async fn sign_in_here(browser: &WebDriver, email: &str, password: &str) -> Result<()> {
    browser.fill("#email", email).await?;
    browser.fill("#password", password).await?;
    browser.click("form button[type=submit]").await
}

/// Opens the sign-in page and signs in (without waiting for where it leads).
pub async fn sign_in(browser: &WebDriver, app: &App, email: &str, password: &str) -> Result<()> {
    browser.goto(&app.url("/login")).await?;
    sign_in_here(browser, email, password).await
}

/// Creates the first administrator through the setup page that `link` (the one-time
/// setup link the server printed) opens.
pub async fn complete_setup(
    browser: &WebDriver,
    link: &str,
    (email, name, password): (&str, &str, &str),
) -> Result<()> {
    browser.goto(link).await?;
    browser.fill("#email", email).await?;
    browser.fill("#display_name", name).await?;
    browser.fill("#password", password).await?;
    browser.fill("#confirm_password", password).await?;
    browser.click("form button[type=submit]").await
}

/// An enabled OpenID Connect connection to the test provider at `issuer`, as the API
/// takes it (`first_sign_in`: `CREATE_ACTIVE`, `CREATE_PENDING`, ...).
pub fn oidc_connection(title: &str, first_sign_in: &str, issuer: &str) -> Value {
    json!({
        "protocol": "oidc",
        "title": title,
        "enabled": true,
        "first_sign_in": first_sign_in,
        "oidc": {
            "issuer": issuer,
            "client_id": gatehouse_idp::CLIENT_ID,
            "client_secret": gatehouse_idp::CLIENT_SECRET,
        },
    })
}

/// From the sign-in page of the console at `console`: the connection's button, then the
/// provider's own login form (any login name is accepted there), and back.
pub async fn sso_sign_in(
    browser: &WebDriver,
    console: &str,
    title: &str,
    login: &str,
) -> Result<()> {
    browser.goto(&format!("{console}/login")).await?;
    browser
        .click_text("a.sso-button", &format!("Sign in with {title}"))
        .await?;
    // The provider remembers a browser that signed in before; then there is no form.
    for _ in 0..50 {
        let url = browser.current_url().await?.to_string();
        // Back in the console (not at the server's start or callback).
        if url.starts_with(console) && !url.contains("/api/") {
            return Ok(());
        }
        if url.contains("/interaction/")
            && browser
                .eval("document.querySelector('input[name=login]') !== null")
                .await?
                == Value::Bool(true)
        {
            browser.fill("input[name=login]", login).await?;
            browser.fill("input[name=password]", "any password").await?;
            browser.click("button[type=submit]").await?;
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let url = browser.current_url().await?;
    let text = browser.eval("document.body.innerText").await?;
    bail!("never reached the provider's form nor came back: at {url}, showing {text}")
}

/// On an SSO connection's page: maps `idp_group` to the group found by typing `search`
/// (named `group`) and to the roles with these ids, and saves.
pub async fn map_idp_group(
    browser: &WebDriver,
    idp_group: &str,
    search: &str,
    group: &str,
    role_ids: &[&str],
) -> Result<()> {
    browser.click_text("a", "Mappings").await?;
    browser.click("#add-mapping").await?;
    browser
        .fill(".mapping-row input[id$='-idp-group']", idp_group)
        .await?;
    browser
        .fill(".mapping-row .picker input[type=search]", search)
        .await?;
    browser
        .click(&format!("button[aria-label='Choose {group}']"))
        .await?;
    for role in role_ids {
        browser
            .click(&format!(".mapping-row input[id$='-role-{role}']"))
            .await?;
    }
    browser.click_text("button", "Save mappings").await?;
    browser.wait_for_text("[role=status], .toast", "aved").await
}

/// Signs out with the button in the top bar.
pub async fn sign_out(browser: &WebDriver) -> Result<()> {
    browser.click(".topbar-end button.button-quiet").await?;
    browser.wait_for_url("/login").await?;
    Ok(())
}

/// The API as someone, for setting the scene of a test.
pub struct Api {
    pub http: reqwest::Client,
    /// `/api/v1/tenants/default` on the app.
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn sign_in(app: &App, email: &str, password: &str) -> Result<Self> {
        let http = reqwest::Client::new();
        let login: Value = http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?
            .json()
            .await?;
        let token = login["data"]["token"].as_str().context("token")?.to_owned();
        Ok(Api {
            http,
            base: app.url("/api/v1/tenants/default"),
            token,
        })
    }

    /// A request on the tenant (`path` after `/api/v1/tenants/default`) that must succeed.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        ensure!(status.is_success(), "{path}: {status} {body}");
        Ok(body)
    }

    pub async fn get(&self, path: &str) -> Result<Value> {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// Creates a user from `body` (`email`, `password`, ...) and returns their id.
    pub async fn create_user(&self, body: Value) -> Result<String> {
        let created = self.post("/users", body).await?;
        Ok(created["data"]["id"]
            .as_str()
            .context("user id")?
            .to_owned())
    }

    /// The id of the role named `name`.
    pub async fn role_id(&self, name: &str) -> Result<String> {
        let roles = self.get("/roles").await?;
        roles["data"]
            .as_array()
            .context("roles")?
            .iter()
            .find(|r| r["name"] == name)
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned)
            .with_context(|| format!("no role {name}"))
    }

    /// Gives a user exactly these direct roles, by name.
    pub async fn grant(&self, user: &str, roles: &[&str]) -> Result<()> {
        let mut ids = Vec::new();
        for role in roles {
            ids.push(self.role_id(role).await?);
        }
        self.call(
            reqwest::Method::PUT,
            &format!("/users/{user}/roles"),
            Some(json!({"role_ids": ids})),
        )
        .await?;
        Ok(())
    }
}

/// Runs a scenario in a fresh browser, printing the page when it fails, and closing the
/// browser either way.
pub async fn in_browser<F, Fut>(scenario: F) -> Result<()>
where
    F: FnOnce(WebDriver) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let chromedriver = Chromedriver::start().await?;
    let browser = chromedriver.browser().await?;
    let result = scenario(browser.clone()).await;
    if result.is_err() {
        let url = browser.current_url().await?;
        let body = browser.eval("document.body.innerText").await?;
        eprintln!(
            "page at failure: {url}\n{}",
            body.as_str().unwrap_or_default()
        );
    }
    browser.quit().await?;
    result
}

/// axe-core's script (`AXE_CORE`, set by `cargo xtask test`), read once.
fn axe_script() -> Result<&'static str> {
    static SCRIPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(script) = SCRIPT.get() {
        return Ok(script);
    }
    let path = std::env::var("AXE_CORE").context(
        "AXE_CORE is not set: the path of axe-core's axe.min.js (cargo xtask test sets it)",
    )?;
    let script = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    Ok(SCRIPT.get_or_init(|| script))
}

/// Runs axe-core on the page as it is, in the light and the dark theme, and fails on any
/// serious or critical violation, naming the rule and where.
pub async fn check_accessibility(browser: &WebDriver, page: &str) -> Result<()> {
    let script = axe_script()?;
    let injected = browser.eval("typeof window.axe !== 'undefined'").await?;
    if injected != serde_json::Value::Bool(true) {
        browser.execute(script, Vec::new()).await?;
    }
    let original = browser
        .eval("document.documentElement.getAttribute('data-theme')")
        .await?;
    let mut problems = Vec::new();
    for theme in ["light", "dark"] {
        browser
            .execute(
                "document.documentElement.setAttribute('data-theme', arguments[0]);",
                vec![serde_json::Value::String(theme.into())],
            )
            .await?;
        let found = browser
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then(result => done(
                    result.violations
                        .filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at '
                            + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))
                ), error => done(['axe failed: ' + error]));"#,
                Vec::new(),
            )
            .await?;
        if let Some(found) = found.json().as_array() {
            problems.extend(
                found
                    .iter()
                    .map(|p| format!("{page} ({theme}): {}", p.as_str().unwrap_or_default())),
            );
        }
    }
    if let Some(theme) = original.as_str() {
        browser
            .execute(
                "document.documentElement.setAttribute('data-theme', arguments[0]);",
                vec![serde_json::Value::String(theme.into())],
            )
            .await?;
    }
    if !problems.is_empty() {
        bail!("accessibility problems:\n{}", problems.join("\n"));
    }
    Ok(())
}
