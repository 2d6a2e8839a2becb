//! Alexa's skill events: the skill enabled or disabled, the account linked, permissions
//! granted or changed. They come without a session and are answered with an empty response.
//!
//! `SkillDisabled` names only the Alexa account, never the Pod user, so Pod remembers which
//! Pod user an Alexa account is linked to whenever an event proves it with an access token
//! (`SkillAccountLinked`, and `SkillEnabled` or a permission event of a linked account), as
//! Amazon advises. A `SkillDisabled` whose customer chose not to keep their data
//! (`NOT_PERSISTED`) erases that user's data; `PERSISTED` keeps everything.

use pod_shared::alexa::{PersistenceStatus, Request, RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{ActivityKind, AlexaUserId, RequestClaim, RequestId, RequestKey, SkillId, Source};
use pod_shared::service::OrderService;

/// Which skill event, with what it carries that Pod uses.
#[derive(Debug)]
pub(crate) enum Lifecycle {
    Enabled,
    /// `None`: the event had no (readable) body, and nothing is deleted on a guess.
    Disabled(Option<PersistenceStatus>),
    AccountLinked,
    Permissions {
        changed: bool,
        scopes: usize,
        person_scopes: usize,
    },
}

impl Lifecycle {
    fn name(&self) -> &'static str {
        match self {
            Lifecycle::Enabled => "skill_enabled",
            Lifecycle::Disabled(_) => "skill_disabled",
            Lifecycle::AccountLinked => "skill_account_linked",
            Lifecycle::Permissions { changed: false, .. } => "skill_permission_accepted",
            Lifecycle::Permissions { changed: true, .. } => "skill_permission_changed",
        }
    }
}

/// A skill event as read from the request: what happened, to which Alexa account, and the
/// access token that proves the Pod user, if the event carries one (a secret: never shown).
pub(crate) struct SkillEvent {
    what: Lifecycle,
    alexa_user: Option<AlexaUserId>,
    access_token: Option<String>,
    /// The skill and request ids, which make the event's replay key once its user is known.
    skill_id: String,
    request_id: String,
}

impl std::fmt::Debug for SkillEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkillEvent")
            .field("what", &self.what)
            .field("alexa_user", &self.alexa_user)
            .field("access_token", &self.access_token.as_ref().map(|_| "…"))
            .finish()
    }
}

impl SkillEvent {
    /// The skill event `envelope` is, if it is one.
    pub(crate) fn of(envelope: &RequestEnvelope) -> Option<Self> {
        let (what, body_token) = match &envelope.request {
            Request::SkillEnabled(_) => (Lifecycle::Enabled, None),
            Request::SkillDisabled(event) => {
                (Lifecycle::Disabled(event.body.as_ref().map(|b| b.user_information_persistence_status)), None)
            }
            Request::SkillAccountLinked(event) => {
                (Lifecycle::AccountLinked, event.body.as_ref().and_then(|b| b.access_token.clone()))
            }
            Request::SkillPermissionAccepted(event) | Request::SkillPermissionChanged(event) => {
                let changed = matches!(envelope.request, Request::SkillPermissionChanged(_));
                let body = event.body.clone().unwrap_or_default();
                let (scopes, person_scopes) = (body.accepted_permissions.len(), body.accepted_person_permissions.len());
                (Lifecycle::Permissions { changed, scopes, person_scopes }, None)
            }
            _ => return None,
        };
        let alexa_user = envelope.alexa_user_id().and_then(|id| AlexaUserId::parse(id).ok());
        let access_token =
            body_token.filter(|t| !t.trim().is_empty()).or_else(|| envelope.access_token().map(str::to_string));
        let skill_id = envelope.application_id().unwrap_or_default().to_string();
        Some(Self { what, alexa_user, access_token, skill_id, request_id: envelope.request_id().to_string() })
    }

    /// The key of this event's replay claim for `user`, if the event names its skill and request.
    fn request_key(&self, user: &pod_shared::domain::UserId) -> Option<RequestKey> {
        let skill = SkillId::parse(&self.skill_id).ok()?;
        let request = RequestId::parse(&self.request_id).ok()?;
        Some(RequestKey::new(skill, user.clone(), request))
    }
}

