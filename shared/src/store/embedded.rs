//! The embedded, persistent order store for local use: one redb file under a data directory.
//!
//! redb is pure Rust (no C toolchain, quick to build), ACID, and serialises
//! write transactions, so each store method is one write transaction that
//! reads, checks the state machine and writes: the same all-or-nothing step a
//! DynamoDB conditional write gives.

use super::embedded_commits::{Db, GroupCommit, WriteTxn};
use crate::domain::{
    ActivityEvent, ActivityId, AlexaUserId, BudgetChange, BudgetPolicy, EnrolledPhone, EnrollmentError, EnrollmentId,
    ErasureEntry, ErasureReport, GuessBudget, Order, OrderId, OrderStatus, PhoneEnrollment, RequestClaim, RequestKey,
    SignInContacts, Timestamp, Transition, UserId, admit_send,
};
use crate::durability::DeferredCommits;
use crate::ports::{
    ActivityPage, AnswerFor, BudgetWrite, ClaimAnswer, OrderPage, OrderStore, PageRequest, PendingSeen, StoreError,
    WrittenBeforeSend,
};
use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, TableHandle};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// order id → the order as JSON.
const ORDERS: TableDefinition<&str, &[u8]> = TableDefinition::new("orders");
/// (user id, order id) → (): a user's orders, in id (= creation) order.
const USER_ORDERS: TableDefinition<(&str, &str), ()> = TableDefinition::new("user_orders");
/// user id → the id of that user's order pending confirmation.
const PENDING: TableDefinition<&str, &str> = TableDefinition::new("pending_by_user");
/// (user id, `<skill>#<request id>`) → the request's claim as JSON ([`StoredClaim`]).
const REQUESTS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("request_claims");
/// user id → the times (ms) codes were sent to that user in the last hour, as JSON.
const CODE_SENDS: TableDefinition<&str, &[u8]> = TableDefinition::new("code_sends");

/// user id → the user's guess budget, as JSON.
const BUDGETS: TableDefinition<&str, &[u8]> = TableDefinition::new("guess_budgets");
/// (user id, activity id) → the entry as JSON: a user's activity, in time order.
const ACTIVITY: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("activity");

/// user id → the phone waiting for its code, as JSON.
const ENROLLMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("phone_enrollments");
/// user id → the enrolled (verified) phone, as JSON.
const ENROLLED: TableDefinition<&str, &[u8]> = TableDefinition::new("enrolled_phones");

/// user id → the contacts of the user's latest sign-in, as JSON.
const SIGN_IN_CONTACTS: TableDefinition<&str, &[u8]> = TableDefinition::new("sign_in_contacts");

/// Alexa account key (the digest of its user id) → the Pod user it was last linked to.
const ALEXA_LINKS: TableDefinition<&str, &str> = TableDefinition::new("alexa_links");
/// (user id, Alexa account key) → (): the links made for a user, which its erasure follows.
const USER_ALEXA_LINKS: TableDefinition<(&str, &str), ()> = TableDefinition::new("user_alexa_links");
/// user id → the entry an erasure leaves ([`ErasureEntry`], as JSON).
const ERASURES: TableDefinition<&str, &[u8]> = TableDefinition::new("erasures");

/// Sorts after every hyphenated lowercase UUID (and every key this store puts after a user id).
const AFTER_ALL_IDS: &str = "~";

#[derive(Clone)]
pub struct EmbeddedOrderStore {
    pub(super) db: Arc<Database>,
    /// Shares durable commits between writers ([`super::embedded_commits`]).
    commits: Arc<GroupCommit>,
    /// The same two, as what a request's settle makes durable ([`crate::durability`]).
    deferred: Arc<dyn DeferredCommits>,
    path: PathBuf,
}

/// What a request's settle flushes: this database's commits, through its group commit.
struct Flush {
    db: Arc<Database>,
    commits: Arc<GroupCommit>,
}

impl DeferredCommits for Flush {
    fn make_durable(&self, number: u64) -> Result<(), StoreError> {
        self.commits.wait_until_durable(&self.db, number).map(|_| ()).map_err(unavailable)
    }
}

impl std::fmt::Debug for EmbeddedOrderStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedOrderStore").field("path", &self.path).finish()
    }
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn decode(bytes: &[u8]) -> Result<Order, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn encode(order: &Order) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(order).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn read_json<T: serde::de::DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<T>, StoreError> {
    table.get(key).map_err(unavailable)?.map(|guard| from_json(guard.value())).transpose()
}

/// A request's claim: in progress until it has an answer; the key is free again after `expires_ms`.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredClaim {
    expires_ms: i64,
    answer: Option<String>,
}

fn read_budget(table: &impl ReadableTable<&'static str, &'static [u8]>, user: &str) -> Result<GuessBudget, StoreError> {
    match table.get(user).map_err(unavailable)? {
        Some(guard) => from_json(guard.value()),
        None => Ok(GuessBudget::default()),
    }
}

