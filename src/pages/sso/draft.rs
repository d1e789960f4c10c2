//! What the connection forms hold: the settings (the wizard and the Settings tab) and the
//! mappings (the Mappings tab). Both save through the one request, the whole
//! [`ConnectionInput`]: each tab sends the saved connection with its own part changed,
//! and the write-only secrets left out (kept) unless being replaced.

use std::collections::BTreeSet;

use gatehouse_api::groups::GroupRef;
use gatehouse_api::sso::{
    ConnectionInput, FirstSignIn, MappingInput, OidcInput, ProviderPreset, SamlInput,
    SsoConnection, SsoProtocol, DEFAULT_TOKEN_LEEWAY_SECONDS,
};
use gatehouse_api::FieldError;
use leptos::prelude::*;
use uuid::Uuid;

use crate::forms::{Draft, Patch};

/// What a new OpenID Connect connection asks for, unless changed.
pub const DEFAULT_SCOPES: &str = "openid email profile";

/// The request a tab sends, and whether it must carry a secret (a new connection, or one
/// whose secret or certificate is being replaced).
pub struct SsoChange {
    pub input: ConnectionInput,
    pub secrets_required: bool,
}

impl Patch for SsoChange {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        self.input.validate(self.secrets_required)
    }

    /// A whole connection is never an empty change; see the drafts' `is_unchanged`.
    fn is_empty(&self) -> bool {
        false
    }
}

/// The saved connection as a request that changes nothing (secrets left out: kept).
pub fn input_of(saved: &SsoConnection) -> ConnectionInput {
    ConnectionInput {
        protocol: saved.protocol,
        preset: saved.preset,
        title: saved.title.clone(),
        enabled: saved.enabled,
        first_sign_in: saved.first_sign_in,
        oidc: saved.oidc.as_ref().map(|o| OidcInput {
            issuer: o.issuer.clone(),
            client_id: o.client_id.clone(),
            client_secret: None,
            scopes: o.scopes.clone(),
            groups_claim: Some(o.groups_claim.clone()),
            token_expiration_threshold_seconds: Some(o.token_expiration_threshold_seconds),
        }),
        saml: saved.saml.as_ref().map(|s| SamlInput {
            idp_entity_id: s.idp_entity_id.clone(),
            login_url: s.login_url.clone(),
            certificate_pem: None,
            groups_attribute: Some(s.groups_attribute.clone()),
        }),
        mappings: saved
            .mappings
            .iter()
            .map(|m| MappingInput {
                idp_group: m.idp_group.clone(),
                group_ids: m.groups.iter().map(|g| g.id).collect(),
                role_ids: m.roles.iter().map(|r| r.id).collect(),
            })
            .collect(),
    }
}

/// The contract's name of a protocol (`oidc`, `saml2`): radio values.
pub fn protocol_key(protocol: SsoProtocol) -> &'static str {
    match protocol {
        SsoProtocol::Oidc => "oidc",
        SsoProtocol::Saml2 => "saml2",
    }
}

/// The contract's name of a preset (`okta`, `entra_id`, ...): radio values.
pub fn preset_key(preset: ProviderPreset) -> &'static str {
    match preset {
        ProviderPreset::Okta => "okta",
        ProviderPreset::EntraId => "entra_id",
        ProviderPreset::Google => "google",
        ProviderPreset::Keycloak => "keycloak",
        ProviderPreset::Auth0 => "auth0",
        ProviderPreset::Generic => "generic",
    }
}

