//! Service errors into what the skill says: the one place for every handler.

use crate::speech;
use pod_shared::alexa::{Card, ResponseEnvelope, Speech};
use pod_shared::domain::Blocked;
use pod_shared::metrics::{self, Outcome};
use pod_shared::service::{OrderService, ServiceError};

/// What the skill was doing when the service failed: which errors it expects
/// there, and what an unexpected one sounds like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doing {
    /// Placing an order (sending its code).
    Ordering,
    /// Checking a code against the pending order.
    CheckingCode,
    /// Cancelling the pending order, after a yes.
    Cancelling,
    /// Sending the pending order's code again.
    Resending,
}

impl Doing {
    /// What an unexpected error means for the user: it was not done.
    pub(crate) fn failed(self) -> Speech {
        match self {
            Doing::Ordering => speech::order_failed(),
            Doing::CheckingCode => speech::check_failed(),
            Doing::Cancelling => speech::cancel_failed(),
            Doing::Resending => speech::resend_failed(),
        }
    }

    /// What an unexpected error means, for the log.
    fn not_done(self) -> &'static str {
        match self {
            Doing::Ordering => "order not placed",
            Doing::CheckingCode => "code not checked",
            Doing::Cancelling => "order not cancelled",
            Doing::Resending => "code not sent again",
        }
    }
}

/// The answer to `error` from the service while `doing`; an unexpected error is logged.
pub(crate) fn answer(service: &OrderService, doing: Doing, error: ServiceError) -> ResponseEnvelope {
    metrics::note_outcome(Outcome::of_error(&error));
    match (doing, error) {
        (_, ServiceError::Unauthenticated(_)) => link_account(),
        (_, ServiceError::Blocked(blocked)) => self::blocked(service, blocked),
        (Doing::Ordering | Doing::Resending, ServiceError::NoVerifiedContact) => {
            with_web_card(service, speech::no_contact(service.web_app()))
        }
        (Doing::Ordering | Doing::Resending, ServiceError::TooManyCodes { retry_after_seconds }) => {
            ResponseEnvelope::tell(speech::too_many_codes(retry_after_seconds))
        }
        (Doing::CheckingCode, ServiceError::WrongState(state)) => ResponseEnvelope::tell(speech::wrong_state(state)),
        (Doing::CheckingCode | Doing::Resending, ServiceError::ContactChanged) => {
            ResponseEnvelope::tell(speech::contact_changed())
        }
        (Doing::Cancelling, ServiceError::WrongState(_) | ServiceError::OrderNotFound) => {
            ResponseEnvelope::tell(speech::cancel_too_late())
        }
        (doing, error) => {
            tracing::error!(%error, "{}", doing.not_done());
            ResponseEnvelope::tell(doing.failed())
        }
    }
}

/// No linked account (or its token was refused): say so, with the card that links it.
pub(crate) fn link_account() -> ResponseEnvelope {
    ResponseEnvelope::tell(speech::link_account()).with_card(Card::LinkAccount)
}

/// Voice ordering is paused or locked: say so, and where to go.
fn blocked(service: &OrderService, blocked: Blocked) -> ResponseEnvelope {
    with_web_card(service, speech::blocked(blocked, service.now(), service.web_app()))
}

