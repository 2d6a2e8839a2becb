//! Every endpoint and every error of the internal API, each response checked
//! against `openapi.json` (status, content type and body schema).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use pod_shared::domain::UserId;
use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::ports::{AuthError, IdentityError, IdentityProvider, UserProfile};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{CapturedLogs, FakeCodeDesk, FakeDirectory, ManualClock};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

const RIGHT_CODE: &str = "4217";

struct Api {
    router: axum::Router,
    service: OrderService,
    clock: Arc<ManualClock>,
    codes: Arc<FakeCodeDesk>,
    spec: Value,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: Value,
}

/// The standard test users (any other token is refused as forged), and tokens refused the
/// way Auth0's would be for other reasons.
struct Tokens(FakeDirectory);

#[async_trait::async_trait]
impl IdentityProvider for Tokens {
    async fn authenticate(&self, access_token: &str) -> Result<UserId, AuthError> {
        match access_token {
            "tok-expired-7f3a" => Err(AuthError::Expired),
            "tok-audience-7f3a" => Err(AuthError::WrongAudience),
            "tok-early-7f3a" => Err(AuthError::NotYetValid),
            "tok-issuer-7f3a" => Err(AuthError::WrongIssuer),
            token => self.0.authenticate(token).await,
        }
    }

    async fn profile(&self, user: &UserId) -> Result<UserProfile, IdentityError> {
        self.0.profile(user).await
    }
}

fn api() -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
    let service = OrderService::new(
        store,
        Arc::new(Tokens(FakeDirectory::standard())),
        codes.clone(),
        clock.clone(),
        ChallengePolicy::default(),
    );
    let spec = serde_json::from_str(pod_api::OPENAPI_JSON).expect("openapi.json is JSON");
    Api { router: pod_api::router(service.clone()), service, clock, codes, spec, _dir: dir }
}

impl Api {
    /// Sends a request; checks the answer against the OpenAPI operation `template`.
    async fn call(
        &self,
        method: Method,
        path: &str,
        template: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Answer {
        let mut request = Request::builder().method(method.clone()).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty)).unwrap();
        self.send(request, &method, template).await
    }

    async fn send(&self, request: Request<Body>, method: &Method, template: &str) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let content_type = headers.get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let answer = Answer { status, content_type, headers, body };
        conforms(&self.spec, method, template, &answer);
        answer
    }

    async fn place(&self, token: &str, body: &str) -> Answer {
        self.call(Method::POST, "/pod/api/orders", "/pod/api/orders", Some(token), Some(body)).await
    }

    async fn confirm(&self, token: &str, id: &str, body: &str) -> Answer {
        let path = format!("/pod/api/orders/{id}/confirm");
        self.call(Method::POST, &path, "/pod/api/orders/{id}/confirm", Some(token), Some(body)).await
    }
}

/// The response matches the document: the status is declared for the operation,
/// and the body validates against that response's schema for its content type.
fn conforms(spec: &Value, method: &Method, template: &str, answer: &Answer) {
    let operation = &spec["paths"][template][method.as_str().to_lowercase()];
    assert!(operation.is_object(), "{method} {template} is not in openapi.json");
    let mut response = &operation["responses"][answer.status.as_str()];
    assert!(response.is_object(), "{method} {template} answered {} which openapi.json does not declare", answer.status);
    if let Some(reference) = response["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/responses/");
        response = &spec["components"]["responses"][name];
    }
    if response.get("content").is_none() {
        assert_eq!(
            answer.body,
            Value::Null,
            "{method} {template} {}: a body the document does not declare",
            answer.status
        );
        return;
    }
    let media = answer.content_type.split(';').next().unwrap_or_default().trim();
    let schema = &response["content"][media]["schema"];
    assert!(schema.is_object(), "{method} {template} {}: no schema for content type '{media}'", answer.status);
    let document = json!({"components": spec["components"], "allOf": [schema]});
    let validator = jsonschema::validator_for(&document).expect("the schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&answer.body).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{method} {template} {}: {errors:?}\nbody: {}", answer.status, answer.body);
}

