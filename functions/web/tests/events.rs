//! Every recorded API Gateway event for the web app goes through the web app's
//! router the way Lambda delivers it (decoded by `lambda_http`) and gets the
//! page, or the redirect, a browser would.

use axum::http::header::{LOCATION, SET_COOKIE};
use pod_shared::config::Settings;
use pod_shared::domain::Timestamp;
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_web::{WebApp, WebSettings};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

const APP_BASE_URL: &str = "https://abc123.execute-api.us-east-1.amazonaws.com";

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/http")
}

/// The web app as deployed: https, an Auth0 tenant, the embedded store in `data`.
fn web_app(data: &Path) -> axum::Router {
    let vars = HashMap::from([
        ("AUTH0_DOMAIN", "pod.eu.auth0.com"),
        ("API_ID", "https://pod.localtest.me"),
        ("API_SIGNING_KEY", "an-api-signing-key-for-the-event-tests-0123"),
        ("APP_CLIENT_ID", "pod-web-client"),
        ("APP_CLIENT_SECRET", "a-client-secret-for-the-event-tests-0123456"),
        ("APP_BASE_URL", APP_BASE_URL),
        ("SESSION_KEY", "a-session-key-for-the-event-tests-only-0123456789abcdef0123456789abcdef"),
    ]);
    let lookup = |name: &str| vars.get(name).map(|v| v.to_string());
    let settings = Settings::from_lookup(lookup).unwrap();
    let directory = Arc::new(FakeDirectory::standard());
    let store = Arc::new(EmbeddedOrderStore::open(data).unwrap());
    let service = OrderService::new(
        store.clone(),
        directory.clone(),
        Arc::new(FakeCodeDesk::accepting("4217")),
        Arc::new(ManualClock::at(Timestamp::now())),
        settings.challenge,
    )
    .with_sessions(store);
    let web_settings = WebSettings::from_lookup(lookup).unwrap();
    pod_web::router(WebApp::new(service, web_settings, &settings.auth0).unwrap())
}

struct Answer {
    status: u16,
    location: String,
    set_cookies: Vec<String>,
    body: String,
}

async fn deliver(router: &axum::Router, name: &str) -> Answer {
    let path = events_dir().join(name);
    let event = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let request = lambda_http::request::from_str(&event).expect("a valid API Gateway HTTP API event");
    let request = request.map(|body| axum::body::Body::from(body.as_ref().to_vec()));
    let response = router.clone().oneshot(request).await.unwrap();
    let header_text = |value: &axum::http::HeaderValue| value.to_str().unwrap().to_string();
    let location = response.headers().get(LOCATION).map(header_text).unwrap_or_default();
    let set_cookies = response.headers().get_all(SET_COOKIE).iter().map(header_text).collect();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    Answer { status, location, set_cookies, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

#[tokio::test]
async fn every_web_event_gets_what_a_browser_would() {
    let data = tempfile::tempdir().unwrap();
    let router = web_app(data.path());
    let mut on_disk: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("web-"))
        .collect();
    on_disk.sort();
    let expected = ["web-home.json", "web-login.json", "web-orders-without-session.json", "web-policy.json"];
    assert_eq!(on_disk, expected, "every web event has an expected answer here");

    let home = deliver(&router, "web-home.json").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("<h1>Pizza on Demand</h1>"));

    let policy = deliver(&router, "web-policy.json").await;
    assert_eq!(policy.status, 200);
    assert!(policy.body.contains("<h1>Privacy policy</h1>"));

    let orders = deliver(&router, "web-orders-without-session.json").await;
    assert_eq!(orders.status, 303);
    assert_eq!(orders.location, "/pod/app/login?return_to=%2Fpod%2Fapp%2Forders");

    let login = deliver(&router, "web-login.json").await;
    assert_eq!(login.status, 303);
    assert!(login.location.starts_with("https://pod.eu.auth0.com/authorize?"), "{}", login.location);
    let redirect_uri =
        format!("redirect_uri={}", urlencoding::encode(&format!("{APP_BASE_URL}/pod/app/oidc/callback")));
    assert!(login.location.contains(&redirect_uri), "{}", login.location);
    let cookie = login.set_cookies.iter().find(|c| c.starts_with("pod_login=")).expect("a login cookie");
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}
