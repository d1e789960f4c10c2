//! The Gatehouse API contract.
//!
//! Everything the server and the console must agree on lives here, once: the models and
//! request types (serde), the endpoint table with the permission each endpoint needs,
//! the error format, and the validation rules. The crate does no I/O and compiles for
//! both `wasm32-unknown-unknown` and the host; the `openapi` feature adds
//! `utoipa::ToSchema` for the server's OpenAPI document and is never enabled by the console.

#[macro_use]
mod wire;

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod endpoints;
pub mod envelope;
pub mod export;
pub mod groups;
pub mod import;
pub mod invites;
pub mod permissions;
pub mod problem;
pub mod query;
pub mod roles;
pub mod sso;
pub mod tenants;
pub mod timestamp;
pub mod users;
pub mod validation;
pub mod version;

pub use envelope::{Meta, Page, Pagination, Single};
pub use permissions::Permission;
pub use problem::{FieldError, Problem};

/// Largest page a list endpoint returns; bigger `per_page` values are clamped.
pub const MAX_PER_PAGE: u32 = 200;
/// Page size when the client does not ask for one.
pub const DEFAULT_PER_PAGE: u32 = 25;
/// The tenant every fresh installation starts with.
pub const DEFAULT_TENANT: &str = "default";