/// Tells `said`, with the same words and the web app's address on an Alexa app card.
pub(crate) fn with_web_card(service: &OrderService, said: Speech) -> ResponseEnvelope {
    let mut content = said.plain();
    if let Some(url) = service.web_app() {
        content = format!("{content}\n\n{url}/security");
    }
    ResponseEnvelope::tell(said).with_card(Card::Simple { title: speech::card_title(), content })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pod_shared::domain::{ChallengePolicy, Timestamp, TransitionError};
    use pod_shared::ports::{AuthError, IdentityError, StoreError};
    use pod_shared::testing::{FailingStore, FakeCodeDesk, FakeDirectory, ManualClock};
    use std::sync::Arc;

    fn service() -> OrderService {
        OrderService::new(
            Arc::new(FailingStore(StoreError::Throttled)),
            Arc::new(FakeDirectory::standard()),
            Arc::new(FakeCodeDesk::accepting("4217")),
            Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
            ChallengePolicy::default(),
        )
        .with_web_app(Some("https://pod.example".into()))
    }

    /// Every error either activity can meet, and what is said for it while ordering and while checking a code.
    #[test]
    fn each_error_sounds_the_same_as_it_always_has_in_each_activity() {
        let service = service();
        let blocked = with_web_card(&service, speech::blocked(Blocked::Locked, service.now(), service.web_app()));
        let no_contact = with_web_card(&service, speech::no_contact(service.web_app()));
        let order_failed = ResponseEnvelope::tell(speech::order_failed());
        let check_failed = ResponseEnvelope::tell(speech::check_failed());
        let state = TransitionError::ChallengeExpired;
        let cases: Vec<(ServiceError, ResponseEnvelope, ResponseEnvelope)> = vec![
            (ServiceError::Unauthenticated(AuthError::Expired), link_account(), link_account()),
            (ServiceError::Blocked(Blocked::Locked), blocked.clone(), blocked),
            (ServiceError::NoVerifiedContact, no_contact, check_failed.clone()),
            (
                ServiceError::TooManyCodes { retry_after_seconds: 90 },
                ResponseEnvelope::tell(speech::too_many_codes(90)),
                check_failed.clone(),
            ),
            (ServiceError::WrongState(state), order_failed.clone(), ResponseEnvelope::tell(speech::wrong_state(state))),
            (ServiceError::ContactChanged, order_failed.clone(), ResponseEnvelope::tell(speech::contact_changed())),
            (ServiceError::Identity(IdentityError::Timeout), order_failed.clone(), check_failed.clone()),
            (
                ServiceError::Delivery(pod_shared::ports::DeliveryError("no route".into())),
                order_failed.clone(),
                check_failed.clone(),
            ),
            (ServiceError::Store(StoreError::Throttled), order_failed.clone(), check_failed.clone()),
            (ServiceError::OrderNotFound, order_failed, check_failed),
        ];
        for (error, ordering, checking) in cases {
            let said = |doing| serde_json::to_value(answer(&service, doing, error.clone())).unwrap();
            assert_eq!(said(Doing::Ordering), serde_json::to_value(ordering).unwrap(), "{error:?} while ordering");
            assert_eq!(said(Doing::CheckingCode), serde_json::to_value(checking).unwrap(), "{error:?} checking a code");
        }
    }

    /// Sending a code again fails as ordering does, but never says an order was not placed; a
    /// cancel that finds the order moved on says so, and any other failure says nothing changed.
    #[test]
    fn resending_and_cancelling_say_what_did_not_happen() {
        let service = service();
        let said = |doing, error| speech::plain_of(&answer(&service, doing, error));
        let too_many = ServiceError::TooManyCodes { retry_after_seconds: 90 };
        assert_eq!(said(Doing::Resending, too_many), speech::too_many_codes(90).plain());
        assert_eq!(said(Doing::Resending, ServiceError::ContactChanged), speech::contact_changed().plain());
        assert_eq!(said(Doing::Resending, ServiceError::Store(StoreError::Throttled)), speech::resend_failed().plain());
        let moved_on = ServiceError::WrongState(TransitionError::ChallengeExpired);
        assert_eq!(said(Doing::Cancelling, moved_on), speech::cancel_too_late().plain());
        assert_eq!(said(Doing::Cancelling, ServiceError::OrderNotFound), speech::cancel_too_late().plain());
        assert_eq!(
            said(Doing::Cancelling, ServiceError::Store(StoreError::Throttled)),
            speech::cancel_failed().plain()
        );
    }

    #[test]
    fn the_link_account_answer_has_its_card() {
        let answer = serde_json::to_value(link_account()).unwrap();
        assert_eq!(answer["response"]["card"]["type"], "LinkAccount");
        assert_eq!(answer["response"]["shouldEndSession"], true);
    }
}