impl EmbeddedOrderStore {
    /// Opens (or creates) `orders.redb` in `data_dir`, creating the directory if needed.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| unavailable(format!("cannot create data directory {}: {e}", data_dir.display())))?;
        let path = data_dir.join("orders.redb");
        let db = Database::create(&path).map_err(|e| unavailable(format!("cannot open {}: {e}", path.display())))?;
        let txn = db.begin_write().map_err(unavailable)?;
        {
            txn.open_table(ORDERS).map_err(unavailable)?;
            txn.open_table(USER_ORDERS).map_err(unavailable)?;
            txn.open_table(PENDING).map_err(unavailable)?;
            txn.open_table(CODE_SENDS).map_err(unavailable)?;
            txn.open_table(REQUESTS).map_err(unavailable)?;
            txn.open_table(BUDGETS).map_err(unavailable)?;
            txn.open_table(ACTIVITY).map_err(unavailable)?;
            txn.open_table(ENROLLMENTS).map_err(unavailable)?;
            txn.open_table(ENROLLED).map_err(unavailable)?;
            txn.open_table(SIGN_IN_CONTACTS).map_err(unavailable)?;
            txn.open_table(ALEXA_LINKS).map_err(unavailable)?;
            txn.open_table(USER_ALEXA_LINKS).map_err(unavailable)?;
            txn.open_table(ERASURES).map_err(unavailable)?;
        }
        txn.commit().map_err(unavailable)?;
        let (db, commits) = (Arc::new(db), Arc::<GroupCommit>::default());
        let deferred = Arc::new(Flush { db: Arc::clone(&db), commits: Arc::clone(&commits) });
        Ok(Self { db, commits, deferred, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// For tests: every stored item that belongs to `user`, found by reading every table whole
    /// (not through the user's keys) and keeping what names the user in its key or its value,
    /// each as `table/key`.
    #[doc(hidden)]
    pub async fn items_of(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            let me = user.as_str();
            let names = |bytes: &[u8]| bytes.windows(me.len()).any(|w| w == me.as_bytes());
            let mut found = Vec::new();
            for definition in [CODE_SENDS, BUDGETS, ENROLLMENTS, ENROLLED, SIGN_IN_CONTACTS, ERASURES, ORDERS] {
                let table = txn.open_table(definition).map_err(unavailable)?;
                for entry in table.iter().map_err(unavailable)? {
                    let (key, value) = entry.map_err(unavailable)?;
                    if key.value() == me || names(value.value()) {
                        found.push(format!("{}/{}", definition.name(), key.value()));
                    }
                }
            }
            for definition in [PENDING, ALEXA_LINKS] {
                let table = txn.open_table(definition).map_err(unavailable)?;
                for entry in table.iter().map_err(unavailable)? {
                    let (key, value) = entry.map_err(unavailable)?;
                    if key.value() == me || value.value() == me {
                        found.push(format!("{}/{}", definition.name(), key.value()));
                    }
                }
            }
            let mut pairs = vec![REQUESTS, ACTIVITY];
            match txn.open_table(super::embedded_sessions::WEB_SESSIONS) {
                Ok(_) => pairs.push(super::embedded_sessions::WEB_SESSIONS),
                Err(redb::TableError::TableDoesNotExist(_)) => {}
                Err(e) => return Err(unavailable(e)),
            }
            for definition in pairs {
                let table = txn.open_table(definition).map_err(unavailable)?;
                for entry in table.iter().map_err(unavailable)? {
                    let (key, value) = entry.map_err(unavailable)?;
                    let (owner, rest) = key.value();
                    if owner == me || names(value.value()) {
                        found.push(format!("{}/{owner}/{rest}", definition.name()));
                    }
                }
            }
            for definition in [USER_ORDERS, USER_ALEXA_LINKS] {
                let table = txn.open_table(definition).map_err(unavailable)?;
                for entry in table.iter().map_err(unavailable)? {
                    let (key, _) = entry.map_err(unavailable)?;
                    let (owner, rest) = key.value();
                    if owner == me {
                        found.push(format!("{}/{owner}/{rest}", definition.name()));
                    }
                }
            }
            found.sort();
            Ok(found)
        })
        .await
    }

    /// The new order, the previous pending one cancelled, and `sent` appended to the activity:
    /// one write transaction.
    ///
    /// With `answer`, the request's answer (rendered for the supersede the transaction makes) is
    /// stored on its claim in the same transaction, if the claim is still in progress; returns
    /// whether it was.
    async fn insert_superseding_with(
        &self,
        order: &Order,
        sent: Option<ActivityEvent>,
        answer: Option<AnswerFor<'_, Option<OrderId>>>,
    ) -> Result<(Option<OrderId>, bool), StoreError> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let (superseded, answered) = insert_in(&txn, order, sent.as_ref(), answer)?;
            txn.commit().map_err(unavailable)?;
            Ok((superseded.map(|previous| previous.id), answered.is_some()))
        })
        .await
    }

    /// One write transaction: `work`'s change (kept only if it succeeds: it writes nothing when
    /// refused) and `entry` appended to the activity either way; `work`'s outcome.
    async fn write_with_entry<T: Send + 'static>(
        &self,
        entry: &ActivityEvent,
        work: impl FnOnce(&redb::WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let entry = entry.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let outcome = work(&txn);
            if let Err(error) = append_activity_in(&txn, &entry) {
                crate::ports::entry_not_written(&entry, &error);
            }
            txn.commit().map_err(unavailable)?;
            outcome
        })
        .await
    }

    /// Runs one short redb transaction on this thread, and returns once everything it wrote
    /// or could have read is durable ([`super::embedded_commits`]: concurrent writers share
    /// one flush). On a multi-threaded runtime (pod-local) the worker first hands its other
    /// tasks to another worker (`block_in_place`), so a slow disk flush holds up nothing
    /// else; on a current-thread runtime it simply runs. Measured by `make bench`: handing
    /// each call to the blocking pool instead (`spawn_blocking`) costs a thread wake-up per
    /// call, several per request. A method that committed counts as one durable commit of
    /// the request ([`crate::round_trips::note_durable_commit`]). Within
    /// [`crate::durability::one_request`] its commit is left to the request's settle instead
    /// (which finds it on disk when it was the request's last write, made durable in place:
    /// [`WriteTxn::commit_before_settle`]), and only what other requests committed is waited for.
    pub(super) async fn blocking<T: Send>(
        &self,
        work: impl FnOnce(&Db<'_>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let request = crate::durability::current();
        let run = || {
            let scope = request.as_ref().map(|r| r.id());
            GroupCommit::take_this_threads_commit();
            let output = work(&Db::for_request(&self.db, &self.commits, scope));
            let committed = GroupCommit::take_this_threads_commit();
            // Taken after the work: whatever its transactions saw was numbered by then.
            let visible = self.commits.visible_to(scope);
            let deferred = committed > 0 && request.as_ref().is_some_and(|r| r.defer(&self.deferred, committed));
            if deferred {
                // Left to the request's settle; only what others committed is waited for.
                self.commits.wait_until_durable(&self.db, visible).map_err(unavailable)?;
            } else {
                self.commits.wait_until_durable(&self.db, visible.max(committed)).map_err(unavailable)?;
                if committed > 0 {
                    crate::round_trips::note_durable_commit();
                }
            }
            output
        };
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
            _ => run(),
        }
    }
}

