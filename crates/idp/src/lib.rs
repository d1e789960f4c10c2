//! A real OpenID Connect provider for tests: panva's `oidc-provider` (installed from npm
//! into `.tools/node` by `cargo xtask test`; `OIDC_PROVIDER` may name its `lib/index.js`),
//! run by `oidc/provider.mjs` on a free loopback port, with accounts the test writes.
//! Each [`OidcProvider`] is its own process and stops when dropped. [`saml`] has the
//! SAML 2.0 IdP.

pub mod saml;

use std::path::PathBuf;

use serde_json::Value;

pub const CLIENT_ID: &str = "gatehouse-test";
pub const CLIENT_SECRET: &str = "a client secret for tests only";

/// One provider process, stopped on drop.
pub struct OidcProvider {
    child: std::process::Child,
    pub port: u16,
    accounts: PathBuf,
    _dir: tempfile::TempDir,
}

fn module() -> PathBuf {
    std::env::var_os("OIDC_PROVIDER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../.tools/node/node_modules/oidc-provider/lib/index.js")
        })
}

impl OidcProvider {
    /// A provider whose one client may send people back to `redirect_uri`, with these
    /// accounts (`{"login": {"email", "given_name", "family_name", "groups"}}`).
    pub async fn start(redirect_uri: &str, accounts: Value) -> Self {
        let module = module();
        assert!(
            module.exists(),
            "oidc-provider is not installed at {} (cargo xtask test installs it)",
            module.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let accounts_file = dir.path().join("accounts.json");
        std::fs::write(&accounts_file, accounts.to_string()).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("node")
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc/provider.mjs"))
            .env("OIDC_PROVIDER", &module)
            .env("PORT", port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .env("ACCOUNTS", &accounts_file)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("node runs the provider");
        let provider = Self {
            child,
            port,
            accounts: accounts_file,
            _dir: dir,
        };
        let http = reqwest::Client::new();
        let discovery = format!("{}/.well-known/openid-configuration", provider.issuer());
        for _ in 0..200 {
            if http
                .get(&discovery)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return provider;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the OIDC provider did not start");
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Signs `login` in as a browser would, from the app's `start_url` through the
    /// provider's login form (consent is automatic), and returns the URL the provider sent
    /// the browser back to (the app's callback, with `code` and `state`).
    pub async fn sign_in(&self, start_url: &str, login: &str) -> String {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut url = reqwest::Url::parse(start_url).unwrap();
        for _ in 0..20 {
            let mut answer = http.get(url.clone()).send().await.unwrap();
            if answer.status().is_success() && url.path().starts_with("/interaction/") {
                let prompt = if answer.text().await.unwrap().contains("name=\"login\"") {
                    vec![("prompt", "login"), ("login", login), ("password", "any")]
                } else {
                    vec![("prompt", "consent")]
                };
                answer = http.post(url.clone()).form(&prompt).send().await.unwrap();
            }
            let status = answer.status();
            let Some(location) = answer.headers().get("location") else {
                panic!(
                    "{url} answered {status} without a redirect: {}",
                    answer.text().await.unwrap_or_default()
                );
            };
            let next = url.join(location.to_str().unwrap()).unwrap();
            if next.port() != Some(self.port) && url.port() == Some(self.port) {
                return next.to_string();
            }
            url = next;
        }
        panic!("too many redirects signing in");
    }

    /// Replaces the accounts (their groups, say); the next sign-in sees them.
    pub fn set_accounts(&self, accounts: Value) {
        std::fs::write(&self.accounts, accounts.to_string()).unwrap();
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
