//! Single sign-on connections: OpenID Connect and SAML 2.0 identity providers a tenant
//! trusts, what happens to people signing in through them the first time, and how the
//! groups they bring map to Gatehouse groups and roles.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::groups::GroupRef;
use crate::roles::RoleRef;
use crate::validation::{self as rules, Report};
use crate::FieldError;

pub const TITLE_MAX_CHARS: usize = 60;
pub const MAX_MAPPINGS: usize = 200;
/// The longest IdP group name a mapping may name.
pub const IDP_GROUP_MAX_CHARS: usize = 256;
/// The claim (OIDC) or attribute (SAML) that carries groups when none is chosen.
pub const DEFAULT_GROUPS_CLAIM: &str = "groups";
/// Seconds of clock difference tolerated on token and assertion times unless set.
pub const DEFAULT_TOKEN_LEEWAY_SECONDS: u32 = 60;
/// A PEM certificate is a few KB; anything much larger is not one.
pub const CERTIFICATE_MAX_BYTES: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SsoProtocol {
    Oidc,
    Saml2,
}

deserialize_by_wire_name!(SsoProtocol, ["oidc", "saml2"]);

impl SsoProtocol {
    pub const ALL: [SsoProtocol; 2] = [SsoProtocol::Oidc, SsoProtocol::Saml2];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            SsoProtocol::Oidc => "oidc",
            SsoProtocol::Saml2 => "saml2",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    pub const fn label(self) -> &'static str {
        match self {
            SsoProtocol::Oidc => "OpenID Connect",
            SsoProtocol::Saml2 => "SAML 2.0",
        }
    }
}

/// Which provider a connection is for: it only fills defaults and help text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProviderPreset {
    Okta,
    EntraId,
    Google,
    Keycloak,
    Auth0,
    #[default]
    Generic,
}

impl ProviderPreset {
    pub const ALL: [ProviderPreset; 6] = [
        ProviderPreset::Okta,
        ProviderPreset::EntraId,
        ProviderPreset::Google,
        ProviderPreset::Keycloak,
        ProviderPreset::Auth0,
        ProviderPreset::Generic,
    ];

    pub const fn label(self) -> &'static str {
        match self {
            ProviderPreset::Okta => "Okta",
            ProviderPreset::EntraId => "Microsoft Entra ID",
            ProviderPreset::Google => "Google",
            ProviderPreset::Keycloak => "Keycloak",
            ProviderPreset::Auth0 => "Auth0",
            ProviderPreset::Generic => "Another provider",
        }
    }

    /// The claim that carries groups at this provider, by default.
    pub const fn groups_claim(self) -> &'static str {
        match self {
            ProviderPreset::EntraId => "groups",
            ProviderPreset::Okta | ProviderPreset::Keycloak | ProviderPreset::Generic => {
                DEFAULT_GROUPS_CLAIM
            }
            ProviderPreset::Google => "groups",
            ProviderPreset::Auth0 => "https://gatehouse/groups",
        }
    }
}

/// What happens to someone signing in through a connection for the first time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FirstSignIn {
    /// Created active, with the mapped groups and roles.
    CreateActive,
    /// Created awaiting an administrator's approval.
    #[default]
    CreatePending,
    /// Only people who already have an account here may sign in.
    Refuse,
}

deserialize_by_wire_name!(FirstSignIn, named_by as_str);

impl FirstSignIn {
    pub const ALL: [FirstSignIn; 3] = [
        FirstSignIn::CreateActive,
        FirstSignIn::CreatePending,
        FirstSignIn::Refuse,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            FirstSignIn::CreateActive => "CREATE_ACTIVE",
            FirstSignIn::CreatePending => "CREATE_PENDING",
            FirstSignIn::Refuse => "REFUSE",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub const fn label(self) -> &'static str {
        match self {
            FirstSignIn::CreateActive => "Create the account, active",
            FirstSignIn::CreatePending => "Create the account, awaiting approval",
            FirstSignIn::Refuse => "Refuse: only existing accounts sign in",
        }
    }
}

