//! Token validation with `jsonwebtoken`: the algorithm is pinned by
//! configuration, never read from the token.

use crate::config::{Auth0Settings, TokenAlgorithm};
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

#[derive(Clone)]
enum Verification {
    /// HS256 with a shared secret (the API signing key, or the client secret for ID tokens).
    Hs256(DecodingKey),
    /// RS256 with the tenant's published keys.
    Rs256(Arc<JwksKeys>),
}

impl Verification {
    /// The key to check `token` with, once its header names the pinned algorithm (and, for
    /// RS256, a `kid`).
    async fn key_for(&self, token: &str, validation: &Validation) -> Result<DecodingKey, AuthError> {
        let header = decode_header(token).map_err(|e| map_error(e.kind()))?;
        if !validation.algorithms.contains(&header.alg) {
            return Err(AuthError::BadSignature);
        }
        match self {
            Verification::Hs256(key) => Ok(key.clone()),
            Verification::Rs256(keys) => keys.key(header.kid.as_deref().ok_or(AuthError::BadSignature)?).await,
        }
    }
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
        let key = self.verification.key_for(token, &self.validation).await?;
        let data = decode::<AccessTokenClaims>(token, &key, &self.validation).map_err(|e| map_error(e.kind()))?;
        let user = UserId::parse(data.claims.sub.clone()).map_err(|_| AuthError::BadSubject)?;
        Ok((user, data.claims))
    }
}

/// What a verified ID token says about its user: for the web login (`subject`) and for the
/// passwordless code check, whose token names the phone or email the code went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenClaims {
    pub subject: UserId,
    pub email: Option<String>,
    /// `email_verified` is JSON `true` (anything else, or its absence, is not verified).
    pub email_verified: bool,
    pub phone_number: Option<String>,
    /// `phone_number_verified` (OpenID Connect's name) or `phone_verified` (Auth0's) is JSON `true`.
    pub phone_verified: bool,
}

/// An ID token's claims as they come; `aud` is checked by `jsonwebtoken`, read here for `azp`.
#[derive(Deserialize)]
struct RawIdTokenClaims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    aud: Option<serde_json::Value>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    phone_number_verified: Option<serde_json::Value>,
    #[serde(default)]
    phone_verified: Option<serde_json::Value>,
}

fn is_true(value: Option<&serde_json::Value>) -> bool {
    value == Some(&serde_json::Value::Bool(true))
}

/// Validates ID tokens issued to Pod's application (OpenID Connect Core 1.0 §3.1.3.7) with the
/// one algorithm configured (`ID_TOKEN_ALGORITHM`): HS256 with the client secret, or RS256 with
/// the tenant's keys from its JWKS (by `kid`, as for access tokens). `iss` must be the tenant,
/// `aud` must name the client, `azp`, when present (and it must be with several audiences), must
/// be the client, and `exp`/`nbf` hold; the token's own `alg` header never chooses.
#[derive(Clone)]
pub struct IdTokenValidator {
    verification: Verification,
    validation: Validation,
    client_id: String,
}

impl IdTokenValidator {
    pub fn hs256(client_secret: &[u8], issuer: &str, client_id: &str) -> Self {
        Self {
            verification: Verification::Hs256(DecodingKey::from_secret(client_secret)),
            validation: pinned(Algorithm::HS256, issuer, client_id),
            client_id: client_id.to_string(),
        }
    }

    pub fn rs256(keys: Arc<JwksKeys>, issuer: &str, client_id: &str) -> Self {
        Self {
            verification: Verification::Rs256(keys),
            validation: pinned(Algorithm::RS256, issuer, client_id),
            client_id: client_id.to_string(),
        }
    }

    /// The validator `settings.id_token_algorithm` asks for: RS256 with `keys` (the tenant's
    /// JWKS), or HS256 with the client secret.
    pub fn for_settings(settings: &Auth0Settings, keys: Arc<JwksKeys>) -> Self {
        let issuer = settings.endpoint.issuer();
        match settings.id_token_algorithm {
            TokenAlgorithm::Rs256 => Self::rs256(keys, &issuer, &settings.client_id),
            TokenAlgorithm::Hs256 => Self::hs256(settings.client_secret.as_bytes(), &issuer, &settings.client_id),
        }
    }

