//! CPU cost of the skill handler per request (criterion), on the recorded
//! events' shapes, with the embedded store and the identity provider and code
//! channel in process (no network). `make bench` runs it.
//!
//! The `skill` group keeps the store file on tmpfs (`/dev/shm`, where there is
//! one) so that the figure is the handler's CPU cost, not the disk's flush
//! latency: every state change is a durable redb commit (an fsync). The
//! `skill_store_on_disk` group shows what that flush adds on this machine.

/// The allocator the Lambda binary runs with (`src/main.rs`), so that the figures are its.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use pod_shared::alexa::{RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{ChallengePolicy, Source, Timestamp, UserId};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const RIGHT_CODE: &str = "4217";
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A request's `stage` goes into the session's attributes, where the recap's answer left it.
fn request(request: Value) -> RequestEnvelope {
    parse_request(event(request).to_string().as_bytes()).unwrap()
}

/// The event Alexa sends for `request`.
fn event(request: Value) -> Value {
    let user = json!({"userId": "amzn1.ask.account.BENCH", "accessToken": "token-ana"});
    let attributes = request.get("stage").map(|stage| json!({"stage": stage})).unwrap_or(json!({}));
    let body = json!({"version": "1.0",
        "session": {"new": false, "sessionId": "s", "application": {"applicationId": "amzn1.ask.skill.bench"},
                    "user": user, "attributes": attributes},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.bench"}, "user": user}},
        "request": request});
    body
}

fn intent(name: &str, slots: Value) -> RequestEnvelope {
    let id = format!("amzn1.echo-api.request.bench-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    request(json!({"type": "IntentRequest", "requestId": id, "timestamp": "2027-01-15T08:00:00Z",
                   "intent": {"name": name, "slots": slots}}))
}

/// "Get me a large pizza with pepperoni and mushrooms": the recap (nothing stored or sent).
fn recap() -> RequestEnvelope {
    intent(
        "GetMeSomePizzaIntent",
        json!({"Size": {"name": "Size", "value": "large"},
               "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": [
                   {"type": "Simple", "value": "pepperoni"}, {"type": "Simple", "value": "mushrooms"}]}}}),
    )
}

/// "Yes" to the recap of a large pizza with pepperoni and mushrooms: what places the order.
fn order() -> RequestEnvelope {
    request(order_request())
}

/// The whole event of [`order`], as Alexa sends it.
fn order_event_json() -> Value {
    event(order_request())
}

fn order_request() -> Value {
    let id = format!("amzn1.echo-api.request.bench-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    json!({"type": "IntentRequest", "requestId": id, "timestamp": "2027-01-15T08:00:00Z",
                   "intent": {"name": "AMAZON.YesIntent", "slots": {}},
                   "stage": {"waiting_for": "send_code", "currency": "USD",
                             "pizza": {"size": "large", "toppings": ["pepperoni", "mushrooms"]}}})
}

fn authorize(code: &str) -> RequestEnvelope {
    intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": code}}))
}

/// A skill with the default challenge policy (5 codes per user per hour) and a
/// clock moved 15 minutes before each order, so that the user's send window
/// holds what it would for a real user (at most 4 recent sends).
///
/// Each timed request is the case it is named for, set up right before it (criterion's
/// `PerIteration`): an order whose code goes out, a right code for the order pending now, a
/// wrong code for a fresh pending order and a guess budget far from any block. (Batched set-ups
/// would place every order of a batch first, so that most timed requests met a full send window
/// or no pending order.) [`Bench::said_otherwise`] counts timed answers that are not the case's.
struct Bench {
    skill: Skill,
    service: OrderService,
    clock: Arc<ManualClock>,
    said_otherwise: AtomicU64,
}

