//! RS256 access tokens with the tenant's keys from its JWKS, served from 127.0.0.1:
//! cached by `kid`, refetched for an unknown `kid` at most once a minute, and the
//! algorithm pinned (never read from the token); RS256 ID tokens with the same keys and rules.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use pod_shared::auth0::{AccessTokenValidator, IdTokenValidator, JwksKeys};
use pod_shared::ports::AuthError;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const ISS: &str = "https://pod.example.auth0.com/";
const AUD: &str = "https://pod.localtest.me";
const TEST_KEY: &[u8] = include_bytes!("fixtures/test-rsa-private.pem");
const OTHER_KEY: &[u8] = include_bytes!("fixtures/other-rsa-private.pem");
const TEST_PUBLIC_PEM: &[u8] = include_bytes!("fixtures/test-rsa-public.pem");

struct Jwks {
    url: String,
    fetches: Arc<AtomicUsize>,
    served: Arc<Mutex<Value>>,
}

async fn serve_jwks(initial: &str) -> Jwks {
    let served = Arc::new(Mutex::new(serde_json::from_str::<Value>(initial).unwrap()));
    let fetches = Arc::new(AtomicUsize::new(0));
    let state = (served.clone(), fetches.clone());
    let app = Router::new()
        .route(
            "/.well-known/jwks.json",
            get(|State((served, fetches)): State<(Arc<Mutex<Value>>, Arc<AtomicUsize>)>| async move {
                fetches.fetch_add(1, Ordering::SeqCst);
                axum::Json(served.lock().unwrap().clone())
            }),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Jwks { url, fetches, served }
}

fn validator(url: &str) -> AccessTokenValidator {
    AccessTokenValidator::rs256(Arc::new(JwksKeys::new(url, reqwest::Client::new())), ISS, AUD)
}

fn now() -> i64 {
    pod_shared::domain::Timestamp::now().unix_seconds()
}

fn claims() -> Value {
    json!({"sub": "auth0|ana", "iss": ISS, "aud": [AUD], "iat": now(), "exp": now() + 600})
}

fn rs256(claims: &Value, kid: &str, key: &[u8]) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    encode(&header, claims, &EncodingKey::from_rsa_pem(key).unwrap()).unwrap()
}

fn with(field: &str, value: Value) -> Value {
    let mut c = claims();
    c[field] = value;
    c
}

const TEST_JWKS: &str = include_str!("fixtures/jwks-test-key.json");
const BOTH_JWKS: &str = include_str!("fixtures/jwks-both-keys.json");

#[tokio::test]
async fn a_token_signed_with_a_published_key_passes_and_keys_are_cached() {
    let jwks = serve_jwks(TEST_JWKS).await;
    let v = validator(&jwks.url);
    for _ in 0..3 {
        let (user, _) = v.validate(&rs256(&claims(), "pod-test-key", TEST_KEY)).await.unwrap();
        assert_eq!(user.as_str(), "auth0|ana");
    }
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 1, "fetched once, then cached");
}

#[tokio::test]
async fn an_unknown_kid_refetches_at_most_once_a_minute() {
    let jwks = serve_jwks(TEST_JWKS).await;
    let v = validator(&jwks.url);
    v.validate(&rs256(&claims(), "pod-test-key", TEST_KEY)).await.unwrap();
    // The tenant rotates in a new key, but the last fetch was just now: no refetch yet.
    *jwks.served.lock().unwrap() = serde_json::from_str(BOTH_JWKS).unwrap();
    for _ in 0..5 {
        let refused = v.validate(&rs256(&claims(), "pod-other-key", OTHER_KEY)).await;
        assert_eq!(refused.unwrap_err(), AuthError::BadSignature);
    }
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 1, "no refetch storm for unknown kids");
    // A fresh instance (or a minute later) picks the rotated key up.
    let fresh = validator(&jwks.url);
    assert!(fresh.validate(&rs256(&claims(), "pod-other-key", OTHER_KEY)).await.is_ok());
}

#[tokio::test]
async fn expired_not_yet_valid_wrong_issuer_audience_or_key_are_refused() {
    let jwks = serve_jwks(TEST_JWKS).await;
    let v = validator(&jwks.url);
    let cases = [
        (rs256(&with("exp", json!(now() - 60)), "pod-test-key", TEST_KEY), AuthError::Expired),
        (rs256(&with("nbf", json!(now() + 600)), "pod-test-key", TEST_KEY), AuthError::NotYetValid),
        (rs256(&with("iss", json!("https://evil/")), "pod-test-key", TEST_KEY), AuthError::WrongIssuer),
        (rs256(&with("aud", json!("https://other")), "pod-test-key", TEST_KEY), AuthError::WrongAudience),
        (rs256(&claims(), "pod-test-key", OTHER_KEY), AuthError::BadSignature),
    ];
    for (token, expected) in cases {
        assert_eq!(v.validate(&token).await.unwrap_err(), expected);
    }
    let mut no_kid = Header::new(Algorithm::RS256);
    no_kid.kid = None;
    let token = encode(&no_kid, &claims(), &EncodingKey::from_rsa_pem(TEST_KEY).unwrap()).unwrap();
    assert_eq!(v.validate(&token).await.unwrap_err(), AuthError::BadSignature);
}

