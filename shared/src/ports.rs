//! The ports: what the use cases need from the outside world, as traits.
//! Adapters (embedded store, DynamoDB, Auth0, local identity provider) implement them.

use crate::domain::{
    ActivityEvent, ActivityId, AlexaUserId, Blocked, BudgetChange, BudgetPolicy, Code, Destination, EmailAddress,
    EnrolledPhone, EnrollmentError, EnrollmentId, ErasureReport, GuessBudget, Order, OrderId, PhoneEnrollment,
    PhoneNumber, RequestClaim, RequestKey, SignInContacts, Timestamp, Transition, TransitionError, UserId,
};
use async_trait::async_trait;

// ---------------------------------------------------------------- store

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("no such order")]
    NotFound,
    #[error("refused: {0}")]
    Transition(#[from] TransitionError),
    #[error("an order with this id already exists")]
    Duplicate,
    #[error("too many codes sent; the next is allowed at {retry_at}")]
    RateLimited { retry_at: Timestamp },
    #[error("refused: {0}")]
    Blocked(#[from] Blocked),
    #[error("refused: {0}")]
    Enrollment(#[from] EnrollmentError),
    #[error("the orders table does not exist")]
    MissingTable,
    #[error("the order store is throttling requests (retried with backoff, still refused)")]
    Throttled,
    #[error("the order store refused our credentials or permissions: {0}")]
    AccessDenied(String),
    #[error("the order store is unavailable: {0}")]
    Unavailable(String),
    #[error("a stored order could not be read: {0}")]
    Corrupt(String),
}

/// One page of a user's orders, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    /// Continue after this order (the last one of the previous page).
    pub after: Option<OrderId>,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 100;

    pub fn first(limit: u32) -> Self {
        Self { limit: limit.clamp(1, Self::MAX_LIMIT), after: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPage {
    pub orders: Vec<Order>,
    /// Present when more orders follow; pass it as [`PageRequest::after`].
    pub next: Option<OrderId>,
}

/// One page of a user's activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityPage {
    pub events: Vec<ActivityEvent>,
    /// Present when older entries follow: pass it as `after`.
    pub next: Option<ActivityId>,
}

/// A budget change as written: the budget it was computed from, and the one stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetWrite {
    pub before: GuessBudget,
    pub after: GuessBudget,
}

/// Logs an activity entry that could not be written: the step it records stands, so the
/// caller goes on.
pub(crate) fn entry_not_written(entry: &ActivityEvent, error: &StoreError) {
    tracing::error!(%error, kind = entry.what.name(), "an activity entry could not be written");
}

/// What one read of a user's pending order saw: the pointer to it and the order it names, for a
/// supersede to start from instead of reading them again. Opaque outside the stores: only a store
/// whose supersede checks what it replaces in the same write (DynamoDB's conditions) makes one,
/// so a stale one costs a retry, never a wrong write.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingSeen {
    /// Whose they are: a supersede for anyone else reads its own.
    pub(crate) user: UserId,
    pub(crate) pointer: Option<String>,
    pub(crate) order: Option<Order>,
}

/// A request's answer as its claim keeps it ([`OrderStore::answer_request`]), to be stored in the
/// same transaction as the request's last write where the store has one: a repeat then never
/// finds the write without its answer, and the answer costs no round of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimAnswer {
    pub key: RequestKey,
    pub answer: String,
    pub expires: Timestamp,
}

/// What a request answers if its last write is stored as the store is about to store it, given
/// what that write will have done; `None` when it cannot say (then the answer is stored after).
pub type AnswerFor<'a, T> = &'a (dyn Fn(&T) -> Option<ClaimAnswer> + Send + Sync);

/// An order as [`OrderStore::insert_reserving_send`] wrote it ahead of its code's send: what
/// [`OrderStore::withdraw_unsent`] takes back if the send fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenBeforeSend {
    /// The new order, as written.
    pub order: Order,
    /// The pending order it cancelled, as it was before.
    pub superseded: Option<Order>,
    /// The code-sent entry written with it.
    pub sent: Option<ActivityEvent>,
    /// The claim whose answer was stored with it.
    pub answered: Option<RequestKey>,
}

