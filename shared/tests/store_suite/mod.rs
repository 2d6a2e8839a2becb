//! The order store's behaviour, written once and run against every adapter.
//!
//! Each check makes its own users, so the suite can share one store (or one table).

use pod_shared::domain::{
    ActivityEvent, ActivityKind, Blocked, BudgetChange, BudgetPolicy, BudgetState, ChallengePolicy, Channel, ConfirmBy,
    EmailAddress, EnrollmentError, EnrollmentId, MaskedDestination, Order, OrderStatus, PhoneEnrollment, PhoneNumber,
    Pizza, RequestClaim, RequestId, RequestKey, SignInContacts, Size, SkillId, Source, Timestamp, Topping, Toppings,
    Transition, TransitionError, UserId,
};
use pod_shared::domain::{SessionId, SessionPolicy, SessionState, WebSession};
use pod_shared::ports::{ClaimAnswer, OrderStore, PageRequest, StoreError};
use pod_shared::sessions::SessionStore;
use std::sync::Arc;

pub type Store = Arc<dyn OrderStore>;
pub type Sessions = Arc<dyn SessionStore>;

const T0: i64 = 1_800_000_000_000;

fn at(offset_seconds: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + offset_seconds * 1000)
}

fn new_user() -> UserId {
    UserId::parse(format!("auth0|suite-{}", uuid::Uuid::now_v7().simple())).unwrap()
}

fn new_order(user: &UserId, created: i64) -> Order {
    Order::place(
        user.clone(),
        Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni, Topping::Onions]).unwrap() },
        Channel::Sms,
        MaskedDestination::Phone { last_digits: "21".into() },
        ChallengePolicy::default(),
        at(created),
    )
}

pub async fn stores_and_reads_an_order_only_for_its_user(store: Store) {
    let (ana, ben) = (new_user(), new_user());
    let order = new_order(&ana, 0);
    assert_eq!(store.insert_superseding(&order).await.unwrap(), None);
    assert_eq!(store.get(&ana, &order.id).await.unwrap(), Some(order.clone()));
    assert_eq!(store.get(&ben, &order.id).await.unwrap(), None, "another user's order is invisible");
    assert_eq!(store.get(&ana, &pod_shared::domain::OrderId::generate()).await.unwrap(), None);
    assert_eq!(store.pending_for(&ana).await.unwrap(), Some(order.clone()));
    assert_eq!(store.pending_for(&ben).await.unwrap(), None);
    assert_eq!(store.insert_superseding(&order).await, Err(StoreError::Duplicate));
}

pub async fn lists_newest_first_in_pages(store: Store) {
    let ana = new_user();
    let mut ids = Vec::new();
    for i in 0..5 {
        let order = new_order(&ana, i);
        store.insert_superseding(&order).await.unwrap();
        ids.push(order.id);
    }
    ids.reverse();
    let first = store.list(&ana, PageRequest::first(2)).await.unwrap();
    assert_eq!(first.orders.iter().map(|o| o.id).collect::<Vec<_>>(), ids[0..2]);
    let second = store.list(&ana, PageRequest { limit: 2, after: first.next }).await.unwrap();
    assert_eq!(second.orders.iter().map(|o| o.id).collect::<Vec<_>>(), ids[2..4]);
    let third = store.list(&ana, PageRequest { limit: 2, after: second.next }).await.unwrap();
    assert_eq!(third.orders.iter().map(|o| o.id).collect::<Vec<_>>(), ids[4..5]);
    assert_eq!(third.next, None);
    assert!(store.list(&new_user(), PageRequest::first(10)).await.unwrap().orders.is_empty());
}

pub async fn a_new_order_supersedes_the_pending_one(store: Store) {
    let ana = new_user();
    let first = new_order(&ana, 0);
    let second = new_order(&ana, 10);
    store.insert_superseding(&first).await.unwrap();
    assert_eq!(store.insert_superseding(&second).await.unwrap(), Some(first.id));
    let first_now = store.get(&ana, &first.id).await.unwrap().unwrap();
    assert_eq!(first_now.status, OrderStatus::Cancelled);
    assert_eq!(first_now.updated_at, at(10));
    assert_eq!(store.pending_for(&ana).await.unwrap().map(|o| o.id), Some(second.id));
    // A confirmed order is not superseded.
    store.transition(&ana, &second.id, Transition::Confirm, at(11)).await.unwrap();
    assert_eq!(store.insert_superseding(&new_order(&ana, 20)).await.unwrap(), None);
}

pub async fn an_order_keeps_its_bill_and_one_stored_without_a_price_reads_without_one(store: Store) {
    let ana = new_user();
    let priced = new_order(&ana, 0).priced_in(pod_shared::domain::Currency::Gbp);
    let bill = priced.bill.clone().expect("a placed order is priced");
    assert_eq!(bill.total().written(), "£13.50");
    store.insert_superseding(&priced).await.unwrap();
    assert_eq!(store.get(&ana, &priced.id).await.unwrap().unwrap().bill, Some(bill.clone()));
    let confirmed = store.transition(&ana, &priced.id, Transition::Confirm, at(5)).await.unwrap();
    assert_eq!(confirmed.bill, Some(bill.clone()), "a transition keeps the bill");
    assert_eq!(store.list(&ana, PageRequest::first(5)).await.unwrap().orders[0].bill, Some(bill));
    let mut unpriced = new_order(&ana, 10);
    unpriced.bill = None;
    store.insert_superseding(&unpriced).await.unwrap();
    assert_eq!(store.get(&ana, &unpriced.id).await.unwrap(), Some(unpriced.clone()));
    let cancelled = store.transition(&ana, &unpriced.id, Transition::Cancel, at(11)).await.unwrap();
    assert_eq!(cancelled.bill, None);
}

/// An order waiting for the voice PIN, placed by a recognised speaker, keeps both through every move.
pub async fn an_order_keeps_what_confirms_it_and_who_placed_it(store: Store) {
    let ana = new_user();
    let person = pod_shared::domain::PersonId::parse("amzn1.ask.person.SUITE").unwrap();
    let order = new_order(&ana, 0).awaiting_voice_pin().spoken_by(Some(person.clone()));
    store.insert_superseding(&order).await.unwrap();
    assert_eq!(store.get(&ana, &order.id).await.unwrap(), Some(order.clone()));
    assert_eq!(store.pending_for(&ana).await.unwrap(), Some(order.clone()));
    let counted = store.transition(&ana, &order.id, Transition::RecordWrongCode, at(2)).await.unwrap();
    assert_eq!((counted.challenge.confirm_by, counted.person.as_ref()), (ConfirmBy::VoicePin, Some(&person)));
    let confirmed = store.transition(&ana, &order.id, Transition::Confirm, at(5)).await.unwrap();
    assert_eq!((confirmed.challenge.confirm_by, confirmed.person.clone()), (ConfirmBy::VoicePin, Some(person)));
    assert_eq!(store.list(&ana, PageRequest::first(5)).await.unwrap().orders, vec![confirmed]);
    let plain = new_order(&ana, 10);
    store.insert_superseding(&plain).await.unwrap();
    let read = store.get(&ana, &plain.id).await.unwrap().unwrap();
    assert_eq!((read.challenge.confirm_by, read.person), (ConfirmBy::Code, None), "a code order of anyone");
}

pub async fn confirms_once(store: Store) {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let confirmed = store.transition(&ana, &order.id, Transition::Confirm, at(5)).await.unwrap();
    assert_eq!(confirmed.status, OrderStatus::Confirmed);
    assert_eq!(
        store.transition(&ana, &order.id, Transition::Confirm, at(6)).await,
        Err(StoreError::Transition(TransitionError::NotPending(OrderStatus::Confirmed)))
    );
    assert_eq!(store.pending_for(&ana).await.unwrap(), None);
    assert_eq!(store.get(&ana, &order.id).await.unwrap().unwrap().updated_at, at(5));
}

/// A new code of Pod's own for the same order: the MAC is replaced only while the order is the
/// user's, pending and live with tries left, and only if it is still the one being replaced.
pub async fn a_code_is_resealed_only_on_a_live_pending_order_with_the_mac_it_replaces(store: Store) {
    let ana = new_user();
    let mut order = new_order(&ana, 0);
    order.challenge.code_hash = Some("mac-1".into());
    store.insert_superseding(&order).await.unwrap();
    let resealed = store.reseal_code(&ana, &order.id, "mac-1", "mac-2", at(10)).await.unwrap();
    assert_eq!(resealed.challenge.code_hash.as_deref(), Some("mac-2"));
    assert_eq!(resealed.updated_at, at(10));
    let stored = store.get(&ana, &order.id).await.unwrap().unwrap();
    assert_eq!(stored.challenge.code_hash.as_deref(), Some("mac-2"));
    assert_eq!(
        (stored.challenge.attempts_used, stored.challenge.expires_at),
        (order.challenge.attempts_used, order.challenge.expires_at),
        "tries and expiry are as they were"
    );
    assert_eq!(store.pending_for(&ana).await.unwrap().map(|o| o.id), Some(order.id), "still the pending order");

    let stale = store.reseal_code(&ana, &order.id, "mac-1", "mac-3", at(11)).await;
    assert_eq!(stale, Err(StoreError::Transition(TransitionError::ChallengeStillValid)), "a stale MAC");
    let ben = new_user();
    assert_eq!(store.reseal_code(&ben, &order.id, "mac-2", "mac-3", at(11)).await, Err(StoreError::NotFound));
    let late = order.challenge.expires_at.unix_millis() / 1000 - T0 / 1000;
    assert_eq!(
        store.reseal_code(&ana, &order.id, "mac-2", "mac-3", at(late)).await,
        Err(StoreError::Transition(TransitionError::ChallengeExpired))
    );
    store.transition(&ana, &order.id, Transition::Confirm, at(12)).await.unwrap();
    assert_eq!(
        store.reseal_code(&ana, &order.id, "mac-2", "mac-3", at(13)).await,
        Err(StoreError::Transition(TransitionError::NotPending(OrderStatus::Confirmed)))
    );
    assert_eq!(store.get(&ana, &order.id).await.unwrap().unwrap().challenge.code_hash.as_deref(), Some("mac-2"));
}

