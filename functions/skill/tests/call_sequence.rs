//! Which calls to the store and the identity provider each intent makes, in
//! which order, and which of them overlap: the skill's side of the round trips
//! that `pod-local` measures against a real stack. The ports are wrapped so that
//! every call is a short wait recorded by `round_trips::track`, like a network
//! call of the real adapters; calls that run at once overlap and count as one
//! sequential round.

use pod_shared::alexa::RequestEnvelope;
use pod_shared::domain::{
    ActivityEvent, ActivityId, BudgetChange, ChallengePolicy, Code, Destination, EnrolledPhone, EnrollmentId,
    GuessBudget, Order, OrderId, PhoneEnrollment, RequestClaim, RequestKey, SignInContacts, Timestamp, Transition,
    UserId,
};
use pod_shared::ports::{
    ActivityPage, AuthError, BudgetWrite, CodeChannel, CodeCheck, IdentityError, IdentityProvider, OrderPage,
    OrderStore, PageRequest, StoreError, UserProfile,
};
use pod_shared::round_trips::{Remote, RoundTrips, track};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_skill::{Skill, parse_request};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

const RIGHT_CODE: &str = "4217";

type Call<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One call, as if over the network: it takes a little while and is recorded.
/// Auth0 calls take much longer than store calls, so that a store call that runs
/// beside one ends before the next one starts (the rounds do not depend on timing).
fn call<'a, T: 'a>(remote: Remote, operation: &'static str, inner: impl Future<Output = T> + Send + 'a) -> Call<'a, T> {
    let takes = Duration::from_millis(if remote == Remote::Auth0 { 25 } else { 2 });
    Box::pin(track(remote, operation, async move {
        tokio::time::sleep(takes).await;
        inner.await
    }))
}

