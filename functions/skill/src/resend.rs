//! "I didn't get the code" / "send the code again": a new code for the same pending order,
//! counted against the send limit; the earlier code stops working (the provider keeps only
//! the latest). The order's tries left and the account's guess budget are never reset.

use crate::caller::Caller;
use crate::conversation::{self, Stage};
use crate::failure::{self, Doing};
use crate::speech;
use pod_shared::alexa::{Card, ResponseEnvelope};
use pod_shared::domain::Source;
use pod_shared::service::{OrderService, ResendOutcome};

/// `caller`: who is asking, with their profile if it was read beside the replay claim.
pub(crate) async fn answer(service: &OrderService, caller: Caller) -> ResponseEnvelope {
    let profile = match caller.profile {
        Some(profile) => profile,
        None => service.user_profile(&caller.user).await,
    };
    let resent = match profile {
        Ok(profile) => service.resend_code(&profile, Source::Voice).await,
        Err(error) => Err(error),
    };
    match resent {
        Ok(ResendOutcome::Sent { order, guesses_before_lock }) => {
            let (said, reprompt) = speech::code_sent_again(&order, guesses_before_lock);
            let card = Card::Simple { title: speech::card_title(), content: said.plain() };
            conversation::at(ResponseEnvelope::ask(said, reprompt).with_card(card), &Stage::Code)
        }
        Ok(ResendOutcome::NoPendingOrder) => ResponseEnvelope::ask(speech::no_pending_order(), speech::what_to_say()),
        Ok(ResendOutcome::NeedsNewOrder(_)) => {
            ResponseEnvelope::ask(speech::order_again_for_a_code(), speech::what_to_say())
        }
        Err(error) => failure::answer(service, Doing::Resending, error),
    }
}
