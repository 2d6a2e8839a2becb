//! Auth0 over HTTP with `reqwest`: every call has a timeout, every failure a typed error.

use super::tokens::{AccessTokenValidator, IdTokenValidator, JwksKeys};
use crate::config::{Auth0Settings, TokenAlgorithm};
use crate::domain::{Code, Destination, EmailAddress, PhoneNumber, UserId};
use crate::ports::{AuthError, CodeChannel, CodeCheck, IdentityError, IdentityProvider, UserProfile};
use crate::round_trips::{Remote, track};
use async_trait::async_trait;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A cached Management API token is renewed this long before it expires.
const MANAGEMENT_TOKEN_MARGIN: Duration = Duration::from_secs(60);
const OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";
/// Bodies of Auth0 error answers are cut to this length in error messages.
const MAX_ERROR_MESSAGE: usize = 300;
/// At most this many user records are cached; a full cache drops what is stale, then everything.
const MAX_CACHED_USERS: usize = 1024;

struct CachedToken {
    token: String,
    renew_at: Instant,
}

/// A user record from the Management API, kept for `PROFILE_CACHE_SECONDS` so
/// that the order intent and its code send need not fetch it again.
struct CachedUser {
    record: Auth0User,
    fresh_until: Instant,
}

/// The production identity provider and code channel.
pub struct Auth0Client {
    http: reqwest::Client,
    settings: Auth0Settings,
    access_tokens: AccessTokenValidator,
    id_tokens: IdTokenValidator,
    management_token: Mutex<Option<CachedToken>>,
    users: std::sync::Mutex<HashMap<UserId, CachedUser>>,
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    id_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Auth0User {
    user_id: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    phone_verified: Option<bool>,
    #[serde(default)]
    user_metadata: Option<Value>,
    #[serde(default)]
    identities: Vec<Auth0Identity>,
}

#[derive(Debug, Clone, Deserialize)]
struct Auth0Identity {
    connection: String,
    provider: String,
    user_id: Value,
    /// A linked identity's own profile: a passwordless one's `phone_number` or `email`.
    #[serde(default, rename = "profileData")]
    profile_data: Option<Value>,
}

impl Auth0Identity {
    /// The passwordless address this identity holds, if its profile names one.
    fn address(&self) -> Option<String> {
        let data = self.profile_data.as_ref()?;
        data.get("phone_number").or_else(|| data.get("email")).and_then(Value::as_str).map(str::to_lowercase)
    }

    fn user_id(&self) -> String {
        match &self.user_id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

fn transport_error(e: reqwest::Error) -> IdentityError {
    if e.is_timeout() { IdentityError::Timeout } else { IdentityError::Unreachable(e.without_url().to_string()) }
}

/// The message of an Auth0 error body (`error_description`, `message` or `error`).
fn error_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| {
            ["error_description", "message", "error"]
                .iter()
                .find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string))
        })
        .unwrap_or_else(|| body.to_string());
    message.chars().take(MAX_ERROR_MESSAGE).collect()
}

fn error_code(body: &str) -> Option<String> {
    serde_json::from_str::<Value>(body).ok()?.get("error")?.as_str().map(str::to_string)
}