/// Fires `fired` new codes for one order at once, each replacing the MAC they read: exactly one is kept.
pub async fn racing_reseals_keep_exactly_one(store: Store, fired: usize) {
    let ana = new_user();
    let mut order = new_order(&ana, 0);
    order.challenge.code_hash = Some("mac-0".into());
    store.insert_superseding(&order).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..fired {
        let (store, ana, id) = (store.clone(), ana.clone(), order.id);
        tasks.spawn(async move { (i, store.reseal_code(&ana, &id, "mac-0", &format!("mac-{}", i + 1), at(5)).await) });
    }
    let mut kept = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (i, Ok(_)) => kept.push(i),
            (_, Err(StoreError::Transition(TransitionError::ChallengeStillValid))) => {}
            (_, other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!(kept.len(), 1, "exactly one new code is kept");
    let stored = store.get(&ana, &order.id).await.unwrap().unwrap();
    assert_eq!(stored.challenge.code_hash, Some(format!("mac-{}", kept[0] + 1)), "and it is the one stored");
}

pub async fn wrong_codes_lock_at_the_limit(store: Store) {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    for (i, expected_left) in [2, 1].into_iter().enumerate() {
        let after = store.transition(&ana, &order.id, Transition::RecordWrongCode, at(i as i64 + 1)).await.unwrap();
        assert_eq!(after.challenge.attempts_left(), expected_left);
        assert_eq!(after.status, OrderStatus::PendingConfirmation);
    }
    let locked = store.transition(&ana, &order.id, Transition::RecordWrongCode, at(3)).await.unwrap();
    assert_eq!((locked.status, locked.challenge.attempts_used), (OrderStatus::Locked, 3));
    for transition in [Transition::RecordWrongCode, Transition::Confirm] {
        assert_eq!(
            store.transition(&ana, &order.id, transition, at(4)).await,
            Err(StoreError::Transition(TransitionError::NotPending(OrderStatus::Locked)))
        );
    }
    assert_eq!(store.get(&ana, &order.id).await.unwrap().unwrap().challenge.attempts_used, 3);
    assert_eq!(store.pending_for(&ana).await.unwrap(), None);
}

pub async fn an_expired_challenge_refuses_and_can_expire(store: Store) {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let expiry = 300;
    for transition in [Transition::Confirm, Transition::RecordWrongCode] {
        assert_eq!(
            store.transition(&ana, &order.id, transition, at(expiry)).await,
            Err(StoreError::Transition(TransitionError::ChallengeExpired))
        );
    }
    assert_eq!(
        store.transition(&ana, &order.id, Transition::Expire, at(expiry - 1)).await,
        Err(StoreError::Transition(TransitionError::ChallengeStillValid))
    );
    assert_eq!(store.get(&ana, &order.id).await.unwrap(), Some(order.clone()), "refusals change nothing");
    let expired = store.transition(&ana, &order.id, Transition::Expire, at(expiry)).await.unwrap();
    assert_eq!(expired.status, OrderStatus::Expired);
    assert_eq!(store.pending_for(&ana).await.unwrap(), None);
}

pub async fn the_providers_expiry_expires_a_pending_order_early(store: Store) {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let expired = store.transition(&ana, &order.id, Transition::ProviderExpired, at(100)).await.unwrap();
    assert_eq!((expired.status, expired.updated_at), (OrderStatus::Expired, at(100)));
    assert_eq!(store.pending_for(&ana).await.unwrap(), None);
    assert_eq!(
        store.transition(&ana, &order.id, Transition::ProviderExpired, at(101)).await,
        Err(StoreError::Transition(TransitionError::NotPending(OrderStatus::Expired)))
    );
}

pub async fn unknown_or_foreign_orders_are_not_found(store: Store) {
    let (ana, ben) = (new_user(), new_user());
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let unknown = pod_shared::domain::OrderId::generate();
    assert_eq!(store.transition(&ana, &unknown, Transition::Cancel, at(1)).await, Err(StoreError::NotFound));
    assert_eq!(store.transition(&ben, &order.id, Transition::Confirm, at(1)).await, Err(StoreError::NotFound));
    assert_eq!(store.get(&ana, &order.id).await.unwrap(), Some(order), "untouched");
}

pub async fn code_sends_are_limited_per_rolling_hour(store: Store) {
    let ana = new_user();
    for minute in 0..5 {
        store.reserve_code_send(&ana, at(minute * 60), 5).await.unwrap();
    }
    assert_eq!(
        store.reserve_code_send(&ana, at(10 * 60), 5).await,
        Err(StoreError::RateLimited { retry_at: at(3600) })
    );
    assert!(store.reserve_code_send(&new_user(), at(10 * 60), 5).await.is_ok(), "limits are per user");
    store.reserve_code_send(&ana, at(3600), 5).await.expect("the oldest send aged out");
    assert!(matches!(store.reserve_code_send(&ana, at(3601), 5).await, Err(StoreError::RateLimited { .. })));
}

fn request_key(skill: &str, user: &UserId, request: &str) -> RequestKey {
    RequestKey::new(SkillId::parse(skill).unwrap(), user.clone(), RequestId::parse(request).unwrap())
}

fn new_request_id() -> String {
    format!("amzn1.echo-api.request.{}", uuid::Uuid::now_v7())
}

pub async fn a_request_is_claimed_once_then_answered_and_the_answer_is_kept_until_it_expires(store: Store) {
    let key = request_key("amzn1.ask.skill.suite", &new_user(), &new_request_id());
    assert_eq!(store.claim_request(&key, at(0), at(60)).await.unwrap(), RequestClaim::Claimed);
    assert_eq!(store.claim_request(&key, at(1), at(61)).await.unwrap(), RequestClaim::InProgress, "claimed once");
    assert!(store.answer_request(&key, "first", at(60)).await.unwrap());
    assert!(!store.answer_request(&key, "second", at(120)).await.unwrap(), "the first answer stays");
    assert_eq!(store.claim_request(&key, at(59), at(119)).await.unwrap(), RequestClaim::Answered("first".into()));
    assert_eq!(store.claim_request(&key, at(60), at(120)).await.unwrap(), RequestClaim::Claimed, "expired: free again");
    assert!(
        !store
            .answer_request(&request_key("amzn1.ask.skill.suite", &new_user(), "never-claimed"), "x", at(60))
            .await
            .unwrap(),
        "no answer without a claim"
    );
}

/// A code check's claim reserves its guess in the same step: only with a claim it makes (a
/// repeat, however many at once, reserves nothing), and only far from any block (then the claim
/// is made alone and the check reserves its own guess).
pub async fn a_claim_reserves_a_guess_only_with_itself_and_only_far_from_a_block(store: Store) {
    let policy = BudgetPolicy::default();
    let ana = new_user();
    let failures = |user: UserId| {
        let store = store.clone();
        async move { store.guess_budget(&user).await.unwrap().failures }
    };
    let first = request_key("amzn1.ask.skill.pod", &ana, &new_request_id());
    let claimed = store.claim_request_reserving(&first, at(0), at(3600), &policy).await.unwrap();
    assert_eq!(claimed, (RequestClaim::Claimed, true));
    assert_eq!(failures(ana.clone()).await, 1);
    let again = store.claim_request_reserving(&first, at(1), at(3600), &policy).await.unwrap();
    assert_eq!(again, (RequestClaim::InProgress, false), "a repeat reserves nothing");
    assert!(store.answer_request(&first, "first", at(3600)).await.unwrap());
    let answered = store.claim_request_reserving(&first, at(2), at(3600), &policy).await.unwrap();
    assert_eq!(answered, (RequestClaim::Answered("first".into()), false));
    assert_eq!(failures(ana.clone()).await, 1);

    // One below the pause: this guess, wrong, would pause; the claim is made without it.
    for i in 0..3 {
        store.change_budget(&ana, &BudgetChange::Reserve { now: at(3 + i), policy: policy.clone() }).await.unwrap();
    }
    assert_eq!(failures(ana.clone()).await, policy.pause_after() - 1);
    let near = request_key("amzn1.ask.skill.pod", &ana, &new_request_id());
    let claimed = store.claim_request_reserving(&near, at(10), at(3600), &policy).await.unwrap();
    assert_eq!(claimed, (RequestClaim::Claimed, false));
    assert_eq!(failures(ana.clone()).await, policy.pause_after() - 1, "nothing reserved near a block");
    assert_eq!(store.claim_request(&near, at(11), at(3600)).await.unwrap(), RequestClaim::InProgress);

    // Twenty deliveries of one request at once: one claim, one guess.
    let ben = new_user();
    let same = request_key("amzn1.ask.skill.pod", &ben, &new_request_id());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, same, policy) = (store.clone(), same.clone(), policy.clone());
        tasks.spawn(async move { store.claim_request_reserving(&same, at(0), at(3600), &policy).await.unwrap() });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        outcomes.push(joined.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|(claim, _)| *claim == RequestClaim::Claimed).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|(_, reserved)| *reserved).count(), 1, "{outcomes:?}");
    assert_eq!(failures(ben).await, 1);

    // Twenty requests at once: each claimed, and no more guesses reserved than stay quiet.
    let cy = new_user();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, key, policy) =
            (store.clone(), request_key("amzn1.ask.skill.pod", &cy, &new_request_id()), policy.clone());
        tasks.spawn(async move { store.claim_request_reserving(&key, at(0), at(3600), &policy).await.unwrap() });
    }
    let mut reserved = 0;
    while let Some(joined) = tasks.join_next().await {
        let (claim, with_guess) = joined.unwrap();
        assert_eq!(claim, RequestClaim::Claimed);
        reserved += u32::from(with_guess);
    }
    let quiet = policy.pause_after().min(policy.lock_after()) - 1;
    assert_eq!(failures(cy.clone()).await, reserved, "every guess reserved is counted, and only those");
    assert!(reserved <= quiet, "{reserved} reserved; at most {quiet} stay far from the pause");
    assert_eq!(store.guess_budget(&cy).await.unwrap().check_open(at(0)), Ok(()), "no block from quiet guesses");
}

