use leptos::prelude::*;

use crate::components::link::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="centered-page">
            <div class="card narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. It may have moved, or the link may be incomplete."</p>
                <A href="/users" attr:class="button button-primary">"Go to users"</A>
            </div>
        </main>
    }
}
