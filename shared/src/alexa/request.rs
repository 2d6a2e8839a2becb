use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestEnvelope {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub context: Option<Context>,
    pub request: Request,
}

impl RequestEnvelope {
    /// The account-linking access token: `context.System.user` first, then `session.user`.
    pub fn access_token(&self) -> Option<&str> {
        let from_context = self
            .context
            .as_ref()
            .and_then(|c| c.system.as_ref())
            .and_then(|s| s.user.as_ref())
            .and_then(|u| u.access_token.as_deref());
        let from_session = self.session.as_ref().and_then(|s| s.user.as_ref()).and_then(|u| u.access_token.as_deref());
        from_context.or(from_session).filter(|t| !t.trim().is_empty())
    }

    /// The Alexa account the request is from (`context.System.user.userId`, then `session.user`):
    /// personal data, never logged.
    pub fn alexa_user_id(&self) -> Option<&str> {
        let from_context = self
            .context
            .as_ref()
            .and_then(|c| c.system.as_ref())
            .and_then(|s| s.user.as_ref())
            .and_then(|u| u.user_id.as_deref());
        let from_session = self.session.as_ref().and_then(|s| s.user.as_ref()).and_then(|u| u.user_id.as_deref());
        from_context.or(from_session)
    }

    /// The skill id the request was sent to.
    pub fn application_id(&self) -> Option<&str> {
        let from_context = self
            .context
            .as_ref()
            .and_then(|c| c.system.as_ref())
            .and_then(|s| s.application.as_ref())
            .map(|a| a.application_id.as_str());
        let from_session =
            self.session.as_ref().and_then(|s| s.application.as_ref()).map(|a| a.application_id.as_str());
        from_context.or(from_session)
    }

    /// `request.timestamp` (RFC 3339), which a verified request must carry.
    pub fn timestamp(&self) -> Option<&str> {
        match &self.request {
            Request::LaunchRequest { timestamp, .. }
            | Request::IntentRequest(IntentRequest { timestamp, .. })
            | Request::SessionEndedRequest { timestamp, .. }
            | Request::SessionResumedRequest(SessionResumedRequest { timestamp, .. }) => timestamp.as_deref(),
            Request::SkillEnabled(event) => event.timestamp.as_deref(),
            Request::SkillDisabled(event) => event.timestamp.as_deref(),
            Request::SkillAccountLinked(event) => event.timestamp.as_deref(),
            Request::SkillPermissionAccepted(event) | Request::SkillPermissionChanged(event) => {
                event.timestamp.as_deref()
            }
            Request::Other => None,
        }
    }

    /// Where this request's progressive response may go (Alexa's Directive API, with the
    /// request's own token): only for a launch or an intent, and only when the request
    /// carries an endpoint, a token and a request id.
    pub fn directive_call(&self) -> Option<crate::ports::DirectiveCall> {
        if !matches!(self.request, Request::LaunchRequest { .. } | Request::IntentRequest(_)) {
            return None;
        }
        let system = self.context.as_ref()?.system.as_ref()?;
        let endpoint = system.api_endpoint.as_deref().map(str::trim).filter(|e| !e.is_empty())?;
        let token = system.api_access_token.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        let request_id = Some(self.request_id()).filter(|id| !id.is_empty())?;
        Some(crate::ports::DirectiveCall::new(endpoint, token, request_id))
    }

    /// `request.locale` ("en-US", "en-GB"), which says what currency the user is priced in.
    pub fn locale(&self) -> Option<&str> {
        match &self.request {
            Request::LaunchRequest { locale, .. }
            | Request::IntentRequest(IntentRequest { locale, .. })
            | Request::SessionEndedRequest { locale, .. }
            | Request::SessionResumedRequest(SessionResumedRequest { locale, .. }) => locale.as_deref(),
            Request::SkillEnabled(_)
            | Request::SkillDisabled(_)
            | Request::SkillAccountLinked(_)
            | Request::SkillPermissionAccepted(_)
            | Request::SkillPermissionChanged(_)
            | Request::Other => None,
        }
    }

    pub fn request_id(&self) -> &str {
        match &self.request {
            Request::LaunchRequest { request_id, .. }
            | Request::IntentRequest(IntentRequest { request_id, .. })
            | Request::SessionEndedRequest { request_id, .. }
            | Request::SessionResumedRequest(SessionResumedRequest { request_id, .. }) => {
                request_id.as_deref().unwrap_or("")
            }
            Request::SkillEnabled(event) => event.request_id.as_deref().unwrap_or(""),
            Request::SkillDisabled(event) => event.request_id.as_deref().unwrap_or(""),
            Request::SkillAccountLinked(event) => event.request_id.as_deref().unwrap_or(""),
            Request::SkillPermissionAccepted(event) | Request::SkillPermissionChanged(event) => {
                event.request_id.as_deref().unwrap_or("")
            }
            Request::Other => "",
        }
    }

