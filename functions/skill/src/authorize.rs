//! "Authorize order, four two one seven": check the code; a right one confirms the pending order.

use crate::asked::CODE_SLOT;
use crate::caller::Caller;
use crate::conversation::{self, Stage};
use crate::failure::{self, Doing};
use crate::{replay, speech};
use pod_shared::alexa::{Card, ResponseEnvelope, SpokenValue};
use pod_shared::domain::{Code, IfWrong, Source, Timestamp};
use pod_shared::metrics::{self, Outcome};
use pod_shared::service::{AuthorizeOutcome, OrderService};

/// `caller`: the linked user (known before the replay claim), the voice Alexa recognised if any
/// (an order placed by another refuses the code), the pending order and profile if read already
/// (beside the replay claim), and where the answer goes with the check's last write.
pub(crate) async fn answer(service: &OrderService, caller: Caller, code: Option<SpokenValue>) -> ResponseEnvelope {
    let code = match heard_code(service, code) {
        Ok(code) => code,
        Err(answer) => {
            // Reserved only for a code that checks ([`checks`]): never spent here, so given back.
            if let Some(guess) = caller.guess {
                service.give_back(guess).await;
            }
            return *answer;
        }
    };
    let now = service.now();
    let read = match caller.code_check {
        Some(read) => read,
        None => service.read_for_code_check(&caller.user).await,
    };
    let speaker = caller.person.as_ref();
    let render = |outcome: &AuthorizeOutcome| replay::kept(spoken(service, outcome.clone(), now));
    let answering = caller.on_claim.as_ref().map(|on_claim| on_claim.answering(&render));
    let checked =
        service.authorize_read_answering(read, &code, speaker, Source::Voice, answering.as_ref(), caller.guess);
    match checked.await {
        Ok(outcome) => said(service, outcome, now),
        Err(error) => failure::answer(service, Doing::CheckingCode, error),
    }
}

/// Whether a code check with `heard` goes as far as checking a code (it was heard, and is one).
pub(crate) fn checks(service: &OrderService, heard: &Option<SpokenValue>) -> bool {
    heard_code(service, heard.clone()).is_ok()
}

/// The code as heard, or the question that asks for it again.
fn heard_code(service: &OrderService, heard: Option<SpokenValue>) -> Result<Code, Box<ResponseEnvelope>> {
    let length = service.policy().code_length;
    match heard.map(|value| Code::from_spoken(value.best(), length)) {
        Some(Ok(code)) => Ok(code),
        Some(Err(_)) => Err(Box::new(ResponseEnvelope::elicit_slot(
            CODE_SLOT,
            speech::code_not_understood(),
            speech::ask_code(),
            None,
        ))),
        None => {
            Err(Box::new(ResponseEnvelope::elicit_slot(CODE_SLOT, speech::code_missing(), speech::ask_code(), None)))
        }
    }
}

/// What the check found, checked at `now`, counted in the metrics.
pub(crate) fn said(service: &OrderService, outcome: AuthorizeOutcome, now: Timestamp) -> ResponseEnvelope {
    metrics::note_outcome(Outcome::of_check(&outcome));
    spoken(service, outcome, now)
}

/// What the check found, checked at `now`.
pub(crate) fn spoken(service: &OrderService, outcome: AuthorizeOutcome, now: Timestamp) -> ResponseEnvelope {
    match outcome {
        AuthorizeOutcome::Confirmed(order) => {
            let said = speech::receipt_in_app(speech::confirmed(&order));
            // The receipt in the Alexa app: items, order number (and the total, with prices).
            let card =
                Card::Standard { title: speech::receipt_card_title(), text: pod_shared::receipt::receipt_text(&order) };
            ResponseEnvelope::tell(said).with_card(card)
        }
        AuthorizeOutcome::WrongCode { tries_left, account: IfWrong::Open, .. } => conversation::at(
            ResponseEnvelope::elicit_slot(CODE_SLOT, speech::wrong_code(tries_left), speech::ask_code(), None),
            &Stage::CodeRefused,
        ),
        AuthorizeOutcome::WrongCode { account: account @ (IfWrong::Paused { .. } | IfWrong::Locked), .. }
        | AuthorizeOutcome::Locked { account: account @ (IfWrong::Paused { .. } | IfWrong::Locked), .. } => {
            let told = service.tells_owners();
            failure::with_web_card(service, speech::wrong_code_blocked(account, now, service.web_app(), told))
        }
        AuthorizeOutcome::Locked { account: IfWrong::Open, .. } => ResponseEnvelope::tell(speech::locked()),
        AuthorizeOutcome::Expired(_) => ResponseEnvelope::tell(speech::expired()),
        AuthorizeOutcome::NoPendingOrder => ResponseEnvelope::ask(speech::no_pending_order(), speech::what_to_say()),
    }
}
