//! No silence while the code goes out: the skill's progressive response reaches the local
//! Directive API double before the answer, and a Directive API that fails changes nothing.

use crate::helpers::{TestStack, repo_root, speech};
use pod_local::events::{self, Placeholders};
use pod_shared::domain::Timestamp;
use serde_json::Value;

/// Renders a recorded Alexa event for `stack` (its double as `apiEndpoint`), returns it and its request id.
fn event(stack: &TestStack, name: &str, token: &str, code: &str) -> (Value, String) {
    let path = repo_root().join("events/alexa").join(name);
    let placeholders = Placeholders::new(token, code).with_api_endpoint(stack.local().directive_endpoint());
    let event = events::render_file(&path, &placeholders).unwrap();
    let request_id = event["request"]["requestId"].as_str().unwrap().to_string();
    (event, request_id)
}

async fn send(stack: &TestStack, event: &Value) -> Value {
    let response = stack.http().post(stack.url("/pod/alexa")).body(event.to_string()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The order (its recap, then the yes), the code from the outbox, the confirmation: what the
/// user hears when the code goes out and when it confirms.
async fn order_and_confirm(stack: &TestStack) -> (String, String) {
    let ana = stack.linked_token("ana");
    let (order, _) = event(stack, "order-large-pepperoni-mushrooms.json", &ana, "");
    assert!(speech(&send(stack, &order).await).contains("Shall I send your code?"));
    let (yes, _) = event(stack, "yes-to-the-recap.json", &ana, "");
    let placed = speech(&send(stack, &yes).await);
    let code = stack.last_code().await;
    let (authorize, _) = event(stack, "authorize-code.json", &ana, &code);
    let confirmed = speech(&send(stack, &authorize).await);
    (placed, confirmed)
}

#[tokio::test]
async fn the_double_hears_one_moment_for_the_order_before_the_answer_comes_back() {
    let stack = TestStack::spawn(&[]).await;
    let ana = stack.linked_token("ana");
    let (launch, _) = event(&stack, "launch.json", &ana, "");
    send(&stack, &launch).await;
    assert!(stack.local().directives().received().is_empty(), "no code is sent at a launch: nothing to wait for");

    // The recap sends nothing: nothing to wait for.
    let (order, _) = event(&stack, "order-large-pepperoni-mushrooms.json", &ana, "");
    assert!(speech(&send(&stack, &order).await).contains("Shall I send your code?"));
    assert!(stack.local().directives().received().is_empty(), "the recap sends no code");

    let (yes, request_id) = event(&stack, "yes-to-the-recap.json", &ana, "");
    let answer = send(&stack, &yes).await;
    let answered_at = Timestamp::now().to_rfc3339();
    // By the time the answer is back, the double has the directive (the skill waited for it beside the send).
    let received = stack.local().directives().received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].request_id, request_id, "bound to the request");
    assert_eq!(received[0].kind, "VoicePlayer.Speak");
    assert_eq!(received[0].speech, "<speak>One moment while I send your code.</speak>");
    // RFC 3339 strings drop trailing zeros of their fraction, so compare the instants.
    let instant =
        |text: &str| time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(instant(&received[0].received_at) <= instant(&answered_at));
    assert!(speech(&answer).contains("I sent a code to"), "{}", speech(&answer));

    // The code check sends no code: no progressive response.
    let code = stack.last_code().await;
    let (authorize, _) = event(&stack, "authorize-code.json", &ana, &code);
    assert!(speech(&send(&stack, &authorize).await).contains("Order confirmed"));
    assert_eq!(stack.local().directives().received().len(), 1);
    stack.stop().await;
}

#[tokio::test]
async fn the_double_refuses_a_token_other_than_the_events() {
    let stack = TestStack::spawn(&[]).await;
    let ana = stack.linked_token("ana");
    let (mut yes, _) = event(&stack, "yes-to-the-recap.json", &ana, "");
    yes["context"]["System"]["apiAccessToken"] = "someone-elses".into();
    let answer = send(&stack, &yes).await;
    assert!(speech(&answer).contains("I sent a code to"), "a refused directive changes nothing");
    assert!(stack.local().directives().received().is_empty());
    stack.stop().await;
}

