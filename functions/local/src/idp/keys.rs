//! The tenant's RSA key for RS256 tokens (ID tokens, access tokens), published at
//! `/.well-known/jwks.json` as Auth0 publishes its signing keys. Made once per process (every local tenant in it shares it) and
//! never written anywhere: tokens signed with it die with the process.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub(super) struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public half as a JWK (`kty`, `use`, `alg`, `kid`, `n`, `e`).
    pub jwk: Value,
}

/// The process's RS256 signing key, made on first use.
pub(super) fn rs256() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| generate().expect("an RSA key can be generated"))
}

fn generate() -> Result<SigningKey, String> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| e.to_string())?;
    let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).map_err(|e| e.to_string())?;
    let body = STANDARD.encode(pkcs8.as_ref());
    let lines: Vec<&str> =
        body.as_bytes().chunks(64).map(|line| std::str::from_utf8(line).unwrap_or_default()).collect();
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"));
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
    let public = pair.public_key();
    let n = public.modulus().big_endian_without_leading_zero().to_vec();
    let e = public.exponent().big_endian_without_leading_zero().to_vec();
    // The kid names the key by its modulus, so a new key (a restart) has a new kid.
    let kid = super::secrets::hex(&Sha256::digest(&n)[..8]);
    let jwk = json!({
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(&n),
        "e": URL_SAFE_NO_PAD.encode(&e),
    });
    let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
    Ok(SigningKey { kid, encoding, decoding, jwk })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation, decode, encode};

    #[test]
    fn a_token_signed_with_the_key_verifies_with_its_published_jwk() {
        let key = rs256();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        let claims = json!({"sub": "auth0|ana", "exp": crate::idp::jwt::unix_now() + 60});
        let token = encode(&header, &claims, &key.encoding).unwrap();
        let jwk: Jwk = serde_json::from_value(key.jwk.clone()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims(&["exp"]);
        let decoded = decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation).unwrap();
        assert_eq!(decoded.claims["sub"], "auth0|ana");
        assert_eq!(key.jwk["kid"], key.kid.as_str());
        assert!(std::ptr::eq(key, rs256()), "one key per process");
    }
}
