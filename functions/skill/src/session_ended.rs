//! Alexa ended the session: note why; the answer is empty, as Alexa expects.

use pod_shared::alexa::ResponseEnvelope;
use serde_json::Value;

pub(crate) fn answer(reason: Option<String>, error: Option<Value>) -> ResponseEnvelope {
    tracing::info!(reason = reason.as_deref().unwrap_or("unknown"), error = ?error, "session ended");
    ResponseEnvelope::empty()
}
