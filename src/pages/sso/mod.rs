//! SSO: the tenant's identity provider connections (list, wizard, a connection's tabs)
//! and the sign-in page's end of signing in through one.

mod detail;
mod draft;
mod form;
mod list;
mod lookup;
mod mappings;
mod provider;
mod sign_in;
mod test;

pub use detail::{CurrentConnection, SsoDetailPage, SsoSettingsTab};
pub use draft::{input_of, MappingsDraft, SettingsDraft, DEFAULT_SCOPES};
pub use form::NewConnectionPage;
pub use list::SsoPage;
pub use mappings::SsoMappingsTab;
pub use provider::{oidc_redirect_uri, saml_addresses, SsoProviderDetailsTab};
pub use sign_in::{SsoDonePage, SsoSignInLinks};
pub use test::{parse_attribute_lines, parse_claims, SsoTestTab};
