//! `POST /oauth/token`: every grant Pod and its tools use.

use super::errors::AuthApiError;
use super::params::Params;
use super::tenant::Application;
use super::users::{normalize_address, passwordless_connection};
use super::{IdpState, LocalIdp, jwt, secrets};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use pod_shared::domain::Channel;
use serde_json::{Value, json};
use std::time::Instant;

/// Auth0's grant type for passwordless one-time codes.
pub(super) const OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";
/// The grant types `/oauth/token` knows, for the discovery document.
pub(super) const GRANT_TYPES: [&str; 5] =
    ["authorization_code", "refresh_token", "client_credentials", "password", OTP_GRANT];
const ACCESS_TOKEN_SECONDS: i64 = 86_400;
const ID_TOKEN_SECONDS: i64 = 36_000;
const MANAGEMENT_TOKEN_SECONDS: i64 = 86_400;
const MANAGEMENT_SCOPE: &str = "read:users create:users update:users";

/// What a user's tokens say: whose they are, for which API, with which scope.
#[derive(Clone)]
pub(super) struct UserGrant {
    pub user_id: String,
    pub scope: String,
    pub audience: String,
    pub nonce: Option<String>,
}

impl UserGrant {
    fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split_whitespace().any(|scope| scope == wanted)
    }
}

/// What a refresh token renews.
pub(super) struct RefreshGrant {
    client_id: String,
    grant: UserGrant,
}

