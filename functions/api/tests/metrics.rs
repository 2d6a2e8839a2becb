//! The API's EMF lines: one per request, named by method and route template, with the
//! outcome of a code check or the failure it met, and a line per code sent.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::metrics::{CapturedLines, Metrics, check_emf_line};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

struct Harness {
    router: axum::Router,
    lines: Arc<CapturedLines>,
    codes: Arc<FakeCodeDesk>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting("4217"));
    let service =
        OrderService::new(store, Arc::new(FakeDirectory::standard()), codes.clone(), clock, ChallengePolicy::default());
    let lines = Arc::new(CapturedLines::default());
    let router = pod_api::router_with_metrics(service, Metrics::to(lines.clone()));
    Harness { router, lines, codes, _dir: dir }
}

impl Harness {
    /// Sends a request; returns its status, body and the EMF lines it emitted (each checked).
    async fn call(&self, method: Method, path: &str, body: Option<&str>) -> (StatusCode, Value, Vec<Value>) {
        let before = self.lines.lines().len();
        let mut request = Request::builder().method(method).uri(path).header("authorization", "Bearer token-ana");
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty)).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let lines = self.lines.lines()[before..].iter().map(|l| check_emf_line(l).unwrap()).collect();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), lines)
    }
}

#[tokio::test]
async fn an_order_a_wrong_code_and_a_right_one_each_emit_their_line() {
    let h = harness();
    let (status, order, lines) = h.call(Method::POST, "/pod/api/orders", Some(r#"{"size":"large"}"#)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        (lines[0]["Function"].as_str(), lines[0]["Intent"].as_str()),
        (Some("api"), Some("POST /pod/api/orders"))
    );
    assert_eq!(lines[0]["Outcome"], "other");
    assert_eq!((lines[1]["Channel"].as_str(), lines[1]["CodesSent"].as_u64()), (Some("sms"), Some(1)));
    let confirm = format!("/pod/api/orders/{}/confirm", order["id"].as_str().unwrap());
    let (_, _, lines) = h.call(Method::POST, &confirm, Some(r#"{"code":"0000"}"#)).await;
    assert_eq!(lines[0]["Intent"], "POST /pod/api/orders/{id}/confirm");
    assert_eq!(lines[0]["Outcome"], "wrong_code");
    let (status, _, lines) = h.call(Method::POST, &confirm, Some(r#"{"code":"4217"}"#)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lines[0]["Outcome"], "confirmed");
    let text = h.lines.lines().join("\n");
    // Numbers (a duration, a timestamp) may hold any digits; no string member holds a code or a token.
    assert!(!text.contains("\"4217") && !text.contains("\"0000") && !text.contains("token-ana"), "{text}");
}

#[tokio::test]
async fn auth0_down_is_auth0_unavailable_and_an_unknown_path_is_other() {
    let h = harness();
    h.codes.set_down(true);
    let (status, _, lines) = h.call(Method::POST, "/pod/api/orders", Some(r#"{"size":"large"}"#)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(lines.len(), 1, "no code sent: {lines:?}");
    assert_eq!(lines[0]["Outcome"], "auth0_unavailable");
    let (status, _, lines) = h.call(Method::GET, "/pod/api/no-such-thing/12345", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(lines[0]["Intent"], "Other", "a path never becomes a dimension value");
}
