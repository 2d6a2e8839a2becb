//! "Stop", "cancel", "go home": goodbye.

use crate::speech;
use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer() -> ResponseEnvelope {
    ResponseEnvelope::tell(speech::goodbye())
}
