//! The right to erasure: who an Alexa account is in Pod, and what erasing a user's data leaves.
//!
//! Alexa's `SkillDisabled` event names the Alexa account (`context.System.user.userId`) but
//! carries no access token, so Pod keeps a link from that account to the Pod user it saw it
//! linked to. The link is keyed by a digest of the Alexa user id, never the id itself.

use super::{Timestamp, UserId};
use std::fmt;

/// The longest Alexa user id accepted (Amazon's are a few hundred characters).
const MAX_ALEXA_USER_ID: usize = 2048;

/// An Alexa account as one skill sees it (`amzn1.ask.account.…`). `Debug` and `Display` show
/// only the start of its digest: the id itself never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct AlexaUserId {
    raw: String,
    key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlexaUserIdError {
    #[error("the Alexa user id is empty")]
    Empty,
    #[error("the Alexa user id is too long")]
    TooLong,
    #[error("the Alexa user id holds spaces or control characters")]
    BadCharacters,
}

impl AlexaUserId {
    pub fn parse(raw: &str) -> Result<Self, AlexaUserIdError> {
        if raw.is_empty() {
            return Err(AlexaUserIdError::Empty);
        }
        if raw.len() > MAX_ALEXA_USER_ID {
            return Err(AlexaUserIdError::TooLong);
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AlexaUserIdError::BadCharacters);
        }
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, raw.as_bytes());
        let key = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self { raw: raw.to_string(), key })
    }

    /// The SHA-256 of the id, in lowercase hex: what the store keys the link by.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The id as Alexa sent it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for AlexaUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AlexaUserId({self})")
    }
}

impl fmt::Display for AlexaUserId {
    /// The first 8 hex digits of the digest: enough to tell log lines apart, nothing to find the account by.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alexa:{}", &self.key[..8])
    }
}

/// What an erasure did. The store keeps one entry per erased user: its key and when it was
/// last erased, nothing else (the record that the erasure happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErasureReport {
    /// How many stored items of the user were deleted (0: there was nothing left to erase).
    pub deleted: usize,
    /// When the data was erased: now, or, when nothing was left, the earlier erasure's time.
    pub erased_at: Timestamp,
}

/// The entry an erasure leaves: the user's key and the time, the minimum that shows it happened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErasureEntry {
    pub user_id: UserId,
    pub erased_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alexa_user_id_is_keyed_by_its_digest_and_never_shown() {
        let id = AlexaUserId::parse("amzn1.ask.account.AEXAMPLE123").unwrap();
        assert_eq!(id.key().len(), 64);
        assert!(id.key().chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(AlexaUserId::parse("amzn1.ask.account.AEXAMPLE123").unwrap().key(), id.key());
        assert_ne!(AlexaUserId::parse("amzn1.ask.account.OTHER").unwrap().key(), id.key());
        assert!(!format!("{id} {id:?}").contains("AEXAMPLE"));
        assert_eq!(id.to_string(), format!("alexa:{}", &id.key()[..8]));
    }

    #[test]
    fn a_bad_alexa_user_id_is_refused() {
        assert_eq!(AlexaUserId::parse(""), Err(AlexaUserIdError::Empty));
        assert_eq!(AlexaUserId::parse("amzn1 ask"), Err(AlexaUserIdError::BadCharacters));
        assert_eq!(AlexaUserId::parse("a\u{0}b"), Err(AlexaUserIdError::BadCharacters));
        assert_eq!(AlexaUserId::parse(&"a".repeat(MAX_ALEXA_USER_ID + 1)), Err(AlexaUserIdError::TooLong));
    }
}
