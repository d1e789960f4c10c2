//! `/users/import`: users from a CSV file. Choose the file; the server reads it, guesses
//! which column is which and says, row by row, what an import would do (nothing changes
//! yet); adjust the columns if needed; then import, and keep the report.

use gatehouse_api::export::safe_cell;
use gatehouse_api::import::{
    ImportField, ImportReport, ImportRequest, ImportRow, Mapping, RowOutcome, MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::download::save_text;
use crate::components::link::A;
use crate::components::shown::Shown;
use crate::components::toast::use_toasts;
use crate::reactive::Task;
use crate::session::use_session;

/// Rows of the report listed on the page; the downloadable report has them all.
const LISTED_ROWS: usize = 500;

/// The report as CSV: line, email, outcome and detail of every row.
pub fn report_csv(rows: &[ImportRow]) -> String {
    let cell = |text: &str| format!("\"{}\"", safe_cell(text).replace('"', "\"\""));
    let mut out = String::from("line,email,outcome,detail\r\n");
    for row in rows {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            row.line,
            cell(&row.email),
            row.outcome.label(),
            cell(row.detail.as_deref().unwrap_or_default())
        ));
    }
    out
}

/// "Would create 3 users, update 1; 2 unchanged; 1 row has an error."
pub fn import_summary(report: &ImportReport) -> String {
    let users = |n: u64| {
        if n == 1 {
            "1 user".to_owned()
        } else {
            format!("{n} users")
        }
    };
    let mut parts = vec![if report.dry_run {
        format!(
            "Would create {}, update {}",
            users(report.created),
            report.updated
        )
    } else {
        format!(
            "Created {}, updated {}",
            users(report.created),
            report.updated
        )
    }];
    parts.push(format!("{} unchanged", report.unchanged));
    match report.errors {
        0 => {}
        1 => parts.push("1 row has an error".into()),
        n => parts.push(format!("{n} rows have errors")),
    }
    format!("{}.", parts.join("; "))
}

/// Reads the chosen file: its name and text, or why it cannot be imported.
async fn read_file(file: web_sys::File) -> Result<(String, String), String> {
    if file.size() > MAX_IMPORT_BYTES as f64 {
        return Err(format!(
            "{} is larger than {} MB; split it into smaller files.",
            file.name(),
            MAX_IMPORT_BYTES / 1024 / 1024
        ));
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "The file could not be read.".to_owned())?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "{} is not UTF-8 text. In the spreadsheet, save it as \"CSV UTF-8\" and choose it again.",
            file.name()
        )
    })?;
    Ok((file.name(), text))
}

