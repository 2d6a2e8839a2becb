//! The production order store: one DynamoDB table, every state change one
//! conditional write (or one transaction), through the real AWS SDK.
//!
//! Table design (see README "DynamoDB table"):
//! - partition key `PK` = `USER#<user id>`, sort key `SK`:
//!   - `ORDER#<order id>`: an order. Order ids are UUIDv7, so a query on
//!     `PK` with `begins_with(SK, "ORDER#")`, newest first, lists a user's orders,
//!     and `GetItem(PK, SK)` reads one order by id;
//!   - `PENDING`: the pointer to the user's order pending confirmation, with a
//!     TTL (`expires_at_epoch`) so stale pointers clean themselves up;
//!   - `REQUEST#<skill id>#<request id>`: the claim of one state-changing Alexa
//!     request, put only if absent, then given its answer (replayed to repeats); TTL a day.
//! - No secondary index: every access knows the user (a user sees only their own orders).
//! - On-demand capacity; TTL attribute `expires_at_epoch` (seconds).

use crate::domain::{
    ActivityEvent, ActivityId, Bill, BudgetChange, Challenge, ChallengeRule, Channel, ConfirmBy, Currency,
    EnrolledPhone, EnrollmentError, EnrollmentId, GuessBudget, LineItem, MaskedDestination, Order, OrderId,
    OrderStatus, Payee, PersonId, PhoneEnrollment, Pizza, RequestClaim, RequestKey, SEND_WINDOW, SignInContacts, Size,
    Timestamp, Topping, Toppings, Transition, UserId, admit_send,
};
use crate::ports::{
    ActivityPage, AnswerFor, BudgetWrite, ClaimAnswer, OrderPage, OrderStore, PageRequest, PendingSeen, StoreError,
    WrittenBeforeSend,
};
use crate::round_trips::{Remote, track};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, KeySchemaElement, KeyType, Put, ReturnValue,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem, Update,
};
use std::collections::HashMap;
use std::time::Duration;

type Item = HashMap<String, AttributeValue>;

pub const PARTITION_KEY: &str = "PK";
pub const SORT_KEY: &str = "SK";
pub const TTL_ATTRIBUTE: &str = "expires_at_epoch";
const PENDING_SORT_KEY: &str = "PENDING";
/// The item holding the times codes were sent to the user in the last hour.
const SENDS_SORT_KEY: &str = "CODE_SENDS";
const ORDER_PREFIX: &str = "ORDER#";
/// The item holding the user's guess budget (consecutive wrong codes, pause, lock).
const BUDGET_SORT_KEY: &str = "GUESS_BUDGET";
/// The phone waiting for its enrollment code (one per user), and the enrolled phone.
const ENROLLMENT_SORT_KEY: &str = "PHONE_ENROLLMENT";
const ENROLLED_SORT_KEY: &str = "ENROLLED_PHONE";
const SIGN_IN_SORT_KEY: &str = "SIGN_IN_CONTACTS";
/// Activity entries: `ACTIVITY#<uuidv7>`, so a query lists them in time order.
const ACTIVITY_PREFIX: &str = "ACTIVITY#";
/// Request claims (one per skill and request id): `REQUEST#<skill>#<request id>`, in progress
/// until the answer is stored on them.
const REQUEST_PREFIX: &str = "REQUEST#";
const CLAIM_IN_PROGRESS: &str = "in_progress";
const CLAIM_ANSWERED: &str = "answered";
/// A pending pointer outlives its challenge by this long before TTL may delete it.
const POINTER_GRACE: Duration = Duration::from_secs(24 * 3600);
/// How often a write that lost a race is re-read and tried again.
const MAX_RACE_RETRIES: usize = 16;

pub(super) fn user_key(user: &UserId) -> AttributeValue {
    AttributeValue::S(format!("USER#{user}"))
}

fn order_key(id: &OrderId) -> AttributeValue {
    AttributeValue::S(format!("{ORDER_PREFIX}{id}"))
}

/// A request's claim: `REQUEST#<skill>#<request id>` under the user it acts for.
fn request_key(key: &RequestKey) -> AttributeValue {
    AttributeValue::S(format!("{REQUEST_PREFIX}{}", key.skill_and_request()))
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn unavailable<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    match error.as_service_error().map(|e| (e.code(), e.message())) {
        Some((Some(code), message)) => classify(code, message.unwrap_or("no message")),
        _ => StoreError::Unavailable(DisplayErrorContext(&error).to_string()),
    }
}

/// The store error for a DynamoDB error code. (The SDK has already retried
/// throttling and transient errors with backoff when one of these reaches us.)
fn classify(code: &str, message: &str) -> StoreError {
    match code {
        "ResourceNotFoundException" => StoreError::MissingTable,
        "ProvisionedThroughputExceededException" | "ThrottlingException" | "RequestLimitExceeded" => {
            StoreError::Throttled
        }
        "AccessDeniedException"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "ExpiredTokenException"
        | "MissingAuthenticationTokenException" => StoreError::AccessDenied(format!("{code}: {message}")),
        _ => StoreError::Unavailable(format!("{code}: {message}")),
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("stored order: {what}"))
}

pub(super) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str).ok_or_else(|| corrupt(name))
}

pub(super) fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()).ok_or_else(|| corrupt(name))
}

fn channel_name(channel: Channel) -> &'static str {
    channel.connection()
}

/// The item that stores `order`.
fn order_item(order: &Order) -> Item {
    let c = &order.challenge;
    let destination = match &c.destination {
        MaskedDestination::Phone { last_digits } => {
            HashMap::from([("kind".to_string(), s("phone")), ("last_digits".to_string(), s(last_digits))])
        }
        MaskedDestination::Email { first_char, domain } => HashMap::from([
            ("kind".to_string(), s("email")),
            ("first_char".to_string(), s(first_char.to_string())),
            ("domain".to_string(), s(domain)),
        ]),
    };
    let toppings = order.pizza.toppings.as_slice().iter().map(|t| s(t.name())).collect();
    let mut item = HashMap::from([
        (PARTITION_KEY.to_string(), user_key(&order.user_id)),
        (SORT_KEY.to_string(), order_key(&order.id)),
        ("kind".to_string(), s("order")),
        ("user_id".to_string(), s(order.user_id.as_str())),
        ("order_id".to_string(), s(order.id.to_string())),
        ("size".to_string(), s(order.pizza.size.name())),
        ("toppings".to_string(), AttributeValue::L(toppings)),
        ("status".to_string(), s(order.status.name())),
        ("created_at".to_string(), n(order.created_at.unix_millis())),
        ("updated_at".to_string(), n(order.updated_at.unix_millis())),
        ("channel".to_string(), s(channel_name(c.channel))),
        ("destination".to_string(), AttributeValue::M(destination)),
        ("sent_at".to_string(), n(c.sent_at.unix_millis())),
        ("code_expires_at".to_string(), n(c.expires_at.unix_millis())),
        ("attempts_used".to_string(), n(c.attempts_used)),
        ("attempts_left".to_string(), n(c.attempts_left())),
        ("max_attempts".to_string(), n(c.max_attempts)),
    ]);
    if let Some(hash) = &c.code_hash {
        item.insert("code_hash".to_string(), s(hash));
    }
    if c.confirm_by != ConfirmBy::Code {
        item.insert("confirm_by".to_string(), s(c.confirm_by.name()));
    }
    if let Some(person) = &order.person {
        item.insert("person_id".to_string(), s(person.as_str()));
    }
    if let Some(bill) = &order.bill {
        let lines = bill
            .lines()
            .iter()
            .map(|line| {
                let (kind, name) = match line {
                    LineItem::Pizza { size, .. } => ("pizza", size.name()),
                    LineItem::Topping { topping, .. } => ("topping", topping.name()),
                };
                AttributeValue::M(HashMap::from([
                    ("kind".to_string(), s(kind)),
                    ("name".to_string(), s(name)),
                    ("minor".to_string(), n(line.minor())),
                ]))
            })
            .collect();
        item.insert("payee".to_string(), s(bill.payee().as_str()));
        item.insert("currency".to_string(), s(bill.currency().code()));
        item.insert("total_minor".to_string(), n(bill.total().minor));
        item.insert("lines".to_string(), AttributeValue::L(lines));
    }
    item
}

