//! Faults: Auth0 down (503), rate-limiting (429), failing (500) or too slow (past the
//! client's timeout). The user hears a plain "try again", nothing is stored or used
//! up, and once Auth0 is back the same conversation works.

use crate::helpers::TestStack;
use pod_local::idp::IdpFault;
use serde_json::json;
use std::time::Duration;

/// Auth0 calls time out after 300 ms; a send limit high enough for every fault.
const SETTINGS: &[(&str, &str)] = &[("AUTH0_TIMEOUT_MS", "300"), ("CODE_SENDS_PER_HOUR", "100")];

const FAULTS: [IdpFault; 4] =
    [IdpFault::Status(503), IdpFault::Status(429), IdpFault::Status(500), IdpFault::Delay(Duration::from_millis(800))];

#[tokio::test]
async fn ordering_while_auth0_fails_stores_and_sends_nothing() {
    let stack = TestStack::spawn(SETTINGS).await;
    let ana = stack.linked_token("ana");
    for fault in FAULTS {
        stack.idp().fail_with(Some(fault));
        let said = stack.order(&ana).await;
        assert!(said.contains("your order was not placed. Please try again in a moment"), "{fault:?}: {said}");
        stack.idp().fail_with(None);
        assert!(stack.orders(&ana).await.is_empty(), "{fault:?}: nothing stored");
        assert!(stack.outbox().await.is_empty(), "{fault:?}: nothing sent");
    }
    let said = stack.order(&ana).await;
    assert!(said.contains("I sent a code"), "works again once Auth0 is back: {said}");
    stack.stop().await;
}

#[tokio::test]
async fn authorizing_while_auth0_fails_uses_up_no_attempt() {
    let stack = TestStack::spawn(SETTINGS).await;
    let ana = stack.linked_token("ana");
    stack.order(&ana).await;
    let code = stack.last_code().await;
    for fault in FAULTS {
        stack.idp().fail_with(Some(fault));
        let said = stack.say("authorize-code.json", &ana, &code).await;
        assert!(said.contains("couldn't check your code just now"), "{fault:?}: {said}");
        stack.idp().fail_with(None);
        let order = &stack.orders(&ana).await[0];
        assert_eq!(order["status"], "pending", "{fault:?}");
        assert_eq!(order["confirmation"]["attempts_left"], json!(3), "{fault:?}: no attempt used");
    }
    let said = stack.say("authorize-code.json", &ana, &code).await;
    assert!(said.contains("Order confirmed"), "the same code works once Auth0 is back: {said}");
    stack.stop().await;
}

/// A slow but working Auth0 (the voice-turn benchmark's `LOCAL_IDP_*_DELAY_MS`, here short):
/// the conversation is the same, only later.
#[tokio::test]
async fn a_slow_auth0_within_the_timeout_changes_nothing_but_the_wait() {
    let stack = TestStack::spawn(&[("LOCAL_IDP_DELAY_MS", "20"), ("LOCAL_IDP_PASSWORDLESS_DELAY_MS", "60")]).await;
    let ana = stack.linked_token("ana");
    let said = stack.order(&ana).await;
    assert!(said.contains("I sent a code"), "{said}");
    let code = stack.last_code().await;
    let said = stack.say("authorize-code.json", &ana, &code).await;
    assert!(said.contains("Order confirmed"), "{said}");
    stack.stop().await;
}

#[tokio::test]
async fn a_bad_identity_provider_delay_stops_the_stack_with_a_clear_error() {
    for (name, value) in [("LOCAL_IDP_DELAY_MS", "soon"), ("LOCAL_IDP_PASSWORDLESS_DELAY_MS", "10001")] {
        let data = tempfile::tempdir().unwrap();
        let mut vars =
            pod_local::private_settings(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), data.path()).unwrap();
        vars.insert(name.into(), value.into());
        let error = match pod_local::LocalStack::start(|name| vars.get(name).cloned()).await {
            Ok(_) => panic!("a stack with {name}={value} started"),
            Err(error) => error.to_string(),
        };
        assert!(error.contains(name) && error.contains(&format!("'{value}'")), "{error}");
    }
}
