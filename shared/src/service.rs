//! The use cases that the skill, the api and the web app share.

use crate::builtin_codes::BuiltinCodes;
use crate::domain::{
    ActivityEvent, ActivityId, ActivityKind, Blocked, BudgetChange, BudgetPolicy, ChallengePolicy, Code, CodePurpose,
    ConfirmBy, Currency, Destination, EnrollmentError, GuessBudget, IfWrong, MaskedDestination, Order, OrderId,
    OrderStatus, PersonId, PhoneEnrollment, PhoneNumber, Pizza, Refusal, RequestClaim, RequestKey, Source, Timestamp,
    Transition, TransitionError, UserId, WrongCodeOutcome,
};
use crate::ports::{
    ActivityPage, AuthError, BudgetWrite, ClaimAnswer, Clock, CodeChannel, CodeCheck, IdentityError, IdentityProvider,
    MessageSender, OrderPage, OrderStore, PageRequest, PendingSeen, StoreError, UserProfile, WrittenBeforeSend,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in: {0}")]
    Unauthenticated(#[from] AuthError),
    #[error("your profile has no verified phone number or email address to send a code to")]
    NoVerifiedContact,
    #[error("the contact on file changed since the code was sent")]
    ContactChanged,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("the code could not be delivered: {0}")]
    Delivery(#[from] crate::ports::DeliveryError),
    #[error(transparent)]
    Store(StoreError),
    #[error("no such order")]
    OrderNotFound,
    #[error("too many codes were sent in the last hour; try again in {retry_after_seconds} seconds")]
    TooManyCodes { retry_after_seconds: u64 },
    #[error("{0}")]
    WrongState(TransitionError),
    /// Too many wrong codes for this account: no code is sent or checked.
    #[error("{0}")]
    Blocked(Blocked),
    #[error("{0}")]
    Enrollment(EnrollmentError),
}

impl From<StoreError> for ServiceError {
    fn from(value: StoreError) -> Self {
        match value {
            StoreError::NotFound => ServiceError::OrderNotFound,
            StoreError::Transition(t) => ServiceError::WrongState(t),
            StoreError::Blocked(b) => ServiceError::Blocked(b),
            StoreError::Enrollment(e) => ServiceError::Enrollment(e),
            other => ServiceError::Store(other),
        }
    }
}

/// How long a request's claim and its answer are kept, for repeats.
pub const ANSWER_MEMORY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The result of placing an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    pub order: Order,
    /// The pending order this one replaced (now cancelled), if any.
    pub superseded: Option<OrderId>,
    /// Wrong codes the account has left before voice ordering locks (1: warn the user).
    pub guesses_before_lock: u32,
}

/// A request's answer, rendered before the request's last write so that the store keeps it on
/// the request's claim in that same write ([`OrderStore::insert_superseding_answered`],
/// [`OrderStore::finish_answered`]): no round of its own, and never a write without its answer.
pub struct AnswerOnClaim<'a, O> {
    /// The request whose claim keeps the answer.
    pub key: &'a RequestKey,
    /// What the request answers for an outcome, as its claim keeps it (`None`: it cannot say).
    pub render: &'a (dyn Fn(&O) -> Option<String> + Send + Sync),
    /// Set when the answer was stored with the write; otherwise the caller stores it.
    pub stored: &'a AtomicBool,
}

/// A guess reserved with a code check's claim ([`OrderService::claim_request_reserving`]): the
/// check it was taken for spends it, or gives it back. Not `Clone`: one check, one guess.
#[derive(Debug)]
pub struct GuessReserved {
    user: UserId,
}

/// The guess a code check spends: counted by its own reservation (the budget before and after
/// known), or reserved quietly with the request's claim (far from any block, so a wrong one
/// pauses or locks nothing).
enum Guess {
    Counted(BudgetWrite),
    Quiet,
}

impl Guess {
    /// What this guess means if the code is wrong.
    fn if_wrong(&self, policy: &BudgetPolicy) -> IfWrong {
        match self {
            Guess::Counted(write) => write.after.if_wrong(policy),
            Guess::Quiet => IfWrong::Open,
        }
    }

    /// The change that gives it back when no code was checked.
    fn unchecked(&self) -> BudgetChange {
        match self {
            Guess::Counted(write) => BudgetChange::Refund { reserved: write.before.clone() },
            Guess::Quiet => BudgetChange::GiveBack,
        }
    }
}

/// What a code check has found before it takes its guess: whether the factor may confirm the
/// order, the owner's profile and where the order's code went.
struct ReadyToGuess {
    allowed: Result<(), Refusal>,
    profile: UserProfile,
    destination: Destination,
}

/// Why a code check ends before its guess: the order's code expired, or it cannot be checked.
enum BeforeTheGuess {
    Expired,
    Refused(ServiceError),
}

/// What a spoken or typed code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    Confirmed(Order),
    /// A wrong code: `tries_left` on this order, and where the account's guess budget now stands.
    WrongCode {
        order: Order,
        tries_left: u32,
        account: IfWrong,
    },
    /// The order's last try was used; `account` says whether the account is blocked too.
    Locked {
        order: Order,
        account: IfWrong,
    },
    Expired(Order),
    NoPendingOrder,
}

/// What a code check read before acting ([`OrderService::read_for_code_check`]).
#[derive(Debug, Clone)]
pub struct CodeCheckRead {
    pending: Result<Option<Order>, ServiceError>,
    profile: Result<UserProfile, ServiceError>,
}

/// What placing an order read before acting ([`OrderService::read_for_order`]): the account's
/// guess budget (is voice ordering paused?) and, where the store makes one, what its supersede
/// starts from.
#[derive(Debug, Clone)]
pub struct OrderRead {
    budget: Result<GuessBudget, ServiceError>,
    pending: Option<crate::ports::PendingSeen>,
}

/// An order that may be placed ([`OrderService::admit_order`]): where its code goes, when, what
/// its supersede starts from, and the wrong codes left before voice ordering locks.
struct Admitted {
    destination: Destination,
    now: Timestamp,
    pending: Option<crate::ports::PendingSeen>,
    guesses_before_lock: u32,
}

/// What Alexa's voice PIN check (`AMAZON.VerifyPerson`) found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoicePinVerdict {
    /// The recognised speaker gave the right PIN.
    Achieved,
    /// A wrong PIN (or too many): counted as a wrong code, never a weaker path instead.
    NotAchieved,
}

/// What a voice PIN did ([`OrderService::confirm_by_voice_pin`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoicePinOutcome {
    /// It named the user's pending order and was checked as a code would be.
    Checked(Box<AuthorizeOutcome>),
    /// Its token names no order of this user's that waits for a voice PIN: nothing confirmed or counted.
    NotThisOrder,
}

/// What confirms an order in [`OrderService`]'s one check.
#[derive(Debug, Clone, Copy)]
enum Factor<'a> {
    Code(&'a Code),
    VoicePin(VoicePinVerdict),
}

impl Factor<'_> {
    fn confirm_by(self) -> ConfirmBy {
        match self {
            Factor::Code(_) => ConfirmBy::Code,
            Factor::VoicePin(_) => ConfirmBy::VoicePin,
        }
    }
}

/// What asking for the code again did ([`OrderService::resend_code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendOutcome {
    /// A new code went to the same contact for the same pending order; the provider keeps only
    /// the latest, so the earlier one stops working. The order's tries and the account's guess
    /// budget are as they were.
    Sent { order: Order, guesses_before_lock: u32 },
    /// No order is waiting for its code.
    NoPendingOrder,
    /// An order of Pod's own codes stored without a MAC (none is): a new code needs a new order.
    NeedsNewOrder(Order),
}

/// What an enrollment code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollmentOutcome {
    /// The phone is now the one codes go to; `previous` (told of the change) is where they went before.
    Verified {
        phone: MaskedDestination,
        previous: Option<MaskedDestination>,
        /// Whether the notice to `previous` went out (no notice delivery, or it failed: `false`).
        previous_told: bool,
    },
    WrongCode {
        tries_left: u32,
        account: IfWrong,
    },
}

