//! After a right code: the answer says so and adds the receipt card to the Alexa app, and the
//! receipt goes to the owner's verified email; a receipt that cannot be sent never undoes the order.

use async_trait::async_trait;
use pod_shared::alexa::{Card, RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{ChallengePolicy, Destination, OrderStatus, Timestamp, UserId};
use pod_shared::ports::{DeliveryError, MessageSender, PageRequest};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{CapturedLogs, FakeCodeDesk, FakeDirectory, ManualClock, RecordingSender};
use pod_skill::{Skill, parse_request, speech_of};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const RIGHT_CODE: &str = "4217";

/// A delivery that is down: counts its attempts, delivers nothing.
#[derive(Default)]
struct DownSender(AtomicUsize);

#[async_trait]
impl MessageSender for DownSender {
    async fn deliver(&self, _: &Destination, _: &str) -> Result<(), DeliveryError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(DeliveryError("SES: throttled".into()))
    }
}

fn service(directory: FakeDirectory, sender: Arc<dyn MessageSender>, dir: &tempfile::TempDir) -> OrderService {
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
    OrderService::new(store, Arc::new(directory), codes, clock, ChallengePolicy::default()).with_notices(sender)
}

fn envelope(token: &str, request: Value) -> RequestEnvelope {
    envelope_in_session(token, request, json!({}))
}

/// A request in a session whose attributes are what the skill's last answer left there.
fn envelope_in_session(token: &str, request: Value, attributes: Value) -> RequestEnvelope {
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": token});
    let body = json!({"version": "1.0",
        "session": {"new": false, "sessionId": "s", "application": {"applicationId": "amzn1.ask.skill.pod"},
                    "user": user, "attributes": attributes},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
        "request": request});
    parse_request(body.to_string().as_bytes()).unwrap()
}

fn intent(id: &str, name: &str, slots: Value) -> Value {
    json!({"type": "IntentRequest", "requestId": id, "timestamp": "2027-01-15T08:00:00Z",
           "intent": {"name": name, "slots": slots}})
}

/// Orders a large pizza with pepperoni and mushrooms and gives the right code; the confirmation's answer.
async fn order_and_confirm(skill: &Skill, token: &str) -> ResponseEnvelope {
    let toppings = json!({"name": "Toppings", "slotValue": {"type": "List", "values": [
        {"type": "Simple", "value": "pepperoni"}, {"type": "Simple", "value": "mushrooms"}]}});
    let order = intent(
        "r-order",
        "GetMeSomePizzaIntent",
        json!({"Size": {"name": "Size", "value": "large"}, "Toppings": toppings}),
    );
    let recap = skill.handle(&envelope(token, order)).await;
    assert!(speech_of(&recap).contains("Shall I send your code?"));
    // Yes to the recap, in the session the recap's answer left (as Alexa sends it back).
    let attributes = Value::Object(recap.session_attributes.clone());
    let yes = envelope_in_session(token, intent("r-yes", "AMAZON.YesIntent", json!({})), attributes);
    assert!(speech_of(&skill.handle(&yes).await).contains("I sent a code"));
    let code = json!({"Code": {"name": "Code", "value": RIGHT_CODE}});
    skill.handle(&envelope(token, intent("r-code", "AuthorizePizzaOrderIntent", code))).await
}

#[tokio::test]
async fn a_confirmation_says_so_adds_the_receipt_card_and_emails_the_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let sender = Arc::new(RecordingSender::default());
    let service = service(FakeDirectory::standard(), sender.clone(), &dir);
    let skill = Skill::new(service.clone());
    let answer = order_and_confirm(&skill, "token-ana").await;
    let said = speech_of(&answer);
    assert!(said.contains("Order confirmed!") && said.contains("Your receipt is in the Alexa app."), "{said}");

    let ana = UserId::parse("auth0|ana").unwrap();
    let order = service.list_orders(&ana, PageRequest::first(1)).await.unwrap().orders.remove(0);
    assert_eq!(order.status, OrderStatus::Confirmed);
    let number = pod_shared::receipt::order_number(&order);
    let Some(Card::Standard { title, text }) = &answer.response.card else { panic!("{:?}", answer.response.card) };
    assert_eq!(title, "Pizza on Demand: order confirmed");
    assert_eq!(
        text,
        &format!(
            "Order {number} confirmed.\nItems: 1 large pizza, pepperoni, mushrooms.\nTotal: $17.50 to Pizza on Demand.\n\
             Delivered to the address on your account."
        )
    );
    let delivered = sender.delivered();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(matches!(&delivered[0].0, Destination::Email(email) if email.as_str() == "ana@example.com"));
    assert_eq!(delivered[0].1, format!("Your Pizza on Demand receipt (this is not a code).\n{text}"));
    assert!(!delivered[0].1.contains(RIGHT_CODE), "a receipt names no code");
}

#[tokio::test(flavor = "current_thread")]
async fn a_receipt_that_cannot_be_sent_is_tried_twice_logged_without_the_address_and_the_order_stays_confirmed() {
    let (logs, _guard) = CapturedLogs::capture();
    let dir = tempfile::tempdir().unwrap();
    let sender = Arc::new(DownSender::default());
    let service = service(FakeDirectory::standard(), sender.clone(), &dir);
    let skill = Skill::new(service.clone());
    let answer = order_and_confirm(&skill, "token-ana").await;
    assert!(speech_of(&answer).contains("Order confirmed!"));
    assert!(matches!(answer.response.card, Some(Card::Standard { .. })));
    assert_eq!(sender.0.load(Ordering::SeqCst), 2, "tried once more");
    let ana = UserId::parse("auth0|ana").unwrap();
    let order = service.list_orders(&ana, PageRequest::first(1)).await.unwrap().orders.remove(0);
    assert_eq!(order.status, OrderStatus::Confirmed, "a failed receipt never undoes the order");
    let logged = logs.text();
    assert!(logged.contains("the receipt could not be sent"), "{logged}");
    assert!(!logged.contains("ana@example.com") && !logged.contains(RIGHT_CODE), "{logged}");
}

#[tokio::test]
async fn without_a_verified_email_the_receipt_is_the_card_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sender = Arc::new(RecordingSender::default());
    let directory = FakeDirectory::default().with_verified(
        "token-cy",
        "auth0|cy",
        (Some("cy@example.com"), false),
        (Some("+14155550199"), true),
    );
    let skill = Skill::new(service(directory, sender.clone(), &dir));
    let answer = order_and_confirm(&skill, "token-cy").await;
    assert!(matches!(answer.response.card, Some(Card::Standard { .. })));
    assert!(sender.delivered().is_empty(), "nothing goes to an unverified address");
}
