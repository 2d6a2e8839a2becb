//! Alexa's voice PIN over HTTP on the local stack (`STEP_UP=voice_pin_or_code`), with the
//! recorded events of `events/alexa`: the recap, the yes that hands the turn to
//! `AMAZON.VerifyPerson`, Alexa's `SessionResumedRequest` for each result, and what the API then
//! shows. On the embedded store and on DynamoDB.

use crate::helpers::{TestStack, repo_root, speech};
use pod_local::events::{self, Placeholders};
use serde_json::{Value, json};

/// Sends the recorded event `name` with `token`, the connection's token `order` (`{{ORDER_ID}}`)
/// and the session's `attributes`; returns the answer.
pub(crate) async fn send(stack: &TestStack, name: &str, token: &str, order: &str, attributes: &Value) -> Value {
    let path = repo_root().join("events/alexa").join(name);
    let placeholders = Placeholders { order_id: order, ..Placeholders::new(token, "") }
        .with_api_endpoint(stack.local().directive_endpoint());
    let mut body = events::render_file(&path, &placeholders).unwrap_or_else(|e| panic!("{e}"));
    if attributes.as_object().is_some_and(|a| !a.is_empty()) {
        body["session"]["attributes"] = attributes.clone();
    }
    let response = stack.http().post(stack.url("/pod/alexa")).json(&body).send().await.expect("the stack answers");
    assert_eq!(response.status(), 200, "{name}");
    response.json().await.expect("a JSON answer")
}

/// The recap and the yes from the recognised speaker; returns the StartConnection's token.
pub(crate) async fn order_with_pin(stack: &TestStack, token: &str) -> String {
    let recap = send(stack, "order-large-pepperoni-mushrooms.json", token, "", &json!({})).await;
    assert!(speech(&recap).contains("I'll ask for your voice PIN"), "{recap}");
    let attributes = recap["sessionAttributes"].clone();
    let yes = send(stack, "yes-to-the-recap-recognised-speaker.json", token, "", &attributes).await;
    let start = &yes["response"]["directives"][0];
    assert_eq!(start["type"], "Connections.StartConnection", "{yes}");
    assert_eq!(start["uri"], "connection://AMAZON.VerifyPerson/2");
    assert!(yes["response"].get("shouldEndSession").is_none(), "{yes}");
    start["token"].as_str().expect("a token").to_string()
}

async fn voice_pin_over_http(stack: TestStack) {
    let token = stack.token("ana", "pizza-ana-1").await;
    let sent_before = stack.outbox().await.len();

    // A wrong PIN, then another voice's right PIN: both counted, no code sent.
    let first = order_with_pin(&stack, &token).await;
    let wrong = send(&stack, "session-resumed-not-achieved.json", &token, &first, &json!({})).await;
    assert!(speech(&wrong).contains("Your voice PIN was not confirmed"), "{wrong}");
    let other = send(&stack, "session-resumed-other-speaker.json", &token, &first, &json!({})).await;
    assert!(speech(&other).contains("Your voice PIN was not confirmed"), "{other}");
    let foreign = send(&stack, "session-resumed-foreign-token.json", &token, &first, &json!({})).await;
    assert!(speech(&foreign).contains("nothing was confirmed"), "{foreign}");
    let (status, budget) = stack.api(reqwest::Method::GET, "/orders", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(budget["orders"][0]["status"], "pending", "{budget}");
    assert_eq!(stack.outbox().await.len(), sent_before, "no code for a voice-PIN order");

    // The right PIN from the voice that ordered confirms it.
    let confirmed = send(&stack, "session-resumed-achieved.json", &token, &first, &json!({})).await;
    assert!(speech(&confirmed).contains("Order confirmed!"), "{confirmed}");
    assert_eq!(confirmed["response"]["card"]["type"], "Standard");

    // No voice PIN set up: a code goes out instead, and the code confirms.
    let second = order_with_pin(&stack, &token).await;
    let fallback = send(&stack, "session-resumed-not-enabled.json", &token, &second, &json!({})).await;
    assert!(speech(&fallback).contains("so I sent a code instead"), "{fallback}");
    let code = stack.last_code_for("+14155550121").await;
    assert!(stack.say("authorize-code.json", &token, &code).await.contains("Order confirmed"));

    let statuses: Vec<Value> = stack.orders(&token).await.iter().map(|o| o["status"].clone()).collect();
    assert_eq!(statuses, [json!("confirmed"), json!("cancelled"), json!("confirmed")]);
    // The activity shows the wrong guesses and the confirmations like codes'.
    let (status, activity) = stack.api(reqwest::Method::GET, "/activity", &token, None).await;
    assert_eq!(status, 200, "{activity}");
    let text = activity.to_string();
    assert!(text.contains("wrong_code") && text.contains("confirmed"), "{text}");
    stack.stop().await;
}

#[tokio::test]
async fn the_voice_pin_conversation_over_http_on_the_embedded_store() {
    voice_pin_over_http(TestStack::spawn(&[("STEP_UP", "voice_pin_or_code")]).await).await;
}

#[tokio::test]
async fn the_voice_pin_conversation_over_http_on_dynamodb() {
    voice_pin_over_http(
        TestStack::spawn_on_dynamodb("pod-orders-voice-pin", &[("STEP_UP", "voice_pin_or_code")]).await,
    )
    .await;
}

/// With Pod's own codes the fallback's code is one of them, bound to the order that replaced the
/// voice-PIN one.
#[tokio::test]
async fn the_voice_pin_conversation_over_http_with_pods_own_codes() {
    let stack = TestStack::spawn(&[
        ("STEP_UP", "voice_pin_or_code"),
        ("CODE_PROVIDER", "builtin"),
        ("CODE_DELIVERY", "outbox"),
        ("CODE_SECRET", "a-local-code-secret-for-the-voice-pin-test-0123456789"),
    ])
    .await;
    voice_pin_over_http(stack).await;
}

#[tokio::test]
async fn a_bad_step_up_setting_stops_the_stack_with_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let mut vars = pod_local::private_settings(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), data.path()).unwrap();
    vars.insert("STEP_UP".into(), "pin".into());
    let error = match pod_local::LocalStack::start(|name| vars.get(name).cloned()).await {
        Ok(_) => panic!("a stack with STEP_UP=pin started"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("STEP_UP is invalid") && error.contains("'voice_pin_or_code'"), "{error}");
}
