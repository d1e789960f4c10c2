//! The group filter of the users list: a search that reaches every group, however many
//! the tenant has, instead of a list of the first few hundred. The search and the chosen
//! group's name arrive with the list's other extras (the `bulk` chunk) the first time
//! they show.

use gatehouse_api::groups::GroupRef;
use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::components::lazy::LazyPart;
use crate::components::pickers::GroupPicker;
use crate::components::shown::Shown;
use crate::reactive::Fetched;
use crate::session::use_session;

#[component]
pub fn GroupFilter(
    #[prop(into)] selected: Signal<Option<Uuid>>,
    on_change: Callback<Option<Uuid>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let close = move || {
        open.set(false);
        if let Some(button) = button.get() {
            let _ = button.focus();
        }
    };
    let choose = move |id: Option<Uuid>| {
        on_change.run(id);
        close();
    };
    provide_context(GroupFilterScope {
        selected,
        pick: Callback::new(move |group: GroupRef| choose(Some(group.id))),
    });
    // A chosen group narrows the list, which brings the list's extras anyway.
    let shown = move || match selected.get() {
        None => "Any".into_any(),
        Some(_) => view! { <LazyPart load=crate::chunks::group_filter_label /> }.into_any(),
    };
    view! {
        <div class="field field-inline group-filter">
            <span id="filter-group-label">"Group"</span>
            <button type="button" class="button" node_ref=button aria-haspopup="dialog"
                aria-expanded=move || open.get().to_string()
                aria-labelledby="filter-group-label filter-group-value"
                on:click=move |_| open.update(|o| *o = !*o)>
                <span id="filter-group-value">{shown}</span>
            </button>
            <Shown when=move || open.get()>
                <div class="popover" role="dialog" aria-label="Filter by group"
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                    <LazyPart load=crate::chunks::group_filter_search />
                    <button type="button" class="button button-quiet" on:click=move |_| choose(None)>"Any group"</button>
                </div>
            </Shown>
        </div>
    }
}

/// What the filter's loaded parts need: the chosen group, and what picking one does.
#[derive(Clone, Copy)]
struct GroupFilterScope {
    selected: Signal<Option<Uuid>>,
    pick: Callback<GroupRef>,
}

/// The group filter's search.
#[component]
pub fn GroupFilterSearch() -> impl IntoView {
    let GroupFilterScope { pick, .. } = expect_context();
    view! { <GroupPicker on_pick=pick /> }
}

/// The chosen group's name: it may be one no list on screen has loaded.
#[component]
pub fn GroupFilterLabel() -> impl IntoView {
    let GroupFilterScope { selected, .. } = expect_context();
    let session = use_session();
    let chosen = Fetched::new(move || {
        let id = selected.get();
        async move {
            match id {
                Some(id) => api::groups::reference(session, id)
                    .await
                    .ok()
                    .map(|g| g.name),
                None => None,
            }
        }
    });
    move || chosen.get().flatten().unwrap_or_else(|| "…".to_owned())
}
