//! Single sign-on logic that is not HTTP: reading IdP certificates, and turning the groups
//! an identity provider sends into Gatehouse groups and roles.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use gatehouse_api::sso::{
    groups_in_claims, CertificateInfo, GrantedGroup, GrantedRole, Mapping, Simulation,
    SimulationInput,
};
use sha2::Digest;

/// Who an identity provider says signed in, once its answer has been verified.
#[derive(Clone, Debug)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub groups: Vec<String>,
}

/// Hex bytes, upper case, colon-separated: how IdPs print thumbprints.
fn thumbprint(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Reads a PEM certificate: its thumbprints, subject and expiry. Refuses what does not
/// parse and what has expired (`now` is the time to judge by).
pub fn certificate(pem: &str, now: DateTime<Utc>) -> Result<CertificateInfo, String> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).map_err(|_| {
        "This is not a PEM certificate: paste the block from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.".to_owned()
    })?;
    if pem.label != "CERTIFICATE" {
        return Err(format!(
            "This PEM block is a {}, not a certificate.",
            pem.label.to_lowercase()
        ));
    }
    let cert = pem
        .parse_x509()
        .map_err(|_| "The certificate does not parse as X.509.".to_owned())?;
    let not_after = Utc
        .timestamp_opt(cert.validity().not_after.timestamp(), 0)
        .single()
        .unwrap_or_default();
    if not_after <= now {
        return Err(format!(
            "This certificate expired on {}: ask the identity provider for its current one.",
            not_after.format("%Y-%m-%d")
        ));
    }
    Ok(CertificateInfo {
        sha256: thumbprint(&sha2::Sha256::digest(&pem.contents)),
        sha1: thumbprint(&sha1::Sha1::digest(&pem.contents)),
        subject: cert.subject().to_string(),
        not_after,
    })
}

/// The certificate's facts for showing, without judging its expiry (a stored one may
/// have expired since; the console then shows the date).
pub fn certificate_info(pem: &str) -> Option<CertificateInfo> {
    certificate(pem, DateTime::<Utc>::MIN_UTC).ok()
}

/// The IdP groups a sign-in (or a simulated one) carries.
pub fn idp_groups(input: &SimulationInput, claim: &str) -> Vec<String> {
    match input {
        SimulationInput::Claims(claims) => groups_in_claims(claims, claim),
        SimulationInput::Attributes(attributes) => {
            let mut groups: Vec<String> = attributes.get(claim).cloned().unwrap_or_default();
            groups.sort();
            groups.dedup();
            groups
        }
    }
}

/// What `groups` from the IdP grant through `mappings`, and which IdP groups say so.
pub fn resolve(mappings: &[Mapping], groups: Vec<String>) -> Simulation {
    let by_name: BTreeMap<&str, &Mapping> =
        mappings.iter().map(|m| (m.idp_group.as_str(), m)).collect();
    let mut granted_groups: BTreeMap<uuid::Uuid, GrantedGroup> = BTreeMap::new();
    let mut granted_roles: BTreeMap<uuid::Uuid, GrantedRole> = BTreeMap::new();
    let mut unmapped = Vec::new();
    for idp_group in &groups {
        let Some(mapping) = by_name.get(idp_group.as_str()) else {
            unmapped.push(idp_group.clone());
            continue;
        };
        for group in &mapping.groups {
            granted_groups
                .entry(group.id)
                .or_insert_with(|| GrantedGroup {
                    group: group.clone(),
                    from: Vec::new(),
                })
                .from
                .push(idp_group.clone());
        }
        for role in &mapping.roles {
            granted_roles
                .entry(role.id)
                .or_insert_with(|| GrantedRole {
                    role: role.clone(),
                    from: Vec::new(),
                })
                .from
                .push(idp_group.clone());
        }
    }
    let mut groups_out: Vec<GrantedGroup> = granted_groups.into_values().collect();
    groups_out.sort_by(|a, b| {
        a.group
            .name
            .to_lowercase()
            .cmp(&b.group.name.to_lowercase())
    });
    let mut roles_out: Vec<GrantedRole> = granted_roles.into_values().collect();
    roles_out.sort_by_key(|r| r.role.name.to_lowercase());
    Simulation {
        idp_groups: groups,
        unmapped,
        groups: groups_out,
        roles: roles_out,
    }
}

/// The group and role ids a mapping set names (for the no-escalation check).
pub fn mapped_ids(
    mappings: &[gatehouse_api::sso::MappingInput],
) -> (Vec<uuid::Uuid>, Vec<uuid::Uuid>) {
    let groups: BTreeSet<uuid::Uuid> = mappings
        .iter()
        .flat_map(|m| m.group_ids.iter().copied())
        .collect();
    let roles: BTreeSet<uuid::Uuid> = mappings
        .iter()
        .flat_map(|m| m.role_ids.iter().copied())
        .collect();
    (roles.into_iter().collect(), groups.into_iter().collect())
}

/// Largest provider configuration document the server reads.
const DISCOVERY_MAX_BYTES: usize = 256 * 1024;