#[tokio::test]
async fn health_and_the_openapi_document_are_public() {
    let api = api();
    let answer = api.call(Method::GET, "/pod/api/health", "/pod/api/health", None, None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = api.call(Method::GET, "/pod/api/openapi.json", "/pod/api/openapi.json", None, None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["openapi"], "3.1.0");
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_served() {
    let api = api();
    let mut documented: Vec<String> = Vec::new();
    for (path, operations) in api.spec["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    let served = [
        "GET /pod/api/health",
        "GET /pod/api/openapi.json",
        "GET /pod/api/menu",
        "GET /pod/api/orders",
        "POST /pod/api/orders",
        "GET /pod/api/orders/{id}",
        "POST /pod/api/orders/{id}/confirm",
        "POST /pod/api/orders/{id}/cancel",
        "GET /pod/api/activity",
        "DELETE /pod/api/me",
    ];
    let mut served: Vec<String> = served.iter().map(|s| s.to_string()).collect();
    served.sort();
    assert_eq!(documented, served);
    for route in &served {
        let (method, path) = route.split_once(' ').unwrap();
        let path = path.replace("{id}", "00000000-0000-7000-8000-000000000000");
        let request = Request::builder().method(method).uri(&path).body(Body::empty()).unwrap();
        let status = api.router.clone().oneshot(request).await.unwrap().status();
        // Unauthenticated: the order routes answer 401, the public ones 200; never 404/405.
        assert!(matches!(status, StatusCode::OK | StatusCode::UNAUTHORIZED), "{route} answered {status}");
    }
}

#[tokio::test]
async fn every_order_route_needs_a_valid_token() {
    let api = api();
    let id = "00000000-0000-7000-8000-000000000000";
    let routes = [
        (Method::GET, "/pod/api/orders".to_string(), "/pod/api/orders", None),
        (Method::POST, "/pod/api/orders".to_string(), "/pod/api/orders", Some(r#"{"size":"large"}"#)),
        (Method::GET, format!("/pod/api/orders/{id}"), "/pod/api/orders/{id}", None),
        (
            Method::POST,
            format!("/pod/api/orders/{id}/confirm"),
            "/pod/api/orders/{id}/confirm",
            Some(r#"{"code":"4217"}"#),
        ),
        (Method::POST, format!("/pod/api/orders/{id}/cancel"), "/pod/api/orders/{id}/cancel", None),
        (Method::DELETE, "/pod/api/me".to_string(), "/pod/api/me", None),
    ];
    for (method, path, template, body) in routes {
        for token in [None, Some("forged")] {
            let answer = api.call(method.clone(), &path, template, token, body).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(answer.content_type, "application/problem+json");
            assert_eq!(answer.headers["www-authenticate"], "Bearer");
        }
    }
    assert!(api.codes.sent().is_empty(), "nothing sent for a rejected request");
}

/// A forged, an expired, a wrong-audience (…) or no token: the same 401 body, word for word;
/// why the token was refused is only in the log.
#[tokio::test]
async fn every_refused_token_gets_the_same_generic_401_and_the_reason_is_logged() {
    let api = api();
    let cases = [
        (None, "no access token"),
        (Some("tok-forged-7f3a"), "signature"),
        (Some("tok-expired-7f3a"), "expired"),
        (Some("tok-audience-7f3a"), "another audience"),
        (Some("tok-early-7f3a"), "not valid yet"),
        (Some("tok-issuer-7f3a"), "someone else"),
    ];
    let mut bodies = Vec::new();
    for (token, logged) in cases {
        let (logs, guard) = CapturedLogs::capture();
        let answer = api.call(Method::GET, "/pod/api/orders", "/pod/api/orders", token, None).await;
        drop(guard);
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.headers["www-authenticate"], "Bearer");
        assert_eq!(answer.body["detail"], pod_api::UNAUTHORIZED_DETAIL, "{token:?}");
        let log = logs.text();
        assert!(log.contains(logged), "{token:?}: the log says why: {log}");
        if let Some(token) = token {
            assert!(!log.contains(token), "{token:?}: the token itself is not logged: {log}");
        }
        bodies.push(answer.body);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "{bodies:#?}");
    assert_eq!(
        bodies[0],
        json!({"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": pod_api::UNAUTHORIZED_DETAIL})
    );
}

#[tokio::test]
async fn placing_an_order_sends_a_code_and_returns_it_pending() {
    let api = api();
    let answer = api.place("token-ana", r#"{"size": "Large", "toppings": ["pepperoni", "black olives"]}"#).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let id = answer.body["id"].as_str().unwrap().to_string();
    assert_eq!(answer.headers["location"], format!("/pod/api/orders/{id}").as_str());
    assert_eq!(answer.body["status"], "pending");
    assert_eq!(answer.body["size"], "large");
    assert_eq!(answer.body["toppings"], json!(["pepperoni", "black olives"]));
    assert_eq!(answer.body["confirmation"]["sent_to"], "phone ending in 21");
    assert_eq!(answer.body["confirmation"]["attempts_left"], 3);
    assert_eq!(answer.body["superseded_order_id"], Value::Null);
    assert_eq!(api.codes.sent().len(), 1);

    let again = api.place("token-ana", r#"{"size": "small"}"#).await;
    assert_eq!(again.body["superseded_order_id"], json!(id));
    let first =
        api.call(Method::GET, &format!("/pod/api/orders/{id}"), "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(first.body["status"], "cancelled");
}

#[tokio::test]
async fn an_order_carries_its_total_and_lines_in_its_currency() {
    let api = api();
    let answer = api.place("token-ana", r#"{"size": "large", "toppings": ["pepperoni", "mushrooms"]}"#).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let total = &answer.body["total"];
    assert_eq!(total["amount"], 1750, "USD without a currency: {total}");
    assert_eq!(total["currency"], "USD");
    assert_eq!(total["formatted"], "$17.50");
    assert_eq!(total["payee"], "Pizza on Demand");
    assert_eq!(
        total["lines"],
        json!([
            {"kind": "pizza", "item": "large", "description": "large pizza", "amount": 1400, "formatted": "$14.00"},
            {"kind": "topping", "item": "pepperoni", "description": "pepperoni", "amount": 175, "formatted": "$1.75"},
            {"kind": "topping", "item": "mushrooms", "description": "mushrooms", "amount": 175, "formatted": "$1.75"},
        ])
    );
    let british =
        api.place("token-ana", r#"{"size": "large", "toppings": ["pepperoni", "mushrooms"], "currency": "GBP"}"#).await;
    assert_eq!(british.body["total"]["formatted"], "£14.00");
    assert_eq!(british.body["total"]["currency"], "GBP");
    let id = british.body["id"].as_str().unwrap();
    let read =
        api.call(Method::GET, &format!("/pod/api/orders/{id}"), "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(read.body["total"], british.body["total"]);
    let listed = api.call(Method::GET, "/pod/api/orders", "/pod/api/orders", Some("token-ana"), None).await;
    let totals: Vec<&Value> =
        listed.body["orders"].as_array().unwrap().iter().map(|o| &o["total"]["formatted"]).collect();
    assert_eq!(totals, [&json!("£14.00"), &json!("$17.50")]);
}

#[tokio::test]
async fn the_menu_is_public_and_priced_in_the_currency_asked_for() {
    let api = api();
    let usd = api.call(Method::GET, "/pod/api/menu", "/pod/api/menu", None, None).await;
    assert_eq!(usd.status, StatusCode::OK);
    assert_eq!(usd.body["currency"], "USD");
    assert_eq!(usd.body["payee"], "Pizza on Demand");
    assert_eq!(usd.body["sizes"].as_array().unwrap().len(), 4);
    assert_eq!(usd.body["toppings"].as_array().unwrap().len(), 11);
    assert_eq!(
        usd.body["sizes"][2],
        json!({"name": "large", "amount": 1400, "currency": "USD", "formatted": "$14.00"})
    );
    let gbp = api.call(Method::GET, "/pod/api/menu?currency=GBP", "/pod/api/menu", None, None).await;
    assert_eq!(gbp.body["sizes"][2]["formatted"], "£11.00");
    assert_eq!(
        gbp.body["toppings"][0],
        json!({"name": "pepperoni", "amount": 150, "currency": "GBP", "formatted": "£1.50"})
    );
    for (query, field) in
        [("currency=JPY", "currency"), ("currency=usd", "currency"), ("currency=", "currency"), ("size=large", "query")]
    {
        let bad = api.call(Method::GET, &format!("/pod/api/menu?{query}"), "/pod/api/menu", None, None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(bad.content_type, "application/problem+json", "{query}");
        assert_eq!(bad.body["field"], field, "{query}: {}", bad.body);
    }
}

#[tokio::test]
async fn malformed_bodies_name_the_field_and_store_nothing() {
    let api = api();
    let cases = [
        ("{not json", "body"),
        ("[1, 2]", "body"),
        ("{}", "size"),
        (r#"{"size": 12}"#, "size"),
        (r#"{"size": "gigantic"}"#, "size"),
        (r#"{"size": "large", "toppings": "bacon"}"#, "toppings"),
        (r#"{"size": "large", "toppings": null}"#, "toppings"),
        (r#"{"size": "large", "toppings": ["bacon", 7]}"#, "toppings[1]"),
        (r#"{"size": "large", "toppings": ["bacon", "anchovies"]}"#, "toppings[1]"),
        (r#"{"size": "large", "toppings": ["bacon", "bacon"]}"#, "toppings"),
        (r#"{"size": "large", "extra": true}"#, "extra"),
        (r#"{"size": "large", "currency": "JPY"}"#, "currency"),
        (r#"{"size": "large", "currency": "usd"}"#, "currency"),
        (r#"{"size": "large", "currency": 840}"#, "currency"),
        (r#"{"size": "large", "currency": null}"#, "currency"),
    ];
    for (body, field) in cases {
        let answer = api.place("token-ana", body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.body["field"], field, "{body}: {}", answer.body);
    }
    let listed = api.call(Method::GET, "/pod/api/orders", "/pod/api/orders", Some("token-ana"), None).await;
    assert_eq!(listed.body["orders"], json!([]));
    assert!(api.codes.sent().is_empty());
}

#[tokio::test]
async fn a_huge_body_is_413_and_a_non_json_body_is_415() {
    let api = api();
    let huge = format!(r#"{{"size": "large", "padding": "{}"}}"#, "x".repeat(64 * 1024));
    let answer = api.place("token-ana", &huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/pod/api/orders")
        .header("authorization", "Bearer token-ana")
        .header("content-type", "text/plain")
        .body(Body::from("size=large"))
        .unwrap();
    let answer = api.send(request, &Method::POST, "/pod/api/orders").await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn a_user_without_contact_gets_422() {
    let api = api();
    let answer = api.place("token-nobody", r#"{"size": "small"}"#).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn when_auth0_is_down_it_is_503_and_nothing_is_stored() {
    let api = api();
    api.codes.set_down(true);
    let answer = api.place("token-ana", r#"{"size": "small"}"#).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.headers["retry-after"], "5");
    api.codes.set_down(false);
    let listed = api.call(Method::GET, "/pod/api/orders", "/pod/api/orders", Some("token-ana"), None).await;
    assert_eq!(listed.body["orders"], json!([]));
}

#[tokio::test]
async fn confirming_right_wrong_locked_and_twice() {
    let api = api();
    let id = api.place("token-ana", r#"{"size": "medium"}"#).await.body["id"].as_str().unwrap().to_string();

    let answer = api.confirm("token-ana", &id, r#"{"code": "0000"}"#).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.body["attempts_left"], 2);
    for (body, field) in [(r#"{"code": 4217}"#, "code"), (r#"{"code": "42"}"#, "code"), ("{}", "code")] {
        let answer = api.confirm("token-ana", &id, body).await;
        assert_eq!((answer.status, answer.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{body}");
    }
    let answer = api.confirm("token-ana", &id, &format!(r#"{{"code": "{RIGHT_CODE}"}}"#)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["status"], "confirmed");
    let again = api.confirm("token-ana", &id, &format!(r#"{{"code": "{RIGHT_CODE}"}}"#)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a code confirms once");

    let id = api.place("token-ana", r#"{"size": "medium"}"#).await.body["id"].as_str().unwrap().to_string();
    api.confirm("token-ana", &id, r#"{"code": "0000"}"#).await;
    api.confirm("token-ana", &id, r#"{"code": "0000"}"#).await;
    let locked = api.confirm("token-ana", &id, r#"{"code": "0000"}"#).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.body["attempts_left"], 0);
    let after = api.confirm("token-ana", &id, &format!(r#"{{"code": "{RIGHT_CODE}"}}"#)).await;
    assert_eq!(after.status, StatusCode::TOO_MANY_REQUESTS, "a locked order stays locked");
}

#[tokio::test]
async fn an_expired_code_is_409_and_the_order_reads_expired() {
    let api = api();
    let id = api.place("token-ana", r#"{"size": "medium"}"#).await.body["id"].as_str().unwrap().to_string();
    api.clock.advance_seconds(301);
    let got =
        api.call(Method::GET, &format!("/pod/api/orders/{id}"), "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(got.body["status"], "expired");
    let answer = api.confirm("token-ana", &id, &format!(r#"{{"code": "{RIGHT_CODE}"}}"#)).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(answer.body["detail"].as_str().unwrap().contains("expired"));
}

/// An order the skill placed for Alexa's voice PIN (`STEP_UP=voice_pin`): the API shows what
/// confirms it, and refuses a code for it (none was sent) without checking or counting it.
#[tokio::test]
async fn a_voice_pin_order_says_so_and_no_code_confirms_it() {
    let api = api();
    let ana = UserId::parse("auth0|ana").unwrap();
    let profile = api.service.user_profile(&ana).await.unwrap();
    let pizza = pod_shared::domain::Pizza { size: pod_shared::domain::Size::Large, toppings: Default::default() };
    let placed = api.service.place_voice_pin_order(&profile, pizza, pod_shared::domain::Currency::Usd, None).await;
    let id = placed.unwrap().order.id.to_string();
    let path = format!("/pod/api/orders/{id}");
    let got = api.call(Method::GET, &path, "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(
        (got.body["status"].as_str(), got.body["confirmation"]["by"].as_str()),
        (Some("pending"), Some("voice_pin"))
    );
    let answer = api.confirm("token-ana", &id, &format!(r#"{{"code": "{RIGHT_CODE}"}}"#)).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert!(answer.body["detail"].as_str().unwrap().contains("voice PIN"), "{}", answer.body);
    assert_eq!(api.codes.checked(), 0, "no code was checked");
    let after = api.call(Method::GET, &path, "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(after.body["confirmation"]["attempts_left"], got.body["confirmation"]["attempts_left"]);
    let coded = api.place("token-ana", r#"{"size": "medium"}"#).await;
    assert_eq!(coded.body["confirmation"]["by"], "code");
}

#[tokio::test]
async fn cancelling_works_once_and_only_on_pending_orders() {
    let api = api();
    let id = api.place("token-ana", r#"{"size": "medium"}"#).await.body["id"].as_str().unwrap().to_string();
    let path = format!("/pod/api/orders/{id}/cancel");
    let answer = api.call(Method::POST, &path, "/pod/api/orders/{id}/cancel", Some("token-ana"), None).await;
    assert_eq!((answer.status, answer.body["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    let again = api.call(Method::POST, &path, "/pod/api/orders/{id}/cancel", Some("token-ana"), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn another_users_order_is_not_found_and_untouched() {
    let api = api();
    let id = api.place("token-ana", r#"{"size": "medium"}"#).await.body["id"].as_str().unwrap().to_string();
    let get =
        api.call(Method::GET, &format!("/pod/api/orders/{id}"), "/pod/api/orders/{id}", Some("token-ben"), None).await;
    assert_eq!(get.status, StatusCode::NOT_FOUND);
    let confirm = api.confirm("token-ben", &id, &format!(r#"{{"code": "{RIGHT_CODE}"}}"#)).await;
    assert_eq!(confirm.status, StatusCode::NOT_FOUND);
    let path = format!("/pod/api/orders/{id}/cancel");
    let cancel = api.call(Method::POST, &path, "/pod/api/orders/{id}/cancel", Some("token-ben"), None).await;
    assert_eq!(cancel.status, StatusCode::NOT_FOUND);
    let mine =
        api.call(Method::GET, &format!("/pod/api/orders/{id}"), "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(mine.body["status"], "pending");
    let bogus =
        api.call(Method::GET, "/pod/api/orders/not-an-id", "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn listing_pages_newest_first_with_a_cursor() {
    let api = api();
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(api.place("token-ben", r#"{"size": "small"}"#).await.body["id"].as_str().unwrap().to_string());
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut path = "/pod/api/orders?limit=2".to_string();
    loop {
        let page = api.call(Method::GET, &path, "/pod/api/orders", Some("token-ben"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        seen.extend(page.body["orders"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/pod/api/orders?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    for (query, field) in [("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"), ("cursor=zzz", "cursor")]
    {
        let path = format!("/pod/api/orders?{query}");
        let answer = api.call(Method::GET, &path, "/pod/api/orders", Some("token-ben"), None).await;
        assert_eq!((answer.status, answer.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{query}");
    }
    let other = api.call(Method::GET, "/pod/api/orders", "/pod/api/orders", Some("token-ana"), None).await;
    assert_eq!(other.body["orders"], json!([]), "a user lists only their own orders");
}

/// `DELETE /pod/api/me`: the caller's orders and activity are gone (204), another user's stay,
/// erasing again is the same 204, and the caller can start again as a new user.
#[tokio::test]
async fn erasing_my_data_deletes_only_mine_and_is_idempotent() {
    let api = api();
    let mine = api.place("token-ana", r#"{"size": "medium"}"#).await.body["id"].as_str().unwrap().to_string();
    api.confirm("token-ana", &mine, r#"{"code": "0000"}"#).await;
    api.place("token-ben", r#"{"size": "small"}"#).await;
    let list = |token: &'static str| {
        let api = &api;
        async move { api.call(Method::GET, "/pod/api/orders", "/pod/api/orders", Some(token), None).await.body }
    };
    let activity = |token: &'static str| {
        let api = &api;
        async move { api.call(Method::GET, "/pod/api/activity", "/pod/api/activity", Some(token), None).await.body }
    };
    assert_eq!(list("token-ana").await["orders"].as_array().unwrap().len(), 1);
    assert!(!activity("token-ana").await["activity"].as_array().map(Vec::is_empty).unwrap_or(true));

    for _ in 0..2 {
        let erased = api.call(Method::DELETE, "/pod/api/me", "/pod/api/me", Some("token-ana"), None).await;
        assert_eq!(erased.status, StatusCode::NO_CONTENT);
        assert_eq!(erased.body, Value::Null, "no body");
        assert_eq!(list("token-ana").await["orders"], json!([]));
        assert_eq!(activity("token-ana").await["activity"], json!([]));
    }
    assert_eq!(list("token-ben").await["orders"].as_array().unwrap().len(), 1, "another user's orders stay");
    let path = format!("/pod/api/orders/{mine}");
    let gone = api.call(Method::GET, &path, "/pod/api/orders/{id}", Some("token-ana"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let again = api.place("token-ana", r#"{"size": "large"}"#).await;
    assert_eq!(again.status, StatusCode::CREATED, "afterwards the caller orders as a new user");
}

fn answer(status: StatusCode, body: Value) -> Answer {
    Answer { status, content_type: "application/json".into(), headers: Default::default(), body }
}

#[test]
#[should_panic(expected = "is a required property")]
fn the_conformance_check_catches_a_body_off_the_schema() {
    let spec: Value = serde_json::from_str(pod_api::OPENAPI_JSON).unwrap();
    conforms(&spec, &Method::GET, "/pod/api/orders/{id}", &answer(StatusCode::OK, json!({"id": "x"})));
}

#[test]
#[should_panic(expected = "does not declare")]
fn the_conformance_check_catches_an_undeclared_status() {
    let spec: Value = serde_json::from_str(pod_api::OPENAPI_JSON).unwrap();
    conforms(&spec, &Method::GET, "/pod/api/orders/{id}", &answer(StatusCode::IM_A_TEAPOT, json!({})));
}

#[tokio::test]
async fn too_many_codes_in_an_hour_is_429_with_retry_after() {
    let api = api();
    for _ in 0..5 {
        assert_eq!(api.place("token-ana", r#"{"size": "small"}"#).await.status, StatusCode::CREATED);
        api.clock.advance_seconds(60);
    }
    let answer = api.place("token-ana", r#"{"size": "small"}"#).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["retry-after"], "3300");
    assert_eq!(api.codes.sent().len(), 5);
}

#[tokio::test]
async fn when_the_store_fails_it_is_503_with_retry_after() {
    use pod_shared::ports::StoreError;
    use pod_shared::testing::FailingStore;
    for failure in [StoreError::Throttled, StoreError::Unavailable("down".into())] {
        let service = OrderService::new(
            Arc::new(FailingStore(failure)),
            Arc::new(FakeDirectory::standard()),
            Arc::new(FakeCodeDesk::accepting(RIGHT_CODE)),
            Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
            ChallengePolicy::default(),
        );
        let router = pod_api::router(service);
        let request = Request::builder()
            .method(Method::POST)
            .uri("/pod/api/orders")
            .header("authorization", "Bearer token-ana")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"size": "large"}"#))
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key("retry-after"));
    }
}

/// The account's guess budget holds over the API too: the fifth wrong code pauses (429 with
/// Retry-After, nothing sent or checked), the tenth locks (423) until the owner unlocks.
#[tokio::test]
async fn the_guess_budget_pauses_with_429_and_locks_with_423() {
    let api = api();
    let mut wrong = 1000;
    let mut last = None;
    for _ in 0..2 {
        let id = api.place("token-ana", r#"{"size": "small"}"#).await.body["id"].as_str().unwrap().to_string();
        for _ in 0..3 {
            wrong += 1;
            let answer = api.confirm("token-ana", &id, &format!(r#"{{"code": "{wrong}"}}"#)).await;
            if answer.body["type"] == "urn:pod:problem:ordering-paused" {
                last = Some(answer);
                break;
            }
        }
    }
    let paused = last.expect("the fifth wrong code pauses ordering");
    assert_eq!(paused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(paused.headers["retry-after"], "900");
    assert!(paused.body["detail"].as_str().unwrap().contains("the code is not right"));
    assert_eq!(api.codes.checked(), 5);
    let sent = api.codes.sent().len();
    let refused = api.place("token-ana", r#"{"size": "small"}"#).await;
    assert_eq!(
        (refused.status, refused.body["type"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("urn:pod:problem:ordering-paused"))
    );
    assert_eq!(refused.headers["retry-after"], "900");
    assert_eq!(api.codes.sent().len(), sent, "no code is sent while paused");

    // Wait out each pause and guess once more: the tenth wrong code locks.
    let mut locked = None;
    for _ in 0..5 {
        api.clock.advance_seconds(24 * 3600);
        let id = api.place("token-ana", r#"{"size": "small"}"#).await.body["id"].as_str().unwrap().to_string();
        wrong += 1;
        let answer = api.confirm("token-ana", &id, &format!(r#"{{"code": "{wrong}"}}"#)).await;
        if answer.status == StatusCode::LOCKED {
            locked = Some(answer);
            break;
        }
    }
    let locked = locked.expect("the tenth wrong code locks ordering");
    assert_eq!(locked.body["type"], "urn:pod:problem:ordering-locked");
    assert_eq!(api.codes.checked(), 10, "nothing past the lock threshold is checked");
    api.clock.advance_seconds(30 * 24 * 3600);
    let refused = api.place("token-ana", r#"{"size": "small"}"#).await;
    assert_eq!(refused.status, StatusCode::LOCKED);

    // The record: newest first, paginated, masked.
    let page = api.call(Method::GET, "/pod/api/activity?limit=3", "/pod/api/activity", Some("token-ana"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["activity"][0]["kind"], "voice_ordering_locked");
    assert_eq!(page.body["activity"][0]["source"], "api");
    let cursor = page.body["next_cursor"].as_str().unwrap().to_string();
    let older = api
        .call(Method::GET, &format!("/pod/api/activity?cursor={cursor}"), "/pod/api/activity", Some("token-ana"), None)
        .await;
    let kinds: Vec<&str> =
        older.body["activity"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"voice_ordering_paused") && kinds.contains(&"code_sent") && kinds.contains(&"wrong_code"));
    assert!(!older.body.to_string().contains("+1415555"), "never a full phone number");
    let bens = api.call(Method::GET, "/pod/api/activity", "/pod/api/activity", Some("token-ben"), None).await;
    assert_eq!(bens.body["activity"], json!([]), "each user sees only their own record");
    for bad in ["limit=0", "limit=x", "cursor=nope", "other=1"] {
        let answer = api
            .call(Method::GET, &format!("/pod/api/activity?{bad}"), "/pod/api/activity", Some("token-ana"), None)
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