pub async fn the_same_request_id_for_another_user_or_skill_is_another_claim(store: Store) {
    let (ana, ben) = (new_user(), new_user());
    let id = new_request_id();
    let ours = request_key("amzn1.ask.skill.pod", &ana, &id);
    assert_eq!(store.claim_request(&ours, at(0), at(60)).await.unwrap(), RequestClaim::Claimed);
    assert!(store.answer_request(&ours, "ana's answer", at(60)).await.unwrap());
    for other in [request_key("amzn1.ask.skill.pod", &ben, &id), request_key("amzn1.ask.skill.other", &ana, &id)] {
        assert_eq!(store.claim_request(&other, at(1), at(61)).await.unwrap(), RequestClaim::Claimed, "{other:?}");
        assert!(store.answer_request(&other, "its own answer", at(61)).await.unwrap());
        assert_eq!(
            store.claim_request(&other, at(2), at(62)).await.unwrap(),
            RequestClaim::Answered("its own answer".into())
        );
    }
    assert_eq!(store.claim_request(&ours, at(3), at(63)).await.unwrap(), RequestClaim::Answered("ana's answer".into()));
    // The key's parts cannot run into each other: skill "a" with request "b#c" is not skill "a.b" with "c".
    let split = request_key("a", &ana, "b#c");
    assert_eq!(store.claim_request(&split, at(0), at(60)).await.unwrap(), RequestClaim::Claimed);
    assert_eq!(
        store.claim_request(&request_key("a.b", &ana, "c"), at(0), at(60)).await.unwrap(),
        RequestClaim::Claimed
    );
}

/// Fires `fired` claims of one request at once: exactly one is `Claimed`, the others see it in progress.
pub async fn racing_claims_of_one_request_have_exactly_one_winner(store: Store, fired: usize) -> usize {
    let key = request_key("amzn1.ask.skill.suite", &new_user(), &new_request_id());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..fired {
        let (store, key) = (store.clone(), key.clone());
        tasks.spawn(async move { store.claim_request(&key, at(1), at(61)).await });
    }
    let (mut claimed, mut in_progress) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(RequestClaim::Claimed) => claimed += 1,
            Ok(RequestClaim::InProgress) => in_progress += 1,
            other => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!((claimed, in_progress), (1, fired - 1), "exactly one delivery acts");
    // And racing answers: exactly one is stored.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..fired {
        let (store, key) = (store.clone(), key.clone());
        tasks.spawn(async move { store.answer_request(&key, &format!("answer {i}"), at(61)).await });
    }
    let mut stored = 0;
    while let Some(joined) = tasks.join_next().await {
        stored += usize::from(joined.unwrap().unwrap());
    }
    assert_eq!(stored, 1, "exactly one answer is stored");
    assert!(matches!(store.claim_request(&key, at(2), at(62)).await.unwrap(), RequestClaim::Answered(_)));
    claimed
}

/// Fires `fired` reservations for one user at once: exactly `max` pass.
pub async fn racing_code_sends_admit_exactly_the_limit(store: Store, fired: usize) -> usize {
    let ana = new_user();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..fired {
        let (store, ana) = (store.clone(), ana.clone());
        tasks.spawn(async move { store.reserve_code_send(&ana, at(1), 5).await });
    }
    let mut admitted = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(()) => admitted += 1,
            Err(StoreError::RateLimited { .. }) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!(admitted, 5, "exactly the limit of sends is admitted");
    admitted
}

/// Orders written ahead of their sends at once for one user: no more than the send limit are
/// written, each of them counts one send, and exactly one of them is left pending (each
/// supersedes the one before it). A write not made (the window full, or a race lost) wrote nothing.
pub async fn racing_orders_written_ahead_of_their_sends_keep_the_limit_and_one_pending(
    store: Store,
    fired: usize,
) -> usize {
    let ana = new_user();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..fired {
        let (store, order) = (store.clone(), new_order(&ana, i as i64));
        tasks.spawn(async move {
            let written = store.insert_reserving_send(&order, None, None, 5, &|_| None).await;
            (order, written)
        });
    }
    let (mut written, mut not_written) = (Vec::new(), Vec::new());
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (order, Ok(Some(_))) => written.push(order.id),
            (order, Ok(None) | Err(StoreError::RateLimited { .. })) => not_written.push(order.id),
            (_, Err(other)) => panic!("unexpected: {other}"),
        }
    }
    assert!(!written.is_empty() && written.len() <= 5, "written: {}", written.len());
    for id in &not_written {
        assert_eq!(store.get(&ana, id).await.unwrap(), None, "a write not made wrote nothing");
    }
    let listed = store.list(&ana, PageRequest::first(50)).await.unwrap().orders;
    assert_eq!(listed.len(), written.len());
    let pending: Vec<_> = listed.iter().filter(|o| o.status == OrderStatus::PendingConfirmation).collect();
    assert_eq!(pending.len(), 1, "exactly one pending");
    assert_eq!(store.pending_for(&ana).await.unwrap().as_ref(), Some(pending[0]));
    let mut more = 0;
    while store.reserve_code_send(&ana, at(100), 5).await.is_ok() {
        more += 1;
    }
    assert_eq!(more, 5 - written.len(), "each written order counted one send, and nothing else did");
    written.len()
}

/// Figures of one concurrency run, for the closing note.
#[derive(Debug)]
pub struct RaceFigures {
    pub fired: usize,
    pub confirm_wins: usize,
    pub wrong_codes_recorded: usize,
    pub final_status: OrderStatus,
    pub final_attempts: u32,
}

/// Fires `per_kind` confirmations and `per_kind` wrong codes at one order at once,
/// interleaved, starting with a wrong code when `wrong_first`.
pub async fn racing_confirmations_and_wrong_codes_keep_the_invariants(
    store: Store,
    per_kind: usize,
    wrong_first: bool,
) -> RaceFigures {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..per_kind * 2 {
        let (store, ana, id) = (store.clone(), ana.clone(), order.id);
        let transition = if (i % 2 == 0) != wrong_first { Transition::Confirm } else { Transition::RecordWrongCode };
        tasks.spawn(async move { (transition, store.transition(&ana, &id, transition, at(1)).await) });
    }
    let (mut confirm_wins, mut wrong_codes_recorded) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (Transition::Confirm, Ok(_)) => confirm_wins += 1,
            (_, Ok(_)) => wrong_codes_recorded += 1,
            (_, Err(StoreError::Transition(_))) => {}
            (_, Err(other)) => panic!("unexpected store error: {other}"),
        }
    }
    let stored = store.get(&ana, &order.id).await.unwrap().expect("no lost order");
    assert!(confirm_wins <= 1, "at most one confirmation wins, got {confirm_wins}");
    assert!(stored.challenge.attempts_used <= 3, "attempts never pass the limit");
    assert_eq!(stored.challenge.attempts_used as usize, wrong_codes_recorded, "every recorded wrong code counted once");
    match stored.status {
        OrderStatus::Confirmed => assert_eq!(confirm_wins, 1),
        OrderStatus::Locked => assert_eq!((confirm_wins, stored.challenge.attempts_used), (0, 3)),
        other => panic!("the race must end confirmed or locked, not {other}"),
    }
    assert_eq!(store.list(&ana, PageRequest::first(10)).await.unwrap().orders.len(), 1);
    RaceFigures {
        fired: per_kind * 2,
        confirm_wins,
        wrong_codes_recorded,
        final_status: stored.status,
        final_attempts: stored.challenge.attempts_used,
    }
}

/// Fires `fired` wrong codes at one order at once: exactly the limit counts and the order locks.
pub async fn racing_wrong_codes_lock_exactly_at_the_limit(store: Store, fired: usize) -> RaceFigures {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..fired {
        let (store, ana, id) = (store.clone(), ana.clone(), order.id);
        tasks.spawn(async move { store.transition(&ana, &id, Transition::RecordWrongCode, at(1)).await });
    }
    let mut recorded = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(_) => recorded += 1,
            Err(StoreError::Transition(TransitionError::NotPending(OrderStatus::Locked))) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    let stored = store.get(&ana, &order.id).await.unwrap().expect("no lost order");
    assert_eq!(recorded, 3, "exactly the limit of wrong codes counts");
    assert_eq!((stored.status, stored.challenge.attempts_used), (OrderStatus::Locked, 3));
    RaceFigures {
        fired,
        confirm_wins: 0,
        wrong_codes_recorded: recorded,
        final_status: stored.status,
        final_attempts: stored.challenge.attempts_used,
    }
}

fn reserve_at(offset_seconds: i64) -> BudgetChange {
    BudgetChange::Reserve { now: at(offset_seconds), policy: BudgetPolicy::default() }
}

pub async fn the_guess_budget_pauses_then_locks_and_a_right_code_resets_it(store: Store) {
    let ana = new_user();
    assert_eq!(store.guess_budget(&ana).await.unwrap().failures, 0, "a fresh user has the whole budget");
    for i in 0..4 {
        let write = store.change_budget(&ana, &reserve_at(i)).await.unwrap();
        assert_eq!(write.after.failures, i as u32 + 1);
        assert_eq!(write.before.failures, i as u32);
    }
    let fifth = store.change_budget(&ana, &reserve_at(10)).await.unwrap();
    assert_eq!(fifth.after.state_at(at(10)), BudgetState::Paused { until: at(10 + 900), failures: 5 });
    assert_eq!(
        store.change_budget(&ana, &reserve_at(11)).await,
        Err(StoreError::Blocked(Blocked::Paused { until: at(910) })),
        "no guess while paused"
    );
    assert_eq!(store.guess_budget(&ana).await.unwrap(), fifth.after, "a refused change writes nothing");
    // A guess that was never checked is given back exactly.
    let sixth = store.change_budget(&ana, &reserve_at(910)).await.unwrap();
    let refunded = store.change_budget(&ana, &BudgetChange::Refund { reserved: sixth.before.clone() }).await.unwrap();
    assert_eq!((refunded.after.failures, refunded.after.paused_until), (5, fifth.after.paused_until));
    let right = store.change_budget(&ana, &reserve_at(911)).await.unwrap();
    assert_eq!(right.after.failures, 6);
    let reset = store.change_budget(&ana, &BudgetChange::Succeed).await.unwrap();
    assert_eq!(reset.after.state_at(at(912)), BudgetState::Open { failures: 0 });
    assert_eq!(store.guess_budget(&ana).await.unwrap(), reset.after);
}

