//! No silence while a code goes out: Alexa's progressive response ("One moment while I send
//! your code"), sent through the Directive API beside the code's send.
//!
//! At most once per request (the [`Progressive`] of a request is consumed by its one use,
//! and a repeat of the request is answered from its claim without running again), only for
//! a launch or an intent (see [`RequestEnvelope::directive_call`]), and never in the way of
//! the answer: it runs concurrently with the send, has a short timeout, and a Directive API
//! that is down, slow or refuses is only logged.

use crate::speech;
use pod_shared::alexa::RequestEnvelope;
use pod_shared::ports::{DirectiveCall, ProgressiveSpeech};
use std::sync::Arc;

/// Where one request's progressive response goes, if anywhere.
pub(crate) struct Progressive {
    speech: Option<Arc<dyn ProgressiveSpeech>>,
    call: Option<DirectiveCall>,
}

impl Progressive {
    /// For `envelope`, through `speech` (none: the skill never speaks progressively).
    pub(crate) fn for_request(speech: Option<&Arc<dyn ProgressiveSpeech>>, envelope: &RequestEnvelope) -> Self {
        Self { speech: speech.cloned(), call: envelope.directive_call() }
    }

    /// What runs beside a code's send: the progressive response, if this request may have one.
    /// Never fails; consumes `self`, so a request speaks progressively at most once.
    pub(crate) async fn while_sending(self) {
        let (Some(speech), Some(call)) = (self.speech, self.call) else { return };
        match speech.speak(&call, &speech::one_moment().ssml()).await {
            Ok(()) => tracing::info!(request_id = call.request_id(), "progressive response sent"),
            Err(error) => {
                tracing::warn!(request_id = call.request_id(), %error, "progressive response not sent (answer unaffected)")
            }
        }
    }
}
