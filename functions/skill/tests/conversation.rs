//! The conversation around an order, turn by turn in one session as Alexa plays it: each
//! answer's `sessionAttributes` come back with the next request. The recap before any code,
//! yes and no, a changed order, "repeat that", the status, cancelling, and help for where
//! the user is.

use pod_shared::alexa::ResponseEnvelope;
use pod_shared::domain::{ChallengePolicy, OrderStatus, Timestamp, UserId};
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
    harness_with(ChallengePolicy::default())
}

fn harness_with(policy: ChallengePolicy) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
    let service =
        OrderService::new(store.clone(), Arc::new(FakeDirectory::standard()), codes.clone(), clock.clone(), policy);
    Harness { skill: Skill::new(service), store, clock, codes, _dir: dir }
}

fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("amzn1.echo-api.request.conversation-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

/// One Alexa session as Ana: what the last answer left in `sessionAttributes` goes back.
struct Session<'h> {
    h: &'h Harness,
    attributes: Value,
}

impl<'h> Session<'h> {
    fn new(h: &'h Harness) -> Self {
        Self { h, attributes: json!({}) }
    }

    async fn say(&mut self, name: &str, slots: Value) -> Value {
        let request = json!({"type": "IntentRequest", "requestId": next_request_id(),
            "timestamp": "2027-01-15T08:00:00Z", "locale": "en-US",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots}});
        let user = json!({"userId": "amzn1.ask.account.X", "accessToken": "token-ana"});
        let body = json!({"version": "1.0",
            "session": {"new": false, "sessionId": "amzn1.echo-api.session.1", "attributes": self.attributes,
                        "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user},
            "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
            "request": request});
        let response: ResponseEnvelope =
            self.h.skill.handle(&parse_request(body.to_string().as_bytes()).unwrap()).await;
        let answer = serde_json::to_value(response).unwrap();
        self.attributes = answer.get("sessionAttributes").cloned().unwrap_or(json!({}));
        answer
    }

    async fn order(&mut self, size: Option<&str>, toppings: &[&str]) -> Value {
        let mut slots = json!({});
        if let Some(size) = size {
            slots["Size"] = json!({"name": "Size", "value": size});
        }
        if !toppings.is_empty() {
            let values: Vec<Value> = toppings.iter().map(|t| json!({"type": "Simple", "value": t})).collect();
            slots["Toppings"] = json!({"name": "Toppings", "slotValue": {"type": "List", "values": values}});
        }
        self.say("GetMeSomePizzaIntent", slots).await
    }

    async fn intent(&mut self, name: &str) -> Value {
        self.say(name, json!({})).await
    }

    async fn code(&mut self, code: &str) -> Value {
        self.say("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": code}})).await
    }
}

fn speech(response: &Value) -> String {
    let ssml = response["response"]["outputSpeech"]["ssml"].as_str().unwrap_or_default();
    ssml.replace("&apos;", "'").replace("&quot;", "\"")
}

fn listens(response: &Value) -> bool {
    response["response"]["shouldEndSession"] == json!(false)
}

async fn orders(h: &Harness) -> Vec<pod_shared::domain::Order> {
    h.store.list(&UserId::parse("auth0|ana").unwrap(), PageRequest::first(50)).await.unwrap().orders
}

#[tokio::test]
async fn the_recap_comes_before_any_code_and_yes_sends_it() {
    let h = harness();
    let mut ana = Session::new(&h);
    let recap = ana.order(Some("large"), &["pepperoni", "mushrooms"]).await;
    assert_eq!(
        speech(&recap),
        "<speak>One large pizza with pepperoni and mushrooms from Pizza on Demand, 17 dollars 50, \
         delivered to the address on your account. Shall I send your code?</speak>"
    );
    assert!(listens(&recap));
    assert!(h.codes.sent().is_empty(), "no code before yes");
    assert!(orders(&h).await.is_empty(), "nothing stored before yes");

    let placed = ana.intent("AMAZON.YesIntent").await;
    assert!(speech(&placed).contains("I sent a code to your phone ending in"), "{}", speech(&placed));
    assert_eq!(h.codes.sent().len(), 1);
    let stored = orders(&h).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].pizza.describe(), "large pizza with pepperoni and mushrooms", "exactly what was recapped");

    let confirmed = ana.code(RIGHT_CODE).await;
    assert!(speech(&confirmed).contains("Order confirmed"), "{}", speech(&confirmed));
}