/// Budgets after `rounds` of `fired` guesses at once, each round after the last pause ends:
/// how many guesses were admitted in all. Never more than the lock threshold.
pub async fn racing_guesses_are_each_counted_once_and_stop_at_the_lock(store: Store, fired: usize) -> Vec<usize> {
    let ana = new_user();
    let policy = BudgetPolicy::default();
    let mut admitted_per_round = Vec::new();
    let mut now = 0;
    for _ in 0..8 {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..fired {
            let (store, ana) = (store.clone(), ana.clone());
            tasks.spawn(async move { store.change_budget(&ana, &reserve_at(now)).await });
        }
        let mut admitted = 0;
        while let Some(joined) = tasks.join_next().await {
            match joined.unwrap() {
                Ok(_) => admitted += 1,
                Err(StoreError::Blocked(_)) => {}
                Err(other) => panic!("unexpected: {other}"),
            }
        }
        admitted_per_round.push(admitted);
        let stored = store.guess_budget(&ana).await.unwrap();
        assert_eq!(stored.failures as usize, admitted_per_round.iter().sum::<usize>(), "each guess counted once");
        match stored.state_at(at(now)) {
            BudgetState::Paused { until, .. } => now = until.unix_millis().div_euclid(1000) - 1_800_000_000,
            BudgetState::Locked { .. } => break,
            BudgetState::Open { .. } => panic!("{fired} guesses at once must end in a block"),
        }
    }
    assert_eq!(
        admitted_per_round.first(),
        Some(&(policy.pause_after() as usize)),
        "the first burst stops at the pause"
    );
    assert_eq!(admitted_per_round.iter().sum::<usize>(), policy.lock_after() as usize, "nothing past the lock");
    assert!(matches!(
        store.guess_budget(&ana).await.unwrap().state_at(at(now + 10_000_000)),
        BudgetState::Locked { .. }
    ));
    let unlocked = store.change_budget(&ana, &BudgetChange::Unlock).await.unwrap();
    assert_eq!(unlocked.after.state_at(at(now)), BudgetState::Open { failures: 0 });
    admitted_per_round
}

pub async fn a_new_order_and_its_code_sent_entry_are_written_in_one_step(store: Store) {
    let ana = new_user();
    let sent = |order: &Order| {
        let what = ActivityKind::CodeSent {
            channel: Channel::Sms,
            to: MaskedDestination::Phone { last_digits: "21".into() },
            purpose: pod_shared::domain::CodePurpose::Order,
        };
        ActivityEvent::new(&ana, order.created_at, Source::Voice, what).for_order(order.id)
    };
    let (first, second) = (new_order(&ana, 0), new_order(&ana, 10));
    assert_eq!(store.insert_superseding_recorded(&first, &sent(&first)).await.unwrap(), None);
    let entry = sent(&second);
    assert_eq!(store.insert_superseding_recorded(&second, &entry).await.unwrap(), Some(first.id));
    assert_eq!(store.get(&ana, &first.id).await.unwrap().unwrap().status, OrderStatus::Cancelled);
    assert_eq!(store.pending_for(&ana).await.unwrap().map(|o| o.id), Some(second.id));
    let listed = store.list_activity(&ana, 10, None).await.unwrap().events;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], entry);
    // The same order again: refused, and its entry is not written either.
    assert_eq!(store.insert_superseding_recorded(&second, &sent(&second)).await, Err(StoreError::Duplicate));
    assert_eq!(store.list_activity(&ana, 10, None).await.unwrap().events.len(), 2);
}

/// A supersede may start from what an earlier read saw (`pending_seen`, read beside the request's
/// claim); when the pointer moved since, the write's conditions catch it and the order pending
/// now is the one cancelled. Racing supersedes from one stale read leave exactly one pending.
pub async fn a_supersede_from_a_stale_read_cancels_the_order_pending_now(store: Store) {
    let (ana, ben) = (new_user(), new_user());
    let first = new_order(&ana, 0);
    store.insert_superseding(&first).await.unwrap();
    let stale = store.pending_seen(&ana).await.unwrap();
    let second = new_order(&ana, 10);
    assert_eq!(store.insert_superseding(&second).await.unwrap(), Some(first.id));
    let third = new_order(&ana, 20);
    assert_eq!(store.insert_superseding_after(&third, None, stale.clone()).await.unwrap(), Some(second.id));
    assert_eq!(store.get(&ana, &second.id).await.unwrap().unwrap().status, OrderStatus::Cancelled);
    // Another user's read is no start for ana's supersede.
    let bens = store.pending_seen(&ben).await.unwrap();
    let fourth = new_order(&ana, 30);
    assert_eq!(store.insert_superseding_after(&fourth, None, bens).await.unwrap(), Some(third.id));

    let racers: Vec<Order> = (0..8).map(|i| new_order(&ana, 40 + i)).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for order in racers.clone() {
        let (store, stale) = (store.clone(), stale.clone());
        tasks.spawn(async move { store.insert_superseding_after(&order, None, stale).await });
    }
    while let Some(joined) = tasks.join_next().await {
        let result = joined.unwrap();
        assert!(result.is_ok(), "every racer's order is stored: {result:?}");
    }
    let pending = store.pending_for(&ana).await.unwrap().expect("one order is pending");
    let mut statuses = Vec::new();
    for order in racers.iter().chain([&first, &second, &third, &fourth]) {
        statuses.push(store.get(&ana, &order.id).await.unwrap().unwrap().status);
    }
    let still_pending = statuses.iter().filter(|s| **s == OrderStatus::PendingConfirmation).count();
    assert_eq!(still_pending, 1, "exactly one pending: {statuses:?}");
    assert!(racers.iter().any(|o| o.id == pending.id), "the pending one is a racer's");
}

/// A wrong code's count and its entry, and a right code's reset and its entry: the move when
/// it is allowed, the entry either way (one step in the embedded store, two writes at once on
/// DynamoDB; the same outcome).
pub async fn a_move_and_its_entry_are_written_together_and_the_entry_even_when_the_move_is_refused(store: Store) {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let entry = |what, seconds| ActivityEvent::new(&ana, at(seconds), Source::Voice, what).for_order(order.id);

    let wrong = entry(ActivityKind::WrongCode, 1);
    let counted = store.transition_recorded(&ana, &order.id, Transition::RecordWrongCode, at(1), &wrong).await.unwrap();
    assert_eq!(counted.challenge.attempts_used, 1);
    assert_eq!(store.get(&ana, &order.id).await.unwrap().unwrap().challenge.attempts_used, 1);
    assert_eq!(store.list_activity(&ana, 10, None).await.unwrap().events, vec![wrong.clone()]);

    store.transition(&ana, &order.id, Transition::Confirm, at(2)).await.unwrap();
    let late = entry(ActivityKind::WrongCode, 3);
    let refused = store.transition_recorded(&ana, &order.id, Transition::RecordWrongCode, at(3), &late).await;
    assert!(matches!(refused, Err(StoreError::Transition(_))), "{refused:?}");
    let stored = store.get(&ana, &order.id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.challenge.attempts_used), (OrderStatus::Confirmed, 1), "the order did not move");
    assert_eq!(store.list_activity(&ana, 10, None).await.unwrap().events, vec![late, wrong.clone()]);

    let policy = BudgetPolicy::default();
    store.change_budget(&ana, &BudgetChange::Reserve { now: at(4), policy }).await.unwrap();
    let confirmed = entry(ActivityKind::Confirmed, 5);
    let reset = store.change_budget_recorded(&ana, &BudgetChange::Succeed, &confirmed).await.unwrap();
    assert_eq!((reset.before.failures, reset.after.failures), (1, 0));
    assert_eq!(store.guess_budget(&ana).await.unwrap().failures, 0);
    assert_eq!(store.list_activity(&ana, 10, None).await.unwrap().events[0], confirmed);
}

/// The answer a test request gives, kept on `key`'s claim until a day after `now`.
fn answer_on(key: &RequestKey, answer: String) -> ClaimAnswer {
    ClaimAnswer { key: key.clone(), answer, expires: at(86_400) }
}

/// An order's supersede keeps the request's answer, rendered for what it superseded, in the same
/// write; a claim no longer in progress takes no answer, and the order is stored all the same.
pub async fn an_order_keeps_its_requests_answer_in_its_own_write(store: Store) {
    let ana = new_user();
    let said = |key: &RequestKey| {
        let key = key.clone();
        move |superseded: &Option<pod_shared::domain::OrderId>| Some(answer_on(&key, format!("after {superseded:?}")))
    };
    let (first, second, third) = (new_order(&ana, 0), new_order(&ana, 10), new_order(&ana, 20));
    let keys: Vec<RequestKey> = (0..3).map(|i| request_key("amzn1.ask.skill.pod", &ana, &format!("r{i}"))).collect();
    for key in &keys[..2] {
        assert_eq!(store.claim_request(key, at(0), at(3600)).await.unwrap(), RequestClaim::Claimed);
    }
    let (superseded, stored) = store.insert_superseding_answered(&first, None, None, &said(&keys[0])).await.unwrap();
    assert_eq!((superseded, stored), (None, true));
    let kept = store.claim_request(&keys[0], at(1), at(3600)).await.unwrap();
    assert_eq!(kept, RequestClaim::Answered("after None".into()), "a repeat hears the answer given");
    let seen = store.pending_seen(&ana).await.unwrap();
    let (superseded, stored) = store.insert_superseding_answered(&second, None, seen, &said(&keys[1])).await.unwrap();
    assert_eq!((superseded, stored), (Some(first.id), true));
    let kept = store.claim_request(&keys[1], at(11), at(3600)).await.unwrap();
    assert_eq!(kept, RequestClaim::Answered(format!("after {:?}", Some(first.id))));
    // keys[2] was never claimed: the order goes in, its answer does not.
    let (superseded, stored) = store.insert_superseding_answered(&third, None, None, &said(&keys[2])).await.unwrap();
    assert_eq!((superseded, stored), (Some(second.id), false));
    assert_eq!(store.pending_for(&ana).await.unwrap().map(|o| o.id), Some(third.id));
    assert_eq!(store.claim_request(&keys[2], at(21), at(3600)).await.unwrap(), RequestClaim::Claimed);
}

