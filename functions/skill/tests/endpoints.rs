//! One binary, two endpoints: a direct (Lambda ARN) invocation and a function
//! URL HTTP event, told apart by shape and answered by the same handler.

use base64::Engine;
use pod_shared::alexa::{AlexaVerifier, VerifierSettings};
use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, SkillError};
use serde_json::{Value, json};
use std::sync::Arc;

const SKILL: &str = "amzn1.ask.skill.pod-test";

fn skill(dir: &tempfile::TempDir) -> Skill {
    Skill::new(OrderService::new(
        Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap()),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting("4217")),
        Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
        ChallengePolicy::default(),
    ))
}

fn launch(skill_id: &str) -> Value {
    json!({"version": "1.0",
           "session": {"new": true, "sessionId": "s", "application": {"applicationId": skill_id}, "user": {"userId": "u"}},
           "context": {"System": {"application": {"applicationId": skill_id}, "user": {"userId": "u"}}},
           "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "2027-01-15T08:00:00Z"}})
}

fn function_url_event(body: &Value, base64: bool) -> Value {
    let text = body.to_string();
    let (body, encoded) =
        if base64 { (base64::engine::general_purpose::STANDARD.encode(text), true) } else { (text, false) };
    json!({"version": "2.0", "rawPath": "/", "headers": {"content-type": "application/json"},
           "requestContext": {"http": {"method": "POST", "path": "/"}}, "body": body, "isBase64Encoded": encoded})
}

fn verifier(verify_signature: bool, skill_id: Option<&str>) -> AlexaVerifier {
    AlexaVerifier::new(VerifierSettings::production(verify_signature, skill_id.map(str::to_string)))
}

#[tokio::test]
async fn a_direct_invocation_gets_an_alexa_response() {
    let dir = tempfile::tempdir().unwrap();
    let answer = skill(&dir).answer_event(&verifier(true, Some(SKILL)), launch(SKILL)).await.unwrap();
    assert_eq!(answer["version"], "1.0");
    assert!(answer["response"]["outputSpeech"]["ssml"].as_str().unwrap().contains("Welcome"));
}

#[tokio::test]
async fn a_direct_invocation_for_another_skill_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let refused = skill(&dir).answer_event(&verifier(true, Some(SKILL)), launch("amzn1.ask.skill.other")).await;
    assert!(matches!(refused, Err(SkillError::Refused(_))), "{refused:?}");
}

#[tokio::test]
async fn a_function_url_request_without_a_signature_is_refused_with_400() {
    let dir = tempfile::tempdir().unwrap();
    let answer =
        skill(&dir).answer_event(&verifier(true, None), function_url_event(&launch(SKILL), false)).await.unwrap();
    assert_eq!(answer["statusCode"], 400);
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"], "request_refused");
    assert!(body["message"].as_str().unwrap().contains("SignatureCertChainUrl"));
}

#[tokio::test]
async fn a_function_url_request_is_answered_over_http_when_verification_is_off() {
    let dir = tempfile::tempdir().unwrap();
    for base64 in [false, true] {
        let answer = skill(&dir)
            .answer_event(&verifier(false, Some(SKILL)), function_url_event(&launch(SKILL), base64))
            .await
            .unwrap();
        assert_eq!(answer["statusCode"], 200, "base64 {base64}");
        assert_eq!(answer["headers"]["content-type"], "application/json");
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert!(body["response"]["outputSpeech"]["ssml"].as_str().unwrap().contains("Welcome"));
    }
    let wrong = skill(&dir)
        .answer_event(&verifier(false, Some(SKILL)), function_url_event(&launch("amzn1.ask.skill.other"), false))
        .await
        .unwrap();
    assert_eq!(wrong["statusCode"], 400, "the skill id is checked in both modes");
}

#[tokio::test]
async fn malformed_events_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let skill = skill(&dir);
    let direct = skill.answer_event(&verifier(true, None), json!({"version": "1.0"})).await;
    assert!(matches!(direct, Err(SkillError::MalformedRequest(_))));
    let mut event = function_url_event(&launch(SKILL), false);
    event["body"] = json!("%%%not base64");
    event["isBase64Encoded"] = json!(true);
    assert!(matches!(skill.answer_event(&verifier(false, None), event).await, Err(SkillError::MalformedRequest(_))));
    let garbage =
        skill.answer_event(&verifier(false, None), function_url_event(&json!("just a string"), false)).await.unwrap();
    assert_eq!(garbage["statusCode"], 400);
}
