//! External round trips per intent on a warm instance, counted by the Auth0
//! client and the store adapters themselves (not by timing): once the
//! management token and the profile are cached, an order needs one sequential
//! Auth0 call (the passwordless start) and a code check one (the verification).

use crate::helpers::TestStack;
use pod_local::round_trips::{IntentTrips, ProbeSkill};
use pod_shared::config::StoreSettings;
use pod_shared::round_trips::Remote;

fn find<'a>(measured: &'a [IntentTrips], request: &str) -> &'a IntentTrips {
    measured.iter().find(|m| m.request == request).unwrap_or_else(|| panic!("{request} was not measured"))
}

fn operations(m: &IntentTrips, remote: Remote) -> Vec<&'static str> {
    m.trips.trips.iter().filter(|t| t.remote == remote).map(|t| t.operation).collect()
}

/// The Auth0 side, the same whatever the store.
fn check_auth0(measured: &[IntentTrips]) {
    let launch = find(measured, "launch");
    assert_eq!(launch.trips.calls(), 0, "a launch needs no round trip: {}", launch.trips.operations());

    let recap = find(measured, "recap");
    assert!(recap.said.contains("Shall I send your code?"), "{}", recap.said);
    assert_eq!(recap.trips.calls(), 0, "the recap stores and sends nothing: {}", recap.trips.operations());

    let order = find(measured, "order");
    assert!(order.said.contains("large pizza with pepperoni"), "{}", order.said);
    assert_eq!(operations(order, Remote::Auth0), ["passwordless_start"], "{}", order.trips.operations());
    assert!(order.trips.sequential_to(Remote::Auth0) <= 2);
    // The progressive response: one call to the Directive API double, beside the send, never a round.
    assert_eq!(operations(order, Remote::Alexa), ["directive"], "{}", order.trips.operations());
    for m in measured.iter().filter(|m| m.request != "order") {
        assert_eq!(m.trips.calls_to(Remote::Alexa), 0, "only a code's send speaks progressively: {}", m.request);
    }

    let wrong = find(measured, "authorize_wrong_code");
    assert!(wrong.said.contains("2 tries left"), "{}", wrong.said);
    assert_eq!(operations(wrong, Remote::Auth0), ["passwordless_verify"], "{}", wrong.trips.operations());

    let right = find(measured, "authorize_right_code");
    assert!(right.said.contains("confirmed"), "{}", right.said);
    assert_eq!(operations(right, Remote::Auth0), ["passwordless_verify"], "{}", right.trips.operations());

    let repeated = find(measured, "authorize_repeated_by_alexa");
    assert_eq!(repeated.said, right.said, "a repeated request gets the first answer");
    assert_eq!(repeated.trips.calls_to(Remote::Auth0), 0, "{}", repeated.trips.operations());
}

#[tokio::test]
async fn a_warm_instance_on_the_embedded_store_calls_auth0_once_per_intent_and_nothing_else() {
    let stack = TestStack::spawn(&[]).await;
    let probe_data = tempfile::tempdir().unwrap();
    let store = StoreSettings::Embedded { data_dir: probe_data.path().to_path_buf() };
    let probe = ProbeSkill::start(stack.local(), store, "ana").await.unwrap();
    let measured = probe.warm_conversation(stack.local()).await.unwrap();
    check_auth0(&measured);
    // The durable commits each request waits for (`pod_shared::durability`: its writes reach the
    // disk together, for an order once, before the code's send (the order and its answer are
    // written ahead of it), for a code check once, before the answer; a right code's receipt
    // goes after it): exact, so that a change adding one fails here.
    let commits: Vec<(&str, usize)> = measured.iter().map(|m| (m.request, m.trips.durable_commits)).collect();
    assert_eq!(
        commits,
        [
            ("launch", 0),
            ("recap", 0),
            ("order", 1),
            ("authorize_wrong_code", 1),
            ("authorize_right_code", 1),
            ("authorize_repeated_by_alexa", 0)
        ]
    );
    for m in &measured {
        assert_eq!(m.trips.calls_to(Remote::Store), 0, "the embedded store is local: {}", m.trips.operations());
        // Every Auth0 call is a round of its own; the Directive API call is none.
        assert_eq!(m.trips.sequential(), m.trips.calls_to(Remote::Auth0));
        assert_eq!(m.trips.calls(), m.trips.calls_to(Remote::Auth0) + m.trips.calls_to(Remote::Alexa));
    }
    stack.stop().await;
}