impl Auth0Client {
    pub fn new(settings: Auth0Settings) -> Result<Self, IdentityError> {
        let http = crate::https::client_builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(concat!("pod/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| IdentityError::Unreachable(format!("cannot build the HTTP client: {e}")))?;
        let issuer = settings.endpoint.issuer();
        // One key cache for both kinds of token: the tenant signs them with the same keys.
        let keys = Arc::new(JwksKeys::new(settings.endpoint.url("/.well-known/jwks.json"), http.clone()));
        let access_tokens = match settings.token_algorithm {
            TokenAlgorithm::Hs256 => {
                AccessTokenValidator::hs256(settings.api_signing_key.as_bytes(), &issuer, &settings.api_id)
            }
            TokenAlgorithm::Rs256 => AccessTokenValidator::rs256(keys.clone(), &issuer, &settings.api_id),
        };
        let id_tokens = IdTokenValidator::for_settings(&settings, keys);
        Ok(Self {
            http,
            settings,
            access_tokens,
            id_tokens,
            management_token: Mutex::new(None),
            users: std::sync::Mutex::new(HashMap::new()),
        })
    }

    async fn read_json<T: DeserializeOwned>(response: reqwest::Response, what: &str) -> Result<T, IdentityError> {
        let status = response.status();
        let body = response.text().await.map_err(transport_error)?;
        if !status.is_success() {
            return Err(IdentityError::Refused { status: status.as_u16(), message: error_message(&body) });
        }
        serde_json::from_str(&body).map_err(|e| IdentityError::BadResponse(format!("{what}: {e}")))
    }

    /// A Management API token from the client-credentials grant, cached until shortly before expiry.
    async fn management_token(&self) -> Result<String, IdentityError> {
        // The Management API is reached with its own machine-to-machine application, never the login one.
        let Some(client) = &self.settings.management else {
            return Err(IdentityError::Refused {
                status: 401,
                message: "this function holds no Management API application (MGMT_CLIENT_ID)".into(),
            });
        };
        let mut cached = self.management_token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.token.clone());
        }
        let request = self
            .http
            .post(self.settings.endpoint.url("/oauth/token"))
            .json(&json!({
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.client_secret.expose(),
                "audience": self.settings.endpoint.management_audience(),
            }))
            .send();
        let response = track(Remote::Auth0, "management_token", request).await.map_err(transport_error)?;
        let token: TokenResponse = Self::read_json(response, "management token").await?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
        let renew_at = Instant::now() + lifetime.saturating_sub(MANAGEMENT_TOKEN_MARGIN);
        *cached = Some(CachedToken { token: token.access_token.clone(), renew_at });
        tracing::debug!(lifetime_s = lifetime.as_secs(), "management token fetched");
        Ok(token.access_token)
    }

    async fn forget_management_token(&self) {
        *self.management_token.lock().await = None;
    }