/// Where to find the values a provider's admin console shows, per preset.
pub fn preset_help(preset: ProviderPreset, protocol: SsoProtocol) -> &'static str {
    match (preset, protocol) {
        (ProviderPreset::Okta, SsoProtocol::Oidc) => "In Okta: Applications › Create App Integration › OIDC, Web Application. The issuer is https://<your-org>.okta.com; add a groups claim to the ID token.",
        (ProviderPreset::Okta, SsoProtocol::Saml2) => "In Okta: Applications › Create App Integration › SAML 2.0. Add a group attribute statement named groups.",
        (ProviderPreset::EntraId, SsoProtocol::Oidc) => "In Microsoft Entra ID: App registrations › New registration. The issuer is https://login.microsoftonline.com/<tenant id>/v2.0; under Token configuration, add the groups claim.",
        (ProviderPreset::EntraId, SsoProtocol::Saml2) => "In Microsoft Entra ID: Enterprise applications › New application › Single sign-on › SAML. Add a group claim named groups.",
        (ProviderPreset::Google, SsoProtocol::Oidc) => "In Google Cloud: APIs & Services › Credentials › OAuth client ID, Web application. The issuer is https://accounts.google.com. Google does not send groups in the ID token.",
        (ProviderPreset::Google, SsoProtocol::Saml2) => "In the Google Admin console: Apps › Web and mobile apps › Add custom SAML app. Map Google groups to an attribute named groups.",
        (ProviderPreset::Keycloak, SsoProtocol::Oidc) => "In Keycloak: Clients › Create client, OpenID Connect, client authentication on. The issuer is https://<host>/realms/<realm>; add a Group Membership mapper named groups.",
        (ProviderPreset::Keycloak, SsoProtocol::Saml2) => "In Keycloak: Clients › Create client, SAML. Add a Group list mapper with the attribute name groups.",
        (ProviderPreset::Auth0, SsoProtocol::Oidc) => "In Auth0: Applications › Create Application, Regular Web Application. The issuer is https://<tenant>.auth0.com/; an Action adds the groups under a namespaced claim.",
        (ProviderPreset::Auth0, SsoProtocol::Saml2) => "In Auth0: Applications › your app › Addons › SAML2 Web App. Map the user's groups to an attribute named groups.",
        (ProviderPreset::Generic, SsoProtocol::Oidc) => "Any OpenID Connect provider with discovery (/.well-known/openid-configuration) and the authorization code flow.",
        (ProviderPreset::Generic, SsoProtocol::Saml2) => "Any SAML 2.0 identity provider that signs its responses; it needs the values on the Service provider details tab.",
    }
}

/// The connection's settings as typed: everything but the mappings.
#[derive(Clone, Copy)]
pub struct SettingsDraft {
    pub protocol: RwSignal<SsoProtocol>,
    pub preset: RwSignal<ProviderPreset>,
    pub title: RwSignal<String>,
    pub enabled: RwSignal<bool>,
    pub first_sign_in: RwSignal<FirstSignIn>,
    pub issuer: RwSignal<String>,
    pub client_id: RwSignal<String>,
    /// Never filled from the server: it only ever holds a new secret.
    pub client_secret: RwSignal<String>,
    pub scopes: RwSignal<String>,
    pub groups_claim: RwSignal<String>,
    /// Seconds, as typed.
    pub clock_leeway: RwSignal<String>,
    pub idp_entity_id: RwSignal<String>,
    pub login_url: RwSignal<String>,
    /// Never filled from the server: it only ever holds a new certificate.
    pub certificate_pem: RwSignal<String>,
    pub groups_attribute: RwSignal<String>,
    /// Whether a secret is being typed (always, for a new connection).
    pub replacing_secret: RwSignal<bool>,
    pub replacing_certificate: RwSignal<bool>,
}

impl Default for SettingsDraft {
    /// A new connection: OpenID Connect with the generic preset's defaults.
    fn default() -> Self {
        let preset = ProviderPreset::Generic;
        Self {
            protocol: RwSignal::new(SsoProtocol::Oidc),
            preset: RwSignal::new(preset),
            title: RwSignal::new(String::new()),
            enabled: RwSignal::new(true),
            first_sign_in: RwSignal::new(FirstSignIn::default()),
            issuer: RwSignal::new(String::new()),
            client_id: RwSignal::new(String::new()),
            client_secret: RwSignal::new(String::new()),
            scopes: RwSignal::new(DEFAULT_SCOPES.to_owned()),
            groups_claim: RwSignal::new(preset.groups_claim().to_owned()),
            clock_leeway: RwSignal::new(DEFAULT_TOKEN_LEEWAY_SECONDS.to_string()),
            idp_entity_id: RwSignal::new(String::new()),
            login_url: RwSignal::new(String::new()),
            certificate_pem: RwSignal::new(String::new()),
            groups_attribute: RwSignal::new(preset.groups_claim().to_owned()),
            replacing_secret: RwSignal::new(true),
            replacing_certificate: RwSignal::new(true),
        }
    }
}

