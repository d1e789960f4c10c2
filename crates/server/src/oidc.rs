//! OpenID Connect sign-in, through the `openidconnect` crate: the authorization code flow
//! with PKCE, state and nonce. The ID token's signature (against the provider's published
//! keys), issuer, audience, expiry and nonce are checked by the crate; the groups claim
//! is then read from the same, verified token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};

use crate::sso::Identity;
use crate::store::sso::Stored;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// An HTTP client for talking to providers: no redirects (they would let a provider's
/// answer send the server elsewhere), and a short timeout.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

/// Where the browser goes, and what this server keeps to check its return.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

async fn client(
    http: &reqwest::Client,
    connection: &Stored,
    redirect_uri: &str,
) -> Result<Client, String> {
    let issuer = IssuerUrl::new(connection.oidc_issuer.clone().unwrap_or_default())
        .map_err(|_| "The connection's issuer is not a valid address.".to_owned())?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| {
            tracing::warn!(connection = %connection.id, error = %e, "OIDC discovery failed");
            "The identity provider could not be reached, or its configuration could not be read. Try again later, or ask an administrator to check the connection's issuer.".to_owned()
        })?;
    let redirect = RedirectUrl::new(redirect_uri.to_owned())
        .map_err(|_| "This server's public address is not valid.".to_owned())?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(connection.oidc_client_id.clone().unwrap_or_default()),
        connection.oidc_client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect))
}

/// Starts a sign-in: the provider's authorization URL with a fresh state, nonce and PKCE
/// challenge.
pub async fn start(
    http: &reqwest::Client,
    connection: &Stored,
    redirect_uri: &str,
) -> Result<Started, String> {
    let client = client(http, connection, redirect_uri).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in connection.oidc_scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.url();
    Ok(Started {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// Finishes a sign-in: redeems the code and checks the ID token.
pub async fn finish(
    http: &reqwest::Client,
    connection: &Stored,
    redirect_uri: &str,
    code: String,
    nonce: String,
    pkce_verifier: String,
) -> Result<Identity, String> {
    let client = client(http, connection, redirect_uri).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| "The identity provider has no token endpoint.".to_owned())?
        .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
        .request_async(http)
        .await
        .map_err(|e| {
            tracing::warn!(connection = %connection.id, error = %e, "OIDC code exchange refused");
            "The identity provider refused to complete the sign-in (its answer to this server's credentials was an error). An administrator should check the connection's client id and client secret.".to_owned()
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| "The identity provider sent no ID token.".to_owned())?;
    let leeway = std::time::Duration::from_secs(connection.token_leeway_seconds.into());
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || chrono::Utc::now() - leeway);
    let claims = id_token
        .claims(&verifier, &Nonce::new(nonce))
        .map_err(|e| {
            tracing::warn!(connection = %connection.id, error = %e, "ID token refused");
            format!("The identity provider's ID token was refused: {e}.")
        })?;
    let payload: serde_json::Value = id_token
        .to_string()
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let localized =
        |name: Option<&openidconnect::LocalizedClaim<openidconnect::EndUserGivenName>>| {
            name.and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned())
        };
    Ok(Identity {
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|e| e.as_str().to_owned()),
        email_verified: claims.email_verified().unwrap_or(false),
        given_name: localized(claims.given_name()),
        family_name: claims
            .family_name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
        groups: gatehouse_api::sso::groups_in_claims(&payload, &connection.groups_claim),
    })
}
