//! Every recorded API Gateway event for the api goes through the api's handler
//! the way Lambda delivers it (decoded by `lambda_http`) and gets a well-formed answer.

use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

const RIGHT_CODE: &str = "4217";

fn event_text(name: &str, order_id: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/http").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .replace("{{ACCESS_TOKEN}}", "token-ana")
        .replace("{{CODE}}", RIGHT_CODE)
        .replace("{{ORDER_ID}}", order_id)
}

async fn deliver(router: &axum::Router, event: &str) -> (u16, String, Value) {
    let request = lambda_http::request::from_str(event).expect("a valid API Gateway HTTP API event");
    let request = request.map(|body| axum::body::Body::from(body.as_ref().to_vec()));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, content_type, serde_json::from_slice(&bytes).expect("a JSON body"))
}

#[tokio::test]
async fn every_api_event_gets_a_well_formed_answer() {
    let dir = tempfile::tempdir().unwrap();
    let service = OrderService::new(
        Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap()),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting(RIGHT_CODE)),
        Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
        ChallengePolicy::default(),
    );
    let router = pod_api::router(service);
    let (status, _, created) = deliver(&router, &event_text("api-create-order.json", "")).await;
    assert_eq!(status, 201);
    let order_id = created["id"].as_str().unwrap().to_string();

    let expected = [
        ("api-health.json", 200),
        ("api-list-orders.json", 200),
        ("api-list-orders-without-token.json", 401),
        ("api-create-order-malformed.json", 400),
        ("api-get-order.json", 200),
        ("api-confirm-order.json", 200),
        ("api-cancel-order.json", 409),
        ("api-create-order.json", 201),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/http");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("api-"))
        .collect();
    on_disk.sort();
    let mut covered: Vec<String> = expected.iter().map(|(name, _)| name.to_string()).collect();
    covered.sort();
    assert_eq!(on_disk, covered, "every api event has an expected answer here");

    for (name, want) in expected {
        let (status, content_type, body) = deliver(&router, &event_text(name, &order_id)).await;
        assert_eq!(status, want, "{name}: {body}");
        let media = if status < 400 { "application/json" } else { "application/problem+json" };
        assert_eq!(content_type, media, "{name}");
    }
}
