//! Times as people read them: "3 days ago", with the exact time on hover.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use leptos::prelude::*;

/// The browser's clock, as the contract's time type.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A date as the console writes it everywhere a day matters more than the hour:
/// "24 Dec 2026" (UTC, the day the server counts in). Written by hand: chrono's `format`
/// would compile its whole strftime machinery into the console for this one pattern.
pub fn day(then: DateTime<Utc>) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS[then.month0() as usize];
    format!("{} {month} {}", then.day(), then.year())
}

/// The end of `date` (`YYYY-MM-DD`, as `<input type=date>` gives it), in UTC.
pub fn end_of(date: &str) -> Option<DateTime<Utc>> {
    let mut parts = date.split('-');
    let mut number = |digits: usize| {
        let all_digits = |p: &&str| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit());
        parts.next().filter(all_digits)?.parse::<u32>().ok()
    };
    let (year, month, day) = (number(4)?, number(2)?, number(2)?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)?
        .and_hms_opt(23, 59, 59)
        .map(|t| t.and_utc())
}

/// "just now", "5 minutes ago", "yesterday", "3 months ago", "in 2 hours".
pub fn relative(then: DateTime<Utc>, now_ms: f64) -> String {
    let seconds = (now_ms / 1000.0) as i64 - then.timestamp();
    let (amount, future) = (seconds.unsigned_abs(), seconds < 0);
    let unit = |n: u64, name: &str| {
        let plural = if n == 1 { "" } else { "s" };
        if future {
            format!("in {n} {name}{plural}")
        } else {
            format!("{n} {name}{plural} ago")
        }
    };
    match amount {
        0..=44 => "just now".into(),
        45..=3_599 => unit((amount / 60).max(1), "minute"),
        3_600..=86_399 => unit(amount / 3_600, "hour"),
        86_400..=172_799 if !future => "yesterday".into(),
        86_400..=2_591_999 => unit(amount / 86_400, "day"),
        2_592_000..=31_535_999 => unit(amount / 2_592_000, "month"),
        _ => unit(amount / 31_536_000, "year"),
    }
}

/// The exact time in the browser's locale and time zone.
pub fn exact(then: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        then.timestamp_millis() as f64
    ));
    date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

/// A `<time>` element: relative text, exact time as tooltip and machine-readable value.
#[component]
pub fn RelativeTime(
    time: Option<DateTime<Utc>>,
    #[prop(default = "Never")] never: &'static str,
) -> impl IntoView {
    match time {
        Some(time) => view! {
            <time datetime=time.to_rfc3339() title=exact(time)>{relative(time, js_sys::Date::now())}</time>
        }
        .into_any(),
        None => view! { <span class="muted">{never}</span> }.into_any(),
    }
}