#[tokio::test]
async fn a_directive_api_that_fails_is_slow_or_is_down_changes_nothing_in_the_answer_or_the_store() {
    let digits = |s: &str| s.replace(char::is_numeric, "#");
    let healthy = TestStack::spawn(&[]).await;
    let (placed, confirmed) = order_and_confirm(&healthy).await;
    healthy.stop().await;
    for fault in ["fail", "slow", "down"] {
        let stack = TestStack::spawn(&[("LOCAL_DIRECTIVE_API", fault)]).await;
        let (placed_here, confirmed_here) = order_and_confirm(&stack).await;
        assert_eq!(digits(&placed_here), digits(&placed), "{fault}");
        assert_eq!(digits(&confirmed_here), digits(&confirmed), "{fault}");
        assert_eq!(stack.outbox().await.iter().filter(|m| m["code"] != "").count(), 1, "{fault}: one code");
        let (status, orders) = stack.api(reqwest::Method::GET, "/orders", &stack.linked_token("ana"), None).await;
        assert_eq!(status, 200);
        assert_eq!(orders["orders"].as_array().map(Vec::len), Some(1), "{fault}: {orders}");
        assert_eq!(orders["orders"][0]["status"], "confirmed", "{fault}: {orders}");
        let heard = stack.local().directives().received().len();
        assert_eq!(heard, if fault == "down" { 0 } else { 1 }, "{fault}");
        stack.stop().await;
    }
}

/// The receipt of a confirmation (voice or the API) reaches the outbox: the order's details, no code.
#[tokio::test]
async fn a_confirmation_sends_the_receipt_to_the_verified_email_with_no_code() {
    let stack = TestStack::spawn(&[]).await;
    let (_, confirmed) = order_and_confirm(&stack).await;
    assert!(confirmed.contains("Your receipt is in the Alexa app."), "{confirmed}");
    let outbox = stack.outbox().await;
    let code = outbox[0]["code"].as_str().unwrap().to_string();
    let receipts: Vec<&Value> = outbox.iter().filter(|m| m["text"].as_str().unwrap().contains("receipt")).collect();
    assert_eq!(receipts.len(), 1, "{outbox:?}");
    assert_eq!(receipts[0]["channel"], "email");
    assert_eq!(receipts[0]["destination"], "ana@example.com");
    let text = receipts[0]["text"].as_str().unwrap();
    assert!(text.contains("Items: 1 large pizza, pepperoni, mushrooms."), "{text}");
    assert!(text.contains("confirmed."), "{text}");
    assert!(!text.contains(&code), "a receipt names no code: {text}");
    assert_eq!(receipts[0]["code"].as_str().unwrap_or(""), "", "the outbox saw no code in it");
    stack.stop().await;
}

/// A confirmation through the API sends the same receipt.
#[tokio::test]
async fn a_confirmation_through_the_api_sends_the_receipt_too() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.linked_token("ben");
    let body = serde_json::json!({"size": "small", "toppings": ["chicken"]});
    let (status, order) = stack.api(reqwest::Method::POST, "/orders", &token, Some(body)).await;
    assert_eq!(status, 201, "{order}");
    let code = stack.last_code().await;
    let path = format!("/orders/{}/confirm", order["id"].as_str().unwrap());
    let (status, confirmed) =
        stack.api(reqwest::Method::POST, &path, &token, Some(serde_json::json!({"code": code}))).await;
    assert_eq!((status, confirmed["status"].as_str()), (200, Some("confirmed")), "{confirmed}");
    let receipts = stack.outbox_to("ben@example.com").await;
    let receipt = receipts.last().unwrap()["text"].as_str().unwrap().to_string();
    assert!(receipt.starts_with("Your Pizza on Demand receipt (this is not a code)."), "{receipt}");
    assert!(receipt.contains("Items: 1 small pizza, chicken."), "{receipt}");
    assert!(!receipt.contains(&code));
    stack.stop().await;
}
