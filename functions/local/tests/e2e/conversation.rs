//! End to end: the local stack on a free port, driven over HTTP the way Alexa
//! (the recorded events in `events/alexa`) and an API client would.

use crate::helpers::{TestStack, repo_root, speech};
use serde_json::{Value, json};

fn wrong_code_for(code: &str) -> String {
    if code == "0000" { "1111".into() } else { "0000".into() }
}

fn statuses(orders: &[Value]) -> Vec<&str> {
    orders.iter().map(|o| o["status"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_seed_conversation_by_voice_end_to_end() {
    let stack = TestStack::spawn(&[]).await;
    play_the_seed_conversation(&stack).await;
    stack.stop().await;
}

/// The same conversation with RS256 access tokens (the deployed default): the skill and the API
/// check them with the tenant's JWKS, and the ID tokens of the code checks are RS256 too.
#[tokio::test]
async fn the_seed_conversation_with_rs256_access_tokens() {
    let stack = TestStack::spawn(&[("TOKEN_ALGORITHM", "RS256"), ("ID_TOKEN_ALGORITHM", "RS256")]).await;
    let token = stack.linked_token("ana");
    assert_eq!(jsonwebtoken::decode_header(&token).unwrap().alg, jsonwebtoken::Algorithm::RS256);
    let jwks: Value =
        stack.http().get(stack.url("/auth0/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1), "one key signs both kinds: {jwks}");
    play_the_seed_conversation(&stack).await;
    let response = stack.http().get(stack.url("/pod/api/orders")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200, "the API takes the RS256 token");
    // The same claims signed HS256 with the API signing key (which local.env still sets): refused.
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let key = jsonwebtoken::EncodingKey::from_secret(stack.settings().auth0.api_signing_key.as_bytes());
    let hs256 = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap();
    let response = stack.http().get(stack.url("/pod/api/orders")).bearer_auth(&hs256).send().await.unwrap();
    assert_eq!(response.status(), 401, "an HS256 token where RS256 is pinned");
    stack.stop().await;
}

/// The same conversation with the DynamoDB store, on the server `make test` starts
/// (the standard AWS settings point at it; see scripts/with-moto.sh).
#[tokio::test]
async fn the_seed_conversation_on_dynamodb() {
    let stack = TestStack::spawn_on_dynamodb("pod-orders-e2e", &[]).await;
    assert!(matches!(stack.settings().store, pod_shared::config::StoreSettings::DynamoDb { .. }));
    play_the_seed_conversation(&stack).await;
    let dir = stack.stop().await;
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing written to the embedded store");
}

async fn play_the_seed_conversation(stack: &TestStack) {
    // Not linked: a LinkAccount card, nothing sent.
    let (status, body) = stack.alexa("order-without-linked-account.json", "", "").await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["card"]["type"], "LinkAccount");
    assert!(stack.outbox().await.is_empty());

    // Linked: first the recap, and nothing sent; then yes: the order goes pending and a code
    // goes to Ana's phone.
    let token = stack.token("ana", "pizza-ana-1").await;
    let (_, recap) = stack.alexa("order-large-pepperoni-mushrooms.json", &token, "").await;
    assert_eq!(
        speech(&recap),
        "<speak>One large pizza with pepperoni and mushrooms from Pizza on Demand, 17 dollars 50, \
         delivered to the address on your account. Shall I send your code?</speak>"
    );
    assert!(stack.outbox().await.is_empty(), "no code before yes");
    let attributes = recap["sessionAttributes"].clone();
    let (_, no) = stack.alexa_in_session("no-to-the-recap.json", &token, "", &attributes).await;
    assert!(speech(&no).contains("What would you like to change?"), "{}", speech(&no));
    assert!(stack.outbox().await.is_empty() && stack.orders(&token).await.is_empty(), "no: nothing sent or stored");
    let (_, yes) = stack.alexa_in_session("yes-to-the-recap.json", &token, "", &attributes).await;
    let said = speech(&yes);
    assert!(said.contains("large pizza with pepperoni and mushrooms"), "{said}");
    assert!(said.contains("your phone ending in <say-as interpret-as=\"digits\">21</say-as>"), "{said}");
    let code = stack.last_code_for("+14155550121").await;
    assert_eq!(code.len(), 4);

    // A wrong code: tries left. The right code: confirmed.
    let said = stack.say("authorize-code.json", &token, &wrong_code_for(&code)).await;
    assert!(said.contains("You have 2 tries left"), "{said}");
    let said = stack.say("authorize-code.json", &token, &code).await;
    assert!(said.contains("Order confirmed"), "{said}");

    // A new order and three wrong codes: locked, and the right code no longer helps.
    stack.order(&token).await;
    let code = stack.last_code_for("+14155550121").await;
    let wrong = wrong_code_for(&code);
    assert!(stack.say("authorize-code.json", &token, &wrong).await.contains("2 tries left"));
    assert!(stack.say("authorize-code.json", &token, &wrong).await.contains("1 try left"));
    let said = stack.say("authorize-code.json", &token, &wrong).await;
    assert!(said.contains("locked this order"), "{said}");
    let said = stack.say("authorize-code.json", &token, &code).await;
    assert!(said.contains("no order waiting"), "{said}");

    // The api shows the same story, newest first.
    assert_eq!(statuses(&stack.orders(&token).await), ["locked", "confirmed"]);
}

#[tokio::test]
async fn an_email_only_user_gets_the_code_by_email() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.token("ben", "pizza-ben-1").await;
    let said = stack.order(&token).await;
    assert!(said.contains("your email address at example.com"), "{said}");
    let outbox = stack.outbox().await;
    assert_eq!(outbox.last().unwrap()["channel"], "email");
    let code = stack.last_code_for("ben@example.com").await;
    assert!(stack.say("authorize-code.json", &token, &code).await.contains("Order confirmed"));
    assert_eq!(statuses(&stack.orders(&token).await), ["confirmed"]);
    stack.stop().await;
}

#[tokio::test]
async fn every_recorded_event_gets_a_well_formed_answer() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.token("ana", "pizza-ana-1").await;
    let mut events: Vec<String> = std::fs::read_dir(repo_root().join("events/alexa"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    events.sort();
    assert!(events.len() >= 12, "{events:?}");
    for event in &events {
        let (status, body) = stack.alexa(event, &token, "1234").await;
        assert_eq!(status, 200, "{event}: {body}");
        assert_eq!(body["version"], "1.0", "{event}");
        assert!(body["response"].is_object(), "{event}");
        let size = body.to_string().len();
        assert!(size < 24 * 1024, "{event}: {size} bytes");
    }
    stack.stop().await;
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_change_nothing() {
    let stack = TestStack::spawn(&[]).await;
    let url = stack.url("/pod/alexa");
    let response = stack.http().post(&url).body("{not json").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "request_refused");
    assert_eq!(body["message"], pod_skill::REFUSED_MESSAGE, "a generic reason; the specific one is only logged");

    let response = stack.http().post(&url).body(r#"{"request": {"type": "IntentRequest"}}"#).send().await.unwrap();
    assert_eq!(response.status(), 400);

    let huge = format!(r#"{{"request": {{"type": "LaunchRequest"}}, "padding": "{}"}}"#, "x".repeat(100 * 1024));
    let response = stack.http().post(&url).body(huge).send().await.unwrap();
    assert_eq!(response.status(), 413);

    let token = stack.token("ana", "pizza-ana-1").await;
    let response = stack.http().get(stack.url("/pod/api/orders")).bearer_auth("forged").send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert!(stack.orders(&token).await.is_empty());
    assert!(stack.outbox().await.is_empty());
    stack.stop().await;
}

#[tokio::test]
async fn orders_survive_a_restart_of_the_stack() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.token("ana", "pizza-ana-1").await;
    stack.order(&token).await;
    let code = stack.last_code_for("+14155550121").await;
    assert!(stack.say("authorize-code.json", &token, &code).await.contains("Order confirmed"));

    let stack = stack.restart().await;
    let token = stack.token("ana", "pizza-ana-1").await;
    let orders = stack.orders(&token).await;
    assert_eq!(statuses(&orders), ["confirmed"]);
    assert_eq!(orders[0]["size"], "large");
    assert_eq!(orders[0]["toppings"], json!(["pepperoni", "mushrooms"]));
    stack.stop().await;
}

#[tokio::test]
async fn the_api_orders_and_confirms_with_the_code_from_the_outbox() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.token("ben", "pizza-ben-1").await;
    let orders = stack.url("/pod/api/orders");
    let created = stack
        .http()
        .post(&orders)
        .bearer_auth(&token)
        .json(&json!({"size": "jumbo", "toppings": ["spinach", "chicken"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let order: Value = created.json().await.unwrap();
    assert_eq!(order["confirmation"]["sent_to"], "email b•••@example.com");
    assert_eq!(location, format!("/pod/api/orders/{}", order["id"].as_str().unwrap()));

    let confirm = stack.url(&format!("{location}/confirm"));
    let code = stack.last_code_for("ben@example.com").await;
    let wrong = stack.http().post(&confirm).bearer_auth(&token).json(&json!({"code": wrong_code_for(&code)})).send();
    let wrong = wrong.await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
    let right = stack.http().post(&confirm).bearer_auth(&token).json(&json!({"code": code})).send().await.unwrap();
    assert_eq!(right.status(), 200);
    assert_eq!(right.json::<Value>().await.unwrap()["status"], "confirmed");

    let spec = stack.http().get(stack.url("/pod/api/openapi.json")).send().await.unwrap();
    assert_eq!(spec.json::<Value>().await.unwrap()["openapi"], "3.1.0");
    stack.stop().await;
}

/// The same conversation with Pod's own codes (`CODE_PROVIDER=builtin`) delivered to the outbox:
/// the message names what the code confirms, with the amount and the payee (the recorded request
/// is en-US: dollars), and the code confirms only that order.
#[tokio::test]
async fn the_seed_conversation_with_builtin_codes() {
    let secret = "a-local-code-secret-of-at-least-32-bytes";
    let settings =
        [("CODE_PROVIDER", "builtin"), ("CODE_DELIVERY", "outbox"), ("CODE_SECRET", secret), ("CODE_LENGTH", "6")];
    let stack = TestStack::spawn(&settings).await;
    let token = stack.token("ana", "pizza-ana-1").await;
    stack.order(&token).await;
    let outbox = stack.outbox().await;
    let message = outbox.last().unwrap();
    let code = message["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert_eq!(
        message["text"],
        format!("{code} confirms 17.50 USD to Pizza on Demand: 1 large pizza, pepperoni, mushrooms. Expires in 5 min.")
    );
    // A new order supersedes the first: the first order's code cannot confirm the second.
    stack.order(&token).await;
    let said = stack.say("authorize-code.json", &token, &code).await;
    assert!(said.contains("You have 2 tries left"), "an older order's code is refused: {said}");
    let code = stack.last_code_for("+14155550121").await;
    assert!(stack.say("authorize-code.json", &token, &code).await.contains("Order confirmed"));
    assert_eq!(statuses(&stack.orders(&token).await), ["confirmed", "cancelled"]);
    stack.stop().await;
}

/// Cy's phone is only in `user_metadata` (the seed's setup, which the user edits) and her email
/// is unverified: ordering sends nothing, stores nothing, and sends her to the web app.
#[tokio::test]
async fn a_user_with_only_unverified_contacts_gets_no_code_and_is_sent_to_the_web_app() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.token("cy", "pizza-cy-1").await;
    let before = stack.outbox().await.len();
    let (_, recap) = stack.alexa("order-large-pepperoni-mushrooms.json", &token, "").await;
    let (status, body) = stack.alexa_in_session("yes-to-the-recap.json", &token, "", &recap["sessionAttributes"]).await;
    assert_eq!(status, 200);
    let said = body["response"]["outputSpeech"]["ssml"].as_str().unwrap().replace("&apos;", "'");
    assert!(said.contains("verify a phone or email in the Pizza on Demand web app"), "{said}");
    let card = body["response"]["card"]["content"].as_str().unwrap();
    assert!(card.contains(&format!("{}/pod/app/security", stack.base_url())), "{card}");
    assert_eq!(stack.outbox().await.len(), before, "nothing sent");
    assert!(stack.orders(&token).await.is_empty(), "nothing stored");
    stack.stop().await;
}

/// A right code that Auth0 (here the local provider) refuses as expired is reported as expired,
/// and not counted against the account's guess budget.
#[tokio::test]
async fn a_code_the_provider_calls_expired_is_expired_and_not_a_guess() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.token("ana", "pizza-ana-1").await;
    assert!(stack.order(&token).await.contains("I sent a code"));
    let code = stack.last_code_for("+14155550121").await;
    stack.idp().expire_sent_codes();
    let said = stack.say("authorize-code.json", &token, &code).await;
    assert!(said.contains("expired"), "{said}");
    assert!(!said.contains("isn't right"), "{said}");
    let (_, activity) = stack.api(reqwest::Method::GET, "/activity", &token, None).await;
    let kinds: Vec<&str> =
        activity["activity"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["code_sent"], "no wrong code recorded");
    assert_eq!(statuses(&stack.orders(&token).await), ["expired"]);
    stack.stop().await;
}

/// "Send the code again": a new code for the same order; the provider keeps only the latest, so
/// the earlier one no longer confirms it, and the new one does.
#[tokio::test]
async fn a_code_sent_again_replaces_the_earlier_one() {
    let stack = TestStack::spawn(&[]).await;
    let token = stack.token("ana", "pizza-ana-1").await;
    assert!(stack.order(&token).await.contains("I sent a code"));
    let first = stack.last_code_for("+14155550121").await;
    let said = stack.say("resend-code.json", &token, "").await;
    assert!(said.contains("sent a new code to your phone ending in"), "{said}");
    let second = stack.last_code_for("+14155550121").await;
    assert_eq!(stack.outbox_to("+14155550121").await.len(), 2);
    if first != second {
        let said = stack.say("authorize-code.json", &token, &first).await;
        assert!(said.contains("isn't right"), "the earlier code no longer works: {said}");
    }
    let said = stack.say("authorize-code.json", &token, &second).await;
    assert!(said.contains("Order confirmed"), "{said}");
    assert_eq!(statuses(&stack.orders(&token).await), ["confirmed"], "one order");
    stack.stop().await;
}

/// Pod's own codes are sealed into the order: "send the code again" replaces the MAC (one
/// conditional write), so only the new code confirms the order, on either store.
async fn with_builtin_codes_a_code_sent_again_replaces_the_sealed_one(stack: TestStack) {
    let token = stack.token("ana", "pizza-ana-1").await;
    stack.order(&token).await;
    let first = stack.last_code_for("+14155550121").await;
    let said = stack.say("resend-code.json", &token, "").await;
    assert!(said.contains("sent a new code to your phone ending in"), "{said}");
    let messages = stack.outbox_to("+14155550121").await;
    assert_eq!(messages.len(), 2);
    assert!(messages[1]["text"].as_str().unwrap().contains("pepperoni, mushrooms"), "{}", messages[1]);
    let second = stack.last_code_for("+14155550121").await;
    if first != second {
        let said = stack.say("authorize-code.json", &token, &first).await;
        assert!(said.contains("isn't right"), "the earlier code no longer opens the order: {said}");
    }
    let said = stack.say("authorize-code.json", &token, &second).await;
    assert!(said.contains("Order confirmed"), "{said}");
    assert_eq!(statuses(&stack.orders(&token).await), ["confirmed"], "one order");
    stack.stop().await;
}

const BUILTIN: [(&str, &str); 3] = [
    ("CODE_PROVIDER", "builtin"),
    ("CODE_DELIVERY", "outbox"),
    ("CODE_SECRET", "a-local-code-secret-for-the-resend-test-0123456789"),
];

#[tokio::test]
async fn with_builtin_codes_a_code_sent_again_replaces_the_sealed_one_on_the_embedded_store() {
    with_builtin_codes_a_code_sent_again_replaces_the_sealed_one(TestStack::spawn(&BUILTIN).await).await;
}

#[tokio::test]
async fn with_builtin_codes_a_code_sent_again_replaces_the_sealed_one_on_dynamodb() {
    let stack = TestStack::spawn_on_dynamodb("pod-orders-resend", &BUILTIN).await;
    with_builtin_codes_a_code_sent_again_replaces_the_sealed_one(stack).await;
}
