//! The words the audit log, bulk actions and CSV import put on screen, and the import
//! report's CSV.

use gatehouse_api::bulk::{BulkOutcome, BulkResult, BulkUserResult};
use gatehouse_api::import::{ImportReport, ImportRow, RowOutcome};
use gatehouse_console::pages::audit::shown;
use gatehouse_console::pages::users::{bulk_summary, import_summary, report_csv};
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn changed_values_read_as_text() {
    assert_eq!(shown(None), "—");
    assert_eq!(shown(Some(&json!(null))), "—");
    assert_eq!(shown(Some(&json!("Ada"))), "Ada");
    assert_eq!(shown(Some(&json!(true))), "yes");
    assert_eq!(shown(Some(&json!(["Admin", "Viewer"]))), "Admin, Viewer");
    assert_eq!(shown(Some(&json!(365))), "365");
}

fn result(outcome: BulkOutcome) -> BulkUserResult {
    BulkUserResult {
        user_id: Uuid::nil(),
        email: "a@example.com".into(),
        outcome,
        reason: None,
    }
}

#[wasm_bindgen_test]
fn bulk_summaries_count_what_happened() {
    let preview = BulkResult::new(
        true,
        vec![
            result(BulkOutcome::Done),
            result(BulkOutcome::Done),
            result(BulkOutcome::Refused),
        ],
    );
    assert_eq!(
        bulk_summary(&preview, "disable"),
        "Would disable 2 users; 1 refused."
    );
    let done = BulkResult::new(
        false,
        vec![result(BulkOutcome::Done), result(BulkOutcome::Skipped)],
    );
    assert_eq!(bulk_summary(&done, ""), "Done for 1 user; 1 skipped.");
}

#[wasm_bindgen_test]
fn import_summaries_and_the_report_file() {
    let rows = vec![
        ImportRow {
            line: 2,
            email: "ada@example.com".into(),
            outcome: RowOutcome::Updated,
            detail: Some("Changes first_name".into()),
        },
        ImportRow {
            line: 3,
            email: "=cmd@example.com".into(),
            outcome: RowOutcome::Error,
            detail: Some("Say \"hello\"".into()),
        },
    ];
    let mut report = ImportReport {
        dry_run: true,
        headers: vec!["email".into()],
        mapping: vec![None],
        preview: Vec::new(),
        created: 0,
        updated: 0,
        unchanged: 0,
        errors: 0,
        rows: rows.clone(),
    };
    report.tally();
    assert_eq!(
        import_summary(&report),
        "Would create 0 users, update 1; 0 unchanged; 1 row has an error."
    );
    assert_eq!(
        report_csv(&rows),
        "line,email,outcome,detail\r\n\
         2,\"ada@example.com\",Update,\"Changes first_name\"\r\n\
         3,\"'=cmd@example.com\",Error,\"Say \"\"hello\"\"\"\r\n"
    );
}