/// An OpenID Connect provider, as the API shows it: the client secret never, only
/// whether one is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcSettings {
    /// `https://login.example.com`: where `/.well-known/openid-configuration` is.
    pub issuer: String,
    pub client_id: String,
    pub client_secret_set: bool,
    pub scopes: Vec<String>,
    /// The ID token claim that carries the user's groups.
    pub groups_claim: String,
    /// Seconds of clock difference tolerated on the ID token's times.
    pub token_expiration_threshold_seconds: u32,
}

/// The IdP's signing certificate, as parsed: the API answers with these, so an
/// administrator can compare them with what the IdP shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateInfo {
    /// Hex, colon-separated, upper case (as IdPs print them).
    pub sha256: String,
    pub sha1: String,
    pub subject: String,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub not_after: DateTime<Utc>,
}

/// A SAML 2.0 identity provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SamlSettings {
    pub idp_entity_id: String,
    /// Where AuthnRequests go (HTTP-Redirect binding).
    pub login_url: String,
    pub certificate: Option<CertificateInfo>,
    /// The attribute that carries the user's groups.
    pub groups_attribute: String,
}

/// An IdP group and what it brings: Gatehouse groups and roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mapping {
    pub idp_group: String,
    pub groups: Vec<GroupRef>,
    pub roles: Vec<RoleRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoConnection {
    pub id: Uuid,
    pub tenant_id: String,
    pub protocol: SsoProtocol,
    pub preset: ProviderPreset,
    /// Shown on the sign-in page as "Sign in with <title>".
    pub title: String,
    pub enabled: bool,
    pub first_sign_in: FirstSignIn,
    /// With `protocol: oidc`.
    pub oidc: Option<OidcSettings>,
    /// With `protocol: saml2`.
    pub saml: Option<SamlSettings>,
    pub mappings: Vec<Mapping>,
    /// People who have signed in through it.
    pub user_count: u64,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The OpenID Connect part of a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OidcInput {
    pub issuer: String,
    pub client_id: String,
    /// Write-only. On a change, leave it out to keep the one set; give it to replace it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Default `openid email profile`.
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expiration_threshold_seconds: Option<u32>,
}

/// The SAML part of a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SamlInput {
    pub idp_entity_id: String,
    pub login_url: String,
    /// PEM. On a change, leave it out to keep the one set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_pem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_attribute: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    pub idp_group: String,
    #[serde(default)]
    pub group_ids: BTreeSet<Uuid>,
    #[serde(default)]
    pub role_ids: BTreeSet<Uuid>,
}

/// `POST /sso/connections`, and `PUT /sso/connections/{id}` (with `If-Match`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectionInput {
    pub protocol: SsoProtocol,
    #[serde(default)]
    pub preset: ProviderPreset,
    pub title: String,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub first_sign_in: FirstSignIn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml: Option<SamlInput>,
    #[serde(default)]
    pub mappings: Vec<MappingInput>,
}

