//! The API client's JSON reader (`api::read_json`): objects read exactly as serde_json
//! reads them, at every depth, and a struct sent as an array refused.

use std::collections::BTreeMap;

use crate::common::user;
use gatehouse_api::audit::Actor;
use gatehouse_api::users::{User, UserStatus};
use gatehouse_api::{Meta, Page, Pagination};
use gatehouse_console::api::read_json;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn objects_read_as_serde_json_reads_them() {
    let mut someone = user("ada@example.com", "Ada", UserStatus::Locked, true);
    someone.custom_attributes = BTreeMap::from([("team".to_owned(), "core".to_owned())]);
    someone.last_login_at = Some("2026-02-03T04:05:06.789Z".parse().unwrap());
    let page = Page {
        data: vec![
            someone.clone(),
            user("bo@example.com", "Bo", UserStatus::Active, false),
        ],
        pagination: Pagination::estimated(2, 50, 12_345),
        meta: Meta {
            request_id: "req-1".into(),
            timestamp: "2026-02-03T04:05:06Z".parse().unwrap(),
        },
    };
    let text = serde_json::to_string(&page).unwrap();
    let read: Page<User> = read_json(&text).unwrap();
    assert_eq!(read.data, page.data);
    assert_eq!(read.pagination, page.pagination);
    assert_eq!(read.meta, page.meta);

    // Internally tagged enums, with and without fields, and an absent option.
    let actors = vec![
        Actor::User {
            id: someone.id,
            name: "Ada".into(),
        },
        Actor::System,
    ];
    let text = serde_json::to_string(&actors).unwrap();
    assert_eq!(read_json::<Vec<Actor>>(&text).unwrap(), actors);
    assert_eq!(read_json::<Option<u32>>("null").unwrap(), None);
}

#[wasm_bindgen_test]
fn a_struct_sent_as_an_array_or_with_trailing_text_is_refused() {
    let as_array = "[1, 50, 10, 1, false]";
    let error = read_json::<Pagination>(as_array).unwrap_err().to_string();
    assert!(error.contains("invalid type: sequence"), "{error}");
    assert!(
        serde_json::from_str::<Pagination>(as_array).is_ok(),
        "serde_json itself would take it"
    );
    let trailing = serde_json::to_string(&Pagination::new(1, 50, 10)).unwrap() + " x";
    let error = read_json::<Pagination>(&trailing).unwrap_err().to_string();
    assert!(error.contains("trailing characters"), "{error}");
}

#[wasm_bindgen_test]
fn timestamps_read_as_the_server_writes_them_and_a_malformed_one_is_named() {
    let someone = user("ada@example.com", "Ada", UserStatus::Active, false);
    let mut value = serde_json::to_value(&someone).unwrap();
    value["created_at"] = "2026-12-06T13:49:23.5+01:00".into();
    value["last_login_at"] = serde_json::Value::Null;
    value.as_object_mut().unwrap().remove("password_changed_at");
    let read: User = read_json(&value.to_string()).unwrap();
    let expected: chrono::DateTime<chrono::Utc> = "2026-12-06T12:49:23.5Z".parse().unwrap();
    assert_eq!(read.created_at, expected);
    assert_eq!((read.last_login_at, read.password_changed_at), (None, None));

    value["created_at"] = "yesterday".into();
    let error = read_json::<User>(&value.to_string())
        .unwrap_err()
        .to_string();
    assert!(error.contains("an RFC 3339 timestamp"), "{error}");
}

#[wasm_bindgen_test]
fn a_date_field_ends_at_the_last_second_of_its_day() {
    use gatehouse_console::components::time::{day, end_of};
    let end = end_of("2026-12-24").unwrap();
    assert_eq!(end.to_rfc3339(), "2026-12-24T23:59:59+00:00");
    assert_eq!(day(end), "24 Dec 2026");
    for not_a_date in [
        "",
        "2026-02-30",
        "2026-1-05",
        "2026-12-24-1",
        "２０26-12-24",
        "+202-12-24",
    ] {
        assert_eq!(end_of(not_a_date), None, "{not_a_date}");
    }
}
