//! Web sessions in the embedded (redb) store: one table keyed by (user id, session id),
//! each change one write transaction that reads, checks the session's rules and writes.

use super::embedded::EmbeddedOrderStore;
use crate::domain::{SessionId, Timestamp, UserId, WebSession};
use crate::ports::StoreError;
use crate::sessions::SessionStore;
use async_trait::async_trait;
use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableError};

/// (user id, session id) → the session as JSON. Created by the first write.
pub(super) const WEB_SESSIONS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("web_sessions");

/// Sorts after every session id (lowercase hex).
const AFTER_ALL_IDS: &str = "~";

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn decode(bytes: &[u8]) -> Result<WebSession, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("web session: {e}")))
}

fn encode(session: &WebSession) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(session).map_err(|e| StoreError::Corrupt(format!("web session: {e}")))
}

fn read(
    table: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    user: &str,
    id: &str,
) -> Result<Option<WebSession>, StoreError> {
    table.get((user, id)).map_err(unavailable)?.map(|guard| decode(guard.value())).transpose()
}

/// Reads, changes and writes one stored session in one write transaction; `change`
/// returns the session to write, or `None` to write nothing.
fn update(
    db: &super::embedded_commits::Db<'_>,
    user: &str,
    id: &str,
    change: impl FnOnce(&WebSession) -> Option<WebSession>,
) -> Result<(Option<WebSession>, Option<WebSession>), StoreError> {
    let txn = db.begin_write().map_err(unavailable)?;
    let outcome;
    {
        let mut sessions = txn.open_table(WEB_SESSIONS).map_err(unavailable)?;
        let stored = read(&sessions, user, id)?;
        let changed = stored.as_ref().and_then(change);
        if let Some(changed) = &changed {
            sessions.insert((user, id), encode(changed)?.as_slice()).map_err(unavailable)?;
        }
        outcome = (stored, changed);
    }
    txn.commit().map_err(unavailable)?;
    Ok(outcome)
}

#[async_trait]
impl SessionStore for EmbeddedOrderStore {
    async fn create_session(&self, session: &WebSession) -> Result<(), StoreError> {
        let session = session.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            {
                let mut sessions = txn.open_table(WEB_SESSIONS).map_err(unavailable)?;
                let key = (session.user.as_str(), session.id.as_str());
                if sessions.get(key).map_err(unavailable)?.is_some() {
                    return Err(StoreError::Duplicate);
                }
                sessions.insert(key, encode(&session)?.as_slice()).map_err(unavailable)?;
            }
            txn.commit().map_err(unavailable)
        })
        .await
    }

    async fn session(&self, user: &UserId, id: &SessionId) -> Result<Option<WebSession>, StoreError> {
        let (user, id) = (user.clone(), id.clone());
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            match txn.open_table(WEB_SESSIONS) {
                Ok(sessions) => read(&sessions, user.as_str(), id.as_str()),
                Err(TableError::TableDoesNotExist(_)) => Ok(None),
                Err(e) => Err(unavailable(e)),
            }
        })
        .await
    }

    async fn touch_session(
        &self,
        user: &UserId,
        id: &SessionId,
        now: Timestamp,
    ) -> Result<Option<WebSession>, StoreError> {
        let (user, id) = (user.clone(), id.clone());
        self.blocking(move |db| Ok(update(db, user.as_str(), id.as_str(), |stored| stored.touched(now))?.1)).await
    }

    async fn revoke_session(&self, user: &UserId, id: &SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let (user, id) = (user.clone(), id.clone());
        self.blocking(move |db| {
            let (stored, _) = update(db, user.as_str(), id.as_str(), |stored| {
                stored.revoked_at.is_none().then(|| stored.revoked(now))
            })?;
            Ok(stored.is_some())
        })
        .await
    }

    async fn revoke_user_sessions(&self, user: &UserId, now: Timestamp) -> Result<usize, StoreError> {
        let user = user.clone();
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let revoked;
            {
                let mut sessions = txn.open_table(WEB_SESSIONS).map_err(unavailable)?;
                let mut live = Vec::new();
                for entry in sessions.range((user.as_str(), "")..(user.as_str(), AFTER_ALL_IDS)).map_err(unavailable)? {
                    let (_, value) = entry.map_err(unavailable)?;
                    let session = decode(value.value())?;
                    if session.revoked_at.is_none() {
                        live.push(session.revoked(now));
                    }
                }
                for session in &live {
                    let key = (user.as_str(), session.id.as_str());
                    sessions.insert(key, encode(session)?.as_slice()).map_err(unavailable)?;
                }
                revoked = live.len();
            }
            txn.commit().map_err(unavailable)?;
            Ok(revoked)
        })
        .await
    }
}
