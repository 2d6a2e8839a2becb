//! A web session as the server keeps it: who signed in, when, when it was last
//! used, and whether it was revoked. The browser's cookie holds only its id; this
//! record decides whether the cookie still means anything.

use super::{Timestamp, UserId};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// A session's activity is written at most this often: a request within this long of
/// the last recorded one writes nothing (so the idle timeout is exact to within this).
pub const SESSION_TOUCH_INTERVAL: Duration = Duration::from_secs(60);

/// Random bytes in a session id (256 bits).
const SESSION_ID_BYTES: usize = 32;

/// An unguessable session id: 256 random bits from the thread's CSPRNG, as lowercase hex.
/// Its `Debug` hides it: a session id is a bearer secret and is never logged.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl SessionId {
    pub fn generate() -> Self {
        let mut bytes = [0u8; SESSION_ID_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// An id as [`SessionId::generate`] writes it: 64 lowercase hex digits.
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed =
            raw.len() == SESSION_ID_BYTES * 2 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        well_formed.then(|| Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(…)")
    }
}

impl TryFrom<String> for SessionId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| "not a session id".to_string())
    }
}

impl From<SessionId> for String {
    fn from(value: SessionId) -> Self {
        value.0
    }
}

/// How long sessions last: at most `lifetime` after sign-in, and `idle_timeout` after
/// the last recorded use, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub lifetime: Duration,
    pub idle_timeout: Duration,
}

impl SessionPolicy {
    /// Eight hours after sign-in at most.
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
    /// Thirty minutes without a request.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { lifetime: Self::DEFAULT_LIFETIME, idle_timeout: Self::DEFAULT_IDLE_TIMEOUT }
    }
}

/// Where a session stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Live,
    /// Signed out (or revoked otherwise): never live again.
    Revoked,
    /// No recorded use for the idle timeout.
    Idle,
    /// Past its absolute limit.
    Expired,
}

/// One signed-in browser, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSession {
    pub id: SessionId,
    pub user: UserId,
    pub created_at: Timestamp,
    /// The last recorded use (at most [`SESSION_TOUCH_INTERVAL`] behind the real last use).
    pub last_seen: Timestamp,
    /// The absolute limit: not live from this moment on, whatever the activity.
    pub expires_at: Timestamp,
    /// Not live once this long has passed since `last_seen`.
    pub idle_timeout_seconds: u64,
    /// When it was revoked (signed out), if it was.
    pub revoked_at: Option<Timestamp>,
}

impl WebSession {
    /// A fresh session for `user`, signed in at `now`, with a new random id.
    pub fn start(user: UserId, now: Timestamp, policy: SessionPolicy) -> Self {
        Self {
            id: SessionId::generate(),
            user,
            created_at: now,
            last_seen: now,
            expires_at: now.plus(policy.lifetime),
            idle_timeout_seconds: policy.idle_timeout.as_secs(),
            revoked_at: None,
        }
    }

    /// When it times out for want of use, if nothing more is recorded.
    pub fn idle_deadline(&self) -> Timestamp {
        self.last_seen.plus(Duration::from_secs(self.idle_timeout_seconds))
    }

    pub fn state_at(&self, now: Timestamp) -> SessionState {
        if self.revoked_at.is_some() {
            SessionState::Revoked
        } else if now >= self.expires_at {
            SessionState::Expired
        } else if now >= self.idle_deadline() {
            SessionState::Idle
        } else {
            SessionState::Live
        }
    }

    pub fn is_live_at(&self, now: Timestamp) -> bool {
        self.state_at(now) == SessionState::Live
    }

    /// Whether a use at `now` should be written: only once [`SESSION_TOUCH_INTERVAL`]
    /// has passed since the last recorded one, so most requests write nothing.
    pub fn needs_touch_at(&self, now: Timestamp) -> bool {
        now >= self.last_seen.plus(SESSION_TOUCH_INTERVAL)
    }

    /// The session with a use at `now` recorded, if it is live then (else unchanged: `None`).
    pub fn touched(&self, now: Timestamp) -> Option<Self> {
        self.is_live_at(now).then(|| Self { last_seen: now.max(self.last_seen), ..self.clone() })
    }

    /// The session revoked at `now`; one revoked already keeps its first revocation.
    pub fn revoked(&self, now: Timestamp) -> Self {
        Self { revoked_at: Some(self.revoked_at.unwrap_or(now)), ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_800_000_000_000 + seconds * 1000)
    }

    fn session() -> WebSession {
        WebSession::start(UserId::parse("auth0|ana").unwrap(), at(0), SessionPolicy::default())
    }

    #[test]
    fn ids_are_random_256_bit_hex_and_never_shown() {
        let (one, two) = (SessionId::generate(), SessionId::generate());
        assert_ne!(one, two);
        assert_eq!(one.as_str().len(), 64);
        assert_eq!(SessionId::parse(one.as_str()), Some(one.clone()));
        assert_eq!(SessionId::parse(&one.as_str().to_uppercase()), None);
        assert_eq!(SessionId::parse("abc"), None);
        assert!(!format!("{one:?}").contains(one.as_str()));
    }

    #[test]
    fn a_session_is_live_until_idle_or_expired_or_revoked() {
        let s = session();
        assert_eq!(s.state_at(at(30 * 60 - 1)), SessionState::Live);
        assert_eq!(s.state_at(at(30 * 60)), SessionState::Idle);
        let used = s.touched(at(29 * 60)).unwrap();
        assert_eq!(used.state_at(at(58 * 60)), SessionState::Live);
        // Kept in use, it still ends at the absolute limit.
        let mut kept = s.clone();
        for minute in (20..=8 * 60).step_by(20) {
            kept = kept.touched(at(minute * 60 - 1)).unwrap_or(kept);
        }
        assert_eq!(kept.state_at(at(8 * 60 * 60 - 1)), SessionState::Live);
        assert_eq!(kept.state_at(at(8 * 60 * 60)), SessionState::Expired);
        assert_eq!(s.revoked(at(5)).state_at(at(6)), SessionState::Revoked);
        assert_eq!(s.revoked(at(5)).revoked(at(9)).revoked_at, Some(at(5)));
        assert_eq!(s.revoked(at(5)).touched(at(6)), None);
    }

    #[test]
    fn a_use_is_written_at_most_once_a_minute() {
        let s = session();
        assert!(!s.needs_touch_at(at(59)));
        assert!(s.needs_touch_at(at(60)));
    }
}
