//! The right to erasure in the DynamoDB table.
//!
//! Every item of a user lives in its partition `USER#<user id>` (orders, the pending pointer,
//! code sends, the guess budget, activity, contacts, enrollment, request claims, web sessions),
//! plus one item per Alexa account linked to the user in that account's partition:
//! `PK = ALEXA#<sha256 of the Alexa user id>`, `SK = LINK` (`user_id`, `linked_at`), traced
//! under the user by `USER#<user id>` / `ALEXA#<sha256>` so the erasure finds it.
//!
//! The erasure first puts `USER#<user id>` / `ERASED` (`erased_at`), the one entry that stays;
//! then reads the partition (a paginated Query), deletes what it found in batches, each linked
//! Alexa item only if it still names the user, and reads again until nothing but the entry is
//! left. A delete is safe against any concurrent write: every conditional update of an order,
//! claim or session requires its item to exist, so a write racing the erasure either lands
//! before a read of the partition (and is deleted) or changes nothing; only a write that
//! creates an item (a new order, a sign-in) can land after the last read, and it is the user's
//! as a new user.

use super::dynamodb::{DynamoDbOrderStore, get_n, get_s, unavailable, user_key};
use super::{PARTITION_KEY, SORT_KEY};
use crate::domain::{AlexaUserId, ErasureReport, Timestamp, UserId};
use crate::ports::StoreError;
use crate::round_trips::{Remote, track};
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, Put, TransactWriteItem, WriteRequest};
use std::collections::HashMap;

type Item = HashMap<String, AttributeValue>;

const ALEXA_PREFIX: &str = "ALEXA#";
const LINK_SORT_KEY: &str = "LINK";
const ERASED_SORT_KEY: &str = "ERASED";
/// BatchWriteItem takes at most 25 requests.
const BATCH: usize = 25;
/// How often the partition is read again while writes keep landing in it.
const MAX_PASSES: usize = 8;
/// How often unprocessed deletes of a batch are sent again.
const MAX_BATCH_RETRIES: usize = 8;

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn alexa_key(alexa: &AlexaUserId) -> AttributeValue {
    s(format!("{ALEXA_PREFIX}{}", alexa.key()))
}