#[tokio::test]
async fn no_to_the_recap_stores_and_sends_nothing_and_asks_what_to_change() {
    let h = harness();
    let mut ana = Session::new(&h);
    ana.order(Some("large"), &["pepperoni"]).await;
    let no = ana.intent("AMAZON.NoIntent").await;
    assert!(speech(&no).contains("What would you like to change?"), "{}", speech(&no));
    assert!(listens(&no));
    assert!(h.codes.sent().is_empty() && orders(&h).await.is_empty(), "nothing stored or sent");
    // A yes now does not send the refused recap.
    let yes = ana.intent("AMAZON.YesIntent").await;
    assert!(speech(&yes).contains("What would you like instead?"), "{}", speech(&yes));
    assert!(h.codes.sent().is_empty());
}

#[tokio::test]
async fn a_changed_order_gets_a_new_recap_and_yes_sends_the_changed_one() {
    let h = harness();
    let mut ana = Session::new(&h);
    ana.order(Some("large"), &["pepperoni"]).await;
    let changed = ana.order(Some("medium"), &["onions"]).await;
    assert!(speech(&changed).contains("One medium pizza with onions from Pizza on Demand"), "{}", speech(&changed));
    // After a no, new toppings alone keep the size recapped.
    ana.intent("AMAZON.NoIntent").await;
    let toppings_only = ana.order(None, &["bacon"]).await;
    assert!(speech(&toppings_only).contains("One medium pizza with bacon"), "{}", speech(&toppings_only));
    ana.intent("AMAZON.YesIntent").await;
    let stored = orders(&h).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].pizza.describe(), "medium pizza with bacon");
}

