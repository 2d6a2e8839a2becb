//! Token validation with `jsonwebtoken`: the algorithm is pinned by
//! configuration, never read from the token.

use crate::domain::UserId;
use crate::ports::AuthError;
use crate::round_trips::{Remote, track};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The JWKS is fetched again for an unknown `kid` at most this often.
pub const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 5;

#[derive(Debug, Clone, Deserialize)]
pub struct AccessTokenClaims {
    pub sub: String,
    #[serde(default)]
    pub scope: Option<String>,
}

fn map_error(kind: &ErrorKind) -> AuthError {
    match kind {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidSignature
        | ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::InvalidKeyFormat
        | ErrorKind::MissingAlgorithm => AuthError::BadSignature,
        _ => AuthError::Malformed,
    }
}

fn pinned(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECONDS;
    validation
}

/// The tenant's signing keys, from its JWKS, cached by `kid`.
pub struct JwksKeys {
    url: String,
    http: reqwest::Client,
    state: Mutex<JwksState>,
}

#[derive(Default)]
struct JwksState {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

impl JwksKeys {
    pub fn new(url: impl Into<String>, http: reqwest::Client) -> Self {
        Self { url: url.into(), http, state: Mutex::new(JwksState::default()) }
    }

    /// The key for `kid`: from the cache, or after one refresh if the last was over a minute ago.
    async fn key(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        let mut state = self.state.lock().await;
        if let Some(key) = state.keys.get(kid) {
            return Ok(key.clone());
        }
        if state.fetched_at.is_some_and(|at| at.elapsed() < JWKS_REFRESH_INTERVAL) {
            return Err(AuthError::BadSignature);
        }
        state.fetched_at = Some(Instant::now());
        let fetched = self.fetch().await;
        match fetched {
            Ok(keys) => state.keys = keys,
            Err(reason) => {
                tracing::warn!(%reason, "the tenant's JWKS could not be fetched");
                return Err(AuthError::KeysUnavailable);
            }
        }
        state.keys.get(kid).cloned().ok_or(AuthError::BadSignature)
    }

    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, String> {
        let request = self.http.get(&self.url).send();
        let response = track(Remote::Auth0, "jwks", request).await.map_err(|e| e.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let set: JwkSet = response.json().await.map_err(|e| e.without_url().to_string())?;
        Ok(set
            .keys
            .iter()
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
            .collect())
    }
}

enum Verification {
    /// HS256 with the API signing key, as the seed configures.
    Hs256(DecodingKey),
    /// RS256 with the tenant's published keys.
    Rs256(Arc<JwksKeys>),
}

/// Validates the API's access tokens with the one algorithm configured; the
/// token's own `alg` header is never trusted to choose.
pub struct AccessTokenValidator {
    verification: Verification,
    validation: Validation,
}

impl AccessTokenValidator {
    pub fn hs256(signing_key: &[u8], issuer: &str, audience: &str) -> Self {
        Self {
            verification: Verification::Hs256(DecodingKey::from_secret(signing_key)),
            validation: pinned(Algorithm::HS256, issuer, audience),
        }
    }

    pub fn rs256(keys: Arc<JwksKeys>, issuer: &str, audience: &str) -> Self {
        Self { verification: Verification::Rs256(keys), validation: pinned(Algorithm::RS256, issuer, audience) }
    }

    pub async fn validate(&self, token: &str) -> Result<(UserId, AccessTokenClaims), AuthError> {
        let header = decode_header(token).map_err(|e| map_error(e.kind()))?;
        if !self.validation.algorithms.contains(&header.alg) {
            return Err(AuthError::BadSignature);
        }
        let key = match &self.verification {
            Verification::Hs256(key) => key.clone(),
            Verification::Rs256(keys) => keys.key(header.kid.as_deref().ok_or(AuthError::BadSignature)?).await?,
        };
        let data = decode::<AccessTokenClaims>(token, &key, &self.validation).map_err(|e| map_error(e.kind()))?;
        let user = UserId::parse(data.claims.sub.clone()).map_err(|_| AuthError::BadSubject)?;
        Ok((user, data.claims))
    }
}

#[derive(Debug, Clone, Deserialize)]
struct IdTokenClaims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
}

/// Validates ID tokens issued to Pod's application (HS256 with the client secret).
#[derive(Clone)]
pub struct IdTokenValidator {
    key: DecodingKey,
    validation: Validation,
}

impl IdTokenValidator {
    pub fn hs256(client_secret: &[u8], issuer: &str, client_id: &str) -> Self {
        Self { key: DecodingKey::from_secret(client_secret), validation: pinned(Algorithm::HS256, issuer, client_id) }
    }