/// An order written ahead of its code's send (`insert_reserving_send`: the send reserved, the
/// supersede, the entry, the answer, one step) is taken back whole when the send fails: the
/// earlier order pending again as it was, no trace of the new one but its counted send, and the
/// claim in progress for the failure's answer. A full send window refuses the whole write; an
/// order that moved after its write is cancelled instead.
pub async fn an_order_written_ahead_of_its_send_is_taken_back_whole_when_the_send_fails(store: Store) {
    let ana = new_user();
    let code_sent = |order: &Order| {
        let what = ActivityKind::CodeSent {
            channel: Channel::Sms,
            to: MaskedDestination::Phone { last_digits: "21".into() },
            purpose: pod_shared::domain::CodePurpose::Order,
        };
        ActivityEvent::new(&order.user_id, order.created_at, Source::Voice, what).for_order(order.id)
    };
    let earlier = new_order(&ana, 0);
    store.insert_superseding(&earlier).await.unwrap();
    let key = request_key("amzn1.ask.skill.pod", &ana, &new_request_id());
    assert_eq!(store.claim_request(&key, at(10), at(3600)).await.unwrap(), RequestClaim::Claimed);
    let order = new_order(&ana, 10);
    let entry = code_sent(&order);
    let said =
        |superseded: &Option<pod_shared::domain::OrderId>| Some(answer_on(&key, format!("after {superseded:?}")));
    let written = store.insert_reserving_send(&order, Some(&entry), None, 5, &said).await.unwrap();
    let (written, stored) = written.expect("both adapters write an order ahead of its send");
    assert!(stored, "the answer went in the same step");
    assert_eq!(written.superseded, Some(earlier.clone()), "the earlier order as it was");
    assert_eq!((written.sent.as_ref(), written.answered.as_ref()), (Some(&entry), Some(&key)));
    assert_eq!(store.pending_for(&ana).await.unwrap(), Some(order.clone()));
    assert_eq!(store.get(&ana, &earlier.id).await.unwrap().unwrap().status, OrderStatus::Cancelled);
    assert_eq!(store.list_activity(&ana, 10, None).await.unwrap().events, std::slice::from_ref(&entry));
    let kept = RequestClaim::Answered(format!("after {:?}", Some(earlier.id)));
    assert_eq!(store.claim_request(&key, at(11), at(3600)).await.unwrap(), kept);

    store.withdraw_unsent(&written, at(12)).await.unwrap();
    assert_eq!(store.pending_for(&ana).await.unwrap(), Some(earlier.clone()), "pending again, as it was");
    assert_eq!(store.get(&ana, &order.id).await.unwrap(), None);
    assert_eq!(store.list(&ana, PageRequest::first(10)).await.unwrap().orders, std::slice::from_ref(&earlier));
    assert!(store.list_activity(&ana, 10, None).await.unwrap().events.is_empty());
    assert_eq!(store.claim_request(&key, at(12), at(3600)).await.unwrap(), RequestClaim::InProgress);
    assert!(store.answer_request(&key, "not sent", at(3600)).await.unwrap(), "the failure's answer goes on");
    for second in 0..4 {
        store.reserve_code_send(&ana, at(20 + second), 5).await.unwrap();
    }
    let full = store.reserve_code_send(&ana, at(30), 5).await;
    assert!(matches!(full, Err(StoreError::RateLimited { .. })), "the unsent send stays counted: {full:?}");

    // A full window: nothing of the order is written (refused, or left to the step by step
    // path by a store whose one step cannot tell a full window from one with aged-out sends).
    let refused = new_order(&ana, 40);
    let outcome = store.insert_reserving_send(&refused, Some(&code_sent(&refused)), None, 5, &said).await;
    assert!(matches!(outcome, Err(StoreError::RateLimited { .. }) | Ok(None)), "{outcome:?}");
    assert_eq!(store.get(&ana, &refused.id).await.unwrap(), None);
    assert_eq!(store.pending_for(&ana).await.unwrap(), Some(earlier.clone()));

    // An order that moved after its write (a wrong code) is cancelled, not removed; the one it
    // superseded stays cancelled.
    let ben = new_user();
    let (first, second) = (new_order(&ben, 0), new_order(&ben, 10));
    store.insert_superseding(&first).await.unwrap();
    let (written, _) = store.insert_reserving_send(&second, None, None, 5, &|_| None).await.unwrap().unwrap();
    assert_eq!(written.answered, None);
    store.transition(&ben, &second.id, Transition::RecordWrongCode, at(11)).await.unwrap();
    store.withdraw_unsent(&written, at(12)).await.unwrap();
    assert_eq!(store.get(&ben, &second.id).await.unwrap().unwrap().status, OrderStatus::Cancelled);
    assert_eq!(store.get(&ben, &first.id).await.unwrap().unwrap().status, OrderStatus::Cancelled);
    assert_eq!(store.pending_for(&ben).await.unwrap(), None);
}

/// A code check's last write (the move, its entries, the budget's reset) keeps the request's
/// answer in one step, only while the order is as the request read it and its claim is in
/// progress: otherwise nothing at all is written. Of eight such writes from one read, one wins.
pub async fn a_code_checks_last_write_keeps_its_answer_only_for_the_order_as_read(store: Store) {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let key = |i: usize| request_key("amzn1.ask.skill.pod", &ana, &format!("check-{i}"));
    let said = |key: RequestKey| {
        move |after: &Order| {
            Some(answer_on(&key, format!("{} with {} left", after.status.name(), after.challenge.attempts_left())))
        }
    };
    let entry = |what, seconds| ActivityEvent::new(&ana, at(seconds), Source::Voice, what).for_order(order.id);
    let claim = |i: usize| {
        let (store, key) = (store.clone(), key(i));
        async move { assert_eq!(store.claim_request(&key, at(0), at(3600)).await.unwrap(), RequestClaim::Claimed) }
    };

    let seen = store.get(&ana, &order.id).await.unwrap().unwrap();
    claim(0).await;
    let wrong = entry(ActivityKind::WrongCode, 1);
    let counted = store
        .finish_answered(&seen, Transition::RecordWrongCode, at(1), std::slice::from_ref(&wrong), false, &said(key(0)))
        .await
        .unwrap()
        .expect("the order is as read");
    let stored = store.get(&ana, &order.id).await.unwrap().unwrap();
    assert_eq!(stored, counted, "what it returns is what is stored");
    assert_eq!(stored.challenge.attempts_used, 1);
    assert_eq!(store.list_activity(&ana, 10, None).await.unwrap().events, vec![wrong.clone()]);
    let kept = format!("{} with {} left", stored.status.name(), stored.challenge.attempts_left());
    assert_eq!(store.claim_request(&key(0), at(2), at(3600)).await.unwrap(), RequestClaim::Answered(kept));

    // The same read again: the order moved since, so nothing is written, not even the entry.
    claim(1).await;
    let late = entry(ActivityKind::WrongCode, 3);
    let stale = store
        .finish_answered(&seen, Transition::RecordWrongCode, at(3), std::slice::from_ref(&late), false, &said(key(1)))
        .await
        .unwrap();
    assert_eq!(stale, None);
    assert_eq!(store.get(&ana, &order.id).await.unwrap().unwrap(), counted);
    assert_eq!(store.list_activity(&ana, 10, None).await.unwrap().events, vec![wrong.clone()]);
    assert_eq!(store.claim_request(&key(1), at(4), at(3600)).await.unwrap(), RequestClaim::InProgress);

    // A claim that is not in progress (never made) writes nothing either.
    let unclaimed = store
        .finish_answered(
            &counted,
            Transition::RecordWrongCode,
            at(5),
            &[entry(ActivityKind::WrongCode, 5)],
            false,
            &said(key(2)),
        )
        .await
        .unwrap();
    assert_eq!(unclaimed, None);
    assert_eq!(store.get(&ana, &order.id).await.unwrap().unwrap(), counted);

    // Eight right codes from one read: exactly one confirms, resets the budget and keeps its answer.
    let policy = BudgetPolicy::default();
    store.change_budget(&ana, &BudgetChange::Reserve { now: at(6), policy }).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 10..18 {
        claim(i).await;
        let (store, seen, render) = (store.clone(), counted.clone(), said(key(i)));
        let confirmed = entry(ActivityKind::Confirmed, 7);
        tasks.spawn(async move {
            store.finish_answered(&seen, Transition::Confirm, at(7), &[confirmed], true, &render).await.unwrap()
        });
    }
    let mut wins = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        wins.extend(joined.unwrap());
    }
    assert_eq!(wins.len(), 1, "exactly one of eight confirms: {wins:?}");
    let stored = store.get(&ana, &order.id).await.unwrap().unwrap();
    assert_eq!((stored.status, &stored), (OrderStatus::Confirmed, &wins[0]));
    assert_eq!(store.pending_for(&ana).await.unwrap(), None);
    assert_eq!(store.guess_budget(&ana).await.unwrap().failures, 0, "the reset went with the confirmation");
    let events = store.list_activity(&ana, 20, None).await.unwrap().events;
    assert_eq!(events.iter().filter(|e| e.what == ActivityKind::Confirmed).count(), 1, "{events:?}");
    let mut answered = 0;
    for i in 10..18 {
        if matches!(store.claim_request(&key(i), at(8), at(3600)).await.unwrap(), RequestClaim::Answered(_)) {
            answered += 1;
        }
    }
    assert_eq!(answered, 1, "only the winner's answer is kept");
}

pub async fn activity_is_listed_newest_first_in_pages_and_only_to_its_user(store: Store) {
    let (ana, ben) = (new_user(), new_user());
    let mut recorded = Vec::new();
    for (i, what) in
        [ActivityKind::WrongCode, ActivityKind::Confirmed, ActivityKind::VoiceOrderingLocked].into_iter().enumerate()
    {
        let event = ActivityEvent::new(&ana, at(i as i64), Source::Voice, what);
        store.record_activity(&event).await.unwrap();
        recorded.push(event);
    }
    assert_eq!(store.record_activity(&recorded[0]).await, Err(StoreError::Duplicate), "an entry is written once");
    recorded.reverse();
    let first = store.list_activity(&ana, 2, None).await.unwrap();
    assert_eq!(first.events, recorded[..2]);
    let second = store.list_activity(&ana, 2, first.next).await.unwrap();
    assert_eq!(second.events, recorded[2..]);
    assert_eq!(second.next, None);
    assert!(store.list_activity(&ben, 10, None).await.unwrap().events.is_empty());
}

fn enrollment(user: &UserId, phone: &str, started: i64) -> PhoneEnrollment {
    let phone = PhoneNumber::parse(phone).unwrap();
    PhoneEnrollment::start(user.clone(), phone, std::time::Duration::from_secs(300), 3, at(started))
}