/// Removes every `(user, _)` key of `table`; returns how many.
fn remove_user_range<V: redb::Value + 'static>(
    table: &mut redb::Table<(&'static str, &'static str), V>,
    user: &str,
) -> Result<Vec<String>, StoreError> {
    let mut keys = Vec::new();
    for entry in table.range((user, "")..(user, AFTER_ALL_IDS)).map_err(unavailable)? {
        let (key, _) = entry.map_err(unavailable)?;
        keys.push(key.value().1.to_string());
    }
    for key in &keys {
        table.remove((user, key.as_str())).map_err(unavailable)?;
    }
    Ok(keys)
}

/// Removes `user`'s entry of a table keyed by user id; returns whether there was one.
fn remove_user_key<V: redb::Value + 'static>(
    table: &mut redb::Table<&'static str, V>,
    user: &str,
) -> Result<bool, StoreError> {
    Ok(table.remove(user).map_err(unavailable)?.is_some())
}

/// Everything of `user` in one write transaction (redb serialises them, so nothing writes
/// between the reads and the deletes): the erasure is all-or-nothing here.
fn erase_in(txn: &WriteTxn<'_>, user: &str, now: Timestamp) -> Result<ErasureReport, StoreError> {
    let mut deleted = 0;
    {
        let mut user_orders = txn.open_table(USER_ORDERS).map_err(unavailable)?;
        let ids = remove_user_range(&mut user_orders, user)?;
        deleted += ids.len();
        let mut orders = txn.open_table(ORDERS).map_err(unavailable)?;
        for id in &ids {
            if orders.remove(id.as_str()).map_err(unavailable)?.is_some() {
                deleted += 1;
            }
        }
    }
    deleted += remove_user_range(&mut txn.open_table(REQUESTS).map_err(unavailable)?, user)?.len();
    deleted += remove_user_range(&mut txn.open_table(ACTIVITY).map_err(unavailable)?, user)?.len();
    deleted +=
        remove_user_range(&mut txn.open_table(super::embedded_sessions::WEB_SESSIONS).map_err(unavailable)?, user)?
            .len();
    {
        let links = remove_user_range(&mut txn.open_table(USER_ALEXA_LINKS).map_err(unavailable)?, user)?;
        deleted += links.len();
        let mut alexa = txn.open_table(ALEXA_LINKS).map_err(unavailable)?;
        for key in &links {
            let still_ours = alexa.get(key.as_str()).map_err(unavailable)?.is_some_and(|g| g.value() == user);
            if still_ours {
                alexa.remove(key.as_str()).map_err(unavailable)?;
                deleted += 1;
            }
        }
    }
    deleted += usize::from(remove_user_key(&mut txn.open_table(PENDING).map_err(unavailable)?, user)?);
    for table in [CODE_SENDS, BUDGETS, ENROLLMENTS, ENROLLED, SIGN_IN_CONTACTS] {
        deleted += usize::from(remove_user_key(&mut txn.open_table(table).map_err(unavailable)?, user)?);
    }
    let mut erasures = txn.open_table(ERASURES).map_err(unavailable)?;
    let earlier: Option<ErasureEntry> = read_json(&erasures, user)?;
    if let (0, Some(earlier)) = (deleted, &earlier) {
        return Ok(ErasureReport { deleted, erased_at: earlier.erased_at });
    }
    let user_id = UserId::parse(user).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let entry = ErasureEntry { user_id, erased_at: now };
    erasures.insert(user, to_json(&entry)?.as_slice()).map_err(unavailable)?;
    Ok(ErasureReport { deleted, erased_at: now })
}

/// Applies one state-machine move to the user's order `id` within `txn` (nothing written when
/// it is refused); an order that leaves pending stops being the user's pending one.
fn transition_in(
    txn: &redb::WriteTransaction,
    user: &UserId,
    id: &str,
    transition: Transition,
    now: Timestamp,
) -> Result<Order, StoreError> {
    let mut orders = txn.open_table(ORDERS).map_err(unavailable)?;
    let mut stored = read_order(&orders, id)?.filter(|o| &o.user_id == user).ok_or(StoreError::NotFound)?;
    stored.apply(transition, now)?;
    orders.insert(id, encode(&stored)?.as_slice()).map_err(unavailable)?;
    if stored.status != OrderStatus::PendingConfirmation {
        let mut pending = txn.open_table(PENDING).map_err(unavailable)?;
        let points_here = pending.get(user.as_str()).map_err(unavailable)?.is_some_and(|g| g.value() == id);
        if points_here {
            pending.remove(user.as_str()).map_err(unavailable)?;
        }
    }
    Ok(stored)
}