/// Where orders live. Every method is one atomic step, so that each maps onto
/// one conditional write (or one transaction) in DynamoDB.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Stores a new pending order and, in the same atomic step, cancels the
    /// user's previous pending order if there is one; returns that order's id.
    async fn insert_superseding(&self, order: &Order) -> Result<Option<OrderId>, StoreError>;

    /// [`insert_superseding`](Self::insert_superseding) and, in the same atomic step (one
    /// transaction), appends `sent` (the code's send) to the user's activity. The default runs the
    /// two one after the other, for stores that have no single step for it.
    async fn insert_superseding_recorded(
        &self,
        order: &Order,
        sent: &ActivityEvent,
    ) -> Result<Option<OrderId>, StoreError> {
        let superseded = self.insert_superseding(order).await?;
        if let Err(error) = self.record_activity(sent).await {
            entry_not_written(sent, &error);
        }
        Ok(superseded)
    }

    /// The user's pending pointer and order as a later
    /// [`insert_superseding_after`](Self::insert_superseding_after) can start from, read while
    /// something else runs; `None` from a store whose supersede reads them itself at no cost
    /// worth saving (the embedded store's local read).
    async fn pending_seen(&self, _user: &UserId) -> Result<Option<PendingSeen>, StoreError> {
        Ok(None)
    }

    /// [`insert_superseding`](Self::insert_superseding), or with `sent`
    /// [`insert_superseding_recorded`](Self::insert_superseding_recorded), starting from what
    /// `seen` read (from [`pending_seen`](Self::pending_seen); `None`: read it now). The same
    /// atomic step either way.
    async fn insert_superseding_after(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        _seen: Option<PendingSeen>,
    ) -> Result<Option<OrderId>, StoreError> {
        match sent {
            Some(sent) => self.insert_superseding_recorded(order, sent).await,
            None => self.insert_superseding(order).await,
        }
    }

    /// [`insert_superseding_after`](Self::insert_superseding_after), and the request's answer
    /// stored on its claim in the same transaction: `answer` is told which order the write
    /// supersedes (`None`: none) and says what the request answers. Returns the superseded order
    /// and whether the answer was stored with it; the default stores no answer (the caller then
    /// stores it on its own), for stores whose writes cost no round trip.
    async fn insert_superseding_answered(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        seen: Option<PendingSeen>,
        _answer: AnswerFor<'_, Option<OrderId>>,
    ) -> Result<(Option<OrderId>, bool), StoreError> {
        Ok((self.insert_superseding_after(order, sent, seen).await?, false))
    }

    /// An order's whole write ahead of its code's send, in one atomic step: the send reserved
    /// against the rolling hourly limit at the order's `created_at` (`RateLimited` when full, and
    /// then nothing is written), [`insert_superseding_answered`](Self::insert_superseding_answered)'s
    /// write with `sent` (starting from `seen`, as there) and the answer. For a store whose request waits for one flush of all it
    /// wrote (the embedded store, [`crate::durability`]): that flush then comes before the send and
    /// none after it. Returns what was written (for [`withdraw_unsent`](Self::withdraw_unsent)) and
    /// whether the answer was stored; `None` (the default): no such step, nothing written, and the
    /// caller reserves, sends and then inserts.
    async fn insert_reserving_send(
        &self,
        _order: &Order,
        _sent: Option<&ActivityEvent>,
        _seen: Option<PendingSeen>,
        _max_per_hour: u32,
        _answer: AnswerFor<'_, Option<OrderId>>,
    ) -> Result<Option<(WrittenBeforeSend, bool)>, StoreError> {
        Ok(None)
    }

    /// Takes back, in one atomic step, an order [`insert_reserving_send`](Self::insert_reserving_send)
    /// wrote whose code could not be sent: the order removed if it is still as written (cancelled
    /// if it moved and is still pending), the order it superseded pending again if the new one was
    /// removed and it is still as cancelled, the entry removed, and the claim's answer taken off
    /// (the claim in progress again, for the failure's answer). The send stays counted: the
    /// provider may have sent it after all. A moved order is cancelled at `now`. The default does
    /// nothing (it never wrote ahead).
    async fn withdraw_unsent(&self, _written: &WrittenBeforeSend, _now: Timestamp) -> Result<(), StoreError> {
        Ok(())
    }

    /// A code check's last write as one transaction, only if the order is still stored as `seen`
    /// (the request's own read of it): `transition` applied to it at `now`, `entries` appended to
    /// the activity, with `reset_budget` the guess budget's reset ([`BudgetChange::Succeed`]), and
    /// the answer `answer` gives for the order after stored on the request's claim. Returns the
    /// order after; `None` when the order or the claim moved since `seen` (or the store has no such
    /// transaction: the default): then nothing was written, and the caller writes step by step.
    #[allow(clippy::too_many_arguments)]
    async fn finish_answered(
        &self,
        _seen: &Order,
        _transition: Transition,
        _now: Timestamp,
        _entries: &[ActivityEvent],
        _reset_budget: bool,
        _answer: AnswerFor<'_, Order>,
    ) -> Result<Option<Order>, StoreError> {
        Ok(None)
    }

    /// [`transition`](Self::transition), and `entry` appended to the user's activity whether or
    /// not the move was allowed (a wrong code is a wrong code, even for an order that moved on).
    /// The default makes the two writes at once; a store that can makes them one step.
    async fn transition_recorded(
        &self,
        user: &UserId,
        id: &OrderId,
        transition: Transition,
        now: Timestamp,
        entry: &ActivityEvent,
    ) -> Result<Order, StoreError> {
        let (moved, recorded) = tokio::join!(self.transition(user, id, transition, now), self.record_activity(entry));
        if let Err(error) = recorded {
            entry_not_written(entry, &error);
        }
        moved
    }

    /// [`change_budget`](Self::change_budget), and `entry` appended to the user's activity
    /// whatever the change's outcome. The default makes the two writes at once; a store that can
    /// makes them one step.
    async fn change_budget_recorded(
        &self,
        user: &UserId,
        change: &BudgetChange,
        entry: &ActivityEvent,
    ) -> Result<BudgetWrite, StoreError> {
        let (changed, recorded) = tokio::join!(self.change_budget(user, change), self.record_activity(entry));
        if let Err(error) = recorded {
            entry_not_written(entry, &error);
        }
        changed
    }

    /// Reserves one code send for `user` at `now`, atomically: refused with
    /// [`StoreError::RateLimited`] if `max_per_hour` were sent in the last hour.
    async fn reserve_code_send(&self, user: &UserId, now: Timestamp, max_per_hour: u32) -> Result<(), StoreError>;

    /// Claims `key` for the delivery that asks, in one conditional write: written (and
    /// [`RequestClaim::Claimed`]) only if no claim of `key` is there or the one there expired
    /// at `now`; kept until `expires`. Otherwise changes nothing and says what is there: in
    /// progress, or the answer given. Of any number of claims at once, exactly one is `Claimed`.
    async fn claim_request(
        &self,
        key: &RequestKey,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<RequestClaim, StoreError>;

    /// [`claim_request`](Self::claim_request) for a code check, and in the same atomic step one
    /// guess of the user's budget reserved while it is far from any block: a guess that, wrong,
    /// pauses or locks nothing ([`BudgetChange::Reserve`] below both thresholds less one, neither
    /// paused nor locked). Returns the claim and whether the guess was reserved with it: never
    /// for a claim not made; not when the budget is near a block or blocked (the check then
    /// reserves its guess itself). The default reserves none.
    async fn claim_request_reserving(
        &self,
        key: &RequestKey,
        now: Timestamp,
        expires: Timestamp,
        _policy: &BudgetPolicy,
    ) -> Result<(RequestClaim, bool), StoreError> {
        Ok((self.claim_request(key, now, expires).await?, false))
    }

    /// Stores `answer` on the claim of `key`, kept until `expires`, only if that claim is still
    /// in progress (one conditional write). Returns whether it was stored: `false` when there is
    /// no claim in progress (none, or answered already), and then nothing changed.
    async fn answer_request(&self, key: &RequestKey, answer: &str, expires: Timestamp) -> Result<bool, StoreError>;

    /// The user's order with this id; another user's order is `None`.
    async fn get(&self, user: &UserId, id: &OrderId) -> Result<Option<Order>, StoreError>;

    /// The user's order that is pending confirmation, if any.
    async fn pending_for(&self, user: &UserId) -> Result<Option<Order>, StoreError>;

    /// The user's orders, newest first.
    async fn list(&self, user: &UserId, page: PageRequest) -> Result<OrderPage, StoreError>;

    /// Applies one state-machine move atomically: the write happens only if the
    /// stored order allows it at `now` (see [`Order::check`]). Returns the order as stored after.
    async fn transition(
        &self,
        user: &UserId,
        id: &OrderId,
        transition: Transition,
        now: Timestamp,
    ) -> Result<Order, StoreError>;

    /// Replaces the MAC of order `id`'s code by `sealed` (a new code of Pod's own for the same
    /// order), in one conditional write: only if the stored order is the user's, still pending
    /// with a live code and tries left at `now` ([`Transition::Confirm`]'s rule), and its MAC is
    /// still `previous`. Refused, writing nothing, as [`StoreError::Transition`]: the order's
    /// state, or [`TransitionError::ChallengeStillValid`] when another new code won the race.
    async fn reseal_code(
        &self,
        user: &UserId,
        id: &OrderId,
        previous: &str,
        sealed: &str,
        now: Timestamp,
    ) -> Result<Order, StoreError>;

    /// The user's guess budget (a fresh one if none was ever written).
    async fn guess_budget(&self, user: &UserId) -> Result<GuessBudget, StoreError>;

    /// Applies one budget change atomically (see [`GuessBudget::apply`]): written only if
    /// the stored budget is the one the change was computed from; a lost race reads again.
    /// A refused change is [`StoreError::Blocked`] and writes nothing.
    async fn change_budget(&self, user: &UserId, change: &BudgetChange) -> Result<BudgetWrite, StoreError>;

    /// Appends one entry to the user's activity record (kept [`crate::domain::ACTIVITY_RETENTION`]).
    async fn record_activity(&self, event: &ActivityEvent) -> Result<(), StoreError>;

    /// The user's activity, newest first: at most `limit` entries older than `after`.
    async fn list_activity(
        &self,
        user: &UserId,
        limit: u32,
        after: Option<ActivityId>,
    ) -> Result<ActivityPage, StoreError>;

    /// Keeps the contacts of the user's latest sign-in, in one conditional write: an older
    /// sign-in than the one stored changes nothing.
    async fn remember_sign_in_contacts(&self, contacts: &SignInContacts) -> Result<(), StoreError>;

    /// The contacts of the user's latest sign-in, if they ever signed in.
    async fn sign_in_contacts(&self, user: &UserId) -> Result<Option<SignInContacts>, StoreError>;

    /// The phone the user verified through enrollment, if any.
    async fn enrolled_phone(&self, user: &UserId) -> Result<Option<EnrolledPhone>, StoreError>;

    /// Stores a phone waiting for its code, replacing the user's earlier one.
    async fn start_enrollment(&self, enrollment: &PhoneEnrollment) -> Result<(), StoreError>;

    /// The user's phone waiting for its code, if any.
    async fn pending_enrollment(&self, user: &UserId) -> Result<Option<PhoneEnrollment>, StoreError>;

    /// Counts one wrong code against enrollment `id`, only if it is still waiting, unexpired,
    /// with tries left ([`PhoneEnrollment::check`]); the last try ends it.
    async fn enrollment_wrong_code(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<PhoneEnrollment, StoreError>;

    /// The right code: in one atomic step, ends enrollment `id` (under the same conditions)
    /// and makes its phone the one codes go to. Returns the phone enrolled before, if any.
    async fn complete_enrollment(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<Option<EnrolledPhone>, StoreError>;

    /// Remembers that the Alexa account `alexa` is linked to `user` (so that a later event
    /// naming only the Alexa account, `SkillDisabled`, finds the user), in one atomic write:
    /// the link, and its trace under the user (which the user's erasure follows). The latest
    /// link wins: an Alexa account linked to another user since is that user's.
    async fn link_alexa_user(&self, alexa: &AlexaUserId, user: &UserId, now: Timestamp) -> Result<(), StoreError>;

    /// The user the Alexa account was last linked to, if Pod ever saw it linked.
    async fn alexa_user_link(&self, alexa: &AlexaUserId) -> Result<Option<UserId>, StoreError>;

    /// Deletes every stored item of `user` (orders, the pending pointer, code sends, the guess
    /// budget, activity, sign-in contacts, phone enrollment and enrolled phone, request claims,
    /// web sessions, Alexa links that still name the user) and keeps one entry that says when
    /// the user's data was erased. Each item goes in a delete that is safe against a concurrent
    /// write (a confirmation racing the erasure finds no order and changes nothing), and the
    /// erasure repeats until nothing of the user is left but the entry: what is written once it
    /// returns belongs to the user as a new user. Idempotent: with nothing left to erase it
    /// writes nothing and reports the earlier erasure.
    async fn erase_user(&self, user: &UserId, now: Timestamp) -> Result<ErasureReport, StoreError>;
}

// ---------------------------------------------------------------- identity

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no access token was given")]
    Missing,
    #[error("the access token is malformed")]
    Malformed,
    #[error("the access token's signature or algorithm is not accepted")]
    BadSignature,
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid yet")]
    NotYetValid,
    #[error("the access token was issued by someone else")]
    WrongIssuer,
    #[error("the access token is meant for another audience")]
    WrongAudience,
    #[error("the access token's subject is not a valid user id")]
    BadSubject,
    #[error("the identity provider's signing keys could not be fetched")]
    KeysUnavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the identity provider does not know this user")]
    UnknownUser,
    #[error("the identity provider did not answer in time")]
    Timeout,
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider refused: HTTP {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("the identity provider answered something unexpected: {0}")]
    BadResponse(String),
}

/// What Pod needs to know about a user: the contacts on file and whether anyone
/// verified them. A code goes only to a verified contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProfile {
    pub user_id: UserId,
    pub email: Option<EmailAddress>,
    /// The identity provider's `email_verified`.
    pub email_verified: bool,
    /// The identity provider's phone: Auth0's root `phone_number`, or else the seed's
    /// `user_metadata.phone_number` (which the user edits freely, so never verified).
    pub phone: Option<PhoneNumber>,
    /// Auth0's root `phone_verified`.
    pub phone_verified: bool,
    /// A phone the user verified through Pod's own enrollment (kept in Pod's store).
    pub enrolled_phone: Option<PhoneNumber>,
}