#[component]
pub fn ImportUsersPage() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let file = RwSignal::new(None::<(String, String)>);
    let mapping = RwSignal::new(None::<Mapping>);
    let report = RwSignal::new(None::<ImportReport>);
    let welcome = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let send = Task::new(move |dry_run: &bool| {
        let dry_run = *dry_run;
        let csv = file.get_untracked().map(|(_, text)| text);
        let request = csv.map(|csv| ImportRequest {
            csv,
            mapping: mapping.get_untracked(),
            dry_run,
            send_welcome_email: welcome.get_untracked(),
        });
        async move {
            let Some(request) = request else { return };
            match api::users::import(session, &request).await {
                Ok(answer) => {
                    error.set(None);
                    if !answer.dry_run {
                        toasts.success(import_summary(&answer));
                    }
                    mapping.set(Some(answer.mapping.clone()));
                    report.set(Some(answer));
                }
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
        let Some(chosen) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            report.set(None);
            mapping.set(None);
            match read_file(chosen).await {
                Ok(read) => {
                    error.set(None);
                    file.set(Some(read));
                    send.dispatch(true);
                }
                Err(why) => {
                    file.set(None);
                    error.set(Some(why));
                }
            }
        });
    };
    // The mapping on screen differs from the one the report was made with.
    let remapped = move || report.with(|r| r.as_ref().map(|r| r.mapping.clone())) != mapping.get();
    let busy = send.pending();

    let mapping_table = move || {
        report.get().map(|r| {
            let first = r.preview.first().cloned().unwrap_or_default();
            let rows = r.headers.into_iter().enumerate().map(|(column, header)| {
                let example = first.get(column).cloned().unwrap_or_default();
                let id = format!("map-{column}");
                let value = move || {
                    mapping.with(|m| {
                        m.as_ref()
                            .and_then(|m| m.get(column).copied().flatten())
                            .map(|f| f.key().to_owned())
                            .unwrap_or_default()
                    })
                };
                let on_change = move |ev: leptos::ev::Event| {
                    let picked = ImportField::parse(&event_target_value(&ev));
                    mapping.update(|m| {
                        if let Some(slot) = m.as_mut().and_then(|m| m.get_mut(column)) {
                            *slot = picked;
                        }
                    });
                };
                view! {
                    <tr>
                        <th scope="row"><label for=id.clone()>{header}</label></th>
                        <td>
                            <select id=id prop:value=value on:change=on_change>
                                <option value="">"Leave out"</option>
                                {ImportField::ALL.map(|f| view! { <option value=f.key()>{f.label()}</option> }).collect_view()}
                            </select>
                        </td>
                        <td class="muted">{example}</td>
                    </tr>
                }
            }).collect_view();
            view! {
                <section aria-labelledby="columns-title">
                    <h2 id="columns-title">"Columns"</h2>
                    <p class="muted">"Each column of the file, the field it fills, and its value on the first row."</p>
                    <table class="table import-mapping">
                        <thead><tr><th scope="col">"Column"</th><th scope="col">"Fills"</th><th scope="col">"First row"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <Shown when=remapped>
                        <button type="button" class="button" id="import-check" disabled=move || busy.get()
                            on:click=move |_| { send.dispatch(true); }>"Check again with these columns"</button>
                    </Shown>
                </section>
            }
        })
    };

    let results = move || {
        report.get().map(|r| {
            let shown: Vec<ImportRow> = r
                .rows
                .iter()
                .filter(|row| row.outcome != RowOutcome::Unchanged)
                .take(LISTED_ROWS)
                .cloned()
                .collect();
            let hidden = (r.created + r.updated + r.errors) as usize - shown.len();
            let all_rows = r.rows.clone();
            let title = if r.dry_run { "What an import would do" } else { "What the import did" };
            view! {
                <section aria-labelledby="results-title">
                    <h2 id="results-title">{title}</h2>
                    <p role="status" class="import-summary"><strong>{import_summary(&r)}</strong></p>
                    {(!shown.is_empty()).then(|| view! {
                        <table class="table import-rows">
                            <thead><tr>
                                <th scope="col" class="cell-number">"Line"</th><th scope="col">"Email"</th>
                                <th scope="col">"Result"</th><th scope="col">"Detail"</th>
                            </tr></thead>
                            <tbody>{shown.into_iter().map(|row| view! {
                                <tr data-outcome=format!("{:?}", row.outcome).to_lowercase()>
                                    <td class="cell-number">{row.line}</td>
                                    <td class="cell-email">{row.email}</td>
                                    <td>{row.outcome.label()}</td>
                                    <td>{row.detail.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    })}
                    {(hidden > 0).then(|| view! { <p class="muted">{format!("And {hidden} more rows: the report has them all.")}</p> })}
                    <button type="button" class="button" id="import-report"
                        on:click=move |_| {
                            if save_text("import-report.csv", "text/csv;charset=utf-8", &report_csv(&all_rows)).is_err() {
                                toasts.error("The browser did not let the file be saved.".to_owned());
                            }
                        }>
                        "Download the report (CSV)"
                    </button>
                </section>
            }
        })
    };

    let can_run = move || {
        report.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.dry_run && r.created + r.updated > 0)
        }) && !remapped()
            && !busy.get()
    };
    let run_label = move || {
        report.with(|r| match r {
            Some(r) => format!("Import: create {}, update {}", r.created, r.updated),
            None => "Import".into(),
        })
    };

    view! {
        <Breadcrumbs parent="Users" href="/users" current=Signal::stored("Import from CSV".to_owned()) />
        <div class="page-header">
            <div>
                <h1>"Import users from CSV"</h1>
                <p class="muted">
                    "A header row, then one user per row; the email address says who each row is. "
                    "Rows for people who exist update them (empty cells change nothing); the rest create users. "
                    "Groups and roles are named, separated by ;, and only ever added. "
                    "An export from this console imports as it is, and importing the same file twice changes nothing."
                </p>
            </div>
        </div>
        <div class="field">
            <label for="import-file">"CSV file"</label>
            <input type="file" id="import-file" accept=".csv,text/csv" on:change=choose aria-describedby="import-file-hint" />
            <p class="hint" id="import-file-hint">
                {format!("UTF-8, at most {} MB and {MAX_IMPORT_ROWS} rows.", MAX_IMPORT_BYTES / 1024 / 1024)}
            </p>
        </div>
        {move || error.get().map(|message| view! { <ErrorBanner message /> })}
        <Shown when=move || busy.get()>
            <p class="muted" aria-busy="true"><progress></progress> " Reading the file and checking every row…"</p>
        </Shown>
        {mapping_table}
        {results}
        <Shown when=move || report.with(|r| r.as_ref().is_some_and(|r| r.dry_run))>
            <div class="form-actions">
                <label class="checkbox">
                    <input type="checkbox" id="import-welcome" prop:checked=move || welcome.get()
                        on:change:target=move |ev| welcome.set(ev.target().checked()) />
                    "Email each new user a link to choose their password"
                </label>
                <button type="button" class="button button-primary" id="import-run" disabled=move || !can_run()
                    on:click=move |_| { send.dispatch(false); }>
                    {run_label}
                </button>
            </div>
        </Shown>
        <Shown when=move || report.with(|r| r.as_ref().is_some_and(|r| !r.dry_run))>
            <p><A href="/users">"Back to the users"</A></p>
        </Shown>
    }
}
