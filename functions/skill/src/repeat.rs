//! "Repeat that": the last thing said in this session, and where the conversation was.

use crate::conversation::{self, Heard};
use crate::speech;
use pod_shared::alexa::{ResponseEnvelope, Speech};

pub(crate) fn answer(said: Option<(Speech, Speech)>, heard: Heard) -> ResponseEnvelope {
    let answer = match said {
        Some((speech, reprompt)) => ResponseEnvelope::ask(speech, reprompt),
        None => ResponseEnvelope::ask(speech::nothing_to_repeat(), speech::what_to_say()),
    };
    conversation::keep(answer, &heard)
}