    /// The verified claims; if `expected_nonce` is given (the sign-in sent one), the token must carry it.
    pub async fn validate(&self, token: &str, expected_nonce: Option<&str>) -> Result<IdTokenClaims, AuthError> {
        let key = self.verification.key_for(token, &self.validation).await?;
        let data = decode::<RawIdTokenClaims>(token, &key, &self.validation).map_err(|e| map_error(e.kind()))?;
        let claims = data.claims;
        if let Some(expected) = expected_nonce
            && claims.nonce.as_deref() != Some(expected)
        {
            return Err(AuthError::Malformed);
        }
        // §3.1.3.7 (4, 5): several audiences need an `azp`, and an `azp` must be this client.
        let audiences = claims.aud.as_ref().and_then(serde_json::Value::as_array).map_or(1, Vec::len);
        if (audiences > 1 && claims.azp.is_none()) || claims.azp.as_deref().is_some_and(|a| a != self.client_id) {
            return Err(AuthError::WrongAudience);
        }
        Ok(IdTokenClaims {
            subject: UserId::parse(claims.sub).map_err(|_| AuthError::BadSubject)?,
            email_verified: claims.email.is_some() && is_true(claims.email_verified.as_ref()),
            email: claims.email,
            phone_verified: claims.phone_number.is_some()
                && (is_true(claims.phone_number_verified.as_ref()) || is_true(claims.phone_verified.as_ref())),
            phone_number: claims.phone_number,
        })
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

    const SECRET: &[u8] = b"client-secret-of-at-least-32-bytes!!";

    fn id_token(claims: serde_json::Value) -> String {
        sign(&claims, SECRET)
    }

    fn id_claims() -> serde_json::Value {
        json!({"sub": "auth0|ana", "iss": ISS, "aud": "client", "iat": now(), "exp": now() + 60, "nonce": "n1"})
    }

    #[tokio::test]
    async fn id_tokens_must_carry_the_expected_nonce() {
        let v = IdTokenValidator::hs256(SECRET, ISS, "client");
        let token = id_token(id_claims());
        assert_eq!(v.validate(&token, Some("n1")).await.unwrap().subject.as_str(), "auth0|ana");
        assert_eq!(v.validate(&token, None).await.unwrap().subject.as_str(), "auth0|ana");
        assert_eq!(v.validate(&token, Some("n2")).await.unwrap_err(), AuthError::Malformed);
        let other_aud = id_token(json!({"sub": "auth0|ana", "iss": ISS, "aud": "api", "exp": now() + 60}));
        assert_eq!(v.validate(&other_aud, None).await.unwrap_err(), AuthError::WrongAudience);
    }

    #[tokio::test]
    async fn id_tokens_give_their_contact_claims_verified_only_when_true() {
        let v = IdTokenValidator::hs256(SECRET, ISS, "client");
        let mut claims = id_claims();
        claims["email"] = json!("ana@example.com");
        claims["email_verified"] = json!(true);
        claims["phone_number"] = json!("+14155550121");
        claims["phone_number_verified"] = json!(true);
        let got = v.validate(&id_token(claims.clone()), Some("n1")).await.unwrap();
        assert_eq!(
            got,
            IdTokenClaims {
                subject: UserId::parse("auth0|ana").unwrap(),
                email: Some("ana@example.com".into()),
                email_verified: true,
                phone_number: Some("+14155550121".into()),
                phone_verified: true,
            }
        );
        // Auth0's profile name for the phone's flag counts too; a string "true" does not.
        claims.as_object_mut().unwrap().remove("phone_number_verified");
        claims["phone_verified"] = json!(true);
        claims["email_verified"] = json!("true");
        let got = v.validate(&id_token(claims.clone()), None).await.unwrap();
        assert!(got.phone_verified && !got.email_verified, "{got:?}");
        // A flag without the contact it is about verifies nothing.
        let bare = id_token(json!({"sub": "auth0|ana", "iss": ISS, "aud": "client", "exp": now() + 60,
            "email_verified": true, "phone_number_verified": true}));
        let got = v.validate(&bare, None).await.unwrap();
        assert_eq!((got.email, got.email_verified, got.phone_number, got.phone_verified), (None, false, None, false));
    }

    #[tokio::test]
    async fn an_id_tokens_authorized_party_must_be_the_client() {
        let v = IdTokenValidator::hs256(SECRET, ISS, "client");
        let with_azp = |aud: serde_json::Value, azp: Option<&str>| {
            let mut claims = id_claims();
            claims["aud"] = aud;
            if let Some(azp) = azp {
                claims["azp"] = json!(azp);
            }
            id_token(claims)
        };
        assert!(v.validate(&with_azp(json!("client"), Some("client")), None).await.is_ok());
        assert!(v.validate(&with_azp(json!(["client", "other"]), Some("client")), None).await.is_ok());
        let refused = [
            with_azp(json!("client"), Some("other")),
            with_azp(json!(["client", "other"]), None),
            with_azp(json!(["client", "other"]), Some("other")),
        ];
        for token in refused {
            assert_eq!(v.validate(&token, None).await.unwrap_err(), AuthError::WrongAudience);
        }
    }

    #[tokio::test]
    async fn id_tokens_pin_their_algorithm() {
        let hs = IdTokenValidator::hs256(SECRET, ISS, "client");
        let pem = include_bytes!("../../tests/fixtures/test-rsa-private.pem");
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("pod-test-key".into());
        let rs = encode(&header, &id_claims(), &EncodingKey::from_rsa_pem(pem).unwrap()).unwrap();
        assert_eq!(hs.validate(&rs, None).await.unwrap_err(), AuthError::BadSignature);
        let hs512 = encode(&Header::new(Algorithm::HS512), &id_claims(), &EncodingKey::from_secret(SECRET)).unwrap();
        assert_eq!(hs.validate(&hs512, None).await.unwrap_err(), AuthError::BadSignature);
        // An RS256 validator never takes an HS256 token, whatever it is keyed with (no JWKS is asked).
        let keys = Arc::new(JwksKeys::new("http://127.0.0.1:9/.well-known/jwks.json", reqwest::Client::new()));
        let rs_validator = IdTokenValidator::rs256(keys, ISS, "client");
        let token = id_token(id_claims());
        assert_eq!(rs_validator.validate(&token, None).await.unwrap_err(), AuthError::BadSignature);
    }
}