/// Text typed, or `None` when blank.
fn given(text: RwSignal<String>) -> Option<String> {
    Some(text.get().trim().to_owned()).filter(|t| !t.is_empty())
}

impl SettingsDraft {
    /// Chooses a preset: it fills the groups claim and attribute with the provider's.
    pub fn choose_preset(&self, preset: ProviderPreset) {
        self.preset.set(preset);
        self.groups_claim.set(preset.groups_claim().to_owned());
        self.groups_attribute.set(preset.groups_claim().to_owned());
        if preset == ProviderPreset::Google && self.issuer.with_untracked(String::is_empty) {
            self.issuer.set("https://accounts.google.com".to_owned());
        }
    }

    /// The request: these settings over `base` (the saved connection, whose mappings and
    /// untouched values it keeps), or a new connection.
    pub fn to_input(self, base: Option<&ConnectionInput>) -> ConnectionInput {
        let protocol = self.protocol.get();
        // Anything that is not a whole number of seconds is sent as out of range, for
        // the shared rule to name.
        let typed = self.clock_leeway.get();
        let threshold =
            (!typed.trim().is_empty()).then(|| typed.trim().parse::<u32>().unwrap_or(u32::MAX));
        ConnectionInput {
            protocol,
            preset: self.preset.get(),
            title: self.title.get().trim().to_owned(),
            enabled: self.enabled.get(),
            first_sign_in: self.first_sign_in.get(),
            oidc: (protocol == SsoProtocol::Oidc).then(|| OidcInput {
                issuer: self.issuer.get().trim().to_owned(),
                client_id: self.client_id.get().trim().to_owned(),
                client_secret: given(self.client_secret).filter(|_| self.replacing_secret.get()),
                scopes: self
                    .scopes
                    .get()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
                groups_claim: Some(self.groups_claim.get().trim().to_owned()),
                token_expiration_threshold_seconds: threshold,
            }),
            saml: (protocol == SsoProtocol::Saml2).then(|| SamlInput {
                idp_entity_id: self.idp_entity_id.get().trim().to_owned(),
                login_url: self.login_url.get().trim().to_owned(),
                certificate_pem: given(self.certificate_pem)
                    .filter(|_| self.replacing_certificate.get()),
                groups_attribute: Some(self.groups_attribute.get().trim().to_owned()),
            }),
            mappings: base.map(|b| b.mappings.clone()).unwrap_or_default(),
        }
    }

    /// Whether a secret must be in the request: one is being typed for this protocol.
    pub fn secrets_required(self) -> bool {
        match self.protocol.get() {
            SsoProtocol::Oidc => self.replacing_secret.get(),
            SsoProtocol::Saml2 => self.replacing_certificate.get(),
        }
    }
}

impl Draft<SsoConnection> for SettingsDraft {
    type Patch = SsoChange;

