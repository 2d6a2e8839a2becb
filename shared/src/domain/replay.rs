//! Alexa may deliver one request more than once, and two deliveries may arrive at
//! once. A request that changes state is keyed by the skill it was sent to, the
//! Pod user it acts for and Alexa's request id ([`RequestKey`]): the first
//! delivery claims the key before it acts, every other delivery of the same key
//! gets the first answer (or waits for it) and acts never.

use super::UserId;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestKeyError {
    #[error("a skill id must be 1 to {max} printable characters without spaces or '#'", max = SkillId::MAX_LEN)]
    BadSkillId,
    #[error("a request id must be 1 to {max} printable characters without spaces", max = RequestId::MAX_LEN)]
    BadRequestId,
}

fn printable(raw: &str, max: usize) -> bool {
    !raw.is_empty() && raw.len() <= max && raw.chars().all(|c| !c.is_control() && !c.is_whitespace())
}

/// The skill a request was sent to: Alexa's application id (`amzn1.ask.skill.…`).
/// Never holds a `#`, so a stored key made of it and a request id reads back one way only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SkillId(String);

impl SkillId {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: impl Into<String>) -> Result<Self, RequestKeyError> {
        let raw = raw.into();
        if printable(&raw, Self::MAX_LEN) && !raw.contains('#') {
            Ok(Self(raw))
        } else {
            Err(RequestKeyError::BadSkillId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SkillId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Alexa's id of one request (`amzn1.echo-api.request.…`): the same on every delivery of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: impl Into<String>) -> Result<Self, RequestKeyError> {
        let raw = raw.into();
        if printable(&raw, Self::MAX_LEN) { Ok(Self(raw)) } else { Err(RequestKeyError::BadRequestId) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one state-changing request is answered once for: the skill, the Pod user and
/// the request id. The same request id from another user or skill is another key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestKey {
    skill: SkillId,
    user: UserId,
    request: RequestId,
}

impl RequestKey {
    pub fn new(skill: SkillId, user: UserId, request: RequestId) -> Self {
        Self { skill, user, request }
    }

    pub fn skill(&self) -> &SkillId {
        &self.skill
    }

    pub fn user(&self) -> &UserId {
        &self.user
    }

    pub fn request(&self) -> &RequestId {
        &self.request
    }

    /// The skill and the request id in one string, `<skill>#<request>`: a skill id has no
    /// `#`, so two keys of one user share it only if both parts are equal.
    pub fn skill_and_request(&self) -> String {
        format!("{}#{}", self.skill, self.request)
    }
}

/// What claiming a [`RequestKey`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestClaim {
    /// The key was free: this delivery is the one that acts, then stores its answer.
    Claimed,
    /// Another delivery claimed it and has not answered yet: do not act.
    InProgress,
    /// Answered already: this is what was said (replay it, act never).
    Answered(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_empty_whitespace_control_and_overlong_and_a_skill_id_refuses_the_separator() {
        assert!(SkillId::parse("amzn1.ask.skill.0f1e2d3c").is_ok());
        assert!(RequestId::parse("amzn1.echo-api.request.5a6b").is_ok());
        assert!(RequestId::parse("odd#but#fine").is_ok(), "the request id is the last part of the key");
        for bad in ["", " ", "a b", "a\nb", "a\u{0}b"] {
            assert_eq!(SkillId::parse(bad), Err(RequestKeyError::BadSkillId), "{bad:?}");
            assert_eq!(RequestId::parse(bad), Err(RequestKeyError::BadRequestId), "{bad:?}");
        }
        assert_eq!(SkillId::parse("amzn1.ask.skill#x"), Err(RequestKeyError::BadSkillId));
        assert_eq!(SkillId::parse("s".repeat(257)), Err(RequestKeyError::BadSkillId));
        assert_eq!(RequestId::parse("r".repeat(257)), Err(RequestKeyError::BadRequestId));
    }

    #[test]
    fn keys_differ_when_any_part_differs_and_their_stored_form_does_too() {
        let key = |skill: &str, user: &str, request: &str| {
            RequestKey::new(
                SkillId::parse(skill).unwrap(),
                UserId::parse(user).unwrap(),
                RequestId::parse(request).unwrap(),
            )
        };
        let base = key("skill.a", "auth0|ana", "req.1");
        assert_eq!(base, key("skill.a", "auth0|ana", "req.1"));
        for other in [
            key("skill.b", "auth0|ana", "req.1"),
            key("skill.a", "auth0|ben", "req.1"),
            key("skill.a", "auth0|ana", "req.2"),
        ] {
            assert_ne!(base, other);
        }
        // Skill "a" with request "b#c" is stored as "a#b#c"; skill "a#b" with request "c" would
        // be too, which is why a skill id cannot hold the separator.
        assert_eq!(key("a", "auth0|ana", "b#c").skill_and_request(), "a#b#c");
        assert!(SkillId::parse("a#b").is_err());
    }
}
