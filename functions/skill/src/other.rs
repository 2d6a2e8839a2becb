//! A kind of request the skill does not handle: an empty answer.

use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer() -> ResponseEnvelope {
    ResponseEnvelope::empty()
}
