//! The account-level guess budget through the skill: someone at the speaker who
//! re-orders and guesses gets at most `ACCOUNT_LOCK_FAILURES` guesses in all,
//! hears when ordering pauses and the warning before the lock, sends no code
//! while blocked, and the owner is told. Real embedded store; test doubles for
//! the identity provider and the code desk (which counts what it checks).

use pod_shared::alexa::{RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{BudgetState, ChallengePolicy, Source, Timestamp, UserId};
use pod_shared::ports::{Clock, OrderStore};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock, RecordingSender};
use pod_skill::{Skill, parse_request};
use serde_json::{Value, json};
use std::sync::Arc;

const RIGHT_CODE: &str = "4217";
const WEB_APP: &str = "https://pod.example/pod/app";

struct Harness {
    skill: Skill,
    service: OrderService,
    store: Arc<EmbeddedOrderStore>,
    clock: Arc<ManualClock>,
    codes: Arc<FakeCodeDesk>,
    notices: Arc<RecordingSender>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    harness_with(FakeDirectory::standard())
}

fn harness_with(directory: FakeDirectory) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
    let notices = Arc::new(RecordingSender::default());
    // A high send limit: only the guess budget stands between the attacker and the code.
    let policy = ChallengePolicy { sends_per_hour: 100, ..ChallengePolicy::default() };
    let service = OrderService::new(store.clone(), Arc::new(directory), codes.clone(), clock.clone(), policy)
        .with_notices(notices.clone())
        .with_web_app(Some(WEB_APP.into()));
    Harness { skill: Skill::new(service.clone()), service, store, clock, codes, notices, _dir: dir }
}

fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("amzn1.echo-api.request.budget-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

fn envelope(request: Value) -> RequestEnvelope {
    envelope_for("token-ana", request)
}

/// A request's `stage` (as [`placing`] gives one) goes into the session's attributes, where
/// Alexa puts what the skill's last answer (the recap) left there.
fn envelope_for(token: &str, request: Value) -> RequestEnvelope {
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": token});
    let attributes = request.get("stage").map(|stage| json!({"stage": stage})).unwrap_or(json!({}));
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

/// "Yes" to the recap of a cheese pizza of `size`: what places an order and sends its code.
fn placing(size: &str) -> Value {
    let mut yes = intent("AMAZON.YesIntent", json!({}));
    yes["stage"] = json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": size, "toppings": []}});
    yes
}

async fn say(h: &Harness, request: Value) -> Value {
    let response: ResponseEnvelope = h.skill.handle(&envelope(request)).await;
    serde_json::to_value(response).unwrap()
}

async fn order(h: &Harness) -> Value {
    say(h, placing("large")).await
}

async fn guess(h: &Harness, code: &str) -> Value {
    say(h, intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": code}}))).await
}

fn speech(response: &Value) -> String {
    response["response"]["outputSpeech"]["ssml"].as_str().unwrap_or_default().replace("&apos;", "'")
}

fn ana() -> UserId {
    UserId::parse("auth0|ana").unwrap()
}

async fn budget_state(h: &Harness) -> BudgetState {
    h.store.guess_budget(&ana()).await.unwrap().state_at(h.clock.now())
}

/// The attack of the issue: order, guess until the order locks, order again, and wait
/// out every pause. Returns (orders placed, codes checked, hours until ordering stopped).
#[tokio::test]
async fn reordering_and_guessing_gets_ten_guesses_in_all_then_ordering_locks() {
    let h = harness();
    let (mut orders, mut sent_before, mut warned) = (0, 0, false);
    let started = h.clock.now();
    let mut wrong = 1000;
    'attack: for _ in 0..40 {
        let placed = order(&h).await;
        if !speech(&placed).contains("I sent a code") {
            let said = speech(&placed);
            assert_eq!(h.codes.sent().len(), sent_before, "no code is sent while blocked");
            if said.contains("paused") {
                assert!(said.contains("web app"), "{said}");
                assert_eq!(placed["response"]["card"]["content"].as_str().map(|c| c.contains(WEB_APP)), Some(true));
                match budget_state(&h).await {
                    BudgetState::Paused { until, .. } => {
                        let wait = h.clock.now().seconds_until(until) as i64;
                        h.clock.advance_seconds(wait);
                        continue;
                    }
                    other => panic!("the skill said paused but the budget is {other:?}"),
                }
            }
            assert!(said.contains("locked"), "{said}");
            break 'attack;
        }
        orders += 1;
        sent_before = h.codes.sent().len();
        warned |= speech(&placed).contains("one more wrong code will lock voice ordering");
        for _ in 0..3 {
            wrong += 1;
            let answer = guess(&h, &wrong.to_string()).await;
            let said = speech(&answer);
            warned |= said.contains("one more wrong code will lock voice ordering");
            if said.contains("paused") || said.contains("locked voice ordering") {
                assert_eq!(answer["response"]["shouldEndSession"], json!(true), "{said}");
                continue 'attack;
            }
            if !said.contains("isn't right") {
                continue 'attack;
            }
        }
    }
    let hours = started.seconds_until(h.clock.now()) as f64 / 3600.0;
    println!("attack: {orders} orders placed, {} codes checked, ordering locked after {hours:.1} h", h.codes.checked());
    assert_eq!(h.codes.checked(), 10, "at most ACCOUNT_LOCK_FAILURES codes are ever checked");
    assert!(warned, "the warning before the lock is spoken");
    assert!(matches!(budget_state(&h).await, BudgetState::Locked { .. }));
    h.clock.advance_seconds(30 * 24 * 3600);
    assert!(speech(&order(&h).await).contains("locked"), "a lock does not time out");
    let notices = h.notices.delivered();
    assert_eq!(notices.len(), 6, "told at each of 5 pauses and at the lock");
    assert!(notices.iter().all(|(_, text)| text.contains("this is not a code") && text.contains(WEB_APP)));
    assert!(notices.last().unwrap().1.contains("locked"));

    // The owner unlocks (the web app calls this when signed in): ordering works again.
    h.service.unlock_voice_ordering(&ana(), Source::Web).await.unwrap();
    assert!(speech(&order(&h).await).contains("I sent a code"));
    assert!(speech(&guess(&h, RIGHT_CODE).await).contains("Order confirmed"));
}

#[tokio::test]
async fn a_right_code_resets_the_count_and_expiry_or_cancel_never_does() {
    let h = harness();
    order(&h).await;
    for code in ["1111", "1112", "1113"] {
        guess(&h, code).await;
    }
    order(&h).await;
    guess(&h, "1114").await;
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 4 });
    h.clock.advance_seconds(600);
    let expired = guess(&h, "1115").await;
    assert!(!speech(&expired).contains("isn't right"));
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 4 }, "an expired order checks nothing");
    let placed = order(&h).await;
    assert!(speech(&placed).contains("I sent a code"));
    let pending = h.service.pending_order(&ana()).await.unwrap().unwrap();
    h.service.cancel_order(&ana(), &pending.id).await.unwrap();
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 4 }, "cancelling resets nothing");
    order(&h).await;
    assert!(speech(&guess(&h, RIGHT_CODE).await).contains("Order confirmed"));
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 0 });
}

