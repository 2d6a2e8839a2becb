//! "Help": what to say next, given where the conversation is; and listen.

use crate::conversation::{self, Heard, Stage};
use crate::speech;
use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer(heard: Heard) -> ResponseEnvelope {
    let answer = match heard.stage() {
        None => ResponseEnvelope::ask(speech::help(), speech::what_to_say()),
        Some(Stage::SendCode { .. }) => ResponseEnvelope::ask(speech::help_recap(), speech::ask_send_code()),
        Some(Stage::Change { .. }) => ResponseEnvelope::ask(speech::help(), speech::ask_what_to_change()),
        Some(Stage::Code) => ResponseEnvelope::ask(speech::help_code(), speech::ask_code()),
        Some(Stage::CodeRefused) => ResponseEnvelope::ask(speech::help_code_refused(), speech::ask_code()),
        Some(Stage::Cancel { .. }) => ResponseEnvelope::ask(speech::help_cancel(), speech::ask_cancel_again()),
        Some(Stage::VoicePinRefused { .. }) => {
            ResponseEnvelope::ask(speech::help_voice_pin_refused(), speech::ask_voice_pin_again())
        }
    };
    conversation::keep(answer, &heard)
}
