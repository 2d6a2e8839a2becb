//! Web sessions in the DynamoDB table: one item per session,
//! `PK = USER#<user id>`, `SK = SESSION#<session id>`, deleted by TTL a day after its
//! absolute limit. A use and a revocation are each one conditional `UpdateItem`, so a
//! use can never bring back a session that a racing sign-out revoked.

use super::dynamodb::{DynamoDbOrderStore, get_n, get_s, unavailable, user_key};
use super::{PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};
use crate::domain::{SessionId, Timestamp, UserId, WebSession};
use crate::ports::StoreError;
use crate::round_trips::{Remote, track};
use crate::sessions::SessionStore;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use std::collections::HashMap;
use std::time::Duration;

type Item = HashMap<String, AttributeValue>;

const SESSION_PREFIX: &str = "SESSION#";
/// An ended session's item stays this long after its absolute limit before TTL may delete it.
const SESSION_GRACE: Duration = Duration::from_secs(24 * 3600);
/// Live only while all of this holds at `:now`.
const LIVE: &str =
    "attribute_exists(PK) AND attribute_not_exists(revoked_at) AND session_expires_at > :now AND idle_deadline > :now";

fn session_key(id: &SessionId) -> AttributeValue {
    AttributeValue::S(format!("{SESSION_PREFIX}{}", id.as_str()))
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("stored web session: {what}"))
}

fn session_item(session: &WebSession) -> Item {
    let idle_ms = session.idle_timeout_seconds.saturating_mul(1000);
    let mut item = HashMap::from([
        (PARTITION_KEY.to_string(), user_key(&session.user)),
        (SORT_KEY.to_string(), session_key(&session.id)),
        ("kind".to_string(), AttributeValue::S("web_session".into())),
        ("user_id".to_string(), AttributeValue::S(session.user.as_str().into())),
        ("session_id".to_string(), AttributeValue::S(session.id.as_str().into())),
        ("created_at".to_string(), n(session.created_at.unix_millis())),
        ("last_seen".to_string(), n(session.last_seen.unix_millis())),
        ("session_expires_at".to_string(), n(session.expires_at.unix_millis())),
        ("idle_timeout_ms".to_string(), n(idle_ms)),
        ("idle_deadline".to_string(), n(session.idle_deadline().unix_millis())),
        (TTL_ATTRIBUTE.to_string(), n(session.expires_at.plus(SESSION_GRACE).unix_seconds())),
    ]);
    if let Some(revoked_at) = session.revoked_at {
        item.insert("revoked_at".to_string(), n(revoked_at.unix_millis()));
    }
    item
}

fn session_from(item: &Item) -> Result<WebSession, StoreError> {
    let at = |name: &str| get_n::<i64>(item, name).map(Timestamp::from_unix_millis).map_err(|_| corrupt(name));
    Ok(WebSession {
        id: SessionId::parse(get_s(item, "session_id")?).ok_or_else(|| corrupt("session_id"))?,
        user: UserId::parse(get_s(item, "user_id")?).map_err(|_| corrupt("user_id"))?,
        created_at: at("created_at")?,
        last_seen: at("last_seen")?,
        expires_at: at("session_expires_at")?,
        idle_timeout_seconds: get_n::<u64>(item, "idle_timeout_ms")? / 1000,
        revoked_at: item.get("revoked_at").map(|_| at("revoked_at")).transpose()?,
    })
}

impl DynamoDbOrderStore {
    /// One conditional update of a session item: `Ok(new item)`, or `Err(the item as it
    /// was)` when the condition failed (`None`: no such item).
    async fn update_session(
        &self,
        user: &UserId,
        id: &SessionId,
        set: &str,
        condition: &str,
        now: Timestamp,
    ) -> Result<Result<Item, Option<Item>>, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, session_key(id))
            .update_expression(set)
            .condition_expression(condition)
            .expression_attribute_values(":now", n(now.unix_millis()))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send();
        match track(Remote::Store, "update_item", update).await {
            Ok(output) => Ok(Ok(output.attributes.unwrap_or_default())),
            Err(e) => match e.as_service_error() {
                Some(aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(
                    failed,
                )) => Ok(Err(failed.item.clone())),
                _ => Err(unavailable(e)),
            },
        }
    }
}

#[async_trait]
impl SessionStore for DynamoDbOrderStore {
    async fn create_session(&self, session: &WebSession) -> Result<(), StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(session_item(session)))
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

    async fn session(&self, user: &UserId, id: &SessionId) -> Result<Option<WebSession>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, session_key(id))
            .consistent_read(true)
            .send();
        let output = track(Remote::Store, "get_item", output).await.map_err(unavailable)?;
        output.item.as_ref().map(session_from).transpose()
    }

    async fn touch_session(
        &self,
        user: &UserId,
        id: &SessionId,
        now: Timestamp,
    ) -> Result<Option<WebSession>, StoreError> {
        let set = "SET last_seen = :now, idle_deadline = :now + idle_timeout_ms";
        // Never moves `last_seen` back: a use older than the recorded one changes nothing.
        let condition = format!("{LIVE} AND last_seen < :now");
        match self.update_session(user, id, set, &condition, now).await? {
            Ok(item) => session_from(&item).map(Some),
            Err(None) => Ok(None),
            Err(Some(item)) => Ok(Some(session_from(&item)?).filter(|stored| stored.is_live_at(now))),
        }
    }

    async fn revoke_session(&self, user: &UserId, id: &SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let condition = "attribute_exists(PK) AND attribute_not_exists(revoked_at)";
        match self.update_session(user, id, "SET revoked_at = :now", condition, now).await? {
            Ok(_) | Err(Some(_)) => Ok(true),
            Err(None) => Ok(false),
        }
    }

    async fn revoke_user_sessions(&self, user: &UserId, now: Timestamp) -> Result<usize, StoreError> {
        let mut revoked = 0;
        let mut start: Option<Item> = None;
        loop {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :sessions)")
                .expression_attribute_values(":pk", user_key(user))
                .expression_attribute_values(":sessions", AttributeValue::S(SESSION_PREFIX.into()))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send();
            let output = track(Remote::Store, "query", query).await.map_err(unavailable)?;
            for item in output.items() {
                let session = session_from(item)?;
                if session.revoked_at.is_some() {
                    continue;
                }
                let condition = "attribute_exists(PK) AND attribute_not_exists(revoked_at)";
                if self.update_session(user, &session.id, "SET revoked_at = :now", condition, now).await?.is_ok() {
                    revoked += 1;
                }
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(revoked),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SessionPolicy;

    #[test]
    fn a_session_survives_the_item_round_trip() {
        let now = Timestamp::from_unix_millis(1_800_000_000_123);
        let session = WebSession::start(UserId::parse("auth0|ana").unwrap(), now, SessionPolicy::default());
        assert_eq!(session_from(&session_item(&session)), Ok(session.clone()));
        let revoked = session.revoked(now.plus(Duration::from_secs(5)));
        assert_eq!(session_from(&session_item(&revoked)), Ok(revoked));
    }
}
