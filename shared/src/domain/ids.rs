use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("a user id must be 1 to {max} printable characters", max = UserId::MAX_LEN)]
    BadUserId,
    #[error("an order id must be a UUID")]
    BadOrderId,
    #[error("an activity id must be a UUID")]
    BadActivityId,
    #[error("an enrollment id must be a UUID")]
    BadEnrollmentId,
    #[error("a person id must be 1 to {max} printable characters", max = PersonId::MAX_LEN)]
    BadPersonId,
}

/// The speaker Alexa recognised (`context.System.person.personId`, with skill personalization):
/// one person of the Amazon account at the device. Not a secret, but personal: never logged.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonId(String);

impl PersonId {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: impl Into<String>) -> Result<Self, IdError> {
        let raw = raw.into();
        let ok =
            !raw.is_empty() && raw.len() <= Self::MAX_LEN && raw.chars().all(|c| !c.is_control() && !c.is_whitespace());
        if ok { Ok(Self(raw)) } else { Err(IdError::BadPersonId) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonId(****)")
    }
}

impl TryFrom<String> for PersonId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<PersonId> for String {
    fn from(value: PersonId) -> Self {
        value.0
    }
}

/// The identity provider's subject (`sub`), e.g. `auth0|5f1c...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: impl Into<String>) -> Result<Self, IdError> {
        let raw = raw.into();
        let ok =
            !raw.is_empty() && raw.len() <= Self::MAX_LEN && raw.chars().all(|c| !c.is_control() && !c.is_whitespace());
        if ok { Ok(Self(raw)) } else { Err(IdError::BadUserId) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<UserId> for String {
    fn from(value: UserId) -> Self {
        value.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An order's id: a UUIDv7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderId(uuid::Uuid);

impl OrderId {
    /// A new id, ordered after every id generated before it by this process.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    pub fn as_uuid(&self) -> uuid::Uuid {
        self.0
    }
}

impl FromStr for OrderId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::try_parse(s).map(Self).map_err(|_| IdError::BadOrderId)
    }
}

impl TryFrom<String> for OrderId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<OrderId> for String {
    fn from(value: OrderId) -> Self {
        value.0.hyphenated().to_string()
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_refuses_empty_whitespace_and_overlong() {
        assert!(UserId::parse("auth0|abc123").is_ok());
        assert_eq!(UserId::parse(""), Err(IdError::BadUserId));
        assert_eq!(UserId::parse("auth0|a b"), Err(IdError::BadUserId));
        assert_eq!(UserId::parse("a\u{0}b"), Err(IdError::BadUserId));
        assert_eq!(UserId::parse("x".repeat(257)), Err(IdError::BadUserId));
    }

    #[test]
    fn order_ids_parse_round_trip_and_sort_by_creation() {
        let first = OrderId::generate();
        let second = OrderId::generate();
        assert!(first < second);
        assert_eq!(first.to_string().parse::<OrderId>(), Ok(first));
        assert_eq!("not-a-uuid".parse::<OrderId>(), Err(IdError::BadOrderId));
    }
}
