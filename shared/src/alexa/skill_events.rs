//! Alexa's skill events (`AlexaSkillEvent.*`), as Amazon documents them: sent when a customer
//! enables or disables the skill, links an account, or grants or changes permissions; each
//! without a session, naming the Alexa account in `context.System.user.userId`.

use serde::Deserialize;

/// What every skill event carries in `request`, beside its own `body`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", bound = "B: Deserialize<'de>")]
pub struct SkillEventRequest<B> {
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    /// When the event happened (RFC 3339).
    #[serde(default)]
    pub event_creation_time: Option<String>,
    /// When Alexa sent it (RFC 3339): later than the creation when it was held back or sent again.
    #[serde(default)]
    pub event_publishing_time: Option<String>,
    #[serde(default)]
    pub body: Option<B>,
}

/// `AlexaSkillEvent.SkillEnabled` has no body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NoBody {}

/// Whether the customer asked, on disabling the skill, that the skill keep their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PersistenceStatus {
    /// Keep it: the customer may enable the skill again and go on.
    Persisted,
    /// Delete it.
    NotPersisted,
    /// A value Amazon may add later: read as "keep" (nothing is deleted on a guess).
    #[serde(other)]
    Unknown,
}

/// `AlexaSkillEvent.SkillDisabled`'s body.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisabledBody {
    pub user_information_persistence_status: PersistenceStatus,
}

/// `AlexaSkillEvent.SkillAccountLinked`'s body: the access token the linking issued (a secret).
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountLinkedBody {
    #[serde(default)]
    pub access_token: Option<String>,
}

impl std::fmt::Debug for AccountLinkedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountLinkedBody").field("access_token", &self.access_token.as_ref().map(|_| "…")).finish()
    }
}

/// One permission scope (`alexa::profile:email:read`, …).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Permission {
    pub scope: String,
}

/// `AlexaSkillEvent.SkillPermissionAccepted`'s and `…Changed`'s body: the scopes the account
/// (and, for personal data, the recognised person) granted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionsBody {
    #[serde(default)]
    pub accepted_permissions: Vec<Permission>,
    #[serde(default)]
    pub accepted_person_permissions: Vec<Permission>,
}

#[cfg(test)]
mod tests {
    use crate::alexa::{Request, RequestEnvelope};

    fn parse(request: &str) -> RequestEnvelope {
        let body = format!(
            r#"{{"version": "1.0", "context": {{"System": {{"application": {{"applicationId": "amzn1.ask.skill.pod"}},
                "user": {{"userId": "amzn1.ask.account.X"}}}}}}, "request": {request}}}"#
        );
        serde_json::from_str(&body).unwrap()
    }

    #[test]
    fn each_skill_event_reads_as_amazon_documents_it() {
        let disabled = parse(
            r#"{"type": "AlexaSkillEvent.SkillDisabled", "requestId": "r1", "timestamp": "2026-11-25T07:00:00Z",
                "eventCreationTime": "2026-11-25T06:59:58Z", "eventPublishingTime": "2026-11-25T07:00:00Z",
                "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"}}"#,
        );
        match &disabled.request {
            Request::SkillDisabled(event) => {
                assert_eq!(
                    event.body.as_ref().unwrap().user_information_persistence_status,
                    super::PersistenceStatus::NotPersisted
                );
                assert_eq!(event.event_creation_time.as_deref(), Some("2026-11-25T06:59:58Z"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(disabled.request_id(), "r1");
        assert_eq!(disabled.timestamp(), Some("2026-11-25T07:00:00Z"));
        assert_eq!(disabled.alexa_user_id(), Some("amzn1.ask.account.X"));
        assert!(disabled.session.is_none());

        let unknown = parse(
            r#"{"type": "AlexaSkillEvent.SkillDisabled", "body": {"userInformationPersistenceStatus": "LATER"}}"#,
        );
        assert!(matches!(&unknown.request, Request::SkillDisabled(e)
            if e.body.as_ref().unwrap().user_information_persistence_status == super::PersistenceStatus::Unknown));

        let linked = parse(r#"{"type": "AlexaSkillEvent.SkillAccountLinked", "body": {"accessToken": "secret"}}"#);
        match &linked.request {
            Request::SkillAccountLinked(event) => {
                let body = event.body.as_ref().unwrap();
                assert_eq!(body.access_token.as_deref(), Some("secret"));
                assert!(!format!("{body:?}").contains("secret"), "the token is never shown");
            }
            other => panic!("{other:?}"),
        }
        let accepted = parse(
            r#"{"type": "AlexaSkillEvent.SkillPermissionAccepted", "body": {"acceptedPermissions":
                [{"scope": "alexa::profile:email:read"}], "acceptedPersonPermissions": [{"scope": "alexa::profile:name:read"}]}}"#,
        );
        assert!(matches!(&accepted.request, Request::SkillPermissionAccepted(e)
            if e.body.as_ref().unwrap().accepted_permissions[0].scope == "alexa::profile:email:read"
                && e.body.as_ref().unwrap().accepted_person_permissions.len() == 1));
        assert!(matches!(
            parse(r#"{"type": "AlexaSkillEvent.SkillPermissionChanged", "body": {"acceptedPermissions": []}}"#).request,
            Request::SkillPermissionChanged(_)
        ));
        assert!(matches!(parse(r#"{"type": "AlexaSkillEvent.SkillEnabled"}"#).request, Request::SkillEnabled(_)));
        assert!(matches!(parse(r#"{"type": "AlexaSkillEvent.SkillAccountUnlinked"}"#).request, Request::Other));
    }
}
