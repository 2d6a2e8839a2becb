//! Signing in and out: `GET /login` (also `/oidc/start`), `GET /oidc/callback`,
//! `POST /logout`, and the extractors that give handlers the session.

use crate::oidc::LoginError;
use crate::pages::error_page;
use crate::session::{CookieEncodingError, Session};
use crate::views::{Link, Nav, t};
use crate::{PREFIX, WebApp};
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{FromRequestParts, OriginalUri, Query, State};
use axum::http::header::ORIGIN;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use pod_shared::auth0::IdTokenClaims;
use pod_shared::domain::{EmailAddress, PhoneNumber, SignInContacts, Timestamp, WebSession};
use serde::Deserialize;
use std::convert::Infallible;

/// Where a sign-in started from the home page or without a destination ends up.
const DEFAULT_RETURN_TO: &str = "/pod/app/orders";
/// The longest destination carried through a sign-in.
const MAX_RETURN_TO_LEN: usize = 512;
/// The longest `error` code of the identity provider that is logged.
const MAX_LOGGED_ERROR_LEN: usize = 64;

/// The session of a signed-in user. Without a live one, the browser is sent
/// to sign in and comes back to the page it asked for.
pub struct SignedIn(pub Session);

impl FromRequestParts<WebApp> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &WebApp) -> Result<Self, Self::Rejection> {
        let MaybeSignedIn(session) = MaybeSignedIn::from_request_parts(parts, app).await?;
        session.map(SignedIn).ok_or_else(|| {
            let asked_for = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |original| &original.0);
            sign_in_then(asked_for.path_and_query().map_or(DEFAULT_RETURN_TO, |p| p.as_str())).into_response()
        })
    }
}

/// Sends the browser to sign in, and back to `return_to` afterwards.
pub fn sign_in_then(return_to: &str) -> Redirect {
    Redirect::to(&format!("{PREFIX}/login?return_to={}", urlencoding::encode(return_to)))
}

/// The session, if the request carries one whose record is live (pages that work either
/// way). When the session store cannot answer, the request gets a 503 page: nobody is
/// taken for signed in, nor sent round a sign-in that could not finish either.
pub struct MaybeSignedIn(pub Option<Session>);

impl FromRequestParts<WebApp> for MaybeSignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &WebApp) -> Result<Self, Self::Rejection> {
        let jar = PrivateCookieJar::from_request_parts(parts, app).await.unwrap_or_else(|e: Infallible| match e {});
        let now = app.service().now();
        let Some(session) = app.cookies().session(&jar, now) else { return Ok(Self(None)) };
        match session.is_live(app.sessions(), now).await {
            Ok(true) => Ok(Self(Some(session))),
            Ok(false) => Ok(Self(None)),
            Err(error) => {
                tracing::error!(%error, "session store unavailable");
                Err(sessions_unavailable())
            }
        }
    }
}

fn sessions_unavailable() -> Response {
    pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::StoreUnavailable);
    let message = t("web-error-sessions-unavailable");
    error_page(StatusCode::SERVICE_UNAVAILABLE, Nav::new("", None), "web-error-unavailable-title", message, None)
}

