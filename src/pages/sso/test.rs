//! `/sso/:id/test`: sample claims (OIDC, JSON) or SAML attributes (`name: value` lines)
//! in, and exactly which groups and roles such a person would end up with out, with the
//! IdP groups whose mappings gave each. Nothing changes on the server.

use std::collections::BTreeMap;

use gatehouse_api::sso::{Simulation, SimulationInput, SsoProtocol, DEFAULT_GROUPS_CLAIM};
use leptos::prelude::*;

use super::detail::CurrentConnection;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::chips::GroupChip;
use crate::components::field::TextArea;
use crate::session::use_session;

/// An ID token's claims as pasted: a JSON object.
pub fn parse_claims(text: &str) -> Result<serde_json::Value, String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        Ok(_) => Err("Paste a JSON object, such as {\"groups\": [\"engineers\"]}.".into()),
        Err(e) => Err(format!("That is not valid JSON: {e}.")),
    }
}

/// SAML attributes as pasted: one `name: value` a line, a name repeated for each of its
/// values; blank lines are skipped.
pub fn parse_attribute_lines(text: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut attributes = BTreeMap::<String, Vec<String>>::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "Line {}: write the attribute as name: value.",
                number + 1
            ));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(format!("Line {}: the attribute has no name.", number + 1));
        }
        attributes
            .entry(name.to_owned())
            .or_default()
            .push(value.trim().to_owned());
    }
    if attributes.is_empty() {
        return Err("Enter at least one attribute, as name: value.".into());
    }
    Ok(attributes)
}

#[component]
pub fn SsoTestTab() -> impl IntoView {
    let session = use_session();
    let CurrentConnection { connection, .. } = expect_context::<CurrentConnection>();
    let Some((id, protocol, claim)) = connection.with_untracked(|c| {
        c.as_ref().map(|c| {
            let claim = c
                .oidc
                .as_ref()
                .map(|o| o.groups_claim.clone())
                .or_else(|| c.saml.as_ref().map(|s| s.groups_attribute.clone()))
                .unwrap_or_else(|| DEFAULT_GROUPS_CLAIM.to_owned());
            (c.id, c.protocol, claim)
        })
    }) else {
        return ().into_any();
    };
    // A sample to start from, with this connection's groups claim or attribute.
    let sample = match protocol {
        SsoProtocol::Oidc => serde_json::to_string_pretty(&serde_json::json!({
            "email": "ada@example.com",
            claim.clone(): ["engineers"],
        }))
        .unwrap_or_default(),
        SsoProtocol::Saml2 => format!("email: ada@example.com\n{claim}: engineers"),
    };
    let text = RwSignal::new(sample);
    let invalid = RwSignal::new(None::<(String, String)>);
    let run = Action::new_local(move |input: &SimulationInput| {
        let input = input.clone();
        async move { api::sso::simulate(session, id, &input).await }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = text.get_untracked();
        let input = match protocol {
            SsoProtocol::Oidc => parse_claims(&typed).map(SimulationInput::Claims),
            SsoProtocol::Saml2 => parse_attribute_lines(&typed).map(SimulationInput::Attributes),
        };
        match input {
            Ok(input) => {
                invalid.set(None);
                run.dispatch(input);
            }
            Err(message) => invalid.set(Some((typed, message))),
        }
    };
    // The complaint holds for the text it was about: editing it clears the message.
    let complaint = Signal::derive(move || {
        invalid.with(|judged| {
            judged
                .as_ref()
                .filter(|(about, _)| text.with(|t| t == about))
                .map(|(_, message)| message.clone())
        })
    });
    let field = match protocol {
        SsoProtocol::Oidc => view! {
            <TextArea id="sso-test-claims" label="Sample claims (JSON)" value=text rows=10 error=complaint
                hint="An ID token's claims as the provider would send them, such as from jwt.io." />
        }
        .into_any(),
        SsoProtocol::Saml2 => view! {
            <TextArea id="sso-test-attributes" label="SAML attributes" value=text rows=10 error=complaint
                hint="One attribute value a line, as name: value; repeat the name for each of its values." />
        }
        .into_any(),
    };
    let outcome = move || match run.value().get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorBanner message=e.message() /> }.into_any(),
        Some(Ok(result)) => view! { <SimulationResult result /> }.into_any(),
    };
    view! {
        <section class="tab-panel" aria-label="Test">
            <p class="muted">"See what a sign-in would give before anyone signs in: nothing is saved, and no account is made. The saved mappings are used."</p>
            <form class="form" on:submit=submit novalidate>
                {field}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" id="sso-test-run" disabled=move || run.pending().get()>
                        {move || if run.pending().get() { "Testing…" } else { "Run test" }}
                    </button>
                </div>
            </form>
            <div id="sso-test-result" aria-live="polite">{outcome}</div>
        </section>
    }
    .into_any()
}

/// "from engineers, admins": the IdP groups whose mappings gave something.
fn from(groups: &[String]) -> String {
    format!("from {}", groups.join(", "))
}

#[component]
fn SimulationResult(result: Simulation) -> impl IntoView {
    let Simulation {
        idp_groups,
        unmapped,
        groups,
        roles,
    } = result;
    let names = |items: Vec<String>, none: &'static str| {
        if items.is_empty() {
            view! { <p class="muted">{none}</p> }.into_any()
        } else {
            view! { <ul class="chip-list">{items.into_iter().map(|g| view! { <li><code>{g}</code></li> }).collect_view()}</ul> }
                .into_any()
        }
    };
    view! {
        <div class="simulation">
            <h2>"Result"</h2>
            <div class="split">
                <div id="sso-test-idp-groups">
                    <h3>"IdP groups in the sample"</h3>
                    {names(idp_groups, "None: the groups claim is missing or empty.")}
                </div>
                <div id="sso-test-unmapped">
                    <h3>"Not mapped"</h3>
                    {names(unmapped, "Every IdP group has a mapping.")}
                </div>
            </div>
            <div class="split">
                <div>
                    <h3>"Groups they would join"</h3>
                    {if groups.is_empty() {
                        view! { <p class="muted">"None."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="item-list" id="sso-test-groups">
                                {groups.into_iter().map(|g| view! {
                                    <li data-group=g.group.id.to_string()>
                                        <GroupChip name=g.group.name color=g.group.color />
                                        <span class="muted from">{from(&g.from)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
                <div>
                    <h3>"Roles they would hold"</h3>
                    {if roles.is_empty() {
                        view! { <p class="muted">"None."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="item-list" id="sso-test-roles">
                                {roles.into_iter().map(|r| view! {
                                    <li data-role=r.role.id.to_string()>
                                        <strong>{r.role.name}</strong>
                                        <span class="muted from">{from(&r.from)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            </div>
        </div>
    }
}
