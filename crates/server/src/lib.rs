//! The Gatehouse server: the REST API and the console, on an embedded SQLite database.
//!
//! [`start`] opens the database, prepares first-run setup, and serves until told to stop;
//! `main.rs` is only the command line around it, so tests start the very same server.

pub mod audit;
pub mod auth;
pub mod console;
pub mod demo;
pub mod error;
pub mod extract;
pub mod guards;
pub mod mail;
pub mod markup;
pub mod oidc;
pub mod request_id;
pub mod rescue;
pub mod routes;
pub mod saml;
pub mod sso;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::error::AppError;
use crate::store::Db;

/// Largest request body the API accepts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Tunables that handlers need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long a sign-in lasts.
    pub session_ttl: chrono::Duration,
    /// Failed sign-ins in a row, for one email address, that block it for a while.
    pub max_failed_logins: u32,
    /// How long that first block lasts; each further one doubles it, up to an hour.
    pub sign_in_block: chrono::Duration,
    /// Failed sign-ins from one client address, within ten minutes, that block it until
    /// the ten minutes are over.
    pub max_failed_logins_per_client: u32,
    /// Longest a request may take before it is answered 503.
    pub request_timeout: std::time::Duration,
    /// API requests worked on at once; more are answered 503 at once rather than queued.
    pub max_concurrent_requests: usize,
    /// Take the client's address from `X-Forwarded-For` (the server is behind a proxy).
    pub trust_proxy: bool,
    /// Send `Strict-Transport-Security`: the server is reached over HTTPS.
    pub hsts: bool,
    /// Password hashes that may run at once, and how long a request waits for a turn
    /// before it is answered 503.
    pub hash_concurrency: usize,
    pub hash_wait: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            session_ttl: chrono::Duration::hours(12),
            max_failed_logins: 10,
            sign_in_block: chrono::Duration::minutes(5),
            max_failed_logins_per_client: 100,
            request_timeout: std::time::Duration::from_secs(30),
            max_concurrent_requests: 1024,
            trust_proxy: false,
            hsts: false,
            hash_concurrency: auth::password::default_concurrency(),
            hash_wait: auth::password::DEFAULT_WAIT,
        }
    }
}

/// What every handler shares.
pub struct App {
    pub db: Db,
    /// This server's address as the outside world reaches it: the API's addresses given
    /// to identity providers (`<public_url>/api/v1/sso/oidc/callback`).
    pub public_url: String,
    /// The console's address: links in mail (`<console_url>/invite#code=...`) and where
    /// an SSO sign-in ends. `public_url` unless the console is hosted elsewhere.
    pub console_url: String,
    pub mailer: Arc<mail::Mailer>,
    pub settings: Settings,
    /// Every password hash goes through it, so their number is bounded.
    pub hasher: auth::password::Hasher,
    /// The OpenAPI document, serialised once at start.
    pub openapi_json: Bytes,
    /// One permit per API request in flight (`Settings::max_concurrent_requests`).
    pub in_flight: tokio::sync::Semaphore,
}

pub type AppState = Arc<App>;

/// How to run the server.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: String,
    /// The built console to serve; API only when `None`.
    pub static_dir: Option<PathBuf>,
    /// Creates the first administrator without the setup link.
    pub admin: Option<(String, String)>,
    /// The address the outside world reaches this server at (`http://<listen>` when
    /// unset); also the console's, unless `console_url` says otherwise.
    pub public_url: Option<String>,
    /// The console's address when another host serves it (a static host or CDN): the
    /// setup link, links in mail and the end of an SSO sign-in lead there.
    pub console_url: Option<String>,
    /// How mail is sent, if at all.
    pub mail: mail::MailSettings,
    /// Origins of consoles hosted elsewhere that may call the API (CORS).
    pub cors_origins: Vec<String>,
    pub settings: Settings,
}

/// A server that is accepting connections.
pub struct Running {
    pub addr: SocketAddr,
    /// The one-time link for creating the first administrator, while none exists.
    pub setup_url: Option<String>,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// The base URL of the server, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, finishes requests in flight, and returns.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task
            .await
            .context("server task panicked")?
            .context("server failed")
    }

    /// Serves until `signal` completes, then stops gracefully.
    pub async fn stop_on(
        self,
        signal: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let Running {
            shutdown, mut task, ..
        } = self;
        tokio::select! {
            result = &mut task => return result.context("server task panicked")?.context("server failed"),
            () = signal => {}
        }
        let _ = shutdown.send(());
        task.await
            .context("server task panicked")?
            .context("server failed")
    }
}

