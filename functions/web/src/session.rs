//! The session and sign-in cookies: JSON inside the `cookie` crate's private
//! jar (AES-256-GCM: encrypted and authenticated), `HttpOnly`, `SameSite=Lax`,
//! scoped to the web app's path, `Secure` unless the app is plain-HTTP localhost.
//! A cookie that does not decrypt, parse or is past its own expiry reads as absent.
//!
//! The session cookie names a session record in the store ([`SessionStore`]), and
//! the record decides: a cookie whose record is revoked (signed out), idle for the
//! idle timeout, past the absolute limit, or missing, reads as signed out. A use is
//! written to the record at most once a minute ([`pod_shared::domain::SESSION_TOUCH_INTERVAL`]),
//! so most requests cost one read.

use crate::oidc::LoginState;
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use oauth2::CsrfToken;
use pod_shared::domain::{SessionId, SessionPolicy, Timestamp, UserId, WebSession};
use pod_shared::ports::StoreError;
use pod_shared::sessions::SessionStore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How long a session lasts after sign-in at most, however much it is used.
pub const SESSION_LIFETIME: Duration = SessionPolicy::DEFAULT_LIFETIME;
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "pod_session";
/// The name of the cookie that holds a sign-in in progress.
pub const LOGIN_COOKIE: &str = "pod_login";

/// A signed-in user, as the session cookie names them: the session record's id, who,
/// the token that guards state-changing forms, and the absolute limit. Holds no tokens
/// of the identity provider and no contact details.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The session record in the store (a bearer secret: never logged).
    pub id: SessionId,
    /// The identity provider's subject (`sub`).
    pub user: UserId,
    /// Must come back with every form that changes something (sign-out).
    pub csrf_token: String,
    /// When the session ends at the latest (the record's absolute limit).
    pub expires_at: Timestamp,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").field("user", &self.user).field("expires_at", &self.expires_at).finish()
    }
}

impl Session {
    /// The cookie's side of the fresh session `record`.
    pub fn of(record: &WebSession) -> Self {
        Self {
            id: record.id.clone(),
            user: record.user.clone(),
            csrf_token: CsrfToken::new_random().into_secret(),
            expires_at: record.expires_at,
        }
    }

    /// Whether a form's token is this session's (compared in constant time).
    pub fn accepts_csrf_token(&self, given: &str) -> bool {
        same_secret(given, &self.csrf_token)
    }

    /// Whether the record behind this cookie is live at `now`; records the use when the
    /// last recorded one is a minute old or more (one conditional write), else writes nothing.
    pub async fn is_live(&self, store: &dyn SessionStore, now: Timestamp) -> Result<bool, StoreError> {
        let Some(record) = store.session(&self.user, &self.id).await? else { return Ok(false) };
        if !record.is_live_at(now) {
            return Ok(false);
        }
        if record.needs_touch_at(now) {
            return Ok(store.touch_session(&self.user, &self.id, now).await?.is_some());
        }
        Ok(true)
    }
}

/// Whether two secrets are equal, compared in constant time.
pub fn same_secret(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// Something a cookie holds until a moment: a session or a sign-in in progress.
trait Expiring {
    fn expires_at(&self) -> Timestamp;
}

impl Expiring for Session {
    fn expires_at(&self) -> Timestamp {
        self.expires_at
    }
}

impl Expiring for LoginState {
    fn expires_at(&self) -> Timestamp {
        self.expires_at
    }
}

/// A value could not be written into a cookie.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode the {cookie} cookie: {source}")]
pub struct CookieEncodingError {
    cookie: &'static str,
    source: serde_json::Error,
}

/// How the web app's cookies are written.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    secure: bool,
}

impl CookiePolicy {
    /// Cookies with `Secure` when `secure` (the app is served over HTTPS).
    pub fn new(secure: bool) -> Self {
        Self { secure }
    }

    /// The valid session in `jar`, if any.
    pub fn session(&self, jar: &PrivateCookieJar, now: Timestamp) -> Option<Session> {
        read(jar, SESSION_COOKIE, now)
    }

    /// `jar` holding `session`.
    pub fn with_session(
        &self,
        jar: PrivateCookieJar,
        session: &Session,
    ) -> Result<PrivateCookieJar, CookieEncodingError> {
        Ok(jar.add(self.cookie(SESSION_COOKIE, encode(SESSION_COOKIE, session)?, SESSION_LIFETIME)))
    }

