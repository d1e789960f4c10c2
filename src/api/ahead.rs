//! Answers asked for ahead of the page that needs them. While an area's code is still
//! loading, its first request goes out at the same time (see [`crate::components::lazy`]);
//! when the page then makes that same request, it takes the answer already on its way
//! instead of asking again. An answer is taken once, and only for a few seconds.

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};

use super::{send_once, ApiError, Call};
use crate::session::Session;

type Answer = Shared<LocalBoxFuture<'static, Result<String, ApiError>>>;

struct Asked {
    key: String,
    at_ms: f64,
    answer: Answer,
}

/// Older answers are not served: the page may show what changed since.
const FRESH_MS: f64 = 10_000.0;

thread_local! {
    static ASKED: RefCell<Vec<Asked>> = const { RefCell::new(Vec::new()) };
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sends a GET now, for a page whose code is on its way.
pub fn send_ahead(session: Session, call: Call) {
    let token = session.token();
    let Some(key) = call.reuse_key(token.as_deref()) else {
        return;
    };
    let answer = async move { send_once(&call, token.as_deref()).await }
        .boxed_local()
        .shared();
    leptos::task::spawn_local(answer.clone().map(drop));
    ASKED.with_borrow_mut(|asked| {
        asked.retain(|a| now_ms() - a.at_ms < FRESH_MS && a.key != key);
        asked.push(Asked {
            key,
            at_ms: now_ms(),
            answer,
        });
    });
}

/// The answer to this very request, if it was sent ahead moments ago.
pub(super) fn take(call: &Call, token: Option<&str>) -> Option<Answer> {
    let key = call.reuse_key(token)?;
    ASKED.with_borrow_mut(|asked| {
        asked.retain(|a| now_ms() - a.at_ms < FRESH_MS);
        let at = asked.iter().position(|a| a.key == key)?;
        Some(asked.swap_remove(at).answer)
    })
}
