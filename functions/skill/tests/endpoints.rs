//! One binary, two endpoints: a direct (Lambda ARN) invocation and a function
//! URL HTTP event, told apart by shape and answered by the same handler.

use base64::Engine;
use pod_shared::alexa::{AlexaVerifier, VerifierSettings};
use pod_shared::domain::{ChallengePolicy, Timestamp};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{CapturedLogs, FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{REFUSED_MESSAGE, Skill, SkillError};
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
async fn a_direct_invocation_for_another_skill_is_refused_with_the_reason_only_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = CapturedLogs::capture();
    let refused = skill(&dir).answer_event(&verifier(true, Some(SKILL)), launch("amzn1.ask.skill.other")).await;
    let Err(SkillError::Refused(message)) = refused else { panic!("refused: {refused:?}") };
    assert_eq!(message, REFUSED_MESSAGE);
    assert!(logs.text().contains("another skill"), "{}", logs.text());
}

fn with_headers(mut event: Value, headers: &[(&str, &str)]) -> Value {
    for (name, value) in headers {
        event["headers"][*name] = json!(value);
    }
    event
}

/// Every kind of refusal over a function URL answers the same 400 body; which rule failed,
/// and the URL, are only in the log.
#[tokio::test]
async fn every_function_url_refusal_answers_the_same_generic_400_and_logs_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let skill = skill(&dir);
    let signature = base64::engine::general_purpose::STANDARD.encode([7u8; 256]);
    let mut bad_base64 = function_url_event(&launch(SKILL), false);
    bad_base64["body"] = json!("%%%not base64");
    bad_base64["isBase64Encoded"] = json!(true);
    let mut not_json = function_url_event(&launch(SKILL), false);
    not_json["body"] = json!("{not json");
    let cases: Vec<(&str, bool, Value, &str)> = vec![
        ("unsigned", true, function_url_event(&launch(SKILL), false), "SignatureCertChainUrl header is missing"),
        (
            "not Amazon's URL",
            true,
            with_headers(
                function_url_event(&launch(SKILL), false),
                &[("SignatureCertChainUrl", "https://evil.example/echo.api/cert.pem"), ("Signature-256", &signature)],
            ),
            "evil.example",
        ),
        (
            "a query",
            true,
            with_headers(
                function_url_event(&launch(SKILL), false),
                &[
                    ("SignatureCertChainUrl", "https://s3.amazonaws.com/echo.api/cert.pem?x=1"),
                    ("Signature-256", &signature),
                ],
            ),
            "no query allowed",
        ),
        ("not JSON", true, not_json, "not an Alexa request"),
        ("another skill", false, function_url_event(&launch("amzn1.ask.skill.other"), false), "another skill"),
        ("bad base64", true, bad_base64, "not valid base64"),
    ];
    for (case, verify, event, logged) in cases {
        let (logs, guard) = CapturedLogs::capture();
        let answer = skill.answer_event(&verifier(verify, Some(SKILL)), event).await.unwrap();
        drop(guard);
        assert_eq!(answer["statusCode"], 400, "{case}");
        let text = answer["body"].as_str().unwrap();
        let body: Value = serde_json::from_str(text).unwrap();
        assert_eq!(body, json!({"error": "request_refused", "message": REFUSED_MESSAGE}), "{case}");
        assert!(logs.text().contains(logged), "{case}: the log says why: {}", logs.text());
        for detail in ["SignatureCertChainUrl", "evil", "query", "skill", "base64", "JSON", "amazonaws"] {
            assert!(!text.contains(detail), "{case}: the answer says {detail}: {text}");
        }
    }
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
    let refused = skill.answer_event(&verifier(false, None), event).await.unwrap();
    assert_eq!(refused["statusCode"], 400, "a function URL request with a bad body gets a 400, not a Lambda error");
    let garbage =
        skill.answer_event(&verifier(false, None), function_url_event(&json!("just a string"), false)).await.unwrap();
    assert_eq!(garbage["statusCode"], 400);
}
