//! A real server on a loopback port with a fresh database, and a small client for it.

use std::path::PathBuf;

use gatehouse_api::users::{CreateUser, User};
use gatehouse_api::Single;
pub use gatehouse_mailbox::{link_in, secret_in, MailServer};
use gatehouse_server::mail::MailSettings;
use gatehouse_server::{Config, Running, Settings};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
pub const USERS: &str = "/api/v1/tenants/default/users";
pub const ROLES: &str = "/api/v1/tenants/default/roles";
pub const GROUPS: &str = "/api/v1/tenants/default/groups";

/// The PostgreSQL server the suite runs on instead of SQLite, when set (`cargo xtask
/// test` runs the suite once on each engine): an administrator's URL, such as
/// `postgres://gatehouse@127.0.0.1:5433/postgres`.
pub const POSTGRES_ENV: &str = "GATEHOUSE_TEST_POSTGRES";

/// Whether this run of the suite is on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os(POSTGRES_ENV).is_some()
}

/// The URL of a new, empty database: a new database on the suite's PostgreSQL server,
/// or else a SQLite file in `dir`.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    let Ok(admin) = std::env::var(POSTGRES_ENV) else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    gatehouse_server::store::create_postgres_database(&admin, &name)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_ENV}: {e:#}"))
}

pub struct TestServer {
    pub server: Option<Running>,
    pub http: reqwest::Client,
    pub base: String,
    config: Config,
    _dir: TempDir,
}

pub struct Options {
    pub admin: bool,
    pub static_dir: Option<PathBuf>,
    pub settings: Settings,
    pub mail: MailSettings,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            admin: true,
            static_dir: None,
            settings: Settings::default(),
            mail: MailSettings::default(),
        }
    }
}

impl TestServer {
    /// A server whose administrator exists (created from the environment settings).
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database: fresh_database(dir.path()).await,
            static_dir: options.static_dir,
            admin: options
                .admin
                .then(|| (ADMIN_EMAIL.to_owned(), ADMIN_PASSWORD.to_owned())),
            public_url: None,
            console_url: None,
            mail: options.mail,
            cors_origins: vec!["https://console.example.com".into()],
            settings: options.settings,
        };
        let server = gatehouse_server::start(config.clone()).await.unwrap();
        let base = server.url();
        Self {
            server: Some(server),
            http: reqwest::Client::new(),
            base,
            config,
            _dir: dir,
        }
    }

    /// Stops the server and starts it again on the same database (a new port).
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.unwrap();
        }
        let server = gatehouse_server::start(self.config.clone()).await.unwrap();
        self.base = server.url();
        self.server = Some(server);
    }

    /// A second server on this server's database (a new port, the same settings): what
    /// several servers behind a load balancer are.
    pub async fn beside(&self) -> TestServer {
        let server = gatehouse_server::start(self.config.clone()).await.unwrap();
        let base = server.url();
        Self {
            server: Some(server),
            http: reqwest::Client::new(),
            base,
            config: self.config.clone(),
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn database_url(&self) -> String {
        self.config.database.clone()
    }

    /// The database, opened directly, for checking what is stored and for making time
    /// pass.
    pub async fn database(&self) -> gatehouse_server::store::Db {
        gatehouse_server::store::connect(&self.config.database)
            .await
            .unwrap()
    }

    pub fn setup_url(&self) -> Option<String> {
        self.server.as_ref().unwrap().setup_url.clone()
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token))
            .send()
            .await
            .unwrap()
    }

    /// The JSON body of a GET (whatever its status).
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        self.get(path, token).await.json().await.unwrap()
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Response {
        self.request(method, path, token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Signs in and returns the token, panicking on failure.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self.try_login(email, password).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "sign-in as {email} failed"
        );
        let body: Value = response.json().await.unwrap();
        body["data"]["token"].as_str().unwrap().to_owned()
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Response {
        self.send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn admin_token(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Creates a user (as `token`) and returns it.
    pub async fn create_user(&self, token: &str, request: &CreateUser) -> User {
        let response = self
            .request(Method::POST, USERS, Some(token))
            .json(request)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        response.json::<Single<User>>().await.unwrap().data
    }

    /// Creates a user with a password who holds no role.
    pub async fn create_member(&self, token: &str, email: &str, password: &str) -> User {
        let request = CreateUser {
            email: email.into(),
            password: Some(password.into()),
            ..Default::default()
        };
        self.create_user(token, &request).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            // Stop accepting connections; the runtime ends the task with the test.
            drop(server);
        }
    }
}

/// The problem body of an error response, after checking its status and media type.
pub async fn problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(body["type"]
        .as_str()
        .unwrap()
        .starts_with("urn:gatehouse:problem:"));
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "problem without detail: {body}"
    );
    body
}

/// The fields named in a 422 (or 409) problem.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