pub async fn a_phone_is_enrolled_only_by_its_own_unexpired_code(store: Store) {
    let ana = new_user();
    assert_eq!(store.enrolled_phone(&ana).await.unwrap(), None);
    let first = enrollment(&ana, "+14155550142", 0);
    store.start_enrollment(&first).await.unwrap();
    assert_eq!(store.pending_enrollment(&ana).await.unwrap(), Some(first.clone()));
    let after = store.enrollment_wrong_code(&ana, first.id, at(1)).await.unwrap();
    assert_eq!(after.attempts_left(), 2);
    assert_eq!(
        store.complete_enrollment(&ana, EnrollmentId::generate(), at(2)).await,
        Err(StoreError::Enrollment(EnrollmentError::NotPending)),
        "a code bound to another enrollment completes nothing"
    );
    assert_eq!(store.complete_enrollment(&ana, first.id, at(2)).await.unwrap(), None, "nothing enrolled before");
    assert_eq!(store.enrolled_phone(&ana).await.unwrap().unwrap().phone.as_str(), "+14155550142");
    assert_eq!(store.pending_enrollment(&ana).await.unwrap(), None, "an enrollment completes once");
    assert_eq!(
        store.complete_enrollment(&ana, first.id, at(3)).await,
        Err(StoreError::Enrollment(EnrollmentError::NotPending))
    );

    // Changing the number: the previous one is returned (to be told), an expired code does nothing.
    let second = enrollment(&ana, "+14155550143", 100);
    store.start_enrollment(&second).await.unwrap();
    assert_eq!(
        store.complete_enrollment(&ana, second.id, at(400)).await,
        Err(StoreError::Enrollment(EnrollmentError::Expired))
    );
    let third = enrollment(&ana, "+14155550144", 500);
    store.start_enrollment(&third).await.unwrap();
    for i in 0..3 {
        store.enrollment_wrong_code(&ana, third.id, at(501 + i)).await.unwrap();
    }
    assert_eq!(
        store.enrollment_wrong_code(&ana, third.id, at(505)).await,
        Err(StoreError::Enrollment(EnrollmentError::AttemptsExhausted))
    );
    assert_eq!(
        store.complete_enrollment(&ana, third.id, at(506)).await,
        Err(StoreError::Enrollment(EnrollmentError::AttemptsExhausted))
    );
    let fourth = enrollment(&ana, "+14155550145", 600);
    store.start_enrollment(&fourth).await.unwrap();
    let previous = store.complete_enrollment(&ana, fourth.id, at(601)).await.unwrap();
    assert_eq!(previous.map(|p| p.phone.as_str().to_string()).as_deref(), Some("+14155550142"));
    assert_eq!(store.enrolled_phone(&ana).await.unwrap().unwrap().phone.as_str(), "+14155550145");
    assert_eq!(store.enrolled_phone(&new_user()).await.unwrap(), None, "per user");
}

/// Fires `fired` completions and wrong codes at one enrollment at once: exactly one completion wins.
pub async fn racing_enrollment_codes_complete_once(store: Store, fired: usize) {
    let ana = new_user();
    let pending = enrollment(&ana, "+14155550146", 0);
    store.start_enrollment(&pending).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..fired {
        let (store, ana, id) = (store.clone(), ana.clone(), pending.id);
        tasks.spawn(async move {
            if i % 2 == 0 {
                store.complete_enrollment(&ana, id, at(1)).await.map(|_| true)
            } else {
                store.enrollment_wrong_code(&ana, id, at(1)).await.map(|_| false)
            }
        });
    }
    let mut completions = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(true) => completions += 1,
            Ok(false) | Err(StoreError::Enrollment(_)) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert!(completions <= 1, "at most one completion wins, got {completions}");
    let enrolled = store.enrolled_phone(&ana).await.unwrap();
    assert_eq!(enrolled.is_some(), completions == 1);
}

fn sign_in(user: &UserId, phone: &str, seconds: i64) -> SignInContacts {
    let email = EmailAddress::parse("ana@example.com").ok();
    SignInContacts::new(user.clone(), email, true, PhoneNumber::parse(phone).ok(), true, at(seconds))
}

pub async fn the_latest_sign_in_contacts_are_kept_and_an_older_sign_in_never_replaces_them(store: Store) {
    let (ana, ben) = (new_user(), new_user());
    assert_eq!(store.sign_in_contacts(&ana).await.unwrap(), None);
    store.remember_sign_in_contacts(&sign_in(&ana, "+14155550150", 10)).await.unwrap();
    store.remember_sign_in_contacts(&sign_in(&ana, "+14155550151", 20)).await.unwrap();
    store.remember_sign_in_contacts(&sign_in(&ana, "+14155550152", 15)).await.unwrap();
    let kept = store.sign_in_contacts(&ana).await.unwrap().unwrap();
    assert_eq!((kept.phone.unwrap().as_str(), kept.signed_in_at), ("+14155550151", at(20)), "the newest sign-in wins");
    assert_eq!(store.sign_in_contacts(&ben).await.unwrap(), None, "only the user's own");
}

/// Sign-ins written at once, in any order: the newest is what stays.
pub async fn racing_sign_ins_keep_the_newest(store: Store, fired: i64) {
    let ana = new_user();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..fired {
        let (store, contacts) = (store.clone(), sign_in(&ana, &format!("+1415555{:04}", 1000 + i), i));
        tasks.spawn(async move { store.remember_sign_in_contacts(&contacts).await });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap().unwrap();
    }
    let kept = store.sign_in_contacts(&ana).await.unwrap().unwrap();
    assert_eq!(kept.signed_in_at, at(fired - 1), "the newest of {fired} racing sign-ins");
}

/// Every transition over every state an order can be stored in (status × expired or not ×
/// attempts left): the store must agree with [`Order::check`], refuse exactly when the domain
/// does (with the same reason), change nothing when it refuses, and store exactly what
/// [`Order::apply`] gives when it accepts. Returns how many cases ran.
pub async fn every_transition_over_every_state_agrees_with_the_domain(store: Store) -> usize {
    let statuses = [
        OrderStatus::PendingConfirmation,
        OrderStatus::Confirmed,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
        OrderStatus::Locked,
    ];
    let mut cases = 0;
    for status in statuses {
        for expired in [false, true] {
            for attempts_left in 0..=3u32 {
                for transition in Transition::ALL {
                    let ana = new_user();
                    let mut order = new_order(&ana, 0);
                    order.status = status;
                    order.challenge.attempts_used = order.challenge.max_attempts - attempts_left;
                    store.insert_superseding(&order).await.unwrap();
                    let now = if expired { at(300) } else { at(10) };
                    let mut expected = order.clone();
                    let domain = expected.apply(transition, now);
                    let case = format!("{transition:?} on {status}, expired {expired}, {attempts_left} attempts left");
                    match (store.transition(&ana, &order.id, transition, now).await, domain) {
                        (Ok(stored), Ok(())) => assert_eq!(stored, expected, "{case}"),
                        (Err(StoreError::Transition(got)), Err(want)) => assert_eq!(got, want, "{case}"),
                        (got, want) => panic!("{case}: the store said {got:?}, the domain {want:?}"),
                    }
                    let kept = store.get(&ana, &order.id).await.unwrap().unwrap();
                    assert_eq!(kept, expected, "{case}: stored as the domain says");
                    cases += 1;
                }
            }
        }
    }
    cases
}

// ------------------------------------------------------------ web sessions

/// A fresh session for a new user, signed in at `at(0)` with the default policy (8 h, 30 min idle).
fn new_session() -> WebSession {
    WebSession::start(new_user(), at(0), SessionPolicy::default())
}

pub async fn a_session_is_created_once_and_read_only_by_its_user(store: Sessions) {
    let session = new_session();
    store.create_session(&session).await.unwrap();
    assert_eq!(store.session(&session.user, &session.id).await.unwrap(), Some(session.clone()));
    assert_eq!(store.session(&new_user(), &session.id).await.unwrap(), None, "another user's id finds nothing");
    assert_eq!(store.session(&session.user, &SessionId::generate()).await.unwrap(), None);
    assert_eq!(store.create_session(&session).await, Err(StoreError::Duplicate));
}

pub async fn a_used_session_stays_live_and_an_unused_one_times_out(store: Sessions) {
    let session = new_session();
    store.create_session(&session).await.unwrap();
    // Used 29 minutes in: live until 30 minutes after that.
    let touched = store.touch_session(&session.user, &session.id, at(29 * 60)).await.unwrap().unwrap();
    assert_eq!(touched.last_seen, at(29 * 60));
    let stored = store.session(&session.user, &session.id).await.unwrap().unwrap();
    assert_eq!(stored, touched);
    assert_eq!(stored.state_at(at(59 * 60 - 1)), SessionState::Live);
    assert_eq!(stored.state_at(at(59 * 60)), SessionState::Idle);
    // Idle from then on: a use is refused and writes nothing.
    assert_eq!(store.touch_session(&session.user, &session.id, at(59 * 60)).await.unwrap(), None);
    assert_eq!(store.session(&session.user, &session.id).await.unwrap(), Some(stored));
    assert_eq!(store.touch_session(&new_user(), &session.id, at(60)).await.unwrap(), None, "no such session");
}

pub async fn a_session_in_use_still_ends_at_its_absolute_limit(store: Sessions) {
    let session = new_session();
    store.create_session(&session).await.unwrap();
    let last_second = 8 * 60 * 60 - 1;
    for minute in (20..8 * 60).step_by(20) {
        assert!(store.touch_session(&session.user, &session.id, at(minute * 60)).await.unwrap().is_some());
    }
    let used = store.touch_session(&session.user, &session.id, at(last_second)).await.unwrap().unwrap();
    assert_eq!(used.state_at(at(last_second)), SessionState::Live);
    assert_eq!(used.state_at(at(last_second + 1)), SessionState::Expired);
    assert_eq!(store.touch_session(&session.user, &session.id, at(last_second + 1)).await.unwrap(), None);
}

pub async fn a_revoked_session_stays_revoked(store: Sessions) {
    let session = new_session();
    store.create_session(&session).await.unwrap();
    assert!(store.revoke_session(&session.user, &session.id, at(10)).await.unwrap());
    let stored = store.session(&session.user, &session.id).await.unwrap().unwrap();
    assert_eq!((stored.revoked_at, stored.state_at(at(11))), (Some(at(10)), SessionState::Revoked));
    assert_eq!(store.touch_session(&session.user, &session.id, at(120)).await.unwrap(), None);
    assert!(store.revoke_session(&session.user, &session.id, at(200)).await.unwrap(), "again: still there");
    let stored = store.session(&session.user, &session.id).await.unwrap().unwrap();
    assert_eq!(stored.revoked_at, Some(at(10)), "the first revocation is kept");
    assert!(!store.revoke_session(&session.user, &SessionId::generate(), at(10)).await.unwrap());
}

