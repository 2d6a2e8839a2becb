//! "No": to the recap, nothing is stored or sent and the skill asks what to change; to
//! "shall I cancel", the order stays; anywhere else, a helpful answer.

use crate::conversation::{self, Heard, Stage};
use crate::speech;
use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer(heard: Heard) -> ResponseEnvelope {
    match heard {
        Heard::At(Stage::SendCode { pizza, .. } | Stage::Change { pizza }) => conversation::at(
            ResponseEnvelope::ask(speech::what_to_change(), speech::ask_what_to_change()),
            &Stage::Change { pizza },
        ),
        Heard::At(Stage::Cancel { .. }) => {
            conversation::at(ResponseEnvelope::ask(speech::kept_order(), speech::ask_code()), &Stage::Code)
        }
        Heard::At(Stage::VoicePinRefused { .. }) => ResponseEnvelope::tell(speech::voice_pin_not_asked_again()),
        Heard::Unreadable => ResponseEnvelope::ask(speech::lost_track(), speech::what_to_say()),
        Heard::At(Stage::Code | Stage::CodeRefused) | Heard::Nothing => {
            ResponseEnvelope::ask(speech::nothing_to_refuse(), speech::what_to_say())
        }
    }
}
