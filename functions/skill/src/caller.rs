//! Who is asking: the user whose linked account the request's access token proves.

use crate::failure;
use pod_shared::alexa::{RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{Currency, PersonId, UserId};
use pod_shared::ports::UserProfile;
use pod_shared::service::{OrderService, ServiceError};

/// The linked user a request that changes state acts for, and their profile if it
/// was read beside the replay claim (or why it could not be read).
pub(crate) struct Caller {
    pub(crate) user: UserId,
    /// What the caller is priced in: their request's locale's currency.
    pub(crate) currency: Currency,
    pub(crate) profile: Option<Result<UserProfile, ServiceError>>,
    /// What an order's yes reads (the guess budget, the pending order), beside the replay claim.
    pub(crate) order_read: Option<pod_shared::service::OrderRead>,
    /// A code check's pending order and profile, read beside the replay claim.
    pub(crate) code_check: Option<pod_shared::service::CodeCheckRead>,
    /// Where to say "one moment" while a code goes out to them.
    pub(crate) progressive: crate::progressive::Progressive,
    /// The speaker Alexa recognised (`context.System.person`), if any.
    pub(crate) person: Option<PersonId>,
    /// Where the answer goes with the request's last write (a request that changes state).
    pub(crate) on_claim: Option<crate::replay::OnClaim>,
    /// The code check's guess, reserved with the replay claim where the store can.
    pub(crate) guess: Option<pod_shared::service::GuessReserved>,
}

/// The linked user; without one (no token, or a refused one) the answer asks to link the account.
pub(crate) async fn linked_user(
    service: &OrderService,
    envelope: &RequestEnvelope,
) -> Result<UserId, ResponseEnvelope> {
    service.authenticate(envelope.access_token()).await.map_err(|e| {
        pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::of_error(&e));
        tracing::info!(reason = %e, "account not linked or token refused");
        failure::link_account()
    })
}