/// Claims `key` within `txn` unless a live claim is there (written only then); what is there.
fn claim_in(
    txn: &redb::WriteTransaction,
    key: &RequestKey,
    now: Timestamp,
    expires: Timestamp,
) -> Result<RequestClaim, StoreError> {
    let (user, request) = (key.user().as_str(), key.skill_and_request());
    let mut claims = txn.open_table(REQUESTS).map_err(unavailable)?;
    let stored = match claims.get((user, request.as_str())).map_err(unavailable)? {
        Some(guard) => Some(from_json::<StoredClaim>(guard.value())?),
        None => None,
    };
    let live = stored.filter(|claim| now.unix_millis() < claim.expires_ms);
    Ok(match live {
        Some(StoredClaim { answer: Some(answer), .. }) => RequestClaim::Answered(answer),
        Some(StoredClaim { answer: None, .. }) => RequestClaim::InProgress,
        None => {
            let claim = to_json(&StoredClaim { expires_ms: expires.unix_millis(), answer: None })?;
            claims.insert((user, request.as_str()), claim.as_slice()).map_err(unavailable)?;
            RequestClaim::Claimed
        }
    })
}

/// Within `txn`: `order` stored (refused if its id is taken), the user's pending order (if any)
/// cancelled and `order` made the pending one, `sent` appended to the activity, and with `answer`
/// the request's answer on its claim still in progress. Returns the cancelled order as it was
/// before, and the claim whose answer was stored.
fn insert_in(
    txn: &redb::WriteTransaction,
    order: &Order,
    sent: Option<&ActivityEvent>,
    answer: Option<AnswerFor<'_, Option<OrderId>>>,
) -> Result<(Option<Order>, Option<RequestKey>), StoreError> {
    let superseded;
    {
        let mut orders = txn.open_table(ORDERS).map_err(unavailable)?;
        let mut user_orders = txn.open_table(USER_ORDERS).map_err(unavailable)?;
        let mut pending = txn.open_table(PENDING).map_err(unavailable)?;
        let id = order.id.to_string();
        if orders.get(id.as_str()).map_err(unavailable)?.is_some() {
            return Err(StoreError::Duplicate);
        }
        let user = order.user_id.as_str();
        let previous_id = pending.get(user).map_err(unavailable)?.map(|g| g.value().to_string());
        superseded = match previous_id {
            Some(previous_id) => match read_order(&orders, &previous_id)? {
                Some(before) if before.status == OrderStatus::PendingConfirmation => {
                    let mut cancelled = before.clone();
                    cancelled.apply(Transition::Cancel, order.created_at)?;
                    orders.insert(previous_id.as_str(), encode(&cancelled)?.as_slice()).map_err(unavailable)?;
                    Some(before)
                }
                _ => None,
            },
            None => None,
        };
        orders.insert(id.as_str(), encode(order)?.as_slice()).map_err(unavailable)?;
        user_orders.insert((user, id.as_str()), ()).map_err(unavailable)?;
        if order.status == OrderStatus::PendingConfirmation {
            pending.insert(user, id.as_str()).map_err(unavailable)?;
        }
    }
    if let Some(event) = sent {
        append_activity_in(txn, event)?;
    }
    let superseded_id = superseded.as_ref().map(|previous| previous.id);
    let answered = match answer.and_then(|answer| answer(&superseded_id)) {
        Some(answer) if answer_in(txn, &answer)? => Some(answer.key),
        _ => None,
    };
    Ok((superseded, answered))
}

/// Within `txn`: one send at `now` admitted against the rolling hourly limit and stored.
fn reserve_send_in(
    txn: &redb::WriteTransaction,
    user: &UserId,
    now: Timestamp,
    max_per_hour: u32,
) -> Result<(), StoreError> {
    let mut sends = txn.open_table(CODE_SENDS).map_err(unavailable)?;
    let previous: Vec<Timestamp> = match sends.get(user.as_str()).map_err(unavailable)? {
        Some(guard) => from_json(guard.value())?,
        None => Vec::new(),
    };
    let admitted = admit_send(&previous, now, max_per_hour).map_err(|retry_at| StoreError::RateLimited { retry_at })?;
    sends.insert(user.as_str(), to_json(&admitted)?.as_slice()).map_err(unavailable)?;
    Ok(())
}