/// Each method as `#[async_trait]` declares it (one lifetime per borrowed argument).
macro_rules! tracked_store {
    ($( $name:ident <$($lt:lifetime),*> ($($arg:ident: $ty:ty),*) -> $out:ty; )*) => {
        impl OrderStore for TrackedStore {
            $(
                fn $name<'life0, $($lt,)* 'async_trait>(&'life0 self, $($arg: $ty),*) -> Call<'async_trait, $out>
                where
                    'life0: 'async_trait,
                    $($lt: 'async_trait,)*
                    Self: 'async_trait,
                {
                    call(Remote::Store, stringify!($name), self.0.$name($($arg),*))
                }
            )*
        }
    };
}

struct TrackedStore(EmbeddedOrderStore);

tracked_store! {
    insert_superseding<'a>(order: &'a Order) -> Result<Option<OrderId>, StoreError>;
    insert_superseding_recorded<'a, 'b>(order: &'a Order, sent: &'b ActivityEvent) -> Result<Option<OrderId>, StoreError>;
    pending_seen<'a>(user: &'a UserId) -> Result<Option<pod_shared::ports::PendingSeen>, StoreError>;
    insert_superseding_after<'a, 'b>(order: &'a Order, sent: Option<&'b ActivityEvent>,
        seen: Option<pod_shared::ports::PendingSeen>) -> Result<Option<OrderId>, StoreError>;
    reserve_code_send<'a>(user: &'a UserId, now: Timestamp, max_per_hour: u32) -> Result<(), StoreError>;
    claim_request<'a>(key: &'a RequestKey, now: Timestamp, expires: Timestamp) -> Result<RequestClaim, StoreError>;
    answer_request<'a, 'b>(key: &'a RequestKey, answer: &'b str, expires: Timestamp) -> Result<bool, StoreError>;
    get<'a, 'b>(user: &'a UserId, id: &'b OrderId) -> Result<Option<Order>, StoreError>;
    pending_for<'a>(user: &'a UserId) -> Result<Option<Order>, StoreError>;
    list<'a>(user: &'a UserId, page: PageRequest) -> Result<OrderPage, StoreError>;
    transition<'a, 'b>(user: &'a UserId, id: &'b OrderId, transition: Transition, now: Timestamp)
        -> Result<Order, StoreError>;
    reseal_code<'a, 'b, 'c, 'd>(user: &'a UserId, id: &'b OrderId, previous: &'c str, sealed: &'d str, now: Timestamp)
        -> Result<Order, StoreError>;
    guess_budget<'a>(user: &'a UserId) -> Result<GuessBudget, StoreError>;
    transition_recorded<'a, 'b, 'c>(user: &'a UserId, id: &'b OrderId, transition: Transition, now: Timestamp,
        entry: &'c ActivityEvent) -> Result<Order, StoreError>;
    change_budget_recorded<'a, 'b, 'c>(user: &'a UserId, change: &'b BudgetChange, entry: &'c ActivityEvent)
        -> Result<BudgetWrite, StoreError>;
    change_budget<'a, 'b>(user: &'a UserId, change: &'b BudgetChange) -> Result<BudgetWrite, StoreError>;
    record_activity<'a>(event: &'a ActivityEvent) -> Result<(), StoreError>;
    list_activity<'a>(user: &'a UserId, limit: u32, after: Option<ActivityId>) -> Result<ActivityPage, StoreError>;
    remember_sign_in_contacts<'a>(contacts: &'a SignInContacts) -> Result<(), StoreError>;
    sign_in_contacts<'a>(user: &'a UserId) -> Result<Option<SignInContacts>, StoreError>;
    enrolled_phone<'a>(user: &'a UserId) -> Result<Option<EnrolledPhone>, StoreError>;
    start_enrollment<'a>(enrollment: &'a PhoneEnrollment) -> Result<(), StoreError>;
    pending_enrollment<'a>(user: &'a UserId) -> Result<Option<PhoneEnrollment>, StoreError>;
    enrollment_wrong_code<'a>(user: &'a UserId, id: EnrollmentId, now: Timestamp)
        -> Result<PhoneEnrollment, StoreError>;
    complete_enrollment<'a>(user: &'a UserId, id: EnrollmentId, now: Timestamp)
        -> Result<Option<EnrolledPhone>, StoreError>;
    link_alexa_user<'a, 'b>(alexa: &'a pod_shared::domain::AlexaUserId, user: &'b UserId, now: Timestamp)
        -> Result<(), StoreError>;
    alexa_user_link<'a>(alexa: &'a pod_shared::domain::AlexaUserId) -> Result<Option<UserId>, StoreError>;
    erase_user<'a>(user: &'a UserId, now: Timestamp) -> Result<pod_shared::domain::ErasureReport, StoreError>;
}

struct TrackedDirectory(FakeDirectory);

impl IdentityProvider for TrackedDirectory {
    fn authenticate<'life0, 'a, 'async_trait>(
        &'life0 self,
        token: &'a str,
    ) -> Call<'async_trait, Result<UserId, AuthError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        Self: 'async_trait,
    {
        call(Remote::Auth0, "authenticate", self.0.authenticate(token))
    }

    fn profile<'life0, 'a, 'async_trait>(
        &'life0 self,
        user: &'a UserId,
    ) -> Call<'async_trait, Result<UserProfile, IdentityError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        Self: 'async_trait,
    {
        call(Remote::Auth0, "profile", self.0.profile(user))
    }
}

struct TrackedCodes(FakeCodeDesk);

impl CodeChannel for TrackedCodes {
    fn send_code<'life0, 'a, 'b, 'async_trait>(
        &'life0 self,
        user: &'a UserProfile,
        destination: &'b Destination,
    ) -> Call<'async_trait, Result<(), IdentityError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        'b: 'async_trait,
        Self: 'async_trait,
    {
        call(Remote::Auth0, "passwordless_start", self.0.send_code(user, destination))
    }