/// Everything a face (skill, api, web) needs, built once per process.
/// Who makes and checks the codes.
#[derive(Clone)]
enum CodeIssuer {
    /// A provider that keeps the code (Auth0 passwordless).
    Delegated(Arc<dyn CodeChannel>),
    /// Pod itself, binding each code to its order.
    Builtin(Arc<BuiltinCodes>),
}

#[derive(Clone)]
pub struct OrderService {
    store: Arc<dyn OrderStore>,
    identity: Arc<dyn IdentityProvider>,
    codes: CodeIssuer,
    clock: Arc<dyn Clock>,
    policy: ChallengePolicy,
    budget: BudgetPolicy,
    /// Who tells the owner when voice ordering pauses or locks.
    notices: Option<Arc<dyn MessageSender>>,
    /// The web app's address (`…/pod/app`): named in notices and on Alexa app cards.
    web_app: Option<String>,
    /// Where the web app keeps its sessions (the same store, behind its own port).
    sessions: Option<Arc<dyn crate::sessions::SessionStore>>,
}

impl OrderService {
    pub fn new(
        store: Arc<dyn OrderStore>,
        identity: Arc<dyn IdentityProvider>,
        codes: Arc<dyn CodeChannel>,
        clock: Arc<dyn Clock>,
        policy: ChallengePolicy,
    ) -> Self {
        Self {
            store,
            identity,
            codes: CodeIssuer::Delegated(codes),
            clock,
            policy,
            budget: BudgetPolicy::default(),
            notices: None,
            web_app: None,
            sessions: None,
        }
    }

    /// Keeps web sessions in `sessions` (the web app needs one).
    pub fn with_sessions(mut self, sessions: Arc<dyn crate::sessions::SessionStore>) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// The session store, if one was given.
    pub fn sessions(&self) -> Option<&Arc<dyn crate::sessions::SessionStore>> {
        self.sessions.as_ref()
    }

    /// How many wrong codes the account survives (default: 5 pause, 10 lock).
    pub fn with_budget_policy(mut self, budget: BudgetPolicy) -> Self {
        self.budget = budget;
        self
    }

    /// Tells the owner through `sender` when voice ordering pauses or locks.
    pub fn with_notices(mut self, sender: Arc<dyn MessageSender>) -> Self {
        self.notices = Some(sender);
        self
    }

    /// Where the web app is (`https://…/pod/app`), for notices and cards.
    pub fn with_web_app(mut self, web_app: Option<String>) -> Self {
        self.web_app = web_app.map(|url| url.trim_end_matches('/').to_string());
        self
    }

    pub fn web_app(&self) -> Option<&str> {
        self.web_app.as_deref()
    }

    pub fn budget_policy(&self) -> &BudgetPolicy {
        &self.budget
    }

    /// Pod makes and checks the codes itself instead of the code channel.
    pub fn with_builtin_codes(mut self, codes: BuiltinCodes) -> Self {
        self.codes = CodeIssuer::Builtin(Arc::new(codes));
        self
    }

    pub fn policy(&self) -> ChallengePolicy {
        self.policy
    }

    pub fn now(&self) -> crate::domain::Timestamp {
        self.clock.now()
    }

    /// Validates a bearer access token.
    pub async fn authenticate(&self, access_token: Option<&str>) -> Result<UserId, ServiceError> {
        let token = access_token.map(str::trim).filter(|t| !t.is_empty()).ok_or(AuthError::Missing)?;
        Ok(self.identity.authenticate(token).await?)
    }

    /// Sends a code to the user's phone (or email) and stores the order as
    /// pending confirmation, replacing any earlier pending order.
    ///
    /// The code is sent first: if sending fails, nothing is stored.
    /// While voice ordering is paused or locked, nothing is sent or stored.
    pub async fn place_order(&self, user: &UserId, pizza: Pizza, source: Source) -> Result<PlacedOrder, ServiceError> {
        let profile = self.user_profile(user).await?;
        self.place_order_for(&profile, pizza, source).await
    }

    /// Keeps the contacts the identity provider vouched for in a sign-in (the ID token's claims):
    /// the web app's profiles come from them. An older sign-in never replaces a newer one.
    pub async fn remember_sign_in(&self, contacts: &crate::domain::SignInContacts) -> Result<(), ServiceError> {
        Ok(self.store.remember_sign_in_contacts(contacts).await?)
    }

    /// The user's profile: the contacts on file at the identity provider, and the phone
    /// enrolled with Pod (both read at once).
    pub async fn user_profile(&self, user: &UserId) -> Result<UserProfile, ServiceError> {
        let (profile, enrolled) = tokio::join!(self.identity.profile(user), self.store.enrolled_phone(user));
        let mut profile = profile?;
        profile.enrolled_phone = enrolled?.map(|enrolled| enrolled.phone);
        Ok(profile)
    }

    /// [`place_order`](Self::place_order) for a profile the caller already fetched
    /// (e.g. concurrently with something else).
    pub async fn place_order_for(
        &self,
        profile: &UserProfile,
        pizza: Pizza,
        source: Source,
    ) -> Result<PlacedOrder, ServiceError> {
        self.place_priced_order_for(profile, pizza, Currency::DEFAULT, source).await
    }

    /// [`place_order`](Self::place_order) priced in `currency` (the skill: the request's locale's).
    pub async fn place_priced_order(
        &self,
        user: &UserId,
        pizza: Pizza,
        currency: Currency,
        source: Source,
    ) -> Result<PlacedOrder, ServiceError> {
        let profile = self.user_profile(user).await?;
        self.place_priced_order_for(&profile, pizza, currency, source).await
    }

    /// [`place_order_for`](Self::place_order_for) priced in `currency`: the order carries its bill
    /// from the built-in menu, and a builtin code binds its amount, currency and payee.
    pub async fn place_priced_order_for(
        &self,
        profile: &UserProfile,
        pizza: Pizza,
        currency: Currency,
        source: Source,
    ) -> Result<PlacedOrder, ServiceError> {
        self.place_priced_order_while_sending(profile, pizza, currency, source, async {}).await
    }

    /// [`place_priced_order_for`](Self::place_priced_order_for), running `while_sending`
    /// concurrently with the code's send (and only if a code is about to be sent: not when the
    /// account is blocked, the send limit is reached or no contact is verified). The skill's
    /// progressive response ("One moment while I send your code") runs there; it must never fail.
    pub async fn place_priced_order_while_sending(
        &self,
        profile: &UserProfile,
        pizza: Pizza,
        currency: Currency,
        source: Source,
        while_sending: impl std::future::Future<Output = ()>,
    ) -> Result<PlacedOrder, ServiceError> {
        self.place_priced_order_by(profile, pizza, currency, None, source, while_sending).await
    }

    /// [`place_priced_order_while_sending`](Self::place_priced_order_while_sending) for the
    /// speaker Alexa recognised (`person`, if any): only they, or a code from a voice Alexa does
    /// not recognise, confirm the order.
    pub async fn place_priced_order_by(
        &self,
        profile: &UserProfile,
        pizza: Pizza,
        currency: Currency,
        person: Option<PersonId>,
        source: Source,
        while_sending: impl std::future::Future<Output = ()>,
    ) -> Result<PlacedOrder, ServiceError> {
        let read = self.read_for_order(&profile.user_id).await;
        self.place_priced_order_within(profile, read, pizza, currency, person, source, while_sending).await
    }

    /// [`place_priced_order_by`](Self::place_priced_order_by) within the account's guess budget
    /// as already read (the skill reads it beside the request's replay claim, so that placing
    /// the order waits for no read of its own): refused, nothing sent or stored, while voice
    /// ordering is paused or locked.
    #[allow(clippy::too_many_arguments)]
    pub async fn place_priced_order_within(
        &self,
        profile: &UserProfile,
        read: OrderRead,
        pizza: Pizza,
        currency: Currency,
        person: Option<PersonId>,
        source: Source,
        while_sending: impl std::future::Future<Output = ()>,
    ) -> Result<PlacedOrder, ServiceError> {
        self.place_priced_order_answering(profile, read, pizza, currency, person, source, while_sending, None).await
    }