    /// The verified subject; if `expected_nonce` is given, the token must carry it.
    pub fn validate(&self, token: &str, expected_nonce: Option<&str>) -> Result<UserId, AuthError> {
        let data = decode::<IdTokenClaims>(token, &self.key, &self.validation).map_err(|e| map_error(e.kind()))?;
        if let Some(expected) = expected_nonce
            && data.claims.nonce.as_deref() != Some(expected)
        {
            return Err(AuthError::Malformed);
        }
        UserId::parse(data.claims.sub).map_err(|_| AuthError::BadSubject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    const KEY: &[u8] = b"an-api-signing-key-of-32-bytes-at-least";
    const ISS: &str = "https://pod.example.auth0.com/";
    const AUD: &str = "https://pod.localtest.me";

    fn now() -> i64 {
        crate::domain::Timestamp::now().unix_seconds()
    }

    fn claims() -> serde_json::Value {
        json!({"sub": "auth0|ana", "iss": ISS, "aud": [AUD, format!("{ISS}userinfo")], "iat": now(), "exp": now() + 600, "scope": "openid"})
    }

    fn sign(claims: &serde_json::Value, key: &[u8]) -> String {
        encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(key)).unwrap()
    }

    fn validator() -> AccessTokenValidator {
        AccessTokenValidator::hs256(KEY, ISS, AUD)
    }

    fn with(field: &str, value: serde_json::Value) -> serde_json::Value {
        let mut c = claims();
        c[field] = value;
        c
    }

    #[tokio::test]
    async fn a_good_token_gives_its_subject() {
        let (user, claims) = validator().validate(&sign(&claims(), KEY)).await.unwrap();
        assert_eq!(user.as_str(), "auth0|ana");
        assert_eq!(claims.scope.as_deref(), Some("openid"));
    }

    #[tokio::test]
    async fn expired_wrong_audience_wrong_issuer_and_wrong_key_are_refused() {
        let v = validator();
        assert_eq!(v.validate(&sign(&with("exp", json!(now() - 60)), KEY)).await.unwrap_err(), AuthError::Expired);
        assert_eq!(v.validate(&sign(&with("nbf", json!(now() + 600)), KEY)).await.unwrap_err(), AuthError::NotYetValid);
        assert_eq!(
            v.validate(&sign(&with("aud", json!("https://other")), KEY)).await.unwrap_err(),
            AuthError::WrongAudience
        );
        assert_eq!(
            v.validate(&sign(&with("iss", json!("https://evil/")), KEY)).await.unwrap_err(),
            AuthError::WrongIssuer
        );
        assert_eq!(
            v.validate(&sign(&claims(), b"another-key-of-at-least-32-bytes!!")).await.unwrap_err(),
            AuthError::BadSignature
        );
        let mut no_exp = claims();
        no_exp.as_object_mut().unwrap().remove("exp");
        assert!(v.validate(&sign(&no_exp, KEY)).await.is_err());
        assert_eq!(v.validate(&sign(&with("sub", json!("a b")), KEY)).await.unwrap_err(), AuthError::BadSubject);
        assert_eq!(v.validate("not.a.jwt").await.unwrap_err(), AuthError::Malformed);
        assert_eq!(v.validate("").await.unwrap_err(), AuthError::Malformed);
    }

    #[tokio::test]
    async fn alg_none_is_refused() {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = b64.encode(claims().to_string());
        for token in [format!("{header}.{payload}."), format!("{header}.{payload}")] {
            assert!(validator().validate(&token).await.is_err(), "{token}");
        }
    }

    #[tokio::test]
    async fn other_algorithms_are_refused_even_with_the_right_secret() {
        let token = encode(&Header::new(Algorithm::HS512), &claims(), &EncodingKey::from_secret(KEY)).unwrap();
        assert_eq!(validator().validate(&token).await.unwrap_err(), AuthError::BadSignature);
    }

    #[tokio::test]
    async fn an_rs256_token_is_refused_where_hs256_is_expected() {
        let pem = include_bytes!("../../tests/fixtures/test-rsa-private.pem");
        let token =
            encode(&Header::new(Algorithm::RS256), &claims(), &EncodingKey::from_rsa_pem(pem).unwrap()).unwrap();
        assert_eq!(validator().validate(&token).await.unwrap_err(), AuthError::BadSignature);
    }

    #[test]
    fn id_tokens_must_carry_the_expected_nonce() {
        let secret = b"client-secret-of-at-least-32-bytes!!";
        let v = IdTokenValidator::hs256(secret, ISS, "client");
        let token =
            sign(&json!({"sub": "auth0|ana", "iss": ISS, "aud": "client", "exp": now() + 60, "nonce": "n1"}), secret);
        assert_eq!(v.validate(&token, Some("n1")).unwrap().as_str(), "auth0|ana");
        assert_eq!(v.validate(&token, None).unwrap().as_str(), "auth0|ana");
        assert_eq!(v.validate(&token, Some("n2")).unwrap_err(), AuthError::Malformed);
        let other_aud = sign(&json!({"sub": "auth0|ana", "iss": ISS, "aud": "api", "exp": now() + 60}), secret);
        assert_eq!(v.validate(&other_aud, None).unwrap_err(), AuthError::WrongAudience);
    }
}