impl MaybeSignedIn {
    /// The navigation for a page `current`, with the sign-out form when signed in.
    pub fn nav(&self, current: &'static str) -> Nav {
        Nav::new(current, self.0.as_ref().map(|session| session.csrf_token.as_str()))
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

/// `GET /login`: sends the browser to the identity provider, remembering the
/// sign-in's state, nonce, PKCE verifier and destination in the login cookie.
pub async fn login(
    State(app): State<WebApp>,
    jar: PrivateCookieJar,
    signed_in: MaybeSignedIn,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    let return_to = query.ok().and_then(|Query(q)| q.return_to).filter(|path| is_return_path(path));
    let return_to = return_to.unwrap_or_else(|| DEFAULT_RETURN_TO.to_string());
    if signed_in.0.is_some() {
        return Redirect::to(&return_to).into_response();
    }
    let (authorize_url, login) = app.oidc().start(return_to, app.service().now());
    match app.cookies().with_login_state(jar, &login) {
        Ok(jar) => (jar, Redirect::to(&authorize_url)).into_response(),
        Err(error) => cookie_failure(&error),
    }
}

/// A path of this web app, safe to send the browser to after sign-in.
fn is_return_path(path: &str) -> bool {
    let in_app = path == PREFIX || path.starts_with("/pod/app/");
    let sign_in = path.starts_with("/pod/app/login") || path.starts_with("/pod/app/oidc/");
    in_app && !sign_in && path.len() <= MAX_RETURN_TO_LEN && !path.chars().any(|c| c.is_control() || c == '\\')
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /oidc/callback`: checks the state, exchanges the code, validates the
/// ID token and starts the session. The login cookie is spent either way.
pub async fn callback(
    State(app): State<WebApp>,
    jar: PrivateCookieJar,
    signed_in: MaybeSignedIn,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let cookies = app.cookies();
    let now = app.service().now();
    let login = cookies.login_state(&jar, now);
    let jar = cookies.without_login_state(jar);
    let nav = signed_in.nav("");
    let Ok(Query(query)) = query else {
        return (jar, sign_in_refused(nav, "web-sign-in-unreadable")).into_response();
    };
    if let Some(error) = &query.error {
        return (jar, identity_provider_refused(nav, error)).into_response();
    }
    let Some(login) = login else {
        return (jar, sign_in_refused(nav, "web-sign-in-no-state")).into_response();
    };
    if !query.state.as_deref().is_some_and(|state| crate::session::same_secret(state, &login.state)) {
        tracing::warn!("sign-in callback refused: state mismatch");
        return (jar, sign_in_refused(nav, "web-sign-in-foreign")).into_response();
    }
    let Some(code) = query.code.filter(|code| !code.is_empty()) else {
        return (jar, sign_in_refused(nav, "web-sign-in-no-code")).into_response();
    };
    let claims = match app.oidc().finish(code, &login).await {
        Ok(claims) => claims,
        Err(error) => return (jar, login_failure(nav, &error)).into_response(),
    };
    let user = claims.subject.clone();
    // The contacts the identity provider vouched for are the web app's profile of this user.
    if let Err(error) = app.service().remember_sign_in(&sign_in_contacts(claims, now)).await {
        tracing::error!(%error, "cannot keep the sign-in's contacts; the profile shown may be older");
    }
    let record = WebSession::start(user, now, app.settings().session_policy());
    if let Err(error) = app.sessions().create_session(&record).await {
        tracing::error!(%error, "cannot store the new session");
        return (jar, sessions_unavailable()).into_response();
    }
    let session = Session::of(&record);
    match cookies.with_session(jar, &session) {
        Ok(jar) => {
            tracing::info!("signed in");
            (jar, Redirect::to(&login.return_to)).into_response()
        }
        Err(error) => cookie_failure(&error),
    }
}

/// The ID token's contacts as Pod's values; a malformed one is left out (and logged, masked by omission).
fn sign_in_contacts(claims: IdTokenClaims, now: Timestamp) -> SignInContacts {
    let email = claims.email.as_deref().and_then(|raw| {
        EmailAddress::parse(raw).inspect_err(|_| tracing::warn!("the ID token's email is malformed; ignored")).ok()
    });
    let phone = claims.phone_number.as_deref().and_then(|raw| {
        PhoneNumber::parse(raw).inspect_err(|_| tracing::warn!("the ID token's phone is not E.164; ignored")).ok()
    });
    SignInContacts::new(claims.subject, email, claims.email_verified, phone, claims.phone_verified, now)
}

/// The sign-in failed page, saying message `message_id`.
fn sign_in_refused(nav: Nav, message_id: &str) -> Response {
    error_page(StatusCode::BAD_REQUEST, nav, "web-sign-in-failed-title", t(message_id), Some(try_again()))
}

/// The identity provider sent an `error` back instead of a code.
fn identity_provider_refused(nav: Nav, error: &str) -> Response {
    let known: String =
        error.chars().take(MAX_LOGGED_ERROR_LEN).filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    tracing::info!(error = known, "sign-in refused by the identity provider");
    let message = match error {
        "access_denied" => "web-sign-in-denied",
        "login_required" | "consent_required" | "interaction_required" => "web-sign-in-again",
        _ => "web-sign-in-provider-refused",
    };
    sign_in_refused(nav, message)
}

fn login_failure(nav: Nav, error: &LoginError) -> Response {
    tracing::warn!(%error, "sign-in could not be finished");
    match error {
        LoginError::Unreachable(_) | LoginError::BadResponse(_) => {
            pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::Auth0Unavailable);
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                nav,
                "web-sign-in-unavailable-title",
                t("web-sign-in-unavailable"),
                Some(try_again()),
            )
        }
        LoginError::CodeRefused(_) | LoginError::NoIdToken | LoginError::BadIdToken(_) => {
            sign_in_refused(nav, "web-sign-in-unverified")
        }
    }
}

fn try_again() -> Link {
    Link::new(format!("{PREFIX}/login"), "web-link-sign-in-again")
}

fn cookie_failure(error: &CookieEncodingError) -> Response {
    tracing::error!(%error, "cannot write a cookie");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        Nav::new("", None),
        "web-error-something-title",
        t("web-error-something"),
        None,
    )
}

/// A form that changes something: it carries the session's CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: String,
}

/// Whether a state-changing form came from this web app's own page.
pub struct FormCheck {
    /// The browser did not say where the form came from, or said it was this web app.
    pub same_origin: bool,
    /// The form carried the session's CSRF token.
    pub token_matches: bool,
}

impl FormCheck {
    pub fn of(
        app: &WebApp,
        session: &Session,
        headers: &HeaderMap,
        form: &Result<Form<CsrfForm>, FormRejection>,
    ) -> Self {
        Self::of_token(app, session, headers, form.as_ref().ok().map(|Form(form)| form.csrf_token.as_str()))
    }

    /// The same check for a form with more fields than the token: `token` is the
    /// `csrf_token` it carried, `None` if it carried none or could not be read.
    pub fn of_token(app: &WebApp, session: &Session, headers: &HeaderMap, token: Option<&str>) -> Self {
        let same_origin =
            headers.get(ORIGIN).is_none_or(|origin| origin.as_bytes() == app.settings().app_base_url().as_bytes());
        let token_matches = token.is_some_and(|token| session.accepts_csrf_token(token));
        Self { same_origin, token_matches }
    }

    pub fn passed(&self) -> bool {
        self.same_origin && self.token_matches
    }
}

/// `POST /logout`: ends the session for real, if the form carries its token (and, when
/// the browser says where the form came from, that is this web app): the session record
/// is revoked, so the cookie (or any copy of it) is refused from then on, and the browser
/// goes on to the identity provider's logout, which ends its own login session and sends
/// the browser back to the home page. A cookie whose record already ended (idle, say)
/// still signs out of the identity provider, with the same token check.
pub async fn logout(
    State(app): State<WebApp>,
    jar: PrivateCookieJar,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let now = app.service().now();
    let Some(session) = app.cookies().session(&jar, now) else {
        return (app.cookies().without_session(jar), Redirect::to(&format!("{PREFIX}/"))).into_response();
    };
    let check = FormCheck::of(&app, &session, &headers, &form);
    if !check.passed() {
        tracing::warn!(same_origin = check.same_origin, token_matches = check.token_matches, "sign-out refused");
        let nav = Nav::new("", Some(&session.csrf_token));
        return error_page(StatusCode::FORBIDDEN, nav, "web-sign-out-refused-title", t("web-sign-out-refused"), None);
    }
    if let Err(error) = app.sessions().revoke_session(&session.user, &session.id, now).await {
        tracing::error!(%error, "sign-out failed: the session could not be revoked");
        let nav = Nav::new("", Some(&session.csrf_token));
        let message = t("web-sign-out-failed");
        return error_page(StatusCode::SERVICE_UNAVAILABLE, nav, "web-sign-out-failed-title", message, None);
    }
    tracing::info!("signed out; on to the identity provider's logout");
    (app.cookies().without_session(jar), Redirect::to(app.identity_provider_logout())).into_response()
}

/// Where sign-out sends the browser: the identity provider's Auth0-style logout,
/// `{AUTH0_DOMAIN}/v2/logout?client_id=…&returnTo={APP_BASE_URL}/pod/app/`. (One rule for
/// every provider: Auth0, and any that serves Auth0's paths, as the local one does.)
pub fn identity_provider_logout_url(auth0: &pod_shared::config::Auth0Settings, app_base_url: &str) -> String {
    format!(
        "{}?client_id={}&returnTo={}",
        auth0.endpoint.url("/v2/logout"),
        urlencoding::encode(&auth0.client_id),
        urlencoding::encode(&format!("{app_base_url}{PREFIX}/"))
    )
}
