//! The user's own record of every step-up: what happened, when, and from where.
//! Only masked contacts ever appear here, never a code.

use super::{Channel, MaskedDestination, OrderId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// How long an activity entry is kept (DynamoDB deletes it by TTL after this).
pub const ACTIVITY_RETENTION: Duration = Duration::from_secs(400 * 24 * 3600);

/// An activity entry's id: new ones are UUIDv7, so ids sort by time; any UUID parses
/// (as a cursor it only marks a place in the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityId(uuid::Uuid);

impl ActivityId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl fmt::Display for ActivityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl std::str::FromStr for ActivityId {
    type Err = super::IdError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::try_parse(raw).map(Self).map_err(|_| super::IdError::BadActivityId)
    }
}

/// Where a step happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Voice,
    Api,
    Web,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Voice => "voice",
            Source::Api => "api",
            Source::Web => "web",
        }
    }
}

/// What a code was sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    Order,
    Enrollment,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActivityKind {
    CodeSent {
        channel: Channel,
        to: MaskedDestination,
        purpose: CodePurpose,
    },
    WrongCode,
    Confirmed,
    OrderLocked,
    VoiceOrderingPaused {
        until: Timestamp,
    },
    VoiceOrderingLocked,
    VoiceOrderingUnlocked,
    ContactVerified {
        to: MaskedDestination,
    },
    ContactChanged {
        from: MaskedDestination,
        to: MaskedDestination,
    },
    /// The Alexa account was linked to this account (Alexa's `SkillAccountLinked`).
    AlexaAccountLinked,
    /// The skill was enabled on an Alexa account linked to this one (`SkillEnabled`).
    AlexaSkillEnabled,
    /// The Alexa user accepted or changed the skill's permissions (`SkillPermissionAccepted`/`Changed`).
    AlexaPermissionsChanged,
}

impl ActivityKind {
    /// The stable name of the kind, as the API and the store write it.
    pub fn name(&self) -> &'static str {
        match self {
            ActivityKind::CodeSent { .. } => "code_sent",
            ActivityKind::WrongCode => "wrong_code",
            ActivityKind::Confirmed => "confirmed",
            ActivityKind::OrderLocked => "order_locked",
            ActivityKind::VoiceOrderingPaused { .. } => "voice_ordering_paused",
            ActivityKind::VoiceOrderingLocked => "voice_ordering_locked",
            ActivityKind::VoiceOrderingUnlocked => "voice_ordering_unlocked",
            ActivityKind::ContactVerified { .. } => "contact_verified",
            ActivityKind::ContactChanged { .. } => "contact_changed",
            ActivityKind::AlexaAccountLinked => "alexa_account_linked",
            ActivityKind::AlexaSkillEnabled => "alexa_skill_enabled",
            ActivityKind::AlexaPermissionsChanged => "alexa_permissions_changed",
        }
    }

    /// One line a person reads on the Activity page.
    pub fn describe(&self) -> String {
        match self {
            ActivityKind::CodeSent { to, purpose: CodePurpose::Order, .. } => format!("Order code sent to {to}"),
            ActivityKind::CodeSent { to, purpose: CodePurpose::Enrollment, .. } => {
                format!("Verification code sent to {to}")
            }
            ActivityKind::WrongCode => "Wrong code given".into(),
            ActivityKind::Confirmed => "Right code given: confirmed".into(),
            ActivityKind::OrderLocked => "Order locked after too many wrong codes".into(),
            ActivityKind::VoiceOrderingPaused { until } => format!("Voice ordering paused until {}", until.to_human()),
            ActivityKind::VoiceOrderingLocked => "Voice ordering locked".into(),
            ActivityKind::VoiceOrderingUnlocked => "Voice ordering unlocked".into(),
            ActivityKind::ContactVerified { to } => format!("Contact verified: {to}"),
            ActivityKind::ContactChanged { from, to } => format!("Contact changed from {from} to {to}"),
            ActivityKind::AlexaAccountLinked => "Alexa account linked".into(),
            ActivityKind::AlexaSkillEnabled => "Skill enabled in Alexa".into(),
            ActivityKind::AlexaPermissionsChanged => "Skill permissions changed in Alexa".into(),
        }
    }
}

/// One entry of a user's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEvent {
    pub id: ActivityId,
    pub user_id: UserId,
    pub at: Timestamp,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    pub what: ActivityKind,
}

impl ActivityEvent {
    pub fn new(user_id: &UserId, at: Timestamp, source: Source, what: ActivityKind) -> Self {
        Self { id: ActivityId::generate(), user_id: user_id.clone(), at, source, order_id: None, what }
    }

    pub fn for_order(mut self, order: OrderId) -> Self {
        self.order_id = Some(order);
        self
    }

    /// When the store may forget this entry.
    pub fn expires_at(&self) -> Timestamp {
        self.at.plus(ACTIVITY_RETENTION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_serialise_without_codes_or_full_contacts() {
        let user = UserId::parse("auth0|ana").unwrap();
        let event = ActivityEvent::new(
            &user,
            Timestamp::from_unix_millis(0),
            Source::Voice,
            ActivityKind::CodeSent {
                channel: Channel::Sms,
                to: MaskedDestination::Phone { last_digits: "21".into() },
                purpose: CodePurpose::Order,
            },
        );
        let json = serde_json::to_string(&event).unwrap();
        assert!(json.contains(r#""kind":"code_sent""#), "{json}");
        assert!(json.contains(r#""last_digits":"21""#), "{json}");
        assert_eq!(serde_json::from_str::<ActivityEvent>(&json).unwrap(), event);
        assert_eq!(event.what.describe(), "Order code sent to phone ending in 21");
        assert_eq!(event.expires_at().unix_seconds(), 400 * 24 * 3600);
    }

    #[test]
    fn activity_ids_are_uuids_and_new_ones_v7() {
        let id = ActivityId::generate();
        assert_eq!(id.to_string().parse::<ActivityId>().unwrap(), id);
        assert_eq!(id.0.get_version_num(), 7);
        assert!("not-a-uuid".parse::<ActivityId>().is_err());
    }
}