/// Within `txn`: what [`insert_in`] wrote for `written` taken back ([`OrderStore::withdraw_unsent`]).
fn withdraw_in(txn: &redb::WriteTransaction, written: &WrittenBeforeSend, now: Timestamp) -> Result<(), StoreError> {
    let order = &written.order;
    let (user, id) = (order.user_id.as_str(), order.id.to_string());
    {
        let mut orders = txn.open_table(ORDERS).map_err(unavailable)?;
        let mut user_orders = txn.open_table(USER_ORDERS).map_err(unavailable)?;
        let mut pending = txn.open_table(PENDING).map_err(unavailable)?;
        let stored = read_order(&orders, &id)?;
        let pointed = pending.get(user).map_err(unavailable)?.map(|g| g.value().to_string());
        let points_here = pointed.as_deref() == Some(id.as_str());
        match stored {
            Some(stored) if stored == *order => {
                orders.remove(id.as_str()).map_err(unavailable)?;
                user_orders.remove((user, id.as_str())).map_err(unavailable)?;
                let restored = match &written.superseded {
                    Some(before) => {
                        let previous_id = before.id.to_string();
                        let mut cancelled = before.clone();
                        cancelled.apply(Transition::Cancel, order.created_at)?;
                        let as_left = read_order(&orders, &previous_id)?.is_some_and(|now| now == cancelled);
                        if as_left && points_here {
                            orders.insert(previous_id.as_str(), encode(before)?.as_slice()).map_err(unavailable)?;
                            pending.insert(user, previous_id.as_str()).map_err(unavailable)?;
                        }
                        as_left && points_here
                    }
                    None => false,
                };
                if points_here && !restored {
                    pending.remove(user).map_err(unavailable)?;
                }
            }
            Some(mut moved) if moved.status == OrderStatus::PendingConfirmation => {
                moved.apply(Transition::Cancel, now.max(moved.updated_at))?;
                orders.insert(id.as_str(), encode(&moved)?.as_slice()).map_err(unavailable)?;
                if points_here {
                    pending.remove(user).map_err(unavailable)?;
                }
            }
            _ => {}
        }
    }
    if let Some(event) = &written.sent {
        let mut activity = txn.open_table(ACTIVITY).map_err(unavailable)?;
        activity.remove((event.user_id.as_str(), event.id.to_string().as_str())).map_err(unavailable)?;
    }
    if let Some(key) = &written.answered {
        let (user, request) = (key.user().as_str(), key.skill_and_request());
        let mut claims = txn.open_table(REQUESTS).map_err(unavailable)?;
        let stored = match claims.get((user, request.as_str())).map_err(unavailable)? {
            Some(guard) => Some(from_json::<StoredClaim>(guard.value())?),
            None => None,
        };
        if let Some(claim) = stored.filter(|claim| claim.answer.is_some()) {
            let open = to_json(&StoredClaim { expires_ms: claim.expires_ms, answer: None })?;
            claims.insert((user, request.as_str()), open.as_slice()).map_err(unavailable)?;
        }
    }
    Ok(())
}

/// Stores `answer` on its claim within `txn` if that claim is still in progress; whether it did.
fn answer_in(txn: &redb::WriteTransaction, answer: &ClaimAnswer) -> Result<bool, StoreError> {
    let (user, request) = (answer.key.user().as_str(), answer.key.skill_and_request());
    let mut claims = txn.open_table(REQUESTS).map_err(unavailable)?;
    let stored = match claims.get((user, request.as_str())).map_err(unavailable)? {
        Some(guard) => Some(from_json::<StoredClaim>(guard.value())?),
        None => None,
    };
    if stored.is_none_or(|claim| claim.answer.is_some()) {
        return Ok(false);
    }
    let answered =
        to_json(&StoredClaim { expires_ms: answer.expires.unix_millis(), answer: Some(answer.answer.clone()) })?;
    claims.insert((user, request.as_str()), answered.as_slice()).map_err(unavailable)?;
    Ok(true)
}

/// Applies `change` to the user's guess budget within `txn` (nothing written when refused).
fn change_budget_in(
    txn: &redb::WriteTransaction,
    user: &UserId,
    change: &BudgetChange,
) -> Result<BudgetWrite, StoreError> {
    let mut budgets = txn.open_table(BUDGETS).map_err(unavailable)?;
    let before = read_budget(&budgets, user.as_str())?;
    let after = before.apply(change)?;
    budgets.insert(user.as_str(), to_json(&after)?.as_slice()).map_err(unavailable)?;
    Ok(BudgetWrite { before, after })
}

/// Appends `event` to its user's activity within `txn`; an entry already there is refused.
fn append_activity_in(txn: &redb::WriteTransaction, event: &ActivityEvent) -> Result<(), StoreError> {
    let mut activity = txn.open_table(ACTIVITY).map_err(unavailable)?;
    let (user, id) = (event.user_id.as_str(), event.id.to_string());
    if activity.get((user, id.as_str())).map_err(unavailable)?.is_some() {
        return Err(StoreError::Duplicate);
    }
    activity.insert((user, id.as_str()), to_json(event)?.as_slice()).map_err(unavailable)?;
    Ok(())
}

fn read_order(table: &impl ReadableTable<&'static str, &'static [u8]>, id: &str) -> Result<Option<Order>, StoreError> {
    match table.get(id).map_err(unavailable)? {
        Some(guard) => decode(guard.value()).map(Some),
        None => Ok(None),
    }
}

#[async_trait]
impl OrderStore for EmbeddedOrderStore {
    async fn insert_superseding(&self, order: &Order) -> Result<Option<OrderId>, StoreError> {
        Ok(self.insert_superseding_with(order, None, None).await?.0)
    }

    async fn insert_superseding_recorded(
        &self,
        order: &Order,
        sent: &ActivityEvent,
    ) -> Result<Option<OrderId>, StoreError> {
        Ok(self.insert_superseding_with(order, Some(sent.clone()), None).await?.0)
    }

    /// The answer goes in the superseding transaction (its local read of the pending order is
    /// what `seen` would save).
    async fn insert_superseding_answered(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        _seen: Option<PendingSeen>,
        answer: AnswerFor<'_, Option<OrderId>>,
    ) -> Result<(Option<OrderId>, bool), StoreError> {
        self.insert_superseding_with(order, sent.cloned(), Some(answer)).await
    }

