//! Alexa's voice PIN as the step-up (`STEP_UP=voice_pin` / `voice_pin_or_code`) and the
//! recognised speaker, through the skill's handler with the recorded events of `events/alexa`
//! (`session-resumed-*.json`, `*-recognised-speaker.json`, `*-other-speaker.json`): every branch
//! of the `SessionResumedRequest`, the guess budget counting NOT_ACHIEVED, and codes or PINs from
//! another voice. Real embedded store; test doubles for the identity provider and the code desk.

use pod_shared::alexa::ResponseEnvelope;
use pod_shared::domain::{
    BudgetState, ChallengePolicy, ConfirmBy, Order, OrderStatus, PersonId, StepUp, Timestamp, UserId,
};
use pod_shared::ports::{Clock, OrderStore};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock, RecordingSender};
use pod_skill::{Skill, parse_request};
use serde_json::{Value, json};
use std::sync::Arc;

const RIGHT_CODE: &str = "4217";
const RECOGNISED: &str = "amzn1.ask.person.EXAMPLEPERSON";

struct Harness {
    skill: Skill,
    store: Arc<EmbeddedOrderStore>,
    clock: Arc<ManualClock>,
    codes: Arc<FakeCodeDesk>,
    _dir: tempfile::TempDir,
}

fn harness(step_up: StepUp) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
    let policy = ChallengePolicy { sends_per_hour: 100, ..ChallengePolicy::default() };
    let service =
        OrderService::new(store.clone(), Arc::new(FakeDirectory::standard()), codes.clone(), clock.clone(), policy)
            .with_notices(Arc::new(RecordingSender::default()));
    Harness { skill: Skill::new(service).with_step_up(step_up), store, clock, codes, _dir: dir }
}

fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("voice-pin-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

/// The recorded event `events/alexa/{name}` as Alexa sends it for `token`'s user: `order` is
/// the connection's token (`{{ORDER_ID}}`), `code` the code (`{{CODE}}`), a fresh request id.
fn event(name: &str, token: &str, order: &str, code: &str) -> Value {
    let path = format!("{}/../../events/alexa/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = text
        .replace("{{ACCESS_TOKEN}}", token)
        .replace("{{ORDER_ID}}", order)
        .replace("{{CODE}}", code)
        .replace("{{REQUEST_ID}}", &next_request_id())
        .replace("{{API_ENDPOINT}}", "https://api.amazonalexa.com");
    serde_json::from_str(&text).unwrap()
}

async fn send(h: &Harness, event: &Value) -> Value {
    let response: ResponseEnvelope = h.skill.handle(&parse_request(event.to_string().as_bytes()).unwrap()).await;
    serde_json::to_value(response).unwrap()
}

async fn say(h: &Harness, name: &str, order: &str, code: &str) -> Value {
    send(h, &event(name, "token-ana", order, code)).await
}

fn speech(response: &Value) -> String {
    response["response"]["outputSpeech"]["ssml"].as_str().unwrap_or_default().replace("&apos;", "'")
}

fn ana() -> UserId {
    UserId::parse("auth0|ana").unwrap()
}

async fn pending(h: &Harness) -> Option<Order> {
    h.store.pending_for(&ana()).await.unwrap()
}

async fn order(h: &Harness, id: &str) -> Order {
    h.store.get(&ana(), &id.parse().unwrap()).await.unwrap().expect("the order is stored")
}

async fn failures(h: &Harness) -> u32 {
    h.store.guess_budget(&ana()).await.unwrap().failures
}

/// "Yes" to the recap (`event`: which recorded yes): the answer must hand the turn to Alexa's
/// voice PIN check; returns the connection's token.
async fn yes_with_pin(h: &Harness, event: &str) -> String {
    let answer = say(h, event, "", "").await;
    let directives = answer["response"]["directives"].as_array().unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(directives.len(), 1, "{answer}");
    let start = &directives[0];
    assert_eq!(start["type"], "Connections.StartConnection");
    assert_eq!(start["uri"], "connection://AMAZON.VerifyPerson/2");
    assert_eq!(
        start["input"],
        json!({"requestedAuthenticationConfidenceLevel": {"level": 400, "customPolicy": {"policyName": "VOICE_PIN"}}})
    );
    let response = answer["response"].as_object().unwrap();
    for absent in ["shouldEndSession", "outputSpeech", "reprompt"] {
        assert!(!response.contains_key(absent), "a StartConnection answer has no {absent}: {answer}");
    }
    start["token"].as_str().expect("a token").to_string()
}

#[tokio::test]
async fn the_recap_asks_to_place_the_order_with_the_voice_pin_and_yes_sends_no_code() {
    let h = harness(StepUp::VoicePin);
    let recap = say(&h, "order-large-pepperoni-mushrooms.json", "", "").await;
    assert!(speech(&recap).contains("Shall I place it? I'll ask for your voice PIN."), "{recap}");
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let stored = pending(&h).await.expect("the order is pending");
    assert_eq!(token, stored.id.to_string(), "the token names the order");
    assert_eq!(stored.challenge.confirm_by, ConfirmBy::VoicePin);
    assert_eq!(stored.person, None, "no recognised speaker in this event");
    assert!(h.codes.sent().is_empty(), "no code is sent for a voice-PIN order");
}

#[tokio::test]
async fn achieved_confirms_through_the_right_codes_path_and_a_repeat_changes_nothing() {
    let h = harness(StepUp::VoicePin);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let resumed = event("session-resumed-achieved.json", "token-ana", &token, "");
    let answer = send(&h, &resumed).await;
    assert!(speech(&answer).contains("Order confirmed!"), "{answer}");
    assert_eq!(answer["response"]["card"]["type"], "Standard", "the receipt card: {answer}");
    assert_eq!(answer["response"]["shouldEndSession"], true);
    assert_eq!(order(&h, &token).await.status, OrderStatus::Confirmed);
    assert_eq!(pending(&h).await, None);
    assert_eq!(h.codes.checked(), 0, "no code was checked");
    assert_eq!(send(&h, &resumed).await, answer, "Alexa delivering it again gets the first answer");
    let again = say(&h, "session-resumed-achieved.json", &token, "").await;
    assert!(speech(&again).contains("not for an order of yours waiting"), "a new request for it: {again}");
}

#[tokio::test]
async fn not_achieved_counts_as_a_wrong_code_never_falls_back_and_the_last_try_locks() {
    let h = harness(StepUp::VoicePinOrCode);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let first = say(&h, "session-resumed-not-achieved.json", &token, "").await;
    assert!(speech(&first).contains("Your voice PIN was not confirmed"), "{first}");
    assert!(speech(&first).contains("You have 2 tries left. Shall I ask for your voice PIN again?"), "{first}");
    assert_eq!(first["response"]["shouldEndSession"], false, "it asks whether to try again");
    assert!(first["response"].get("directives").is_none(), "no weaker path in the same turn: {first}");
    assert!(h.codes.sent().is_empty(), "NOT_ACHIEVED never sends a code");
    let counted = order(&h, &token).await;
    assert_eq!((counted.status, counted.challenge.attempts_used), (OrderStatus::PendingConfirmation, 1));
    assert_eq!(failures(&h).await, 1, "and against the account's guess budget");
    say(&h, "session-resumed-not-achieved.json", &token, "").await;
    let last = say(&h, "session-resumed-not-achieved.json", &token, "").await;
    assert!(speech(&last).contains("locked this order"), "{last}");
    assert_eq!(order(&h, &token).await.status, OrderStatus::Locked);
    let after = say(&h, "session-resumed-achieved.json", &token, "").await;
    assert!(!speech(&after).contains("Order confirmed"), "a locked order: {after}");
    assert_eq!(order(&h, &token).await.status, OrderStatus::Locked, "a PIN confirms no locked order");
    assert!(h.codes.sent().is_empty());
}

#[tokio::test]
async fn wrong_pins_pause_voice_ordering_like_wrong_codes_and_a_paused_account_is_not_confirmed_by_pin() {
    let h = harness(StepUp::VoicePin);
    for _ in 0..2 {
        let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
        for _ in 0..2 {
            say(&h, "session-resumed-not-achieved.json", &token, "").await;
        }
    }
    assert_eq!(failures(&h).await, 4);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let fifth = say(&h, "session-resumed-not-achieved.json", &token, "").await;
    assert!(speech(&fifth).contains("paused"), "the fifth wrong guess in a row pauses ordering: {fifth}");
    let budget = h.store.guess_budget(&ana()).await.unwrap();
    assert!(matches!(budget.state_at(h.clock.now()), BudgetState::Paused { .. }), "{budget:?}");
    let refused = say(&h, "session-resumed-achieved.json", &token, "").await;
    assert!(!speech(&refused).contains("Order confirmed"), "{refused}");
    assert_eq!(order(&h, &token).await.status, OrderStatus::PendingConfirmation, "nothing confirmed while paused");
    assert_eq!(failures(&h).await, 5, "a refused reservation counts nothing more");
}

#[tokio::test]
async fn not_enabled_or_403_falls_back_to_a_code_with_voice_pin_or_code() {
    for event in ["session-resumed-not-enabled.json", "session-resumed-403.json"] {
        let h = harness(StepUp::VoicePinOrCode);
        let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
        let answer = say(&h, event, &token, "").await;
        let said = speech(&answer);
        assert!(said.contains("You have no voice PIN set up, so I sent a code instead."), "{event}: {said}");
        assert!(said.contains("I sent a code to your phone ending in"), "{event}: {said}");
        assert!(!said.contains("replaces your earlier order"), "{event}: {said}");
        assert_eq!(answer["response"]["shouldEndSession"], false, "it listens for the code");
        assert_eq!(h.codes.sent().len(), 1, "{event}: the code went out");
        assert_eq!(order(&h, &token).await.status, OrderStatus::Cancelled, "{event}: the voice-PIN order made way");
        let with_code = pending(&h).await.expect("a pending order with a code");
        assert_eq!(with_code.challenge.confirm_by, ConfirmBy::Code);
        assert_eq!(with_code.pizza, order(&h, &token).await.pizza, "the same pizza");
        assert_eq!(failures(&h).await, 0, "NOT_ENABLED is no wrong guess");
        let confirmed = say(&h, "authorize-code.json", "", RIGHT_CODE).await;
        assert!(speech(&confirmed).contains("Order confirmed!"), "{event}: {confirmed}");
    }
}

#[tokio::test]
async fn not_enabled_or_403_with_voice_pin_only_says_how_to_set_it_up_and_places_nothing() {
    for event in ["session-resumed-not-enabled.json", "session-resumed-403.json"] {
        let h = harness(StepUp::VoicePin);
        let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
        let answer = say(&h, event, &token, "").await;
        assert!(speech(&answer).contains("set up a voice ID and a voice PIN"), "{event}: {answer}");
        assert_eq!(answer["response"]["shouldEndSession"], true);
        assert!(h.codes.sent().is_empty(), "{event}: no code");
        assert_eq!(order(&h, &token).await.status, OrderStatus::Cancelled, "{event}");
        assert_eq!(pending(&h).await, None);
        assert_eq!(failures(&h).await, 0);
    }
}

#[tokio::test]
async fn a_token_that_names_no_pending_order_of_the_users_confirms_nothing() {
    let h = harness(StepUp::VoicePinOrCode);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let foreign = say(&h, "session-resumed-foreign-token.json", "", "").await;
    assert!(speech(&foreign).contains("not for an order of yours waiting"), "{foreign}");
    // Ben's own pending order, named in Ana's session: not hers, so nothing.
    let bens = yes_with_pin_as(&h, "token-ben").await;
    let crossed = say(&h, "session-resumed-achieved.json", &bens, "").await;
    assert!(speech(&crossed).contains("not for an order of yours waiting"), "{crossed}");
    for (name, garbage) in [("session-resumed-achieved.json", "not-an-order"), ("session-resumed-not-enabled.json", "")]
    {
        let answer = say(&h, name, garbage, "").await;
        assert!(speech(&answer).contains("nothing was confirmed"), "{name} {garbage:?}: {answer}");
    }
    assert_eq!(order(&h, &token).await.status, OrderStatus::PendingConfirmation);
    let ben = UserId::parse("auth0|ben").unwrap();
    assert_eq!(
        h.store.get(&ben, &bens.parse().unwrap()).await.unwrap().unwrap().status,
        OrderStatus::PendingConfirmation
    );
    assert_eq!(failures(&h).await, 0, "nothing counted");
    assert!(h.codes.sent().is_empty(), "no fallback for a foreign token");
}

async fn yes_with_pin_as(h: &Harness, token: &str) -> String {
    let answer = send(h, &event("yes-to-the-recap.json", token, "", "")).await;
    answer["response"]["directives"][0]["token"].as_str().unwrap_or_else(|| panic!("{answer}")).to_string()
}

#[tokio::test]
async fn a_session_resumed_after_the_order_expired_confirms_nothing_and_says_so() {
    let h = harness(StepUp::VoicePin);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    h.clock.advance_seconds(301);
    let answer = say(&h, "session-resumed-achieved.json", &token, "").await;
    assert!(speech(&answer).contains("Your order expired before your voice PIN was checked"), "{answer}");
    assert_eq!(order(&h, &token).await.status, OrderStatus::Expired);
    assert_eq!(failures(&h).await, 0);
}

#[tokio::test]
async fn a_pin_from_another_recognised_voice_is_refused_and_counted_and_the_orderers_pin_confirms() {
    let h = harness(StepUp::VoicePin);
    let token = yes_with_pin(&h, "yes-to-the-recap-recognised-speaker.json").await;
    assert_eq!(order(&h, &token).await.person, Some(PersonId::parse(RECOGNISED).unwrap()), "stored on the order");
    let other = say(&h, "session-resumed-other-speaker.json", &token, "").await;
    assert!(speech(&other).contains("Your voice PIN was not confirmed"), "{other}");
    assert_eq!(order(&h, &token).await.challenge.attempts_used, 1, "counted against the order");
    assert_eq!(failures(&h).await, 1, "and the account");
    let same = say(&h, "session-resumed-achieved.json", &token, "").await;
    assert!(speech(&same).contains("Order confirmed!"), "{same}");
    assert_eq!(failures(&h).await, 0, "a right step-up resets the budget");
}

#[tokio::test]
async fn a_pin_from_no_recognised_voice_does_not_confirm_an_order_a_recognised_person_placed() {
    let h = harness(StepUp::VoicePin);
    let token = yes_with_pin(&h, "yes-to-the-recap-recognised-speaker.json").await;
    let mut unrecognised = event("session-resumed-achieved.json", "token-ana", &token, "");
    unrecognised["context"]["System"].as_object_mut().unwrap().remove("person");
    let answer = send(&h, &unrecognised).await;
    assert!(speech(&answer).contains("Your voice PIN was not confirmed"), "{answer}");
    assert_eq!(order(&h, &token).await.status, OrderStatus::PendingConfirmation);
    assert_eq!(failures(&h).await, 1);
}

#[tokio::test]
async fn a_code_from_another_recognised_voice_is_refused_unchecked_and_counted() {
    let h = harness(StepUp::Code);
    let placed = say(&h, "yes-to-the-recap-recognised-speaker.json", "", "").await;
    assert!(speech(&placed).contains("I sent a code"), "{placed}");
    let stored = pending(&h).await.unwrap();
    assert_eq!(stored.person, Some(PersonId::parse(RECOGNISED).unwrap()));
    let other = say(&h, "authorize-code-other-speaker.json", "", RIGHT_CODE).await;
    assert!(speech(&other).contains("That code isn't right. You have 2 tries left."), "{other}");
    assert_eq!(h.codes.checked(), 0, "the code was never checked, so the answer says nothing of it");
    assert_eq!(pending(&h).await.unwrap().challenge.attempts_used, 1);
    assert_eq!(failures(&h).await, 1);
    let same = say(&h, "authorize-code-recognised-speaker.json", "", RIGHT_CODE).await;
    assert!(speech(&same).contains("Order confirmed!"), "the same voice: {same}");
}

#[tokio::test]
async fn a_code_from_a_voice_alexa_did_not_recognise_confirms_an_order_a_recognised_person_placed() {
    let h = harness(StepUp::Code);
    say(&h, "yes-to-the-recap-recognised-speaker.json", "", "").await;
    let confirmed = say(&h, "authorize-code.json", "", RIGHT_CODE).await;
    assert!(speech(&confirmed).contains("Order confirmed!"), "{confirmed}");
    assert_eq!(h.codes.checked(), 1);
}

#[tokio::test]
async fn no_code_opens_a_voice_pin_order_and_none_is_sent_again_for_it() {
    let h = harness(StepUp::VoicePin);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let code = say(&h, "authorize-code.json", "", RIGHT_CODE).await;
    assert!(speech(&code).contains("confirmed with your voice PIN, not a code"), "{code}");
    let resend = say(&h, "resend-code.json", "", "").await;
    assert!(speech(&resend).contains("I can't send another code for this order"), "{resend}");
    assert_eq!((h.codes.checked(), h.codes.sent().len()), (0, 0));
    assert_eq!(order(&h, &token).await.challenge.attempts_used, 0, "nothing counted");
    assert_eq!(failures(&h).await, 0);
}

#[tokio::test]
async fn a_resumed_session_without_a_completed_connection_or_with_an_unknown_result_changes_nothing() {
    let h = harness(StepUp::VoicePinOrCode);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let mut odd = event("session-resumed-achieved.json", "token-ana", &token, "");
    odd["request"]["cause"]["result"]["status"] = json!("MAYBE");
    assert!(speech(&send(&h, &odd).await).contains("I couldn't check your voice PIN"));
    let mut failed = event("session-resumed-achieved.json", "token-ana", &token, "");
    failed["request"]["cause"]["status"]["code"] = json!("500");
    assert!(speech(&send(&h, &failed).await).contains("I couldn't check your voice PIN"));
    let mut other_cause = event("session-resumed-achieved.json", "token-ana", &token, "");
    other_cause["request"]["cause"]["type"] = json!("SomethingElse");
    assert!(speech(&send(&h, &other_cause).await).contains("nothing was confirmed"));
    let unlinked = send(&h, &event("session-resumed-achieved.json", "", &token, "")).await;
    assert_eq!(unlinked["response"]["card"]["type"], "LinkAccount", "{unlinked}");
    assert_eq!(order(&h, &token).await.status, OrderStatus::PendingConfirmation);
    assert_eq!(failures(&h).await, 0);
    assert!(h.codes.sent().is_empty());
}

/// Alexa's PIN results for one order arriving at once (new request ids each, right and wrong
/// mixed): the one conditional confirm lets exactly one right PIN through, and every wrong one
/// that got in before it was counted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_pin_results_confirm_the_order_exactly_once() {
    let h = Arc::new(harness(StepUp::VoicePin));
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let mut racing = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (h, token) = (h.clone(), token.clone());
        let name = if i % 4 == 3 { "session-resumed-not-achieved.json" } else { "session-resumed-achieved.json" };
        racing.spawn(async move { speech(&say(&h, name, &token, "").await) });
    }
    let said = racing.join_all().await;
    let confirmed = said.iter().filter(|s| s.contains("Order confirmed!")).count();
    assert_eq!(confirmed, 1, "{said:#?}");
    let stored = order(&h, &token).await;
    assert_eq!(stored.status, OrderStatus::Confirmed);
    assert!(stored.challenge.attempts_used <= 2, "{stored:?}");
}

