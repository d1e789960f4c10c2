//! Integration tests: the real server on a temporary SQLite database, over HTTP.

mod common;

mod access;
mod auth;
mod console;
mod robustness;
mod setup;
mod users;