    /// One write transaction: the send's reservation, the supersede, the entry and the answer;
    /// durable when it returns unless other writers share its flush at the settle.
    async fn insert_reserving_send(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        _seen: Option<PendingSeen>,
        max_per_hour: u32,
        answer: AnswerFor<'_, Option<OrderId>>,
    ) -> Result<Option<(WrittenBeforeSend, bool)>, StoreError> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            reserve_send_in(&txn, &order.user_id, order.created_at, max_per_hour)?;
            let (superseded, answered) = insert_in(&txn, order, sent, Some(answer))?;
            // The send is next, and the request settles before it.
            txn.commit_before_settle().map_err(unavailable)?;
            let stored = answered.is_some();
            let written = WrittenBeforeSend { order: order.clone(), superseded, sent: sent.cloned(), answered };
            Ok(Some((written, stored)))
        })
        .await
    }

    /// One write transaction ([`withdraw_in`]).
    async fn withdraw_unsent(&self, written: &WrittenBeforeSend, now: Timestamp) -> Result<(), StoreError> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            withdraw_in(&txn, written, now)?;
            txn.commit().map_err(unavailable)
        })
        .await
    }

    /// One write transaction: the order as `seen` (its `updated_at` and attempts), the move, the
    /// entries, the budget's reset and the answer on a claim still in progress; anything else
    /// writes nothing.
    async fn finish_answered(
        &self,
        seen: &Order,
        transition: Transition,
        now: Timestamp,
        entries: &[ActivityEvent],
        reset_budget: bool,
        answer: AnswerFor<'_, Order>,
    ) -> Result<Option<Order>, StoreError> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let as_seen = {
                let orders = txn.open_table(ORDERS).map_err(unavailable)?;
                read_order(&orders, &seen.id.to_string())?.is_some_and(|stored| {
                    stored.user_id == seen.user_id
                        && stored.updated_at == seen.updated_at
                        && stored.challenge.attempts_used == seen.challenge.attempts_used
                })
            };
            if !as_seen {
                return Ok(None);
            }
            let after = match transition_in(&txn, &seen.user_id, &seen.id.to_string(), transition, now) {
                Ok(after) => after,
                Err(StoreError::Transition(_)) => return Ok(None),
                Err(other) => return Err(other),
            };
            for entry in entries {
                append_activity_in(&txn, entry)?;
            }
            if reset_budget {
                change_budget_in(&txn, &seen.user_id, &BudgetChange::Succeed)?;
            }
            let Some(answer) = answer(&after) else { return Ok(None) };
            if !answer_in(&txn, &answer)? {
                return Ok(None);
            }
            // The answer is next, and the request settles before it.
            txn.commit_before_settle().map_err(unavailable)?;
            Ok(Some(after))
        })
        .await
    }

    async fn reserve_code_send(&self, user: &UserId, now: Timestamp, max_per_hour: u32) -> Result<(), StoreError> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            reserve_send_in(&txn, user, now, max_per_hour)?;
            txn.commit().map_err(unavailable)
        })
        .await
    }

    /// One write transaction (redb serialises them): read the claim, write ours only if none is live.
    async fn claim_request(
        &self,
        key: &RequestKey,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<RequestClaim, StoreError> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let found = claim_in(&txn, key, now, expires)?;
            if matches!(found, RequestClaim::Claimed) {
                txn.commit().map_err(unavailable)?;
            } else {
                // Answered or in progress: nothing was written, so nothing to make durable.
                txn.abort().map_err(unavailable)?;
            }
            Ok(found)
        })
        .await
    }

    /// One write transaction: the claim, and with it the guess if the budget is far from any block.
    async fn claim_request_reserving(
        &self,
        key: &RequestKey,
        now: Timestamp,
        expires: Timestamp,
        policy: &BudgetPolicy,
    ) -> Result<(RequestClaim, bool), StoreError> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let found = claim_in(&txn, key, now, expires)?;
            if !matches!(found, RequestClaim::Claimed) {
                txn.abort().map_err(unavailable)?;
                return Ok((found, false));
            }
            let reserved = {
                let mut budgets = txn.open_table(BUDGETS).map_err(unavailable)?;
                let budget = read_budget(&budgets, key.user().as_str())?;
                let quiet = policy.pause_after().min(policy.lock_after()).saturating_sub(1);
                let far_from_a_block = budget.failures < quiet && budget.check_open(now).is_ok();
                if far_from_a_block {
                    let after = budget.apply(&BudgetChange::Reserve { now, policy: policy.clone() })?;
                    budgets.insert(key.user().as_str(), to_json(&after)?.as_slice()).map_err(unavailable)?;
                }
                far_from_a_block
            };
            txn.commit().map_err(unavailable)?;
            Ok((found, reserved))
        })
        .await
    }

    /// One write transaction: [`answer_in`], as the last write of a request's transaction does it.
    async fn answer_request(&self, key: &RequestKey, answer: &str, expires: Timestamp) -> Result<bool, StoreError> {
        let answer = ClaimAnswer { key: key.clone(), answer: answer.to_string(), expires };
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            if !answer_in(&txn, &answer)? {
                return Ok(false);
            }
            txn.commit().map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn get(&self, user: &UserId, id: &OrderId) -> Result<Option<Order>, StoreError> {
        let (user, id) = (user.clone(), id.to_string());
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            let orders = txn.open_table(ORDERS).map_err(unavailable)?;
            Ok(read_order(&orders, &id)?.filter(|o| o.user_id == user))
        })
        .await
    }

    async fn pending_for(&self, user: &UserId) -> Result<Option<Order>, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            let pending = txn.open_table(PENDING).map_err(unavailable)?;
            let Some(id) = pending.get(user.as_str()).map_err(unavailable)?.map(|g| g.value().to_string()) else {
                return Ok(None);
            };
            let orders = txn.open_table(ORDERS).map_err(unavailable)?;
            Ok(read_order(&orders, &id)?.filter(|o| o.user_id == user && o.status == OrderStatus::PendingConfirmation))
        })
        .await
    }

    async fn list(&self, user: &UserId, page: PageRequest) -> Result<OrderPage, StoreError> {
        let user = user.clone();
        let limit = page.limit.clamp(1, PageRequest::MAX_LIMIT) as usize;
        let after = page.after.map(|id| id.to_string());
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            let user_orders = txn.open_table(USER_ORDERS).map_err(unavailable)?;
            let orders = txn.open_table(ORDERS).map_err(unavailable)?;
            let upper = after.as_deref().unwrap_or(AFTER_ALL_IDS);
            let range = user_orders.range((user.as_str(), "")..(user.as_str(), upper)).map_err(unavailable)?;
            let mut found = Vec::with_capacity(limit + 1);
            for entry in range.rev().take(limit + 1) {
                let (key, _) = entry.map_err(unavailable)?;
                let (_, id) = key.value();
                let order = read_order(&orders, id)?
                    .ok_or_else(|| StoreError::Corrupt(format!("index names missing order {id}")))?;
                found.push(order);
            }
            let (found, next) = super::split_page(found, limit, |o| o.id);
            Ok(OrderPage { orders: found, next })
        })
        .await
    }

    async fn transition(
        &self,
        user: &UserId,
        id: &OrderId,
        transition: Transition,
        now: Timestamp,
    ) -> Result<Order, StoreError> {
        let (user, id) = (user.clone(), id.to_string());
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let order = transition_in(&txn, &user, &id, transition, now)?;
            txn.commit().map_err(unavailable)?;
            Ok(order)
        })
        .await
    }

    /// One write transaction: the move (if allowed) and the entry (either way).
    async fn transition_recorded(
        &self,
        user: &UserId,
        id: &OrderId,
        transition: Transition,
        now: Timestamp,
        entry: &ActivityEvent,
    ) -> Result<Order, StoreError> {
        let (user, id) = (user.clone(), id.to_string());
        self.write_with_entry(entry, move |txn| transition_in(txn, &user, &id, transition, now)).await
    }

    async fn reseal_code(
        &self,
        user: &UserId,
        id: &OrderId,
        previous: &str,
        sealed: &str,
        now: Timestamp,
    ) -> Result<Order, StoreError> {
        let (user, id, previous, sealed) = (user.clone(), id.to_string(), previous.to_string(), sealed.to_string());
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let order;
            {
                let mut orders = txn.open_table(ORDERS).map_err(unavailable)?;
                let mut stored = read_order(&orders, &id)?.filter(|o| o.user_id == user).ok_or(StoreError::NotFound)?;
                stored.check(Transition::Confirm, now)?;
                if stored.challenge.code_hash.as_deref() != Some(previous.as_str()) {
                    return Err(StoreError::Transition(crate::domain::TransitionError::ChallengeStillValid));
                }
                stored.challenge.code_hash = Some(sealed);
                stored.updated_at = now;
                orders.insert(id.as_str(), encode(&stored)?.as_slice()).map_err(unavailable)?;
                order = stored;
            }
            txn.commit().map_err(unavailable)?;
            Ok(order)
        })
        .await
    }

    async fn guess_budget(&self, user: &UserId) -> Result<GuessBudget, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            read_budget(&txn.open_table(BUDGETS).map_err(unavailable)?, user.as_str())
        })
        .await
    }

    /// redb serialises write transactions: read, apply and write in one is atomic.
    async fn change_budget(&self, user: &UserId, change: &BudgetChange) -> Result<BudgetWrite, StoreError> {
        let (user, change) = (user.clone(), change.clone());
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let write = change_budget_in(&txn, &user, &change)?;
            txn.commit().map_err(unavailable)?;
            Ok(write)
        })
        .await
    }

    /// One write transaction: the change (if allowed) and the entry (either way).
    async fn change_budget_recorded(
        &self,
        user: &UserId,
        change: &BudgetChange,
        entry: &ActivityEvent,
    ) -> Result<BudgetWrite, StoreError> {
        let (user, change) = (user.clone(), change.clone());
        self.write_with_entry(entry, move |txn| change_budget_in(txn, &user, &change)).await
    }

    async fn record_activity(&self, event: &ActivityEvent) -> Result<(), StoreError> {
        let event = event.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            append_activity_in(&txn, &event)?;
            txn.commit().map_err(unavailable)
        })
        .await
    }

    async fn remember_sign_in_contacts(&self, contacts: &SignInContacts) -> Result<(), StoreError> {
        let contacts = contacts.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            {
                let mut table = txn.open_table(SIGN_IN_CONTACTS).map_err(unavailable)?;
                let stored: Option<SignInContacts> = read_json(&table, contacts.user_id.as_str())?;
                if stored.is_some_and(|stored| stored.signed_in_at > contacts.signed_in_at) {
                    return Ok(());
                }
                table.insert(contacts.user_id.as_str(), to_json(&contacts)?.as_slice()).map_err(unavailable)?;
            }
            txn.commit().map_err(unavailable)
        })
        .await
    }

    async fn sign_in_contacts(&self, user: &UserId) -> Result<Option<SignInContacts>, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            read_json(&txn.open_table(SIGN_IN_CONTACTS).map_err(unavailable)?, user.as_str())
        })
        .await
    }

    async fn enrolled_phone(&self, user: &UserId) -> Result<Option<EnrolledPhone>, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            read_json(&txn.open_table(ENROLLED).map_err(unavailable)?, user.as_str())
        })
        .await
    }

    async fn start_enrollment(&self, enrollment: &PhoneEnrollment) -> Result<(), StoreError> {
        let enrollment = enrollment.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            {
                let mut enrollments = txn.open_table(ENROLLMENTS).map_err(unavailable)?;
                let encoded = to_json(&enrollment)?;
                enrollments.insert(enrollment.user_id.as_str(), encoded.as_slice()).map_err(unavailable)?;
            }
            txn.commit().map_err(unavailable)
        })
        .await
    }

    async fn pending_enrollment(&self, user: &UserId) -> Result<Option<PhoneEnrollment>, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            read_json(&txn.open_table(ENROLLMENTS).map_err(unavailable)?, user.as_str())
        })
        .await
    }

    async fn enrollment_wrong_code(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<PhoneEnrollment, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let updated;
            {
                let mut enrollments = txn.open_table(ENROLLMENTS).map_err(unavailable)?;
                let mut stored: PhoneEnrollment =
                    read_json(&enrollments, user.as_str())?.ok_or(EnrollmentError::NotPending)?;
                stored.check(id, now)?;
                stored.attempts_used += 1;
                enrollments.insert(user.as_str(), to_json(&stored)?.as_slice()).map_err(unavailable)?;
                updated = stored;
            }
            txn.commit().map_err(unavailable)?;
            Ok(updated)
        })
        .await
    }

    async fn complete_enrollment(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<Option<EnrolledPhone>, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let previous;
            {
                let mut enrollments = txn.open_table(ENROLLMENTS).map_err(unavailable)?;
                let mut enrolled = txn.open_table(ENROLLED).map_err(unavailable)?;
                let stored: PhoneEnrollment =
                    read_json(&enrollments, user.as_str())?.ok_or(EnrollmentError::NotPending)?;
                stored.check(id, now)?;
                previous = read_json(&enrolled, user.as_str())?;
                let phone = EnrolledPhone { phone: stored.phone, verified_at: now };
                enrolled.insert(user.as_str(), to_json(&phone)?.as_slice()).map_err(unavailable)?;
                enrollments.remove(user.as_str()).map_err(unavailable)?;
            }
            txn.commit().map_err(unavailable)?;
            Ok(previous)
        })
        .await
    }

    async fn list_activity(
        &self,
        user: &UserId,
        limit: u32,
        after: Option<ActivityId>,
    ) -> Result<ActivityPage, StoreError> {
        let user = user.clone();
        let limit = limit.clamp(1, PageRequest::MAX_LIMIT) as usize;
        let after = after.map(|id| id.to_string());
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            let activity = txn.open_table(ACTIVITY).map_err(unavailable)?;
            let upper = after.as_deref().unwrap_or(AFTER_ALL_IDS);
            let range = activity.range((user.as_str(), "")..(user.as_str(), upper)).map_err(unavailable)?;
            let mut events: Vec<ActivityEvent> = Vec::with_capacity(limit + 1);
            for entry in range.rev().take(limit + 1) {
                let (_, value) = entry.map_err(unavailable)?;
                events.push(from_json(value.value())?);
            }
            let (events, next) = super::split_page(events, limit, |e| e.id);
            Ok(ActivityPage { events, next })
        })
        .await
    }

    async fn link_alexa_user(&self, alexa: &AlexaUserId, user: &UserId, _now: Timestamp) -> Result<(), StoreError> {
        let (key, user) = (alexa.key().to_string(), user.clone());
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            {
                txn.open_table(ALEXA_LINKS)
                    .map_err(unavailable)?
                    .insert(key.as_str(), user.as_str())
                    .map_err(unavailable)?;
                let mut traces = txn.open_table(USER_ALEXA_LINKS).map_err(unavailable)?;
                traces.insert((user.as_str(), key.as_str()), ()).map_err(unavailable)?;
            }
            txn.commit().map_err(unavailable)
        })
        .await
    }

    async fn alexa_user_link(&self, alexa: &AlexaUserId) -> Result<Option<UserId>, StoreError> {
        let key = alexa.key().to_string();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            let links = txn.open_table(ALEXA_LINKS).map_err(unavailable)?;
            let Some(user) = links.get(key.as_str()).map_err(unavailable)?.map(|g| g.value().to_string()) else {
                return Ok(None);
            };
            UserId::parse(user).map(Some).map_err(|e| StoreError::Corrupt(format!("alexa link: {e}")))
        })
        .await
    }

    async fn erase_user(&self, user: &UserId, now: Timestamp) -> Result<ErasureReport, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let report = erase_in(&txn, user.as_str(), now)?;
            if report.deleted == 0 && report.erased_at != now {
                // Nothing was left: nothing written.
                txn.abort().map_err(unavailable)?;
            } else {
                txn.commit().map_err(unavailable)?;
            }
            Ok(report)
        })
        .await
    }
}
