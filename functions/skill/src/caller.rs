//! Who is asking: the user whose linked account the request's access token proves.

use crate::failure;
use pod_shared::alexa::{RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::UserId;
use pod_shared::ports::UserProfile;
use pod_shared::service::{OrderService, ServiceError};

/// Who is asking and their profile (or why it could not be read), or the answer
/// that asks to link the account.
pub(crate) type Caller = Result<Result<UserProfile, ServiceError>, ResponseEnvelope>;

/// The linked user; without one (no token, or a refused one) the answer asks to link the account.
pub(crate) async fn linked_user(
    service: &OrderService,
    envelope: &RequestEnvelope,
) -> Result<UserId, ResponseEnvelope> {
    service.authenticate(envelope.access_token()).await.map_err(|e| {
        tracing::info!(reason = %e, "account not linked or token refused");
        failure::link_account()
    })
}

/// The linked user's profile: the contacts codes can go to.
pub(crate) async fn with_profile(service: &OrderService, envelope: &RequestEnvelope) -> Caller {
    let user = linked_user(service, envelope).await?;
    Ok(service.user_profile(&user).await)
}
