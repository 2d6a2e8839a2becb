//! Alexa's skill events, each recorded one (`events/alexa/skill-*.json`) through the skill's
//! handler: no session, an empty answer, the Alexa account's link to its Pod user kept when an
//! event proves it, and the user's data erased when the skill is disabled without keeping it.

use pod_shared::alexa::RequestEnvelope;
use pod_shared::domain::{ActivityKind, AlexaUserId, ChallengePolicy, Pizza, Size, Source, Timestamp, UserId};
use pod_shared::ports::{OrderStore, PageRequest};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The Alexa account every recorded event comes from.
const ALEXA_USER: &str = "amzn1.ask.account.EXAMPLEUSER";

struct Harness {
    skill: Skill,
    service: OrderService,
    store: Arc<EmbeddedOrderStore>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let service = OrderService::new(
        store.clone(),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting("4217")),
        clock,
        ChallengePolicy::default(),
    );
    Harness { skill: Skill::new(service.clone()), service, store, _dir: dir }
}

fn recorded(name: &str, token: &str) -> RequestEnvelope {
    recorded_as(name, token, &format!("{:x}", std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_nanos()))
}

/// The recorded event with `request_id` as its request's id.
fn recorded_as(name: &str, token: &str, request_id: &str) -> RequestEnvelope {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/alexa").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text
        .replace("{{ACCESS_TOKEN}}", token)
        .replace("{{REQUEST_ID}}", request_id)
        .replace("{{API_ENDPOINT}}", "https://api.amazonalexa.com");
    parse_request(text.as_bytes()).unwrap()
}

/// Sends the event; checks the answer is Alexa's empty response (no speech, no card, no session).
async fn send(h: &Harness, name: &str, token: &str) {
    let envelope = recorded(name, token);
    assert!(envelope.session.is_none(), "{name}: skill events come without a session");
    let answer = serde_json::to_value(h.skill.handle(&envelope).await).unwrap();
    assert_eq!(answer["version"], "1.0", "{name}");
    assert_eq!(answer["response"], Value::Object(Default::default()), "{name}: an empty response: {answer}");
}

fn ana() -> UserId {
    UserId::parse("auth0|ana").unwrap()
}

fn alexa() -> AlexaUserId {
    AlexaUserId::parse(ALEXA_USER).unwrap()
}

async fn place(h: &Harness, user: &UserId) {
    h.service
        .place_order(user, Pizza { size: Size::Large, toppings: Default::default() }, Source::Voice)
        .await
        .unwrap();
}

async fn orders(h: &Harness, user: &UserId) -> usize {
    h.store.list(user, PageRequest::first(10)).await.unwrap().orders.len()
}

async fn activity(h: &Harness, user: &UserId) -> Vec<ActivityKind> {
    h.store.list_activity(user, 50, None).await.unwrap().events.into_iter().map(|e| e.what).collect()
}

#[tokio::test]
async fn every_recorded_skill_event_gets_an_empty_answer() {
    let h = harness();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/alexa");
    let mut events: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("skill-"))
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "skill-account-linked.json",
            "skill-disabled-not-persisted.json",
            "skill-disabled-persisted.json",
            "skill-enabled.json",
            "skill-permission-accepted.json",
            "skill-permission-changed.json"
        ]
    );
    for event in &events {
        send(&h, event, "token-ana").await;
    }
}

#[tokio::test]
async fn an_account_linked_event_links_the_alexa_account_and_is_recorded() {
    let h = harness();
    send(&h, "skill-account-linked.json", "token-ana").await;
    assert_eq!(h.store.alexa_user_link(&alexa()).await.unwrap(), Some(ana()));
    assert_eq!(activity(&h, &ana()).await, [ActivityKind::AlexaAccountLinked]);
}

#[tokio::test]
async fn an_event_alexa_delivers_again_is_recorded_once() {
    let h = harness();
    for _ in 0..3 {
        let answer = h.skill.handle(&recorded_as("skill-account-linked.json", "token-ana", "linked-once")).await;
        assert_eq!(serde_json::to_value(answer).unwrap()["response"], serde_json::json!({}));
    }
    send(&h, "skill-enabled.json", "token-ana").await;
    assert_eq!(activity(&h, &ana()).await, [ActivityKind::AlexaSkillEnabled, ActivityKind::AlexaAccountLinked]);
}

#[tokio::test]
async fn a_refused_token_links_nothing_and_records_nothing() {
    let h = harness();
    send(&h, "skill-account-linked.json", "forged").await;
    send(&h, "skill-enabled.json", "").await;
    assert_eq!(h.store.alexa_user_link(&alexa()).await.unwrap(), None);
    assert!(activity(&h, &ana()).await.is_empty());
}

#[tokio::test]
async fn enabling_and_permission_events_of_a_linked_account_are_recorded() {
    let h = harness();
    send(&h, "skill-enabled.json", "token-ana").await;
    send(&h, "skill-permission-accepted.json", "token-ana").await;
    send(&h, "skill-permission-changed.json", "token-ana").await;
    assert_eq!(h.store.alexa_user_link(&alexa()).await.unwrap(), Some(ana()));
    assert_eq!(
        activity(&h, &ana()).await,
        [ActivityKind::AlexaPermissionsChanged, ActivityKind::AlexaPermissionsChanged, ActivityKind::AlexaSkillEnabled]
    );
}

#[tokio::test]
async fn disabled_keeping_the_data_keeps_everything() {
    let h = harness();
    send(&h, "skill-account-linked.json", "token-ana").await;
    place(&h, &ana()).await;
    let before = h.store.items_of(&ana()).await.unwrap();
    send(&h, "skill-disabled-persisted.json", "").await;
    assert_eq!(h.store.items_of(&ana()).await.unwrap(), before);
    assert_eq!(orders(&h, &ana()).await, 1);
    assert_eq!(h.store.alexa_user_link(&alexa()).await.unwrap(), Some(ana()), "the link stays too");
}

#[tokio::test]
async fn disabled_without_keeping_the_data_erases_the_linked_users_data_once() {
    let h = harness();
    let ben = UserId::parse("auth0|ben").unwrap();
    send(&h, "skill-account-linked.json", "token-ana").await;
    place(&h, &ana()).await;
    place(&h, &ben).await;
    assert!(h.store.items_of(&ana()).await.unwrap().len() > 3);

    send(&h, "skill-disabled-not-persisted.json", "").await;
    assert_eq!(h.store.items_of(&ana()).await.unwrap(), ["erasures/auth0|ana"], "only the erasure entry");
    assert_eq!(orders(&h, &ana()).await, 0);
    assert_eq!(h.store.alexa_user_link(&alexa()).await.unwrap(), None);
    assert_eq!(orders(&h, &ben).await, 1, "another user's data stays");

    // Alexa may deliver the event again: nothing left to do, and nothing else happens.
    send(&h, "skill-disabled-not-persisted.json", "").await;
    assert_eq!(h.store.items_of(&ana()).await.unwrap(), ["erasures/auth0|ana"]);
    assert_eq!(orders(&h, &ben).await, 1);
}

#[tokio::test]
async fn disabled_by_an_alexa_account_pod_never_saw_linked_erases_nothing() {
    let h = harness();
    place(&h, &ana()).await;
    send(&h, "skill-disabled-not-persisted.json", "").await;
    assert_eq!(orders(&h, &ana()).await, 1);
}
