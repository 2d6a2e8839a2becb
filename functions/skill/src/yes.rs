//! "Yes": to the recap, the code goes out; to "shall I cancel", the order is cancelled;
//! anywhere else, a helpful answer.

use crate::caller::Caller;
use crate::conversation::{self, Heard, Stage};
use crate::{cancel_order, failure, order, speech, voice_pin};
use pod_shared::alexa::ResponseEnvelope;
use pod_shared::domain::StepUp;
use pod_shared::service::OrderService;

/// `caller`: known for a yes that changes state (to a recap or a cancel).
/// `step_up`: what confirms the order placed on a yes to the recap (a code, or the voice PIN).
pub(crate) async fn answer(
    service: &OrderService,
    heard: Heard,
    caller: Option<Caller>,
    step_up: StepUp,
) -> ResponseEnvelope {
    match (heard, caller) {
        (Heard::At(Stage::SendCode { pizza, currency }), Some(caller)) => {
            order::place(service, caller, pizza, currency, step_up).await
        }
        (Heard::At(Stage::Cancel { order }), Some(caller)) => {
            cancel_order::confirmed(service, &caller.user, order).await
        }
        (Heard::At(Stage::VoicePinRefused { order }), Some(caller)) => {
            voice_pin::ask_again(service, &caller.user, order).await
        }
        (Heard::At(Stage::SendCode { .. } | Stage::Cancel { .. } | Stage::VoicePinRefused { .. }), None) => {
            failure::link_account()
        }
        (Heard::Unreadable, _) => ResponseEnvelope::ask(speech::lost_track(), speech::what_to_say()),
        (Heard::At(stage @ Stage::Change { .. }), _) => {
            conversation::at(ResponseEnvelope::ask(speech::ask_what_to_change(), speech::ask_what_to_change()), &stage)
        }
        (Heard::At(stage @ (Stage::Code | Stage::CodeRefused)), _) => {
            conversation::at(ResponseEnvelope::ask(speech::help_code(), speech::ask_code()), &stage)
        }
        (Heard::Nothing, _) => ResponseEnvelope::ask(speech::nothing_to_confirm(), speech::what_to_say()),
    }
}
