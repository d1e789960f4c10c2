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

use anyhow::{bail, Context, Result};
use gatehouse_server::{Config, Running, Settings};
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
        let dir = tempfile::tempdir()?;
        let database = format!("sqlite://{}", dir.path().join("e2e.db").display());
        let server = gatehouse_server::start(Config {
            listen: "127.0.0.1:0".parse()?,
            database: database.clone(),
            static_dir: Some(dist_dir()?),
            admin: admin.map(|(e, p)| (e.to_owned(), p.to_owned())),
            public_url: None,
            cors_origins: Vec::new(),
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
        self.query(By::Css(css))
            .wait(PATIENCE, Duration::from_millis(100))
            .and_displayed()
            .first()
            .await
            .with_context(|| format!("waiting for {css}"))
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
