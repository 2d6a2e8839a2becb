//! Errors as RFC 9457 problem documents (`application/problem+json`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pod_shared::domain::{Blocked, OrderStatus, TransitionError};
use pod_shared::ports::{AuthError, StoreError};
use pod_shared::service::ServiceError;
use serde::Serialize;

/// Seconds a client should wait before retrying a 503.
const RETRY_AFTER_SECONDS: &str = "5";

/// The 401's detail, whatever was wrong with the token (missing, forged, expired, another
/// audience…): why it was refused goes only to the log.
pub const UNAUTHORIZED_DETAIL: &str = "a valid bearer access token is required";

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    /// The request field at fault, for 400s about the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// Attempts left on the order's code, for a wrong code.
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts_left: Option<u32>,
    /// Seconds until a retry can succeed (the `Retry-After` header), for 429 and 503.
    #[serde(skip)]
    retry_after: Option<u64>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            attempts_left: None,
            retry_after: None,
        }
    }

    /// 400: the body is malformed; `field` names what is wrong (`body` for the whole).
    pub fn invalid_body(field: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut problem = Self::new(StatusCode::BAD_REQUEST, "urn:pod:problem:invalid-body", "Bad Request", detail);
        problem.field = Some(field.into());
        problem
    }

    pub fn invalid_query(field: &str, detail: impl Into<String>) -> Self {
        let mut problem = Self::new(StatusCode::BAD_REQUEST, "urn:pod:problem:invalid-query", "Bad Request", detail);
        problem.field = Some(field.to_string());
        problem
    }

    /// 401 (with `WWW-Authenticate: Bearer`): always the same generic detail.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "about:blank", "Unauthorized", UNAUTHORIZED_DETAIL)
    }

    /// 404 for unknown orders and for other users' orders alike: never reveal that one exists.
    pub fn order_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "about:blank", "Not Found", "no such order")
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "about:blank", "Not Found", "no such resource")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "about:blank",
            "Method Not Allowed",
            "this method is not allowed here",
        )
    }

    pub fn wrong_state(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "urn:pod:problem:wrong-state", "Conflict", detail)
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "about:blank",
            "Content Too Large",
            format!("the body must be at most {limit} bytes"),
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "about:blank",
            "Unsupported Media Type",
            "send the body as application/json",
        )
    }

    pub fn wrong_code(attempts_left: u32) -> Self {
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "urn:pod:problem:wrong-code",
            "Wrong Code",
            format!("the code is not right; {attempts_left} attempt(s) left"),
        );
        problem.attempts_left = Some(attempts_left);
        problem
    }

    pub fn locked() -> Self {
        let mut problem = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "urn:pod:problem:locked",
            "Too Many Attempts",
            "too many wrong codes: the order is locked; place a new order",
        );
        problem.attempts_left = Some(0);
        problem
    }

    pub fn too_many_codes(retry_after_seconds: u64) -> Self {
        let mut problem = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "urn:pod:problem:too-many-codes",
            "Too Many Requests",
            format!("too many codes were sent in the last hour; try again in {retry_after_seconds} seconds"),
        );
        problem.retry_after = Some(retry_after_seconds);
        problem
    }

    /// 429: the account's guess budget paused ordering; `Retry-After` says when it opens again.
    /// `wrong_code`: this very request's code was wrong and brought the pause.
    pub fn paused(retry_after_seconds: u64, wrong_code: bool) -> Self {
        let lead = if wrong_code { "the code is not right, and " } else { "" };
        let mut problem = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "urn:pod:problem:ordering-paused",
            "Ordering Paused",
            format!(
                "{lead}too many wrong codes were given for this account: ordering is paused for \
                 {retry_after_seconds} seconds; no code is sent or checked until then"
            ),
        );
        problem.retry_after = Some(retry_after_seconds);
        problem
    }

    /// 423: the account's guess budget is used up; only the owner, signed in to the web app, can unlock it.
    pub fn account_locked(wrong_code: bool) -> Self {
        let lead = if wrong_code { "the code is not right, and " } else { "" };
        Self::new(
            StatusCode::LOCKED,
            "urn:pod:problem:ordering-locked",
            "Ordering Locked",
            format!(
                "{lead}too many wrong codes were given for this account: ordering is locked until the owner \
                 unlocks it on the web app's security page"
            ),
        )
    }

    /// The problem for a blocked account, with `Retry-After` counted from `now` (the service's clock).
    pub fn blocked(blocked: Blocked, now: pod_shared::domain::Timestamp) -> Self {
        match blocked {
            Blocked::Paused { until } => Problem::paused(now.seconds_until(until).max(1), false),
            Blocked::Locked => Problem::account_locked(false),
        }
    }

    /// As `From<ServiceError>`, but a blocked account's `Retry-After` counts from `now`.
    pub fn of_service_error(error: ServiceError, now: pod_shared::domain::Timestamp) -> Self {
        pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::of_error(&error));
        match error {
            ServiceError::Blocked(blocked) => Problem::blocked(blocked, now),
            other => other.into(),
        }
    }

    pub fn expired() -> Self {
        Self::wrong_state("the confirmation code has expired; place a new order")
    }

    fn no_contact() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "urn:pod:problem:no-contact",
            "Unprocessable Content",
            "your profile has no verified phone number or email address to send a code to; \
             verify one on the web app's security page",
        )
    }

    fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "about:blank", "Service Unavailable", detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        match status {
            StatusCode::UNAUTHORIZED => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
            }
            _ => {}
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::of_error(&error));
        match error {
            ServiceError::Unauthenticated(AuthError::Missing) => {
                tracing::info!(reason = %AuthError::Missing, "api request unauthenticated");
                Problem::unauthorized()
            }
            ServiceError::Unauthenticated(reason) => {
                tracing::warn!(%reason, "api access token refused");
                Problem::unauthorized()
            }
            ServiceError::OrderNotFound => Problem::order_not_found(),
            ServiceError::WrongState(TransitionError::NotPending(OrderStatus::Locked))
            | ServiceError::WrongState(TransitionError::AttemptsExhausted) => Problem::locked(),
            ServiceError::WrongState(TransitionError::ChallengeExpired) => Problem::expired(),
            ServiceError::WrongState(state) => Problem::wrong_state(state.to_string()),
            ServiceError::NoVerifiedContact => Problem::no_contact(),
            ServiceError::TooManyCodes { retry_after_seconds } => Problem::too_many_codes(retry_after_seconds),
            ServiceError::Blocked(blocked) => Problem::blocked(blocked, pod_shared::domain::Timestamp::now()),
            ServiceError::ContactChanged => Problem::wrong_state(ServiceError::ContactChanged.to_string()),
            ServiceError::Store(StoreError::Throttled) => Problem::unavailable("the order store is busy; try again"),
            other => {
                tracing::error!(error = %other, "api request failed");
                Problem::unavailable("a service Pod depends on is unavailable; try again shortly")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refused_token_gets_the_same_generic_401() {
        let reasons = [
            AuthError::Missing,
            AuthError::Malformed,
            AuthError::BadSignature,
            AuthError::Expired,
            AuthError::NotYetValid,
            AuthError::WrongIssuer,
            AuthError::WrongAudience,
            AuthError::BadSubject,
            AuthError::KeysUnavailable,
        ];
        for reason in reasons {
            let problem = Problem::from(ServiceError::Unauthenticated(reason.clone()));
            assert_eq!(problem, Problem::unauthorized(), "{reason:?}");
            assert_eq!(problem.detail, UNAUTHORIZED_DETAIL);
            let response = problem.into_response();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        }
    }
}