impl TestServer {
    /// Creates a custom role with `permissions` and returns its id.
    pub async fn create_role(&self, token: &str, name: &str, permissions: &[&str]) -> String {
        let response = self
            .send_json(
                Method::POST,
                ROLES,
                Some(token),
                json!({"name": name, "permissions": permissions}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let body: Value = response.json().await.unwrap();
        body["data"]["id"].as_str().unwrap().to_owned()
    }

    /// Creates a group granting `role_ids` and returns its id.
    pub async fn create_group(&self, token: &str, name: &str, role_ids: &[&str]) -> String {
        let response = self
            .send_json(
                Method::POST,
                GROUPS,
                Some(token),
                json!({"name": name, "role_ids": role_ids}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let body: Value = response.json().await.unwrap();
        body["data"]["id"].as_str().unwrap().to_owned()
    }

    /// Gives a user exactly these direct roles.
    pub async fn set_roles(&self, token: &str, user: &str, role_ids: &[&str]) -> reqwest::Response {
        self.send_json(
            Method::PUT,
            &format!("{USERS}/{user}/roles"),
            Some(token),
            json!({"role_ids": role_ids}),
        )
        .await
    }

    /// The id of a built-in role (`Viewer`, `Editor`, `Admin`).
    pub async fn builtin_role(&self, token: &str, name: &str) -> String {
        let roles: Value = self.get(ROLES, token).await.json().await.unwrap();
        roles["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates a user holding one custom role with `permissions`, signed in; returns
    /// (user id, token).
    pub async fn member_with(
        &self,
        admin: &str,
        email: &str,
        permissions: &[&str],
    ) -> (String, String) {
        let user = self
            .create_member(admin, email, "member passphrase 1")
            .await;
        let role = self
            .create_role(admin, &format!("role for {email}"), permissions)
            .await;
        let response = self.set_roles(admin, &user.id.to_string(), &[&role]).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            response.text().await.unwrap()
        );
        let token = self.login(email, "member passphrase 1").await;
        (user.id.to_string(), token)
    }

    /// Changes a user's status (as `token`), answering as the server did.
    pub async fn set_status(&self, token: &str, user: &str, status: &str) -> Response {
        self.send_json(
            Method::PUT,
            &format!("{USERS}/{user}/status"),
            Some(token),
            json!({"status": status}),
        )
        .await
    }

    pub async fn my_id(&self, token: &str) -> String {
        let me: Value = self
            .get("/api/v1/auth/me", token)
            .await
            .json()
            .await
            .unwrap();
        me["data"]["user"]["id"].as_str().unwrap().to_owned()
    }
}

/// The real server binary in a child process, its output captured, for tests that
/// read what it logs.
pub struct LoggedServer {
    child: std::process::Child,
    pub base: String,
    pub http: reqwest::Client,
    log: PathBuf,
    database: String,
    _dir: TempDir,
}

impl LoggedServer {
    /// Starts the binary at debug level with an administrator and `env` added, and
    /// waits until it answers.
    pub async fn start(env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(dir.path()).await;
        Self::start_in(dir, database, env).await
    }

    /// A second server on this one's database (with its own log), as a second machine
    /// behind a load balancer would be.
    pub async fn beside(&self) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), self.database.clone(), &[]).await
    }

    async fn start_in(dir: TempDir, database: String, env: &[(&str, String)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.path().join("server.log");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse-server"))
            .args(["--listen", &format!("127.0.0.1:{port}"), "--database"])
            .arg(&database)
            .env("GATEHOUSE_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("GATEHOUSE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("GATEHOUSE_LOG", "debug")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::options().append(true).open(&log).unwrap())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            log,
            database,
            _dir: dir,
        };
        for _ in 0..200 {
            if server.http.get(server.url("/healthz")).send().await.is_ok() {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server did not start");
    }

    /// Ends the process at once (SIGKILL): a crash or a machine lost, nothing finished.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's database URL.
    pub fn database_url(&self) -> &str {
        &self.database
    }

    /// Everything the server's database holds, as bytes: the SQLite file and its
    /// write-ahead log, or on PostgreSQL every row of every table as text.
    pub async fn database_bytes(&self) -> Vec<u8> {
        if let Some(file) = self.database.strip_prefix("sqlite://") {
            return ["", "-wal"]
                .iter()
                .filter_map(|suffix| std::fs::read(format!("{file}{suffix}")).ok())
                .flatten()
                .collect();
        }
        let db = gatehouse_server::store::connect(&self.database)
            .await
            .unwrap();
        let tables: Vec<String> = gatehouse_server::store::engine::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        let mut bytes = Vec::new();
        for table in tables {
            let rows: Vec<String> = gatehouse_server::store::engine::query_scalar(format!(
                "SELECT t::text FROM \"{table}\" t"
            ))
            .fetch_all(&db)
            .await
            .unwrap();
            for row in rows {
                bytes.extend_from_slice(row.as_bytes());
            }
        }
        db.close().await;
        bytes
    }

    pub async fn admin_token(&self) -> String {
        let body: Value = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["data"]["token"].as_str().unwrap().to_owned()
    }

    /// Sends SIGTERM, as a service manager stopping the server does.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits (at most `limit`) for the process to end; its exit status.
    pub async fn exited_within(&mut self, limit: std::time::Duration) -> std::process::ExitStatus {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < limit,
                "the server did not exit within {limit:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Stops the server and returns everything it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let logged = std::fs::read_to_string(&self.log).unwrap();
        assert!(
            logged.contains("Gatehouse is running"),
            "the log is there: {logged}"
        );
        logged
    }
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Options for a server that sends mail through `mail`, retrying fast.
pub fn with_mail(mail: &MailServer) -> Options {
    Options {
        mail: MailSettings {
            smtp_url: Some(mail.smtp_url()),
            from: "Gatehouse <gatehouse@example.com>".into(),
            retry_base: std::time::Duration::from_millis(200),
            max_attempts: 20,
        },
        ..Options::default()
    }
}
