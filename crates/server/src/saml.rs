//! SAML 2.0 sign-in as a service provider, through `samael` (xmlsec underneath). The
//! AuthnRequest goes to the IdP by redirect; its signed Response comes back by POST to the
//! assertion consumer service and is checked against the connection's stored certificate:
//! signature, issuer, audience, recipient and destination, `InResponseTo`, and time
//! conditions. Refusing a replayed assertion id is the caller's part (it records each).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use gatehouse_api::endpoints::API_V1;
use gatehouse_api::sso::SimulationInput;
use samael::crypto::AllowedSignatureAlgorithm;
use samael::metadata::{EntityDescriptor, IndexedEndpoint, SpSsoDescriptor, HTTP_POST_BINDING};
use samael::schema::Assertion;
use samael::service_provider::{ServiceProvider, ServiceProviderBuilder};
use samael::traits::ToXml;
use uuid::Uuid;

use crate::markup::escape;
use crate::sso::{idp_groups, Identity};
use crate::store::sso::Stored;

const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

/// Attribute names IdPs commonly use, most common first (plain, LDAP OID, and the
/// Microsoft claim URIs that Entra ID and ADFS send).
const EMAIL_ATTRIBUTES: &[&str] = &[
    "email",
    "mail",
    "emailAddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
];
const GIVEN_NAME_ATTRIBUTES: &[&str] = &[
    "givenName",
    "given_name",
    "firstName",
    "urn:oid:2.5.4.42",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
];
const FAMILY_NAME_ATTRIBUTES: &[&str] = &[
    "sn",
    "surname",
    "family_name",
    "lastName",
    "urn:oid:2.5.4.4",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
];

/// What this server is to one connection's IdP: its entity id (which is also where its
/// metadata is) and its assertion consumer service.
pub struct Addresses {
    pub entity_id: String,
    pub acs_url: String,
}

pub fn addresses(public_url: &str, connection: Uuid) -> Addresses {
    let base = format!("{public_url}{API_V1}/sso/saml/{connection}");
    Addresses {
        entity_id: format!("{base}/metadata"),
        acs_url: format!("{base}/acs"),
    }
}

/// The SP metadata document to give the IdP: entity id, ACS (HTTP-POST), and that
/// assertions must be signed.
pub fn metadata(addresses: &Addresses) -> Result<String, String> {
    let descriptor = EntityDescriptor {
        entity_id: Some(addresses.entity_id.clone()),
        sp_sso_descriptors: Some(vec![SpSsoDescriptor {
            protocol_support_enumeration: Some("urn:oasis:names:tc:SAML:2.0:protocol".into()),
            authn_requests_signed: Some(false),
            want_assertions_signed: Some(true),
            name_id_formats: Some(vec![NAMEID_PERSISTENT.into(), NAMEID_EMAIL.into()]),
            assertion_consumer_services: vec![IndexedEndpoint {
                binding: HTTP_POST_BINDING.into(),
                location: addresses.acs_url.clone(),
                index: 0,
                is_default: Some(true),
                ..IndexedEndpoint::default()
            }],
            ..SpSsoDescriptor::default()
        }]),
        ..EntityDescriptor::default()
    };
    descriptor
        .to_string()
        .map_err(|e| format!("writing SAML metadata: {e}"))
}

/// The IdP as `samael` wants it: a metadata document holding what the connection stores.
/// Without a signing certificate `samael` would skip the signature check, so its absence
/// is an error here, never a pass.
fn idp_metadata(connection: &Stored) -> Result<EntityDescriptor, String> {
    let unusable = || {
        "This SAML connection has no usable IdP certificate. An administrator should paste the IdP's current certificate.".to_owned()
    };
    let pem = connection
        .saml_certificate
        .as_deref()
        .ok_or_else(unusable)?;
    let (_, pem) =
        x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).map_err(|_| unusable())?;
    let entity_id = connection.saml_entity_id.as_deref().unwrap_or_default();
    let login_url = connection.saml_login_url.as_deref().unwrap_or_default();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#,
        escape(entity_id),
        STANDARD.encode(&pem.contents),
        escape(login_url),
    )
    .parse()
    .map_err(|e| {
        tracing::warn!(connection = %connection.id, error = %e, "SAML connection settings unusable");
        unusable()
    })
}

fn service_provider(connection: &Stored, addresses: &Addresses) -> Result<ServiceProvider, String> {
    ServiceProviderBuilder::default()
        .entity_id(addresses.entity_id.clone())
        .acs_url(addresses.acs_url.clone())
        .idp_metadata(idp_metadata(connection)?)
        .max_clock_skew(Duration::seconds(connection.token_leeway_seconds.into()))
        .max_issue_delay(Duration::seconds(90))
        // Only signature algorithms with SHA-2: no SHA-1, no substitution.
        .allowed_signature_algorithms(vec![
            AllowedSignatureAlgorithm::RsaSha256,
            AllowedSignatureAlgorithm::RsaSha384,
            AllowedSignatureAlgorithm::RsaSha512,
            AllowedSignatureAlgorithm::EcdsaSha256,
            AllowedSignatureAlgorithm::EcdsaSha384,
            AllowedSignatureAlgorithm::EcdsaSha512,
        ])
        .build()
        .map_err(|e| format!("SAML service provider: {e}"))
}