pub(super) async fn token(
    State(idp): State<LocalIdp>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match exchange(&idp, &headers, body) {
        Ok(tokens) => {
            (StatusCode::OK, [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")], Json(tokens)).into_response()
        }
        Err(error) => error.into_response(),
    }
}

fn exchange(idp: &LocalIdp, headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Value, AuthApiError> {
    let body = body.map_err(|rejection| AuthApiError::unreadable_body(&rejection))?;
    let params = Params::from_body(headers, &body)?;
    let grant_type = params.require("grant_type")?;
    let application = idp.tenant().authenticate_client(headers, &params)?;
    // As Auth0 does: only an application with a client grant for the Management API gets its
    // tokens, and the machine-to-machine application has no user grants.
    match (application, grant_type) {
        (Application::Management, "client_credentials") | (Application::Login, _) => {}
        (Application::Management, other) => {
            return Err(AuthApiError::new(
                StatusCode::FORBIDDEN,
                "unauthorized_client",
                format!("Grant type '{other}' not allowed for the client."),
            ));
        }
    }
    let tokens = match grant_type {
        "authorization_code" => authorization_code(idp, &params),
        "refresh_token" => refresh_token(idp, &params),
        "client_credentials" => client_credentials(idp, application, &params),
        "password" => password(idp, &params),
        OTP_GRANT => passwordless_otp(idp, &params),
        _ => Err(AuthApiError::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type.")),
    }?;
    tracing::info!(grant_type, "tokens issued");
    Ok(tokens)
}

fn authorization_code(idp: &LocalIdp, params: &Params) -> Result<Value, AuthApiError> {
    let code = params.require("code")?;
    let redirect_uri = params.require("redirect_uri")?;
    let mut state = idp.lock();
    // A code is used up by any attempt, right or wrong.
    let authorization = state
        .authorization_codes
        .remove(code)
        .ok_or_else(|| AuthApiError::invalid_grant("Invalid authorization code"))?;
    let grant =
        authorization.redeem(&idp.tenant().client_id, redirect_uri, params.get("code_verifier"), Instant::now())?;
    user_tokens_with_refresh(idp, &mut state, grant)
}

fn refresh_token(idp: &LocalIdp, params: &Params) -> Result<Value, AuthApiError> {
    let refresh_token = params.require("refresh_token")?;
    let state = idp.lock();
    let grant = state
        .refresh_tokens
        .get(refresh_token)
        .filter(|refresh| refresh.client_id == idp.tenant().client_id)
        .map(|refresh| refresh.grant.clone())
        .ok_or_else(|| AuthApiError::invalid_grant("Unknown or invalid refresh token."))?;
    user_tokens(idp, &state, &grant)
}

fn client_credentials(idp: &LocalIdp, application: Application, params: &Params) -> Result<Value, AuthApiError> {
    let tenant = idp.tenant();
    let audience = params.require("audience")?;
    if audience != tenant.management_audience() || application != Application::Management {
        return Err(AuthApiError::access_denied(format!(
            "Client is not authorized to access \"{audience}\". You need to create a \"client-grant\" associated to this API."
        )));
    }
    let now = jwt::unix_now();
    let claims = json!({
        "iss": tenant.issuer,
        "sub": format!("{}@clients", tenant.management_client.id),
        "aud": audience,
        "iat": now,
        "exp": now + MANAGEMENT_TOKEN_SECONDS,
        "scope": MANAGEMENT_SCOPE,
        "gty": "client-credentials",
        "azp": tenant.management_client.id,
    });
    Ok(json!({
        "access_token": sign(&claims, &tenant.management_key)?,
        "token_type": "Bearer",
        "expires_in": MANAGEMENT_TOKEN_SECONDS,
        "scope": MANAGEMENT_SCOPE,
    }))
}

fn password(idp: &LocalIdp, params: &Params) -> Result<Value, AuthApiError> {
    let username = params.require("username")?;
    let password = params.require("password")?;
    let audience = idp.tenant().audience_for(params.get("audience")).map_err(AuthApiError::access_denied)?;
    let mut state = idp.lock();
    let user_id = state
        .directory
        .check_password(username, password)
        .ok_or_else(|| AuthApiError::invalid_grant("Wrong email or password."))?;
    let grant = UserGrant { user_id, scope: scope_of(params), audience, nonce: None };
    user_tokens_with_refresh(idp, &mut state, grant)
}

/// Checks a passwordless code; the tokens are for the primary user the
/// passwordless identity is linked to (or the passwordless user itself).
use super::otp::Redeemed;

fn passwordless_otp(idp: &LocalIdp, params: &Params) -> Result<Value, AuthApiError> {
    let realm = params.require("realm")?;
    let channel = passwordless_connection(realm)
        .ok_or_else(|| AuthApiError::invalid_request(format!("Unknown realm: {realm}")))?;
    let username = params.require("username")?;
    let otp = params.require("otp")?;
    let audience = idp.tenant().audience_for(params.get("audience")).map_err(AuthApiError::access_denied)?;
    let wrong = || {
        AuthApiError::invalid_grant(match channel {
            Channel::Sms => "Wrong phone number or verification code.",
            Channel::Email => "Wrong email or verification code.",
        })
    };
    let address = normalize_address(channel, username).map_err(|_| wrong())?;
    let mut state = idp.lock();
    match state.otps.redeem(channel, &address, otp, Instant::now()) {
        Redeemed::Right => {}
        Redeemed::Wrong => {
            tracing::info!(connection = channel.connection(), "passwordless code refused");
            return Err(wrong());
        }
        Redeemed::Expired => {
            tracing::info!(connection = channel.connection(), "passwordless code expired");
            return Err(AuthApiError::invalid_grant("The verification code has expired."));
        }
    }
    let user_id = state.directory.passwordless_owner(channel, &address).ok_or_else(wrong)?;
    let grant = UserGrant { user_id, scope: scope_of(params), audience, nonce: None };
    user_tokens_with_refresh(idp, &mut state, grant)
}

fn scope_of(params: &Params) -> String {
    params.get("scope").unwrap_or_default().to_string()
}

/// [`user_tokens`], plus a refresh token when the scope asks for `offline_access`.
fn user_tokens_with_refresh(idp: &LocalIdp, state: &mut IdpState, grant: UserGrant) -> Result<Value, AuthApiError> {
    let mut tokens = user_tokens(idp, state, &grant)?;
    if grant.has_scope("offline_access") {
        let refresh_token = secrets::random_token();
        tokens["refresh_token"] = json!(refresh_token);
        let refresh =
            RefreshGrant { client_id: idp.tenant().client_id.clone(), grant: UserGrant { nonce: None, ..grant } };
        state.refresh_tokens.insert(refresh_token, refresh);
    }
    Ok(tokens)
}

/// An access token for the grant's audience and, with the `openid` scope, an ID token.
pub(super) fn user_tokens(idp: &LocalIdp, state: &IdpState, grant: &UserGrant) -> Result<Value, AuthApiError> {
    let tenant = idp.tenant();
    let user = state
        .directory
        .get(&grant.user_id)
        .ok_or_else(|| AuthApiError::invalid_grant("The user no longer exists on its own."))?;
    let now = jwt::unix_now();
    let access_claims = json!({
        "iss": tenant.issuer,
        "sub": grant.user_id,
        "aud": [grant.audience, tenant.userinfo_audience()],
        "iat": now,
        "exp": now + ACCESS_TOKEN_SECONDS,
        "scope": grant.scope,
        "azp": tenant.client_id,
    });
    let access_token = match tenant.access_token_key {
        Some(key) => jwt::sign_rs256(&access_claims, &key.encoding, &key.kid)
            .map_err(|_| AuthApiError::server_error("The token could not be signed."))?,
        None => sign(&access_claims, &tenant.api_signing_key)?,
    };
    let mut tokens = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
        "scope": grant.scope,
    });
    if grant.has_scope("openid") {
        let mut id_claims = user.claims();
        id_claims.insert("iss".into(), json!(tenant.issuer));
        id_claims.insert("sub".into(), json!(grant.user_id));
        id_claims.insert("aud".into(), json!(tenant.client_id));
        id_claims.insert("iat".into(), json!(now));
        id_claims.insert("exp".into(), json!(now + ID_TOKEN_SECONDS));
        if let Some(nonce) = &grant.nonce {
            id_claims.insert("nonce".into(), json!(nonce));
        }
        let id_token = match tenant.id_token_key {
            Some(key) => jwt::sign_rs256(&id_claims, &key.encoding, &key.kid),
            None => jwt::sign(&id_claims, tenant.client_secret.as_bytes()),
        };
        tokens["id_token"] = json!(id_token.map_err(|_| AuthApiError::server_error("The token could not be signed."))?);
    }
    Ok(tokens)
}

fn sign(claims: &impl serde::Serialize, key: &[u8]) -> Result<String, AuthApiError> {
    jwt::sign(claims, key).map_err(|_| AuthApiError::server_error("The token could not be signed."))
}
