//! Alexa's voice PIN as the step-up (`STEP_UP=voice_pin` or `voice_pin_or_code`): after the
//! recap's yes the order is stored pending and the turn goes to Alexa's `AMAZON.VerifyPerson`
//! (`order.rs`); Alexa hands it back with a `SessionResumedRequest`, answered here.
//!
//! ACHIEVED confirms through the same path as a right code, NOT_ACHIEVED counts as a wrong one
//! (never a weaker factor in the same turn), NOT_ENABLED (or a 403: personalization is not
//! configured) sends a code instead only with `voice_pin_or_code`. The token names the order; a
//! token that names no pending voice-PIN order of this user's changes nothing.

use crate::authorize;
use crate::caller::Caller;
use crate::conversation::{self, Stage};
use crate::failure::{self, Doing};
use crate::speech;
use pod_shared::alexa::{Card, ResponseEnvelope, SessionResumedRequest};
use pod_shared::domain::{IfWrong, OrderId, Source, StepUp, UserId};
use pod_shared::service::{AuthorizeOutcome, OrderService, PlacedOrder, VoicePinOutcome, VoicePinVerdict};

/// What came back from the voice PIN check, as the skill acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resumed {
    /// The check's result for the order `token` names.
    VoicePin { token: String, result: PinResult },
    /// Not a completed connection with a token: nothing to act on.
    Unreadable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinResult {
    Achieved,
    NotAchieved,
    /// No voice ID or PIN (or personalization not configured: status 403).
    NotEnabled,
    /// A status or result Amazon does not document for this task.
    Unknown,
}

impl Resumed {
    pub(crate) fn read(request: &SessionResumedRequest) -> Self {
        let Some(cause) = &request.cause else { return Resumed::Unreadable };
        let token = cause.token.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let (Some("ConnectionCompleted"), Some(token)) = (cause.kind.as_deref(), token) else {
            return Resumed::Unreadable;
        };
        let status = cause.status.as_ref().and_then(|s| s.code());
        let result = match (status, cause.result_status()) {
            (Some(403), _) => PinResult::NotEnabled,
            (Some(200) | None, Some("ACHIEVED")) => PinResult::Achieved,
            (Some(200) | None, Some("NOT_ACHIEVED")) => PinResult::NotAchieved,
            (Some(200) | None, Some("NOT_ENABLED")) => PinResult::NotEnabled,
            _ => PinResult::Unknown,
        };
        tracing::info!(
            status = status.map(i64::from).unwrap_or(-1),
            result = cause.result_status().unwrap_or("none"),
            reason = cause.result_reason().unwrap_or("none"),
            "voice PIN check came back"
        );
        Resumed::VoicePin { token: token.to_string(), result }
    }
}

/// The answer to a resumed session. `caller`: the linked user (and the speaker Alexa recognised).
pub(crate) async fn answer(
    service: &OrderService,
    caller: Caller,
    resumed: Resumed,
    step_up: StepUp,
) -> ResponseEnvelope {
    let Resumed::VoicePin { token, result } = resumed else {
        tracing::warn!("a resumed session without a completed connection and its token: nothing done");
        return ResponseEnvelope::tell(speech::voice_pin_not_for_this_order());
    };
    let verdict = match result {
        PinResult::Achieved => VoicePinVerdict::Achieved,
        PinResult::NotAchieved => VoicePinVerdict::NotAchieved,
        PinResult::NotEnabled if step_up == StepUp::VoicePinOrCode => {
            return code_instead(service, caller, &token).await;
        }
        PinResult::NotEnabled => return not_set_up(service, &caller, &token).await,
        PinResult::Unknown => return ResponseEnvelope::tell(speech::voice_pin_unchecked()),
    };
    let now = service.now();
    let render = |outcome: &AuthorizeOutcome| crate::replay::kept(spoken(service, outcome.clone(), now));
    let answering = caller.on_claim.as_ref().map(|on_claim| on_claim.answering(&render));
    let speaker = caller.person.as_ref();
    let checked = service
        .confirm_by_voice_pin_answering(&caller.user, &token, verdict, speaker, Source::Voice, answering.as_ref())
        .await;
    match checked {
        Ok(VoicePinOutcome::Checked(outcome)) => said(service, *outcome, now),
        Ok(VoicePinOutcome::NotThisOrder) => ResponseEnvelope::tell(speech::voice_pin_not_for_this_order()),
        Err(error) => failure::answer(service, Doing::CheckingCode, error),
    }
}

