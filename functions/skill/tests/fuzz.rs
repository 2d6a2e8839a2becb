//! Property tests: no input makes the skill panic. Random bytes, random JSON and
//! Alexa-shaped requests with random values go through the parser and, when
//! they parse, through the handler, which must answer something well-formed.
//! `make test` runs a bounded number of cases; `make fuzz` runs many more
//! (`PROPTEST_CASES`).

use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

/// 256 cases per property in `make test`; `PROPTEST_CASES` (set by `make fuzz`) for more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap())
}

fn skill() -> &'static Skill {
    static SKILL: OnceLock<(Skill, tempfile::TempDir)> = OnceLock::new();
    &SKILL
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let service = OrderService::new(
                Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap()),
                Arc::new(FakeDirectory::standard()),
                Arc::new(FakeCodeDesk::accepting("4217")),
                Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
                ChallengePolicy { sends_per_hour: 100, ..ChallengePolicy::default() },
            );
            (Skill::new(service), dir)
        })
        .0
}

fn answer(body: &[u8]) {
    if let Ok(envelope) = parse_request(body) {
        let response = runtime().block_on(skill().handle(&envelope));
        let json = serde_json::to_string(&response).expect("a response always serialises");
        assert!(json.len() <= 24 * 1024, "the response fits Alexa's 24 KB");
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::hash_map("[a-zA-Z]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn alexa_shaped() -> impl Strategy<Value = Value> {
    let intent = prop_oneof![
        Just("GetMeSomePizzaIntent".to_string()),
        Just("AuthorizePizzaOrderIntent".to_string()),
        Just("AMAZON.HelpIntent".to_string()),
        Just("AMAZON.YesIntent".to_string()),
        Just("AMAZON.NoIntent".to_string()),
        Just("AMAZON.RepeatIntent".to_string()),
        Just("OrderStatusIntent".to_string()),
        Just("CancelOrderIntent".to_string()),
        Just("ResendCodeIntent".to_string()),
        ".{0,30}",
    ];
    // What comes back in the session: a stage of the right shape with random values, or anything.
    let stage = prop_oneof![
        (any_json(), any_json()).prop_map(|(size, toppings)| json!({"waiting_for": "send_code", "currency": "USD",
            "pizza": {"size": size, "toppings": toppings}})),
        any_json().prop_map(|order| json!({"waiting_for": "cancel", "order": order})),
        any_json(),
    ];
    let said = prop_oneof![
        ".{0,60}".prop_map(|text| json!({"speech": format!("<speak>{text}</speak>"), "reprompt": "<speak>x</speak>"})),
        any_json(),
    ];
    let kind = prop_oneof![
        Just("IntentRequest".to_string()),
        Just("LaunchRequest".to_string()),
        Just("SessionEndedRequest".to_string()),
        ".{0,20}",
    ];
    let token = prop_oneof![Just(Value::from("token-ana")), Just(Value::from("token-nobody")), any_json()];
    (kind, intent, token, any_json(), any_json(), any_json(), ".{0,16}", (stage, said)).prop_map(
        |(kind, intent, token, size, toppings, code, request_id, (stage, said))| {
            json!({"version": "1.0",
                   "session": {"attributes": {"stage": stage, "said": said}},
                   "context": {"System": {"user": {"userId": "u", "accessToken": token}}},
                   "request": {"type": kind, "requestId": request_id, "timestamp": "2027-01-15T08:00:00Z",
                               "intent": {"name": intent, "slots": {
                                   "Size": {"name": "Size", "value": size},
                                   "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": toppings}},
                                   "Code": {"name": "Code", "value": code}}}}})
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        answer(&bytes);
    }

    #[test]
    fn random_json_never_panics(value in any_json()) {
        answer(value.to_string().as_bytes());
    }

    #[test]
    fn alexa_shaped_requests_with_random_values_get_answers(request in alexa_shaped()) {
        answer(request.to_string().as_bytes());
    }
}

#[test]
fn a_one_megabyte_body_is_an_error_not_a_panic() {
    let huge = format!(r#"{{"request": {{"type": "LaunchRequest"}}, "padding": "{}"}}"#, "x".repeat(1 << 20));
    answer(huge.as_bytes());
    answer(&vec![0xff; 1 << 20]);
}
