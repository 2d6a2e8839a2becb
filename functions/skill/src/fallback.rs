//! Something the skill can't help with: say what it can do, and listen.

use crate::speech;
use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer() -> ResponseEnvelope {
    ResponseEnvelope::ask(speech::fallback(), speech::what_to_say())
}