/// What the voice PIN's check found, counted in the metrics.
fn said(service: &OrderService, outcome: AuthorizeOutcome, now: pod_shared::domain::Timestamp) -> ResponseEnvelope {
    pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::of_check(&outcome));
    spoken(service, outcome, now)
}

/// What the voice PIN's check found.
fn spoken(service: &OrderService, outcome: AuthorizeOutcome, now: pod_shared::domain::Timestamp) -> ResponseEnvelope {
    match outcome {
        AuthorizeOutcome::WrongCode { order, tries_left, account: IfWrong::Open } => conversation::at(
            ResponseEnvelope::ask(speech::voice_pin_not_confirmed(tries_left), speech::ask_voice_pin_again()),
            &Stage::VoicePinRefused { order: order.id },
        ),
        AuthorizeOutcome::Expired(_) => ResponseEnvelope::tell(speech::voice_pin_too_late()),
        other => authorize::spoken(service, other, now),
    }
}

/// Yes to "Shall I ask for your voice PIN again?": the turn goes back to Alexa's PIN check for
/// exactly `order`, if it is still this user's pending order waiting for one (a read only: the
/// check that comes back is the one that counts).
pub(crate) async fn ask_again(service: &OrderService, user: &UserId, order: OrderId) -> ResponseEnvelope {
    let token = order.to_string();
    match service.voice_pin_order(user, &token).await {
        Ok(Some(_)) => ResponseEnvelope::verify_person(&token),
        Ok(None) => ResponseEnvelope::tell(speech::voice_pin_order_gone()),
        Err(error) => failure::answer(service, Doing::CheckingCode, error),
    }
}

/// `voice_pin_or_code` and no voice PIN: the order the token names is placed again with a code
/// (one write supersedes the voice-PIN order), the code sent as for any order. From a resumed
/// session Alexa takes no progressive response, so none is sent.
async fn code_instead(service: &OrderService, caller: Caller, token: &str) -> ResponseEnvelope {
    let order = match service.voice_pin_order(&caller.user, token).await {
        Ok(Some(order)) => order,
        Ok(None) => return ResponseEnvelope::tell(speech::voice_pin_not_for_this_order()),
        Err(error) => return failure::answer(service, Doing::Ordering, error),
    };
    let currency = order.bill.as_ref().map(|bill| bill.currency()).unwrap_or(caller.currency);
    let placed = match service.user_profile(&caller.user).await {
        Ok(profile) => {
            service
                .place_priced_order_by(&profile, order.pizza, currency, order.person.clone(), Source::Voice, async {})
                .await
        }
        Err(error) => Err(error),
    };
    match placed {
        Ok(placed) => {
            // The order it replaced is the same pizza the user just said yes to: not "an earlier order".
            let (said, reprompt) = speech::order_placed(&PlacedOrder { superseded: None, ..placed });
            let said = speech::no_voice_pin_so_a_code().then(said);
            let card = Card::Simple { title: speech::card_title(), content: said.plain() };
            conversation::at(ResponseEnvelope::ask(said, reprompt).with_card(card), &Stage::Code)
        }
        Err(error) => failure::answer(service, Doing::Ordering, error),
    }
}

/// `voice_pin` and no voice PIN: nothing else confirms the order, so it is cancelled (if the
/// token names it) and the user is told how to set one up.
async fn not_set_up(service: &OrderService, caller: &Caller, token: &str) -> ResponseEnvelope {
    match service.voice_pin_order(&caller.user, token).await {
        Ok(Some(order)) => {
            if let Err(error) = service.cancel_order(&caller.user, &order.id).await {
                tracing::warn!(%error, order_id = %order.id, "an order no voice PIN can confirm could not be cancelled");
            }
            tracing::info!(order_id = %order.id, "no voice PIN set up: the order was not placed");
            ResponseEnvelope::tell(speech::voice_pin_not_set_up())
        }
        Ok(None) => ResponseEnvelope::tell(speech::voice_pin_not_for_this_order()),
        Err(error) => failure::answer(service, Doing::CheckingCode, error),
    }
}
