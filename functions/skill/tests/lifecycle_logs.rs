//! What the skill events log, alone in its binary: the captured log is this thread's, and a
//! test running beside it could leave tracing's per-callsite cache without this subscriber.

use pod_shared::domain::{AlexaUserId, ChallengePolicy, Timestamp};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{CapturedLogs, FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use std::path::Path;
use std::sync::Arc;

fn recorded(name: &str, token: &str) -> pod_shared::alexa::RequestEnvelope {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/alexa").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text
        .replace("{{ACCESS_TOKEN}}", token)
        .replace("{{REQUEST_ID}}", name)
        .replace("{{API_ENDPOINT}}", "https://api.amazonalexa.com");
    parse_request(text.as_bytes()).unwrap()
}

/// The log says which event and which Alexa account (by its digest's start), never the Alexa
/// user id, the access token, the consent token or the Pod user.
#[tokio::test(flavor = "current_thread")]
async fn the_events_log_neither_the_alexa_user_id_nor_the_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let service = OrderService::new(
        Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap()),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting("4217")),
        Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
        ChallengePolicy::default(),
    );
    let skill = Skill::new(service);
    let (logs, _guard) = CapturedLogs::capture();
    for event in ["skill-account-linked.json", "skill-enabled.json", "skill-permission-changed.json"] {
        skill.handle(&recorded(event, "token-ana")).await;
    }
    skill.handle(&recorded("skill-disabled-not-persisted.json", "")).await;
    let text = logs.text();
    assert!(text.contains("skill_account_linked") && text.contains("the user's data erased"), "{text}");
    let alexa = AlexaUserId::parse("amzn1.ask.account.EXAMPLEUSER").unwrap();
    assert!(text.contains(&alexa.to_string()), "the account by its digest's start: {text}");
    for secret in ["EXAMPLEUSER", "token-ana", "auth0|ana", "EXAMPLE-CONSENT-TOKEN"] {
        assert!(!text.contains(secret), "{secret} in the log: {text}");
    }
}