#[tokio::test]
async fn the_cold_order_fetches_the_token_and_profile_once_and_the_replay_claim_runs_beside_the_profile() {
    let stack = TestStack::spawn(&[]).await;
    let table = pod_local::fresh_local_table("pod-orders-trips-cold").await;
    let probe = ProbeSkill::start(stack.local(), StoreSettings::DynamoDb { table }, "ben").await.unwrap();

    let cold = probe.send("order", pod_local::round_trips::order()).await.unwrap();
    let auth0 = operations(&cold, Remote::Auth0);
    assert_eq!(auth0.iter().filter(|o| **o == "management_token").count(), 1, "{}", cold.trips.operations());
    assert_eq!(auth0.iter().filter(|o| **o == "user_profile").count(), 1, "{}", cold.trips.operations());
    // The replay claim (the first store write, once the token says who is asking) and the
    // profile lookup overlap.
    let claim = cold.trips.trips.iter().filter(|t| t.remote == Remote::Store).min_by_key(|t| t.started).unwrap();
    assert_eq!(claim.operation, "put_item", "{}", cold.trips.operations());
    let profile = cold.trips.trips.iter().filter(|t| t.remote == Remote::Auth0 && t.operation != "jwks");
    assert!(
        profile.into_iter().any(|a| claim.started < a.ended && a.started < claim.ended),
        "{}",
        cold.trips.operations()
    );
    assert!(cold.trips.sequential() < cold.trips.calls(), "{}", cold.trips.operations());
    stack.stop().await;
}

/// On DynamoDB every store call is a network round trip too: the warm requests' calls and
/// sequential rounds are pinned here so that a change that adds one shows up.
#[tokio::test]
async fn a_warm_instance_on_dynamodb_makes_a_known_number_of_store_calls() {
    let table = pod_local::fresh_local_table("pod-orders-trips").await;
    let stack = TestStack::spawn(&[]).await;
    let probe = ProbeSkill::start(stack.local(), StoreSettings::DynamoDb { table }, "ana").await.unwrap();
    let measured = probe.warm_conversation(stack.local()).await.unwrap();
    check_auth0(&measured);
    // Calls and sequential rounds, exact. The order: the replay claim (one conditional put) beside
    // the enrolled phone, the guess budget (is ordering paused?), the pending pointer and the newest
    // order (the one it names, which the supersede starts from); one transaction ahead of the send:
    // the send reserved, the supersede, the code-sent entry and the request's answer; the send.
    let order = find(&measured, "order");
    let pinned = |m: &IntentTrips| (m.trips.calls_to(Remote::Store), m.trips.sequential_to(Remote::Store));
    assert_eq!(pinned(order), (6, 2), "{}", order.trips.operations());
    let ahead = order.trips.operations();
    assert!(
        ahead.contains("store:transact_write_items auth0:passwordless_start"),
        "written ahead of the send: {ahead}"
    );
    // A code check: one transaction that claims the request and reserves the guess (far from
    // any block), beside the pointer, the newest order and the enrolled phone; the check; one
    // transaction: the order's count, the wrong-code entry and the answer. A right code: the
    // confirmation, the budget's reset, the entry and the answer in that one transaction.
    let wrong = find(&measured, "authorize_wrong_code");
    assert_eq!(pinned(wrong), (5, 2), "{}", wrong.trips.operations());
    let right = find(&measured, "authorize_right_code");
    assert_eq!(pinned(right), (5, 2), "{}", right.trips.operations());
    for m in [wrong, right] {
        let first = m.trips.operations();
        assert!(first.starts_with("store:transact_write_items"), "the claim reserves the guess: {first}");
    }
    for m in [wrong, right] {
        let last = m.trips.operations();
        assert!(last.ends_with("store:transact_write_items"), "the answer goes with the last write: {last}");
    }
    let repeated = find(&measured, "authorize_repeated_by_alexa");
    // A repeat: the claim's transaction is refused (the guess with it: nothing is written) and
    // returns the answer stored on the claim; the code check's reads ran beside it (one round).
    let mut calls = operations(repeated, Remote::Store);
    calls.sort_unstable();
    assert_eq!(calls, ["get_item", "get_item", "query", "transact_write_items"], "{}", repeated.trips.operations());
    assert_eq!(pinned(repeated), (4, 1), "{}", repeated.trips.operations());
    stack.stop().await;
}