/// An `http` or `https` URL with a host, no credentials and no fragment.
pub fn web_url(value: &str) -> rules::Rule {
    let value = value.trim();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| {
            "Give an address starting with https:// (or http:// for a local test provider)."
                .to_owned()
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || host.contains('@')
        || value.contains('#')
        || value.chars().any(char::is_whitespace)
    {
        return Err("That is not a usable address: it needs a host, and no spaces, credentials or #fragment.".into());
    }
    if value.len() > 2000 {
        return Err("At most 2,000 characters.".into());
    }
    Ok(())
}

fn required_text(value: &str, max: usize, what: &str) -> rules::Rule {
    if value.trim().is_empty() {
        return Err(format!("Enter the {what}."));
    }
    rules::text(value.trim(), max)
}

impl ConnectionInput {
    /// Checks the request as a whole; `creating` asks for the secrets a new connection
    /// cannot do without.
    pub fn validate(&self, creating: bool) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report.check(
            "title",
            required_text(
                &self.title,
                TITLE_MAX_CHARS,
                "title shown on the sign-in page",
            ),
        );
        match (self.protocol, &self.oidc, &self.saml) {
            (SsoProtocol::Oidc, Some(oidc), None) => {
                report
                    .check("oidc.issuer", web_url(&oidc.issuer))
                    .check(
                        "oidc.client_id",
                        required_text(&oidc.client_id, 500, "client id"),
                    )
                    .check_opt("oidc.client_secret", oidc.client_secret.as_deref(), |s| {
                        rules::text(s, 2000)
                    })
                    .check_opt("oidc.groups_claim", oidc.groups_claim.as_deref(), |c| {
                        required_text(c, 200, "groups claim")
                    });
                if creating
                    && oidc
                        .client_secret
                        .as_deref()
                        .is_none_or(|s| s.trim().is_empty())
                {
                    report.check(
                        "oidc.client_secret",
                        Err("Enter the client secret the provider gave you.".into()),
                    );
                }
                if oidc
                    .token_expiration_threshold_seconds
                    .is_some_and(|s| s > 3600)
                {
                    report.check(
                        "oidc.token_expiration_threshold_seconds",
                        Err("A whole number of seconds from 0 to 3600.".into()),
                    );
                }
                if oidc.scopes.len() > 20
                    || oidc
                        .scopes
                        .iter()
                        .any(|s| s.is_empty() || s.len() > 100 || s.contains(char::is_whitespace))
                {
                    report.check(
                        "oidc.scopes",
                        Err("At most 20 scopes, each one word.".into()),
                    );
                }
            }
            (SsoProtocol::Saml2, None, Some(saml)) => {
                report
                    .check(
                        "saml.idp_entity_id",
                        required_text(&saml.idp_entity_id, 1000, "IdP entity id"),
                    )
                    .check("saml.login_url", web_url(&saml.login_url))
                    .check_opt(
                        "saml.groups_attribute",
                        saml.groups_attribute.as_deref(),
                        |a| required_text(a, 200, "groups attribute"),
                    );
                if creating && saml.certificate_pem.is_none() {
                    report.check(
                        "saml.certificate_pem",
                        Err("Paste the IdP's signing certificate (PEM).".into()),
                    );
                }
                if saml
                    .certificate_pem
                    .as_ref()
                    .is_some_and(|c| c.len() > CERTIFICATE_MAX_BYTES)
                {
                    report.check(
                        "saml.certificate_pem",
                        Err("That is too large for a certificate.".into()),
                    );
                }
            }
            (SsoProtocol::Oidc, _, _) => {
                report.check(
                    "oidc",
                    Err(
                        "An OpenID Connect connection needs its oidc settings (and no saml ones)."
                            .into(),
                    ),
                );
            }
            (SsoProtocol::Saml2, _, _) => {
                report.check(
                    "saml",
                    Err("A SAML connection needs its saml settings (and no oidc ones).".into()),
                );
            }
        }
        report.check(
            "mappings",
            rules::id_count(self.mappings.len(), MAX_MAPPINGS),
        );
        let mut seen = BTreeSet::new();
        for (i, mapping) in self.mappings.iter().enumerate() {
            let field = format!("mappings[{i}].idp_group");
            report.check(
                &field,
                required_text(&mapping.idp_group, IDP_GROUP_MAX_CHARS, "IdP group"),
            );
            if !seen.insert(mapping.idp_group.trim()) {
                report.check(
                    &field,
                    Err("This IdP group is mapped twice; merge the two.".into()),
                );
            }
            report.check(
                &format!("mappings[{i}].role_ids"),
                rules::id_count(mapping.role_ids.len(), rules::MAX_ROLE_IDS),
            );
            report.check(
                &format!("mappings[{i}].group_ids"),
                rules::id_count(mapping.group_ids.len(), rules::MAX_ROLE_IDS),
            );
            if mapping.group_ids.is_empty() && mapping.role_ids.is_empty() {
                report.check(
                    &field,
                    Err("Choose the groups or roles this IdP group brings.".into()),
                );
            }
        }
        report.finish()
    }
}

/// `POST /sso/connections/{id}/simulate`: what a sign-in with these claims (OIDC, an ID
/// token's JSON) or attributes (SAML) would give.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum SimulationInput {
    Claims(serde_json::Value),
    Attributes(BTreeMap<String, Vec<String>>),
}

/// A group a simulated sign-in would join, and the IdP groups whose mappings say so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantedGroup {
    pub group: GroupRef,
    pub from: Vec<String>,
}

/// A role a simulated sign-in would hold, and the IdP groups whose mappings say so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantedRole {
    pub role: RoleRef,
    pub from: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Simulation {
    /// The groups the claims carry, as read from the groups claim or attribute.
    pub idp_groups: Vec<String>,
    /// IdP groups no mapping names.
    pub unmapped: Vec<String>,
    pub groups: Vec<GrantedGroup>,
    pub roles: Vec<GrantedRole>,
}