impl Bench {
    fn on(dir: &tempfile::TempDir) -> Self {
        let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
        let service = OrderService::new(
            Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap()),
            Arc::new(FakeDirectory::standard()),
            Arc::new(FakeCodeDesk::accepting(RIGHT_CODE)),
            clock.clone(),
            ChallengePolicy::default(),
        );
        Self { skill: Skill::new(service.clone()), service, clock, said_otherwise: AtomicU64::new(0) }
    }

    fn next_order(&self) -> RequestEnvelope {
        self.clock.advance_seconds(15 * 60);
        order()
    }

    /// A pending order with its code sent, and the guess budget as after a right code.
    fn pending_order(&self, runtime: &tokio::runtime::Runtime) {
        let ana = UserId::parse("auth0|ana").unwrap();
        runtime.block_on(self.service.unlock_voice_ordering(&ana, Source::Web)).unwrap();
        let placed = runtime.block_on(self.skill.handle(&self.next_order()));
        assert!(pod_skill::speech_of(&placed).contains("sent a code"), "{}", pod_skill::speech_of(&placed));
    }

    /// Counts `answer` if it does not say `expected`.
    fn expect(&self, answer: &ResponseEnvelope, expected: &str) {
        if !pod_skill::speech_of(answer).contains(expected) {
            self.said_otherwise.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A directory on tmpfs when the machine has one.
fn memory_backed_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() { tempfile::tempdir_in(shm).unwrap() } else { tempfile::tempdir().unwrap() }
}

fn handler(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = memory_backed_dir();
    let bench = Bench::on(&dir);
    let skill = &bench.skill;
    let launch = request(json!({"type": "LaunchRequest", "requestId": "r", "timestamp": "2027-01-15T08:00:00Z"}));

    let mut group = c.benchmark_group("skill");
    group.bench_function("launch", |b| b.iter(|| runtime.block_on(skill.handle(&launch))));
    group.bench_function("recap", |b| {
        b.iter_batched(recap, |r| runtime.block_on(skill.handle(&r)), BatchSize::SmallInput)
    });
    group.bench_function("order", |b| {
        b.iter_batched(
            || bench.next_order(),
            |r| bench.expect(&runtime.block_on(skill.handle(&r)), "sent a code"),
            BatchSize::PerIteration,
        )
    });
    for (name, code, expected) in
        [("authorize_right", RIGHT_CODE, "Order confirmed"), ("authorize_wrong", "0000", "2 tries left")]
    {
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    bench.pending_order(&runtime);
                    authorize(code)
                },
                |r| bench.expect(&runtime.block_on(skill.handle(&r)), expected),
                BatchSize::PerIteration,
            )
        });
    }
    let otherwise = bench.said_otherwise.load(Ordering::Relaxed);
    assert_eq!(otherwise, 0, "{otherwise} timed requests answered otherwise than their case");
    group.bench_function("parse_request", |b| {
        let body =
            serde_json::to_vec(&json!({"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r"}}))
                .unwrap();
        b.iter(|| parse_request(&body).unwrap())
    });
    group.finish();

    // What a request costs besides `Skill::handle` (which the cases above time on a parsed
    // request, with the in-process identity provider's token check): reading the event, the
    // token's signature, writing the answer. `make profile` splits `handle` itself by stage.
    let mut group = c.benchmark_group("skill_stages");
    let order_event = serde_json::to_vec(&order_event_json()).unwrap();
    group.bench_function("parse_order_event", |b| b.iter(|| parse_request(&order_event).unwrap()));
    let answer = runtime.block_on(skill.handle(&bench.next_order()));
    group.bench_function("serialise_order_answer", |b| b.iter(|| serde_json::to_vec(&answer).unwrap()));
    let (issuer, audience) = ("https://pod.eu.auth0.com/", "https://pod.localtest.me");
    let claims = json!({"sub": "auth0|ana", "iss": issuer, "aud": audience, "exp": 4_102_444_800u64,
                        "iat": 1_800_000_000u64, "scope": "openid"});
    let hs256_key = b"a-signing-key-for-the-token-bench-0123456789";
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(hs256_key),
    )
    .unwrap();
    let validator = pod_shared::auth0::AccessTokenValidator::hs256(hs256_key, issuer, audience);
    group.bench_function("token_check_hs256", |b| b.iter(|| runtime.block_on(validator.validate(&hs256)).unwrap()));
    let private = include_bytes!("../../../shared/tests/fixtures/test-rsa-private.pem");
    let public = include_bytes!("../../../shared/tests/fixtures/test-rsa-public.pem");
    let rs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(private).unwrap(),
    )
    .unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(public).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    // The signature check the RS256 validator makes once the tenant's key is cached.
    group.bench_function("token_check_rs256", |b| {
        b.iter(|| jsonwebtoken::decode::<Value>(&rs256, &key, &validation).unwrap())
    });
    group.finish();

    let disk = tempfile::tempdir().unwrap();
    let on_disk = Bench::on(&disk);
    let mut group = c.benchmark_group("skill_store_on_disk");
    group.bench_function("order", |b| {
        b.iter_batched(
            || on_disk.next_order(),
            |r| on_disk.expect(&runtime.block_on(on_disk.skill.handle(&r)), "sent a code"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
    assert_eq!(on_disk.said_otherwise.load(Ordering::Relaxed), 0, "every order on disk sent its code");
}

criterion_group!(benches, handler);
criterion_main!(benches);