pub async fn revoking_a_users_sessions_ends_all_of_them_and_no_one_elses(store: Sessions) {
    let user = new_user();
    let sessions: Vec<WebSession> =
        (0..3).map(|_| WebSession::start(user.clone(), at(0), SessionPolicy::default())).collect();
    for session in &sessions {
        store.create_session(session).await.unwrap();
    }
    store.revoke_session(&user, &sessions[0].id, at(5)).await.unwrap();
    let other = new_session();
    store.create_session(&other).await.unwrap();
    assert_eq!(store.revoke_user_sessions(&user, at(10)).await.unwrap(), 2, "the two not revoked yet");
    for session in &sessions {
        let stored = store.session(&user, &session.id).await.unwrap().unwrap();
        assert_eq!(stored.state_at(at(11)), SessionState::Revoked);
    }
    assert_eq!(store.session(&user, &sessions[0].id).await.unwrap().unwrap().revoked_at, Some(at(5)));
    assert!(store.session(&other.user, &other.id).await.unwrap().unwrap().is_live_at(at(11)));
    assert_eq!(store.revoke_user_sessions(&user, at(20)).await.unwrap(), 0);
}

/// Uses and one sign-out of the same session, all at once: whatever the order, the
/// session ends revoked, and no use recorded after the revocation brings it back.
pub async fn racing_uses_and_a_revocation_leave_it_revoked(store: Sessions, fired: usize) -> usize {
    let session = new_session();
    store.create_session(&session).await.unwrap();
    let revoke_at = fired / 2;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..fired {
        let (store, user, id) = (store.clone(), session.user.clone(), session.id.clone());
        // Each use a minute later than the one before, so each would write.
        let now = at(60 * (i as i64 + 1));
        tasks.spawn(async move {
            if i == revoke_at {
                store.revoke_session(&user, &id, now).await.unwrap();
                0
            } else {
                usize::from(store.touch_session(&user, &id, now).await.unwrap().is_some())
            }
        });
    }
    let mut uses = 0;
    while let Some(done) = tasks.join_next().await {
        uses += done.unwrap();
    }
    let stored = store.session(&session.user, &session.id).await.unwrap().unwrap();
    assert_eq!(stored.state_at(at(60 * fired as i64 + 1)), SessionState::Revoked);
    assert!(store.touch_session(&session.user, &session.id, at(60 * (fired as i64 + 1))).await.unwrap().is_none());
    uses
}

