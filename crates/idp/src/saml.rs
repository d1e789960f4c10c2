//! A real SAML 2.0 identity provider for tests: SimpleSAMLphp from Debian's packages
//! (installed by `cargo xtask test`), served by `php -S` on a free loopback port with the
//! configuration in `saml/` and, in a temporary folder, a fresh RSA key and certificate,
//! the accounts the test writes, and the service providers it registers. Each
//! [`SamlIdp`] is its own process and stops when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// Where Debian's `simplesamlphp` package puts the web root.
const WEB_ROOT: &str = "/usr/share/simplesamlphp/www";
/// Every account's password.
pub const PASSWORD: &str = "password";

/// One IdP process, stopped on drop.
pub struct SamlIdp {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    /// The IdP's signing certificate (PEM), to paste into a connection.
    pub certificate_pem: String,
}

/// What the IdP's page would post to the service provider: the form's target and fields.
#[derive(Clone, Debug)]
pub struct PostedAnswer {
    pub acs_url: String,
    pub saml_response: String,
    pub relay_state: String,
}

fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("saml/config")
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, value.to_string()).unwrap();
}

impl SamlIdp {
    /// An IdP with these accounts (`{"login": {"email", "given_name", "family_name",
    /// "groups"}}`, each with the password [`PASSWORD`]) and no service providers yet.
    pub async fn start(accounts: Value) -> Self {
        assert!(
            Path::new(WEB_ROOT).exists(),
            "SimpleSAMLphp is not installed at {WEB_ROOT} (cargo xtask test installs the Debian package)"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        let made = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=Gatehouse test IdP"])
            .arg("-keyout")
            .arg(dir.path().join("idp.key"))
            .arg("-out")
            .arg(dir.path().join("idp.crt"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl makes the IdP's key and certificate");
        assert!(made.success(), "openssl could not make a certificate");
        let certificate_pem = std::fs::read_to_string(dir.path().join("idp.crt")).unwrap();
        write_json(&dir.path().join("accounts.json"), &accounts);
        write_json(&dir.path().join("sps.json"), &Value::Array(vec![]));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("php")
            .args(["-S", &format!("127.0.0.1:{port}"), "-t", WEB_ROOT])
            .env("SIMPLESAMLPHP_CONFIG_DIR", config_dir())
            .env("SAML_IDP_DIR", dir.path())
            .env("SAML_IDP_BASE_URL", format!("http://127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("php serves SimpleSAMLphp");
        let idp = Self {
            child,
            port,
            dir,
            certificate_pem,
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            let metadata = http.get(idp.entity_id()).send().await;
            if let Ok(answer) = metadata {
                if answer.status().is_success()
                    && answer
                        .text()
                        .await
                        .unwrap_or_default()
                        .contains("IDPSSODescriptor")
                {
                    return idp;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "SimpleSAMLphp did not start; its log: {}",
            std::fs::read_to_string(idp.dir.path().join("simplesamlphp.log")).unwrap_or_default()
        );
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The IdP's entity id, which is also where its metadata is.
    pub fn entity_id(&self) -> String {
        format!("{}/saml2/idp/metadata.php", self.base_url())
    }

    /// Where AuthnRequests go (HTTP-Redirect binding).
    pub fn login_url(&self) -> String {
        format!("{}/saml2/idp/SSOService.php", self.base_url())
    }

    /// The IdP's own metadata XML, as an administrator would download it.
    pub async fn metadata(&self) -> String {
        reqwest::get(self.entity_id())
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Trusts a service provider: its answers go to `acs_url` only.
    pub fn register_sp(&self, entity_id: &str, acs_url: &str) {
        let file = self.dir.path().join("sps.json");
        let mut sps: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        sps.push(serde_json::json!({ "entity_id": entity_id, "acs_url": acs_url }));
        write_json(&file, &Value::Array(sps));
    }

    /// Replaces the accounts (their groups, say); the next sign-in sees them.
    pub fn set_accounts(&self, accounts: Value) {
        write_json(&self.dir.path().join("accounts.json"), &accounts);
    }

    /// Signs `login` in as a browser would, from the app's `start_url` through the IdP's
    /// login form, and returns what the IdP's page would post back to the app (without
    /// posting it, so a test can also tamper with it or post it twice).
    pub async fn sign_in(&self, start_url: &str, login: &str) -> PostedAnswer {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut url = reqwest::Url::parse(start_url).unwrap();
        let mut answer = http.get(url.clone()).send().await.unwrap();
        for _ in 0..20 {
            if let Some(location) = answer.headers().get("location") {
                url = url.join(location.to_str().unwrap()).unwrap();
                answer = http.get(url.clone()).send().await.unwrap();
                continue;
            }
            let status = answer.status();
            let page = answer.text().await.unwrap_or_default();
            if let Some(saml_response) = hidden_input(&page, "SAMLResponse") {
                return PostedAnswer {
                    acs_url: form_action(&page).expect("the IdP's form has an action"),
                    saml_response,
                    relay_state: hidden_input(&page, "RelayState").unwrap_or_default(),
                };
            }
            let Some(auth_state) = hidden_input(&page, "AuthState") else {
                panic!("{url} answered {status} with neither a login form nor an answer: {page}");
            };
            answer = http
                .post(url.clone())
                .form(&[
                    ("username", login),
                    ("password", PASSWORD),
                    ("AuthState", &auth_state),
                ])
                .send()
                .await
                .unwrap();
        }
        panic!("too many steps signing in at the SAML IdP");
    }
}

/// HTML's escapes, as PHP's `htmlspecialchars` writes them.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of the `<input ... name="NAME" ... value="...">` in a page.
fn hidden_input(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = page.find(&marker)?;
    let start = page[..at].rfind('<')?;
    let end = at + page[at..].find('>')?;
    let tag = &page[start..end];
    let value = tag.split("value=\"").nth(1)?.split('"').next()?;
    Some(unescape(value))
}

fn form_action(page: &str) -> Option<String> {
    let form = &page[page.find("<form")?..];
    let action = form.split("action=\"").nth(1)?.split('"').next()?;
    Some(unescape(action))
}

impl Drop for SamlIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