/// An order's bill, if its item has one: an item written before orders had prices has no
/// `currency`, and reads with no bill (its price was never stated). A partial or inconsistent
/// bill is `Corrupt`.
fn bill_from(item: &Item) -> Result<Option<Bill>, StoreError> {
    if !item.contains_key("currency") {
        return Ok(None);
    }
    let currency = Currency::parse(get_s(item, "currency")?).map_err(|_| corrupt("currency"))?;
    let payee = Payee::parse(get_s(item, "payee")?).map_err(|_| corrupt("payee"))?;
    let lines = item
        .get("lines")
        .and_then(|v| v.as_l().ok())
        .ok_or_else(|| corrupt("lines"))?
        .iter()
        .map(|line| {
            let line = line.as_m().map_err(|_| corrupt("line"))?;
            let minor = get_n(line, "minor")?;
            match get_s(line, "kind")? {
                "pizza" => {
                    Ok(LineItem::Pizza { size: Size::parse(get_s(line, "name")?).map_err(|_| corrupt("line"))?, minor })
                }
                "topping" => Ok(LineItem::Topping {
                    topping: Topping::parse(get_s(line, "name")?).map_err(|_| corrupt("line"))?,
                    minor,
                }),
                _ => Err(corrupt("line kind")),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Bill::from_parts(payee, currency, lines, get_n(item, "total_minor")?).map(Some).map_err(|_| corrupt("total_minor"))
}

/// The order an item stores; anything missing or malformed is `Corrupt`, never a panic.
fn order_from(item: &Item) -> Result<Order, StoreError> {
    let destination = item.get("destination").and_then(|v| v.as_m().ok()).ok_or_else(|| corrupt("destination"))?;
    let destination = match get_s(destination, "kind")? {
        "phone" => MaskedDestination::Phone { last_digits: get_s(destination, "last_digits")?.to_string() },
        "email" => MaskedDestination::Email {
            first_char: get_s(destination, "first_char")?.chars().next().ok_or_else(|| corrupt("first_char"))?,
            domain: get_s(destination, "domain")?.to_string(),
        },
        _ => return Err(corrupt("destination kind")),
    };
    let toppings = item
        .get("toppings")
        .and_then(|v| v.as_l().ok())
        .ok_or_else(|| corrupt("toppings"))?
        .iter()
        .map(|v| v.as_s().ok().and_then(|t| Topping::parse(t).ok()).ok_or_else(|| corrupt("topping")))
        .collect::<Result<Vec<_>, _>>()?;
    let channel = match get_s(item, "channel")? {
        "sms" => Channel::Sms,
        "email" => Channel::Email,
        _ => return Err(corrupt("channel")),
    };
    Ok(Order {
        id: get_s(item, "order_id")?.parse().map_err(|_| corrupt("order_id"))?,
        user_id: UserId::parse(get_s(item, "user_id")?).map_err(|_| corrupt("user_id"))?,
        pizza: Pizza {
            size: Size::parse(get_s(item, "size")?).map_err(|_| corrupt("size"))?,
            toppings: Toppings::new(toppings).map_err(|_| corrupt("toppings"))?,
        },
        status: OrderStatus::parse(get_s(item, "status")?).ok_or_else(|| corrupt("status"))?,
        created_at: Timestamp::from_unix_millis(get_n(item, "created_at")?),
        updated_at: Timestamp::from_unix_millis(get_n(item, "updated_at")?),
        challenge: Challenge {
            channel,
            destination,
            sent_at: Timestamp::from_unix_millis(get_n(item, "sent_at")?),
            expires_at: Timestamp::from_unix_millis(get_n(item, "code_expires_at")?),
            attempts_used: get_n(item, "attempts_used")?,
            max_attempts: get_n(item, "max_attempts")?,
            code_hash: item.get("code_hash").and_then(|v| v.as_s().ok()).cloned(),
            confirm_by: match item.get("confirm_by") {
                None => ConfirmBy::Code,
                Some(_) => ConfirmBy::parse(get_s(item, "confirm_by")?).ok_or_else(|| corrupt("confirm_by"))?,
            },
        },
        bill: bill_from(item)?,
        person: match item.get("person_id") {
            None => None,
            Some(_) => Some(PersonId::parse(get_s(item, "person_id")?).map_err(|_| corrupt("person_id"))?),
        },
    })
}

/// The item that stores a user's guess budget.
fn budget_item(user: &UserId, budget: &GuessBudget) -> Item {
    let mut item = HashMap::from([
        (PARTITION_KEY.to_string(), user_key(user)),
        (SORT_KEY.to_string(), s(BUDGET_SORT_KEY)),
        ("kind".to_string(), s("guess_budget")),
        ("failures".to_string(), n(budget.failures)),
        ("pauses".to_string(), n(budget.pauses)),
        ("version".to_string(), n(budget.version)),
    ]);
    if let Some(until) = budget.paused_until {
        item.insert("paused_until".to_string(), n(until.unix_millis()));
    }
    if let Some(since) = budget.locked_at {
        item.insert("locked_at".to_string(), n(since.unix_millis()));
    }
    item
}

fn budget_from(item: &Item) -> Result<GuessBudget, StoreError> {
    let moment = |name: &str| -> Result<Option<Timestamp>, StoreError> {
        item.get(name).map(|_| get_n(item, name).map(Timestamp::from_unix_millis)).transpose()
    };
    Ok(GuessBudget {
        failures: get_n(item, "failures")?,
        pauses: get_n(item, "pauses")?,
        paused_until: moment("paused_until")?,
        locked_at: moment("locked_at")?,
        version: get_n(item, "version")?,
    })
}

fn activity_item(event: &ActivityEvent) -> Result<Item, StoreError> {
    let entry = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(HashMap::from([
        (PARTITION_KEY.to_string(), user_key(&event.user_id)),
        (SORT_KEY.to_string(), s(format!("{ACTIVITY_PREFIX}{}", event.id))),
        ("kind".to_string(), s("activity")),
        ("what".to_string(), s(event.what.name())),
        ("source".to_string(), s(event.source.name())),
        ("at".to_string(), n(event.at.unix_millis())),
        ("entry".to_string(), s(entry)),
        (TTL_ATTRIBUTE.to_string(), n(event.expires_at().unix_seconds())),
    ]))
}

/// The update that stores an answer on a claim still in progress: [`OrderStore::answer_request`]
/// on its own, or the last write of a request's transaction.
const ANSWER_SET: &str = "SET #state = :answered, answer = :answer, expires_at = :expires, #ttl = :ttl";
const ANSWER_CONDITION: &str = "#state = :in_progress";

fn answer_values(answer: &str, expires: Timestamp) -> [(&'static str, AttributeValue); 5] {
    [
        (":answered", s(CLAIM_ANSWERED)),
        (":in_progress", s(CLAIM_IN_PROGRESS)),
        (":answer", s(answer)),
        (":expires", n(expires.unix_millis())),
        (":ttl", n(expires.unix_seconds())),
    ]
}

/// One code send appended in place while the window holds fewer than `:max` sends (some may
/// have aged out: then [`OrderStore::reserve_code_send`] reads and prunes).
const SEND_APPEND: &str = "SET sends = list_append(if_not_exists(sends, :none), :now), \
     version = if_not_exists(version, :zero) + :one, kind = :kind, #ttl = :ttl";
const SEND_ROOM: &str = "attribute_not_exists(sends) OR size(sends) < :max";

fn send_append_values(now: Timestamp, max_per_hour: u32) -> [(&'static str, AttributeValue); 7] {
    [
        (":none", AttributeValue::L(Vec::new())),
        (":now", AttributeValue::L(vec![n(now.unix_millis())])),
        (":zero", n(0)),
        (":one", n(1)),
        (":kind", s("code_sends")),
        (":ttl", n(now.plus(SEND_WINDOW).unix_seconds())),
        (":max", n(max_per_hour)),
    ]
}

/// A claim answered by a write that is taken back: in progress again, for the answer after.
const CLAIM_REOPEN: &str = "SET #state = :in_progress REMOVE answer";

/// A guess reserved far from any block: the count and the version grow in place, only while
/// this guess, wrong, would pause or lock nothing.
const QUIET_RESERVE: &str = "SET failures = if_not_exists(failures, :zero) + :one, \
     version = if_not_exists(version, :zero) + :one, pauses = if_not_exists(pauses, :zero), kind = :kind";
const QUIET_RESERVE_CONDITION: &str = "(attribute_not_exists(failures) OR failures < :quiet) \
     AND attribute_not_exists(locked_at) AND (attribute_not_exists(paused_until) OR paused_until <= :now)";

fn quiet_reserve_values(now: Timestamp, policy: &crate::domain::BudgetPolicy) -> HashMap<String, AttributeValue> {
    let quiet = policy.pause_after().min(policy.lock_after()).saturating_sub(1);
    HashMap::from([
        (":zero".to_string(), n(0)),
        (":one".to_string(), n(1)),
        (":quiet".to_string(), n(quiet)),
        (":now".to_string(), n(now.unix_millis())),
        (":kind".to_string(), s("guess_budget")),
    ])
}

/// A request's claim: in progress, kept until `expires`.
fn claim_item(key: &RequestKey, expires: Timestamp) -> Item {
    HashMap::from([
        (PARTITION_KEY.to_string(), user_key(key.user())),
        (SORT_KEY.to_string(), request_key(key)),
        ("kind".to_string(), s("request")),
        ("state".to_string(), s(CLAIM_IN_PROGRESS)),
        ("expires_at".to_string(), n(expires.unix_millis())),
        (TTL_ATTRIBUTE.to_string(), n(expires.unix_seconds())),
    ])
}

/// Written only where no claim is, or the one there expired (DynamoDB deletes expired items late).
const CLAIM_CONDITION: &str = "attribute_not_exists(PK) OR expires_at <= :now";

/// What a claim that refused ours says: in progress, or the answer given.
fn claim_there(there: &Item) -> Result<RequestClaim, StoreError> {
    match get_s(there, "state")? {
        CLAIM_IN_PROGRESS => Ok(RequestClaim::InProgress),
        CLAIM_ANSWERED => Ok(RequestClaim::Answered(get_s(there, "answer")?.to_string())),
        _ => Err(corrupt("request claim state")),
    }
}

/// The guess budget's reset after a right code (and an unlock): failures and pauses to zero.
const BUDGET_RESET: &str = "SET failures = :zero, pauses = :zero, kind = :kind, \
     version = if_not_exists(version, :zero) + :one REMOVE paused_until, locked_at";

fn build_failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

/// Why each write of a cancelled transaction was refused, in the order they were given (`None`:
/// that write was not the cause); any other error is the store's.
fn cancellation_reasons(
    error: SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, impl std::fmt::Debug>,
) -> Result<Vec<Option<String>>, StoreError> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
            Ok(e.cancellation_reasons().iter().map(|r| r.code().filter(|c| *c != "None").map(str::to_string)).collect())
        }
        _ => Err(unavailable(error)),
    }
}

/// A versioned JSON document item (enrollments, the enrolled phone).
fn document_item(
    user: &UserId,
    sort_key: &str,
    kind: &str,
    value: &impl serde::Serialize,
    version: u64,
) -> Result<Item, StoreError> {
    let entry = serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(HashMap::from([
        (PARTITION_KEY.to_string(), user_key(user)),
        (SORT_KEY.to_string(), s(sort_key)),
        ("kind".to_string(), s(kind)),
        ("entry".to_string(), s(entry)),
        ("version".to_string(), n(version)),
    ]))
}

/// A document and its version.
fn document_from<T: serde::de::DeserializeOwned>(item: &Item) -> Result<(T, u64), StoreError> {
    let value =
        serde_json::from_str(get_s(item, "entry")?).map_err(|e| StoreError::Corrupt(format!("document: {e}")))?;
    Ok((value, get_n(item, "version")?))
}

fn activity_from(item: &Item) -> Result<ActivityEvent, StoreError> {
    serde_json::from_str(get_s(item, "entry")?).map_err(|e| StoreError::Corrupt(format!("activity entry: {e}")))
}

/// One conditional update: its expressions and values.
struct ConditionalUpdate {
    set: String,
    condition: String,
    values: Vec<(&'static str, AttributeValue)>,
}

/// The conditional update that performs `transition` at `now`, written from the domain's own
/// statement of the move ([`Transition::rule`]), as [`Order::check`] and [`Order::apply`] are.
/// For a move that uses an attempt, `lock` picks the variant for the last one (it also locks).
fn update_for(transition: Transition, now: Timestamp, lock: bool) -> ConditionalUpdate {
    let (challenge, effect) = transition.rule();
    let mut condition = String::from("attribute_exists(PK) AND #status = :pending");
    match challenge {
        ChallengeRule::Any => {}
        ChallengeRule::Live if effect.uses_attempt && lock => {
            condition.push_str(" AND code_expires_at > :now AND attempts_left = :one")
        }
        ChallengeRule::Live if effect.uses_attempt => {
            condition.push_str(" AND code_expires_at > :now AND attempts_left > :one")
        }
        ChallengeRule::Live => condition.push_str(" AND code_expires_at > :now AND attempts_left > :zero"),
        ChallengeRule::Expired => condition.push_str(" AND code_expires_at <= :now"),
    }
    let mut set = String::from("SET updated_at = :now");
    let mut values = vec![
        (":now", n(now.unix_millis())),
        (":pending", s(OrderStatus::PendingConfirmation.name())),
        (":zero", n(0)),
        (":one", n(1)),
    ];
    let to = match (effect.to, effect.uses_attempt && lock) {
        (Some(status), _) => Some(status),
        (None, true) => Some(OrderStatus::Locked),
        (None, false) => None,
    };
    if let Some(status) = to {
        set.push_str(", #status = :to");
        values.push((":to", s(status.name())));
    }
    if effect.uses_attempt {
        set.push_str(", attempts_used = attempts_used + :one, attempts_left = attempts_left - :one");
    }
    ConditionalUpdate { set, condition, values }.without_unused_values()
}

impl ConditionalUpdate {
    /// DynamoDB refuses unused expression values; keep only those an expression names.
    fn without_unused_values(mut self) -> Self {
        let text = format!("{} {}", self.set, self.condition);
        self.values.retain(|(name, _)| {
            text.match_indices(name)
                .any(|(at, _)| !text[at + name.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        });
        self
    }
}

/// The DynamoDB order store.
#[derive(Clone, Debug)]
pub struct DynamoDbOrderStore {
    pub(super) client: Client,
    pub(super) table: String,
}

impl DynamoDbOrderStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// A client from the standard AWS settings (region, credentials,
    /// `AWS_ENDPOINT_URL_DYNAMODB`), with the SDK's standard retries and backoff.
    pub async fn from_environment(table: impl Into<String>) -> Self {
        let config = crate::aws::sdk_config(crate::aws::Service::DynamoDb);
        Self::new(Client::new(&config), table)
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table (same definition as `infra/template.yaml`) if it does not exist.
    /// Returns `true` if it was created, `false` if it was already there.
    pub async fn create_table(&self) -> Result<bool, StoreError> {
        let key = |name: &str, kind: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
        let attribute = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
        };
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key(PARTITION_KEY, KeyType::Hash).map_err(|e| StoreError::Unavailable(e.to_string()))?)
            .key_schema(key(SORT_KEY, KeyType::Range).map_err(|e| StoreError::Unavailable(e.to_string()))?)
            .attribute_definitions(attribute(PARTITION_KEY).map_err(|e| StoreError::Unavailable(e.to_string()))?)
            .attribute_definitions(attribute(SORT_KEY).map_err(|e| StoreError::Unavailable(e.to_string()))?)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e) if e.as_service_error().and_then(ProvideErrorMetadata::code) == Some("ResourceInUseException") => {
                return Ok(false);
            }
            Err(e) => return Err(unavailable(e)),
        }
        for _ in 0..120 {
            let described = self.client.describe_table().table_name(&self.table).send().await.map_err(unavailable)?;
            let status = described.table().and_then(|t| t.table_status()).map(|s| s.as_str().to_string());
            if status.as_deref() == Some("ACTIVE") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let ttl = TimeToLiveSpecification::builder()
            .attribute_name(TTL_ATTRIBUTE)
            .enabled(true)
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(true)
    }

    async fn read(&self, user: &UserId, sort_key: AttributeValue) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, sort_key)
            .consistent_read(true)
            .send();
        let output = track(Remote::Store, "get_item", output).await.map_err(unavailable)?;
        Ok(output.item)
    }

    /// The pointer's order id, if the user has a pointer.
    async fn pending_pointer(&self, user: &UserId) -> Result<Option<String>, StoreError> {
        Ok(self
            .read(user, s(PENDING_SORT_KEY))
            .await?
            .and_then(|item| get_s(&item, "order_id").ok().map(str::to_string)))
    }

    /// A query of the user's orders, newest first (order ids are UUIDv7), strongly consistent.
    fn orders_newest_first(&self, user: &UserId) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :orders)")
            .expression_attribute_values(":pk", user_key(user))
            .expression_attribute_values(":orders", s(ORDER_PREFIX))
            .scan_index_forward(false)
            .consistent_read(true)
    }

    /// The user's newest order (order ids are UUIDv7: a query newest first, one item). The
    /// pending order, when there is one, is nearly always it: a new order cancels the one before.
    async fn newest_order(&self, user: &UserId) -> Result<Option<Order>, StoreError> {
        let query = self.orders_newest_first(user).limit(1).send();
        let output = track(Remote::Store, "query", query).await.map_err(unavailable)?;
        output.items().first().map(order_from).transpose()
    }

    /// The pending pointer and the order it names, in one round: the pointer and the newest order
    /// are read at once, and only a pointer to an older order costs a second read.
    async fn pointer_and_order(&self, user: &UserId) -> Result<(Option<String>, Option<Order>), StoreError> {
        // Boxed: two SDK calls side by side make a large future (a debug build's stack notices).
        let (pointer, newest) = tokio::join!(Box::pin(self.pending_pointer(user)), Box::pin(self.newest_order(user)));
        let Some(pointer) = pointer? else { return Ok((None, None)) };
        let order = match newest? {
            Some(newest) if newest.id.to_string() == pointer => Some(newest),
            _ => {
                let id: OrderId = pointer.parse().map_err(|_| corrupt("pending pointer"))?;
                self.read(user, order_key(&id)).await?.as_ref().map(order_from).transpose()?
            }
        };
        Ok((Some(pointer), order.filter(|o| &o.user_id == user)))
    }

    /// One `UpdateItem` that returns the item as written, or, when its condition fails, the item
    /// as it is (`None`: there is none).
    async fn update_returning(
        &self,
        request: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
    ) -> Result<Result<Item, Option<Item>>, StoreError> {
        let request = request
            .table_name(&self.table)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match track(Remote::Store, "update_item", request.send()).await {
            Ok(output) => Ok(Ok(output.attributes.ok_or_else(|| corrupt("no attributes returned"))?)),
            Err(error) => match error.as_service_error() {
                Some(aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(
                    failed,
                )) => Ok(Err(failed.item().cloned())),
                _ => Err(unavailable(error)),
            },
        }
    }

    /// A guess reserved in one conditional update while the budget is far from any block: the
    /// count and the version grow in place, refused (and the budget returned as stored) when it
    /// is blocked or this guess would pause or lock it, which [`GuessBudget::apply`] then decides.
    async fn reserve_quietly(
        &self,
        user: &UserId,
        now: Timestamp,
        policy: &crate::domain::BudgetPolicy,
    ) -> Result<Result<BudgetWrite, Option<Item>>, StoreError> {
        let request = self
            .client
            .update_item()
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, s(BUDGET_SORT_KEY))
            .update_expression(QUIET_RESERVE)
            .condition_expression(QUIET_RESERVE_CONDITION)
            .set_expression_attribute_values(Some(quiet_reserve_values(now, policy)));
        Ok(match self.update_returning(request).await? {
            Ok(item) => {
                let after = budget_from(&item)?;
                // Only the count and the version moved: the budget before is the same less one each.
                let mut before = after.clone();
                before.failures -= 1;
                before.version -= 1;
                Ok(BudgetWrite { before, after })
            }
            Err(stored) => Err(stored),
        })
    }

    /// The new order, the previous pending one cancelled (if still pending), the pointer moved,
    /// and `sent` appended to the activity: one transaction, retried when the pointer moved.
    ///
    /// With `answer`, the request's answer is the transaction's last write (rendered for the
    /// supersede each try makes); a claim no longer in progress refuses it, and the retry goes
    /// without it. Returns the superseded order and whether the answer was stored.
    async fn insert_superseding_with(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        mut seen: Option<PendingSeen>,
        mut answer: Option<AnswerFor<'_, Option<OrderId>>>,
    ) -> Result<(Option<OrderId>, bool), StoreError> {
        for _ in 0..MAX_RACE_RETRIES {
            let (previous_id, previous) = match seen.take().filter(|seen| seen.user == order.user_id) {
                Some(seen) => (seen.pointer, seen.order),
                None => self.pointer_and_order(&order.user_id).await?,
            };
            if previous_id.as_deref() == Some(order.id.to_string().as_str()) {
                return Err(StoreError::Duplicate);
            }
            let mut superseded = None;
            let mut writes = vec![
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(order_item(order)))
                            .condition_expression("attribute_not_exists(PK)")
                            .build()
                            .map_err(|e| StoreError::Unavailable(e.to_string()))?,
                    )
                    .build(),
            ];
            // Named by the pointer (none without one).
            if let Some(previous) = previous
                && previous.status == OrderStatus::PendingConfirmation
            {
                // The same Cancel rule as every other cancel.
                let rule = update_for(Transition::Cancel, order.created_at, false);
                let mut cancel = Update::builder()
                    .table_name(&self.table)
                    .key(PARTITION_KEY, user_key(&order.user_id))
                    .key(SORT_KEY, order_key(&previous.id))
                    .update_expression(rule.set)
                    .condition_expression(rule.condition)
                    .expression_attribute_names("#status", "status");
                for (name, value) in rule.values {
                    cancel = cancel.expression_attribute_values(name, value);
                }
                let cancel = cancel.build().map_err(|e| StoreError::Unavailable(e.to_string()))?;
                writes.push(TransactWriteItem::builder().update(cancel).build());
                superseded = Some(previous.id);
            }
            writes.push(self.pointer_put(order, previous_id.as_deref())?);
            if let Some(sent) = sent {
                writes.push(self.entry_write(sent)?);
            }
            let answered = match answer.and_then(|answer| answer(&superseded)) {
                Some(answer) => {
                    writes.push(self.answer_write(&answer)?);
                    true
                }
                None => false,
            };
            let transaction = self.client.transact_write_items().set_transact_items(Some(writes)).send();
            match track(Remote::Store, "transact_write_items", transaction).await {
                Ok(_) => return Ok((superseded, answered)),
                Err(error) => {
                    let reasons = cancellation_reasons(error)?;
                    if reasons.first().and_then(Option::as_deref) == Some("ConditionalCheckFailed") {
                        return Err(StoreError::Duplicate);
                    }
                    if answered && reasons.last().is_some_and(Option::is_some) {
                        // The claim is no longer in progress: the order goes in without its answer.
                        tracing::warn!("the request's claim was not in progress: its answer is not stored");
                        answer = None;
                    }
                    // The pointer or the previous order moved under us: read again and retry.
                    tracing::debug!(?reasons, "supersede lost a race; retrying");
                }
            }
        }
        Err(StoreError::Unavailable("too much contention on this user's pending order".into()))
    }

    /// `answer` stored on its claim, if that claim is still in progress: a transaction's write.
    fn answer_write(&self, answer: &ClaimAnswer) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(answer.key.user()))
            .key(SORT_KEY, request_key(&answer.key))
            .update_expression(ANSWER_SET)
            .condition_expression(ANSWER_CONDITION)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE);
        for (name, value) in answer_values(&answer.answer, answer.expires) {
            update = update.expression_attribute_values(name, value);
        }
        Ok(TransactWriteItem::builder().update(update.build().map_err(build_failed)?).build())
    }

    /// `entry` appended to the activity: a transaction's write.
    fn entry_write(&self, entry: &ActivityEvent) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(activity_item(entry)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_failed)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn pointer_put(&self, order: &Order, previous: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let ttl = order.challenge.expires_at.plus(POINTER_GRACE).unix_seconds();
        let item = HashMap::from([
            (PARTITION_KEY.to_string(), user_key(&order.user_id)),
            (SORT_KEY.to_string(), s(PENDING_SORT_KEY)),
            ("kind".to_string(), s("pending")),
            ("order_id".to_string(), s(order.id.to_string())),
            (TTL_ATTRIBUTE.to_string(), n(ttl)),
        ]);
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = match previous {
            Some(previous) => {
                put.condition_expression("order_id = :previous").expression_attribute_values(":previous", s(previous))
            }
            None => put.condition_expression("attribute_not_exists(PK)"),
        };
        Ok(TransactWriteItem::builder().put(put.build().map_err(|e| StoreError::Unavailable(e.to_string()))?).build())
    }

    /// `rule` applied to `seen`'s item only while the order is stored as `seen` was read (its
    /// `updated_at` and attempts): a transaction's update.
    fn move_as_seen(&self, seen: &Order, rule: ConditionalUpdate) -> Result<Update, StoreError> {
        let mut moved = Update::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(&seen.user_id))
            .key(SORT_KEY, order_key(&seen.id))
            .update_expression(rule.set)
            .condition_expression(format!(
                "{} AND updated_at = :seen_updated AND attempts_used = :seen_used",
                rule.condition
            ))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":seen_updated", n(seen.updated_at.unix_millis()))
            .expression_attribute_values(":seen_used", n(seen.challenge.attempts_used));
        for (name, value) in rule.values {
            moved = moved.expression_attribute_values(name, value);
        }
        moved.build().map_err(build_failed)
    }

    /// The pending pointer deleted while it names `order_id`.
    fn pointer_delete(&self, user: &UserId, order_id: &AttributeValue) -> Result<Delete, StoreError> {
        Delete::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, s(PENDING_SORT_KEY))
            .condition_expression("order_id = :mine")
            .expression_attribute_values(":mine", order_id.clone())
            .build()
            .map_err(build_failed)
    }

    /// What taking back `written` does besides the orders and the pointer: its entry deleted and
    /// its claim in progress again (while answered).
    fn withdrawal_steps(&self, written: &WrittenBeforeSend) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut steps = Vec::new();
        if let Some(sent) = &written.sent {
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(PARTITION_KEY, user_key(&sent.user_id))
                .key(SORT_KEY, s(format!("{ACTIVITY_PREFIX}{}", sent.id)))
                .build()
                .map_err(build_failed)?;
            steps.push(TransactWriteItem::builder().delete(delete).build());
        }
        if let Some(key) = &written.answered {
            let reopen = Update::builder()
                .table_name(&self.table)
                .key(PARTITION_KEY, user_key(key.user()))
                .key(SORT_KEY, request_key(key))
                .update_expression(CLAIM_REOPEN)
                .condition_expression("#state = :answered")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":in_progress", s(CLAIM_IN_PROGRESS))
                .expression_attribute_values(":answered", s(CLAIM_ANSWERED))
                .build()
                .map_err(build_failed)?;
            steps.push(TransactWriteItem::builder().update(reopen).build());
        }
        Ok(steps)
    }

    async fn apply_once(
        &self,
        user: &UserId,
        id: &OrderId,
        transition: Transition,
        now: Timestamp,
        lock: bool,
    ) -> Result<Result<Order, Option<Order>>, StoreError> {
        let update = update_for(transition, now, lock);
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, order_key(id))
            .update_expression(update.set)
            .condition_expression(update.condition)
            .expression_attribute_names("#status", "status")
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (name, value) in update.values {
            request = request.expression_attribute_values(name, value);
        }
        match track(Remote::Store, "update_item", request.send()).await {
            Ok(output) => {
                let item = output.attributes.ok_or_else(|| corrupt("no attributes returned"))?;
                Ok(Ok(order_from(&item)?))
            }
            Err(error) => match error.as_service_error() {
                Some(service) if service.is_conditional_check_failed_exception() => {
                    let old = match service {
                        aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(
                            e,
                        ) => e.item().map(order_from).transpose()?,
                        _ => None,
                    };
                    Ok(Err(old))
                }
                _ => Err(unavailable(error)),
            },
        }
    }
}

