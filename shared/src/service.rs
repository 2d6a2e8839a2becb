//! The use cases that the skill, the api and the web app share.

use crate::builtin_codes::BuiltinCodes;
use crate::domain::{
    ChallengePolicy, Code, Order, OrderId, OrderStatus, Pizza, Transition, TransitionError, UserId, WrongCodeOutcome,
};
use crate::ports::{
    AuthError, Clock, CodeChannel, CodeCheck, IdentityError, IdentityProvider, OrderPage, OrderStore, PageRequest,
    StoreError, UserProfile,
};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in: {0}")]
    Unauthenticated(#[from] AuthError),
    #[error("your profile has neither a phone number nor an email address to send a code to")]
    NoContact,
    #[error("the contact on file changed since the code was sent")]
    ContactChanged,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("the code could not be delivered: {0}")]
    Delivery(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("no such order")]
    OrderNotFound,
    #[error("too many codes were sent in the last hour; try again in {retry_after_seconds} seconds")]
    TooManyCodes { retry_after_seconds: u64 },
    #[error("{0}")]
    WrongState(TransitionError),
}

impl From<StoreError> for ServiceError {
    fn from(value: StoreError) -> Self {
        match value {
            StoreError::NotFound => ServiceError::OrderNotFound,
            StoreError::Transition(t) => ServiceError::WrongState(t),
            other => ServiceError::Store(other),
        }
    }
}

/// How long the answer to a request id is replayed for repeats.
pub const ANSWER_MEMORY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The result of placing an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    pub order: Order,
    /// The pending order this one replaced (now cancelled), if any.
    pub superseded: Option<OrderId>,
}

/// What a spoken or typed code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    Confirmed(Order),
    WrongCode { order: Order, tries_left: u32 },
    Locked(Order),
    Expired(Order),
    NoPendingOrder,
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
}

