//! OpenID Connect discovery, the key set (the RSA key, when tokens are RS256), and `/userinfo`.

use super::errors::AuthApiError;
use super::token::GRANT_TYPES;
use super::{LocalIdp, jwt};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

pub(super) async fn openid_configuration(State(idp): State<LocalIdp>) -> Json<Value> {
    let tenant = idp.tenant();
    Json(json!({
        "issuer": tenant.issuer,
        "authorization_endpoint": tenant.url("authorize"),
        "token_endpoint": tenant.url("oauth/token"),
        "userinfo_endpoint": tenant.url("userinfo"),
        "jwks_uri": tenant.url(".well-known/jwks.json"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [tenant.id_token_algorithm()],
        "code_challenge_methods_supported": ["S256", "plain"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": GRANT_TYPES,
        "scopes_supported": ["openid", "profile", "email", "phone", "offline_access"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "name", "email", "email_verified", "phone_number"],
    }))
}

/// The public key of RS256 tokens, if the tenant signs any so; HS256 secrets are never published.
pub(super) async fn jwks(State(idp): State<LocalIdp>) -> Json<Value> {
    let keys: Vec<&Value> = idp.tenant().published_keys().into_iter().map(|key| &key.jwk).collect();
    Json(json!({"keys": keys}))
}

pub(super) async fn userinfo(State(idp): State<LocalIdp>, headers: HeaderMap) -> Result<Json<Value>, AuthApiError> {
    let tenant = idp.tenant();
    let token = bearer_token(&headers).ok_or_else(|| AuthApiError::invalid_token("A Bearer token is required."))?;
    let claims = match tenant.access_token_key {
        Some(key) => {
            jwt::verify_with(token, Algorithm::RS256, &key.decoding, &tenant.issuer, &tenant.userinfo_audience())
        }
        None => jwt::verify(token, &tenant.api_signing_key, &tenant.issuer, &tenant.userinfo_audience()),
    }
    .map_err(|_| AuthApiError::invalid_token("The access token is not valid."))?;
    let state = idp.lock();
    let user = state
        .directory
        .get(&claims.sub)
        .ok_or_else(|| AuthApiError::invalid_token("The access token's user no longer exists."))?;
    let mut info = user.claims();
    info.insert("sub".into(), json!(claims.sub));
    Ok(Json(Value::Object(info)))
}

/// The token of an `Authorization: Bearer …` header.
pub(super) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let (scheme, token) = headers.get(AUTHORIZATION)?.to_str().ok()?.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
