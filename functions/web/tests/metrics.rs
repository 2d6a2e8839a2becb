//! The web app's EMF lines: one per request, named by method and route template (an unknown
//! path is `Other`), each following the Embedded Metric Format.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use pod_shared::config::Settings;
use pod_shared::domain::Timestamp;
use pod_shared::metrics::{CapturedLines, Metrics, check_emf_line};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_web::{WebApp, WebSettings};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

#[tokio::test]
async fn each_page_request_emits_one_line_named_by_its_route() {
    let data = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(data.path()).unwrap());
    let vars = HashMap::from([
        ("AUTH0_DOMAIN", "pod.eu.auth0.com"),
        ("API_ID", "https://pod.localtest.me"),
        ("API_SIGNING_KEY", "an-api-signing-key-for-the-web-tests-0123"),
        ("APP_CLIENT_ID", "pod-web-client"),
        ("APP_CLIENT_SECRET", "a-client-secret-for-the-web-tests-0123456"),
        ("APP_BASE_URL", "https://pod.localtest.me"),
        ("SESSION_KEY", "a-session-key-for-the-web-metrics-test-0123456789abcdef0123456789"),
    ]);
    let lookup = |name: &str| vars.get(name).map(|v| v.to_string());
    let settings = Settings::from_lookup(lookup).unwrap();
    let web_settings = WebSettings::from_lookup(lookup).unwrap();
    let clock = Arc::new(ManualClock::at(Timestamp::now()));
    let service = OrderService::new(
        store.clone(),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting("4217")),
        clock,
        settings.challenge,
    )
    .with_sessions(store);
    let app = WebApp::new(service, web_settings, &settings.auth0).unwrap();
    let lines = Arc::new(CapturedLines::default());
    let router = pod_web::router_with_metrics(app, Metrics::to(lines.clone()));
    for (path, status) in [("/pod/app/policy", StatusCode::OK), ("/pod/app/nothing-here/42", StatusCode::NOT_FOUND)] {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        assert_eq!(router.clone().oneshot(request).await.unwrap().status(), status, "{path}");
    }
    let lines: Vec<Value> = lines.lines().iter().map(|l| check_emf_line(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        (lines[0]["Function"].as_str(), lines[0]["Intent"].as_str()),
        (Some("web"), Some("GET /pod/app/policy"))
    );
    assert_eq!(lines[0]["Requests"], 1);
    assert!(lines[0]["Duration"].is_number());
    assert_eq!(lines[1]["Intent"], "Other", "a path never becomes a dimension value");
}
