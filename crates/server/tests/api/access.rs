//! The endpoint table, the served routes and the OpenAPI document agree; every route
//! that is not public refuses callers without a token.

use std::collections::BTreeSet;

use gatehouse_api::endpoints::{self, Access};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{problem, TestServer};

/// A concrete URL for a route pattern.
fn concrete(path: &str) -> String {
    path.replace("{tenant_id}", "default")
        .replace("{user_id}", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
}

#[tokio::test]
async fn every_protected_endpoint_requires_a_token() {
    let server = TestServer::start().await;
    for endpoint in endpoints::ALL.iter().filter(|e| e.access != Access::Public) {
        let method = Method::from_bytes(endpoint.method.as_str().as_bytes()).unwrap();
        let response = server
            .request(method, &concrete(endpoint.path), None)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{} {}",
            endpoint.method.as_str(),
            endpoint.path
        );
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
}

#[tokio::test]
async fn openapi_document_lists_exactly_the_endpoint_table() {
    let server = TestServer::start().await;
    let response = server
        .request(Method::GET, "/api/openapi.json", None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "parameters")
        {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let table: BTreeSet<_> = endpoints::ALL
        .iter()
        .map(|e| (e.method.as_str().to_owned(), e.path.to_owned()))
        .collect();
    let undocumented: Vec<_> = table.difference(&documented).collect();
    let unlisted: Vec<_> = documented.difference(&table).collect();
    assert!(
        undocumented.is_empty(),
        "in the endpoint table but not in the OpenAPI document: {undocumented:?}"
    );
    assert!(
        unlisted.is_empty(),
        "in the OpenAPI document but without an access rule: {unlisted:?}"
    );
    for schema in ["User", "Problem", "CreateUser", "UpdateUser", "Pagination"] {
        assert!(
            document["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
    let mut unresolved = Vec::new();
    unresolved_refs(&document, &document, &mut unresolved);
    assert!(unresolved.is_empty(), "unresolvable $ref: {unresolved:?}");
}

/// Every `$ref` under `value` that names nothing in `document`.
fn unresolved_refs(document: &Value, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let pointer = target.trim_start_matches('#');
                if document.pointer(pointer).is_none() {
                    out.push(target.clone());
                }
            }
            map.values().for_each(|v| unresolved_refs(document, v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| unresolved_refs(document, v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn health_answers_without_a_token() {
    let server = TestServer::start().await;
    let response = server
        .request(Method::GET, "/healthz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}