    fn verify_code<'life0, 'a, 'b, 'c, 'async_trait>(
        &'life0 self,
        user: &'a UserProfile,
        destination: &'b Destination,
        code: &'c Code,
    ) -> Call<'async_trait, Result<CodeCheck, IdentityError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        'b: 'async_trait,
        'c: 'async_trait,
        Self: 'async_trait,
    {
        call(Remote::Auth0, "passwordless_verify", self.0.verify_code(user, destination, code))
    }
}

struct Harness {
    skill: Skill,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(TrackedStore(EmbeddedOrderStore::open(dir.path()).unwrap()));
    let directory = Arc::new(TrackedDirectory(FakeDirectory::standard()));
    let codes = Arc::new(TrackedCodes(FakeCodeDesk::accepting(RIGHT_CODE)));
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let service = OrderService::new(store, directory, codes, clock, ChallengePolicy::default());
    Harness { skill: Skill::new(service), _dir: dir }
}

/// A request's `stage` (as [`yes_to_recap`] gives one) goes into the session's attributes,
/// where Alexa puts what the skill's last answer left there.
fn envelope(token: Option<&str>, request: Value) -> RequestEnvelope {
    let user = match token {
        Some(t) => json!({"userId": "amzn1.ask.account.X", "accessToken": t}),
        None => json!({"userId": "amzn1.ask.account.X"}),
    };
    let attributes = request.get("stage").map(|stage| json!({"stage": stage})).unwrap_or(json!({}));
    let body = json!({"version": "1.0",
        "session": {"new": false, "sessionId": "s", "application": {"applicationId": "amzn1.ask.skill.pod"},
                    "user": user, "attributes": attributes},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.pod"}, "user": user}},
        "request": request});
    parse_request(body.to_string().as_bytes()).unwrap()
}

fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("amzn1.echo-api.request.calls-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

fn intent(request_id: &str, name: &str, slots: Value) -> Value {
    json!({"type": "IntentRequest", "requestId": request_id, "timestamp": "2027-01-15T08:00:00Z",
           "intent": {"name": name, "slots": slots}})
}

fn order(request_id: &str) -> Value {
    intent(
        request_id,
        "GetMeSomePizzaIntent",
        json!({"Size": {"name": "Size", "value": "large"}, "Toppings": {"name": "Toppings", "value": "pepperoni"}}),
    )
}

/// "Yes" to the recap of a large pepperoni pizza: what places the order.
fn yes_to_recap(request_id: &str) -> Value {
    let mut yes = intent(request_id, "AMAZON.YesIntent", json!({}));
    yes["stage"] =
        json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": ["pepperoni"]}});
    yes
}

fn authorize(request_id: &str, code: Option<&str>) -> Value {
    let slot = match code {
        Some(code) => json!({"name": "Code", "value": code}),
        None => json!({"name": "Code"}),
    };
    intent(request_id, "AuthorizePizzaOrderIntent", json!({"Code": slot}))
}

/// The calls in the order they started, and how many sequential rounds they took.
async fn calls(h: &Harness, token: Option<&str>, request: Value) -> (String, usize, RoundTrips) {
    let (_, trips) = h.skill.handle_measured(&envelope(token, request)).await;
    (trips.operations(), trips.sequential(), trips)
}

fn overlaps(trips: &RoundTrips, a: &str, b: &str) -> bool {
    let find = |op: &str| trips.trips.iter().find(|t| t.operation == op).unwrap_or_else(|| panic!("no {op}"));
    let (a, b) = (find(a), find(b));
    a.started < b.ended && b.started < a.ended
}

const CLAIM: &str = "store:claim_request";
const ANSWER: &str = "store:answer_request";

#[tokio::test]
async fn requests_that_change_nothing_make_no_call() {
    let h = harness();
    let id = next_request_id();
    let launch = json!({"type": "LaunchRequest", "requestId": id, "timestamp": "2027-01-15T08:00:00Z"});
    let ended = json!({"type": "SessionEndedRequest", "requestId": id, "reason": "USER_INITIATED"});
    let other = json!({"type": "CanFulfillIntentRequest", "requestId": id});
    let mut requests = vec![launch, ended, other];
    for name in [
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.NavigateHomeIntent",
        "AMAZON.YesIntent",
        "AMAZON.NoIntent",
        "AMAZON.RepeatIntent",
    ] {
        requests.push(intent(&id, name, json!({})));
    }
    requests.push(intent(&id, "AMAZON.FallbackIntent", json!({})));
    requests.push(intent(&id, "SomeIntentNobodyDeclared", json!({})));
    for request in requests {
        let (operations, rounds, _) = calls(&h, Some("token-ana"), request.clone()).await;
        assert_eq!((operations.as_str(), rounds), ("", 0), "{request}");
    }
}

/// The recap stores and sends nothing: it only knows who is asking. No to it changes nothing.
#[tokio::test]
async fn a_recap_only_knows_its_user_and_a_no_makes_no_call() {
    let h = harness();
    let (operations, rounds, _) = calls(&h, Some("token-ana"), order(&next_request_id())).await;
    assert_eq!((operations.as_str(), rounds), ("auth0:authenticate", 1));
    let mut no = intent(&next_request_id(), "AMAZON.NoIntent", json!({}));
    no["stage"] = yes_to_recap("")["stage"].clone();
    let (operations, rounds, _) = calls(&h, Some("token-ana"), no).await;
    assert_eq!((operations.as_str(), rounds), ("", 0));
}

/// The status and the question before a cancel read one thing each, and claim nothing.
#[tokio::test]
async fn the_status_reads_the_latest_order_and_asking_to_cancel_reads_the_pending_one() {
    let h = harness();
    calls(&h, Some("token-ana"), yes_to_recap(&next_request_id())).await;
    let (operations, rounds, _) =
        calls(&h, Some("token-ana"), intent(&next_request_id(), "OrderStatusIntent", json!({}))).await;
    assert_eq!((operations.as_str(), rounds), ("auth0:authenticate store:list", 2));
    let (operations, rounds, _) =
        calls(&h, Some("token-ana"), intent(&next_request_id(), "CancelOrderIntent", json!({}))).await;
    assert_eq!((operations.as_str(), rounds), ("auth0:authenticate store:pending_for", 2));
}

#[tokio::test]
async fn a_yes_to_the_recap_knows_its_user_then_claims_the_request_beside_the_profile_then_places_and_answers() {
    let h = harness();
    let id = next_request_id();
    let (operations, rounds, trips) = calls(&h, Some("token-ana"), yes_to_recap(&id)).await;
    assert_eq!(
        operations,
        format!(
            "auth0:authenticate {CLAIM} auth0:profile store:enrolled_phone store:guess_budget \
             store:pending_seen store:reserve_code_send auth0:passwordless_start store:insert_superseding_after {ANSWER}"
        )
    );
    assert!(overlaps(&trips, "claim_request", "profile"));
    assert!(overlaps(&trips, "claim_request", "guess_budget"), "the budget is read beside the claim");
    assert!(overlaps(&trips, "claim_request", "pending_seen"), "and what the supersede starts from");
    assert_eq!(rounds, 6);

    // Alexa delivers it again: the claim finds the answer, beside the same lookups, and nothing after.
    let (operations, rounds, trips) = calls(&h, Some("token-ana"), yes_to_recap(&id)).await;
    assert_eq!(
        operations,
        format!("auth0:authenticate {CLAIM} auth0:profile store:enrolled_phone store:guess_budget store:pending_seen")
    );
    assert!(overlaps(&trips, "claim_request", "profile"));
    assert_eq!(rounds, 2);
}

#[tokio::test]
async fn an_order_that_needs_more_words_only_knows_its_user_and_one_without_a_linked_account_claims_nothing() {
    let h = harness();
    let no_size = intent(&next_request_id(), "GetMeSomePizzaIntent", json!({}));
    let (operations, rounds, _) = calls(&h, Some("token-ana"), no_size).await;
    assert_eq!((operations.as_str(), rounds), ("auth0:authenticate", 1));

    // No user: nothing can change, so there is nothing to claim.
    let (operations, rounds, _) = calls(&h, Some("forged"), yes_to_recap(&next_request_id())).await;
    assert_eq!((operations.as_str(), rounds), ("auth0:authenticate", 1));

    let (operations, rounds, _) = calls(&h, None, yes_to_recap(&next_request_id())).await;
    assert_eq!((operations.as_str(), rounds), ("", 0));
}

#[tokio::test]
async fn a_code_check_claims_the_request_first_then_checks_and_answers() {
    let h = harness();
    calls(&h, Some("token-ana"), yes_to_recap(&next_request_id())).await;

    let (operations, rounds, trips) = calls(&h, Some("token-ana"), authorize(&next_request_id(), Some("0000"))).await;
    assert_eq!(
        operations,
        format!(
            "auth0:authenticate {CLAIM} store:pending_for auth0:profile store:enrolled_phone \
             store:change_budget auth0:passwordless_verify store:transition_recorded {ANSWER}"
        )
    );
    // The order's count and the wrong-code entry: one step (the embedded store's one transaction).
    assert!(!trips.operations().contains("record_activity"), "no separate entry write");
    assert_eq!(rounds, 6);

    let id = next_request_id();
    let (operations, rounds, _) = calls(&h, Some("token-ana"), authorize(&id, Some(RIGHT_CODE))).await;
    assert_eq!(
        operations,
        format!(
            "auth0:authenticate {CLAIM} store:pending_for auth0:profile store:enrolled_phone \
             store:change_budget auth0:passwordless_verify store:transition \
             store:change_budget_recorded {ANSWER}"
        )
    );
    assert_eq!(rounds, 7);

    // Repeated by Alexa: who is asking, then only the claim (which finds the answer).
    // Its reads ran beside the claim, before the claim said it was a repeat: the same two rounds.
    let (operations, rounds, _) = calls(&h, Some("token-ana"), authorize(&id, Some(RIGHT_CODE))).await;
    let beside = "store:pending_for auth0:profile store:enrolled_phone";
    assert_eq!((operations, rounds), (format!("auth0:authenticate {CLAIM} {beside}"), 2));
}

#[tokio::test]
async fn a_code_check_without_a_code_is_answered_once_and_one_without_a_linked_account_claims_nothing() {
    let h = harness();
    let (operations, rounds, _) = calls(&h, Some("token-ana"), authorize(&next_request_id(), None)).await;
    assert_eq!((operations, rounds), (format!("auth0:authenticate {CLAIM} {ANSWER}"), 3));

    let (operations, rounds, _) = calls(&h, Some("token-ana"), authorize(&next_request_id(), Some("one"))).await;
    assert_eq!((operations, rounds), (format!("auth0:authenticate {CLAIM} {ANSWER}"), 3));

    let (operations, rounds, _) = calls(&h, Some("forged"), authorize(&next_request_id(), Some(RIGHT_CODE))).await;
    assert_eq!((operations.as_str(), rounds), ("auth0:authenticate", 1));

    // No pending order: found by the reads beside the claim, so the answer is the third round.
    let (operations, rounds, _) = calls(&h, Some("token-ana"), authorize(&next_request_id(), Some(RIGHT_CODE))).await;
    assert_eq!(
        (operations, rounds),
        (format!("auth0:authenticate {CLAIM} store:pending_for auth0:profile store:enrolled_phone {ANSWER}"), 3)
    );
}

/// A request that changes state but has no request id (or no skill id) cannot be told from
/// a repeat of itself: it is refused, and nothing is claimed, sent or checked.
#[tokio::test]
async fn without_a_request_id_or_a_skill_id_nothing_is_claimed_or_done() {
    let h = harness();
    for request in [yes_to_recap(""), authorize("", Some("0000"))] {
        let (operations, rounds, _) = calls(&h, Some("token-ana"), request).await;
        assert_eq!((operations.as_str(), rounds), ("auth0:authenticate", 1));
    }
    let mut token_only = envelope(Some("token-ana"), yes_to_recap(&next_request_id()));
    token_only.session.as_mut().unwrap().application = None;
    token_only.context.as_mut().unwrap().system.as_mut().unwrap().application = None;
    let (_, trips) = h.skill.handle_measured(&token_only).await;
    assert_eq!((trips.operations().as_str(), trips.sequential()), ("auth0:authenticate", 1));
}

/// A Directive API as the skill sees it: each call recorded (and tracked like a network call),
/// answering `fails` or success.
struct TrackedDirectives {
    seen: std::sync::Mutex<Vec<(String, String)>>,
    fails: Option<pod_shared::ports::DirectiveError>,
}

impl pod_shared::ports::ProgressiveSpeech for TrackedDirectives {
    fn speak<'life0, 'a, 'b, 'async_trait>(
        &'life0 self,
        directive: &'a pod_shared::ports::DirectiveCall,
        ssml: &'b str,
    ) -> Call<'async_trait, Result<(), pod_shared::ports::DirectiveError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        'b: 'async_trait,
        Self: 'async_trait,
    {
        self.seen.lock().unwrap().push((directive.request_id().to_string(), ssml.to_string()));
        let answer = match &self.fails {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        };
        // Longer than the send beside it: still no round of its own.
        Box::pin(track(Remote::Alexa, "directive", async move {
            tokio::time::sleep(Duration::from_millis(40)).await;
            answer
        }))
    }
}

fn with_directive_api(request: &RequestEnvelope) -> RequestEnvelope {
    let mut request = request.clone();
    let system = request.context.as_mut().unwrap().system.as_mut().unwrap();
    system.api_endpoint = Some("https://api.amazonalexa.com".into());
    system.api_access_token = Some("api-token".into());
    request
}

fn progressive_harness(fails: Option<pod_shared::ports::DirectiveError>) -> (Harness, Arc<TrackedDirectives>) {
    let h = harness();
    let directives = Arc::new(TrackedDirectives { seen: Default::default(), fails });
    let skill = h.skill.with_progressive_speech(directives.clone());
    (Harness { skill, _dir: h._dir }, directives)
}

#[tokio::test]
async fn the_yes_that_sends_the_code_says_one_moment_beside_the_send_once_and_it_is_a_call_not_a_round() {
    let (h, directives) = progressive_harness(None);
    let id = next_request_id();
    let request = with_directive_api(&envelope(Some("token-ana"), yes_to_recap(&id)));
    let (answer, trips) = h.skill.handle_measured(&request).await;
    assert_eq!(
        trips.operations(),
        format!(
            "auth0:authenticate {CLAIM} auth0:profile store:enrolled_phone store:guess_budget \
             store:pending_seen store:reserve_code_send auth0:passwordless_start alexa:directive \
             store:insert_superseding_after {ANSWER}"
        )
    );
    assert!(overlaps(&trips, "passwordless_start", "directive"), "beside the send");
    assert_eq!(trips.calls_to(Remote::Alexa), 1);
    assert_eq!(trips.sequential(), 6, "the same rounds as without it");
    assert_eq!(
        directives.seen.lock().unwrap().as_slice(),
        [(id.clone(), "<speak>One moment while I send your code.</speak>".to_string())]
    );
    assert!(pod_skill::speech_of(&answer).contains("I sent a code to"));

    // Alexa delivers it again: the first answer, and no second progressive response.
    let (again, trips) = h.skill.handle_measured(&request).await;
    assert_eq!(again, answer);
    assert_eq!(trips.calls_to(Remote::Alexa), 0);
    assert_eq!(directives.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn nothing_but_a_code_send_speaks_progressively() {
    let (h, directives) = progressive_harness(None);
    let id = next_request_id();
    let launch = json!({"type": "LaunchRequest", "requestId": id, "timestamp": "2027-01-15T08:00:00Z"});
    let no_size = intent(&next_request_id(), "GetMeSomePizzaIntent", json!({}));
    for request in
        [launch, no_size, authorize(&next_request_id(), Some("0000")), order(&next_request_id()), yes_to_recap("")]
    {
        h.skill.handle(&with_directive_api(&envelope(Some("token-ana"), request))).await;
    }
    assert!(directives.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_directive_api_that_fails_changes_nothing_in_the_answer() {
    use pod_shared::ports::DirectiveError;
    let (plain, _) = progressive_harness(None);
    let first = plain.skill.handle(&envelope(Some("token-ana"), yes_to_recap(&next_request_id()))).await;
    for error in [DirectiveError::Refused(403), DirectiveError::Refused(500), DirectiveError::Timeout] {
        let (h, directives) = progressive_harness(Some(error));
        let request = with_directive_api(&envelope(Some("token-ana"), yes_to_recap(&next_request_id())));
        let (answer, trips) = h.skill.handle_measured(&request).await;
        assert_eq!(directives.seen.lock().unwrap().len(), 1);
        assert_eq!(
            pod_skill::speech_of(&answer).replace(char::is_numeric, ""),
            pod_skill::speech_of(&first).replace(char::is_numeric, "")
        );
        assert_eq!(trips.sequential(), 6);
    }
}

/// A message delivery (SES for the receipt) as the skill sees it: a tracked call like the store's.
struct TrackedSender;

impl pod_shared::ports::MessageSender for TrackedSender {
    fn deliver<'life0, 'a, 'b, 'async_trait>(
        &'life0 self,
        _: &'a Destination,
        _: &'b str,
    ) -> Call<'async_trait, Result<(), pod_shared::ports::DeliveryError>>
    where
        'life0: 'async_trait,
        'a: 'async_trait,
        'b: 'async_trait,
        Self: 'async_trait,
    {
        call(Remote::Delivery, "ses_send_email", async { Ok(()) })
    }
}

/// With a delivery for messages, a right code also emails the receipt: one more call. The embedded
/// store under these wrappers leaves the request's writes to reach the disk together
/// (`pod_shared::durability`), so the receipt goes once they did, the answer's included: after
/// the answer is stored, one round more. On DynamoDB, where no write waits, it goes beside the
/// activity entry (`durability::when_durable` runs it at once).
#[tokio::test]
async fn a_right_code_emails_the_receipt_once_the_confirmation_and_the_answer_are_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(TrackedStore(EmbeddedOrderStore::open(dir.path()).unwrap()));
    let directory = Arc::new(TrackedDirectory(FakeDirectory::standard()));
    let codes = Arc::new(TrackedCodes(FakeCodeDesk::accepting(RIGHT_CODE)));
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000)));
    let service = OrderService::new(store, directory, codes, clock, ChallengePolicy::default())
        .with_notices(Arc::new(TrackedSender));
    let h = Harness { skill: Skill::new(service), _dir: dir };
    calls(&h, Some("token-ana"), yes_to_recap(&next_request_id())).await;
    let (operations, rounds, _) = calls(&h, Some("token-ana"), authorize(&next_request_id(), Some(RIGHT_CODE))).await;
    assert_eq!(
        operations,
        format!(
            "auth0:authenticate {CLAIM} store:pending_for auth0:profile store:enrolled_phone \
             store:change_budget auth0:passwordless_verify store:transition \
             store:change_budget_recorded {ANSWER} delivery:ses_send_email"
        )
    );
    assert_eq!(rounds, 8);
}