/// After a wrong PIN, "yes" hands the turn back to Alexa's PIN check for the same order (its
/// tries count down), "no" leaves it unconfirmed, "help" says both; a stale or forged stage
/// names no order and asks nothing of Alexa.
#[tokio::test]
async fn after_a_wrong_pin_yes_asks_for_it_again_for_the_same_order_and_no_leaves_it() {
    let h = harness(StepUp::VoicePin);
    let token = yes_with_pin(&h, "yes-to-the-recap.json").await;
    let refused = say(&h, "session-resumed-not-achieved.json", &token, "").await;
    let attributes = refused["sessionAttributes"].clone();
    assert_eq!(attributes["stage"], json!({"waiting_for": "voice_pin_refused", "order": token}), "{refused}");
    let in_session = |name: &str, attributes: &Value| {
        let mut request = event(name, "token-ana", "", "");
        request["session"]["attributes"] = attributes.clone();
        request
    };
    let help = send(&h, &in_session("help.json", &attributes)).await;
    assert!(speech(&help).contains("Say yes and Alexa asks for your voice PIN again"), "{help}");
    let again = send(&h, &in_session("yes-to-the-recap.json", &attributes)).await;
    assert_eq!(again["response"]["directives"][0]["type"], "Connections.StartConnection", "{again}");
    assert_eq!(again["response"]["directives"][0]["token"], token.as_str(), "the same order");
    let second = say(&h, "session-resumed-not-achieved.json", &token, "").await;
    assert!(speech(&second).contains("You have 1 try left."), "{second}");
    let no = send(&h, &in_session("no-to-the-recap.json", &second["sessionAttributes"])).await;
    assert!(speech(&no).contains("Your order is not confirmed"), "{no}");
    assert_eq!(order(&h, &token).await.status, OrderStatus::PendingConfirmation);
    let other = json!({"stage": {"waiting_for": "voice_pin_refused", "order": "0190a0b0-0000-7000-8000-00000000f0e1"}});
    let forged = send(&h, &in_session("yes-to-the-recap.json", &other)).await;
    assert!(forged["response"].get("directives").is_none(), "{forged}");
    assert!(speech(&forged).contains("no longer waiting for your voice PIN"), "{forged}");
    assert!(h.codes.sent().is_empty());
}
