//! Alexa delivering one request more than once, at once or again later: the request
//! acts once (one code sent, one code checked and counted), every delivery hears the
//! first answer, and the same request id from another user or skill is a request of
//! its own. Real embedded store; the identity provider answers after a short wait, as
//! over the network, so that deliveries fired at once really overlap.

use pod_shared::alexa::RequestEnvelope;
use pod_shared::domain::{ChallengePolicy, RequestClaim, RequestId, RequestKey, SkillId, Timestamp, UserId};
use pod_shared::ports::{AuthError, IdentityError, IdentityProvider, OrderStore, PageRequest, StoreError, UserProfile};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{ClaimsFail, FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

const SKILL: &str = "amzn1.ask.skill.pod";
const DELIVERIES: usize = 8;

type Call<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The standard directory, answering after a few milliseconds.
struct SlowDirectory(FakeDirectory);

fn slowly<'a, T: 'a>(inner: impl Future<Output = T> + Send + 'a) -> Call<'a, T> {
    Box::pin(async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        inner.await
    })
}

impl IdentityProvider for SlowDirectory {
    fn authenticate<'life0, 'a, 'async_trait>(
        &'life0 self,
        token: &'a str,
    ) -> Call<'async_trait, Result<UserId, AuthError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        Self: 'async_trait,
    {
        slowly(self.0.authenticate(token))
    }

    fn profile<'life0, 'a, 'async_trait>(
        &'life0 self,
        user: &'a UserId,
    ) -> Call<'async_trait, Result<UserProfile, IdentityError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        Self: 'async_trait,
    {
        slowly(self.0.profile(user))
    }
}

struct Harness {
    skill: Arc<Skill>,
    store: Arc<EmbeddedOrderStore>,
    codes: Arc<FakeCodeDesk>,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
        let codes = Arc::new(FakeCodeDesk::accepting("4217"));
        let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
        let skill = Arc::new(Skill::new(service_on(store.clone(), &codes, &clock)));
        Self { skill, store, codes, clock, _dir: dir }
    }

    /// The same skill over the same data, but its store cannot make request claims.
    fn with_claims_failing(&self) -> Skill {
        let store = ClaimsFail { store: self.store.clone(), error: StoreError::Unavailable("connection reset".into()) };
        Skill::new(service_on(Arc::new(store), &self.codes, &self.clock))
    }

    async fn orders_of(&self, user: &str) -> Vec<pod_shared::domain::Order> {
        self.store.list(&UserId::parse(user).unwrap(), PageRequest::first(50)).await.unwrap().orders
    }

    /// Delivers `envelope` `times` times at once; the answers as JSON.
    async fn deliver_at_once(&self, envelope: &RequestEnvelope, times: usize) -> Vec<Value> {
        let mut deliveries = tokio::task::JoinSet::new();
        for _ in 0..times {
            let (skill, envelope) = (self.skill.clone(), envelope.clone());
            deliveries.spawn(async move { serde_json::to_value(skill.handle(&envelope).await).unwrap() });
        }
        deliveries.join_all().await
    }
}

fn service_on(store: Arc<dyn OrderStore>, codes: &Arc<FakeCodeDesk>, clock: &Arc<ManualClock>) -> OrderService {
    let directory = Arc::new(SlowDirectory(FakeDirectory::standard()));
    OrderService::new(store, directory, codes.clone(), clock.clone(), ChallengePolicy::default())
}

/// A request's `stage` (as [`order`] gives one) goes into the session's attributes, where
/// Alexa puts what the skill's last answer (the recap) left there.
fn envelope(skill: &str, token: &str, request: Value) -> RequestEnvelope {
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": token});
    let attributes = request.get("stage").map(|stage| json!({"stage": stage})).unwrap_or(json!({}));
    let body = json!({
        "version": "1.0",
        "session": {"new": false, "sessionId": "amzn1.echo-api.session.1",
                    "application": {"applicationId": skill}, "user": user, "attributes": attributes},
        "context": {"System": {"application": {"applicationId": skill}, "user": user}},
        "request": request,
    });
    parse_request(body.to_string().as_bytes()).unwrap()
}

fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("amzn1.echo-api.request.replays-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

/// "Yes" to the recap of a large cheese pizza: the request that places the order.
fn order(request_id: &str) -> Value {
    json!({"type": "IntentRequest", "requestId": request_id, "timestamp": "2027-01-15T08:00:00Z",
           "intent": {"name": "AMAZON.YesIntent", "slots": {}},
           "stage": {"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": []}}})
}

fn authorize(request_id: &str, code: &str) -> Value {
    json!({"type": "IntentRequest", "requestId": request_id, "timestamp": "2027-01-15T08:00:00Z",
           "intent": {"name": "AuthorizePizzaOrderIntent", "slots": {"Code": {"name": "Code", "value": code}}}})
}

fn anas_key(request_id: &str) -> RequestKey {
    RequestKey::new(
        SkillId::parse(SKILL).unwrap(),
        UserId::parse("auth0|ana").unwrap(),
        RequestId::parse(request_id).unwrap(),
    )
}

