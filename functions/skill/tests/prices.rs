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

/// "Get me a large pizza with pepperoni and mushrooms" in `locale`, then "yes" to its recap in
/// the same session (the recap's session attributes go back, as Alexa sends them). Returns the recap.
async fn order_in(h: &Harness, locale: Option<&str>, id: &str) -> String {
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": "token-ana"});
    let turn = |intent: serde_json::Value, id: String, attributes: serde_json::Value| {
        let mut request = json!({"type": "IntentRequest", "requestId": id, "timestamp": "2027-01-15T08:00:00Z",
            "intent": intent});
        if let Some(locale) = locale {
            request["locale"] = locale.into();
        }
        json!({
            "version": "1.0",
            "session": {"new": false, "sessionId": "amzn1.echo-api.session.1", "attributes": attributes,
                        "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user},
            "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
            "request": request,
        })
    };
    let order = json!({"name": "GetMeSomePizzaIntent", "confirmationStatus": "NONE", "slots": {
        "Size": {"name": "Size", "value": "large"},
        "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": [
            {"type": "Simple", "value": "pepperoni"}, {"type": "Simple", "value": "mushrooms"}]}}}});
    let body = turn(order, format!("{id}.recap"), json!({}));
    let recap = h.skill.handle(&parse_request(body.to_string().as_bytes()).unwrap()).await;
    let said = recap.speech_ssml().unwrap_or_default().to_string();
    let attributes = serde_json::Value::Object(recap.session_attributes);
    let yes = json!({"name": "AMAZON.YesIntent", "confirmationStatus": "NONE", "slots": {}});
    let body = turn(yes, id.to_string(), attributes);
    h.skill.handle(&parse_request(body.to_string().as_bytes()).unwrap()).await;
    said
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
async fn the_recap_speaks_the_total_as_people_say_it_in_the_locale() {
    let h = harness();
    let us = order_in(&h, Some("en-US"), "amzn1.echo-api.request.recap-us").await;
    assert_eq!(
        us,
        "<speak>One large pizza with pepperoni and mushrooms from Pizza on Demand, 17 dollars 50, \
         delivered to the address on your account. Shall I send your code?</speak>"
    );
    let gb = order_in(&h, Some("en-GB"), "amzn1.echo-api.request.recap-gb").await;
    assert!(gb.contains("from Pizza on Demand, 14 pounds, delivered to"), "{gb}");
}

/// The yes places what was recapped: the recap's currency, whatever the yes's locale says.
#[tokio::test]
async fn the_yes_is_priced_as_the_recap_was() {
    let h = harness();
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": "token-ana"});
    let stage = json!({"waiting_for": "send_code", "currency": "GBP",
                       "pizza": {"size": "large", "toppings": ["pepperoni", "mushrooms"]}});
    let body = json!({"version": "1.0",
        "session": {"new": false, "sessionId": "s", "attributes": {"stage": stage},
                    "application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
        "request": {"type": "IntentRequest", "requestId": "amzn1.echo-api.request.yes-gbp", "locale": "en-US",
                    "timestamp": "2027-01-15T08:00:00Z", "intent": {"name": "AMAZON.YesIntent", "slots": {}}}});
    h.skill.handle(&parse_request(body.to_string().as_bytes()).unwrap()).await;
    assert_eq!(pending_total(&h).await, ("£14.00".to_string(), Currency::Gbp));
}

#[tokio::test]
async fn a_request_without_a_priced_locale_is_priced_in_dollars() {
    let h = harness();
    order_in(&h, None, "amzn1.echo-api.request.none").await;
    assert_eq!(pending_total(&h).await.1, Currency::Usd);
    order_in(&h, Some("fr-FR"), "amzn1.echo-api.request.fr").await;
    assert_eq!(pending_total(&h).await.1, Currency::Usd);
}

#[tokio::test]
async fn each_locale_is_priced_in_its_currency() {
    for (locale, total, currency) in [
        ("de-DE", "16,50 €", Currency::Eur),
        ("de-AT", "16,50 €", Currency::Eur),
        ("en-CA", "$23.00", Currency::Cad),
        ("en-AU", "$26.00", Currency::Aud),
        ("en-IN", "₹619.00", Currency::Inr),
    ] {
        let h = harness();
        order_in(&h, Some(locale), &format!("amzn1.echo-api.request.{locale}")).await;
        assert_eq!(pending_total(&h).await, (total.to_string(), currency), "{locale}");
    }
}
