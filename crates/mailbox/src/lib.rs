//! A real SMTP server for tests, with an inbox they can read: maildev, installed from
//! npm into `.tools/node` by `cargo xtask test` (`MAILDEV` may name its `maildev.js`).
//! Each [`MailServer`] runs its own on free loopback ports and stops when dropped.

use std::path::PathBuf;

use serde_json::Value;

/// One maildev process, stopped on drop.
pub struct MailServer {
    child: Option<std::process::Child>,
    pub smtp_port: u16,
    web_port: u16,
    http: reqwest::Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn maildev_script() -> PathBuf {
    std::env::var_os("MAILDEV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../.tools/node/node_modules/maildev/dist/bin/maildev.js")
        })
}

impl MailServer {
    /// A mail server on free ports.
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    /// A mail server taking SMTP on `smtp_port` (to bring one back where it was).
    ///
    /// If maildev exits before it is ready (its web port, picked free a moment before,
    /// taken meanwhile, or the SMTP port not yet released), it is started again on a new
    /// web port; after three tries the panic shows what maildev printed.
    pub async fn start_on(smtp_port: u16) -> Self {
        let script = maildev_script();
        assert!(
            script.exists(),
            "maildev is not installed at {} (cargo xtask test installs it)",
            script.display()
        );
        let log = std::env::temp_dir().join(format!(
            "gatehouse-maildev-{}-{smtp_port}.log",
            std::process::id()
        ));
        let mut printed = String::new();
        for _attempt in 0..3 {
            let web_port = free_port();
            let child = std::process::Command::new("node")
                .arg(&script)
                .args(["--smtp", &smtp_port.to_string(), "--ip", "127.0.0.1"])
                .args(["--web", &web_port.to_string(), "--web-ip", "127.0.0.1"])
                .stdout(std::process::Stdio::null())
                .stderr(std::fs::File::create(&log).expect("a log file for maildev"))
                .spawn()
                .expect("node runs maildev");
            let mut server = Self {
                child: Some(child),
                smtp_port,
                web_port,
                http: reqwest::Client::new(),
            };
            if server.ready().await {
                let _ = std::fs::remove_file(&log);
                return server;
            }
            server.stop();
            printed = std::fs::read_to_string(&log).unwrap_or_default();
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        let _ = std::fs::remove_file(&log);
        panic!("maildev did not start on SMTP port {smtp_port}; it printed:\n{printed}");
    }

    /// Waits until both ports answer; false if maildev exited or took over a minute.
    async fn ready(&mut self) -> bool {
        // Node takes a while to start when every test starts one at once on two cores.
        for _ in 0..1200 {
            let web_up = self
                .http
                .get(self.web("/api/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if web_up && std::net::TcpStream::connect(("127.0.0.1", self.smtp_port)).is_ok() {
                return true;
            }
            let exited = self
                .child
                .as_mut()
                .is_none_or(|child| !matches!(child.try_wait(), Ok(None)));
            if exited {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    }

    fn web(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.web_port)
    }

    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp_port)
    }

    /// The messages received for `address`, oldest first.
    pub async fn messages_to(&self, address: &str) -> Vec<Value> {
        let all: Vec<Value> = self
            .http
            .get(self.web("/api/email"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        all.into_iter()
            .filter(|m| {
                m["to"]
                    .as_array()
                    .is_some_and(|to| to.iter().any(|t| t["address"] == address))
            })
            .collect()
    }

    /// Waits until `count` messages for `address` arrived, and returns them. It waits up
    /// to 30 s: with every test of a suite starting its own server and maildev on two
    /// cores, 10 s was once not enough for two messages.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<Value> {
        for _ in 0..600 {
            let found = self.messages_to(address).await;
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no {count} message(s) for {address} arrived");
    }

    /// Stops the mail server (it can be started again on the same port).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The link in a message's text (the first address starting with `http`).
pub fn link_in(message: &Value) -> String {
    let text = message["text"].as_str().unwrap_or_default();
    text.split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_owned()
}

/// The secret after `#key=` in a link.
pub fn secret_in(link: &str, key: &str) -> String {
    link.split_once(&format!("#{key}="))
        .unwrap_or_else(|| panic!("no #{key}= in {link}"))
        .1
        .to_owned()
}