/// Fetches and reads an issuer's `/.well-known/openid-configuration` (no redirects, a
/// short timeout, a size cap); the document must name the same issuer.
pub async fn discover(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<gatehouse_api::sso::Discovery, String> {
    let issuer = issuer.trim().trim_end_matches('/');
    let url = format!("{issuer}/.well-known/openid-configuration");
    let mut response = http.get(&url).send().await.map_err(|e| {
        if e.is_timeout() {
            format!("{url} did not answer within 10 seconds.")
        } else {
            format!("{url} could not be reached.")
        }
    })?;
    let status = response.status();
    if status.is_redirection() {
        return Err(format!(
            "{url} redirects elsewhere; give the issuer's own address."
        ));
    }
    if !status.is_success() {
        return Err(format!("{url} answered {status}."));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| format!("{url} stopped answering."))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > DISCOVERY_MAX_BYTES {
            return Err(format!(
                "{url} is larger than a configuration document should be."
            ));
        }
    }
    let found: gatehouse_api::sso::Discovery = serde_json::from_slice(&body)
        .map_err(|_| format!("{url} is not an OpenID configuration document."))?;
    if found.issuer.trim_end_matches('/') != issuer {
        return Err(format!(
            "The document names another issuer ({}): use that address, or check the one given.",
            found.issuer
        ));
    }
    Ok(found)
}

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

/// Reads an IdP's SAML metadata: its entity id, where AuthnRequests go (the
/// HTTP-Redirect binding), and its signing certificate (checked like a pasted one).
pub fn parse_metadata(
    xml: &str,
    now: DateTime<Utc>,
) -> Result<gatehouse_api::sso::ImportedMetadata, String> {
    let document = roxmltree::Document::parse(xml)
        .map_err(|e| format!("This is not well-formed XML: {e}."))?;
    let root = document.root_element();
    let entity = if root.has_tag_name((MD, "EntityDescriptor")) {
        root
    } else {
        root.descendants()
            .find(|n| {
                n.has_tag_name((MD, "EntityDescriptor"))
                    && n.descendants()
                        .any(|d| d.has_tag_name((MD, "IDPSSODescriptor")))
            })
            .ok_or("This is not SAML metadata: it has no EntityDescriptor.")?
    };
    let idp_entity_id = entity
        .attribute("entityID")
        .ok_or("The EntityDescriptor has no entityID.")?
        .to_owned();
    let idp = entity
        .children()
        .find(|n| n.has_tag_name((MD, "IDPSSODescriptor")))
        .ok_or("This metadata describes no identity provider (no IDPSSODescriptor).")?;
    let login_url = idp
        .children()
        .find(|n| {
            n.has_tag_name((MD, "SingleSignOnService"))
                && n.attribute("Binding") == Some(REDIRECT_BINDING)
        })
        .and_then(|n| n.attribute("Location"))
        .ok_or("The identity provider offers no HTTP-Redirect sign-in (SingleSignOnService).")?
        .to_owned();
    let base64 = idp
        .children()
        .filter(|n| n.has_tag_name((MD, "KeyDescriptor")))
        .filter(|n| n.attribute("use").is_none_or(|u| u == "signing"))
        .flat_map(|k| k.descendants())
        .find(|n| n.has_tag_name((DS, "X509Certificate")))
        .and_then(|n| n.text())
        .ok_or("The metadata has no signing certificate (KeyDescriptor/X509Certificate).")?;
    let body: String = base64.chars().filter(|c| !c.is_whitespace()).collect();
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    let certificate_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    );
    let certificate = certificate(&certificate_pem, now)?;
    Ok(gatehouse_api::sso::ImportedMetadata {
        idp_entity_id,
        login_url,
        certificate_pem,
        certificate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_api::groups::GroupRef;
    use gatehouse_api::roles::RoleRef;
    use uuid::Uuid;

    #[test]
    fn resolve_says_which_mapping_grants_what() {
        let eng = GroupRef {
            id: Uuid::from_u128(1),
            name: "Engineering".into(),
            color: "#336699".into(),
        };
        let viewer = RoleRef {
            id: Uuid::from_u128(2),
            name: "Viewer".into(),
        };
        let mappings = vec![
            Mapping {
                idp_group: "devs".into(),
                groups: vec![eng.clone()],
                roles: vec![viewer.clone()],
            },
            Mapping {
                idp_group: "ops".into(),
                groups: vec![],
                roles: vec![viewer.clone()],
            },
        ];
        let got = resolve(&mappings, vec!["devs".into(), "ops".into(), "sales".into()]);
        assert_eq!(got.unmapped, ["sales"]);
        assert_eq!(
            got.groups,
            [GrantedGroup {
                group: eng,
                from: vec!["devs".into()]
            }]
        );
        assert_eq!(
            got.roles,
            [GrantedRole {
                role: viewer,
                from: vec!["devs".into(), "ops".into()]
            }]
        );
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(certificate("hello", Utc::now())
            .unwrap_err()
            .contains("not a PEM"));
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(certificate(key, Utc::now()).is_err());
    }
}
