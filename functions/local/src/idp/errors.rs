//! Error answers in Auth0's two shapes: the Authentication API's
//! `{error, error_description}` and the Management API's `{statusCode, error, message}`.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error of the Authentication API (`/oauth/token`, `/passwordless/start`, `/userinfo`).
#[derive(Debug)]
pub(super) struct AuthApiError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl AuthApiError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self { status, error, description: description.into() }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub fn missing(parameter: &str) -> Self {
        Self::invalid_request(format!("Missing required parameter: {parameter}"))
    }

    pub fn invalid_client() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed.")
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "invalid_grant", description)
    }

    pub fn access_denied(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "access_denied", description)
    }

    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
    }

    pub fn server_error(description: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", description)
    }

    /// A body that could not be read, typically one over the size limit.
    pub fn unreadable_body(rejection: &BytesRejection) -> Self {
        Self::new(rejection.status(), "invalid_request", rejection.body_text())
    }
}

impl IntoResponse for AuthApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "error_description": self.description});
        (self.status, [(CACHE_CONTROL, "no-store")], Json(body)).into_response()
    }
}

/// An error of the Management API (`/api/v2/...`).
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    message: String,
    error_code: Option<&'static str>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), error_code: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// A token without the scope the endpoint needs (Auth0: "Insufficient scope, expected any of: …").
    pub fn insufficient_scope(needed: &str) -> Self {
        Self {
            error_code: Some("insufficient_scope"),
            ..Self::new(StatusCode::FORBIDDEN, format!("Insufficient scope, expected any of: {needed}"))
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub fn unknown_user() -> Self {
        Self { error_code: Some("inexistent_user"), ..Self::new(StatusCode::NOT_FOUND, "The user does not exist.") }
    }

    /// A body that could not be read, typically one over the size limit.
    pub fn unreadable_body(rejection: &BytesRejection) -> Self {
        Self::new(rejection.status(), rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
        });
        if let Some(code) = self.error_code {
            body["errorCode"] = json!(code);
        }
        (self.status, Json(body)).into_response()
    }
}