/// Opens the database, prepares setup and starts serving.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let db = store::connect(&config.database).await?;
    let setup_token = routes::setup::prepare(&db, config.admin.clone()).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let base = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    let addresses = Addresses {
        console: config
            .console_url
            .as_deref()
            .unwrap_or(&base)
            .trim_end_matches('/')
            .to_owned(),
        public: base,
    };
    let setup_url = setup_token.map(|t| format!("{}/setup?token={t}", addresses.console));
    let mailer = Arc::new(mail::Mailer::new(config.mail.clone())?);
    let app = app(db.clone(), &config, addresses, mailer.clone())?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    mail::spawn_worker(db.clone(), mailer);
    spawn_housekeeping(db);
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running {
        addr,
        setup_url,
        shutdown,
        task,
    })
}

/// The housekeeping chore's name in the database.
pub const HOUSEKEEPING: &str = "housekeeping";

/// Removes expired sessions, sign-in challenges, stale throttle counters and audit
/// events older than their tenant keeps them: once an hour, by whichever server finds it
/// due first (each looks every five minutes, and at start).
fn spawn_housekeeping(db: Db) {
    const EVERY_MS: i64 = 3_600_000;
    tokio::spawn(async move {
        let mut look = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            look.tick().await;
            let done = async {
                if !store::chores::take(&db, HOUSEKEEPING, EVERY_MS).await? {
                    return Ok(());
                }
                store::sessions::purge_expired(&db).await?;
                store::mfa::purge_expired_challenges(&db).await?;
                store::throttle::purge_stale(&db).await?;
                store::audit::prune(&db).await.map(drop)
            };
            if let Err(error) = done.await {
                tracing::warn!(%error, "housekeeping failed");
            }
        }
    });
}

/// Where this server and its console are reached, without a trailing slash.
pub struct Addresses {
    pub public: String,
    pub console: String,
}

/// The whole HTTP application: API, console, and the layers around them.
pub fn app(
    db: Db,
    config: &Config,
    addresses: Addresses,
    mailer: Arc<mail::Mailer>,
) -> anyhow::Result<Router> {
    let (api, openapi) = routes::api();
    let openapi_json = Bytes::from(serde_json::to_vec(&routes::document_json(&openapi)?)?);
    let state: AppState = Arc::new(App {
        db,
        public_url: addresses.public,
        console_url: addresses.console,
        mailer,
        hasher: auth::password::Hasher::new(
            config.settings.hash_concurrency,
            config.settings.hash_wait,
        ),
        settings: config.settings.clone(),
        openapi_json,
        in_flight: tokio::sync::Semaphore::new(config.settings.max_concurrent_requests),
    });
    let api = api
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            concurrency_limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            audit::capture,
        ))
        .with_state(state);
    let router = match &config.static_dir {
        Some(dir) => api.fallback_service(console::router(dir)?),
        None => api.fallback(api_not_found),
    };
    let hsts = config.settings.hsts;
    Ok(router
        .layer(cors(&config.cors_origins)?)
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(middleware::from_fn(move |request, next| {
            security_headers(hsts, request, next)
        }))
        .layer(middleware::from_fn(request_id::assign)))
}

/// Answers 503 when a request takes longer than the configured limit (the work in
/// flight is dropped; an open transaction rolls back).
async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.settings.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            AppError::Timeout.into_response()
        }
    }
}

/// Answers 503 with Retry-After at once when the server already works on as many
/// requests as it may: an overloaded server sheds load instead of queueing without end.
async fn concurrency_limit(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match state.in_flight.try_acquire() {
        Ok(_permit) => next.run(request).await,
        Err(_) => {
            tracing::warn!("too many requests in flight; answered 503");
            AppError::Busy.into_response()
        }
    }
}

/// Lets consoles on the listed origins call the API with bearer tokens (no cookies are
/// involved, so credentials stay off).
fn cors(origins: &[String]) -> anyhow::Result<CorsLayer> {
    use axum::http::{header, HeaderName, Method};
    let origins = origins
        .iter()
        .map(|o| {
            HeaderValue::from_str(o.trim_end_matches('/'))
                .with_context(|| format!("invalid CORS origin {o:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            HeaderName::from_static(request_id::HEADER),
        ])
        .max_age(std::time::Duration::from_secs(3600)))
}

async fn api_not_found() -> AppError {
    AppError::NotFound(
        "There is no API endpoint at this address. The API is described at /api/openapi.json."
            .into(),
    )
}

/// Headers every response carries. API responses get a CSP that allows nothing and are
/// never stored by a cache (the sign-in answer carries a token); the console's HTML gets
/// its own CSP and cache rules (see [`console`]). With `hsts`, browsers are told to use
/// HTTPS only.
async fn security_headers(hsts: bool, request: Request, next: Next) -> Response {
    let is_api = {
        let path = request.uri().path();
        path.starts_with("/api/") || path == "/healthz"
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if is_api {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if hsts {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    response
}