    /// One Management API call; a 401 (revoked or rotated token) renews the token once.
    async fn management<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        what: &'static str,
    ) -> Result<T, IdentityError> {
        for attempt in 0..2 {
            let token = self.management_token().await?;
            let mut request = self.http.request(method.clone(), self.settings.endpoint.url(path)).bearer_auth(token);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = track(Remote::Auth0, what, request.send()).await.map_err(transport_error)?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                self.forget_management_token().await;
                continue;
            }
            return Self::read_json(response, what).await;
        }
        Err(IdentityError::Refused { status: 401, message: "the Management API refused a fresh token".into() })
    }

    /// The user's record, from the cache while it is fresh.
    async fn fetch_user(&self, user: &UserId) -> Result<Auth0User, IdentityError> {
        if let Some(cached) = self.cached_user(user) {
            return Ok(cached);
        }
        let path = format!("/api/v2/users/{}", urlencoding::encode(user.as_str()));
        let record: Auth0User = match self.management(reqwest::Method::GET, &path, None, "user_profile").await {
            Err(IdentityError::Refused { status: 404, .. }) => Err(IdentityError::UnknownUser),
            other => other,
        }?;
        self.cache_user(user, &record);
        Ok(record)
    }

    fn cached_user(&self, user: &UserId) -> Option<Auth0User> {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.get(user).filter(|c| Instant::now() < c.fresh_until).map(|c| c.record.clone())
    }

    fn cache_user(&self, user: &UserId, record: &Auth0User) {
        if self.settings.profile_cache.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if users.len() >= MAX_CACHED_USERS {
            users.retain(|_, c| now < c.fresh_until);
            if users.len() >= MAX_CACHED_USERS {
                users.clear();
            }
        }
        users.insert(
            user.clone(),
            CachedUser { record: record.clone(), fresh_until: now + self.settings.profile_cache },
        );
    }

    fn forget_user(&self, user: &UserId) {
        self.users.lock().unwrap_or_else(PoisonError::into_inner).remove(user);
    }

    /// Makes sure the user has an identity in the passwordless connection for
    /// `destination`, linked to their primary account, so that a code verified
    /// there proves this same user (as the seed's sample does).
    async fn ensure_passwordless_identity(
        &self,
        user: &UserProfile,
        destination: &Destination,
    ) -> Result<(), IdentityError> {
        let connection = destination.channel().connection();
        let record = self.fetch_user(&user.user_id).await?;
        let wanted = destination.address().to_lowercase();
        if let Some(existing) = record.identities.iter().find(|i| i.connection == connection) {
            match existing.address() {
                Some(address) if address != wanted => {
                    // The contact changed (a newly enrolled phone): the old identity would prove
                    // the old number, so it goes before the new one is linked.
                    let path = format!(
                        "/api/v2/users/{}/identities/{}/{}",
                        urlencoding::encode(user.user_id.as_str()),
                        urlencoding::encode(&existing.provider),
                        urlencoding::encode(&existing.user_id())
                    );
                    let _: Value = self.management(reqwest::Method::DELETE, &path, None, "unlink_identity").await?;
                    self.forget_user(&user.user_id);
                    tracing::info!(connection, "passwordless identity for an old contact unlinked");
                }
                _ => return Ok(()),
            }
        }
        let body = match destination {
            // Nothing is claimed verified here: the passwordless login itself proves the contact.
            Destination::Sms(phone) => json!({"connection": "sms", "phone_number": phone.as_str()}),
            Destination::Email(email) => json!({"connection": "email", "email": email.as_str()}),
        };
        let created: Auth0User = match self
            .management(reqwest::Method::POST, "/api/v2/users", Some(&body), "create_passwordless_user")
            .await
        {
            Err(IdentityError::Refused { status: 409, .. }) => {
                return Err(IdentityError::Refused {
                    status: 409,
                    message: format!("a {connection} account with this contact exists but is not linked to this user"),
                });
            }
            other => other?,
        };
        let secondary_id = created
            .identities
            .iter()
            .find(|i| i.connection == connection)
            .map(Auth0Identity::user_id)
            .or_else(|| created.user_id.split_once('|').map(|(_, id)| id.to_string()))
            .ok_or_else(|| IdentityError::BadResponse("created user has no identity".into()))?;
        let provider = created
            .identities
            .iter()
            .find(|i| i.connection == connection)
            .map(|i| i.provider.clone())
            .unwrap_or_else(|| connection.to_string());
        let path = format!("/api/v2/users/{}/identities", urlencoding::encode(user.user_id.as_str()));
        let link = json!({"provider": provider, "user_id": secondary_id});
        let linked: Result<Value, _> =
            self.management(reqwest::Method::POST, &path, Some(&link), "link_identity").await;
        // The cached record no longer lists the user's identities as they are.
        self.forget_user(&user.user_id);
        linked?;
        tracing::info!(connection, "passwordless identity created and linked");
        Ok(())
    }
}

/// The phone on file and whether it is verified: Auth0's root `phone_number` with its
/// `phone_verified`, else the seed's `user_metadata.phone_number`, which the user edits
/// themselves and so is never verified.
fn phone_from(record: &Auth0User) -> (Option<PhoneNumber>, bool) {
    let parse = |raw: &str| match PhoneNumber::parse(raw) {
        Ok(phone) => Some(phone),
        Err(_) => {
            tracing::warn!("profile phone number is not in E.164 form; ignoring it");
            None
        }
    };
    if let Some(root) = record.phone_number.as_deref().and_then(parse) {
        return (Some(root), record.phone_verified == Some(true));
    }
    let metadata_phone = record.user_metadata.as_ref().and_then(|m| m.get("phone_number")).and_then(Value::as_str);
    (metadata_phone.and_then(parse), false)
}

