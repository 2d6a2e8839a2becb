//! What the skill says in every case the walking skeleton names, against the
//! real embedded store, with test doubles for the identity provider and the
//! code channel (Auth0 itself is tested over HTTP in `pod-local`).

use pod_shared::alexa::{RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{ChallengePolicy, Destination, Timestamp, UserId};
use pod_shared::ports::{OrderStore, PageRequest};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use serde_json::{Value, json};
use std::sync::Arc;

const RIGHT_CODE: &str = "4217";

struct Harness {
    skill: Skill,
    store: Arc<EmbeddedOrderStore>,
    clock: Arc<ManualClock>,
    codes: Arc<FakeCodeDesk>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
    let directory = Arc::new(FakeDirectory::standard());
    let service = OrderService::new(store.clone(), directory, codes.clone(), clock.clone(), ChallengePolicy::default());
    Harness { skill: Skill::new(service), store, clock, codes, _dir: dir }
}

fn envelope(token: Option<&str>, request: Value) -> RequestEnvelope {
    let user = match token {
        Some(t) => json!({"userId": "amzn1.ask.account.X", "accessToken": t}),
        None => json!({"userId": "amzn1.ask.account.X"}),
    };
    // A request's `stage` (as `placing` gives one) goes into the session's attributes, where
    // Alexa puts what the skill's last answer (the recap) left there; `attributes`, all of them.
    let attributes = match (request.get("attributes"), request.get("stage")) {
        (Some(all), _) => all.clone(),
        (None, Some(stage)) => json!({"stage": stage}),
        (None, None) => json!({}),
    };
    let body = json!({
        "version": "1.0",
        "session": {"new": false, "sessionId": "amzn1.echo-api.session.1",
                    "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user, "attributes": attributes},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
        "request": request,
    });
    parse_request(body.to_string().as_bytes()).unwrap()
}

fn intent(name: &str, slots: Value) -> Value {
    json!({"type": "IntentRequest", "requestId": next_request_id(), "timestamp": "2027-01-15T08:00:00Z",
           "locale": "en-US", "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots}})
}

fn order(size: Option<&str>, toppings: &[&str]) -> Value {
    let mut slots = json!({});
    if let Some(size) = size {
        slots["Size"] = json!({"name": "Size", "value": size});
    }
    if !toppings.is_empty() {
        let values: Vec<Value> = toppings.iter().map(|t| json!({"type": "Simple", "value": t})).collect();
        slots["Toppings"] = json!({"name": "Toppings", "slotValue": {"type": "List", "values": values}});
    }
    intent("GetMeSomePizzaIntent", slots)
}

/// "Yes" to the recap of this pizza: what places the order and sends its code.
fn placing(size: Option<&str>, toppings: &[&str]) -> Value {
    let mut yes = intent("AMAZON.YesIntent", json!({}));
    yes["stage"] =
        json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": size, "toppings": toppings}});
    yes
}

/// A fresh request id, as Alexa gives every request its own.
fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("amzn1.echo-api.request.{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

fn authorize(code: Option<&str>) -> Value {
    match code {
        Some(code) => intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": code}})),
        None => intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code"}})),
    }
}

async fn say(h: &Harness, token: Option<&str>, request: Value) -> Value {
    let response: ResponseEnvelope = h.skill.handle(&envelope(token, request)).await;
    serde_json::to_value(response).unwrap()
}

/// The SSML with apostrophes and quotes unescaped, as a listener hears the words.
fn speech(response: &Value) -> String {
    let ssml = response["response"]["outputSpeech"]["ssml"].as_str().unwrap_or_default();
    ssml.replace("&apos;", "'").replace("&quot;", "\"")
}

fn keeps_session_open(response: &Value) -> bool {
    response["response"]["shouldEndSession"] == json!(false)
}

fn elicited_slot(response: &Value) -> Option<String> {
    let directive = &response["response"]["directives"][0];
    (directive["type"] == "Dialog.ElicitSlot").then(|| directive["slotToElicit"].as_str().unwrap().to_string())
}

async fn orders_of(h: &Harness, user: &str) -> Vec<pod_shared::domain::Order> {
    h.store.list(&UserId::parse(user).unwrap(), PageRequest::first(50)).await.unwrap().orders
}

#[tokio::test]
async fn launch_welcomes_and_listens() {
    let h = harness();
    let r = say(&h, None, json!({"type": "LaunchRequest", "requestId": "r"})).await;
    assert!(speech(&r).contains("Welcome to Pizza on Demand"));
    assert!(keeps_session_open(&r));
    assert!(r["response"]["reprompt"]["outputSpeech"]["ssml"].is_string());
}

#[tokio::test]
async fn ordering_without_a_linked_account_asks_to_link_it() {
    let h = harness();
    for token in [None, Some("forged-token")] {
        let r = say(&h, token, order(Some("large"), &["pepperoni"])).await;
        assert_eq!(r["response"]["card"]["type"], "LinkAccount");
        assert!(speech(&r).contains("link your account"));
        assert!(speech(&r).contains("Alexa app"));
    }
    assert!(h.codes.sent().is_empty());
}

#[tokio::test]
async fn a_missing_or_unknown_size_is_elicited() {
    let h = harness();
    let r = say(&h, Some("token-ana"), order(None, &["pepperoni"])).await;
    assert_eq!(elicited_slot(&r).as_deref(), Some("Size"));
    assert!(speech(&r).contains("What size"));
    let r = say(&h, Some("token-ana"), order(Some("gigantic"), &[])).await;
    assert_eq!(elicited_slot(&r).as_deref(), Some("Size"));
    assert!(speech(&r).contains("we don't make a gigantic pizza"));
    assert!(orders_of(&h, "auth0|ana").await.is_empty());
}

#[tokio::test]
async fn an_unknown_topping_is_named_back_not_dropped() {
    let h = harness();
    let r = say(&h, Some("token-ana"), order(Some("large"), &["pepperoni", "anchovies"])).await;
    assert_eq!(elicited_slot(&r).as_deref(), Some("Toppings"));
    assert!(speech(&r).contains("we don't have anchovies"), "{}", speech(&r));
    assert!(orders_of(&h, "auth0|ana").await.is_empty());
}

#[tokio::test]
async fn entity_resolution_gives_canonical_values() {
    let h = harness();
    let resolved = |heard: &str, canonical: &str| {
        json!({"value": heard, "resolutions": {"resolutionsPerAuthority": [
            {"authority": "amzn1.er-authority.echo-sdk.x.PIZZA_SIZE", "status": {"code": "ER_SUCCESS_MATCH"},
             "values": [{"value": {"name": canonical, "id": canonical.to_uppercase()}}]}]}})
    };
    let mut size = resolved("huge", "jumbo");
    size["name"] = json!("Size");
    let mut topping = resolved("shrooms", "mushrooms");
    topping["type"] = json!("Simple");
    let slots =
        json!({"Size": size, "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": [topping]}}});
    let r = say(&h, Some("token-ana"), intent("GetMeSomePizzaIntent", slots)).await;
    assert!(speech(&r).contains("jumbo pizza with mushrooms"), "{}", speech(&r));
}

#[tokio::test]
async fn ordering_sends_a_code_by_sms_and_says_where_masked() {
    let h = harness();
    let r = say(&h, Some("token-ana"), placing(Some("large"), &["pepperoni", "mushrooms"])).await;
    let said = speech(&r);
    assert!(said.contains("large pizza with pepperoni and mushrooms"), "{said}");
    assert!(said.contains("your phone ending in <say-as interpret-as=\"digits\">21</say-as>"), "{said}");
    assert!(said.contains("authorize order"));
    assert!(!said.contains("555"), "never the full number");
    assert!(keeps_session_open(&r));
    assert!(r["response"]["reprompt"]["outputSpeech"]["ssml"].as_str().unwrap().contains("authorize order"));
    assert_eq!(h.codes.sent().len(), 1);
    let orders = orders_of(&h, "auth0|ana").await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status.name(), "pending");
}

#[tokio::test]
async fn a_user_without_a_phone_gets_the_code_by_email() {
    let h = harness();
    let r = say(&h, Some("token-ben"), placing(Some("small"), &[])).await;
    assert!(speech(&r).contains("small cheese pizza"));
    assert!(speech(&r).contains("your email address at example.com"), "{}", speech(&r));
    assert!(matches!(h.codes.sent()[0], Destination::Email(_)));
}

#[tokio::test]
async fn a_user_with_no_contact_is_told_and_nothing_is_stored() {
    let h = harness();
    let r = say(&h, Some("token-nobody"), placing(Some("small"), &[])).await;
    assert!(speech(&r).contains("verify a phone or email in the Pizza on Demand web app"), "{}", speech(&r));
    assert!(orders_of(&h, "auth0|nobody").await.is_empty());
}

#[tokio::test]
async fn when_the_code_cannot_be_sent_nothing_is_stored() {
    let h = harness();
    h.codes.set_down(true);
    let r = say(&h, Some("token-ana"), placing(Some("large"), &[])).await;
    assert!(speech(&r).contains("your order was not placed"));
    assert!(orders_of(&h, "auth0|ana").await.is_empty());
}

#[tokio::test]
async fn the_right_code_confirms_the_order() {
    let h = harness();
    say(&h, Some("token-ana"), placing(Some("large"), &["bacon"])).await;
    let r = say(&h, Some("token-ana"), authorize(Some(RIGHT_CODE))).await;
    assert!(speech(&r).contains("Order confirmed"), "{}", speech(&r));
    assert_eq!(r["response"]["shouldEndSession"], true);
    assert_eq!(orders_of(&h, "auth0|ana").await[0].status.name(), "confirmed");
    let again = say(&h, Some("token-ana"), authorize(Some(RIGHT_CODE))).await;
    assert!(speech(&again).contains("no order waiting"), "a code confirms once: {}", speech(&again));
}

#[tokio::test]
async fn wrong_codes_count_down_and_the_third_locks_the_order() {
    let h = harness();
    say(&h, Some("token-ana"), placing(Some("medium"), &[])).await;
    let r = say(&h, Some("token-ana"), authorize(Some("1111"))).await;
    assert!(speech(&r).contains("You have 2 tries left"), "{}", speech(&r));
    assert_eq!(elicited_slot(&r).as_deref(), Some("Code"));
    let r = say(&h, Some("token-ana"), authorize(Some("2222"))).await;
    assert!(speech(&r).contains("You have 1 try left"), "{}", speech(&r));
    let r = say(&h, Some("token-ana"), authorize(Some("3333"))).await;
    assert!(speech(&r).contains("locked this order"), "{}", speech(&r));
    let order = &orders_of(&h, "auth0|ana").await[0];
    assert_eq!(order.status.name(), "locked");
    assert_eq!(order.challenge.attempts_used, 3);
    let r = say(&h, Some("token-ana"), authorize(Some(RIGHT_CODE))).await;
    assert!(speech(&r).contains("no order waiting"), "a locked order cannot be confirmed: {}", speech(&r));
}

#[tokio::test]
async fn a_missing_or_garbled_code_is_asked_for_again() {
    let h = harness();
    say(&h, Some("token-ana"), placing(Some("medium"), &[])).await;
    let r = say(&h, Some("token-ana"), authorize(None)).await;
    assert_eq!(elicited_slot(&r).as_deref(), Some("Code"));
    assert!(speech(&r).contains("didn't hear a code"));
    let r = say(&h, Some("token-ana"), authorize(Some("twelve"))).await;
    assert_eq!(elicited_slot(&r).as_deref(), Some("Code"));
    assert!(speech(&r).contains("didn't understand that code"));
    assert_eq!(orders_of(&h, "auth0|ana").await[0].challenge.attempts_used, 0, "no attempt used");
}

#[tokio::test]
async fn authorizing_without_a_pending_order_says_so() {
    let h = harness();
    let r = say(&h, Some("token-ana"), authorize(Some(RIGHT_CODE))).await;
    assert!(speech(&r).contains("no order waiting for confirmation"));
}

#[tokio::test]
async fn an_expired_challenge_is_reported_and_recorded() {
    let h = harness();
    say(&h, Some("token-ana"), placing(Some("large"), &[])).await;
    h.clock.advance_seconds(301);
    let r = say(&h, Some("token-ana"), authorize(Some(RIGHT_CODE))).await;
    assert!(speech(&r).contains("code has expired"), "{}", speech(&r));
    assert_eq!(orders_of(&h, "auth0|ana").await[0].status.name(), "expired");
}

#[tokio::test]
async fn a_new_order_replaces_the_pending_one_and_says_so() {
    let h = harness();
    say(&h, Some("token-ana"), placing(Some("large"), &[])).await;
    let r = say(&h, Some("token-ana"), placing(Some("small"), &["onions"])).await;
    assert!(speech(&r).contains("replaces your earlier order"), "{}", speech(&r));
    let orders = orders_of(&h, "auth0|ana").await;
    assert_eq!(orders.iter().map(|o| o.status.name()).collect::<Vec<_>>(), ["pending", "cancelled"]);
}

#[tokio::test]
async fn when_auth0_is_down_the_code_check_uses_up_nothing() {
    let h = harness();
    say(&h, Some("token-ana"), placing(Some("large"), &[])).await;
    h.codes.set_down(true);
    let r = say(&h, Some("token-ana"), authorize(Some("1111"))).await;
    assert!(speech(&r).contains("couldn't check your code"));
    let order = &orders_of(&h, "auth0|ana").await[0];
    assert_eq!((order.status.name(), order.challenge.attempts_used), ("pending", 0));
}

#[tokio::test]
async fn built_in_intents_and_unknown_intents_get_sensible_answers() {
    let h = harness();
    let r = say(&h, None, intent("AMAZON.HelpIntent", json!({}))).await;
    assert!(speech(&r).contains("authorize order") && keeps_session_open(&r));
    for name in ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"] {
        let r = say(&h, None, intent(name, json!({}))).await;
        assert!(speech(&r).contains("Goodbye"), "{name}");
        assert_eq!(r["response"]["shouldEndSession"], true, "{name}");
    }
    for name in ["AMAZON.FallbackIntent", "OrderSushiIntent"] {
        let r = say(&h, None, intent(name, json!({}))).await;
        assert!(speech(&r).contains("can't help with that"), "{name}");
        assert!(keeps_session_open(&r));
    }
    let r = say(&h, None, json!({"type": "SessionEndedRequest", "requestId": "r", "reason": "USER_INITIATED"})).await;
    assert_eq!(r["response"], json!({}));
    let r = say(&h, None, json!({"type": "System.ExceptionEncountered", "requestId": "r"})).await;
    assert_eq!(r["version"], "1.0");
}

#[test]
fn unparseable_requests_get_a_clear_error() {
    for (body, expected) in [
        (&b"not json"[..], "expected"),
        (&br#"{"version": "1.0"}"#[..], "missing field `request`"),
        (&br#"{"request": {"type": "IntentRequest"}}"#[..], "missing field `intent`"),
        (&br#"{"request": {"type": "IntentRequest", "intent": {"name": 7}}}"#[..], "invalid type"),
    ] {
        let error = parse_request(body).unwrap_err().to_string();
        assert!(error.starts_with("the request is not a valid Alexa request"), "{error}");
        assert!(error.contains(expected), "{error}");
    }
}

#[tokio::test]
async fn too_many_codes_in_an_hour_says_when_to_try_again() {
    let h = harness();
    for _ in 0..5 {
        say(&h, Some("token-ana"), placing(Some("small"), &[])).await;
        h.clock.advance_seconds(60);
    }
    let r = say(&h, Some("token-ana"), placing(Some("small"), &[])).await;
    assert!(speech(&r).contains("try again in 55 minutes"), "{}", speech(&r));
    assert_eq!(h.codes.sent().len(), 5, "no sixth code was sent");
    assert_eq!(orders_of(&h, "auth0|ana").await.len(), 5, "and no sixth order stored");
}

#[tokio::test]
async fn a_repeated_request_id_gets_the_first_answer_and_changes_nothing() {
    let h = harness();
    let mut placing = placing(Some("large"), &[]);
    placing["requestId"] = json!("amzn1.echo-api.request.order-once");
    let first = say(&h, Some("token-ana"), placing.clone()).await;
    let again = say(&h, Some("token-ana"), placing).await;
    assert_eq!(first, again);
    assert_eq!(h.codes.sent().len(), 1, "one code sent");
    assert_eq!(orders_of(&h, "auth0|ana").await.len(), 1, "one order stored");

    let mut wrong = authorize(Some("1111"));
    wrong["requestId"] = json!("amzn1.echo-api.request.wrong-once");
    let first = say(&h, Some("token-ana"), wrong.clone()).await;
    let again = say(&h, Some("token-ana"), wrong).await;
    assert_eq!(first, again);
    assert!(speech(&again).contains("2 tries left"));
    assert_eq!(orders_of(&h, "auth0|ana").await[0].challenge.attempts_used, 1, "not a second attempt");
}

#[tokio::test]
async fn when_the_store_fails_the_user_hears_try_again_and_no_code_is_sent() {
    use pod_shared::ports::StoreError;
    use pod_shared::testing::FailingStore;
    for failure in [StoreError::Throttled, StoreError::Unavailable("connection refused".into())] {
        let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
        let service = OrderService::new(
            Arc::new(FailingStore(failure.clone())),
            Arc::new(FakeDirectory::standard()),
            codes.clone(),
            Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
            ChallengePolicy::default(),
        );
        let skill = Skill::new(service);
        let answer = |request: Value| {
            let skill = &skill;
            async move { serde_json::to_value(skill.handle(&envelope(Some("token-ana"), request)).await).unwrap() }
        };
        let ordered = speech(&answer(placing(Some("large"), &[])).await);
        assert!(ordered.contains("your order was not placed. Please try again in a moment"), "{failure}: {ordered}");
        assert!(codes.sent().is_empty(), "{failure}: no code sent for an order that cannot be stored");
        let authorized = speech(&answer(authorize(Some(RIGHT_CODE))).await);
        assert!(authorized.contains("couldn't check your code just now"), "{failure}: {authorized}");
    }
}
