//! The connection's settings form, shared by the wizard's second step and the Settings
//! tab; and the wizard itself (`/sso/new`): protocol and provider first, then the fields.

use gatehouse_api::sso::{
    CertificateInfo, ConnectionInput, FirstSignIn, ProviderPreset, SsoConnection, SsoProtocol,
};
use gatehouse_api::FieldError;
use leptos::prelude::*;

use super::draft::{preset_help, preset_key, protocol_key, SettingsDraft};
use super::lookup::{DiscoverIssuer, ImportMetadata};
use crate::api;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::field::{CheckboxField, RadioGroup, TextArea, TextField};
use crate::components::form_frame::FormFrame;
use crate::components::shown::Shown;
use crate::components::status::Badge;
use crate::components::time::day;
use crate::forms::{create_session, focus_later, FormState};
use crate::session::use_session;

/// Title, the protocol's fields, the groups claim or attribute, the first-time policy
/// and whether it is offered. `saved` is the connection being edited (`None`: a new
/// one, whose secret or certificate is asked for at once).
#[component]
pub fn ConnectionFields(
    draft: SettingsDraft,
    form: FormState,
    #[prop(into)] client_errors: Signal<Vec<FieldError>>,
    #[prop(into)] saved: Signal<Option<SsoConnection>>,
) -> impl IntoView {
    let error =
        move |field: &'static str, value: RwSignal<String>| form.error(field, value, client_errors);
    let protocol = draft.protocol;
    let first_sign_in = Signal::derive(move || draft.first_sign_in.get().as_str().to_owned());
    view! {
        <fieldset>
            <legend>"Connection"</legend>
            <TextField id="sso-title" label="Title" value=draft.title required=true
                hint="Shown on the sign-in page as \u{201c}Sign in with …\u{201d}, such as Acme Okta."
                error=error("title", draft.title) reveal=form.submitted />
            {move || match protocol.get() {
                SsoProtocol::Oidc => view! { <OidcFields draft form client_errors saved /> }.into_any(),
                SsoProtocol::Saml2 => view! { <SamlFields draft form client_errors saved /> }.into_any(),
            }}
        </fieldset>
        <fieldset>
            <legend>"Signing in"</legend>
            <RadioGroup name="first-sign-in" legend="Someone signs in through it for the first time"
                options=FirstSignIn::ALL.into_iter().map(|f| (f.as_str(), f.label(), None)).collect()
                value=first_sign_in
                on_change=Callback::new(move |v: String| {
                    if let Some(policy) = FirstSignIn::parse(&v) { draft.first_sign_in.set(policy) }
                }) />
            <CheckboxField id="sso-enabled" label="Enabled: offer it on the sign-in page" checked=draft.enabled
                hint="While off, nobody can sign in through it; the Test tab still works." />
        </fieldset>
    }
}

#[component]
fn OidcFields(
    draft: SettingsDraft,
    form: FormState,
    client_errors: Signal<Vec<FieldError>>,
    saved: Signal<Option<SsoConnection>>,
) -> impl IntoView {
    let error =
        move |field: &'static str, value: RwSignal<String>| form.error(field, value, client_errors);
    let secret_set = move || {
        saved.with(|s| {
            s.as_ref()
                .and_then(|s| s.oidc.as_ref())
                .is_some_and(|o| o.client_secret_set)
        })
    };
    let replacing = draft.replacing_secret;
    let secret_field = move || {
        view! {
            <TextField id="oidc-client-secret" label=if saved.with(Option::is_some) { "New client secret" } else { "Client secret" }
                value=draft.client_secret input_type="password" autocomplete="new-password" required=true
                hint="Write-only: Gatehouse never shows it again."
                error=error("oidc.client_secret", draft.client_secret) reveal=form.submitted />
        }
    };
    view! {
        <TextField id="oidc-issuer" label="Issuer URL" value=draft.issuer required=true input_type="url"
            hint="Where /.well-known/openid-configuration is, such as https://login.example.com."
            error=error("oidc.issuer", draft.issuer) reveal=form.submitted />
        <DiscoverIssuer draft />
        <TextField id="oidc-client-id" label="Client ID" value=draft.client_id required=true
            error=error("oidc.client_id", draft.client_id) reveal=form.submitted />
        {move || match (saved.with(Option::is_some), replacing.get()) {
            (false, _) => secret_field().into_any(),
            (true, false) => view! {
                <div class="field secret-state">
                    <span class="field-label" id="oidc-client-secret-label">"Client secret"</span>
                    <div class="secret-state-row">
                        <span id="oidc-client-secret-state" aria-labelledby="oidc-client-secret-label oidc-client-secret-state">
                            {move || if secret_set() {
                                view! { <Badge tone="ok" label="Set" state="SET" /> }.into_any()
                            } else {
                                view! { <Badge tone="off" label="Not set" state="NOT_SET" /> }.into_any()
                            }}
                        </span>
                        <button type="button" class="button" id="replace-client-secret"
                            on:click=move |_| { replacing.set(true); focus_later("oidc-client-secret"); }>
                            "Replace secret"
                        </button>
                    </div>
                </div>
            }.into_any(),
            (true, true) => view! {
                {secret_field()}
                <button type="button" class="button button-quiet" on:click=move |_| {
                    replacing.set(false);
                    draft.client_secret.set(String::new());
                    focus_later("replace-client-secret");
                }>"Keep the current secret"</button>
            }.into_any(),
        }}
        <TextField id="oidc-scopes" label="Scopes" value=draft.scopes
            hint="Separated by spaces. openid is needed; email and profile bring the address and name."
            error=error("oidc.scopes", draft.scopes) reveal=form.submitted />
        <TextField id="oidc-groups-claim" label="Groups claim" value=draft.groups_claim required=true
            hint="The ID token claim listing the user's groups; a /json/pointer reaches a nested one."
            error=error("oidc.groups_claim", draft.groups_claim) reveal=form.submitted />
        <TextField id="oidc-clock-leeway" label="Token expiration threshold (seconds)" value=draft.clock_leeway
            input_type="number"
            hint="How far the provider's clock may be from this server's when token times are checked. 60 unless tokens are refused as not yet valid or expired."
            error=error("oidc.token_expiration_threshold_seconds", draft.clock_leeway) reveal=form.submitted />
    }
}

