//! `/sso/:id/service-provider`: the values to enter at the identity provider, each with
//! a copy button. They are addresses of the API, which the browser reaches directly.

use gatehouse_api::sso::SsoProtocol;
use leptos::prelude::*;

use super::detail::CurrentConnection;
use crate::components::clipboard::CopyField;
use crate::config::api_absolute_url;

/// Where the provider sends people back after an OpenID Connect sign-in (one for all
/// connections: the server tells them apart by the sign-in's state).
pub fn oidc_redirect_uri() -> String {
    api_absolute_url(&gatehouse_api::endpoints::SSO_OIDC_CALLBACK.url(&[]))
}

/// The SAML service provider's entity id (which is also its metadata address) and its
/// assertion consumer service, for a connection.
pub fn saml_addresses(id: uuid::Uuid) -> (String, String) {
    let base = api_absolute_url(&format!("/api/v1/sso/saml/{id}"));
    (format!("{base}/metadata"), format!("{base}/acs"))
}

#[component]
pub fn SsoProviderDetailsTab() -> impl IntoView {
    let CurrentConnection { connection, .. } = expect_context::<CurrentConnection>();
    let Some((id, protocol)) =
        connection.with_untracked(|c| c.as_ref().map(|c| (c.id, c.protocol)))
    else {
        return ().into_any();
    };
    let values = match protocol {
        SsoProtocol::Oidc => view! {
            <p>"Register Gatehouse at the provider as a web application (confidential client, authorization code flow) with this redirect URI."</p>
            <CopyField id="sp-redirect-uri" label="Redirect URI" value=oidc_redirect_uri()
                hint="Also called callback URL or sign-in redirect URI." />
        }
        .into_any(),
        SsoProtocol::Saml2 => {
            let (entity_id, acs) = saml_addresses(id);
            view! {
                <p>"Add Gatehouse at the identity provider as a SAML service provider with these values, or give it the metadata URL. The IdP must sign its answers (response or assertion) with the certificate saved here; requests from Gatehouse are not signed."</p>
                <CopyField id="sp-entity-id" label="SP entity ID" value=entity_id.clone()
                    hint="Also called audience or audience URI." />
                <CopyField id="sp-acs-url" label="ACS URL" value=acs
                    hint="Assertion consumer service, HTTP-POST binding; also called reply URL." />
                <CopyField id="sp-metadata-url" label="Metadata URL" value=entity_id />
            }
            .into_any()
        }
    };
    view! { <section class="tab-panel sp-details" aria-label="Service provider details">{values}</section> }
        .into_any()
}
