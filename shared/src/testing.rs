//! Test doubles of the ports, for tests of the faces (skill, api, web) that
//! are about what they say, not about Auth0. Enabled by the `test-doubles`
//! feature; never compiled into a deployed function. Auth0 itself is tested
//! over HTTP against the local identity provider in `pod-local`.

use crate::domain::{
    ActivityEvent, ActivityId, BudgetChange, Code, Destination, EmailAddress, EnrolledPhone, EnrollmentId, GuessBudget,
    Order, OrderId, PhoneEnrollment, PhoneNumber, RequestClaim, RequestKey, Timestamp, Transition, UserId,
};
use crate::ports::{
    ActivityPage, AuthError, BudgetWrite, Clock, CodeChannel, CodeCheck, IdentityError, IdentityProvider, OrderPage,
    OrderStore, PageRequest, StoreError, UserProfile,
};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn at(time: Timestamp) -> Self {
        Self(AtomicI64::new(time.unix_millis()))
    }

    pub fn advance_seconds(&self, seconds: i64) {
        self.0.fetch_add(seconds * 1000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.0.load(Ordering::SeqCst))
    }
}

/// A directory of users, each reachable by one bearer token.
#[derive(Debug, Default)]
pub struct FakeDirectory {
    users: HashMap<String, UserProfile>,
}

impl FakeDirectory {
    /// "token-ana" → auth0|ana (phone +14155550121 and ana@example.com),
    /// "token-ben" → auth0|ben (ben@example.com only), "token-nobody" → auth0|nobody (no contact).
    pub fn standard() -> Self {
        Self::default()
            .with("token-ana", "auth0|ana", Some("ana@example.com"), Some("+14155550121"))
            .with("token-ben", "auth0|ben", Some("ben@example.com"), None)
            .with("token-nobody", "auth0|nobody", None, None)
    }

    /// Adds a user whose contacts are verified; panics on invalid test data (this is test code).
    pub fn with(self, token: &str, user: &str, email: Option<&str>, phone: Option<&str>) -> Self {
        self.with_verified(token, user, (email, true), (phone, true))
    }

    /// Adds a user with contacts verified or not, as `(contact, verified)`.
    pub fn with_verified(
        mut self,
        token: &str,
        user: &str,
        email: (Option<&str>, bool),
        phone: (Option<&str>, bool),
    ) -> Self {
        let profile = UserProfile {
            user_id: UserId::parse(user).expect("test user id"),
            email: email.0.map(|e| EmailAddress::parse(e).expect("test email")),
            email_verified: email.1,
            phone: phone.0.map(|p| PhoneNumber::parse(p).expect("test phone")),
            phone_verified: phone.1,
            enrolled_phone: None,
        };
        self.users.insert(token.to_string(), profile);
        self
    }
}

#[async_trait]
impl IdentityProvider for FakeDirectory {
    async fn authenticate(&self, access_token: &str) -> Result<UserId, AuthError> {
        self.users.get(access_token).map(|p| p.user_id.clone()).ok_or(AuthError::BadSignature)
    }

    async fn profile(&self, user: &UserId) -> Result<UserProfile, IdentityError> {
        self.users.values().find(|p| &p.user_id == user).cloned().ok_or(IdentityError::UnknownUser)
    }
}

/// Accepts one right code; records where codes went; can be switched off like an unreachable Auth0.
#[derive(Debug)]
pub struct FakeCodeDesk {
    right_code: String,
    sent: Mutex<Vec<Destination>>,
    down: AtomicBool,
    checked: AtomicUsize,
}

impl FakeCodeDesk {
    pub fn accepting(right_code: &str) -> Self {
        Self {
            right_code: right_code.to_string(),
            sent: Mutex::new(Vec::new()),
            down: AtomicBool::new(false),
            checked: AtomicUsize::new(0),
        }
    }

    /// How many codes were actually checked (verify calls while up).
    pub fn checked(&self) -> usize {
        self.checked.load(Ordering::SeqCst)
    }

    pub fn sent(&self) -> Vec<Destination> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl CodeChannel for FakeCodeDesk {
    async fn send_code(&self, _user: &UserProfile, destination: &Destination) -> Result<(), IdentityError> {
        if self.is_down() {
            return Err(IdentityError::Timeout);
        }
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).push(destination.clone());
        Ok(())
    }

