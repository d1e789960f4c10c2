//! Request ids: one per request, sent back as `x-request-id`, written in every log line
//! and response `meta`, so an administrator's report can be matched to the server's log.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The current request's id, when called while handling a request.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Assigns the id (a fresh UUID; a client's own id is not trusted into logs) and makes it
/// available to everything that runs for the request.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    if let Ok(value) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(HEADER, value);
    }
    // Only method and path are logged: query strings and bodies may carry secrets.
    let span = tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path());
    let started = std::time::Instant::now();
    let handle = REQUEST_ID.scope(id.clone(), next.run(request));
    let mut response = tracing::Instrument::instrument(handle, span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "handled"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}
