//! The few Management API v2 calls Pod makes: read a user, create a
//! passwordless user, link it to its primary user.

use super::errors::ApiError;
use super::oidc::bearer_token;
use super::users::{LinkError, normalize_address, passwordless_connection};
use super::{LocalIdp, jwt};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use pod_shared::domain::Channel;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `POST /api/v2/users`: only the fields Pod sends are read.
#[derive(Deserialize)]
struct NewUser {
    connection: String,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    phone_verified: bool,
}

/// `POST /api/v2/users/{id}/identities`: the secondary account to link.
#[derive(Deserialize)]
struct LinkRequest {
    provider: String,
    /// With or without the `provider|` prefix.
    user_id: String,
}

pub(super) async fn get_user(
    State(idp): State<LocalIdp>,
    headers: HeaderMap,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    require_management_token(&idp, &headers, "read:users")?;
    let user_id = user_id_in(user_id)?;
    let state = idp.lock();
    state.directory.get(&user_id).map(|user| Json(user.to_json())).ok_or_else(ApiError::unknown_user)
}

pub(super) async fn create_user(
    State(idp): State<LocalIdp>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require_management_token(&idp, &headers, "create:users")?;
    let new_user: NewUser = json_body(body)?;
    let channel = passwordless_connection(&new_user.connection)
        .ok_or_else(|| ApiError::bad_request("Only passwordless users (connection sms or email) can be created."))?;
    let (field, raw_address, verified) = match channel {
        Channel::Sms => ("phone_number", new_user.phone_number, new_user.phone_verified),
        Channel::Email => ("email", new_user.email, new_user.email_verified),
    };
    let raw_address = raw_address.ok_or_else(|| {
        ApiError::bad_request(format!("Payload validation error: Missing required property: {field}"))
    })?;
    let address = normalize_address(channel, &raw_address).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut state = idp.lock();
    let user = state
        .directory
        .create_passwordless(channel, address, verified)
        .map_err(|_| ApiError::conflict("The user already exists."))?;
    tracing::info!(connection = channel.connection(), "passwordless user created");
    Ok((StatusCode::CREATED, Json(user.to_json())))
}

pub(super) async fn link_identity(
    State(idp): State<LocalIdp>,
    headers: HeaderMap,
    primary_id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require_management_token(&idp, &headers, "update:users")?;
    let primary_id = user_id_in(primary_id)?;
    let link: LinkRequest = json_body(body)?;
    let prefix = format!("{}|", link.provider);
    let secondary_id = format!("{prefix}{}", link.user_id.strip_prefix(&prefix).unwrap_or(&link.user_id));
    let mut state = idp.lock();
    let primary = state.directory.link(&primary_id, &secondary_id).map_err(|error| match error {
        LinkError::UnknownUser => ApiError::unknown_user(),
        LinkError::AlreadyLinked => ApiError::conflict("The identity is already linked to a user."),
        LinkError::SameUser => ApiError::bad_request("A user cannot be linked to itself."),
    })?;
    tracing::info!("identity linked");
    Ok((StatusCode::CREATED, Json(primary.identities_json())))
}

/// `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}`: unlinks a secondary identity.
pub(super) async fn unlink_identity(
    State(idp): State<LocalIdp>,
    headers: HeaderMap,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    require_management_token(&idp, &headers, "update:users")?;
    let Path((primary_id, provider, secondary)) =
        path.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let mut state = idp.lock();
    let identities =
        state.directory.unlink(&primary_id, &provider, &secondary).map_err(|_| ApiError::unknown_user())?;
    tracing::info!(provider, "identity unlinked");
    Ok(Json(identities))
}

/// The `{id}` of the path, percent-decoded.
fn user_id_in(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(user_id)| user_id).map_err(|rejection| ApiError::bad_request(rejection.body_text()))
}

fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| ApiError::unreadable_body(&rejection))?;
    serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("Payload validation error: {e}")))
}

/// Every Management API call needs a live Management API token of this tenant (which only the
/// machine-to-machine application gets) carrying the endpoint's scope.
fn require_management_token(idp: &LocalIdp, headers: &HeaderMap, scope: &str) -> Result<(), ApiError> {
    idp.count_management_call();
    let tenant = idp.tenant();
    let token = bearer_token(headers).ok_or_else(|| ApiError::unauthorized("Missing authentication"))?;
    let claims = jwt::verify(token, &tenant.management_key, &tenant.issuer, &tenant.management_audience())
        .map_err(|_| ApiError::unauthorized("Invalid token"))?;
    if !claims.scope.split_whitespace().any(|granted| granted == scope) {
        return Err(ApiError::insufficient_scope(scope));
    }
    Ok(())
}