    /// The speaker Alexa recognised (`context.System.person.personId`, with skill
    /// personalization on), if any. An id that is not a valid one is no one.
    pub fn person_id(&self) -> Option<crate::domain::PersonId> {
        let person = self.context.as_ref()?.system.as_ref()?.person.as_ref()?;
        crate::domain::PersonId::parse(person.person_id.as_deref()?).ok()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    #[serde(default)]
    pub new: bool,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub application: Option<Application>,
    #[serde(default)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub user: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub application_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Context {
    #[serde(rename = "System", default)]
    pub system: Option<SystemState>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemState {
    #[serde(default)]
    pub application: Option<Application>,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub api_endpoint: Option<String>,
    /// The token for Alexa's APIs (the Directive API) for this request: a secret, never logged.
    #[serde(default)]
    pub api_access_token: Option<String>,
    /// The recognised speaker, with skill personalization.
    #[serde(default)]
    pub person: Option<Person>,
}

/// `context.System.person`: the speaker Alexa recognised.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(default)]
    pub person_id: Option<String>,
}

/// Alexa hands the turn back after a skill connection (`Connections.StartConnection`), e.g.
/// `AMAZON.VerifyPerson`'s voice PIN check.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionResumedRequest {
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub cause: Option<ResumeCause>,
}

