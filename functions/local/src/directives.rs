//! A double of Alexa's Directive API (`POST /alexa-api/v1/directives`): the skill's
//! progressive responses land here under pod-local, each recorded with its request id and
//! the time it arrived, so that `make chat` can print them and tests can see that one came
//! before the answer. Only the token the recorded events carry is accepted.
//!
//! `LOCAL_DIRECTIVE_API` makes it misbehave, to show that nothing depends on it: `ok`
//! (the default), `fail` (HTTP 500), `slow` (answers after 5 seconds, far past the skill's
//! timeout), `down` (the skill is pointed at a port nobody listens on).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use pod_shared::domain::Timestamp;
use serde::Serialize;
use serde_json::Value;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The `context.System.apiAccessToken` of the recorded events and of `make chat`.
pub const LOCAL_API_ACCESS_TOKEN: &str = "EXAMPLE-API-ACCESS-TOKEN";

/// Where the double is served, under the stack's origin.
pub const DIRECTIVE_API_PATH: &str = "/alexa-api";

/// How the double behaves (`LOCAL_DIRECTIVE_API`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveFault {
    None,
    Fail,
    Slow,
    Down,
}

impl DirectiveFault {
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw.map(str::trim) {
            None | Some("" | "ok") => Ok(Self::None),
            Some("fail") => Ok(Self::Fail),
            Some("slow") => Ok(Self::Slow),
            Some("down") => Ok(Self::Down),
            Some(other) => Err(format!("expected ok, fail, slow or down, got '{other}'")),
        }
    }
}

/// One directive the double received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedDirective {
    pub request_id: String,
    /// The directive's type, e.g. `VoicePlayer.Speak`.
    pub kind: String,
    pub speech: String,
    /// When it arrived (RFC 3339).
    pub received_at: String,
}

/// The double's state: what it received, and how it behaves.
#[derive(Debug, Clone)]
pub struct DirectiveDouble {
    received: Arc<Mutex<Vec<ReceivedDirective>>>,
    fault: DirectiveFault,
}

impl DirectiveDouble {
    pub fn new(fault: DirectiveFault) -> Self {
        Self { received: Arc::default(), fault }
    }

    pub fn fault(&self) -> DirectiveFault {
        self.fault
    }

    /// Every directive received, oldest first.
    pub fn received(&self) -> Vec<ReceivedDirective> {
        self.received.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// `POST /alexa-api/v1/directives` and `GET /alexa-api/directives` (what was received).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/directives", post(receive))
            .route("/directives", get(|State(double): State<DirectiveDouble>| async move { Json(double.received()) }))
            .with_state(self.clone())
    }
}

async fn receive(State(double): State<DirectiveDouble>, headers: HeaderMap, Json(body): Json<Value>) -> StatusCode {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(LOCAL_API_ACCESS_TOKEN) {
        return StatusCode::UNAUTHORIZED;
    }
    let text = |pointer: &str| body.pointer(pointer).and_then(Value::as_str).map(str::to_string);
    let (Some(request_id), Some(kind), Some(speech)) =
        (text("/header/requestId"), text("/directive/type"), text("/directive/speech"))
    else {
        return StatusCode::BAD_REQUEST;
    };
    let received_at = Timestamp::now().to_rfc3339();
    double.received.lock().unwrap_or_else(PoisonError::into_inner).push(ReceivedDirective {
        request_id,
        kind,
        speech,
        received_at,
    });
    match double.fault {
        DirectiveFault::Fail => StatusCode::INTERNAL_SERVER_ERROR,
        DirectiveFault::Slow => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::NO_CONTENT
        }
        DirectiveFault::None | DirectiveFault::Down => StatusCode::NO_CONTENT,
    }
}