/// The IdP groups in an ID token's claims: a list of strings, or one string.
pub fn groups_in_claims(claims: &serde_json::Value, claim: &str) -> Vec<String> {
    let found = claims.get(claim).or_else(|| claims.pointer(claim));
    let mut groups: Vec<String> = match found {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    groups.sort();
    groups.dedup();
    groups
}

/// A connection as the sign-in page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicConnection {
    pub id: Uuid,
    pub title: String,
    pub protocol: SsoProtocol,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn oidc() -> ConnectionInput {
        ConnectionInput {
            protocol: SsoProtocol::Oidc,
            preset: ProviderPreset::Generic,
            title: "Acme SSO".into(),
            enabled: true,
            first_sign_in: FirstSignIn::CreateActive,
            oidc: Some(OidcInput {
                issuer: "https://login.acme.test".into(),
                client_id: "gatehouse".into(),
                client_secret: Some("s3cret".into()),
                ..Default::default()
            }),
            saml: None,
            mappings: vec![MappingInput {
                idp_group: "engineers".into(),
                group_ids: BTreeSet::from([Uuid::from_u128(1)]),
                role_ids: BTreeSet::new(),
            }],
        }
    }

    #[test]
    fn a_connection_needs_the_settings_of_its_protocol() {
        assert!(oidc().validate(true).is_ok());
        let mut no_secret = oidc();
        no_secret.oidc.as_mut().unwrap().client_secret = None;
        assert_eq!(
            no_secret.validate(true).unwrap_err()[0].field,
            "oidc.client_secret"
        );
        assert!(
            no_secret.validate(false).is_ok(),
            "a change keeps the secret"
        );
        let mut wrong = oidc();
        wrong.protocol = SsoProtocol::Saml2;
        assert_eq!(wrong.validate(true).unwrap_err()[0].field, "saml");
        let mut twice = oidc();
        twice.mappings.push(twice.mappings[0].clone());
        assert_eq!(
            twice.validate(true).unwrap_err()[0].field,
            "mappings[1].idp_group"
        );
    }

    #[test]
    fn addresses_must_be_web_addresses() {
        assert!(web_url("https://login.acme.test/realms/x").is_ok());
        assert!(web_url("http://127.0.0.1:9000").is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https://user:pw@host",
            "https://a b",
            "javascript:alert(1)",
        ] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn groups_are_read_from_a_list_or_a_string() {
        let claims = json!({"groups": ["b", "a", "b"], "role": "admin", "nested": {"g": ["x"]}});
        assert_eq!(groups_in_claims(&claims, "groups"), ["a", "b"]);
        assert_eq!(groups_in_claims(&claims, "role"), ["admin"]);
        assert_eq!(groups_in_claims(&claims, "/nested/g"), ["x"]);
        assert!(groups_in_claims(&claims, "missing").is_empty());
    }
}

/// `GET /sso/connections`: the tenant whose sign-in page asks (the default one when absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PublicConnectionsQuery {
    pub tenant_id: Option<String>,
}

/// `GET /sso/{connection_id}/start`: where to land in the console afterwards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct StartQuery {
    /// A path of the console, such as `/users` (anything else is ignored).
    pub return_to: Option<String>,
}

/// `POST /auth/sso/exchange`: the single-use code from `/sso/done#code=...`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SsoExchange {
    pub code: String,
}

/// `POST /sso/discover`: read an OpenID provider's configuration, before saving.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DiscoverRequest {
    pub issuer: String,
}

impl DiscoverRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        Report::new()
            .check("issuer", web_url(&self.issuer))
            .finish()
    }
}

/// What the provider's `/.well-known/openid-configuration` says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: String,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    #[serde(default)]
    pub claims_supported: Vec<String>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
}

/// `POST /sso/metadata`: an IdP's SAML metadata XML, read into a connection's settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MetadataImport {
    pub xml: String,
}

/// What the metadata says, ready to put into a SAML connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedMetadata {
    pub idp_entity_id: String,
    pub login_url: String,
    pub certificate_pem: String,
    pub certificate: CertificateInfo,
}