    /// [`place_priced_order_within`](Self::place_priced_order_within), and with `answer` the
    /// request's answer stored in the order's own transaction where the store has one.
    #[allow(clippy::too_many_arguments)]
    pub async fn place_priced_order_answering(
        &self,
        profile: &UserProfile,
        read: OrderRead,
        pizza: Pizza,
        currency: Currency,
        person: Option<PersonId>,
        source: Source,
        while_sending: impl std::future::Future<Output = ()>,
        answer: Option<&AnswerOnClaim<'_, PlacedOrder>>,
    ) -> Result<PlacedOrder, ServiceError> {
        // Boxed: the caller's future stays small (a request's future is near the stack's limit
        // in a debug build).
        Box::pin(self.place_priced(profile, read, pizza, currency, person, source, while_sending, answer)).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn place_priced(
        &self,
        profile: &UserProfile,
        read: OrderRead,
        pizza: Pizza,
        currency: Currency,
        person: Option<PersonId>,
        source: Source,
        while_sending: impl std::future::Future<Output = ()>,
        answer: Option<&AnswerOnClaim<'_, PlacedOrder>>,
    ) -> Result<PlacedOrder, ServiceError> {
        let user = &profile.user_id;
        let Admitted { destination, now, pending, guesses_before_lock } = self.admit_order(profile, read)?;
        let mut order =
            Order::place(user.clone(), pizza, destination.channel(), destination.masked(), self.policy, now)
                .priced_in(currency)
                .spoken_by(person);
        // Pod's own code is made and sealed into the order before anything is written.
        enum Outgoing<'a> {
            ByProvider(&'a dyn CodeChannel),
            Message(&'a dyn MessageSender, String),
        }
        let outgoing = match &self.codes {
            CodeIssuer::Delegated(channel) => Outgoing::ByProvider(channel.as_ref()),
            CodeIssuer::Builtin(codes) => {
                let code = codes.generate();
                order.challenge.code_hash = Some(codes.seal(&order, &code));
                Outgoing::Message(codes.sender(), crate::builtin_codes::message(&code, &order))
            }
        };
        // Boxed, as the writes below: a request's future is near the stack's limit in a debug build.
        let send = Box::pin(async {
            match &outgoing {
                Outgoing::ByProvider(channel) => channel.send_code(profile, &destination).await?,
                Outgoing::Message(sender, text) => sender.deliver(&destination, text).await?,
            }
            Ok::<(), ServiceError>(())
        });
        let sent = ActivityKind::CodeSent {
            channel: destination.channel(),
            to: destination.masked(),
            purpose: CodePurpose::Order,
        };
        let sent = ActivityEvent::new(user, now, source, sent).for_order(order.id);
        let ahead = self.insert_ahead_of_send(&order, &sent, pending.clone(), guesses_before_lock, answer);
        let written = Box::pin(ahead).await.map_err(|error| send_refused(error, now))?;
        let superseded = match written {
            // The store wrote everything ahead of the send (the embedded store: the request's one
            // flush comes before the send, and none after it); a send that fails takes it back.
            Some(written) => {
                if let Err(error) = self.before_telling_anyone().await {
                    Box::pin(self.withdraw(&written, answer)).await;
                    return Err(error);
                }
                let (delivered, ()) = tokio::join!(send, while_sending);
                if let Err(error) = delivered {
                    Box::pin(self.withdraw(&written, answer)).await;
                    return Err(error);
                }
                written.superseded.map(|before| before.id)
            }
            None => {
                Box::pin(self.reserve_send(user, now)).await?;
                self.before_telling_anyone().await?;
                let (delivered, ()) = tokio::join!(send, while_sending);
                delivered?;
                Box::pin(self.insert_answering(&order, Some(&sent), pending, guesses_before_lock, answer)).await?
            }
        };
        crate::metrics::note_code_sent(destination.channel());
        tracing::info!(
            order_id = %order.id,
            channel = destination.channel().connection(),
            superseded = superseded.map(|id| id.to_string()),
            "order placed, code sent"
        );
        Ok(PlacedOrder { order, superseded, guesses_before_lock })
    }

    /// The order's whole write ahead of its code's send, where the store has one step for it
    /// ([`OrderStore::insert_reserving_send`]): the send reserved, the supersede, `sent` and with
    /// `answer` the request's answer. `None`: nothing was written.
    async fn insert_ahead_of_send(
        &self,
        order: &Order,
        sent: &ActivityEvent,
        seen: Option<PendingSeen>,
        guesses_before_lock: u32,
        answer: Option<&AnswerOnClaim<'_, PlacedOrder>>,
    ) -> Result<Option<WrittenBeforeSend>, StoreError> {
        let render = |superseded: &Option<OrderId>| {
            answer.and_then(|answer| self.placed_answer(order, *superseded, guesses_before_lock, answer))
        };
        let max = self.policy.sends_per_hour;
        let written = self.store.insert_reserving_send(order, Some(sent), seen, max, &render).await?;
        Ok(written.map(|(written, stored)| {
            if let Some(answer) = answer {
                answer.stored.store(stored, Ordering::Relaxed);
            }
            written
        }))
    }

    /// Takes back an order written ahead of a send that did not go out; its answer with it (the
    /// caller then stores the failure's).
    async fn withdraw(&self, written: &WrittenBeforeSend, answer: Option<&AnswerOnClaim<'_, PlacedOrder>>) {
        match self.store.withdraw_unsent(written, self.clock.now()).await {
            Ok(()) => {
                if let Some(answer) = answer {
                    answer.stored.store(false, Ordering::Relaxed);
                }
                tracing::info!(order_id = %written.order.id, "the code was not sent: the order is taken back");
            }
            Err(error) => {
                tracing::error!(%error, order_id = %written.order.id, "the code was not sent and the order could not be taken back")
            }
        }
    }

    /// Stores the order pending confirmation by Alexa's voice PIN (the skill then hands the turn
    /// to Alexa's `AMAZON.VerifyPerson`): the same one write as an order with a code
    /// ([`OrderStore::insert_superseding`]), replacing any earlier pending order, but no code is
    /// made or sent, so none counts against the send limit and none opens it. Refused while voice
    /// ordering is paused or locked, and without a verified contact (notices and the receipt go there).
    pub async fn place_voice_pin_order(
        &self,
        profile: &UserProfile,
        pizza: Pizza,
        currency: Currency,
        person: Option<PersonId>,
    ) -> Result<PlacedOrder, ServiceError> {
        let read = self.read_for_order(&profile.user_id).await;
        self.place_voice_pin_order_within(profile, read, pizza, currency, person).await
    }

    /// [`place_voice_pin_order`](Self::place_voice_pin_order) within the guess budget as already
    /// read (beside the request's replay claim).
    pub async fn place_voice_pin_order_within(
        &self,
        profile: &UserProfile,
        read: OrderRead,
        pizza: Pizza,
        currency: Currency,
        person: Option<PersonId>,
    ) -> Result<PlacedOrder, ServiceError> {
        self.place_voice_pin_order_answering(profile, read, pizza, currency, person, None).await
    }

    /// [`place_voice_pin_order_within`](Self::place_voice_pin_order_within), and with `answer` the
    /// request's answer stored in the order's own transaction where the store has one.
    pub async fn place_voice_pin_order_answering(
        &self,
        profile: &UserProfile,
        read: OrderRead,
        pizza: Pizza,
        currency: Currency,
        person: Option<PersonId>,
        answer: Option<&AnswerOnClaim<'_, PlacedOrder>>,
    ) -> Result<PlacedOrder, ServiceError> {
        let user = &profile.user_id;
        let Admitted { destination, now, pending, guesses_before_lock } = self.admit_order(profile, read)?;
        let order = Order::place(user.clone(), pizza, destination.channel(), destination.masked(), self.policy, now)
            .priced_in(currency)
            .awaiting_voice_pin()
            .spoken_by(person);
        let superseded = Box::pin(self.insert_answering(&order, None, pending, guesses_before_lock, answer)).await?;
        tracing::info!(
            order_id = %order.id,
            superseded = superseded.map(|id| id.to_string()),
            "order placed, waiting for the voice PIN"
        );
        Ok(PlacedOrder { order, superseded, guesses_before_lock })
    }

    /// The user's pending order waiting for the voice PIN that `token` names (the token the skill
    /// gave Alexa: the order's id), if it is still pending now. Any other token, another user's
    /// order or one that moved on names nothing.
    pub async fn voice_pin_order(&self, user: &UserId, token: &str) -> Result<Option<Order>, ServiceError> {
        let Ok(named) = token.parse::<OrderId>() else { return Ok(None) };
        let now = self.clock.now();
        Ok(self.store.pending_for(user).await?.filter(|order| {
            order.id == named
                && order.challenge.confirm_by == ConfirmBy::VoicePin
                && order.status_at(now) == OrderStatus::PendingConfirmation
        }))
    }

    /// Alexa's voice PIN check for the order `token` names (the token the skill handed Alexa),
    /// said by `speaker` (the voice Alexa recognised). It confirms through the same path as a
    /// right code: the guess is reserved first (refused while voice ordering is paused or
    /// locked), then the one conditional [`Transition::Confirm`] (pending, unexpired, not locked,
    /// the user's); [`VoicePinVerdict::NotAchieved`] counts exactly as a wrong code does. A token
    /// that names no pending voice-PIN order of this user's changes nothing.
    pub async fn confirm_by_voice_pin(
        &self,
        user: &UserId,
        token: &str,
        verdict: VoicePinVerdict,
        speaker: Option<&PersonId>,
        source: Source,
    ) -> Result<VoicePinOutcome, ServiceError> {
        self.confirm_by_voice_pin_answering(user, token, verdict, speaker, source, None).await
    }

    /// [`confirm_by_voice_pin`](Self::confirm_by_voice_pin), and with `answer` the request's
    /// answer stored in the check's last write where the store has one such transaction.
    pub async fn confirm_by_voice_pin_answering(
        &self,
        user: &UserId,
        token: &str,
        verdict: VoicePinVerdict,
        speaker: Option<&PersonId>,
        source: Source,
        answer: Option<&AnswerOnClaim<'_, AuthorizeOutcome>>,
    ) -> Result<VoicePinOutcome, ServiceError> {
        let named = token.parse::<OrderId>().ok();
        let (pending, profile) = tokio::join!(self.store.pending_for(user), self.user_profile(user));
        let order = match pending? {
            Some(order) if Some(order.id) == named && order.challenge.confirm_by == ConfirmBy::VoicePin => order,
            _ => {
                tracing::warn!("a voice PIN result names no pending voice-PIN order of this user's: nothing confirmed");
                return Ok(VoicePinOutcome::NotThisOrder);
            }
        };
        let outcome =
            Box::pin(self.authorize(order, Factor::VoicePin(verdict), speaker, Some(profile), source, answer, None))
                .await?;
        Ok(VoicePinOutcome::Checked(Box::new(outcome)))
    }

    /// Sends a new code for the user's pending order ("I didn't get the code"): to the same
    /// contact, counted against the send limit ([`OrderStore::reserve_code_send`], one
    /// conditional write) and refused while the guess budget is paused or locked. The earlier
    /// code stops working: Auth0 keeps only the latest; Pod's own codes replace the order's MAC
    /// ([`OrderStore::reseal_code`], one conditional write). The order's tries left and its
    /// expiry stay, and neither budget is reset.
    pub async fn resend_code(&self, profile: &UserProfile, source: Source) -> Result<ResendOutcome, ServiceError> {
        let user = &profile.user_id;
        let now = self.clock.now();
        let pending = self.store.pending_for(user).await?;
        let Some(order) = pending.filter(|o| o.status_at(now) == OrderStatus::PendingConfirmation) else {
            return Ok(ResendOutcome::NoPendingOrder);
        };
        if order.challenge.confirm_by == ConfirmBy::VoicePin {
            // No code was ever sent for it, and none may open it: a code needs a new order.
            return Ok(ResendOutcome::NeedsNewOrder(order));
        }
        let destination = profile
            .code_destination()
            .filter(|d| d.channel() == order.challenge.channel && d.masked() == order.challenge.destination)
            .ok_or(ServiceError::ContactChanged)?;
        let budget = self.store.guess_budget(user).await?;
        budget.check_open(now).map_err(ServiceError::Blocked)?;
        let guesses_before_lock = self.budget.lock_after().saturating_sub(budget.failures);
        self.reserve_send(user, now).await?;
        let order = match &self.codes {
            CodeIssuer::Delegated(channel) => {
                self.before_telling_anyone().await?;
                channel.send_code(profile, &destination).await?;
                order
            }
            CodeIssuer::Builtin(codes) => {
                let Some(previous) = order.challenge.code_hash.clone() else {
                    return Ok(ResendOutcome::NeedsNewOrder(order));
                };
                // The new MAC replaces the old one before the code goes out: from then on only
                // the new code opens the order, and of two new codes at once one is kept.
                let code = codes.generate();
                let sealed = codes.seal(&order, &code);
                let resealed = self.store.reseal_code(user, &order.id, &previous, &sealed, now).await?;
                let text = crate::builtin_codes::message(&code, &resealed);
                self.before_telling_anyone().await?;
                codes.sender().deliver(&destination, &text).await?;
                resealed
            }
        };
        crate::metrics::note_code_sent(destination.channel());
        let sent = ActivityKind::CodeSent {
            channel: destination.channel(),
            to: destination.masked(),
            purpose: CodePurpose::Order,
        };
        self.record(ActivityEvent::new(user, now, source, sent).for_order(order.id)).await;
        tracing::info!(order_id = %order.id, channel = destination.channel().connection(), "code sent again");
        Ok(ResendOutcome::Sent { order, guesses_before_lock })
    }

    /// Checks a code against the user's pending order.
    /// The pending order and the profile do not depend on each other: both are fetched at once.
    pub async fn authorize_pending(
        &self,
        user: &UserId,
        code: &Code,
        source: Source,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        self.authorize_pending_by(user, code, None, source).await
    }

    /// [`authorize_pending`](Self::authorize_pending) said by `speaker` (the voice Alexa
    /// recognised, if any): an order placed by another recognised voice refuses the code
    /// unchecked and counts it as a wrong one.
    pub async fn authorize_pending_by(
        &self,
        user: &UserId,
        code: &Code,
        speaker: Option<&PersonId>,
        source: Source,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        let read = self.read_for_code_check(user).await;
        self.authorize_read(read, code, speaker, source).await
    }

    /// What a code check reads before it changes anything: the user's pending order and their
    /// profile, at once. The skill reads it beside the request's replay claim, so that a code
    /// check waits for no read of its own ([`authorize_read`](Self::authorize_read)).
    pub async fn read_for_code_check(&self, user: &UserId) -> CodeCheckRead {
        let (pending, profile) = tokio::join!(self.store.pending_for(user), self.user_profile(user));
        CodeCheckRead { pending: pending.map_err(ServiceError::from), profile }
    }

    /// [`authorize_pending_by`](Self::authorize_pending_by) on what
    /// [`read_for_code_check`](Self::read_for_code_check) read.
    pub async fn authorize_read(
        &self,
        read: CodeCheckRead,
        code: &Code,
        speaker: Option<&PersonId>,
        source: Source,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        self.authorize_read_answering(read, code, speaker, source, None, None).await
    }

    /// [`authorize_read`](Self::authorize_read), and with `answer` the request's answer stored
    /// in the check's last write where the store has one such transaction.
    pub async fn authorize_read_answering(
        &self,
        read: CodeCheckRead,
        code: &Code,
        speaker: Option<&PersonId>,
        source: Source,
        answer: Option<&AnswerOnClaim<'_, AuthorizeOutcome>>,
        reserved: Option<GuessReserved>,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        match read.pending {
            Ok(Some(order)) => {
                let profile = Some(read.profile);
                Box::pin(self.authorize(order, Factor::Code(code), speaker, profile, source, answer, reserved)).await
            }
            Ok(None) => {
                self.unspent(reserved).await;
                Ok(AuthorizeOutcome::NoPendingOrder)
            }
            Err(error) => {
                self.unspent(reserved).await;
                Err(error)
            }
        }
    }

    /// Checks a code against one order of the user's.
    pub async fn authorize_order(
        &self,
        user: &UserId,
        id: &OrderId,
        code: &Code,
        source: Source,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        let order = self.store.get(user, id).await?.ok_or(ServiceError::OrderNotFound)?;
        Box::pin(self.authorize(order, Factor::Code(code), None, None, source, None, None)).await
    }

    /// `profile`: the owner's profile if already fetched. (Callers box its future: it holds the
    /// check's every step, too large to move around on a debug build's stack.)
    ///
    /// The account's guess budget is charged before the code is checked (one
    /// conditional write that refuses while paused or locked), so no code is ever
    /// checked past a block, however many arrive at once. A right code resets the
    /// budget; a check that never happened gives the guess back. `reserved`: the guess already
    /// taken with the request's claim (then none is reserved here; an early end gives it back).
    ///
    /// `factor`: a code, or Alexa's voice PIN verdict; `speaker`: the voice Alexa recognised. A
    /// factor the order does not take ([`Order::may_be_confirmed`]) from another voice is charged
    /// and counted as a wrong code without checking the code, so the answer never says which was wrong.
    #[allow(clippy::too_many_arguments)]
    async fn authorize(
        &self,
        order: Order,
        factor: Factor<'_>,
        speaker: Option<&PersonId>,
        profile: Option<Result<UserProfile, ServiceError>>,
        source: Source,
        answer: Option<&AnswerOnClaim<'_, AuthorizeOutcome>>,
        reserved: Option<GuessReserved>,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        let now = self.clock.now();
        let ReadyToGuess { allowed, profile, destination } =
            match self.ready_to_guess(&order, factor, speaker, profile, now).await {
                Ok(ready) => ready,
                Err(ended) => {
                    self.unspent(reserved).await;
                    return match ended {
                        BeforeTheGuess::Expired => self.expire(order).await,
                        BeforeTheGuess::Refused(error) => Err(error),
                    };
                }
            };
        let guess = match reserved {
            Some(_) => Guess::Quiet,
            None => {
                let reserve = BudgetChange::Reserve { now, policy: self.budget.clone() };
                Guess::Counted(self.store.change_budget(&order.user_id, &reserve).await?)
            }
        };
        let verdict = match (allowed, factor, &self.codes) {
            (Err(_), _, _) => {
                tracing::warn!(order_id = %order.id, factor = factor.confirm_by().name(),
                    "another voice than the one that ordered: refused unchecked and counted");
                CodeCheck::Rejected
            }
            (Ok(()), Factor::VoicePin(VoicePinVerdict::Achieved), _) => CodeCheck::Accepted,
            (Ok(()), Factor::VoicePin(VoicePinVerdict::NotAchieved), _) => CodeCheck::Rejected,
            (Ok(()), Factor::Code(code), CodeIssuer::Delegated(channel)) => {
                self.delegated_check(channel.as_ref(), &profile, &destination, code, &guess).await?
            }
            (Ok(()), Factor::Code(code), CodeIssuer::Builtin(codes)) if codes.opens(&order, code) => {
                CodeCheck::Accepted
            }
            (Ok(()), Factor::Code(_), CodeIssuer::Builtin(_)) => CodeCheck::Rejected,
        };
        let now = self.clock.now();
        let user = &order.user_id;
        // Whether the lock's entry went with the last try's count (one transaction).
        let mut lock_recorded = false;
        let result = match verdict {
            CodeCheck::Expired => {
                // The provider's code ran out: reported as expired, never counted as a guess.
                self.refund(user, &guess).await;
                return self.expire_early(order, now).await;
            }
            CodeCheck::Accepted => {
                let recorded = ActivityEvent::new(user, now, source, ActivityKind::Confirmed).for_order(order.id);
                // The confirmation, the budget's reset, the entry and the answer: one transaction
                // where the store has one and the order is as read; else step by step.
                // Boxed, as every step of the check's large future.
                let finished = Box::pin(self.finish_answering(
                    &order,
                    Transition::Confirm,
                    now,
                    std::slice::from_ref(&recorded),
                    true,
                    answer,
                    AuthorizeOutcome::Confirmed,
                ))
                .await;
                let (confirmed, finished) = match finished {
                    Ok(Some(confirmed)) => (Ok(confirmed), true),
                    Ok(None) => (self.store.transition(user, &order.id, Transition::Confirm, now).await, false),
                    Err(error) => (Err(error), false),
                };
                if confirmed.is_ok() {
                    // The budget's reset and the entry: one step where the store has one.
                    let reset = async {
                        if finished {
                            return;
                        }
                        let reset = self.store.change_budget_recorded(user, &BudgetChange::Succeed, &recorded).await;
                        if let Err(error) = reset {
                            tracing::error!(%error, "a right code could not reset the guess budget");
                        }
                    };
                    // The receipt goes once the confirmation and the answer are on disk: beside
                    // the activity entry on DynamoDB, after the request's last flush embedded.
                    let receipt = confirmed.as_ref().ok().map(|order| (self.clone(), profile.clone(), order.clone()));
                    let receipt = crate::durability::when_durable(async move {
                        if let Some((service, profile, order)) = receipt {
                            service.send_receipt(&profile, &order).await;
                        }
                    });
                    tokio::join!(reset, receipt);
                }
                confirmed.map(AuthorizeOutcome::Confirmed)
            }
            CodeCheck::Rejected => {
                let account = guess.if_wrong(&self.budget);
                let outcome = |order: Order| match order.wrong_code_outcome() {
                    WrongCodeOutcome::Locked => AuthorizeOutcome::Locked { order, account },
                    WrongCodeOutcome::TriesLeft(tries_left) => {
                        AuthorizeOutcome::WrongCode { order, tries_left, account }
                    }
                };
                let wrong = ActivityEvent::new(user, now, source, ActivityKind::WrongCode).for_order(order.id);
                // The count, its entry (and the lock's, if this was the last try) and the answer:
                // one transaction where the store has one and the order is as read.
                let mut entries = vec![wrong.clone()];
                let mut after = order.clone();
                if after.apply(Transition::RecordWrongCode, now).is_ok() && after.status == OrderStatus::Locked {
                    entries.push(ActivityEvent::new(user, now, source, ActivityKind::OrderLocked).for_order(order.id));
                }
                let counted = Box::pin(async {
                    let finished = Box::pin(self.finish_answering(
                        &order,
                        Transition::RecordWrongCode,
                        now,
                        &entries,
                        false,
                        answer,
                        outcome,
                    ))
                    .await?;
                    match finished {
                        Some(order) => Ok((order, true)),
                        None => self
                            .store
                            .transition_recorded(user, &order.id, Transition::RecordWrongCode, now, &wrong)
                            .await
                            .map(|order| (order, false)),
                    }
                });
                // The order's count and any block's notice do not wait for each other.
                let ((), counted) = tokio::join!(self.account_blocked(&profile, &destination, &guess, source), counted);
                counted.map(|(order, finished)| {
                    lock_recorded = finished;
                    outcome(order)
                })
            }
        };
        if let Ok(AuthorizeOutcome::Locked { order, .. }) = &result
            && !lock_recorded
        {
            self.record(ActivityEvent::new(user, now, source, ActivityKind::OrderLocked).for_order(order.id)).await;
        }
        match result {
            Err(StoreError::Transition(TransitionError::ChallengeExpired)) => self.expire(order).await,
            other => {
                let outcome = other?;
                tracing::info!(
                    order_id = %order.id,
                    factor = factor.confirm_by().name(),
                    outcome = outcome_name(&outcome),
                    "code checked"
                );
                Ok(outcome)
            }
        }
    }

    /// Sends the receipt of a confirmed `order` to the owner's verified email, if there is one
    /// and a delivery for messages (notices or the builtin codes'). Never undoes or fails the
    /// confirmation: a failed delivery is tried once more, then logged (without the address).
    async fn send_receipt(&self, profile: &UserProfile, order: &Order) {
        let Some(email) = profile.email.as_ref().filter(|_| profile.email_verified) else {
            tracing::info!(order_id = %order.id, "no verified email: the receipt is on the Alexa app card only");
            return;
        };
        let Some(sender) = self.message_sender() else {
            tracing::warn!(order_id = %order.id, "no delivery for messages: no receipt email");
            return;
        };
        let to = Destination::Email(email.clone());
        let text = crate::receipt::receipt_email(order);
        if let Err(error) = self.before_telling_anyone().await {
            tracing::error!(order_id = %order.id, %error, "the confirmation is not on disk: no receipt email");
            return;
        }
        let first = sender.deliver(&to, &text).await;
        let outcome = match first {
            Ok(()) => Ok(()),
            Err(_) => sender.deliver(&to, &text).await,
        };
        match outcome {
            Ok(()) => tracing::info!(order_id = %order.id, to = %to.masked(), "receipt sent"),
            Err(error) => tracing::error!(
                order_id = %order.id,
                to = %to.masked(),
                %error,
                "the receipt could not be sent (twice); the order stays confirmed"
            ),
        }
    }

    /// Makes what this request wrote durable before anything leaves Pod: a code's send, its
    /// check at the provider, a notice or a receipt ([`crate::durability::settle`]; nothing to
    /// do outside a request that defers its writes, or on DynamoDB).
    async fn before_telling_anyone(&self) -> Result<(), ServiceError> {
        crate::durability::settle().await.map_err(ServiceError::Store)
    }

    /// Reserves one code send for `user` at `now` (the rolling hourly limit).
    async fn reserve_send(&self, user: &UserId, now: Timestamp) -> Result<(), ServiceError> {
        self.store
            .reserve_code_send(user, now, self.policy.sends_per_hour)
            .await
            .map_err(|error| send_refused(error, now))
    }

    /// The code provider's verdict on `code`; if it could not check it, the reserved guess goes back.
    ///
    /// The check does not wait for the request's writes (the claim, the guess) to reach the disk:
    /// its verdict reaches no one but through the answer, the notice or the receipt, which each
    /// wait for them ([`crate::durability`]). A crash in between loses a guess whose verdict
    /// nobody heard.
    async fn delegated_check(
        &self,
        channel: &dyn CodeChannel,
        profile: &UserProfile,
        destination: &Destination,
        code: &Code,
        guess: &Guess,
    ) -> Result<CodeCheck, ServiceError> {
        match channel.verify_code(profile, destination, code).await {
            Ok(verdict) => Ok(verdict),
            Err(error) => {
                self.refund(&profile.user_id, guess).await;
                Err(error.into())
            }
        }
    }

    /// Gives back a reserved guess whose code was never checked.
    async fn refund(&self, user: &UserId, guess: &Guess) {
        if let Err(error) = self.store.change_budget(user, &guess.unchecked()).await {
            tracing::error!(%error, "a guess that was not checked could not be given back");
        }
    }

    /// Gives back a guess reserved with the request's claim that no code check spent.
    async fn unspent(&self, reserved: Option<GuessReserved>) {
        if let Some(GuessReserved { user }) = reserved {
            self.refund(&user, &Guess::Quiet).await;
        }
    }

    /// What a code check finds before it takes its guess, or why it ends there: the order still
    /// takes a confirmation at `now`, by this factor (an order waiting for the voice PIN takes no
    /// code), and its code went to the owner's contact as it is now.
    async fn ready_to_guess(
        &self,
        order: &Order,
        factor: Factor<'_>,
        speaker: Option<&PersonId>,
        profile: Option<Result<UserProfile, ServiceError>>,
        now: Timestamp,
    ) -> Result<ReadyToGuess, BeforeTheGuess> {
        let refused = |error: ServiceError| BeforeTheGuess::Refused(error);
        match order.check(Transition::Confirm, now) {
            Ok(()) => {}
            Err(TransitionError::ChallengeExpired) => return Err(BeforeTheGuess::Expired),
            Err(other) => return Err(refused(ServiceError::WrongState(other))),
        }
        let allowed = order.may_be_confirmed(factor.confirm_by(), speaker);
        if allowed == Err(Refusal::AwaitsVoicePin) {
            return Err(refused(ServiceError::WrongState(TransitionError::AwaitsVoicePin)));
        }
        let profile = match profile {
            Some(fetched) => fetched.map_err(refused)?,
            None => self.user_profile(&order.user_id).await.map_err(refused)?,
        };
        let destination = profile
            .code_destination()
            .filter(|d| d.channel() == order.challenge.channel && d.masked() == order.challenge.destination)
            .ok_or(refused(ServiceError::ContactChanged))?;
        Ok(ReadyToGuess { allowed, profile, destination })
    }

    /// When this wrong guess paused or locked voice ordering: the record, and a notice to the owner.
    async fn account_blocked(&self, profile: &UserProfile, to: &Destination, guess: &Guess, source: Source) {
        let user = &profile.user_id;
        let now = self.clock.now();
        let (what, text) = match guess.if_wrong(&self.budget) {
            IfWrong::Open => return,
            IfWrong::Paused { until, .. } => (
                ActivityKind::VoiceOrderingPaused { until },
                self.notice_text(&format!("paused until {}", until.to_human())),
            ),
            IfWrong::Locked => (
                ActivityKind::VoiceOrderingLocked,
                self.notice_text("locked until you unlock it in the Pizza on Demand web app"),
            ),
        };
        tracing::warn!(kind = what.name(), "too many wrong codes for this account");
        self.record(ActivityEvent::new(user, now, source, what)).await;
        if let Err(error) = self.before_telling_anyone().await {
            tracing::error!(%error, "the block is not on disk: the owner is not told yet");
            return;
        }
        if let Some(sender) = self.message_sender()
            && let Err(error) = sender.deliver(to, &text).await
        {
            tracing::error!(%error, "the owner could not be told that voice ordering is blocked");
        }
    }

    fn notice_text(&self, state: &str) -> String {
        let act = match self.web_app() {
            Some(url) => format!(" See or change this at {url}/security."),
            None => String::new(),
        };
        format!(
            "Pizza on Demand security notice (this is not a code): someone gave wrong codes for your \
             Pizza on Demand account; voice ordering is {state}.{act}"
        )
    }

    /// Appends to the user's record; a record that cannot be written is logged, never lost silently.
    async fn record(&self, event: ActivityEvent) {
        if let Err(error) = self.store.record_activity(&event).await {
            crate::ports::entry_not_written(&event, &error);
        }
    }

    /// Starts enrolling `phone` as the number codes go to: a code goes to it (the same
    /// channel, send limit and guess budget as orders) and it is used only once that code
    /// comes back. Replaces any enrollment the user had started.
    pub async fn start_phone_enrollment(
        &self,
        user: &UserId,
        phone: PhoneNumber,
        source: Source,
    ) -> Result<PhoneEnrollment, ServiceError> {
        let now = self.clock.now();
        let (budget, profile) = tokio::join!(self.store.guess_budget(user), self.user_profile(user));
        budget?.check_open(now).map_err(ServiceError::Blocked)?;
        let profile = profile?;
        self.reserve_send(user, now).await?;
        let mut enrollment =
            PhoneEnrollment::start(user.clone(), phone, self.policy.ttl, self.policy.max_attempts, now);
        let destination = Destination::Sms(enrollment.phone.clone());
        self.before_telling_anyone().await?;
        match &self.codes {
            CodeIssuer::Delegated(channel) => channel.send_code(&profile, &destination).await?,
            CodeIssuer::Builtin(codes) => {
                let code = codes.generate();
                enrollment.code_hash = Some(codes.seal_enrollment(&enrollment, &code));
                let text = crate::builtin_codes::enrollment_message(&code, &enrollment);
                codes.sender().deliver(&destination, &text).await?;
            }
        }
        crate::metrics::note_code_sent(crate::domain::Channel::Sms);
        self.store.start_enrollment(&enrollment).await?;
        let sent = ActivityKind::CodeSent {
            channel: destination.channel(),
            to: destination.masked(),
            purpose: CodePurpose::Enrollment,
        };
        self.record(ActivityEvent::new(user, now, source, sent)).await;
        tracing::info!(to = %destination.masked(), "enrollment code sent");
        Ok(enrollment)
    }

    /// The user's phone waiting for its enrollment code, if any (and not yet expired).
    pub async fn pending_enrollment(&self, user: &UserId) -> Result<Option<PhoneEnrollment>, ServiceError> {
        let now = self.clock.now();
        Ok(self.store.pending_enrollment(user).await?.filter(|e| e.check(e.id, now).is_ok()))
    }

    /// Checks the code sent to the phone being enrolled, under the account's guess budget.
    /// The right code makes the phone the one codes go to, and the contact codes went to
    /// before is told of the change.
    pub async fn confirm_phone_enrollment(
        &self,
        user: &UserId,
        code: &Code,
        source: Source,
    ) -> Result<EnrollmentOutcome, ServiceError> {
        let now = self.clock.now();
        let (pending, profile) = tokio::join!(self.store.pending_enrollment(user), self.user_profile(user));
        let enrollment = pending?.ok_or(ServiceError::Enrollment(EnrollmentError::NotPending))?;
        enrollment.check(enrollment.id, now).map_err(ServiceError::Enrollment)?;
        let profile = profile?;
        let destination = Destination::Sms(enrollment.phone.clone());
        let reserve = BudgetChange::Reserve { now, policy: self.budget.clone() };
        let guess = Guess::Counted(self.store.change_budget(user, &reserve).await?);
        let verdict = match &self.codes {
            CodeIssuer::Delegated(channel) => {
                self.delegated_check(channel.as_ref(), &profile, &destination, code, &guess).await?
            }
            CodeIssuer::Builtin(codes) if codes.opens_enrollment(&enrollment, code) => CodeCheck::Accepted,
            CodeIssuer::Builtin(_) => CodeCheck::Rejected,
        };
        let now = self.clock.now();
        match verdict {
            CodeCheck::Expired => {
                self.refund(user, &guess).await;
                Err(ServiceError::Enrollment(EnrollmentError::Expired))
            }
            CodeCheck::Accepted => {
                let before = profile.code_destination();
                self.store.complete_enrollment(user, enrollment.id, now).await?;
                if let Err(error) = self.store.change_budget(user, &BudgetChange::Succeed).await {
                    tracing::error!(%error, "a right code could not reset the guess budget");
                }
                let to = destination.masked();
                let previous = before.filter(|b| *b != destination);
                let what = match &previous {
                    Some(from) => ActivityKind::ContactChanged { from: from.masked(), to: to.clone() },
                    None => ActivityKind::ContactVerified { to: to.clone() },
                };
                self.record(ActivityEvent::new(user, now, source, what)).await;
                let previous_told = match &previous {
                    Some(from) => self.tell_previous_contact(from, &to).await,
                    None => false,
                };
                tracing::info!(to = %to, "phone enrolled");
                Ok(EnrollmentOutcome::Verified { phone: to, previous: previous.map(|p| p.masked()), previous_told })
            }
            CodeCheck::Rejected => {
                self.record(ActivityEvent::new(user, now, source, ActivityKind::WrongCode)).await;
                // The owner hears of a block on the contact codes go to now, not on the new number.
                if let Some(owner) = profile.code_destination() {
                    self.account_blocked(&profile, &owner, &guess, source).await;
                }
                let account = guess.if_wrong(&self.budget);
                let counted = self.store.enrollment_wrong_code(user, enrollment.id, now).await?;
                Ok(EnrollmentOutcome::WrongCode { tries_left: counted.attempts_left(), account })
            }
        }
    }

    /// Tells the contact codes used to go to that they now go elsewhere; whether it went out.
    async fn tell_previous_contact(&self, previous: &Destination, now_to: &MaskedDestination) -> bool {
        let Some(sender) = self.message_sender() else {
            tracing::warn!("no delivery for notices: the previous contact is not told of the change");
            return false;
        };
        let act =
            self.web_app().map(|url| format!(" If this was not you, sign in at {url}/security.")).unwrap_or_default();
        let text = format!(
            "Pizza on Demand security notice (this is not a code): order codes for your Pizza on Demand \
             account now go to the {now_to}, not here.{act}"
        );
        if let Err(error) = self.before_telling_anyone().await {
            tracing::error!(%error, "the change is not on disk: the previous contact is not told yet");
            return false;
        }
        match sender.deliver(previous, &text).await {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(%error, "the previous contact could not be told of the change");
                false
            }
        }
    }

    /// Whether owners are told of pauses, locks and changed contacts (a notice delivery is set up).
    pub fn tells_owners(&self) -> bool {
        self.message_sender().is_some()
    }

    /// Who delivers notices: the notice sender, or else the builtin codes' sender.
    fn message_sender(&self) -> Option<&dyn MessageSender> {
        match (&self.notices, &self.codes) {
            (Some(notices), _) => Some(notices.as_ref()),
            (None, CodeIssuer::Builtin(codes)) => Some(codes.sender()),
            (None, CodeIssuer::Delegated(_)) => None,
        }
    }

    /// The user's guess budget as stored.
    pub async fn guess_budget(&self, user: &UserId) -> Result<GuessBudget, ServiceError> {
        Ok(self.store.guess_budget(user).await?)
    }

    /// What placing an order checks first, either way: a verified contact (the code, notices and
    /// the receipt go there) and voice ordering open by the guess budget as read.
    /// The order's supersede, and with `answer` the request's answer in the same transaction,
    /// rendered for the order as placed (where the store has one such transaction).
    async fn insert_answering(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        pending: Option<PendingSeen>,
        guesses_before_lock: u32,
        answer: Option<&AnswerOnClaim<'_, PlacedOrder>>,
    ) -> Result<Option<OrderId>, ServiceError> {
        let Some(answer) = answer else { return Ok(self.store.insert_superseding_after(order, sent, pending).await?) };
        let render = |superseded: &Option<OrderId>| self.placed_answer(order, *superseded, guesses_before_lock, answer);
        let (superseded, stored) = self.store.insert_superseding_answered(order, sent, pending, &render).await?;
        answer.stored.store(stored, Ordering::Relaxed);
        Ok(superseded)
    }

    /// A code check's last write and, with `answer`, the request's answer rendered for
    /// `outcome` of the order after, in one transaction where the store has one. `None`: nothing
    /// was written, and the caller writes step by step.
    #[allow(clippy::too_many_arguments)]
    async fn finish_answering(
        &self,
        seen: &Order,
        transition: Transition,
        now: Timestamp,
        entries: &[ActivityEvent],
        reset_budget: bool,
        answer: Option<&AnswerOnClaim<'_, AuthorizeOutcome>>,
        outcome: impl Fn(Order) -> AuthorizeOutcome + Send + Sync,
    ) -> Result<Option<Order>, StoreError> {
        let Some(answer) = answer else { return Ok(None) };
        let render =
            |after: &Order| (answer.render)(&outcome(after.clone())).map(|text| self.claim_answer(answer.key, text));
        let finished = self.store.finish_answered(seen, transition, now, entries, reset_budget, &render).await?;
        answer.stored.store(finished.is_some(), Ordering::Relaxed);
        Ok(finished)
    }

    /// The request's answer for `order` as placed, superseding `superseded`, as its claim keeps it.
    fn placed_answer(
        &self,
        order: &Order,
        superseded: Option<OrderId>,
        guesses_before_lock: u32,
        answer: &AnswerOnClaim<'_, PlacedOrder>,
    ) -> Option<ClaimAnswer> {
        let placed = PlacedOrder { order: order.clone(), superseded, guesses_before_lock };
        (answer.render)(&placed).map(|text| self.claim_answer(answer.key, text))
    }

    /// `answer` as the claim of `key` keeps it: for [`ANSWER_MEMORY`] from now.
    fn claim_answer(&self, key: &RequestKey, answer: String) -> ClaimAnswer {
        ClaimAnswer { key: key.clone(), answer, expires: self.clock.now().plus(ANSWER_MEMORY) }
    }

    fn admit_order(&self, profile: &UserProfile, read: OrderRead) -> Result<Admitted, ServiceError> {
        let destination = profile.code_destination().ok_or(ServiceError::NoVerifiedContact)?;
        let now = self.clock.now();
        let OrderRead { budget, pending } = read;
        let budget = budget?;
        budget.check_open(now).map_err(ServiceError::Blocked)?;
        let guesses_before_lock = self.budget.lock_after().saturating_sub(budget.failures);
        Ok(Admitted { destination, now, pending, guesses_before_lock })
    }

    /// What placing an order reads, at once: the guess budget and what the supersede starts
    /// from. The latter only saves a read: when it fails, the supersede reads again.
    pub async fn read_for_order(&self, user: &UserId) -> OrderRead {
        // Boxed: two store calls side by side make a large future.
        let (budget, pending) =
            tokio::join!(Box::pin(self.store.guess_budget(user)), Box::pin(self.store.pending_seen(user)));
        let pending = pending.unwrap_or_else(|error| {
            tracing::debug!(%error, "the pending order could not be read ahead; the supersede reads it");
            None
        });
        OrderRead { budget: budget.map_err(ServiceError::from), pending }
    }

    /// The signed-in owner unlocks voice ordering (and clears any pause).
    pub async fn unlock_voice_ordering(&self, user: &UserId, source: Source) -> Result<GuessBudget, ServiceError> {
        let write = self.store.change_budget(user, &BudgetChange::Unlock).await?;
        self.record(ActivityEvent::new(user, self.clock.now(), source, ActivityKind::VoiceOrderingUnlocked)).await;
        tracing::info!("voice ordering unlocked by the owner");
        Ok(write.after)
    }

    /// The user's record of step-ups, newest first.
    pub async fn activity(
        &self,
        user: &UserId,
        limit: u32,
        after: Option<ActivityId>,
    ) -> Result<ActivityPage, ServiceError> {
        Ok(self.store.list_activity(user, limit, after).await?)
    }

    /// The provider's code ran out before Pod's challenge did (the two lifetimes are meant to
    /// match): the order expires now.
    async fn expire_early(&self, order: Order, now: Timestamp) -> Result<AuthorizeOutcome, ServiceError> {
        tracing::warn!(order_id = %order.id, "the provider's code expired before Pod's challenge");
        match self.store.transition(&order.user_id, &order.id, Transition::ProviderExpired, now).await {
            Ok(expired) => Ok(AuthorizeOutcome::Expired(expired)),
            Err(StoreError::Transition(t)) => Err(ServiceError::WrongState(t)),
            Err(other) => Err(other.into()),
        }
    }

    async fn expire(&self, order: Order) -> Result<AuthorizeOutcome, ServiceError> {
        let now = self.clock.now();
        match self.store.transition(&order.user_id, &order.id, Transition::Expire, now).await {
            Ok(expired) => Ok(AuthorizeOutcome::Expired(expired)),
            // Someone else moved it first (e.g. a racing confirmation): report what is stored.
            Err(StoreError::Transition(t)) => Err(ServiceError::WrongState(t)),
            Err(other) => Err(other.into()),
        }
    }

    /// Claims `key` for this delivery before it acts (see [`OrderStore::claim_request`]); the
    /// claim and its answer are kept [`ANSWER_MEMORY`], for repeats.
    pub async fn claim_request(&self, key: &RequestKey) -> Result<RequestClaim, ServiceError> {
        let now = self.clock.now();
        Ok(self.store.claim_request(key, now, now.plus(ANSWER_MEMORY)).await?)
    }

    /// [`claim_request`](Self::claim_request) for a code check: with the claim, where the store
    /// can, one guess of the user's budget reserved far from any block
    /// ([`OrderStore::claim_request_reserving`]), for the check to spend or give back.
    pub async fn claim_request_reserving(
        &self,
        key: &RequestKey,
    ) -> Result<(RequestClaim, Option<GuessReserved>), ServiceError> {
        let now = self.clock.now();
        let (claim, reserved) =
            self.store.claim_request_reserving(key, now, now.plus(ANSWER_MEMORY), &self.budget).await?;
        Ok((claim, reserved.then(|| GuessReserved { user: key.user().clone() })))
    }

    /// Gives back a guess reserved with a request's claim that will not be spent (the request
    /// turned out not to check a code).
    pub async fn give_back(&self, reserved: GuessReserved) {
        self.unspent(Some(reserved)).await;
    }

    /// Stores the answer on this delivery's claim of `key`, so that a repeat gets the same.
    /// Returns whether it was stored (`false`: the claim was no longer in progress).
    pub async fn answer_request(&self, key: &RequestKey, answer: &str) -> Result<bool, ServiceError> {
        let expires = self.clock.now().plus(ANSWER_MEMORY);
        Ok(self.store.answer_request(key, answer, expires).await?)
    }

    pub async fn list_orders(&self, user: &UserId, page: PageRequest) -> Result<OrderPage, ServiceError> {
        Ok(self.store.list(user, page).await?)
    }

    pub async fn get_order(&self, user: &UserId, id: &OrderId) -> Result<Order, ServiceError> {
        self.store.get(user, id).await?.ok_or(ServiceError::OrderNotFound)
    }

    pub async fn cancel_order(&self, user: &UserId, id: &OrderId) -> Result<Order, ServiceError> {
        Ok(self.store.transition(user, id, Transition::Cancel, self.clock.now()).await?)
    }

    /// The user's pending order, if any, as a reader should see it now.
    pub async fn pending_order(&self, user: &UserId) -> Result<Option<Order>, ServiceError> {
        let now = self.clock.now();
        Ok(self.store.pending_for(user).await?.filter(|o| o.status_at(now) == OrderStatus::PendingConfirmation))
    }

    /// The right to erasure: deletes everything Pod holds about `user` (see
    /// [`OrderStore::erase_user`]) and keeps only the entry that says when. Idempotent.
    pub async fn erase_user_data(
        &self,
        user: &UserId,
        source: Source,
    ) -> Result<crate::domain::ErasureReport, ServiceError> {
        let report = self.store.erase_user(user, self.clock.now()).await?;
        tracing::info!(source = source.name(), deleted = report.deleted, "a user's data was erased");
        Ok(report)
    }

    /// Remembers that the Alexa account `alexa` is linked to `user`, for the events that name
    /// only the Alexa account (`SkillDisabled`).
    pub async fn link_alexa_user(&self, alexa: &crate::domain::AlexaUserId, user: &UserId) -> Result<(), ServiceError> {
        Ok(self.store.link_alexa_user(alexa, user, self.clock.now()).await?)
    }

    /// Erases the data of the Pod user the Alexa account was linked to; `None` when Pod never
    /// saw that account linked (then it holds nothing it could tell belongs to it).
    pub async fn erase_alexa_user_data(
        &self,
        alexa: &crate::domain::AlexaUserId,
    ) -> Result<Option<crate::domain::ErasureReport>, ServiceError> {
        match self.store.alexa_user_link(alexa).await? {
            Some(user) => Ok(Some(self.erase_user_data(&user, Source::Voice).await?)),
            None => Ok(None),
        }
    }

    /// Records something that happened to the user's account outside a step-up (e.g. the
    /// Alexa account linked); a failure is logged, never the caller's problem.
    pub async fn record_account_event(&self, user: &UserId, source: Source, what: ActivityKind) {
        self.record(ActivityEvent::new(user, self.clock.now(), source, what)).await;
    }
}

/// A store's refusal of a code's send at `now`: a full send window is the caller's to wait out.
fn send_refused(error: StoreError, now: Timestamp) -> ServiceError {
    match error {
        StoreError::RateLimited { retry_at } => {
            ServiceError::TooManyCodes { retry_after_seconds: now.seconds_until(retry_at).max(1) }
        }
        other => other.into(),
    }
}

fn outcome_name(outcome: &AuthorizeOutcome) -> &'static str {
    match outcome {
        AuthorizeOutcome::Confirmed(_) => "confirmed",
        AuthorizeOutcome::WrongCode { .. } => "wrong_code",
        AuthorizeOutcome::Locked { .. } => "locked",
        AuthorizeOutcome::Expired(_) => "expired",
        AuthorizeOutcome::NoPendingOrder => "no_pending_order",
    }
}