#[tokio::test]
async fn a_forged_or_stale_recap_places_nothing_and_asks_again() {
    let h = harness();
    let mut ana = Session::new(&h);
    for forged in [
        json!({"stage": {"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "colossal", "toppings": []}}}),
        json!({"stage": {"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": ["caviar"]}}}),
        json!({"stage": {"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large"}, "total": "0.01"}}),
        json!({"stage": "send_code"}),
    ] {
        ana.attributes = forged.clone();
        let yes = ana.intent("AMAZON.YesIntent").await;
        assert!(speech(&yes).contains("I lost track of your order"), "{forged}: {}", speech(&yes));
        assert!(listens(&yes));
    }
    assert!(h.codes.sent().is_empty() && orders(&h).await.is_empty());
}

#[tokio::test]
async fn yes_and_no_outside_a_question_get_a_helpful_answer() {
    let h = harness();
    let mut ana = Session::new(&h);
    let yes = ana.intent("AMAZON.YesIntent").await;
    assert!(speech(&yes).contains("nothing waiting for a yes"), "{}", speech(&yes));
    assert!(listens(&yes));
    let no = ana.intent("AMAZON.NoIntent").await;
    assert!(speech(&no).contains("What would you like?"), "{}", speech(&no));
    assert!(listens(&no));
    assert!(h.codes.sent().is_empty());
}

#[tokio::test]
async fn repeat_says_the_last_answer_again_and_a_yes_after_it_still_answers_the_recap() {
    let h = harness();
    let mut ana = Session::new(&h);
    let nothing = ana.intent("AMAZON.RepeatIntent").await;
    assert!(speech(&nothing).contains("haven't said anything yet"), "{}", speech(&nothing));
    let recap = ana.order(Some("small"), &[]).await;
    let again = ana.intent("AMAZON.RepeatIntent").await;
    assert_eq!(speech(&again), speech(&recap));
    assert_eq!(again["response"]["reprompt"], recap["response"]["reprompt"]);
    ana.intent("AMAZON.YesIntent").await;
    assert_eq!(h.codes.sent().len(), 1, "the yes after the repeat answers the recap");
    // A forged "said" is not spoken.
    ana.attributes =
        json!({"said": {"speech": "<speak><audio src=\"https://evil\"/></speak>", "reprompt": "<speak>x</speak>"}});
    let forged = ana.intent("AMAZON.RepeatIntent").await;
    assert!(speech(&forged).contains("haven't said anything yet"), "{}", speech(&forged));
}

#[tokio::test]
async fn help_says_what_to_do_next_where_the_user_is() {
    let h = harness();
    let mut ana = Session::new(&h);
    let nowhere = ana.intent("AMAZON.HelpIntent").await;
    assert!(speech(&nowhere).contains("To order, say something like"), "{}", speech(&nowhere));
    ana.order(Some("large"), &[]).await;
    let recap = ana.intent("AMAZON.HelpIntent").await;
    assert!(speech(&recap).contains("Say yes to send it, or no to change the order"), "{}", speech(&recap));
    ana.intent("AMAZON.YesIntent").await;
    assert_eq!(h.codes.sent().len(), 1, "a yes after help still answers the recap");
    let waiting = ana.intent("AMAZON.HelpIntent").await;
    assert!(speech(&waiting).contains("waiting for the code I sent you"), "{}", speech(&waiting));
    ana.code("1111").await;
    let refused = ana.intent("AMAZON.HelpIntent").await;
    assert!(speech(&refused).contains("The last code you gave wasn't right"), "{}", speech(&refused));
    ana.intent("CancelOrderIntent").await;
    let cancel = ana.intent("AMAZON.HelpIntent").await;
    assert!(speech(&cancel).contains("Say yes to cancel your order, or no to keep it"), "{}", speech(&cancel));
}

#[tokio::test]
async fn the_status_is_the_latest_order_with_its_state_and_when() {
    let h = harness();
    let mut ana = Session::new(&h);
    let none = ana.intent("OrderStatusIntent").await;
    assert!(speech(&none).contains("You haven't ordered anything yet"), "{}", speech(&none));
    ana.order(Some("large"), &["bacon"]).await;
    ana.intent("AMAZON.YesIntent").await;
    h.clock.advance_seconds(3 * 60);
    let pending = ana.intent("OrderStatusIntent").await;
    assert_eq!(
        speech(&pending),
        "<speak>Your latest order, a large pizza with bacon, placed 3 minutes ago, is waiting for its code. \
         To confirm it, say: authorize order, followed by the code.</speak>"
    );
    assert!(listens(&pending));
    ana.code(RIGHT_CODE).await;
    h.clock.advance_seconds(2 * 3600);
    let confirmed = ana.intent("OrderStatusIntent").await;
    assert!(
        speech(&confirmed).contains("a large pizza with bacon, was confirmed 2 hours ago and is on its way"),
        "{}",
        speech(&confirmed)
    );
}

#[tokio::test]
async fn cancel_my_order_asks_first_and_yes_cancels_the_pending_one() {
    let h = harness();
    let mut ana = Session::new(&h);
    let nothing = ana.intent("CancelOrderIntent").await;
    assert!(speech(&nothing).contains("nothing to cancel"), "{}", speech(&nothing));

    ana.order(Some("large"), &["onions"]).await;
    ana.intent("AMAZON.YesIntent").await;
    let asked = ana.intent("CancelOrderIntent").await;
    assert!(speech(&asked).contains("Shall I cancel your order of a large pizza with onions"), "{}", speech(&asked));
    let kept = ana.intent("AMAZON.NoIntent").await;
    assert!(speech(&kept).contains("still waiting for its code"), "{}", speech(&kept));
    assert_eq!(orders(&h).await[0].status, OrderStatus::PendingConfirmation, "no keeps it");

    ana.intent("CancelOrderIntent").await;
    let cancelled = ana.intent("AMAZON.YesIntent").await;
    assert!(
        speech(&cancelled).contains("I've cancelled your order of a large pizza with onions"),
        "{}",
        speech(&cancelled)
    );
    assert_eq!(orders(&h).await[0].status, OrderStatus::Cancelled);
    let code = ana.code(RIGHT_CODE).await;
    assert!(speech(&code).contains("no order waiting"), "the code no longer confirms it: {}", speech(&code));
}

#[tokio::test]
async fn a_yes_to_cancel_an_order_that_moved_on_cancels_nothing() {
    let h = harness();
    let mut ana = Session::new(&h);
    ana.order(Some("large"), &[]).await;
    ana.intent("AMAZON.YesIntent").await;
    ana.intent("CancelOrderIntent").await;
    let asked_at = ana.attributes.clone();
    ana.code(RIGHT_CODE).await;
    ana.attributes = asked_at;
    let late = ana.intent("AMAZON.YesIntent").await;
    assert!(speech(&late).contains("no longer waiting for its code"), "{}", speech(&late));
    assert_eq!(orders(&h).await[0].status, OrderStatus::Confirmed, "a confirmed order is never cancelled by voice");
}

#[tokio::test]
async fn a_yes_to_a_recap_delivered_twice_places_one_order() {
    let h = harness();
    let mut ana = Session::new(&h);
    ana.order(Some("large"), &[]).await;
    let recap = ana.attributes.clone();
    let request = json!({"type": "IntentRequest", "requestId": "amzn1.echo-api.request.yes-once",
        "timestamp": "2027-01-15T08:00:00Z", "intent": {"name": "AMAZON.YesIntent", "slots": {}}});
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": "token-ana"});
    let body = json!({"version": "1.0",
        "session": {"new": false, "sessionId": "s", "attributes": recap,
                    "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
        "request": request});
    let envelope = parse_request(body.to_string().as_bytes()).unwrap();
    let first = serde_json::to_value(h.skill.handle(&envelope).await).unwrap();
    let again = serde_json::to_value(h.skill.handle(&envelope).await).unwrap();
    assert_eq!(first, again, "the repeat hears the first answer");
    assert_eq!(h.codes.sent().len(), 1);
    assert_eq!(orders(&h).await.len(), 1);
}

/// The order is written ahead of its code's send (the embedded store's one flush comes before
/// the send): a send that fails takes it back whole. The earlier pending order is pending again,
/// the new one is nowhere, and Alexa's repeat of the request hears the failure, not "sent".
#[tokio::test]
async fn a_code_that_cannot_be_sent_takes_its_order_back_and_the_earlier_one_stays_pending() {
    let h = harness();
    let mut ana = Session::new(&h);
    ana.order(Some("large"), &[]).await;
    assert!(speech(&ana.intent("AMAZON.YesIntent").await).contains("sent a code"));
    let earlier = orders(&h).await;
    assert_eq!(earlier.len(), 1);
    ana.order(Some("small"), &[]).await;
    let request = json!({"type": "IntentRequest", "requestId": next_request_id(),
        "timestamp": "2027-01-15T08:00:00Z", "intent": {"name": "AMAZON.YesIntent", "slots": {}}});
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": "token-ana"});
    let body = json!({"version": "1.0",
        "session": {"new": false, "sessionId": "s", "attributes": ana.attributes,
                    "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
        "request": request});
    let yes = parse_request(body.to_string().as_bytes()).unwrap();
    h.codes.set_down(true);
    let failed = serde_json::to_value(h.skill.handle(&yes).await).unwrap();
    assert!(speech(&failed).contains("your order was not placed"), "{}", speech(&failed));
    assert_eq!(orders(&h).await, earlier, "the earlier order pending as it was; the new one is not stored");
    h.codes.set_down(false);
    let repeated = serde_json::to_value(h.skill.handle(&yes).await).unwrap();
    assert_eq!(speech(&repeated), speech(&failed), "a repeat hears the failure");
    assert_eq!(h.codes.sent().len(), 1, "nothing sent by the repeat");
    assert_eq!(orders(&h).await, earlier);
}

#[tokio::test]
async fn send_the_code_again_sends_a_new_one_for_the_same_order_and_resets_nothing() {
    let h = harness();
    let mut ana = Session::new(&h);
    let nothing = ana.intent("ResendCodeIntent").await;
    assert!(speech(&nothing).contains("no order waiting"), "{}", speech(&nothing));
    assert!(h.codes.sent().is_empty());

    ana.order(Some("large"), &["pepperoni"]).await;
    ana.intent("AMAZON.YesIntent").await;
    ana.code("1111").await;
    let before = orders(&h).await;
    let again = ana.intent("ResendCodeIntent").await;
    assert!(speech(&again).contains("I've sent a new code to your phone ending in"), "{}", speech(&again));
    assert!(speech(&again).contains("The earlier code no longer works"));
    assert_eq!(h.codes.sent().len(), 2, "a second code, to the same phone");
    assert_eq!(h.codes.sent()[0], h.codes.sent()[1]);
    let after = orders(&h).await;
    assert_eq!(after.len(), 1, "the same order, no new one");
    assert_eq!(after[0].id, before[0].id);
    assert_eq!(after[0].challenge.attempts_used, 1, "the wrong code still counts");
    assert_eq!(after[0].challenge.expires_at, before[0].challenge.expires_at);
    let wrong = ana.code("1111").await;
    assert!(speech(&wrong).contains("You have 1 try left"), "tries are not reset: {}", speech(&wrong));
}

#[tokio::test]
async fn send_the_code_again_counts_against_the_send_limit() {
    let h = harness_with(ChallengePolicy { sends_per_hour: 2, ..ChallengePolicy::default() });
    let mut ana = Session::new(&h);
    ana.order(Some("large"), &[]).await;
    ana.intent("AMAZON.YesIntent").await;
    ana.intent("ResendCodeIntent").await;
    let refused = ana.intent("ResendCodeIntent").await;
    assert!(speech(&refused).contains("I can't send another yet"), "{}", speech(&refused));
    assert_eq!(h.codes.sent().len(), 2);
}

/// Many "send the code again" at once (each its own request): the send limit's one conditional
/// write lets exactly as many through as it allows.
#[tokio::test]
async fn resends_at_once_never_pass_the_send_limit() {
    let h = harness_with(ChallengePolicy { sends_per_hour: 4, ..ChallengePolicy::default() });
    let mut ana = Session::new(&h);
    ana.order(Some("large"), &[]).await;
    ana.intent("AMAZON.YesIntent").await;
    let mut all = tokio::task::JoinSet::new();
    let skill = std::sync::Arc::new(h.skill);
    for _ in 0..10 {
        let skill = skill.clone();
        all.spawn(async move {
            let user = json!({"userId": "amzn1.ask.account.X", "accessToken": "token-ana"});
            let body = json!({"version": "1.0",
                "session": {"new": false, "sessionId": "s", "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user},
                "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
                "request": {"type": "IntentRequest", "requestId": next_request_id(), "timestamp": "2027-01-15T08:00:00Z",
                            "intent": {"name": "ResendCodeIntent", "slots": {}}}});
            skill.handle(&parse_request(body.to_string().as_bytes()).unwrap()).await
        });
    }
    all.join_all().await;
    assert_eq!(h.codes.sent().len(), 4, "the order's code and three more, never a fifth in the hour");
}