/// The voice PIN (`STEP_UP=voice_pin`) on a warm instance: the yes stores the order and sends
/// nothing, and Alexa's PIN result costs no Auth0 call at all (no code to check).
fn check_voice_pin(measured: &[IntentTrips]) {
    let placed = find(measured, "voice_pin_order");
    assert!(placed.connection_token.is_some(), "the yes hands the turn to Alexa's PIN check: {}", placed.said);
    assert_eq!(placed.trips.calls_to(Remote::Auth0), 0, "no code to send: {}", placed.trips.operations());
    assert_eq!(placed.trips.calls_to(Remote::Alexa), 0, "no progressive response: {}", placed.trips.operations());
    let wrong = find(measured, "voice_pin_not_achieved");
    assert!(wrong.said.contains("not confirmed"), "{}", wrong.said);
    let right = find(measured, "voice_pin_achieved");
    assert!(right.said.contains("Order confirmed"), "{}", right.said);
    for m in [wrong, right] {
        assert_eq!(m.trips.calls_to(Remote::Auth0), 0, "{}: {}", m.request, m.trips.operations());
        assert_eq!(m.trips.calls_to(Remote::Alexa), 0, "{}: {}", m.request, m.trips.operations());
    }
    let repeated = find(measured, "voice_pin_repeated_by_alexa");
    assert_eq!(repeated.said, right.said, "a repeated request gets the first answer");
}

#[tokio::test]
async fn a_warm_voice_pin_conversation_on_the_embedded_store_makes_no_round_trip() {
    let stack = TestStack::spawn(&[]).await;
    let probe_data = tempfile::tempdir().unwrap();
    let store = StoreSettings::Embedded { data_dir: probe_data.path().to_path_buf() };
    let probe = ProbeSkill::start_with_step_up(stack.local(), store, "ana", pod_shared::domain::StepUp::VoicePin)
        .await
        .unwrap();
    let measured = probe.warm_voice_pin_conversation().await.unwrap();
    check_voice_pin(&measured);
    for m in &measured {
        assert_eq!(m.trips.calls(), 0, "{}: {}", m.request, m.trips.operations());
    }
    stack.stop().await;
}

/// On DynamoDB the voice PIN's store calls and rounds are pinned: the order costs fewer than one
/// with a code (no send window, no code sent to record), and ACHIEVED no more than a right code.
#[tokio::test]
async fn a_warm_voice_pin_conversation_on_dynamodb_costs_no_more_store_calls_than_codes() {
    let table = pod_local::fresh_local_table("pod-orders-trips-pin").await;
    let stack = TestStack::spawn(&[]).await;
    let store = StoreSettings::DynamoDb { table };
    let probe = ProbeSkill::start_with_step_up(stack.local(), store, "ana", pod_shared::domain::StepUp::VoicePin)
        .await
        .unwrap();
    let measured = probe.warm_voice_pin_conversation().await.unwrap();
    check_voice_pin(&measured);
    let pinned = |m: &IntentTrips| (m.trips.calls_to(Remote::Store), m.trips.sequential_to(Remote::Store));
    let placed = find(&measured, "voice_pin_order");
    // A code's order (7 calls, 3 rounds) less the send's reservation; no code-sent entry.
    assert_eq!(pinned(placed), (6, 2), "{}", placed.trips.operations());
    let wrong = find(&measured, "voice_pin_not_achieved");
    // Alexa's PIN result: the claim, then the pending order and the profile (a resumed session
    // reads them after its claim, not beside it), the guess reserved alone, and the last write
    // with the answer in one transaction, as a code check's; no Auth0 check.
    assert_eq!(pinned(wrong), (6, 4), "{}", wrong.trips.operations());
    let right = find(&measured, "voice_pin_achieved");
    assert_eq!(pinned(right), (6, 4), "{}", right.trips.operations());
    let repeated = find(&measured, "voice_pin_repeated_by_alexa");
    assert_eq!(operations(repeated, Remote::Store), ["put_item"], "{}", repeated.trips.operations());
    stack.stop().await;
}