/// `request.cause`: `type` `ConnectionCompleted`, the token the skill gave, the connection's
/// `status` (`code` "200", or "403" when skill personalization is not configured) and its `result`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeCause {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub status: Option<ConnectionStatus>,
    #[serde(default)]
    pub result: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConnectionStatus {
    /// A string in Amazon's examples ("200", "403"); a number is read the same.
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ConnectionStatus {
    /// The status code as a number, if it is one.
    pub fn code(&self) -> Option<u16> {
        match self.code.as_ref()? {
            serde_json::Value::String(code) => code.trim().parse().ok(),
            serde_json::Value::Number(code) => code.as_u64().and_then(|c| u16::try_from(c).ok()),
            _ => None,
        }
    }
}

impl ResumeCause {
    /// `result.status` (ACHIEVED, NOT_ACHIEVED, NOT_ENABLED), if the result has one.
    pub fn result_status(&self) -> Option<&str> {
        self.result.as_ref()?.get("status")?.as_str()
    }

    /// `result.reason` (e.g. ACCOUNT_LOCKOUT, VERIFICATION_METHOD_NOT_SETUP, NOT_MATCH), if any.
    pub fn result_reason(&self) -> Option<&str> {
        self.result.as_ref()?.get("reason")?.as_str()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type")]
pub enum Request {
    #[serde(rename_all = "camelCase")]
    LaunchRequest {
        #[serde(default)]
        request_id: Option<String>,
        #[serde(default)]
        timestamp: Option<String>,
        #[serde(default)]
        locale: Option<String>,
    },
    IntentRequest(IntentRequest),
    #[serde(rename_all = "camelCase")]
    SessionEndedRequest {
        #[serde(default)]
        request_id: Option<String>,
        #[serde(default)]
        timestamp: Option<String>,
        #[serde(default)]
        locale: Option<String>,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        error: Option<serde_json::Value>,
    },
    /// The customer enabled the skill (no session; `context.System.user` names the account).
    #[serde(rename = "AlexaSkillEvent.SkillEnabled")]
    SkillEnabled(super::SkillEventRequest<super::NoBody>),
    /// The customer disabled the skill, and said whether it may keep their data.
    #[serde(rename = "AlexaSkillEvent.SkillDisabled")]
    SkillDisabled(super::SkillEventRequest<super::DisabledBody>),
    /// The customer linked their account: the body carries the new access token.
    #[serde(rename = "AlexaSkillEvent.SkillAccountLinked")]
    SkillAccountLinked(super::SkillEventRequest<super::AccountLinkedBody>),
    /// The customer granted the skill permissions.
    #[serde(rename = "AlexaSkillEvent.SkillPermissionAccepted")]
    SkillPermissionAccepted(super::SkillEventRequest<super::PermissionsBody>),
    /// The customer changed the permissions granted.
    #[serde(rename = "AlexaSkillEvent.SkillPermissionChanged")]
    SkillPermissionChanged(super::SkillEventRequest<super::PermissionsBody>),
    /// The turn comes back after a skill connection (the voice PIN check).
    SessionResumedRequest(SessionResumedRequest),
    /// Any other request type (e.g. `CanFulfillIntentRequest`, `System.ExceptionEncountered`).
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentRequest {
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub dialog_state: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    pub intent: Intent,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    pub name: String,
    #[serde(default)]
    pub confirmation_status: Option<String>,
    #[serde(default)]
    pub slots: HashMap<String, Slot>,
}

impl Intent {
    pub fn slot(&self, name: &str) -> Option<&Slot> {
        self.slots.get(name)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub resolutions: Option<Resolutions>,
    #[serde(default)]
    pub slot_value: Option<SlotValue>,
}

/// `slotValue`: `Simple` (one value) or `List` (a multiple-value slot).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotValue {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub resolutions: Option<Resolutions>,
    #[serde(default)]
    pub values: Vec<SlotValue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolutions {
    #[serde(default)]
    pub resolutions_per_authority: Vec<Resolution>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Resolution {
    #[serde(default)]
    pub status: Option<ResolutionStatus>,
    #[serde(default)]
    pub values: Vec<ResolutionValueWrapper>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResolutionStatus {
    pub code: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResolutionValueWrapper {
    pub value: ResolutionValue,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResolutionValue {
    pub name: String,
}

/// One value a user said for a slot: what was heard, and the canonical
/// slot-type value entity resolution matched it to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpokenValue {
    pub heard: String,
    pub canonical: Option<String>,
}

impl SpokenValue {
    /// The canonical value when resolution matched, else what was heard.
    pub fn best(&self) -> &str {
        self.canonical.as_deref().unwrap_or(&self.heard)
    }
}

fn canonical(resolutions: Option<&Resolutions>) -> Option<String> {
    resolutions?
        .resolutions_per_authority
        .iter()
        .filter(|r| r.status.as_ref().is_some_and(|s| s.code == "ER_SUCCESS_MATCH"))
        .find_map(|r| r.values.first().map(|v| v.value.name.clone()))
}

fn spoken(value: Option<&str>, resolutions: Option<&Resolutions>) -> Option<SpokenValue> {
    let heard = value.map(str::trim).filter(|v| !v.is_empty() && *v != "?")?;
    Some(SpokenValue { heard: heard.to_string(), canonical: canonical(resolutions) })
}

impl Slot {
    /// Every value given for this slot: the list of a multiple-value slot, or its one value.
    pub fn spoken_values(&self) -> Vec<SpokenValue> {
        if let Some(slot_value) = &self.slot_value {
            if slot_value.kind.as_deref() == Some("List") {
                return slot_value
                    .values
                    .iter()
                    .filter_map(|v| spoken(v.value.as_deref(), v.resolutions.as_ref()))
                    .collect();
            }
            if let Some(one) = spoken(slot_value.value.as_deref(), slot_value.resolutions.as_ref()) {
                return vec![one];
            }
        }
        spoken(self.value.as_deref(), self.resolutions.as_ref()).into_iter().collect()
    }

    /// The first value given, if any.
    pub fn first_value(&self) -> Option<SpokenValue> {
        self.spoken_values().into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_intent_request_with_resolutions_and_a_list_slot() {
        let json = r#"{
          "version": "1.0",
          "session": {"new": true, "sessionId": "s", "application": {"applicationId": "amzn1.ask.skill.x"},
                      "user": {"userId": "u", "accessToken": "session-token"}},
          "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.x"},
                      "user": {"userId": "u", "accessToken": "context-token"}}},
          "request": {"type": "IntentRequest", "requestId": "r1", "timestamp": "2026-11-25T00:00:00Z",
            "intent": {"name": "GetMeSomePizzaIntent", "slots": {
              "Size": {"name": "Size", "value": "big",
                "resolutions": {"resolutionsPerAuthority": [{"authority": "a", "status": {"code": "ER_SUCCESS_MATCH"},
                  "values": [{"value": {"name": "large", "id": "LARGE"}}]}]}},
              "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": [
                {"type": "Simple", "value": "pepperoni"},
                {"type": "Simple", "value": "anchovies", "resolutions": {"resolutionsPerAuthority": [
                  {"authority": "a", "status": {"code": "ER_SUCCESS_NO_MATCH"}}]}}]}}}}}
        }"#;
        let envelope: RequestEnvelope = serde_json::from_str(json).unwrap();
        assert_eq!(envelope.access_token(), Some("context-token"));
        assert_eq!(envelope.application_id(), Some("amzn1.ask.skill.x"));
        assert_eq!(envelope.request_id(), "r1");
        let Request::IntentRequest(intent) = envelope.request else { panic!("not an intent") };
        let size = intent.intent.slot("Size").unwrap().first_value().unwrap();
        assert_eq!(size.best(), "large");
        let toppings: Vec<String> =
            intent.intent.slot("Toppings").unwrap().spoken_values().iter().map(|v| v.best().to_string()).collect();
        assert_eq!(toppings, ["pepperoni", "anchovies"]);
    }

    #[test]
    fn a_progressive_response_is_addressed_only_from_a_launch_or_an_intent_with_endpoint_token_and_id() {
        let event = |request: &str, system: &str| -> RequestEnvelope {
            serde_json::from_str(&format!(r#"{{"context": {{"System": {system}}}, "request": {request}}}"#)).unwrap()
        };
        let system = r#"{"apiEndpoint": "https://api.amazonalexa.com", "apiAccessToken": "api-token"}"#;
        let launch = r#"{"type": "LaunchRequest", "requestId": "r1"}"#;
        let intent = r#"{"type": "IntentRequest", "requestId": "r2", "intent": {"name": "X"}}"#;
        let call = event(launch, system).directive_call().expect("a launch may speak progressively");
        assert_eq!((call.api_endpoint(), call.request_id()), ("https://api.amazonalexa.com", "r1"));
        assert_eq!(call.api_access_token().expose(), "api-token");
        assert!(!format!("{call:?}").contains("api-token"), "the token never reaches a log");
        assert_eq!(event(intent, system).directive_call().unwrap().request_id(), "r2");
        let ended = r#"{"type": "SessionEndedRequest", "requestId": "r3"}"#;
        assert!(event(ended, system).directive_call().is_none());
        assert!(event(r#"{"type": "CanFulfillIntentRequest", "requestId": "r4"}"#, system).directive_call().is_none());
        assert!(event(r#"{"type": "LaunchRequest"}"#, system).directive_call().is_none(), "no request id");
        assert!(event(launch, r#"{"apiEndpoint": "https://api.amazonalexa.com"}"#).directive_call().is_none());
        assert!(event(launch, r#"{"apiAccessToken": "t"}"#).directive_call().is_none());
        assert!(event(launch, r#"{"apiEndpoint": " ", "apiAccessToken": "t"}"#).directive_call().is_none());
    }

    #[test]
    fn a_resumed_session_carries_the_connections_token_status_and_result_and_the_speaker() {
        let json = r#"{"context": {"System": {"person": {"personId": "amzn1.ask.person.ANA"}}},
          "request": {"type": "SessionResumedRequest", "requestId": "r9", "timestamp": "2026-11-25T00:00:00Z",
            "locale": "en-US", "cause": {"type": "ConnectionCompleted", "token": "t1",
              "status": {"code": "200", "message": "OK"},
              "result": {"version": "2", "status": "NOT_ACHIEVED", "reason": "NOT_MATCH"}}}}"#;
        let envelope: RequestEnvelope = serde_json::from_str(json).unwrap();
        assert_eq!((envelope.request_id(), envelope.locale()), ("r9", Some("en-US")));
        assert_eq!(envelope.person_id().map(|p| p.as_str().to_string()).as_deref(), Some("amzn1.ask.person.ANA"));
        assert!(envelope.directive_call().is_none(), "no progressive response from a resumed session");
        let Request::SessionResumedRequest(resumed) = envelope.request else { panic!("not resumed") };
        let cause = resumed.cause.unwrap();
        assert_eq!((cause.kind.as_deref(), cause.token.as_deref()), (Some("ConnectionCompleted"), Some("t1")));
        assert_eq!(cause.status.as_ref().and_then(ConnectionStatus::code), Some(200));
        assert_eq!((cause.result_status(), cause.result_reason()), (Some("NOT_ACHIEVED"), Some("NOT_MATCH")));
        let forbidden: ConnectionStatus = serde_json::from_str(r#"{"code": 403}"#).unwrap();
        assert_eq!(forbidden.code(), Some(403));
        let odd: ConnectionStatus = serde_json::from_str(r#"{"code": {"x": 1}}"#).unwrap();
        assert_eq!(odd.code(), None);
        let nobody: RequestEnvelope = serde_json::from_str(
            r#"{"context": {"System": {"person": {"personId": ""}}}, "request": {"type": "SessionResumedRequest"}}"#,
        )
        .unwrap();
        assert!(nobody.person_id().is_none());
    }

    #[test]
    fn unknown_request_types_and_empty_slots_are_tolerated() {
        let envelope: RequestEnvelope =
            serde_json::from_str(r#"{"request": {"type": "CanFulfillIntentRequest", "requestId": "r"}}"#).unwrap();
        assert!(matches!(envelope.request, Request::Other));
        assert_eq!(envelope.access_token(), None);
        let slot: Slot = serde_json::from_str(r#"{"name": "Size", "value": "?"}"#).unwrap();
        assert!(slot.first_value().is_none());
    }
}