    async fn verify_code(&self, _: &UserProfile, _: &Destination, code: &Code) -> Result<CodeCheck, IdentityError> {
        if self.is_down() {
            return Err(IdentityError::Unreachable("the fake code desk is down".into()));
        }
        self.checked.fetch_add(1, Ordering::SeqCst);
        Ok(if code.expose() == self.right_code { CodeCheck::Accepted } else { CodeCheck::Rejected })
    }
}

/// A message sender that keeps what it was asked to deliver (notices, builtin codes).
#[derive(Debug, Default)]
pub struct RecordingSender {
    delivered: Mutex<Vec<(Destination, String)>>,
}

impl RecordingSender {
    pub fn delivered(&self) -> Vec<(Destination, String)> {
        self.delivered.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl crate::ports::MessageSender for RecordingSender {
    async fn deliver(&self, destination: &Destination, text: &str) -> Result<(), crate::ports::DeliveryError> {
        self.delivered.lock().unwrap_or_else(|e| e.into_inner()).push((destination.clone(), text.to_string()));
        Ok(())
    }
}

/// An order store that fails every call with one error (throttled, unavailable…).
#[derive(Debug)]
pub struct FailingStore(pub StoreError);

#[async_trait]
impl OrderStore for FailingStore {
    async fn insert_superseding(&self, _: &Order) -> Result<Option<OrderId>, StoreError> {
        Err(self.0.clone())
    }
    async fn reserve_code_send(&self, _: &UserId, _: Timestamp, _: u32) -> Result<(), StoreError> {
        Err(self.0.clone())
    }
    async fn claim_request(&self, _: &RequestKey, _: Timestamp, _: Timestamp) -> Result<RequestClaim, StoreError> {
        Err(self.0.clone())
    }
    async fn answer_request(&self, _: &RequestKey, _: &str, _: Timestamp) -> Result<bool, StoreError> {
        Err(self.0.clone())
    }
    async fn get(&self, _: &UserId, _: &OrderId) -> Result<Option<Order>, StoreError> {
        Err(self.0.clone())
    }
    async fn pending_for(&self, _: &UserId) -> Result<Option<Order>, StoreError> {
        Err(self.0.clone())
    }
    async fn list(&self, _: &UserId, _: PageRequest) -> Result<OrderPage, StoreError> {
        Err(self.0.clone())
    }
    async fn transition(&self, _: &UserId, _: &OrderId, _: Transition, _: Timestamp) -> Result<Order, StoreError> {
        Err(self.0.clone())
    }
    async fn reseal_code(&self, _: &UserId, _: &OrderId, _: &str, _: &str, _: Timestamp) -> Result<Order, StoreError> {
        Err(self.0.clone())
    }
    async fn guess_budget(&self, _: &UserId) -> Result<GuessBudget, StoreError> {
        Err(self.0.clone())
    }
    async fn change_budget(&self, _: &UserId, _: &BudgetChange) -> Result<BudgetWrite, StoreError> {
        Err(self.0.clone())
    }
    async fn record_activity(&self, _: &ActivityEvent) -> Result<(), StoreError> {
        Err(self.0.clone())
    }
    async fn list_activity(&self, _: &UserId, _: u32, _: Option<ActivityId>) -> Result<ActivityPage, StoreError> {
        Err(self.0.clone())
    }
    async fn enrolled_phone(&self, _: &UserId) -> Result<Option<EnrolledPhone>, StoreError> {
        Err(self.0.clone())
    }
    async fn remember_sign_in_contacts(&self, _: &crate::domain::SignInContacts) -> Result<(), StoreError> {
        Err(self.0.clone())
    }
    async fn sign_in_contacts(&self, _: &UserId) -> Result<Option<crate::domain::SignInContacts>, StoreError> {
        Err(self.0.clone())
    }
    async fn start_enrollment(&self, _: &PhoneEnrollment) -> Result<(), StoreError> {
        Err(self.0.clone())
    }
    async fn pending_enrollment(&self, _: &UserId) -> Result<Option<PhoneEnrollment>, StoreError> {
        Err(self.0.clone())
    }
    async fn enrollment_wrong_code(
        &self,
        _: &UserId,
        _: EnrollmentId,
        _: Timestamp,
    ) -> Result<PhoneEnrollment, StoreError> {
        Err(self.0.clone())
    }
    async fn complete_enrollment(
        &self,
        _: &UserId,
        _: EnrollmentId,
        _: Timestamp,
    ) -> Result<Option<EnrolledPhone>, StoreError> {
        Err(self.0.clone())
    }
    async fn link_alexa_user(
        &self,
        _: &crate::domain::AlexaUserId,
        _: &UserId,
        _: Timestamp,
    ) -> Result<(), StoreError> {
        Err(self.0.clone())
    }
    async fn alexa_user_link(&self, _: &crate::domain::AlexaUserId) -> Result<Option<UserId>, StoreError> {
        Err(self.0.clone())
    }
    async fn erase_user(&self, _: &UserId, _: Timestamp) -> Result<crate::domain::ErasureReport, StoreError> {
        Err(self.0.clone())
    }
}

/// A working store whose request claims (the replay check) fail with one error: everything
/// else goes to the store inside. Shows that a request is not acted on when its claim cannot be made.
pub struct ClaimsFail {
    pub store: std::sync::Arc<dyn OrderStore>,
    pub error: StoreError,
}

#[async_trait]
impl OrderStore for ClaimsFail {
    async fn insert_superseding(&self, order: &Order) -> Result<Option<OrderId>, StoreError> {
        self.store.insert_superseding(order).await
    }
    async fn reserve_code_send(&self, user: &UserId, now: Timestamp, max: u32) -> Result<(), StoreError> {
        self.store.reserve_code_send(user, now, max).await
    }
    async fn claim_request(&self, _: &RequestKey, _: Timestamp, _: Timestamp) -> Result<RequestClaim, StoreError> {
        Err(self.error.clone())
    }
    async fn answer_request(&self, key: &RequestKey, answer: &str, expires: Timestamp) -> Result<bool, StoreError> {
        self.store.answer_request(key, answer, expires).await
    }
    async fn get(&self, user: &UserId, id: &OrderId) -> Result<Option<Order>, StoreError> {
        self.store.get(user, id).await
    }
    async fn pending_for(&self, user: &UserId) -> Result<Option<Order>, StoreError> {
        self.store.pending_for(user).await
    }
    async fn list(&self, user: &UserId, page: PageRequest) -> Result<OrderPage, StoreError> {
        self.store.list(user, page).await
    }
    async fn transition(
        &self,
        user: &UserId,
        id: &OrderId,
        t: Transition,
        now: Timestamp,
    ) -> Result<Order, StoreError> {
        self.store.transition(user, id, t, now).await
    }
    async fn reseal_code(
        &self,
        user: &UserId,
        id: &OrderId,
        previous: &str,
        sealed: &str,
        now: Timestamp,
    ) -> Result<Order, StoreError> {
        self.store.reseal_code(user, id, previous, sealed, now).await
    }
    async fn guess_budget(&self, user: &UserId) -> Result<GuessBudget, StoreError> {
        self.store.guess_budget(user).await
    }
    async fn change_budget(&self, user: &UserId, change: &BudgetChange) -> Result<BudgetWrite, StoreError> {
        self.store.change_budget(user, change).await
    }
    async fn record_activity(&self, event: &ActivityEvent) -> Result<(), StoreError> {
        self.store.record_activity(event).await
    }
    async fn list_activity(
        &self,
        user: &UserId,
        limit: u32,
        after: Option<ActivityId>,
    ) -> Result<ActivityPage, StoreError> {
        self.store.list_activity(user, limit, after).await
    }
    async fn remember_sign_in_contacts(&self, contacts: &crate::domain::SignInContacts) -> Result<(), StoreError> {
        self.store.remember_sign_in_contacts(contacts).await
    }
    async fn sign_in_contacts(&self, user: &UserId) -> Result<Option<crate::domain::SignInContacts>, StoreError> {
        self.store.sign_in_contacts(user).await
    }
    async fn enrolled_phone(&self, user: &UserId) -> Result<Option<EnrolledPhone>, StoreError> {
        self.store.enrolled_phone(user).await
    }
    async fn start_enrollment(&self, enrollment: &PhoneEnrollment) -> Result<(), StoreError> {
        self.store.start_enrollment(enrollment).await
    }
    async fn pending_enrollment(&self, user: &UserId) -> Result<Option<PhoneEnrollment>, StoreError> {
        self.store.pending_enrollment(user).await
    }
    async fn enrollment_wrong_code(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<PhoneEnrollment, StoreError> {
        self.store.enrollment_wrong_code(user, id, now).await
    }
    async fn complete_enrollment(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<Option<EnrolledPhone>, StoreError> {
        self.store.complete_enrollment(user, id, now).await
    }
    async fn link_alexa_user(
        &self,
        alexa: &crate::domain::AlexaUserId,
        user: &UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.store.link_alexa_user(alexa, user, now).await
    }
    async fn alexa_user_link(&self, alexa: &crate::domain::AlexaUserId) -> Result<Option<UserId>, StoreError> {
        self.store.alexa_user_link(alexa).await
    }
    async fn erase_user(&self, user: &UserId, now: Timestamp) -> Result<crate::domain::ErasureReport, StoreError> {
        self.store.erase_user(user, now).await
    }
}

#[async_trait]
impl crate::sessions::SessionStore for FailingStore {
    async fn create_session(&self, _: &crate::domain::WebSession) -> Result<(), StoreError> {
        Err(self.0.clone())
    }
    async fn session(
        &self,
        _: &UserId,
        _: &crate::domain::SessionId,
    ) -> Result<Option<crate::domain::WebSession>, StoreError> {
        Err(self.0.clone())
    }
    async fn touch_session(
        &self,
        _: &UserId,
        _: &crate::domain::SessionId,
        _: Timestamp,
    ) -> Result<Option<crate::domain::WebSession>, StoreError> {
        Err(self.0.clone())
    }
    async fn revoke_session(&self, _: &UserId, _: &crate::domain::SessionId, _: Timestamp) -> Result<bool, StoreError> {
        Err(self.0.clone())
    }
    async fn revoke_user_sessions(&self, _: &UserId, _: Timestamp) -> Result<usize, StoreError> {
        Err(self.0.clone())
    }
}

/// What the code under test logs, as plain text, while the guard of [`CapturedLogs::capture`]
/// lives (this thread only: use a current-thread test runtime).
///
/// One subscriber serves the whole test binary: it is installed globally on the first capture and
/// writes each event into the capture of the thread that logged it. A per-thread
/// `tracing::subscriber::set_default` would race: a test logging on another thread with no
/// subscriber can leave a call site's cached interest at "never", and the capture then misses
/// the event.
#[derive(Clone, Default)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

thread_local! {
    static THIS_THREADS_CAPTURE: std::cell::RefCell<Option<CapturedLogs>> = const { std::cell::RefCell::new(None) };
}

/// Ends a capture when dropped: later events of this thread are no longer kept.
#[must_use = "the capture ends when the guard drops"]
pub struct CaptureGuard {
    previous: Option<CapturedLogs>,
}

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        THIS_THREADS_CAPTURE.with(|capture| *capture.borrow_mut() = previous);
    }
}

/// The writer of the binary-wide subscriber: the current thread's capture, or nowhere.
#[derive(Clone, Copy)]
struct ThisThreadsCapture;

impl std::io::Write for ThisThreadsCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        THIS_THREADS_CAPTURE.with(|capture| {
            if let Some(logs) = capture.borrow_mut().as_mut() {
                std::io::Write::write_all(logs, bytes)?;
            }
            Ok(bytes.len())
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLogs {
    /// Captures this thread's logs (INFO and above, as the `fmt` subscriber writes them) until the
    /// guard drops.
    pub fn capture() -> (Self, CaptureGuard) {
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::INFO)
                .with_writer(|| ThisThreadsCapture)
                .with_ansi(false)
                .finish();
            // Another global subscriber already set by the test binary would keep this one out,
            // and every capture would then stay empty: say so at once instead.
            tracing::subscriber::set_global_default(subscriber)
                .expect("CapturedLogs needs to install the test binary's only global subscriber");
        });
        let logs = Self::default();
        let previous = THIS_THREADS_CAPTURE.with(|capture| capture.borrow_mut().replace(logs.clone()));
        (logs, CaptureGuard { previous })
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;

    fn make_writer(&'a self) -> CapturedLogs {
        self.clone()
    }
}
