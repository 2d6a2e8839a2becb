//! Orders placed by voice are priced in the request's locale's currency, and a builtin code's
//! message states that amount and the payee. Real embedded store; test doubles for the identity
//! provider and the message delivery.

use pod_shared::builtin_codes::BuiltinCodes;
use pod_shared::domain::{ChallengePolicy, Currency, Timestamp, UserId};
use pod_shared::ports::OrderStore;
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock, RecordingSender};
use pod_skill::{Skill, parse_request};
use serde_json::json;
use std::sync::Arc;

struct Harness {
    skill: Skill,
    store: Arc<EmbeddedOrderStore>,
    sent: Arc<RecordingSender>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let sent = Arc::new(RecordingSender::default());
    let policy = ChallengePolicy { code_length: 6, ..ChallengePolicy::default() };
    let service = OrderService::new(
        store.clone(),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting("421700")),
        clock,
        policy,
    )
    .with_builtin_codes(BuiltinCodes::new(b"a-code-secret-of-at-least-32-bytes!!", 6, sent.clone()));
    Harness { skill: Skill::new(service), store, sent, _dir: dir }
}

async fn order_in(h: &Harness, locale: Option<&str>, id: &str) {
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": "token-ana"});
    let mut request = json!({"type": "IntentRequest", "requestId": id, "timestamp": "2027-01-15T08:00:00Z",
        "intent": {"name": "GetMeSomePizzaIntent", "confirmationStatus": "NONE", "slots": {
            "Size": {"name": "Size", "value": "large"},
            "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": [
                {"type": "Simple", "value": "pepperoni"}, {"type": "Simple", "value": "mushrooms"}]}}}}});
    if let Some(locale) = locale {
        request["locale"] = locale.into();
    }
    let body = json!({
        "version": "1.0",
        "session": {"new": false, "sessionId": "amzn1.echo-api.session.1",
                    "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
        "request": request,
    });
    h.skill.handle(&parse_request(body.to_string().as_bytes()).unwrap()).await;
}

async fn pending_total(h: &Harness) -> (String, Currency) {
    let ana = UserId::parse("auth0|ana").unwrap();
    let bill = h.store.pending_for(&ana).await.unwrap().expect("an order is pending").bill.expect("priced");
    (bill.total().written(), bill.currency())
}

fn last_message(h: &Harness) -> String {
    h.sent.delivered().last().expect("a code was sent").1.clone()
}

#[tokio::test]
async fn an_en_gb_order_is_priced_in_pounds_and_an_en_us_one_in_dollars() {
    let h = harness();
    order_in(&h, Some("en-GB"), "amzn1.echo-api.request.gb").await;
    assert_eq!(pending_total(&h).await, ("£14.00".to_string(), Currency::Gbp));
    let text = last_message(&h);
    assert!(text.contains(" confirms 14.00 GBP to Pizza on Demand: 1 large pizza, pepperoni, mushrooms."), "{text}");

    order_in(&h, Some("en-US"), "amzn1.echo-api.request.us").await;
    assert_eq!(pending_total(&h).await, ("$17.50".to_string(), Currency::Usd));
    let text = last_message(&h);
    assert!(text.contains(" confirms 17.50 USD to Pizza on Demand: 1 large pizza, pepperoni, mushrooms."), "{text}");
}

#[tokio::test]
async fn a_request_without_a_priced_locale_is_priced_in_dollars() {
    let h = harness();
    order_in(&h, None, "amzn1.echo-api.request.none").await;
    assert_eq!(pending_total(&h).await.1, Currency::Usd);
    order_in(&h, Some("de-DE"), "amzn1.echo-api.request.de").await;
    assert_eq!(pending_total(&h).await.1, Currency::Usd);
}