fn speech(response: &Value) -> String {
    let ssml = response["response"]["outputSpeech"]["ssml"].as_str().unwrap_or_default();
    ssml.replace("&apos;", "'")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_order_delivered_many_times_at_once_sends_one_code_and_every_delivery_hears_its_answer() {
    let h = Harness::new();
    let answers = h.deliver_at_once(&envelope(SKILL, "token-ana", order(&next_request_id())), DELIVERIES).await;
    assert_eq!(h.codes.sent().len(), 1, "one code sent");
    assert_eq!(h.orders_of("auth0|ana").await.len(), 1, "one order stored");
    assert!(speech(&answers[0]).contains("I sent a code"), "{}", speech(&answers[0]));
    for answer in &answers {
        assert_eq!(answer, &answers[0], "every delivery hears the first answer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_delivered_many_times_at_once_is_checked_and_counted_once() {
    let h = Harness::new();
    h.skill.handle(&envelope(SKILL, "token-ana", order(&next_request_id()))).await;
    let answers =
        h.deliver_at_once(&envelope(SKILL, "token-ana", authorize(&next_request_id(), "1111")), DELIVERIES).await;
    assert_eq!(h.codes.checked(), 1, "one code checked");
    let orders = h.orders_of("auth0|ana").await;
    assert_eq!(orders[0].challenge.attempts_used, 1, "one attempt counted");
    assert!(speech(&answers[0]).contains("2 tries left"), "{}", speech(&answers[0]));
    for answer in &answers {
        assert_eq!(answer, &answers[0], "every delivery hears the first answer");
    }
}

#[tokio::test]
async fn the_same_request_id_from_another_user_is_a_request_of_its_own() {
    let h = Harness::new();
    let id = next_request_id();
    let ana = h.skill.handle(&envelope(SKILL, "token-ana", order(&id))).await;
    let ben = h.skill.handle(&envelope(SKILL, "token-ben", order(&id))).await;
    let (ana, ben) = (speech(&serde_json::to_value(ana).unwrap()), speech(&serde_json::to_value(ben).unwrap()));
    assert!(ana.contains("phone ending in"), "{ana}");
    assert!(ben.contains("email address at example.com"), "ben hears his own order, not ana's: {ben}");
    assert_eq!(h.codes.sent().len(), 2, "a code for each");
    assert_eq!(h.orders_of("auth0|ben").await.len(), 1, "ben's order is placed");
    assert_eq!(h.orders_of("auth0|ana").await.len(), 1);
}

#[tokio::test]
async fn the_same_request_id_sent_to_another_skill_is_a_request_of_its_own() {
    let h = Harness::new();
    let id = next_request_id();
    h.skill.handle(&envelope(SKILL, "token-ana", order(&id))).await;
    h.skill.handle(&envelope("amzn1.ask.skill.another", "token-ana", order(&id))).await;
    assert_eq!(h.codes.sent().len(), 2, "acted on again: another skill's request");
    assert_eq!(h.orders_of("auth0|ana").await.len(), 2);
    // Still once per skill: the first skill's repeat changes nothing.
    h.skill.handle(&envelope(SKILL, "token-ana", order(&id))).await;
    assert_eq!(h.codes.sent().len(), 2);
}

#[tokio::test]
async fn when_the_claim_cannot_be_made_nothing_is_sent_or_checked() {
    let h = Harness::new();
    h.skill.handle(&envelope(SKILL, "token-ana", order(&next_request_id()))).await;
    assert_eq!(h.codes.sent().len(), 1);
    let failing = h.with_claims_failing();

    let ordered = failing.handle(&envelope(SKILL, "token-ana", order(&next_request_id()))).await;
    let ordered = speech(&serde_json::to_value(ordered).unwrap());
    assert!(ordered.contains("your order was not placed"), "{ordered}");
    assert_eq!(h.codes.sent().len(), 1, "no second code");
    assert_eq!(h.orders_of("auth0|ana").await.len(), 1, "no second order");

    let checked = failing.handle(&envelope(SKILL, "token-ana", authorize(&next_request_id(), "1111"))).await;
    let checked = speech(&serde_json::to_value(checked).unwrap());
    assert!(checked.contains("couldn't check your code just now"), "{checked}");
    assert_eq!(h.codes.checked(), 0, "no code checked");
    assert_eq!(h.orders_of("auth0|ana").await[0].challenge.attempts_used, 0, "no attempt used");
}

/// A delivery whose request another delivery claimed and never answered (it died, say)
/// waits for that answer, then says it is still working: it never acts itself.
#[tokio::test]
async fn a_request_claimed_by_a_delivery_that_never_answers_is_not_acted_on() {
    let h = Harness::new();
    let id = next_request_id();
    let key = anas_key(&id);
    let now = Timestamp::from_unix_millis(1_800_000_000_000);
    let expires = Timestamp::from_unix_millis(1_800_000_060_000);
    assert_eq!(h.store.claim_request(&key, now, expires).await.unwrap(), RequestClaim::Claimed);
    let answer = h.skill.handle(&envelope(SKILL, "token-ana", order(&id))).await;
    let said = speech(&serde_json::to_value(answer).unwrap());
    assert!(said.contains("still working on that request"), "{said}");
    assert!(h.codes.sent().is_empty(), "no code sent");
    assert!(h.orders_of("auth0|ana").await.is_empty(), "no order stored");
}

/// A repeat whose stored answer cannot be read is not acted on again (that could act twice):
/// it says the request was handled.
#[tokio::test]
async fn a_repeat_whose_stored_answer_is_unreadable_is_not_acted_on_again() {
    let h = Harness::new();
    let id = next_request_id();
    let key = anas_key(&id);
    let now = Timestamp::from_unix_millis(1_800_000_000_000);
    let expires = Timestamp::from_unix_millis(1_800_000_060_000);
    assert_eq!(h.store.claim_request(&key, now, expires).await.unwrap(), RequestClaim::Claimed);
    assert!(h.store.answer_request(&key, "not an answer", expires).await.unwrap());
    let answer = h.skill.handle(&envelope(SKILL, "token-ana", order(&id))).await;
    let said = speech(&serde_json::to_value(answer).unwrap());
    assert!(said.contains("already handled that request"), "{said}");
    assert!(h.codes.sent().is_empty(), "no code sent");
    assert!(h.orders_of("auth0|ana").await.is_empty(), "no order stored");
}