fn email_from(record: &Auth0User) -> Option<EmailAddress> {
    let raw = record.email.as_deref()?;
    match EmailAddress::parse(raw) {
        Ok(email) => Some(email),
        Err(_) => {
            tracing::warn!("profile email address is malformed; ignoring it");
            None
        }
    }
}

#[async_trait]
impl IdentityProvider for Auth0Client {
    async fn authenticate(&self, access_token: &str) -> Result<UserId, AuthError> {
        let result = self.access_tokens.validate(access_token).await.map(|(user, _)| user);
        if let Err(reason) = &result {
            tracing::info!(%reason, "access token refused");
        }
        result
    }

    async fn profile(&self, user: &UserId) -> Result<UserProfile, IdentityError> {
        let record = self.fetch_user(user).await?;
        if record.user_id != user.as_str() {
            return Err(IdentityError::BadResponse("the profile belongs to another user".into()));
        }
        let (phone, phone_verified) = phone_from(&record);
        let email = email_from(&record);
        Ok(UserProfile {
            user_id: user.clone(),
            email_verified: email.is_some() && record.email_verified == Some(true),
            email,
            phone_verified: phone.is_some() && phone_verified,
            phone,
            enrolled_phone: None,
        })
    }
}

#[async_trait]
impl CodeChannel for Auth0Client {
    async fn send_code(&self, user: &UserProfile, destination: &Destination) -> Result<(), IdentityError> {
        self.ensure_passwordless_identity(user, destination).await?;
        let connection = destination.channel().connection();
        let mut body = json!({
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret.expose(),
            "connection": connection,
            "send": "code",
        });
        match destination {
            Destination::Sms(phone) => body["phone_number"] = json!(phone.as_str()),
            Destination::Email(email) => body["email"] = json!(email.as_str()),
        }
        let request = self.http.post(self.settings.endpoint.url("/passwordless/start")).json(&body).send();
        let response = track(Remote::Auth0, "passwordless_start", request).await.map_err(transport_error)?;
        let _: Value = Self::read_json(response, "passwordless start").await?;
        tracing::info!(connection, to = %destination.masked(), "code sent");
        Ok(())
    }

    async fn verify_code(
        &self,
        user: &UserProfile,
        destination: &Destination,
        code: &Code,
    ) -> Result<CodeCheck, IdentityError> {
        let request = self
            .http
            .post(self.settings.endpoint.url("/oauth/token"))
            .json(&json!({
                "grant_type": OTP_GRANT,
                "client_id": self.settings.client_id,
                "client_secret": self.settings.client_secret.expose(),
                "realm": destination.channel().connection(),
                "username": destination.address(),
                "otp": code.expose(),
                "scope": "openid",
            }))
            .send();
        let response = track(Remote::Auth0, "passwordless_verify", request).await.map_err(transport_error)?;
        let status = response.status();
        if status == reqwest::StatusCode::FORBIDDEN || status == reqwest::StatusCode::UNAUTHORIZED {
            let body = response.text().await.map_err(transport_error)?;
            if error_code(&body).as_deref() == Some("invalid_grant") {
                // Auth0 says "The verification code has expired." for a code past the OTP expiry.
                if error_message(&body).to_lowercase().contains("expired") {
                    return Ok(CodeCheck::Expired);
                }
                return Ok(CodeCheck::Rejected);
            }
            return Err(IdentityError::Refused { status: status.as_u16(), message: error_message(&body) });
        }
        let tokens: TokenResponse = Self::read_json(response, "passwordless verification").await?;
        let id_token = tokens
            .id_token
            .ok_or_else(|| IdentityError::BadResponse("no id_token in the passwordless answer".into()))?;
        match self.id_tokens.validate(&id_token, None).await {
            Ok(claims) if claims.subject == user.user_id => Ok(CodeCheck::Accepted),
            Ok(_) => {
                tracing::warn!(channel = ?destination.channel(), "a right code proved a different user; refused");
                Ok(CodeCheck::Rejected)
            }
            Err(reason) => Err(IdentityError::BadResponse(format!("the returned id_token is not valid: {reason}"))),
        }
    }
}