#[component]
fn SamlFields(
    draft: SettingsDraft,
    form: FormState,
    client_errors: Signal<Vec<FieldError>>,
    saved: Signal<Option<SsoConnection>>,
) -> impl IntoView {
    let error =
        move |field: &'static str, value: RwSignal<String>| form.error(field, value, client_errors);
    let certificate = move || {
        saved.with(|s| {
            s.as_ref()
                .and_then(|s| s.saml.as_ref())
                .and_then(|s| s.certificate.clone())
        })
    };
    let replacing = draft.replacing_certificate;
    let pem_error = error("saml.certificate_pem", draft.certificate_pem);
    let pem_field = move || {
        view! {
            <TextArea id="saml-certificate" label="Signing certificate (PEM)" value=draft.certificate_pem rows=8
                hint="-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----, from the IdP's metadata or download."
                error=Signal::derive(move || pem_error.get().filter(|_| form.submitted.get())) />
            <PemFile value=draft.certificate_pem />
        }
    };
    view! {
        <ImportMetadata draft />
        <TextField id="saml-idp-entity-id" label="IdP entity ID" value=draft.idp_entity_id required=true
            hint="The issuer the IdP's metadata names (entityID)."
            error=error("saml.idp_entity_id", draft.idp_entity_id) reveal=form.submitted />
        <TextField id="saml-login-url" label="Sign-in URL" value=draft.login_url required=true input_type="url"
            hint="The IdP's SingleSignOnService address for the HTTP-Redirect binding."
            error=error("saml.login_url", draft.login_url) reveal=form.submitted />
        {move || match (saved.with(Option::is_some), replacing.get()) {
            (false, _) => pem_field().into_any(),
            (true, false) => view! {
                <div class="field">
                    <span class="field-label">"Signing certificate"</span>
                    {move || match certificate() {
                        Some(info) => view! { <CertificateFacts info /> }.into_any(),
                        None => view! { <p id="saml-cert-none"><Badge tone="off" label="Not set" state="NOT_SET" /></p> }.into_any(),
                    }}
                    <button type="button" class="button" id="replace-certificate"
                        on:click=move |_| { replacing.set(true); focus_later("saml-certificate"); }>
                        "Replace certificate"
                    </button>
                </div>
            }.into_any(),
            (true, true) => view! {
                {pem_field()}
                <button type="button" class="button button-quiet" on:click=move |_| {
                    replacing.set(false);
                    draft.certificate_pem.set(String::new());
                    focus_later("replace-certificate");
                }>"Keep the current certificate"</button>
            }.into_any(),
        }}
        <TextField id="saml-groups-attribute" label="Groups attribute" value=draft.groups_attribute required=true
            hint="The attribute listing the user's groups in the assertion."
            error=error("saml.groups_attribute", draft.groups_attribute) reveal=form.submitted />
    }
}

/// The certificate as parsed by the server, to compare with what the IdP shows.
#[component]
fn CertificateFacts(info: CertificateInfo) -> impl IntoView {
    view! {
        <dl class="facts certificate-facts">
            <dt>"SHA-256 thumbprint"</dt><dd><code id="saml-cert-sha256">{info.sha256}</code></dd>
            <dt>"SHA-1 thumbprint"</dt><dd><code id="saml-cert-sha1">{info.sha1}</code></dd>
            <dt>"Subject"</dt><dd id="saml-cert-subject">{info.subject}</dd>
            <dt>"Expires"</dt><dd id="saml-cert-expires">{day(info.not_after)}</dd>
        </dl>
    }
}

