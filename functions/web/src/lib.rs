//! The web app under `/pod/app` (an axum router served by `lambda_http`).
//!
//! Server-rendered pages (askama templates): home, privacy policy, the profile
//! (contacts on file, masked), "my orders" with live updates, one order, the
//! activity record, and security (voice ordering open, paused or locked; unlock;
//! where codes go, and verifying a phone number for them).
//! Sign-in is OpenID Connect's authorization code flow against Auth0 (state,
//! nonce, PKCE); the encrypted session cookie names a session record in the
//! store, which decides (revoked at sign-out, 30 minutes idle, 8 hours at most),
//! so any Lambda instance can serve any request and nothing is kept in memory.

mod assets;
mod auth;
mod oidc;
mod pages;
mod session;
mod settings;
mod views;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, MatchedPath, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderValue, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware;
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::Key;
use oidc::OidcClient;
use pod_shared::metrics::{self, Metrics};
use pod_shared::service::OrderService;
use pod_shared::sessions::SessionStore;
use session::CookiePolicy;
use std::sync::Arc;

pub use oidc::OidcSetupError;
pub use settings::WebSettings;

/// Where the web app lives, in API Gateway and locally.
pub const PREFIX: &str = "/pod/app";

/// Scripts, styles and forms only from the app itself; no framing.
const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Why the web app could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("sign-in: {0}")]
    Oidc(#[from] OidcSetupError),
    #[error("the service has no session store (OrderService::with_sessions)")]
    NoSessionStore,
}

/// Everything the web app's handlers share, built once per process. Cheap to clone.
#[derive(Clone)]
pub struct WebApp {
    inner: Arc<Inner>,
}

struct Inner {
    service: OrderService,
    settings: WebSettings,
    oidc: OidcClient,
    cookies: CookiePolicy,
    sessions: Arc<dyn SessionStore>,
    /// Where sign-out sends the browser next (the identity provider's logout).
    identity_provider_logout: String,
}

impl WebApp {
    /// The web app over `service`, signing users in at the Auth0 tenant (or local
    /// identity provider) in `auth0`.
    ///
    /// `_identity` is no longer used: profiles are read through `service`, which adds
    /// the phone verified with Pod. It stays until the callers (this crate's `main.rs`
    /// and pod-local's stack) stop passing it.
    pub fn new(
        service: OrderService,
        settings: WebSettings,
        auth0: &pod_shared::config::Auth0Settings,
    ) -> Result<Self, WebError> {
        let oidc = OidcClient::new(auth0, settings.redirect_uri())?;
        let cookies = CookiePolicy::new(settings.secure_cookies());
        let sessions = service.sessions().cloned().ok_or(WebError::NoSessionStore)?;
        let identity_provider_logout = auth::identity_provider_logout_url(auth0, settings.app_base_url());
        let inner = Inner { service, settings, oidc, cookies, sessions, identity_provider_logout };
        Ok(Self { inner: Arc::new(inner) })
    }

    fn sessions(&self) -> &dyn SessionStore {
        self.inner.sessions.as_ref()
    }

    fn identity_provider_logout(&self) -> &str {
        &self.inner.identity_provider_logout
    }

    fn service(&self) -> &OrderService {
        &self.inner.service
    }

    fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }

    fn oidc(&self) -> &OidcClient {
        &self.inner.oidc
    }

    fn cookies(&self) -> CookiePolicy {
        self.inner.cookies
    }
}

impl FromRef<WebApp> for Key {
    fn from_ref(app: &WebApp) -> Key {
        app.settings().cookie_key().clone()
    }
}

/// [`router`], each request's metrics emitted through `metrics` (`Intent`: method and route).
pub fn router_with_metrics(app: WebApp, metrics: Metrics) -> Router {
    router(app).layer(middleware::from_fn_with_state(metrics, measured))
}

async fn measured(
    State(metrics): State<Metrics>,
    route: Option<MatchedPath>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let operation = metrics::http_operation(request.method().as_str(), route.as_ref().map(MatchedPath::as_str));
    metrics.measure(metrics::FUNCTION_WEB, &operation, next.run(request)).await
}

/// The web app's pages under [`PREFIX`]; unknown paths under it answer a 404 page.
/// The returned router has no fallback of its own, so it can be merged with others.
pub fn router(app: WebApp) -> Router {
    let pages = Router::new()
        .route("/", get(|| async { Redirect::permanent("/pod/app/") }))
        .route("/policy", get(pages::policy))
        .route("/profile", get(pages::profile))
        .route("/orders", get(pages::orders))
        .route("/orders/live", get(pages::live_orders))
        .route("/orders/{id}", get(pages::order))
        .route("/activity", get(pages::activity))
        .route("/security", get(pages::security))
        .route("/security/unlock", post(pages::unlock))
        .route("/security/phone", post(pages::start_enrollment))
        .route("/security/phone/confirm", post(pages::confirm_enrollment))
        .route("/security/erase", get(pages::erase).post(pages::erase_confirmed))
        .route("/login", get(auth::login))
        .route("/oidc/start", get(auth::login))
        .route("/oidc/callback", get(auth::callback))
        .route("/logout", post(auth::logout))
        .route("/static/{file}", get(assets::asset))
        .method_not_allowed_fallback(pages::method_not_allowed)
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(pages::MAX_FORM_BYTES))
        .with_state(app.clone());
    // Served over https (everywhere but plain-HTTP localhost): browsers are told to stay on it.
    let https = app.settings().secure_cookies();
    Router::new()
        .route("/pod/app/", get(pages::home).with_state(app))
        .nest(PREFIX, pages)
        .layer(middleware::from_fn(views::in_request_locale))
        .layer(middleware::map_response(
            move |response: Response| async move { with_security_headers(response, https) },
        ))
}

/// A year of HTTPS only, for the app's host and its subdomains.
const STRICT_TRANSPORT_SECURITY_VALUE: &str = "max-age=31536000; includeSubDomains";

/// Headers every response of the web app carries; pages are never cached; over https, HSTS.
fn with_security_headers(mut response: Response, https: bool) -> Response {
    let headers = response.headers_mut();
    if https {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY_VALUE));
    }
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Sign-in callbacks carry codes in the URL: never pass it to other sites. (Not
    // `no-referrer`: browsers then send `Origin: null` with forms, and sign-out checks it.)
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.entry(CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_every_response_carries_hsts_and_over_local_http_none() {
        let secure = with_security_headers(Response::new(axum::body::Body::empty()), true);
        assert_eq!(secure.headers()[STRICT_TRANSPORT_SECURITY], STRICT_TRANSPORT_SECURITY_VALUE);
        assert_eq!(secure.headers()[X_FRAME_OPTIONS], "DENY");
        let local = with_security_headers(Response::new(axum::body::Body::empty()), false);
        assert!(local.headers().get(STRICT_TRANSPORT_SECURITY).is_none());
    }
}