#[tokio::test]
async fn none_and_algorithm_confusion_are_refused() {
    let jwks = serve_jwks(TEST_JWKS).await;
    let v = validator(&jwks.url);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none","typ":"JWT","kid":"pod-test-key"}"#),
        b64.encode(claims().to_string())
    );
    assert!(v.validate(&none).await.is_err());
    // The classic confusion: an HS256 token keyed with the RSA *public* key.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("pod-test-key".into());
    let confused = encode(&header, &claims(), &EncodingKey::from_secret(TEST_PUBLIC_PEM)).unwrap();
    assert_eq!(v.validate(&confused).await.unwrap_err(), AuthError::BadSignature);
    // And the other way round: an RS256 token where HS256 is pinned.
    let hs = AccessTokenValidator::hs256(b"an-api-signing-key-of-32-bytes-at-least", ISS, AUD);
    assert_eq!(hs.validate(&rs256(&claims(), "pod-test-key", TEST_KEY)).await.unwrap_err(), AuthError::BadSignature);
}

#[tokio::test]
async fn an_unreachable_jwks_is_a_clear_error() {
    let v = validator("http://127.0.0.1:9/.well-known/jwks.json");
    assert_eq!(v.validate(&rs256(&claims(), "pod-test-key", TEST_KEY)).await.unwrap_err(), AuthError::KeysUnavailable);
}

// ID tokens signed RS256 by the tenant (Auth0's default for new applications): the same keys,
// cache and pinning as access tokens, plus the ID token's own rules (client audience, nonce).

const CLIENT_ID: &str = "pod-client";

fn id_token_validator(url: &str) -> IdTokenValidator {
    IdTokenValidator::rs256(Arc::new(JwksKeys::new(url, reqwest::Client::new())), ISS, CLIENT_ID)
}

fn id_claims() -> Value {
    json!({"sub": "auth0|ana", "iss": ISS, "aud": CLIENT_ID, "iat": now(), "exp": now() + 600, "nonce": "n-1",
        "email": "ana@example.com", "email_verified": true})
}

fn id_with(field: &str, value: Value) -> Value {
    let mut c = id_claims();
    c[field] = value;
    c
}

#[tokio::test]
async fn an_rs256_id_token_is_checked_with_the_tenants_keys() {
    let jwks = serve_jwks(TEST_JWKS).await;
    let v = id_token_validator(&jwks.url);
    for _ in 0..2 {
        let claims = v.validate(&rs256(&id_claims(), "pod-test-key", TEST_KEY), Some("n-1")).await.unwrap();
        assert_eq!(claims.subject.as_str(), "auth0|ana");
        assert_eq!((claims.email.as_deref(), claims.email_verified), (Some("ana@example.com"), true));
        assert_eq!((claims.phone_number, claims.phone_verified), (None, false));
    }
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 1, "fetched once, then cached");
}

#[tokio::test]
async fn rs256_id_tokens_keep_the_access_tokens_pinning() {
    let jwks = serve_jwks(TEST_JWKS).await;
    let v = id_token_validator(&jwks.url);
    let cases = [
        (rs256(&id_with("exp", json!(now() - 60)), "pod-test-key", TEST_KEY), AuthError::Expired),
        (rs256(&id_with("iss", json!("https://evil/")), "pod-test-key", TEST_KEY), AuthError::WrongIssuer),
        // An access token for the API is not an ID token for the application.
        (rs256(&id_with("aud", json!(AUD)), "pod-test-key", TEST_KEY), AuthError::WrongAudience),
        (rs256(&id_with("azp", json!("another-client")), "pod-test-key", TEST_KEY), AuthError::WrongAudience),
        (rs256(&id_with("nonce", json!("n-2")), "pod-test-key", TEST_KEY), AuthError::Malformed),
        (rs256(&id_claims(), "pod-test-key", OTHER_KEY), AuthError::BadSignature),
        (rs256(&id_claims(), "pod-other-key", OTHER_KEY), AuthError::BadSignature),
    ];
    for (token, expected) in cases {
        assert_eq!(v.validate(&token, Some("n-1")).await.unwrap_err(), expected);
    }
    let mut no_kid = Header::new(Algorithm::RS256);
    no_kid.kid = None;
    let token = encode(&no_kid, &id_claims(), &EncodingKey::from_rsa_pem(TEST_KEY).unwrap()).unwrap();
    assert_eq!(v.validate(&token, Some("n-1")).await.unwrap_err(), AuthError::BadSignature);
    // HS256 keyed with the RSA public key, and alg none: refused.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("pod-test-key".into());
    let confused = encode(&header, &id_claims(), &EncodingKey::from_secret(TEST_PUBLIC_PEM)).unwrap();
    assert_eq!(v.validate(&confused, Some("n-1")).await.unwrap_err(), AuthError::BadSignature);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none","typ":"JWT","kid":"pod-test-key"}"#),
        b64.encode(id_claims().to_string())
    );
    assert!(v.validate(&none, Some("n-1")).await.is_err());
}

#[tokio::test]
async fn an_rs256_id_token_with_an_unreachable_jwks_is_a_clear_error() {
    let v = id_token_validator("http://127.0.0.1:9/.well-known/jwks.json");
    let token = rs256(&id_claims(), "pod-test-key", TEST_KEY);
    assert_eq!(v.validate(&token, None).await.unwrap_err(), AuthError::KeysUnavailable);
}
