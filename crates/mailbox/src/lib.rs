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
    pub async fn start_on(smtp_port: u16) -> Self {
        let script = maildev_script();
        assert!(
            script.exists(),
            "maildev is not installed at {} (cargo xtask test installs it)",
            script.display()
        );
        let web_port = free_port();
        let child = std::process::Command::new("node")
            .arg(&script)
            .args(["--smtp", &smtp_port.to_string(), "--ip", "127.0.0.1"])
            .args(["--web", &web_port.to_string(), "--web-ip", "127.0.0.1"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("node runs maildev");
        let server = Self {
            child: Some(child),
            smtp_port,
            web_port,
            http: reqwest::Client::new(),
        };
        // Node takes a while to start when every test starts one at once on two cores.
        for _ in 0..600 {
            let ready = server
                .http
                .get(server.web("/api/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready && std::net::TcpStream::connect(("127.0.0.1", smtp_port)).is_ok() {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("maildev did not start");
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

    /// Waits until `count` messages for `address` arrived, and returns them.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
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
