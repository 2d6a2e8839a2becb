//! The web app's identity provider: a user's profile is the contacts the identity provider
//! vouched for in their latest sign-in (the ID token's claims, kept in Pod's store by the web
//! app's login). So the web app holds no Management API credential: only what login needs.
//! It takes no bearer tokens (the web app has sessions), and sends no codes itself: phone
//! enrollment codes there are Pod's own (see `bootstrap::build_web_service`).

use crate::domain::UserId;
use crate::ports::{AuthError, IdentityError, IdentityProvider, OrderStore, UserProfile};
use async_trait::async_trait;
use std::sync::Arc;

pub struct SignInProfiles {
    store: Arc<dyn OrderStore>,
}

impl SignInProfiles {
    pub fn new(store: Arc<dyn OrderStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl IdentityProvider for SignInProfiles {
    async fn authenticate(&self, _access_token: &str) -> Result<UserId, AuthError> {
        tracing::warn!("the web app takes no bearer tokens; refused");
        Err(AuthError::BadSignature)
    }

    async fn profile(&self, user: &UserId) -> Result<UserProfile, IdentityError> {
        match self.store.sign_in_contacts(user).await {
            Ok(Some(contacts)) => Ok(UserProfile {
                user_id: contacts.user_id,
                email: contacts.email,
                email_verified: contacts.email_verified,
                phone: contacts.phone,
                phone_verified: contacts.phone_verified,
                enrolled_phone: None,
            }),
            // Signed in before sign-ins kept their contacts: the next sign-in brings them.
            Ok(None) => Err(IdentityError::UnknownUser),
            Err(error) => Err(IdentityError::Unreachable(format!("the sign-in contacts: {error}"))),
        }
    }
}