/// Declares one `#[tokio::test]` per check above, for a store made by `$make` (an async expression).
#[macro_export]
macro_rules! order_store_suite {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn stores_and_reads_an_order_only_for_its_user() {
            store_suite::stores_and_reads_an_order_only_for_its_user($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn lists_newest_first_in_pages() {
            store_suite::lists_newest_first_in_pages($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_new_order_supersedes_the_pending_one() {
            store_suite::a_new_order_supersedes_the_pending_one($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_order_keeps_its_bill_and_one_stored_without_a_price_reads_without_one() {
            store_suite::an_order_keeps_its_bill_and_one_stored_without_a_price_reads_without_one($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_order_keeps_what_confirms_it_and_who_placed_it() {
            store_suite::an_order_keeps_what_confirms_it_and_who_placed_it($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn confirms_once() {
            store_suite::confirms_once($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_code_is_resealed_only_on_a_live_pending_order_with_the_mac_it_replaces() {
            store_suite::a_code_is_resealed_only_on_a_live_pending_order_with_the_mac_it_replaces($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_reseals_keep_exactly_one() {
            store_suite::racing_reseals_keep_exactly_one($make, 12).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn wrong_codes_lock_at_the_limit() {
            store_suite::wrong_codes_lock_at_the_limit($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_expired_challenge_refuses_and_can_expire() {
            store_suite::an_expired_challenge_refuses_and_can_expire($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn every_transition_over_every_state_agrees_with_the_domain() {
            let cases = store_suite::every_transition_over_every_state_agrees_with_the_domain($make).await;
            println!("transition table: {cases} cases (5 statuses x expired or not x 0-3 attempts left x 5 moves)");
            assert_eq!(cases, 200);
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn the_providers_expiry_expires_a_pending_order_early() {
            store_suite::the_providers_expiry_expires_a_pending_order_early($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn unknown_or_foreign_orders_are_not_found() {
            store_suite::unknown_or_foreign_orders_are_not_found($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_confirmations_and_wrong_codes_keep_the_invariants() {
            for round in 0..6 {
                let wrong_first = round % 2 == 1;
                let figures =
                    store_suite::racing_confirmations_and_wrong_codes_keep_the_invariants($make, 25, wrong_first).await;
                println!(
                    "race: fired {} (half confirmations), confirm wins {}, wrong codes recorded {}, final {} with {} attempts",
                    figures.fired,
                    figures.confirm_wins,
                    figures.wrong_codes_recorded,
                    figures.final_status,
                    figures.final_attempts
                );
            }
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_request_is_claimed_once_then_answered_and_the_answer_is_kept_until_it_expires() {
            store_suite::a_request_is_claimed_once_then_answered_and_the_answer_is_kept_until_it_expires($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn the_same_request_id_for_another_user_or_skill_is_another_claim() {
            store_suite::the_same_request_id_for_another_user_or_skill_is_another_claim($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_claims_of_one_request_have_exactly_one_winner() {
            for _ in 0..4 {
                store_suite::racing_claims_of_one_request_have_exactly_one_winner($make, 16).await;
            }
            println!("claim race: 16 claims of one request at once, 4 rounds, one winner each");
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn code_sends_are_limited_per_rolling_hour() {
            store_suite::code_sends_are_limited_per_rolling_hour($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_code_sends_admit_exactly_the_limit() {
            store_suite::racing_code_sends_admit_exactly_the_limit($make, 20).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn the_guess_budget_pauses_then_locks_and_a_right_code_resets_it() {
            store_suite::the_guess_budget_pauses_then_locks_and_a_right_code_resets_it($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_guesses_are_each_counted_once_and_stop_at_the_lock() {
            let rounds = store_suite::racing_guesses_are_each_counted_once_and_stop_at_the_lock($make, 20).await;
            println!("guess-budget race: 20 guesses at once per round, admitted per round {rounds:?}");
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_phone_is_enrolled_only_by_its_own_unexpired_code() {
            store_suite::a_phone_is_enrolled_only_by_its_own_unexpired_code($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_enrollment_codes_complete_once() {
            store_suite::racing_enrollment_codes_complete_once($make, 20).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn the_latest_sign_in_contacts_are_kept_and_an_older_sign_in_never_replaces_them() {
            store_suite::the_latest_sign_in_contacts_are_kept_and_an_older_sign_in_never_replaces_them($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_sign_ins_keep_the_newest() {
            store_suite::racing_sign_ins_keep_the_newest($make, 20).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_new_order_and_its_code_sent_entry_are_written_in_one_step() {
            store_suite::a_new_order_and_its_code_sent_entry_are_written_in_one_step($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_supersede_from_a_stale_read_cancels_the_order_pending_now() {
            store_suite::a_supersede_from_a_stale_read_cancels_the_order_pending_now($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_move_and_its_entry_are_written_together_and_the_entry_even_when_the_move_is_refused() {
            store_suite::a_move_and_its_entry_are_written_together_and_the_entry_even_when_the_move_is_refused($make)
                .await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_claim_reserves_a_guess_only_with_itself_and_only_far_from_a_block() {
            store_suite::a_claim_reserves_a_guess_only_with_itself_and_only_far_from_a_block($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_order_keeps_its_requests_answer_in_its_own_write() {
            store_suite::an_order_keeps_its_requests_answer_in_its_own_write($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_order_written_ahead_of_its_send_is_taken_back_whole_when_the_send_fails() {
            store_suite::an_order_written_ahead_of_its_send_is_taken_back_whole_when_the_send_fails($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_orders_written_ahead_of_their_sends_keep_the_limit_and_one_pending() {
            let written =
                store_suite::racing_orders_written_ahead_of_their_sends_keep_the_limit_and_one_pending($make, 12).await;
            println!("orders written ahead of their sends, 12 at once: {written} written");
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_code_checks_last_write_keeps_its_answer_only_for_the_order_as_read() {
            store_suite::a_code_checks_last_write_keeps_its_answer_only_for_the_order_as_read($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn activity_is_listed_newest_first_in_pages_and_only_to_its_user() {
            store_suite::activity_is_listed_newest_first_in_pages_and_only_to_its_user($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_wrong_codes_lock_exactly_at_the_limit() {
            let figures = store_suite::racing_wrong_codes_lock_exactly_at_the_limit($make, 30).await;
            println!(
                "wrong-code race: fired {}, recorded {}, final {} with {} attempts",
                figures.fired, figures.wrong_codes_recorded, figures.final_status, figures.final_attempts
            );
        }
    };
}

/// Declares one `#[tokio::test]` per session check above, for a session store made by `$make`.
#[macro_export]
macro_rules! session_store_suite {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_session_is_created_once_and_read_only_by_its_user() {
            store_suite::a_session_is_created_once_and_read_only_by_its_user($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_used_session_stays_live_and_an_unused_one_times_out() {
            store_suite::a_used_session_stays_live_and_an_unused_one_times_out($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_session_in_use_still_ends_at_its_absolute_limit() {
            store_suite::a_session_in_use_still_ends_at_its_absolute_limit($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_revoked_session_stays_revoked() {
            store_suite::a_revoked_session_stays_revoked($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn revoking_a_users_sessions_ends_all_of_them_and_no_one_elses() {
            store_suite::revoking_a_users_sessions_ends_all_of_them_and_no_one_elses($make).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn racing_uses_and_a_revocation_leave_it_revoked() {
            for _ in 0..5 {
                let uses = store_suite::racing_uses_and_a_revocation_leave_it_revoked($make, 20).await;
                println!("session race: 19 uses and 1 sign-out at once, uses recorded {uses}");
            }
        }
    };
}

// ------------------------------------------------------------ erasure

/// Every item the adapter holds for a user, found by reading the whole store (a test-only
/// listing each adapter has), as `where/key` strings.
pub type Items =
    Arc<dyn Fn(UserId) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send>> + Send + Sync>;

/// The one item an erasure keeps, as either adapter names it.
fn is_erasure_entry(item: &str) -> bool {
    item.starts_with("erasures/") || item.ends_with("/ERASED")
}

fn alexa_user() -> pod_shared::domain::AlexaUserId {
    pod_shared::domain::AlexaUserId::parse(&format!("amzn1.ask.account.suite-{}", uuid::Uuid::now_v7().simple()))
        .unwrap()
}

/// Gives `user` one item of every kind the store keeps: orders (confirmed and pending, so a
/// pending pointer), code sends, the guess budget, activity, sign-in contacts, an enrolled
/// phone and a phone waiting for its code, an answered request claim, a web session, and a
/// linked Alexa account.
async fn every_kind_of_item(store: &Store, sessions: &Sessions, user: &UserId) -> pod_shared::domain::AlexaUserId {
    let confirmed = new_order(user, 0);
    store.insert_superseding(&confirmed).await.unwrap();
    store.transition(user, &confirmed.id, Transition::Confirm, at(1)).await.unwrap();
    store.insert_superseding(&new_order(user, 2)).await.unwrap();
    store.reserve_code_send(user, at(2), 5).await.unwrap();
    store.change_budget(user, &reserve_at(3)).await.unwrap();
    store.record_activity(&ActivityEvent::new(user, at(3), Source::Voice, ActivityKind::WrongCode)).await.unwrap();
    store.remember_sign_in_contacts(&sign_in(user, "+14155550160", 4)).await.unwrap();
    let first = enrollment(user, "+14155550161", 5);
    store.start_enrollment(&first).await.unwrap();
    store.complete_enrollment(user, first.id, at(6)).await.unwrap();
    store.start_enrollment(&enrollment(user, "+14155550162", 7)).await.unwrap();
    let key = request_key("amzn1.ask.skill.suite", user, &new_request_id());
    store.claim_request(&key, at(8), at(60)).await.unwrap();
    store.answer_request(&key, "the answer", at(60)).await.unwrap();
    sessions.create_session(&WebSession::start(user.clone(), at(9), SessionPolicy::default())).await.unwrap();
    let alexa = alexa_user();
    store.link_alexa_user(&alexa, user, at(10)).await.unwrap();
    alexa
}

pub async fn erasing_a_user_leaves_nothing_of_theirs_but_the_entry_and_no_one_elses_changes(
    store: Store,
    sessions: Sessions,
    items: Items,
) {
    let (ana, ben) = (new_user(), new_user());
    let ana_alexa = every_kind_of_item(&store, &sessions, &ana).await;
    let ben_alexa = every_kind_of_item(&store, &sessions, &ben).await;
    let before = items(ana.clone()).await;
    assert!(before.len() >= 13, "every kind of item is there to erase: {before:?}");
    let bens = items(ben.clone()).await;

    let report = store.erase_user(&ana, at(100)).await.unwrap();
    assert_eq!(report.erased_at, at(100));
    assert_eq!(report.deleted, before.len(), "each item counted once: {before:?}");
    let left = items(ana.clone()).await;
    assert_eq!(left.len(), 1, "only the erasure entry is left: {left:?}");
    assert!(is_erasure_entry(&left[0]), "{left:?}");
    assert_eq!(items(ben.clone()).await, bens, "another user's data is untouched");

    // Read through the port, the user is a new user.
    assert!(store.list(&ana, PageRequest::first(10)).await.unwrap().orders.is_empty());
    assert_eq!(store.pending_for(&ana).await.unwrap(), None);
    assert!(store.list_activity(&ana, 10, None).await.unwrap().events.is_empty());
    assert_eq!(store.guess_budget(&ana).await.unwrap().failures, 0);
    assert_eq!(store.sign_in_contacts(&ana).await.unwrap(), None);
    assert_eq!(store.enrolled_phone(&ana).await.unwrap(), None);
    assert_eq!(store.pending_enrollment(&ana).await.unwrap(), None);
    assert_eq!(store.alexa_user_link(&ana_alexa).await.unwrap(), None);
    assert_eq!(store.alexa_user_link(&ben_alexa).await.unwrap(), Some(ben.clone()));
    assert_eq!(store.list(&ben, PageRequest::first(10)).await.unwrap().orders.len(), 2);

    // Idempotent: nothing left, nothing written, the first erasure's time reported.
    let again = store.erase_user(&ana, at(200)).await.unwrap();
    assert_eq!((again.deleted, again.erased_at), (0, at(100)));
    assert_eq!(items(ana.clone()).await, left);

    // Afterwards the user starts again as a new user, and a new erasure takes that too.
    store.insert_superseding(&new_order(&ana, 300)).await.unwrap();
    let third = store.erase_user(&ana, at(400)).await.unwrap();
    assert_eq!((third.deleted > 0, third.erased_at), (true, at(400)));
    assert_eq!(items(ana.clone()).await.len(), 1);
}

pub async fn an_alexa_account_is_linked_to_its_latest_user_and_an_erasure_keeps_anothers_link(store: Store) {
    let (ana, ben) = (new_user(), new_user());
    let alexa = alexa_user();
    assert_eq!(store.alexa_user_link(&alexa).await.unwrap(), None);
    store.link_alexa_user(&alexa, &ana, at(0)).await.unwrap();
    store.link_alexa_user(&alexa, &ana, at(1)).await.unwrap();
    assert_eq!(store.alexa_user_link(&alexa).await.unwrap(), Some(ana.clone()));
    store.link_alexa_user(&alexa, &ben, at(2)).await.unwrap();
    assert_eq!(store.alexa_user_link(&alexa).await.unwrap(), Some(ben.clone()), "the latest link wins");
    store.erase_user(&ana, at(3)).await.unwrap();
    assert_eq!(store.alexa_user_link(&alexa).await.unwrap(), Some(ben.clone()), "ana's erasure keeps ben's link");
    store.erase_user(&ben, at(4)).await.unwrap();
    assert_eq!(store.alexa_user_link(&alexa).await.unwrap(), None);
}

/// An erasure and a confirmation of the user's pending order at once: whichever comes first,
/// no order is left (a confirmation after the erasure finds none and writes nothing).
pub async fn an_erasure_racing_a_confirmation_leaves_no_order(store: Store, items: Items) -> bool {
    let ana = new_user();
    let order = new_order(&ana, 0);
    store.insert_superseding(&order).await.unwrap();
    let erasing = tokio::spawn({
        let (store, ana) = (store.clone(), ana.clone());
        async move { store.erase_user(&ana, at(5)).await }
    });
    let confirming = tokio::spawn({
        let (store, ana, id) = (store.clone(), ana.clone(), order.id);
        async move { store.transition(&ana, &id, Transition::Confirm, at(5)).await }
    });
    let (erased, confirmed) = (erasing.await.unwrap(), confirming.await.unwrap());
    erased.unwrap();
    let confirmed = match confirmed {
        Ok(stored) => {
            assert_eq!(stored.status, OrderStatus::Confirmed);
            true
        }
        Err(StoreError::NotFound) => false,
        Err(other) => panic!("a confirmation racing the erasure: {other:?}"),
    };
    let left = items(ana.clone()).await;
    assert_eq!(left.len(), 1, "nothing of the order survives: {left:?}");
    assert!(is_erasure_entry(&left[0]), "{left:?}");
    assert_eq!(store.get(&ana, &order.id).await.unwrap(), None);
    confirmed
}

/// An erasure and a new order (superseding a pending one) at once: the earlier orders are
/// gone, and the new order is either gone whole or there whole (the order and its pending
/// pointer), as a new user's.
pub async fn an_erasure_racing_a_new_order_leaves_it_whole_or_not_at_all(store: Store, items: Items) -> bool {
    let ana = new_user();
    let earlier = new_order(&ana, 0);
    store.insert_superseding(&earlier).await.unwrap();
    let newer = new_order(&ana, 5);
    let erasing = tokio::spawn({
        let (store, ana) = (store.clone(), ana.clone());
        async move { store.erase_user(&ana, at(5)).await }
    });
    let placing = tokio::spawn({
        let (store, newer) = (store.clone(), newer.clone());
        async move { store.insert_superseding(&newer).await }
    });
    let (erased, placed) = (erasing.await.unwrap(), placing.await.unwrap());
    erased.unwrap();
    placed.unwrap();
    let left = items(ana.clone()).await;
    assert!(!left.iter().any(|item| item.contains(&earlier.id.to_string())), "{left:?}");
    assert_eq!(store.get(&ana, &earlier.id).await.unwrap(), None);
    let listed = store.list(&ana, PageRequest::first(10)).await.unwrap().orders;
    let pending = store.pending_for(&ana).await.unwrap();
    if listed.is_empty() {
        assert_eq!(pending, None);
        assert_eq!(left.len(), 1, "{left:?}");
        false
    } else {
        assert_eq!(listed, vec![newer.clone()]);
        assert_eq!(pending, Some(newer));
        true
    }
}

/// Declares the erasure checks, for `$store` (an async expression giving an adapter that is
/// both stores and has the test-only `items_of` listing).
#[macro_export]
macro_rules! erasure_suite {
    ($make:expr) => {
        fn parts<S>(adapter: std::sync::Arc<S>) -> (store_suite::Store, store_suite::Sessions, store_suite::Items)
        where
            S: pod_shared::ports::OrderStore + pod_shared::sessions::SessionStore + Listing + 'static,
        {
            let listing = adapter.clone();
            let items: store_suite::Items = std::sync::Arc::new(move |user| {
                let listing = listing.clone();
                Box::pin(async move { listing.list_items(&user).await })
            });
            (adapter.clone(), adapter, items)
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn erasing_a_user_leaves_nothing_of_theirs_but_the_entry_and_no_one_elses_changes() {
            let (store, sessions, items) = parts($make);
            store_suite::erasing_a_user_leaves_nothing_of_theirs_but_the_entry_and_no_one_elses_changes(
                store, sessions, items,
            )
            .await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_alexa_account_is_linked_to_its_latest_user_and_an_erasure_keeps_anothers_link() {
            let (store, _, _) = parts($make);
            store_suite::an_alexa_account_is_linked_to_its_latest_user_and_an_erasure_keeps_anothers_link(store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_erasure_racing_a_confirmation_leaves_no_order() {
            let (store, _, items) = parts($make);
            let mut confirmed = 0;
            for _ in 0..10 {
                confirmed += usize::from(
                    store_suite::an_erasure_racing_a_confirmation_leaves_no_order(store.clone(), items.clone()).await,
                );
            }
            println!("erasure vs confirmation: the confirmation came first {confirmed} times in 10");
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn an_erasure_racing_a_new_order_leaves_it_whole_or_not_at_all() {
            let (store, _, items) = parts($make);
            let mut kept = 0;
            for _ in 0..10 {
                kept += usize::from(
                    store_suite::an_erasure_racing_a_new_order_leaves_it_whole_or_not_at_all(
                        store.clone(),
                        items.clone(),
                    )
                    .await,
                );
            }
            println!("erasure vs new order: the new order stayed (placed after the erasure) {kept} times in 10");
        }
    };
}