    /// `jar` telling the browser to forget the session.
    pub fn without_session(&self, jar: PrivateCookieJar) -> PrivateCookieJar {
        jar.remove(self.cookie(SESSION_COOKIE, String::new(), Duration::ZERO))
    }

    /// The sign-in in progress in `jar`, if it has not timed out.
    pub fn login_state(&self, jar: &PrivateCookieJar, now: Timestamp) -> Option<LoginState> {
        read(jar, LOGIN_COOKIE, now)
    }

    /// `jar` holding a sign-in in progress.
    pub fn with_login_state(
        &self,
        jar: PrivateCookieJar,
        login: &LoginState,
    ) -> Result<PrivateCookieJar, CookieEncodingError> {
        Ok(jar.add(self.cookie(LOGIN_COOKIE, encode(LOGIN_COOKIE, login)?, crate::oidc::LOGIN_TIMEOUT)))
    }

    /// `jar` telling the browser to forget the sign-in in progress.
    pub fn without_login_state(&self, jar: PrivateCookieJar) -> PrivateCookieJar {
        jar.remove(self.cookie(LOGIN_COOKIE, String::new(), Duration::ZERO))
    }

    fn cookie(&self, name: &'static str, value: String, max_age: Duration) -> Cookie<'static> {
        let seconds = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        Cookie::build((name, value))
            .path(crate::PREFIX)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(time::Duration::seconds(seconds))
            .build()
    }
}

fn encode(cookie: &'static str, value: &impl Serialize) -> Result<String, CookieEncodingError> {
    serde_json::to_string(value).map_err(|source| CookieEncodingError { cookie, source })
}

/// The cookie's value if it decrypts, parses and has not expired at `now`.
fn read<T: DeserializeOwned + Expiring>(jar: &PrivateCookieJar, name: &str, now: Timestamp) -> Option<T> {
    let cookie = jar.get(name)?;
    let value: T = serde_json::from_str(cookie.value()).ok()?;
    (now < value.expires_at()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum_extra::extract::cookie::Key;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_millis(seconds * 1000)
    }

    fn jar() -> PrivateCookieJar {
        PrivateCookieJar::new(Key::derive_from(&[7; 64]))
    }

    fn ana() -> UserId {
        UserId::parse("auth0|ana").unwrap()
    }

    fn start(user: UserId, now: Timestamp) -> Session {
        Session::of(&WebSession::start(user, now, SessionPolicy::default()))
    }

    #[test]
    fn a_session_reads_back_until_it_expires() {
        let policy = CookiePolicy::new(true);
        let session = start(ana(), at(1_000));
        let jar = policy.with_session(jar(), &session).unwrap();
        assert_eq!(policy.session(&jar, at(1_000)), Some(session.clone()));
        let last_second = 1_000 + SESSION_LIFETIME.as_secs() as i64 - 1;
        assert!(policy.session(&jar, at(last_second)).is_some());
        assert_eq!(policy.session(&jar, at(last_second + 1)), None);
    }

    #[test]
    fn cookies_are_http_only_lax_scoped_and_secure_unless_told_otherwise() {
        for secure in [true, false] {
            let session = start(ana(), at(0));
            let jar = CookiePolicy::new(secure).with_session(jar(), &session).unwrap();
            let cookie = jar.iter().next().unwrap();
            assert_eq!(cookie.http_only(), Some(true));
            assert_eq!(cookie.same_site(), Some(SameSite::Lax));
            assert_eq!(cookie.path(), Some("/pod/app"));
            assert_eq!(cookie.secure(), Some(secure));
            assert_eq!(cookie.max_age(), Some(time::Duration::hours(8)));
        }
    }

    #[test]
    fn csrf_tokens_are_random_per_session_and_checked_exactly() {
        let one = start(ana(), at(0));
        let two = start(ana(), at(0));
        assert_ne!(one.csrf_token, two.csrf_token);
        assert!(one.accepts_csrf_token(&one.csrf_token.clone()));
        assert!(!one.accepts_csrf_token(&two.csrf_token));
        assert!(!one.accepts_csrf_token(""));
        assert!(!format!("{one:?}").contains(&one.csrf_token));
        assert!(!format!("{one:?}").contains(one.id.as_str()), "the session id stays out of Debug");
    }
}
