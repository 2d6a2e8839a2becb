//! The identity provider's own login session, as Auth0's single sign-on cookie:
//! after a password login at `/authorize`, a cookie names the session, so a later
//! `/authorize` from the same browser skips the password (unless `prompt=login`);
//! `GET /v2/logout` ends it and sends the browser back to `returnTo`.
//!
//! `/v2/logout` takes Auth0's parameters: `client_id` must be the tenant's one
//! application, and `returnTo` one of its allowed logout URLs, which here are http(s)
//! pages on this machine (127.0.0.1 or localhost), as for sign-in redirects. Anything
//! else is refused with a 400 page that says why, and ends nothing.

use super::params::Params;
use super::{LocalIdp, authorize, secrets};
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};

/// The login session cookie's name.
pub(super) const COOKIE_NAME: &str = "auth0_local_session";
/// How long a login session lasts after the password was given.
const LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);

/// Who a login session signed in, until when.
pub(super) struct LoginSession {
    pub user_id: String,
    pub expires_at: Instant,
}

/// The login session token the request's cookie carries, if any.
pub(super) fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

impl LocalIdp {
    /// The user of the request's live login session, if any (whose user still exists).
    pub(super) fn logged_in_user(&self, headers: &HeaderMap) -> Option<String> {
        let token = token(headers)?;
        let mut state = self.lock();
        let now = Instant::now();
        state.login_sessions.retain(|_, session| now < session.expires_at);
        let user_id = state.login_sessions.get(&token)?.user_id.clone();
        state.directory.get(&user_id).is_some().then_some(user_id)
    }

    /// Starts a login session for `user_id`; returns the `Set-Cookie` value that names it.
    pub(super) fn start_login_session(&self, user_id: String) -> String {
        let token = secrets::random_token();
        let session = LoginSession { user_id, expires_at: Instant::now() + LIFETIME };
        self.lock().login_sessions.insert(token.clone(), session);
        self.session_cookie(&token, LIFETIME.as_secs())
    }

    /// The cookie, scoped to the tenant's path (`/auth0/` locally), `Secure` over https.
    fn session_cookie(&self, value: &str, max_age: u64) -> String {
        let issuer = &self.tenant().issuer;
        let uri = issuer.parse::<Uri>().ok();
        let path = uri.as_ref().map_or("/", |uri| uri.path());
        let secure = if issuer.starts_with("https://") { "; Secure" } else { "" };
        format!("{COOKIE_NAME}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}

/// `GET /v2/logout?client_id=…&returnTo=…`: ends the browser's login session and sends
/// it to `returnTo`, if the application is known and `returnTo` is allowed.
pub(super) async fn logout(State(idp): State<LocalIdp>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let checked = Params::from_urlencoded(query.as_deref().unwrap_or_default()).and_then(|params| {
        if params.get("client_id") != Some(idp.tenant().client_id.as_str()) {
            return Err("The application (client_id) is unknown.".to_string());
        }
        let return_to = params.get("returnTo").ok_or("Missing required parameter: returnTo")?;
        if !is_allowed_logout_url(return_to) {
            return Err(format!(
                "The returnTo URL \"{return_to}\" is not in the application's Allowed Logout URLs: \
                 it must be http(s) on 127.0.0.1 or localhost."
            ));
        }
        Ok(return_to.to_string())
    });
    let return_to = match checked {
        Ok(return_to) => return_to,
        Err(problem) => {
            tracing::info!("logout refused");
            return authorize::problem_page(StatusCode::BAD_REQUEST, &problem);
        }
    };
    let ended = token(&headers).is_some_and(|token| idp.lock().login_sessions.remove(&token).is_some());
    tracing::info!(ended, "logged out");
    let headers = [(LOCATION, return_to), (SET_COOKIE, idp.session_cookie("", 0)), (CACHE_CONTROL, "no-store".into())];
    (StatusCode::FOUND, headers).into_response()
}

/// Logout returns only to http(s) pages on this machine.
fn is_allowed_logout_url(raw: &str) -> bool {
    let Ok(uri) = raw.parse::<Uri>() else { return false };
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    let loopback = host == "127.0.0.1" || host == "localhost";
    loopback && !raw.contains('#') && matches!(uri.scheme_str(), Some("http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logout_returns_only_to_this_machine() {
        for allowed in ["http://127.0.0.1:3000/pod/app/", "http://localhost/", "https://localhost:8443/x?y=1"] {
            assert!(is_allowed_logout_url(allowed), "{allowed}");
        }
        for refused in [
            "https://evil.example/",
            "https://layla.amazon.com/",
            "http://127.0.0.1.evil.example/",
            "https://127.0.0.1@evil.example/",
            "http://127.0.0.1/#x",
            "javascript:alert(1)",
            "/pod/app/",
            "",
        ] {
            assert!(!is_allowed_logout_url(refused), "{refused}");
        }
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, format!("pod_session=x; {COOKIE_NAME}=abc; other=1").parse().unwrap());
        assert_eq!(token(&headers).as_deref(), Some("abc"));
        headers.insert(COOKIE, format!("{COOKIE_NAME}=").parse().unwrap());
        assert_eq!(token(&headers), None);
    }
}