impl UserProfile {
    /// A profile with both contacts verified (or absent), as most tests want.
    pub fn verified(user_id: UserId, email: Option<EmailAddress>, phone: Option<PhoneNumber>) -> Self {
        Self {
            user_id,
            email_verified: email.is_some(),
            phone_verified: phone.is_some(),
            email,
            phone,
            enrolled_phone: None,
        }
    }

    /// Where a code may go: the phone enrolled with Pod, else a verified phone (SMS),
    /// else a verified email; `None` when no contact is verified.
    pub fn code_destination(&self) -> Option<Destination> {
        if let Some(phone) = &self.enrolled_phone {
            return Some(Destination::Sms(phone.clone()));
        }
        match (&self.phone, &self.email) {
            (Some(phone), _) if self.phone_verified => Some(Destination::Sms(phone.clone())),
            (_, Some(email)) if self.email_verified => Some(Destination::Email(email.clone())),
            _ => None,
        }
    }
}

#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Validates a bearer access token and returns whom it belongs to.
    async fn authenticate(&self, access_token: &str) -> Result<UserId, AuthError>;

    /// The user's profile (email and phone on file).
    async fn profile(&self, user: &UserId) -> Result<UserProfile, IdentityError>;
}

// ---------------------------------------------------------------- codes

/// The verifier's verdict on a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code is right and proves the same user.
    Accepted,
    /// The code is wrong, used, or proves someone else: a guess.
    Rejected,
    /// The provider's code ran out before it was given: not a guess (never counted).
    Expired,
}

