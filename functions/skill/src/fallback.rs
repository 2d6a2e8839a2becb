//! Something the skill can't help with: say what it can do, and listen (where the
//! conversation was stays, so a yes after it still answers the question asked).

use crate::conversation::{self, Heard};
use crate::speech;
use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer(heard: Heard) -> ResponseEnvelope {
    conversation::keep(ResponseEnvelope::ask(speech::fallback(), speech::what_to_say()), &heard)
}
