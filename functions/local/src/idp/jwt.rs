//! Signing and checking the tenant's JWTs: HS256 with a shared secret, RS256 (ID tokens) with its RSA key.

use jsonwebtoken::errors::Error as JwtError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use pod_shared::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// Seconds of clock skew tolerated when checking `exp`.
const LEEWAY_SECONDS: u64 = 5;

/// Signs `claims` with HS256.
pub(super) fn sign(claims: &impl Serialize, key: &[u8]) -> Result<String, JwtError> {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(key))
}

/// Signs `claims` with RS256 and names the key in the header's `kid`.
pub(super) fn sign_rs256(claims: &impl Serialize, key: &EncodingKey, kid: &str) -> Result<String, JwtError> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    encode(&header, claims, key)
}

#[derive(Deserialize)]
pub(super) struct VerifiedClaims {
    pub sub: String,
    /// Space-separated scopes, if the token carries any.
    #[serde(default)]
    pub scope: String,
}

/// Checks an HS256 token's signature, `exp`, `iss` and that `aud` includes `audience`.
pub(super) fn verify(token: &str, key: &[u8], issuer: &str, audience: &str) -> Result<VerifiedClaims, JwtError> {
    verify_with(token, Algorithm::HS256, &DecodingKey::from_secret(key), issuer, audience)
}

/// [`verify`] for a token signed with `algorithm` and `key`.
pub(super) fn verify_with(
    token: &str,
    algorithm: Algorithm,
    key: &DecodingKey,
    issuer: &str,
    audience: &str,
) -> Result<VerifiedClaims, JwtError> {
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECONDS;
    decode::<VerifiedClaims>(token, key, &validation).map(|data| data.claims)
}

/// The current time in whole seconds since the epoch, for `iat` and `exp`.
pub(super) fn unix_now() -> i64 {
    Timestamp::now().unix_seconds()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &[u8] = b"a-signing-key-of-at-least-32-bytes!!";
    const ISS: &str = "http://127.0.0.1:3000/auth0/";

    fn token(aud: &str, exp_offset: i64) -> String {
        let claims = json!({"iss": ISS, "sub": "auth0|ana", "aud": [aud, "other"], "exp": unix_now() + exp_offset});
        sign(&claims, KEY).unwrap()
    }

    #[test]
    fn a_signed_token_verifies_for_any_of_its_audiences() {
        assert_eq!(verify(&token("api", 60), KEY, ISS, "api").unwrap().sub, "auth0|ana");
        assert_eq!(verify(&token("api", 60), KEY, ISS, "other").unwrap().sub, "auth0|ana");
    }

    #[test]
    fn wrong_key_audience_issuer_or_an_expired_token_fail() {
        assert!(verify(&token("api", 60), b"another-key-of-at-least-32-bytes!!!", ISS, "api").is_err());
        assert!(verify(&token("api", 60), KEY, ISS, "elsewhere").is_err());
        assert!(verify(&token("api", 60), KEY, "http://evil/", "api").is_err());
        assert!(verify(&token("api", -60), KEY, ISS, "api").is_err());
        assert!(verify("not-a-token", KEY, ISS, "api").is_err());
    }
}