fn build_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl DynamoDbOrderStore {
    /// One transaction: the link in the Alexa account's partition and its trace under the user.
    pub(super) async fn put_alexa_link(
        &self,
        alexa: &AlexaUserId,
        user: &UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let link = HashMap::from([
            (PARTITION_KEY.to_string(), alexa_key(alexa)),
            (SORT_KEY.to_string(), s(LINK_SORT_KEY)),
            ("kind".to_string(), s("alexa_link")),
            ("user_id".to_string(), s(user.as_str())),
            ("linked_at".to_string(), AttributeValue::N(now.unix_millis().to_string())),
        ]);
        let trace = HashMap::from([
            (PARTITION_KEY.to_string(), user_key(user)),
            (SORT_KEY.to_string(), alexa_key(alexa)),
            ("kind".to_string(), s("alexa_link_trace")),
        ]);
        let put = |item: Item| -> Result<TransactWriteItem, StoreError> {
            let put = Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(build_error)?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let request = self.client.transact_write_items().transact_items(put(link)?).transact_items(put(trace)?).send();
        track(Remote::Store, "transact_write_items", request).await.map_err(unavailable)?;
        Ok(())
    }

    pub(super) async fn read_alexa_link(&self, alexa: &AlexaUserId) -> Result<Option<UserId>, StoreError> {
        let request = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, alexa_key(alexa))
            .key(SORT_KEY, s(LINK_SORT_KEY))
            .consistent_read(true)
            .send();
        let output = track(Remote::Store, "get_item", request).await.map_err(unavailable)?;
        output
            .item
            .map(|item| {
                UserId::parse(get_s(&item, "user_id")?).map_err(|e| StoreError::Corrupt(format!("alexa link: {e}")))
            })
            .transpose()
    }

    /// The sort keys of every item in the user's partition.
    async fn partition_keys(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let request = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", user_key(user))
                .projection_expression("SK")
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send();
            let output = track(Remote::Store, "query", request).await.map_err(unavailable)?;
            for item in output.items() {
                keys.push(get_s(item, SORT_KEY)?.to_string());
            }
            match output.last_evaluated_key {
                Some(last) if !last.is_empty() => start = Some(last),
                _ => return Ok(keys),
            }
        }
    }

    /// Deletes the items at these keys, 25 to a batch, sending unprocessed ones again.
    async fn delete_keys(&self, keys: Vec<(AttributeValue, AttributeValue)>) -> Result<(), StoreError> {
        for chunk in keys.chunks(BATCH) {
            let mut requests = chunk
                .iter()
                .map(|(pk, sk)| {
                    let delete = DeleteRequest::builder()
                        .key(PARTITION_KEY, pk.clone())
                        .key(SORT_KEY, sk.clone())
                        .build()
                        .map_err(build_error)?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            for _ in 0..MAX_BATCH_RETRIES {
                let request = self.client.batch_write_item().request_items(&self.table, requests).send();
                let output = track(Remote::Store, "batch_write_item", request).await.map_err(unavailable)?;
                requests = output.unprocessed_items.and_then(|mut left| left.remove(&self.table)).unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
            }
            if !requests.is_empty() {
                return Err(StoreError::Throttled);
            }
        }
        Ok(())
    }

    /// Deletes the Alexa account's link only if it still names `user` (it may have been linked
    /// to another user since).
    async fn delete_alexa_link_of(&self, link: AttributeValue, user: &UserId) -> Result<bool, StoreError> {
        let request = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, link)
            .key(SORT_KEY, s(LINK_SORT_KEY))
            .condition_expression("user_id = :user")
            .expression_attribute_values(":user", s(user.as_str()))
            .send();
        match track(Remote::Store, "delete_item", request).await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn erasure_entry(&self, user: &UserId) -> Result<Option<Timestamp>, StoreError> {
        let request = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, user_key(user))
            .key(SORT_KEY, s(ERASED_SORT_KEY))
            .consistent_read(true)
            .send();
        let output = track(Remote::Store, "get_item", request).await.map_err(unavailable)?;
        output.item.map(|item| get_n::<i64>(&item, "erased_at").map(Timestamp::from_unix_millis)).transpose()
    }

    async fn put_erasure_entry(&self, user: &UserId, now: Timestamp) -> Result<(), StoreError> {
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(PARTITION_KEY, user_key(user))
            .item(SORT_KEY, s(ERASED_SORT_KEY))
            .item("kind", s("erasure"))
            .item("erased_at", AttributeValue::N(now.unix_millis().to_string()))
            .send();
        track(Remote::Store, "put_item", request).await.map_err(unavailable)?;
        Ok(())
    }

    pub(super) async fn erase(&self, user: &UserId, now: Timestamp) -> Result<ErasureReport, StoreError> {
        let mut deleted = 0;
        for pass in 0..MAX_PASSES {
            let keys: Vec<String> =
                self.partition_keys(user).await?.into_iter().filter(|k| k != ERASED_SORT_KEY).collect();
            if keys.is_empty() {
                if pass > 0 {
                    return Ok(ErasureReport { deleted, erased_at: now });
                }
                return match self.erasure_entry(user).await? {
                    Some(earlier) => Ok(ErasureReport { deleted, erased_at: earlier }),
                    None => {
                        self.put_erasure_entry(user, now).await?;
                        Ok(ErasureReport { deleted, erased_at: now })
                    }
                };
            }
            if pass == 0 {
                self.put_erasure_entry(user, now).await?;
            }
            for link in keys.iter().filter(|k| k.starts_with(ALEXA_PREFIX)) {
                if self.delete_alexa_link_of(s(link.as_str()), user).await? {
                    deleted += 1;
                }
            }
            deleted += keys.len();
            self.delete_keys(keys.into_iter().map(|k| (user_key(user), s(k))).collect()).await?;
        }
        Err(StoreError::Unavailable("writes for this user kept arriving while its data was erased".into()))
    }

    /// For tests: every item in the table that belongs to `user`, found by a full scan (not
    /// through the user's keys): its partition, or a `user_id` that names it. Each as `PK/SK`.
    #[doc(hidden)]
    pub async fn items_of(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let request = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("PK = :pk OR user_id = :user")
                .expression_attribute_values(":pk", user_key(user))
                .expression_attribute_values(":user", s(user.as_str()))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send();
            let output = request.await.map_err(unavailable)?;
            for item in output.items() {
                found.push(format!("{}/{}", get_s(item, PARTITION_KEY)?, get_s(item, SORT_KEY)?));
            }
            match output.last_evaluated_key {
                Some(last) if !last.is_empty() => start = Some(last),
                _ => break,
            }
        }
        found.sort();
        Ok(found)
    }
}