#[async_trait]
impl OrderStore for DynamoDbOrderStore {
    async fn insert_superseding(&self, order: &Order) -> Result<Option<OrderId>, StoreError> {
        Ok(self.insert_superseding_with(order, None, None, None).await?.0)
    }

    /// The code-sent entry is one more put in the superseding transaction.
    async fn insert_superseding_recorded(
        &self,
        order: &Order,
        sent: &ActivityEvent,
    ) -> Result<Option<OrderId>, StoreError> {
        Ok(self.insert_superseding_with(order, Some(sent), None, None).await?.0)
    }

    /// The pointer beside the newest order (one round), as the supersede would read them.
    async fn pending_seen(&self, user: &UserId) -> Result<Option<PendingSeen>, StoreError> {
        let (pointer, order) = self.pointer_and_order(user).await?;
        Ok(Some(PendingSeen { user: user.clone(), pointer, order }))
    }

    /// The transaction's conditions hold it to what `seen` read: a pointer or an order that moved
    /// since cancels it, and the retry reads them again.
    async fn insert_superseding_after(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        seen: Option<PendingSeen>,
    ) -> Result<Option<OrderId>, StoreError> {
        Ok(self.insert_superseding_with(order, sent, seen, None).await?.0)
    }

    /// The answer is the superseding transaction's last write.
    async fn insert_superseding_answered(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        seen: Option<PendingSeen>,
        answer: AnswerFor<'_, Option<OrderId>>,
    ) -> Result<(Option<OrderId>, bool), StoreError> {
        self.insert_superseding_with(order, sent, seen, Some(answer)).await
    }