/// Where the browser goes, and the request id the answer must be `InResponseTo`.
pub struct Started {
    pub url: String,
    pub request_id: String,
}

/// An AuthnRequest for the HTTP-Redirect binding, carrying `relay_state` (the sign-in's
/// single-use state) to come back with.
pub fn start(
    connection: &Stored,
    addresses: &Addresses,
    relay_state: &str,
) -> Result<Started, String> {
    let sp = service_provider(connection, addresses)?;
    let login_url = connection
        .saml_login_url
        .as_deref()
        .ok_or_else(|| "This SAML connection has no login URL.".to_owned())?;
    let mut request = sp
        .make_authentication_request(login_url)
        .map_err(|e| format!("SAML request: {e}"))?;
    // samael's own ids are 32 random bits; a request id should not be guessable.
    request.id = format!("_{}", Uuid::new_v4().simple());
    let url = request
        .redirect(relay_state)
        .ok()
        .flatten()
        .ok_or_else(|| "This SAML connection's login URL is not a usable address.".to_owned())?;
    Ok(Started {
        url: url.to_string(),
        request_id: request.id,
    })
}

/// A verified sign-in: who, and the assertion's id with how long it must be remembered
/// so that it cannot be played again.
pub struct Verified {
    pub identity: Identity,
    pub assertion_id: String,
    pub remember_until: DateTime<Utc>,
}

/// Checks the IdP's `SAMLResponse` (base64, from the POST) for the request `request_id`.
pub fn finish(
    connection: &Stored,
    addresses: &Addresses,
    saml_response: &str,
    request_id: &str,
) -> Result<Verified, String> {
    let sp = service_provider(connection, addresses)?;
    let encoded: String = saml_response
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let assertion = sp
        .parse_base64_response(&encoded, Some(&[request_id]))
        .map_err(|e| {
            tracing::warn!(connection = %connection.id, error = %e, "SAML response refused");
            "The identity provider's answer could not be verified (signature, issuer, audience or time). An administrator should check the connection's IdP entity id and certificate; the server log says which check failed.".to_owned()
        })?;
    let identity = identity(&assertion, &connection.groups_claim)?;
    Ok(Verified {
        identity,
        assertion_id: assertion.id.clone(),
        remember_until: assertion.issue_instant + sp.max_issue_delay + sp.max_clock_skew,
    })
}

/// Every attribute's values, under its name and under its friendly name.
fn attributes(assertion: &Assertion) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for attribute in assertion
        .attribute_statements
        .iter()
        .flatten()
        .flat_map(|s| &s.attributes)
    {
        let values: Vec<String> = attribute
            .values
            .iter()
            .filter_map(|v| v.value.as_deref())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        for name in [&attribute.name, &attribute.friendly_name]
            .into_iter()
            .flatten()
        {
            found
                .entry(name.clone())
                .or_default()
                .extend(values.iter().cloned());
        }
    }
    found
}

fn first_of(attributes: &BTreeMap<String, Vec<String>>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|name| attributes.get(*name).and_then(|v| v.first()).cloned())
}

/// Who the assertion is about: the NameID is the subject; email and names come from the
/// usual attributes (email falls back to an email-format NameID); groups from the
/// connection's groups attribute.
fn identity(assertion: &Assertion, groups_attribute: &str) -> Result<Identity, String> {
    let name_id = assertion
        .subject
        .as_ref()
        .and_then(|s| s.name_id.as_ref())
        .filter(|n| !n.value.trim().is_empty())
        .ok_or_else(|| "The identity provider's answer names no subject (NameID).".to_owned())?;
    let attributes = attributes(assertion);
    let email = first_of(&attributes, EMAIL_ATTRIBUTES).or_else(|| {
        (name_id.format.as_deref() == Some(NAMEID_EMAIL)).then(|| name_id.value.trim().to_owned())
    });
    Ok(Identity {
        subject: name_id.value.trim().to_owned(),
        email,
        // SAML has no "verified" flag: the address is only as good as the IdP's word.
        email_verified: false,
        given_name: first_of(&attributes, GIVEN_NAME_ATTRIBUTES),
        family_name: first_of(&attributes, FAMILY_NAME_ATTRIBUTES),
        groups: idp_groups(&SimulationInput::Attributes(attributes), groups_attribute),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_entity_and_the_acs() {
        let id = Uuid::nil();
        let addresses = addresses("https://id.example.com", id);
        let xml = metadata(&addresses).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(
            root.attribute("entityID"),
            Some(format!("https://id.example.com/api/v1/sso/saml/{id}/metadata").as_str())
        );
        let acs = doc
            .descendants()
            .find(|n| n.tag_name().name() == "AssertionConsumerService")
            .unwrap();
        assert_eq!(
            acs.attribute("Location"),
            Some(format!("https://id.example.com/api/v1/sso/saml/{id}/acs").as_str())
        );
        assert_eq!(acs.attribute("Binding"), Some(HTTP_POST_BINDING));
    }
}
