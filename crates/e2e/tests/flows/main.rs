//! End-to-end tests: the release console from `dist/`, a real server and real headless
//! Chromium, one module per area. One test binary rather than one per file: each would
//! link the whole server, and thirteen of them cost minutes of linking and gigabytes of
//! disk for nothing.

mod access;
mod api_keys;
mod audit;
mod chunks;
mod csv;
mod deploy;
mod invites;
mod lists;
mod pages;
mod saml;
mod security;
mod sso;
mod users;
