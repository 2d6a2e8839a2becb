//! Property tests: no body, path or query makes the API panic or answer 5xx;
//! every refusal is a problem document. Bounded in `make test`; `make fuzz` runs more.

use axum::body::Body;
use axum::http::{Method, Request};
use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap())
}

fn router() -> axum::Router {
    static ROUTER: OnceLock<(axum::Router, tempfile::TempDir)> = OnceLock::new();
    ROUTER
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let service = OrderService::new(
                Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap()),
                Arc::new(FakeDirectory::standard()),
                Arc::new(FakeCodeDesk::accepting("4217")),
                Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
                ChallengePolicy { sends_per_hour: 100, ..ChallengePolicy::default() },
            );
            (pod_api::router(service), dir)
        })
        .0
        .clone()
}

fn send(method: Method, path: &str, body: Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", "Bearer token-ana")
        .header("content-type", "application/json")
        .body(Body::from(body));
    let Ok(request) = request else { return };
    let response = runtime().block_on(router().oneshot(request)).unwrap();
    let status = response.status();
    assert!(status.as_u16() < 500, "{path}: {status}");
    if status.is_client_error() {
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_order_bodies(body in prop::collection::vec(any::<u8>(), 0..1024)) {
        send(Method::POST, "/pod/api/orders", body);
    }

    #[test]
    fn json_order_bodies_with_random_values(size in ".{0,12}", toppings in prop::collection::vec(".{0,12}", 0..6), extra in ".{0,8}") {
        let body = serde_json::json!({"size": size, "toppings": toppings}).to_string();
        send(Method::POST, "/pod/api/orders", body.into_bytes());
        let body = serde_json::json!({"size": "large", extra: 1}).to_string();
        send(Method::POST, "/pod/api/orders", body.into_bytes());
    }

    #[test]
    fn random_confirmations_paths_and_queries(code in ".{0,12}", id in "[a-z0-9-]{0,40}", query in "[a-z=&0-9%]{0,30}") {
        let body = serde_json::json!({"code": code}).to_string().into_bytes();
        send(Method::POST, &format!("/pod/api/orders/{id}/confirm"), body);
        send(Method::GET, &format!("/pod/api/orders?{query}"), Vec::new());
    }
}

#[test]
fn a_one_megabyte_body_is_413() {
    send(Method::POST, "/pod/api/orders", vec![b'{'; 1 << 20]);
}
