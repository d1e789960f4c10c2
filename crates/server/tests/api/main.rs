//! Integration tests: the real server on a temporary SQLite database, over HTTP.

mod common;

mod access;
mod account;
mod api_keys;
mod audit;
mod auth;
mod bulk;
mod console;
mod export;
mod groups;
mod import;
mod invites;
mod permissions;
mod robustness;
mod roles;
mod saml;
mod scale;
mod setup;
mod signin;
mod sso;
mod stronger;
mod users;
