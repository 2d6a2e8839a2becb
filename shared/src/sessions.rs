//! The session store port: where the web app keeps its sign-ins, so that a
//! session can be ended on the server (sign-out) and time out when unused.
//! Both order stores implement it (`store::embedded_sessions`, `store::dynamodb_sessions`),
//! each method one atomic step (one write transaction, or one conditional write).
//!
//! Sessions are keyed by user and id: the cookie names both, so no index is needed,
//! and all of one user's sessions can be found to revoke them.

use crate::domain::{SessionId, Timestamp, UserId, WebSession};
use crate::ports::StoreError;
use async_trait::async_trait;

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session; [`StoreError::Duplicate`] if its id is taken.
    async fn create_session(&self, session: &WebSession) -> Result<(), StoreError>;

    /// The session as stored, live or not (an ended one may be deleted later).
    async fn session(&self, user: &UserId, id: &SessionId) -> Result<Option<WebSession>, StoreError>;

    /// Records a use at `now`, only if the stored session is live at `now` (not revoked,
    /// within its idle timeout and absolute limit): the session as stored after, or `None`
    /// if it was not live or not there (nothing written).
    async fn touch_session(
        &self,
        user: &UserId,
        id: &SessionId,
        now: Timestamp,
    ) -> Result<Option<WebSession>, StoreError>;

    /// Revokes the session (sign-out); returns whether it existed. Revoking twice
    /// keeps the first time, and nothing makes a revoked session live again.
    async fn revoke_session(&self, user: &UserId, id: &SessionId, now: Timestamp) -> Result<bool, StoreError>;

    /// Revokes every session of `user` not already revoked; returns how many it revoked.
    async fn revoke_user_sessions(&self, user: &UserId, now: Timestamp) -> Result<usize, StoreError>;
}