#[tokio::test]
async fn a_code_that_could_not_be_checked_is_not_counted() {
    let h = harness();
    order(&h).await;
    h.codes.set_down(true);
    let answer = guess(&h, "1111").await;
    assert!(speech(&answer).contains("couldn't check"), "{}", speech(&answer));
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 0 });
    h.codes.set_down(false);
    assert!(speech(&guess(&h, RIGHT_CODE).await).contains("Order confirmed"));
}

/// Twenty wrong codes at once, each for its own pending order: exactly five are
/// checked (the fifth pauses ordering), and each checked code is counted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_wrong_codes_at_once_are_checked_at_most_up_to_the_pause() {
    let h = harness();
    order(&h).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let service = h.service.clone();
        tasks.spawn(async move {
            let code = pod_shared::domain::Code::parse(&format!("{}", 5000 + i)).unwrap();
            service.authorize_pending(&ana(), &code, Source::Voice).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap().ok();
    }
    let budget = h.store.guess_budget(&ana()).await.unwrap();
    println!("race: 20 wrong codes at once, {} checked, {} counted", h.codes.checked(), budget.failures);
    assert_eq!(h.codes.checked(), 5);
    assert_eq!(budget.failures, 5, "every checked code counted exactly once");
    assert!(matches!(budget.state_at(h.clock.now()), BudgetState::Paused { .. }));
}