    /// One `TransactWriteItems`: the send appended while the window holds fewer than
    /// `max_per_hour` sends, the new order, the earlier pending one cancelled only if it is still
    /// as read (so that [`withdraw_unsent`](OrderStore::withdraw_unsent) can put it back as it
    /// was), the pointer, the entry and the answer. Cancelled for any reason (a window that looks
    /// full, a pointer or an order that moved, a claim no longer in progress): `None`, nothing
    /// written, and the order goes step by step, which tells those apart.
    async fn insert_reserving_send(
        &self,
        order: &Order,
        sent: Option<&ActivityEvent>,
        seen: Option<PendingSeen>,
        max_per_hour: u32,
        answer: AnswerFor<'_, Option<OrderId>>,
    ) -> Result<Option<(WrittenBeforeSend, bool)>, StoreError> {
        let user = &order.user_id;
        let (previous_id, previous) = match seen.filter(|seen| &seen.user == user) {
            Some(seen) => (seen.pointer, seen.order),
            None => Box::pin(self.pointer_and_order(user)).await?,
        };
        if previous_id.as_deref() == Some(order.id.to_string().as_str()) {
            return Err(StoreError::Duplicate);
        }
        let superseded = previous.filter(|previous| previous.status == OrderStatus::PendingConfirmation);
        let mut reserve = Update::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, s(SENDS_SORT_KEY))
            .update_expression(SEND_APPEND)
            .condition_expression(SEND_ROOM)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE);
        for (name, value) in send_append_values(order.created_at, max_per_hour) {
            reserve = reserve.expression_attribute_values(name, value);
        }
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_item(order)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_failed)?;
        let mut writes = vec![
            TransactWriteItem::builder().update(reserve.build().map_err(build_failed)?).build(),
            TransactWriteItem::builder().put(put).build(),
        ];
        if let Some(before) = &superseded {
            let cancel = self.move_as_seen(before, update_for(Transition::Cancel, order.created_at, false))?;
            writes.push(TransactWriteItem::builder().update(cancel).build());
        }
        writes.push(self.pointer_put(order, previous_id.as_deref())?);
        if let Some(sent) = sent {
            writes.push(self.entry_write(sent)?);
        }
        let claim = answer(&superseded.as_ref().map(|before| before.id));
        if let Some(claim) = &claim {
            writes.push(self.answer_write(claim)?);
        }
        let transaction = self.client.transact_write_items().set_transact_items(Some(writes)).send();
        match track(Remote::Store, "transact_write_items", transaction).await {
            Ok(_) => {
                let stored = claim.is_some();
                let answered = claim.map(|claim| claim.key);
                Ok(Some((
                    WrittenBeforeSend { order: order.clone(), superseded, sent: sent.cloned(), answered },
                    stored,
                )))
            }
            Err(error) => {
                let reasons = cancellation_reasons(error)?;
                tracing::info!(?reasons, "the order's write ahead of its send was refused: written step by step");
                Ok(None)
            }
        }
    }

    /// One `TransactWriteItems` while the order is as written and the one it superseded as left:
    /// the order deleted, the earlier one put back and pointed to (or the pointer deleted), the
    /// entry deleted, the claim in progress again. Otherwise step by step: the order cancelled
    /// if still pending, the pointer deleted if it is still the order's, the entry deleted, the
    /// claim reopened.
    async fn withdraw_unsent(&self, written: &WrittenBeforeSend, now: Timestamp) -> Result<(), StoreError> {
        let order = &written.order;
        let user = &order.user_id;
        let mine = s(order.id.to_string());
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, order_key(&order.id))
            .condition_expression("#status = :pending AND updated_at = :written AND attempts_used = :used")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(OrderStatus::PendingConfirmation.name()))
            .expression_attribute_values(":written", n(order.updated_at.unix_millis()))
            .expression_attribute_values(":used", n(order.challenge.attempts_used))
            .build()
            .map_err(build_failed)?;
        let mut writes = vec![TransactWriteItem::builder().delete(delete).build()];
        match &written.superseded {
            Some(before) => {
                let back = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(order_item(before)))
                    .condition_expression("#status = :cancelled AND updated_at = :cancelled_at")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":cancelled", s(OrderStatus::Cancelled.name()))
                    .expression_attribute_values(":cancelled_at", n(order.created_at.unix_millis()))
                    .build()
                    .map_err(build_failed)?;
                writes.push(TransactWriteItem::builder().put(back).build());
                writes.push(self.pointer_put(before, Some(&order.id.to_string()))?);
            }
            None => writes.push(TransactWriteItem::builder().delete(self.pointer_delete(user, &mine)?).build()),
        }
        let steps = self.withdrawal_steps(written)?;
        writes.extend(steps.iter().cloned());
        let transaction = self.client.transact_write_items().set_transact_items(Some(writes)).send();
        let Err(error) = track(Remote::Store, "transact_write_items", transaction).await else { return Ok(()) };
        let reasons = cancellation_reasons(error)?;
        tracing::info!(?reasons, "the unsent order moved since its write: it is cancelled instead");
        match self.transition(user, &order.id, Transition::Cancel, now).await {
            Ok(_) | Err(StoreError::Transition(_) | StoreError::NotFound) => {}
            Err(other) => return Err(other),
        }
        let pointer = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(self.pointer_delete(user, &mine)?).build());
        let mut outcomes = vec![track(Remote::Store, "transact_write_items", pointer.send()).await.err()];
        for step in steps {
            let single = self.client.transact_write_items().transact_items(step);
            outcomes.push(track(Remote::Store, "transact_write_items", single.send()).await.err());
        }
        for error in outcomes.into_iter().flatten() {
            // A condition that no longer holds (the pointer moved on, the claim answered again) is
            // what it should be; anything else is the store failing.
            cancellation_reasons(error)?;
        }
        Ok(())
    }

    /// One `TransactWriteItems`: the order's move under the domain's rule and only if the order
    /// is unchanged since `seen` (its `updated_at` and attempts as read), the entries, the budget's
    /// reset, the answer on the claim. Any refusal cancels all of it: `None`, nothing written.
    async fn finish_answered(
        &self,
        seen: &Order,
        transition: Transition,
        now: Timestamp,
        entries: &[ActivityEvent],
        reset_budget: bool,
        answer: AnswerFor<'_, Order>,
    ) -> Result<Option<Order>, StoreError> {
        let mut after = seen.clone();
        if after.apply(transition, now).is_err() {
            return Ok(None);
        }
        let Some(answer) = answer(&after) else { return Ok(None) };
        let lock = transition.rule().1.uses_attempt && seen.challenge.attempts_left() == 1;
        let moved = self.move_as_seen(seen, update_for(transition, now, lock))?;
        let mut writes = vec![TransactWriteItem::builder().update(moved).build()];
        for entry in entries {
            writes.push(self.entry_write(entry)?);
        }
        if reset_budget {
            let reset = Update::builder()
                .table_name(&self.table)
                .key(PARTITION_KEY, user_key(&seen.user_id))
                .key(SORT_KEY, s(BUDGET_SORT_KEY))
                .update_expression(BUDGET_RESET)
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":kind", s("guess_budget"))
                .build()
                .map_err(build_failed)?;
            writes.push(TransactWriteItem::builder().update(reset).build());
        }
        writes.push(self.answer_write(&answer)?);
        let transaction = self.client.transact_write_items().set_transact_items(Some(writes)).send();
        match track(Remote::Store, "transact_write_items", transaction).await {
            Ok(_) => Ok(Some(after)),
            Err(error) => {
                let reasons = cancellation_reasons(error)?;
                tracing::info!(?reasons, "the order or the claim moved since it was read: written step by step");
                Ok(None)
            }
        }
    }

    /// One conditional update while fewer than `max_per_hour` send times are stored: the send is
    /// appended in place. Otherwise (some may have aged out) the refused update returns the
    /// stored times, and the admitted list (aged-out times dropped) is written only if the version
    /// is unchanged; a lost race reads again.
    async fn reserve_code_send(&self, user: &UserId, now: Timestamp, max_per_hour: u32) -> Result<(), StoreError> {
        let mut append = self
            .client
            .update_item()
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, s(SENDS_SORT_KEY))
            .update_expression(SEND_APPEND)
            .condition_expression(SEND_ROOM)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE);
        for (name, value) in send_append_values(now, max_per_hour) {
            append = append.expression_attribute_values(name, value);
        }
        let mut item = match self.update_returning(append).await? {
            Ok(_) => return Ok(()),
            Err(stored) => stored,
        };
        for _ in 0..MAX_RACE_RETRIES {
            let version: Option<u64> = item.as_ref().map(|i| get_n(i, "version")).transpose()?;
            let previous: Vec<Timestamp> = match item.as_ref().and_then(|i| i.get("sends")) {
                Some(AttributeValue::L(list)) => list
                    .iter()
                    .map(|v| v.as_n().ok().and_then(|n| n.parse().ok()).map(Timestamp::from_unix_millis))
                    .collect::<Option<_>>()
                    .ok_or_else(|| corrupt("sends"))?,
                _ => Vec::new(),
            };
            let admitted =
                admit_send(&previous, now, max_per_hour).map_err(|retry_at| StoreError::RateLimited { retry_at })?;
            let expires = admitted.last().copied().unwrap_or(now).plus(SEND_WINDOW).unix_seconds();
            let mut put = self
                .client
                .put_item()
                .table_name(&self.table)
                .item(PARTITION_KEY, user_key(user))
                .item(SORT_KEY, s(SENDS_SORT_KEY))
                .item("kind", s("code_sends"))
                .item("sends", AttributeValue::L(admitted.iter().map(|t| n(t.unix_millis())).collect()))
                .item("version", n(version.unwrap_or(0) + 1))
                .item(TTL_ATTRIBUTE, n(expires));
            put = match version {
                Some(v) => put.condition_expression("version = :seen").expression_attribute_values(":seen", n(v)),
                None => put.condition_expression("attribute_not_exists(PK)"),
            };
            match track(Remote::Store, "put_item", put.send()).await {
                Ok(_) => return Ok(()),
                Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                    item = self.read(user, s(SENDS_SORT_KEY)).await?;
                }
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(StoreError::Unavailable("too much contention on this user's code sends".into()))
    }

    /// One conditional put: written only if no claim is there or the one there expired (DynamoDB
    /// deletes expired items late, so the expiry is compared here); a refused put returns what is there.
    async fn claim_request(
        &self,
        key: &RequestKey,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<RequestClaim, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(claim_item(key, expires)))
            .condition_expression(CLAIM_CONDITION)
            .expression_attribute_values(":now", n(now.unix_millis()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send();
        let error = match track(Remote::Store, "put_item", put).await {
            Ok(_) => return Ok(RequestClaim::Claimed),
            Err(error) => error,
        };
        let there = match error.as_service_error() {
            Some(aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(e)) => {
                e.item().cloned()
            }
            _ => return Err(unavailable(error)),
        };
        let there = match there {
            Some(item) => item,
            // A server that does not return the item it kept: read it.
            None => self.read(key.user(), request_key(key)).await?.ok_or_else(|| corrupt("request claim"))?,
        };
        claim_there(&there)
    }

    /// One `TransactWriteItems`: the claim's conditional put and the guess's quiet reservation
    /// (the same update as `change_budget`'s first try). A claim refused cancels both (its
    /// refusal returns the claim there); a budget near a block cancels both too, and the claim
    /// is then made alone.
    async fn claim_request_reserving(
        &self,
        key: &RequestKey,
        now: Timestamp,
        expires: Timestamp,
        policy: &crate::domain::BudgetPolicy,
    ) -> Result<(RequestClaim, bool), StoreError> {
        let claim = Put::builder()
            .table_name(&self.table)
            .set_item(Some(claim_item(key, expires)))
            .condition_expression(CLAIM_CONDITION)
            .expression_attribute_values(":now", n(now.unix_millis()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(build_failed)?;
        let reserve = Update::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(key.user()))
            .key(SORT_KEY, s(BUDGET_SORT_KEY))
            .update_expression(QUIET_RESERVE)
            .condition_expression(QUIET_RESERVE_CONDITION)
            .set_expression_attribute_values(Some(quiet_reserve_values(now, policy)))
            .build()
            .map_err(build_failed)?;
        let writes =
            vec![TransactWriteItem::builder().put(claim).build(), TransactWriteItem::builder().update(reserve).build()];
        let transaction = self.client.transact_write_items().set_transact_items(Some(writes)).send();
        let error = match track(Remote::Store, "transact_write_items", transaction).await {
            Ok(_) => return Ok((RequestClaim::Claimed, true)),
            Err(error) => error,
        };
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        let there = match error.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                let claim_refused =
                    e.cancellation_reasons().first().filter(|r| r.code() == Some("ConditionalCheckFailed"));
                claim_refused.map(|refused| refused.item().cloned())
            }
            _ => return Err(unavailable(error)),
        };
        match there {
            Some(Some(item)) => Ok((claim_there(&item)?, false)),
            // A server that does not return the claim it kept: read it.
            Some(None) => {
                let item = self.read(key.user(), request_key(key)).await?.ok_or_else(|| corrupt("request claim"))?;
                Ok((claim_there(&item)?, false))
            }
            // Only the budget refused (near a block, or blocked): the claim alone.
            None => Ok((self.claim_request(key, now, expires).await?, false)),
        }
    }

    /// One conditional update: only a claim still in progress takes the answer.
    async fn answer_request(&self, key: &RequestKey, answer: &str, expires: Timestamp) -> Result<bool, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(key.user()))
            .key(SORT_KEY, request_key(key))
            .update_expression(ANSWER_SET)
            .condition_expression(ANSWER_CONDITION)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .set_expression_attribute_values(Some(
                answer_values(answer, expires).into_iter().map(|(name, value)| (name.to_string(), value)).collect(),
            ))
            .send();
        match track(Remote::Store, "update_item", update).await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn get(&self, user: &UserId, id: &OrderId) -> Result<Option<Order>, StoreError> {
        match self.read(user, order_key(id)).await? {
            Some(item) => Ok(Some(order_from(&item)?).filter(|o| &o.user_id == user)),
            None => Ok(None),
        }
    }

    /// The pointer and the newest order at once (one round; see `pointer_and_order`).
    async fn pending_for(&self, user: &UserId) -> Result<Option<Order>, StoreError> {
        let (_, order) = self.pointer_and_order(user).await?;
        Ok(order.filter(|o| o.status == OrderStatus::PendingConfirmation))
    }

    async fn list(&self, user: &UserId, page: PageRequest) -> Result<OrderPage, StoreError> {
        let limit = page.limit.clamp(1, PageRequest::MAX_LIMIT) as usize;
        let mut query = self.orders_newest_first(user).limit(limit as i32 + 1);
        if let Some(after) = page.after {
            query = query
                .exclusive_start_key(PARTITION_KEY, user_key(user))
                .exclusive_start_key(SORT_KEY, order_key(&after));
        }
        let output = track(Remote::Store, "query", query.send()).await.map_err(unavailable)?;
        let orders = output.items().iter().map(order_from).collect::<Result<Vec<_>, _>>()?;
        let (orders, next) = super::split_page(orders, limit, |o| o.id);
        Ok(OrderPage { orders, next })
    }

    async fn transition(
        &self,
        user: &UserId,
        id: &OrderId,
        transition: Transition,
        now: Timestamp,
    ) -> Result<Order, StoreError> {
        // A wrong code first tries the ordinary count; if only one attempt is
        // left, the locking variant. Each try is one conditional write.
        let mut lock = false;
        for _ in 0..MAX_RACE_RETRIES {
            match self.apply_once(user, id, transition, now, lock).await? {
                Ok(order) => return Ok(order),
                Err(None) => return Err(StoreError::NotFound),
                Err(Some(stored)) => {
                    if &stored.user_id != user {
                        return Err(StoreError::NotFound);
                    }
                    stored.check(transition, now)?;
                    // Allowed, so only the count/lock variant was wrong for the stored attempts.
                    lock = stored.challenge.attempts_left() == 1;
                }
            }
        }
        Err(StoreError::Unavailable("too much contention on this order".into()))
    }

    /// One conditional update: pending, live, tries left, and the MAC still the one replaced.
    async fn reseal_code(
        &self,
        user: &UserId,
        id: &OrderId,
        previous: &str,
        sealed: &str,
        now: Timestamp,
    ) -> Result<Order, StoreError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, order_key(id))
            .update_expression("SET code_hash = :sealed, updated_at = :now")
            .condition_expression(
                "attribute_exists(PK) AND #status = :pending AND code_expires_at > :now \
                 AND attempts_left > :zero AND code_hash = :previous",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":sealed", s(sealed))
            .expression_attribute_values(":previous", s(previous))
            .expression_attribute_values(":now", n(now.unix_millis()))
            .expression_attribute_values(":pending", s(OrderStatus::PendingConfirmation.name()))
            .expression_attribute_values(":zero", n(0))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match track(Remote::Store, "update_item", request.send()).await {
            Ok(output) => order_from(&output.attributes.ok_or_else(|| corrupt("no attributes returned"))?),
            Err(error) => match error.as_service_error() {
                Some(aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(
                    failed,
                )) => {
                    let stored = failed.item().map(order_from).transpose()?;
                    let stored = stored.filter(|o| &o.user_id == user).ok_or(StoreError::NotFound)?;
                    stored.check(Transition::Confirm, now)?;
                    Err(StoreError::Transition(crate::domain::TransitionError::ChallengeStillValid))
                }
                _ => Err(unavailable(error)),
            },
        }
    }

    async fn guess_budget(&self, user: &UserId) -> Result<GuessBudget, StoreError> {
        self.read(user, s(BUDGET_SORT_KEY)).await?.as_ref().map(budget_from).transpose().map(Option::unwrap_or_default)
    }

    /// A guess while the budget is far from any block, and a reset (a right code, the owner's
    /// unlock), are one update each; anything else (a guess that blocks, a refund) is computed
    /// by [`GuessBudget::apply`] from the budget as stored and written only if its version is
    /// unchanged (optimistic concurrency: a lost race reads again). A refused quick update
    /// returns the stored budget, so the slow path starts without a read.
    async fn change_budget(&self, user: &UserId, change: &BudgetChange) -> Result<BudgetWrite, StoreError> {
        let mut stored = match change {
            BudgetChange::Reserve { now, policy } if policy.pause_after().min(policy.lock_after()) > 1 => {
                match self.reserve_quietly(user, *now, policy).await? {
                    Ok(write) => return Ok(write),
                    Err(stored) => stored,
                }
            }
            BudgetChange::Succeed | BudgetChange::Unlock => {
                let reset = self
                    .client
                    .update_item()
                    .key(PARTITION_KEY, user_key(user))
                    .key(SORT_KEY, s(BUDGET_SORT_KEY))
                    .update_expression(BUDGET_RESET)
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":kind", s("guess_budget"))
                    .return_values(ReturnValue::AllOld)
                    .table_name(&self.table)
                    .send();
                let output = track(Remote::Store, "update_item", reset).await.map_err(unavailable)?;
                let before = output.attributes.as_ref().map(budget_from).transpose()?.unwrap_or_default();
                let after = GuessBudget { version: before.version + 1, ..GuessBudget::default() };
                return Ok(BudgetWrite { before, after });
            }
            _ => self.read(user, s(BUDGET_SORT_KEY)).await?,
        };
        for _ in 0..MAX_RACE_RETRIES {
            let before = stored.as_ref().map(budget_from).transpose()?.unwrap_or_default();
            let after = before.apply(change)?;
            let put = self.client.put_item().table_name(&self.table).set_item(Some(budget_item(user, &after)));
            let put = match stored {
                Some(_) => {
                    put.condition_expression("version = :seen").expression_attribute_values(":seen", n(before.version))
                }
                None => put.condition_expression("attribute_not_exists(PK)"),
            };
            match track(Remote::Store, "put_item", put.send()).await {
                Ok(_) => return Ok(BudgetWrite { before, after }),
                Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                    stored = self.read(user, s(BUDGET_SORT_KEY)).await?;
                }
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(StoreError::Unavailable("too much contention on this user's guess budget".into()))
    }

    async fn record_activity(&self, event: &ActivityEvent) -> Result<(), StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(activity_item(event)?))
            .condition_expression("attribute_not_exists(PK)")
            .send();
        match track(Remote::Store, "put_item", put).await {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Err(StoreError::Duplicate)
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn remember_sign_in_contacts(&self, contacts: &SignInContacts) -> Result<(), StoreError> {
        let mut item = document_item(&contacts.user_id, SIGN_IN_SORT_KEY, "sign_in_contacts", contacts, 0)?;
        item.insert("version".to_string(), n(contacts.signed_in_at.unix_millis()));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #version <= :version")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", n(contacts.signed_in_at.unix_millis()))
            .send();
        match track(Remote::Store, "put_item", put).await {
            Ok(_) => Ok(()),
            // A newer sign-in is stored: this older one changes nothing.
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn sign_in_contacts(&self, user: &UserId) -> Result<Option<SignInContacts>, StoreError> {
        let item = self.read(user, s(SIGN_IN_SORT_KEY)).await?;
        Ok(item.as_ref().map(document_from::<SignInContacts>).transpose()?.map(|(contacts, _)| contacts))
    }

    async fn enrolled_phone(&self, user: &UserId) -> Result<Option<EnrolledPhone>, StoreError> {
        let item = self.read(user, s(ENROLLED_SORT_KEY)).await?;
        Ok(item.as_ref().map(document_from::<EnrolledPhone>).transpose()?.map(|(phone, _)| phone))
    }

    async fn start_enrollment(&self, enrollment: &PhoneEnrollment) -> Result<(), StoreError> {
        let mut item = document_item(&enrollment.user_id, ENROLLMENT_SORT_KEY, "phone_enrollment", enrollment, 0)?;
        item.insert(TTL_ATTRIBUTE.to_string(), n(enrollment.expires_at.plus(POINTER_GRACE).unix_seconds()));
        // A fresh version from the clock: any racing wrong-code write on the replaced one fails.
        item.insert("version".to_string(), n(enrollment.sent_at.unix_millis()));
        let put = self.client.put_item().table_name(&self.table).set_item(Some(item)).send();
        track(Remote::Store, "put_item", put).await.map_err(unavailable)?;
        Ok(())
    }

    async fn pending_enrollment(&self, user: &UserId) -> Result<Option<PhoneEnrollment>, StoreError> {
        let item = self.read(user, s(ENROLLMENT_SORT_KEY)).await?;
        Ok(item.as_ref().map(document_from::<PhoneEnrollment>).transpose()?.map(|(enrollment, _)| enrollment))
    }

    /// Optimistic concurrency on the enrollment's version, like the guess budget.
    async fn enrollment_wrong_code(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<PhoneEnrollment, StoreError> {
        for _ in 0..MAX_RACE_RETRIES {
            let item = self.read(user, s(ENROLLMENT_SORT_KEY)).await?.ok_or(EnrollmentError::NotPending)?;
            let (mut enrollment, version): (PhoneEnrollment, u64) = document_from(&item)?;
            enrollment.check(id, now)?;
            enrollment.attempts_used += 1;
            let mut next = document_item(user, ENROLLMENT_SORT_KEY, "phone_enrollment", &enrollment, version + 1)?;
            if let Some(ttl) = item.get(TTL_ATTRIBUTE) {
                next.insert(TTL_ATTRIBUTE.to_string(), ttl.clone());
            }
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(next))
                .condition_expression("version = :seen")
                .expression_attribute_values(":seen", n(version))
                .send();
            match track(Remote::Store, "put_item", put).await {
                Ok(_) => return Ok(enrollment),
                Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => continue,
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(StoreError::Unavailable("too much contention on this user's enrollment".into()))
    }

    /// One transaction: delete the enrollment (if still the one checked) and put the enrolled phone.
    async fn complete_enrollment(
        &self,
        user: &UserId,
        id: EnrollmentId,
        now: Timestamp,
    ) -> Result<Option<EnrolledPhone>, StoreError> {
        for _ in 0..MAX_RACE_RETRIES {
            let item = self.read(user, s(ENROLLMENT_SORT_KEY)).await?.ok_or(EnrollmentError::NotPending)?;
            let (enrollment, version): (PhoneEnrollment, u64) = document_from(&item)?;
            enrollment.check(id, now)?;
            let previous = self.read(user, s(ENROLLED_SORT_KEY)).await?;
            let previous: Option<(EnrolledPhone, u64)> = previous.as_ref().map(document_from).transpose()?;
            let enrolled = EnrolledPhone { phone: enrollment.phone.clone(), verified_at: now };
            let next_version = previous.as_ref().map_or(1, |(_, v)| v + 1);
            let put = Put::builder().table_name(&self.table).set_item(Some(document_item(
                user,
                ENROLLED_SORT_KEY,
                "enrolled_phone",
                &enrolled,
                next_version,
            )?));
            let put = match &previous {
                Some((_, v)) => put.condition_expression("version = :seen").expression_attribute_values(":seen", n(*v)),
                None => put.condition_expression("attribute_not_exists(PK)"),
            };
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(PARTITION_KEY, user_key(user))
                .key(SORT_KEY, s(ENROLLMENT_SORT_KEY))
                .condition_expression("version = :seen")
                .expression_attribute_values(":seen", n(version));
            let writes = vec![
                TransactWriteItem::builder()
                    .put(put.build().map_err(|e| StoreError::Unavailable(e.to_string()))?)
                    .build(),
                TransactWriteItem::builder()
                    .delete(delete.build().map_err(|e| StoreError::Unavailable(e.to_string()))?)
                    .build(),
            ];
            let transaction = self.client.transact_write_items().set_transact_items(Some(writes)).send();
            match track(Remote::Store, "transact_write_items", transaction).await {
                Ok(_) => return Ok(previous.map(|(phone, _)| phone)),
                Err(error) => match error.as_service_error() {
                    Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(_)) => {
                        tracing::debug!("enrollment completion lost a race; retrying");
                    }
                    _ => return Err(unavailable(error)),
                },
            }
        }
        Err(StoreError::Unavailable("too much contention on this user's enrollment".into()))
    }

    async fn list_activity(
        &self,
        user: &UserId,
        limit: u32,
        after: Option<ActivityId>,
    ) -> Result<ActivityPage, StoreError> {
        let limit = limit.clamp(1, PageRequest::MAX_LIMIT) as usize;
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :activity)")
            .expression_attribute_values(":pk", user_key(user))
            .expression_attribute_values(":activity", s(ACTIVITY_PREFIX))
            .scan_index_forward(false)
            .consistent_read(true)
            .limit(limit as i32 + 1);
        if let Some(after) = after {
            query = query
                .exclusive_start_key(PARTITION_KEY, user_key(user))
                .exclusive_start_key(SORT_KEY, s(format!("{ACTIVITY_PREFIX}{after}")));
        }
        let output = track(Remote::Store, "query", query.send()).await.map_err(unavailable)?;
        let events = output.items().iter().map(activity_from).collect::<Result<Vec<_>, _>>()?;
        let (events, next) = super::split_page(events, limit, |e| e.id);
        Ok(ActivityPage { events, next })
    }

    async fn link_alexa_user(
        &self,
        alexa: &crate::domain::AlexaUserId,
        user: &UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.put_alexa_link(alexa, user, now).await
    }

    async fn alexa_user_link(&self, alexa: &crate::domain::AlexaUserId) -> Result<Option<UserId>, StoreError> {
        self.read_alexa_link(alexa).await
    }

    /// See `dynamodb_erasure.rs`.
    async fn erase_user(&self, user: &UserId, now: Timestamp) -> Result<crate::domain::ErasureReport, StoreError> {
        self.erase(user, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChallengePolicy, Size};

    #[test]
    fn dynamodb_errors_map_to_typed_store_errors() {
        assert_eq!(classify("ResourceNotFoundException", "x"), StoreError::MissingTable);
        assert_eq!(classify("ProvisionedThroughputExceededException", "x"), StoreError::Throttled);
        assert_eq!(classify("ThrottlingException", "x"), StoreError::Throttled);
        assert!(
            matches!(classify("UnrecognizedClientException", "bad key"), StoreError::AccessDenied(m) if m.contains("bad key"))
        );
        assert!(matches!(classify("InternalServerError", "x"), StoreError::Unavailable(_)));
    }

    #[test]
    fn an_order_survives_the_item_round_trip() {
        let order = Order::place(
            UserId::parse("auth0|ana").unwrap(),
            Pizza { size: Size::Jumbo, toppings: Toppings::new(vec![Topping::ExtraCheese, Topping::Bacon]).unwrap() },
            Channel::Email,
            MaskedDestination::Email { first_char: 'a', domain: "example.com".into() },
            ChallengePolicy::default(),
            Timestamp::from_unix_millis(1_800_000_000_123),
        );
        assert_eq!(order_from(&order_item(&order)), Ok(order.clone()));
        let british = order.priced_in(crate::domain::Currency::Gbp);
        assert_eq!(order_from(&order_item(&british)), Ok(british));
    }

    #[test]
    fn an_item_stored_before_prices_reads_without_a_bill_and_a_partial_bill_is_corrupt() {
        let order = Order::place(
            UserId::parse("auth0|ana").unwrap(),
            Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni]).unwrap() },
            Channel::Sms,
            MaskedDestination::Phone { last_digits: "21".into() },
            ChallengePolicy::default(),
            Timestamp::from_unix_millis(1_800_000_000_123),
        );
        let mut item = order_item(&order);
        assert_eq!(get_n::<u64>(&item, "total_minor"), Ok(1575));
        assert_eq!(get_s(&item, "currency"), Ok("USD"));
        let mut legacy = item.clone();
        for name in ["payee", "currency", "total_minor", "lines"] {
            legacy.remove(name);
        }
        assert_eq!(order_from(&legacy).map(|o| o.bill), Ok(None), "an item from before prices");
        for name in ["payee", "total_minor", "lines"] {
            let mut partial = item.clone();
            partial.remove(name);
            assert!(matches!(order_from(&partial), Err(StoreError::Corrupt(_))), "{name} missing");
        }
        item.insert("total_minor".to_string(), n(1));
        assert!(matches!(order_from(&item), Err(StoreError::Corrupt(_))), "a total that is not the lines' sum");
    }

    #[test]
    fn updates_name_only_the_values_their_expressions_use() {
        for transition in Transition::ALL {
            for lock in [false, true] {
                let update = update_for(transition, Timestamp::from_unix_millis(0), lock);
                let text = format!("{} {}", update.set, update.condition);
                for (name, _) in &update.values {
                    assert!(text.contains(name), "{transition:?}: {name} unused");
                }
                for placeholder in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '_')) {
                    if placeholder.starts_with(':') {
                        assert!(
                            update.values.iter().any(|(n, _)| *n == placeholder),
                            "{transition:?}: {placeholder} unset"
                        );
                    }
                }
            }
        }
    }
}
