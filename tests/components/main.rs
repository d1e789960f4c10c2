//! Component tests (wasm-bindgen-test in headless Chromium), one module per area. One
//! test binary rather than one per file: each links the whole console, and seven of them
//! cost minutes of linking and gigabytes of disk for nothing.

mod common;

mod account;
mod api;
mod api_keys;
mod audit_bulk_import;
mod invites;
mod sso;
mod users;
mod widgets;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