/// A code check's guess is reserved with its request's claim; a check that finds nothing to
/// check (no pending order, one cancelled, one expired) gives it back.
#[tokio::test]
async fn a_code_check_with_nothing_to_check_gives_its_guess_back() {
    let h = harness();
    let nothing = guess(&h, "1111").await;
    assert!(!speech(&nothing).contains("isn't right"), "{}", speech(&nothing));
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 0 }, "no pending order");
    order(&h).await;
    let pending = h.service.pending_order(&ana()).await.unwrap().unwrap();
    h.service.cancel_order(&ana(), &pending.id).await.unwrap();
    guess(&h, "1112").await;
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 0 }, "a cancelled order");
    order(&h).await;
    h.clock.advance_seconds(600);
    guess(&h, "1113").await;
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 0 }, "an expired order");
    assert_eq!(h.codes.checked(), 0);
    order(&h).await;
    assert!(speech(&guess(&h, "1114").await).contains("isn't right"));
    assert_eq!(budget_state(&h).await, BudgetState::Open { failures: 1 }, "a checked code is counted");
}

/// Twenty wrong codes at once through the skill, each its own request: the guesses reserved with
/// the claims stay below the pause, the rest are reserved one by one, and exactly five codes are
/// checked and counted before ordering pauses.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_spoken_wrong_codes_at_once_are_checked_at_most_up_to_the_pause() {
    let h = harness();
    order(&h).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let skill = Skill::new(h.service.clone());
        let request =
            intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": format!("{}", 5000 + i)}}));
        tasks.spawn(async move { skill.handle(&envelope(request)).await });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap();
    }
    let budget = h.store.guess_budget(&ana()).await.unwrap();
    println!("race: 20 spoken wrong codes at once, {} checked, {} counted", h.codes.checked(), budget.failures);
    assert!(h.codes.checked() <= 5, "{} checked", h.codes.checked());
    assert_eq!(budget.failures as usize, h.codes.checked(), "every checked code counted exactly once");
}

/// Codes go only to verified contacts: an unverified phone (the seed's `user_metadata`) or an
/// email without `email_verified` gets nothing, and the user hears where to verify one.
#[tokio::test]
async fn unverified_contacts_get_no_code_and_the_user_is_sent_to_the_web_app() {
    let directory = FakeDirectory::standard()
        .with_verified("token-cy", "auth0|cy", (Some("cy@example.com"), false), (Some("+14155550177"), false))
        .with_verified("token-di", "auth0|di", (Some("di@example.com"), true), (Some("+14155550188"), false));
    let h = harness_with(directory);
    let cy = h.skill.handle(&envelope_for("token-cy", placing("large"))).await;
    let cy = serde_json::to_value(cy).unwrap();
    assert!(speech(&cy).contains("verify a phone or email in the Pizza on Demand web app"), "{}", speech(&cy));
    assert_eq!(
        cy["response"]["card"]["content"].as_str().map(|c| c.contains(&format!("{WEB_APP}/security"))),
        Some(true)
    );
    assert!(h.codes.sent().is_empty(), "nothing sent");
    let cys = UserId::parse("auth0|cy").unwrap();
    assert!(
        h.store.list(&cys, pod_shared::ports::PageRequest::first(5)).await.unwrap().orders.is_empty(),
        "nothing stored"
    );
    assert!(h.store.list_activity(&cys, 5, None).await.unwrap().events.is_empty());

    // An unverified phone is passed over for a verified email.
    let di = h.skill.handle(&envelope_for("token-di", placing("large"))).await;
    assert!(speech(&serde_json::to_value(di).unwrap()).contains("email address at example.com"));
    assert_eq!(
        h.codes.sent(),
        [pod_shared::domain::Destination::Email(pod_shared::domain::EmailAddress::parse("di@example.com").unwrap())]
    );
}

/// Six-digit codes spoken with a leading zero arrive without it (AMAZON.NUMBER) and still confirm.
#[tokio::test]
async fn a_six_digit_code_with_a_leading_zero_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting("042179"));
    let policy = ChallengePolicy { code_length: 6, ..ChallengePolicy::default() };
    let service = OrderService::new(store, Arc::new(FakeDirectory::standard()), codes.clone(), clock, policy);
    let skill = Skill::new(service);
    let placed = skill.handle(&envelope(placing("small"))).await;
    assert!(speech(&serde_json::to_value(placed).unwrap()).contains("I sent a code"));
    // "authorize order zero four two one seven nine", as AMAZON.NUMBER fills the slot:
    let heard = intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": "42179"}}));
    let answer = serde_json::to_value(skill.handle(&envelope(heard)).await).unwrap();
    assert!(speech(&answer).contains("Order confirmed"), "{}", speech(&answer));
    let too_long = intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": "1234567"}}));
    let answer = serde_json::to_value(skill.handle(&envelope(too_long)).await).unwrap();
    assert!(speech(&answer).contains("didn't understand that code"), "a seven-digit number is no six-digit code");
    assert_eq!(codes.checked(), 1, "and it is not checked");
}