impl OrderService {
    pub fn new(
        store: Arc<dyn OrderStore>,
        identity: Arc<dyn IdentityProvider>,
        codes: Arc<dyn CodeChannel>,
        clock: Arc<dyn Clock>,
        policy: ChallengePolicy,
    ) -> Self {
        Self { store, identity, codes: CodeIssuer::Delegated(codes), clock, policy }
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
    pub async fn place_order(&self, user: &UserId, pizza: Pizza) -> Result<PlacedOrder, ServiceError> {
        let profile = self.user_profile(user).await?;
        self.place_order_for(&profile, pizza).await
    }

    /// The user's profile (email and phone on file) from the identity provider.
    pub async fn user_profile(&self, user: &UserId) -> Result<UserProfile, ServiceError> {
        Ok(self.identity.profile(user).await?)
    }

    /// [`place_order`](Self::place_order) for a profile the caller already fetched
    /// (e.g. concurrently with something else).
    pub async fn place_order_for(&self, profile: &UserProfile, pizza: Pizza) -> Result<PlacedOrder, ServiceError> {
        let user = &profile.user_id;
        let destination = profile.code_destination().ok_or(ServiceError::NoContact)?;
        let now = self.clock.now();
        match self.store.reserve_code_send(user, now, self.policy.sends_per_hour).await {
            Err(StoreError::RateLimited { retry_at }) => {
                return Err(ServiceError::TooManyCodes { retry_after_seconds: now.seconds_until(retry_at).max(1) });
            }
            other => other?,
        }
        let mut order =
            Order::place(user.clone(), pizza, destination.channel(), destination.masked(), self.policy, now);
        match &self.codes {
            CodeIssuer::Delegated(channel) => channel.send_code(profile, &destination).await?,
            CodeIssuer::Builtin(codes) => {
                let code = codes.generate();
                order.challenge.code_hash = Some(codes.seal(&order, &code));
                let text = crate::builtin_codes::message(&code, &order);
                codes.sender().deliver(&destination, &text).await.map_err(|e| ServiceError::Delivery(e.0))?;
            }
        }
        let superseded = self.store.insert_superseding(&order).await?;
        tracing::info!(
            order_id = %order.id,
            channel = destination.channel().connection(),
            superseded = superseded.map(|id| id.to_string()),
            "order placed, code sent"
        );
        Ok(PlacedOrder { order, superseded })
    }

    /// Checks a code against the user's pending order.
    /// The pending order and the profile do not depend on each other: both are fetched at once.
    pub async fn authorize_pending(&self, user: &UserId, code: &Code) -> Result<AuthorizeOutcome, ServiceError> {
        let (pending, profile) = tokio::join!(self.store.pending_for(user), self.identity.profile(user));
        match pending? {
            Some(order) => self.authorize(order, code, Some(profile)).await,
            None => Ok(AuthorizeOutcome::NoPendingOrder),
        }
    }

    /// Checks a code against one order of the user's.
    pub async fn authorize_order(
        &self,
        user: &UserId,
        id: &OrderId,
        code: &Code,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        let order = self.store.get(user, id).await?.ok_or(ServiceError::OrderNotFound)?;
        self.authorize(order, code, None).await
    }

    /// `profile`: the owner's profile if already fetched.
    async fn authorize(
        &self,
        order: Order,
        code: &Code,
        profile: Option<Result<UserProfile, IdentityError>>,
    ) -> Result<AuthorizeOutcome, ServiceError> {
        let now = self.clock.now();
        match order.check(Transition::Confirm, now) {
            Ok(()) => {}
            Err(TransitionError::ChallengeExpired) => return self.expire(order).await,
            Err(other) => return Err(ServiceError::WrongState(other)),
        }
        let profile = match profile {
            Some(fetched) => fetched?,
            None => self.identity.profile(&order.user_id).await?,
        };
        let destination = profile
            .code_destination()
            .filter(|d| d.channel() == order.challenge.channel && d.masked() == order.challenge.destination)
            .ok_or(ServiceError::ContactChanged)?;
        let verdict = match &self.codes {
            CodeIssuer::Delegated(channel) => channel.verify_code(&profile, &destination, code).await?,
            CodeIssuer::Builtin(codes) if codes.opens(&order, code) => CodeCheck::Accepted,
            CodeIssuer::Builtin(_) => CodeCheck::Rejected,
        };
        let now = self.clock.now();
        let result = match verdict {
            CodeCheck::Accepted => self
                .store
                .transition(&order.user_id, &order.id, Transition::Confirm, now)
                .await
                .map(AuthorizeOutcome::Confirmed),
            CodeCheck::Rejected => {
                self.store.transition(&order.user_id, &order.id, Transition::RecordWrongCode, now).await.map(|order| {
                    match order.wrong_code_outcome() {
                        WrongCodeOutcome::Locked => AuthorizeOutcome::Locked(order),
                        WrongCodeOutcome::TriesLeft(tries_left) => AuthorizeOutcome::WrongCode { order, tries_left },
                    }
                })
            }
        };
        match result {
            Err(StoreError::Transition(TransitionError::ChallengeExpired)) => self.expire(order).await,
            other => {
                let outcome = other?;
                tracing::info!(order_id = %order.id, outcome = outcome_name(&outcome), "code checked");
                Ok(outcome)
            }
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

    /// The answer already given to this request id, for a repeated delivery.
    pub async fn answer_given(&self, request_id: &str) -> Result<Option<String>, ServiceError> {
        Ok(self.store.recall_answer(request_id, self.clock.now()).await?)
    }

    /// Remembers the answer given to a request id for a day, so a repeat gets the same.
    pub async fn remember_answer(&self, request_id: &str, answer: &str) -> Result<(), ServiceError> {
        let expires = self.clock.now().plus(ANSWER_MEMORY);
        Ok(self.store.remember_answer(request_id, answer, expires).await?)
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
}

fn outcome_name(outcome: &AuthorizeOutcome) -> &'static str {
    match outcome {
        AuthorizeOutcome::Confirmed(_) => "confirmed",
        AuthorizeOutcome::WrongCode { .. } => "wrong_code",
        AuthorizeOutcome::Locked(_) => "locked",
        AuthorizeOutcome::Expired(_) => "expired",
        AuthorizeOutcome::NoPendingOrder => "no_pending_order",
    }
}