/// Sends one-time codes and checks them (Auth0 passwordless in production).
#[async_trait]
pub trait CodeChannel: Send + Sync {
    /// Sends a fresh code to `destination`, which belongs to `user`.
    async fn send_code(&self, user: &UserProfile, destination: &Destination) -> Result<(), IdentityError>;

    /// Checks `code` for `destination`; accepted only if it proves `user`.
    async fn verify_code(
        &self,
        user: &UserProfile,
        destination: &Destination,
        code: &Code,
    ) -> Result<CodeCheck, IdentityError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the message could not be delivered: {0}")]
pub struct DeliveryError(pub String);

/// Delivers a text to a phone (SMS) or an email address: Amazon SNS/SES, or the local outbox.
#[async_trait]
pub trait MessageSender: Send + Sync {
    async fn deliver(&self, destination: &Destination, text: &str) -> Result<(), DeliveryError>;
}

// ---------------------------------------------------------------- progressive responses

/// Where one request's progressive response goes: Alexa's Directive API at `apiEndpoint`,
/// as the request (`apiAccessToken`, a secret: `Debug` shows nothing of it), bound to
/// `requestId` (from `context.System` and `request`).
#[derive(Clone, PartialEq, Eq)]
pub struct DirectiveCall {
    api_endpoint: String,
    api_access_token: crate::config::Secret,
    request_id: String,
}

impl DirectiveCall {
    pub fn new(api_endpoint: &str, api_access_token: &str, request_id: &str) -> Self {
        Self {
            api_endpoint: api_endpoint.trim_end_matches('/').to_string(),
            api_access_token: crate::config::Secret::new(api_access_token.to_string()),
            request_id: request_id.to_string(),
        }
    }

    /// `context.System.apiEndpoint`, without a trailing slash.
    pub fn api_endpoint(&self) -> &str {
        &self.api_endpoint
    }

    pub fn api_access_token(&self) -> &crate::config::Secret {
        &self.api_access_token
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}

impl std::fmt::Debug for DirectiveCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectiveCall")
            .field("api_endpoint", &self.api_endpoint)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

/// Why a progressive response did not go out (only ever logged: the answer never depends on it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectiveError {
    #[error("the directive endpoint is not one the skill posts its token to: {0}")]
    EndpointRefused(String),
    #[error("the Directive API did not answer in time")]
    Timeout,
    #[error("the Directive API could not be reached: {0}")]
    Unreachable(String),
    #[error("the Directive API refused: HTTP {0}")]
    Refused(u16),
}

/// Says something while the skill works on the answer (Alexa's progressive response).
#[async_trait]
pub trait ProgressiveSpeech: Send + Sync {
    /// Sends `ssml` (a whole `<speak>` document) as a `VoicePlayer.Speak` directive for `call`.
    async fn speak(&self, call: &DirectiveCall, ssml: &str) -> Result<(), DirectiveError>;
}

/// The time, as a port so tests can move it.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}