    fn load(&self, saved: &SsoConnection) {
        self.protocol.set(saved.protocol);
        self.preset.set(saved.preset);
        self.title.set(saved.title.clone());
        self.enabled.set(saved.enabled);
        self.first_sign_in.set(saved.first_sign_in);
        let oidc = saved.oidc.as_ref();
        self.issuer
            .set(oidc.map(|o| o.issuer.clone()).unwrap_or_default());
        self.client_id
            .set(oidc.map(|o| o.client_id.clone()).unwrap_or_default());
        self.scopes
            .set(oidc.map(|o| o.scopes.join(" ")).unwrap_or_default());
        self.groups_claim
            .set(oidc.map(|o| o.groups_claim.clone()).unwrap_or_default());
        self.clock_leeway.set(
            oidc.map_or(DEFAULT_TOKEN_LEEWAY_SECONDS, |o| {
                o.token_expiration_threshold_seconds
            })
            .to_string(),
        );
        let saml = saved.saml.as_ref();
        self.idp_entity_id
            .set(saml.map(|s| s.idp_entity_id.clone()).unwrap_or_default());
        self.login_url
            .set(saml.map(|s| s.login_url.clone()).unwrap_or_default());
        self.groups_attribute
            .set(saml.map(|s| s.groups_attribute.clone()).unwrap_or_default());
        self.client_secret.set(String::new());
        self.certificate_pem.set(String::new());
        self.replacing_secret.set(false);
        self.replacing_certificate.set(false);
    }

    fn patch(&self, saved: &SsoConnection) -> SsoChange {
        SsoChange {
            input: self.to_input(Some(&input_of(saved))),
            secrets_required: self.secrets_required(),
        }
    }

    fn is_unchanged(&self, saved: &SsoConnection) -> bool {
        !self.secrets_required() && self.patch(saved).input == input_of(saved)
    }
}

/// One mapping as typed. `key` tells rows apart while they are added and removed.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingRow {
    pub key: u32,
    pub idp_group: String,
    pub groups: Vec<GroupRef>,
    pub role_ids: BTreeSet<Uuid>,
}

/// The mappings as typed.
#[derive(Clone, Copy)]
pub struct MappingsDraft {
    pub rows: RwSignal<Vec<MappingRow>>,
    next_key: StoredValue<u32>,
}

impl Default for MappingsDraft {
    fn default() -> Self {
        Self {
            rows: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
        }
    }
}

impl MappingsDraft {
    /// Adds an empty row at the end; its key.
    pub fn add(&self) -> u32 {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        self.rows.update(|rows| {
            rows.push(MappingRow {
                key,
                idp_group: String::new(),
                groups: Vec::new(),
                role_ids: BTreeSet::new(),
            })
        });
        key
    }

    pub fn remove(&self, key: u32) {
        self.rows.update(|rows| rows.retain(|r| r.key != key));
    }

    /// Changes the row with `key`, if it is still there.
    pub fn change(&self, key: u32, change: impl FnOnce(&mut MappingRow)) {
        self.rows.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|r| r.key == key) {
                change(row);
            }
        });
    }

    /// Where the row with `key` is now (reactive).
    pub fn position(&self, key: u32) -> Option<usize> {
        self.rows
            .with(|rows| rows.iter().position(|r| r.key == key))
    }

    pub fn inputs(&self) -> Vec<MappingInput> {
        self.rows.with(|rows| {
            rows.iter()
                .map(|r| MappingInput {
                    idp_group: r.idp_group.trim().to_owned(),
                    group_ids: r.groups.iter().map(|g| g.id).collect(),
                    role_ids: r.role_ids.clone(),
                })
                .collect()
        })
    }
}

impl Draft<SsoConnection> for MappingsDraft {
    type Patch = SsoChange;

    fn load(&self, saved: &SsoConnection) {
        // Fresh keys: a row on screen never takes over another's state.
        let first = self.next_key.get_value();
        let rows: Vec<MappingRow> = saved
            .mappings
            .iter()
            .zip(first..)
            .map(|(m, key)| MappingRow {
                key,
                idp_group: m.idp_group.clone(),
                groups: m.groups.clone(),
                role_ids: m.roles.iter().map(|r| r.id).collect(),
            })
            .collect();
        self.next_key.set_value(first + rows.len() as u32);
        self.rows.set(rows);
    }

    fn patch(&self, saved: &SsoConnection) -> SsoChange {
        SsoChange {
            input: ConnectionInput {
                mappings: self.inputs(),
                ..input_of(saved)
            },
            secrets_required: false,
        }
    }

    fn is_unchanged(&self, saved: &SsoConnection) -> bool {
        self.inputs() == input_of(saved).mappings
    }
}