/// Reads a `.pem` or `.crt` file into `value`, so nobody has to open it in an editor.
#[component]
fn PemFile(value: RwSignal<String>) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    let read = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => {
                    failed.set(None);
                    value.set(text.as_string().unwrap_or_default());
                }
                Err(_) => failed.set(Some("The file could not be read.".into())),
            }
        });
    };
    view! {
        <div class="field">
            <label for="saml-certificate-file">"Or read it from a file"</label>
            <input type="file" id="saml-certificate-file" accept=".pem,.crt,.cer,application/x-pem-file" on:change=read />
            <p class="field-error" aria-live="polite">{move || failed.get()}</p>
        </div>
    }
}

/// `/sso/new`: the wizard. First the protocol and the provider (which fills defaults and
/// says where to find the values), then the fields; creating opens the connection.
#[component]
pub fn NewConnectionPage() -> impl IntoView {
    let session = use_session();
    let draft = SettingsDraft::default();
    let step = RwSignal::new(1u8);
    let create = create_session(
        move || draft.to_input(None),
        |request: &ConnectionInput| request.validate(true),
        move |request: ConnectionInput| async move { api::sso::create(session, &request).await },
        |created: &SsoConnection| {
            (
                format!("The connection {} was created.", created.title),
                format!("/sso/{}", created.id),
            )
        },
    );
    let protocol = Signal::derive(move || protocol_key(draft.protocol.get()).to_owned());
    let preset = Signal::derive(move || preset_key(draft.preset.get()).to_owned());
    let on_protocol = Callback::new(move |value: String| {
        draft.protocol.set(if value == "saml2" {
            SsoProtocol::Saml2
        } else {
            SsoProtocol::Oidc
        });
    });
    let on_preset = Callback::new(move |value: String| {
        if let Some(preset) = ProviderPreset::ALL
            .into_iter()
            .find(|p| preset_key(*p) == value)
        {
            draft.choose_preset(preset);
        }
    });
    let help = move || preset_help(draft.preset.get(), draft.protocol.get());
    let chosen = move || {
        format!(
            "{} · {}",
            draft.protocol.get().label(),
            draft.preset.get().label()
        )
    };
    let unsaved = Signal::derive(|| None::<SsoConnection>);
    let go = move |to: u8| {
        step.set(to);
        focus_later(if to == 2 {
            "sso-title"
        } else {
            "sso-protocol-oidc"
        });
    };
    view! {
        <Breadcrumbs parent="SSO" href="/sso" current="New connection" />
        <div class="page-header"><h1>"New connection"</h1></div>
        <ol class="wizard-steps">
            <li aria-current=move || (step.get() == 1).then_some("step")>"Protocol and provider"</li>
            <li aria-current=move || (step.get() == 2).then_some("step")>"Settings"</li>
        </ol>
        <Shown when=move || step.get() == 1 fallback=move || view! {
            <p class="wizard-chosen">
                <span id="sso-chosen">{chosen}</span>" "
                <button type="button" class="link-button" on:click=move |_| go(1)>"Change"</button>
            </p>
            <p class="muted" id="sso-preset-help">{help}</p>
            <FormFrame form=create.form pending=create.pending read_only=false submit_label="Create connection"
                pending_label="Creating…" on_submit=create.submit cancel=Some("/sso")>
                <ConnectionFields draft form=create.form client_errors=create.client_errors saved=unsaved />
            </FormFrame>
        }>
            <div class="form">
                <RadioGroup name="sso-protocol" legend="Protocol" value=protocol on_change=on_protocol options=vec![
                    ("oidc", SsoProtocol::Oidc.label(), Some("Most providers: Okta, Entra ID, Google, Keycloak, Auth0.")),
                    ("saml2", SsoProtocol::Saml2.label(), Some("For providers or policies that require SAML.")),
                ] />
                <RadioGroup name="sso-preset" legend="Provider" value=preset on_change=on_preset
                    options=ProviderPreset::ALL.into_iter().map(|p| (preset_key(p), p.label(), None)).collect() />
                <p class="muted" id="sso-preset-help">{help}</p>
                <div class="form-actions">
                    <button type="button" class="button button-primary" id="sso-wizard-next" on:click=move |_| go(2)>"Continue"</button>
                    <crate::components::link::A href="/sso" attr:class="button button-quiet">"Cancel"</crate::components::link::A>
                </div>
            </div>
        </Shown>
    }
}
