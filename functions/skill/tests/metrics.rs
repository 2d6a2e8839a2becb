//! The skill's EMF lines: every request emits one line that follows the Embedded Metric
//! Format, with the outcome the answer had (a right code, a wrong code, a locked order, a
//! paused account, no verified contact, Auth0 or the store down, a refused request) and a line
//! per code sent. Real embedded store; test doubles for the identity provider and the code desk.

use pod_shared::alexa::{AlexaVerifier, RequestEnvelope, VerifierSettings};
use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::metrics::{CapturedLines, Metrics, check_emf_line};
use pod_shared::ports::{OrderStore, StoreError};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FailingStore, FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use serde_json::{Value, json};
use std::sync::Arc;

const RIGHT_CODE: &str = "4217";
const SKILL_ID: &str = "amzn1.ask.skill.pod";

struct Harness {
    skill: Skill,
    lines: Arc<CapturedLines>,
    codes: Arc<FakeCodeDesk>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    harness_on(store, dir)
}

/// The skill over `store` (`dir`: whatever it keeps alive).
fn harness_on(store: Arc<dyn OrderStore>, dir: tempfile::TempDir) -> Harness {
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
    let policy = ChallengePolicy { sends_per_hour: 100, ..ChallengePolicy::default() };
    let service = OrderService::new(store, Arc::new(FakeDirectory::standard()), codes.clone(), clock, policy);
    let lines = Arc::new(CapturedLines::default());
    let skill = Skill::new(service).with_metrics(Metrics::to(lines.clone()));
    Harness { skill, lines, codes, _dir: dir }
}

fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("amzn1.echo-api.request.metrics-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

fn body(request: Value) -> Value {
    body_for("token-ana", request)
}

/// The request of the user whose account-linking token is `token`.
fn body_for(token: &str, request: Value) -> Value {
    let user = json!({"userId": "amzn1.ask.account.X", "accessToken": token});
    let attributes = request.get("stage").map(|stage| json!({"stage": stage})).unwrap_or(json!({}));
    json!({
        "version": "1.0",
        "session": {"new": false, "sessionId": "amzn1.echo-api.session.1",
                    "application": {"applicationId": SKILL_ID}, "user": user, "attributes": attributes},
        "context": {"System": {"application": {"applicationId": SKILL_ID}, "user": user}},
        "request": request,
    })
}

fn envelope(request: Value) -> RequestEnvelope {
    parse_request(body(request).to_string().as_bytes()).unwrap()
}

fn intent(name: &str, slots: Value) -> Value {
    json!({"type": "IntentRequest", "requestId": next_request_id(), "timestamp": "2027-01-15T08:00:00Z",
           "locale": "en-US", "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots}})
}

/// "Yes" to the recap of a large cheese pizza: places an order and sends its code.
fn placing() -> Value {
    let mut yes = intent("AMAZON.YesIntent", json!({}));
    yes["stage"] = json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": []}});
    yes
}

fn guessing(code: &str) -> Value {
    intent("AuthorizePizzaOrderIntent", json!({"Code": {"name": "Code", "value": code}}))
}

impl Harness {
    /// Answers `request` and returns the EMF lines it emitted, each checked against the specification.
    async fn lines_of(&self, request: Value) -> Vec<Value> {
        let before = self.lines.lines().len();
        self.skill.handle(&envelope(request)).await;
        self.new_lines(before)
    }

    fn new_lines(&self, before: usize) -> Vec<Value> {
        self.lines.lines()[before..].iter().map(|line| check_emf_line(line).unwrap()).collect()
    }

    /// The outcome of the request line among `lines` (the one with `Answers`).
    async fn outcome_of(&self, request: Value) -> String {
        let lines = self.lines_of(request).await;
        let answered: Vec<&Value> = lines.iter().filter(|l| l.get("Answers").is_some()).collect();
        assert_eq!(answered.len(), 1, "one request line per request: {lines:?}");
        answered[0]["Outcome"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn placing_an_order_emits_its_request_line_and_one_code_sent_by_sms() {
    let h = harness();
    let lines = h.lines_of(placing()).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    let request = &lines[0];
    assert_eq!(request["Function"], "skill");
    assert_eq!(request["Intent"], "AMAZON.YesIntent");
    assert_eq!(request["Outcome"], "other");
    assert_eq!(request["Requests"], 1);
    assert!(request["Duration"].as_f64().unwrap() >= 0.0);
    for count in ["StoreCalls", "Auth0Calls", "DeliveryCalls", "SequentialRoundTrips"] {
        assert!(request[count].is_u64(), "{count} is a count: {request}");
    }
    assert_eq!(lines[1]["CodesSent"], 1);
    assert_eq!(lines[1]["Channel"], "sms");
    let text = h.lines.lines().join("\n");
    assert!(!text.contains("+1415") && !text.contains("ana@") && !text.contains("token-ana"), "{text}");
}

#[tokio::test]
async fn a_right_code_is_confirmed_and_a_wrong_one_is_a_wrong_code() {
    let h = harness();
    h.lines_of(placing()).await;
    assert_eq!(h.outcome_of(guessing("1111")).await, "wrong_code");
    assert_eq!(h.outcome_of(guessing(RIGHT_CODE)).await, "confirmed");
    let text = h.lines.lines().join("\n");
    // Numbers (a duration, a timestamp) may hold any digits; no string member holds a code.
    assert!(!text.contains("\"1111") && !text.contains(&format!("\"{RIGHT_CODE}")), "no code in a line: {text}");
}

#[tokio::test]
async fn a_locked_order_then_a_paused_account_are_counted_as_such() {
    let h = harness();
    h.lines_of(placing()).await;
    assert_eq!(h.outcome_of(guessing("1111")).await, "wrong_code");
    assert_eq!(h.outcome_of(guessing("1112")).await, "wrong_code");
    assert_eq!(h.outcome_of(guessing("1113")).await, "order_locked");
    h.lines_of(placing()).await;
    assert_eq!(h.outcome_of(guessing("1114")).await, "wrong_code");
    assert_eq!(h.outcome_of(guessing("1115")).await, "ordering_paused", "the fifth wrong code pauses ordering");
    let before = h.codes.sent().len();
    assert_eq!(h.outcome_of(placing()).await, "ordering_paused", "an order while paused");
    assert_eq!(h.codes.sent().len(), before);
}

#[tokio::test]
async fn auth0_down_while_sending_a_code_is_auth0_unavailable() {
    let h = harness();
    h.codes.set_down(true);
    let lines = h.lines_of(placing()).await;
    assert_eq!(lines.len(), 1, "no code sent: {lines:?}");
    assert_eq!(lines[0]["Outcome"], "auth0_unavailable");
}

#[tokio::test]
async fn no_verified_contact_is_no_contact_and_the_store_down_is_store_unavailable() {
    let h = harness();
    let nobody = parse_request(body_for("token-nobody", placing()).to_string().as_bytes()).unwrap();
    h.skill.handle(&nobody).await;
    let lines = h.new_lines(0);
    assert_eq!(lines.len(), 1, "no code sent: {lines:?}");
    assert_eq!(lines[0]["Outcome"], "no_contact");

    let down = harness_on(Arc::new(FailingStore(StoreError::Unavailable("test".into()))), tempfile::tempdir().unwrap());
    assert_eq!(down.outcome_of(placing()).await, "store_unavailable", "the skill error answers alarm counts it");
    assert!(down.codes.sent().is_empty());
}

#[tokio::test]
async fn a_launch_and_a_skill_event_are_named_by_their_request_type() {
    let h = harness();
    let launch = json!({"type": "LaunchRequest", "requestId": next_request_id(), "timestamp": "2027-01-15T08:00:00Z",
                        "locale": "en-US"});
    assert_eq!(h.lines_of(launch).await[0]["Intent"], "LaunchRequest");
    let unknown = intent("SomethingNobodyHandles", json!({}));
    assert_eq!(h.lines_of(unknown).await[0]["Intent"], "Other", "input never becomes a dimension value");
}

#[tokio::test]
async fn a_refused_request_is_counted_as_refused() {
    let h = harness();
    let verifier = AlexaVerifier::new(VerifierSettings::production(true, Some(SKILL_ID.to_string())));
    let mut other_skill = body(intent("AMAZON.HelpIntent", json!({})));
    other_skill["context"]["System"]["application"]["applicationId"] = json!("amzn1.ask.skill.other");
    other_skill["session"]["application"]["applicationId"] = json!("amzn1.ask.skill.other");
    assert!(h.skill.answer_event(&verifier, other_skill).await.is_err());
    let lines = h.new_lines(0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!((lines[0]["Outcome"].as_str(), lines[0]["Intent"].as_str()), (Some("refused_request"), Some("Refused")));
}

#[tokio::test]
async fn without_metrics_nothing_is_emitted_and_the_answer_is_the_same() {
    let h = harness();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let service = OrderService::new(
        store,
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting(RIGHT_CODE)),
        clock,
        ChallengePolicy::default(),
    );
    let quiet = Skill::new(service);
    let help = envelope(intent("AMAZON.HelpIntent", json!({})));
    let said = serde_json::to_value(quiet.handle(&help).await).unwrap();
    assert_eq!(said, serde_json::to_value(h.skill.handle(&help).await).unwrap());
    assert_eq!(h.lines.lines().len(), 1, "only the skill with metrics emitted");
}
