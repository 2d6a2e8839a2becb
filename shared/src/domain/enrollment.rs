//! Enrolling the phone that codes go to: Pod sends a code to the number the user
//! typed, and only once the user gives that code back is the number used.
//! The verified number lives in Pod's store, where the user cannot edit it
//! without verifying again (unlike Auth0's `user_metadata`).

use super::{PhoneNumber, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// An enrollment's id (UUIDv7): what a builtin code is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EnrollmentId(uuid::Uuid);

impl EnrollmentId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl fmt::Display for EnrollmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl std::str::FromStr for EnrollmentId {
    type Err = super::IdError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::try_parse(raw).map(Self).map_err(|_| super::IdError::BadEnrollmentId)
    }
}

/// A phone number waiting for its code: one per user, the latest started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneEnrollment {
    pub id: EnrollmentId,
    pub user_id: UserId,
    pub phone: PhoneNumber,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub attempts_used: u32,
    pub max_attempts: u32,
    /// With Pod's own codes: the MAC binding the code to this enrollment (never the code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<String>,
}

/// Why an enrollment step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnrollmentError {
    #[error("no phone number is waiting for a code; start again")]
    NotPending,
    #[error("the verification code has expired; start again")]
    Expired,
    #[error("too many wrong codes for this number; start again")]
    AttemptsExhausted,
}

impl PhoneEnrollment {
    pub fn start(user_id: UserId, phone: PhoneNumber, ttl: Duration, max_attempts: u32, now: Timestamp) -> Self {
        Self {
            id: EnrollmentId::generate(),
            user_id,
            phone,
            sent_at: now,
            expires_at: now.plus(ttl),
            attempts_used: 0,
            max_attempts: max_attempts.max(1),
            code_hash: None,
        }
    }

    pub fn attempts_left(&self) -> u32 {
        self.max_attempts.saturating_sub(self.attempts_used)
    }

    /// Whether a code may be checked against this enrollment (`id`) at `now`.
    pub fn check(&self, id: EnrollmentId, now: Timestamp) -> Result<(), EnrollmentError> {
        if self.id != id {
            return Err(EnrollmentError::NotPending);
        }
        if now >= self.expires_at {
            return Err(EnrollmentError::Expired);
        }
        if self.attempts_left() == 0 {
            return Err(EnrollmentError::AttemptsExhausted);
        }
        Ok(())
    }
}

/// The phone codes go to, as verified through enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolledPhone {
    pub phone: PhoneNumber,
    pub verified_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_800_000_000_000 + seconds * 1000)
    }

    #[test]
    fn an_enrollment_takes_codes_until_it_expires_or_its_tries_run_out() {
        let user = UserId::parse("auth0|ana").unwrap();
        let phone = PhoneNumber::parse("+14155550142").unwrap();
        let mut enrollment = PhoneEnrollment::start(user, phone, Duration::from_secs(300), 3, at(0));
        assert_eq!(enrollment.check(enrollment.id, at(299)), Ok(()));
        assert_eq!(enrollment.check(enrollment.id, at(300)), Err(EnrollmentError::Expired));
        assert_eq!(enrollment.check(EnrollmentId::generate(), at(1)), Err(EnrollmentError::NotPending));
        enrollment.attempts_used = 3;
        assert_eq!(enrollment.check(enrollment.id, at(1)), Err(EnrollmentError::AttemptsExhausted));
    }
}