/// Acts on the event and answers with an empty response (no speech: nobody is listening).
pub(crate) async fn answer(service: &OrderService, skill_event: SkillEvent) -> ResponseEnvelope {
    let event = skill_event.what.name();
    let Some(alexa) = skill_event.alexa_user.clone() else {
        tracing::warn!(event, "a skill event without a readable Alexa user id: nothing done");
        return ResponseEnvelope::empty();
    };
    match skill_event.what {
        Lifecycle::Disabled(Some(PersistenceStatus::NotPersisted)) => match service.erase_alexa_user_data(&alexa).await
        {
            Ok(Some(report)) => {
                tracing::info!(event, alexa_user = %alexa, deleted = report.deleted, "skill disabled: the user's data erased")
            }
            Ok(None) => tracing::info!(
                event,
                alexa_user = %alexa,
                "skill disabled: no Pod user was ever linked to this Alexa account, nothing to erase"
            ),
            Err(error) => tracing::error!(event, alexa_user = %alexa, %error, "skill disabled: the erasure failed"),
        },
        Lifecycle::Disabled(status) => {
            let kept = match status {
                Some(PersistenceStatus::Persisted) => "persisted",
                Some(_) => "unknown status",
                None => "no status",
            };
            tracing::info!(event, alexa_user = %alexa, status = kept, "skill disabled: the user's data is kept");
        }
        Lifecycle::AccountLinked => link(service, &skill_event, &alexa, ActivityKind::AlexaAccountLinked).await,
        Lifecycle::Enabled => link(service, &skill_event, &alexa, ActivityKind::AlexaSkillEnabled).await,
        Lifecycle::Permissions { scopes, person_scopes, .. } => {
            tracing::info!(event, alexa_user = %alexa, scopes, person_scopes, "skill permissions granted or changed");
            link(service, &skill_event, &alexa, ActivityKind::AlexaPermissionsChanged).await
        }
    }
    ResponseEnvelope::empty()
}

/// With an access token that proves a Pod user (checked like any access token): remembers the
/// Alexa account's link to that user and records the event in the user's activity, at once.
/// Once per event: a delivery Alexa repeats finds the event's claim and records nothing again.
async fn link(service: &OrderService, skill_event: &SkillEvent, alexa: &AlexaUserId, what: ActivityKind) {
    let event = skill_event.what.name();
    if skill_event.access_token.is_none() {
        tracing::info!(event, alexa_user = %alexa, "a skill event without an access token: no account to link");
        return;
    }
    let user = match service.authenticate(skill_event.access_token.as_deref()).await {
        Ok(user) => user,
        Err(reason) => {
            tracing::warn!(event, alexa_user = %alexa, %reason, "a skill event's access token was refused: nothing linked");
            return;
        }
    };
    let Some(key) = skill_event.request_key(&user) else {
        tracing::warn!(event, alexa_user = %alexa, "a skill event without a skill or request id: nothing linked");
        return;
    };
    match service.claim_request(&key).await {
        Ok(RequestClaim::Claimed) => {}
        Ok(RequestClaim::InProgress | RequestClaim::Answered(_)) => {
            tracing::info!(event, alexa_user = %alexa, "a skill event delivered again: done already");
            return;
        }
        Err(error) => {
            tracing::error!(event, alexa_user = %alexa, %error, "a skill event could not be claimed: nothing linked");
            return;
        }
    }
    let (linked, ()) = tokio::join!(service.link_alexa_user(alexa, &user), async {
        service.record_account_event(&user, Source::Voice, what).await
    });
    match linked {
        Ok(()) => tracing::info!(event, alexa_user = %alexa, "the Alexa account's link to its Pod user is kept"),
        Err(error) => tracing::error!(event, alexa_user = %alexa, %error, "the Alexa account's link could not be kept"),
    }
    if let Err(error) = service.answer_request(&key, "{}").await {
        tracing::warn!(event, %error, "a skill event's claim could not be marked done");
    }
}
