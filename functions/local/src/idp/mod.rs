//! A local, in-process identity provider that speaks enough of Auth0's
//! Authentication and Management APIs for Pod's production [`Auth0Client`]
//! to run against it unchanged. For development (`make run`) and tests only;
//! never deployed.
//!
//! Mount it under `/auth0`: `Router::new().nest("/auth0", idp.router())`, and
//! give it the matching issuer, e.g. `http://127.0.0.1:3000/auth0/`.
//!
//! One-time codes are not sent anywhere: they land in the [outbox](LocalIdp::outbox),
//! which is also printed to stdout and served at `GET /outbox` (`?to=ADDRESS` for one
//! destination's codes, `&last=N` for only the newest N). It keeps the newest
//! [`OUTBOX_CAPACITY`] messages, so that it stays small under load.
//!
//! Like Auth0 it keeps a login session per browser (a cookie set at the password login):
//! a later `/authorize` from that browser skips the password, and `GET /v2/logout`
//! (`client_id`, `returnTo` on this machine) ends it.
//!
//! [`Auth0Client`]: pod_shared::auth0::Auth0Client

mod authorize;
mod errors;
mod jwt;
mod keys;
mod management;
mod oidc;
mod otp;
mod params;
mod passwordless;
mod secrets;
mod sso;
mod tenant;
mod token;
mod users;

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub use pod_shared::config::TokenAlgorithm;

use authorize::AuthorizationGrant;
use otp::OtpStore;
use tenant::Tenant;
use token::RefreshGrant;
use users::Directory;
pub use users::{DevUser, load_dev_users};

/// Request bodies larger than this are refused with HTTP 413.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The outbox keeps this many of the newest messages and forgets older ones.
pub const OUTBOX_CAPACITY: usize = 1000;

/// What the identity provider is and whom it knows.
pub struct IdpConfig {
    /// The token issuer and public base URL, with a trailing slash: `http://127.0.0.1:3000/auth0/`.
    pub issuer: String,
    /// The API identifier: the default audience of access tokens.
    pub api_id: String,
    /// The API's HS256 secret, which signs access tokens unless they are RS256.
    pub api_signing_key: Vec<u8>,
    /// How the API's access tokens are signed: HS256 with `api_signing_key`, or RS256 with the
    /// tenant's RSA key (the one ID tokens use; published at `/.well-known/jwks.json`).
    pub access_token_algorithm: TokenAlgorithm,
    /// The one application (client) this tenant knows.
    pub client_id: String,
    /// That application's secret, which also signs its ID tokens with HS256.
    pub client_secret: String,
    /// The machine-to-machine application, the only one granted Management API tokens.
    pub management_client: IdpClient,
    /// How its ID tokens are signed: HS256 with the client secret, or RS256 with the tenant's
    /// RSA key (made at start, published at `/.well-known/jwks.json`), as Auth0 does for an
    /// application set to either.
    pub id_token_algorithm: TokenAlgorithm,
    /// Digits in a one-time code, from 4 to 10 (values outside are clamped);
    /// [`IdpConfig::DEFAULT_OTP_LENGTH`] unless there is a reason otherwise.
    pub otp_length: usize,
    /// The database users ("Username-Password-Authentication" connection).
    pub users: Vec<DevUser>,
}

/// An application's credentials at the local tenant.
#[derive(Debug, Clone)]
pub struct IdpClient {
    pub id: String,
    pub secret: String,
}

impl IdpConfig {
    /// The usual number of digits in a one-time code.
    pub const DEFAULT_OTP_LENGTH: usize = 4;
}

/// A one-time code as the local stand-in for the SMS or email gateway "sent" it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    /// `sms` or `email`.
    pub channel: String,
    /// The phone number or email address the code went to.
    pub destination: String,
    /// The message as the user would read it.
    pub text: String,
    /// The code alone, so that tests and tools need not parse `text`.
    pub code: String,
    /// When it was sent, RFC 3339.
    pub time: String,
}

/// The local identity provider. Cheap to clone: clones share one state.
#[derive(Clone)]
pub struct LocalIdp {
    shared: Arc<Shared>,
}

struct Shared {
    tenant: Tenant,
    state: Mutex<IdpState>,
    fault: Mutex<Option<IdpFault>>,
    /// How long it takes to answer, as a tenant far away over the internet would.
    latency: Mutex<IdpLatency>,
    /// Management API requests served (any endpoint, any answer).
    management_calls: std::sync::atomic::AtomicU64,
}

/// A failure the identity provider can be told to show, for fault tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdpFault {
    /// Answer every call (but the outbox) with this HTTP status.
    Status(u16),
    /// Answer every call (but the outbox) only after this long.
    Delay(std::time::Duration),
}

/// How long the provider takes to answer, as Auth0 does from a Lambda function: a benchmark
/// of the voice turn sets it (`LOCAL_IDP_DELAY_MS`, `LOCAL_IDP_PASSWORDLESS_DELAY_MS`) so that
/// its figures show what Pod adds and what it waits for. The outbox, a tool's view of what was
/// sent, answers at once. Zero by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdpLatency {
    /// Any call but `/passwordless/start`: tokens, profiles, keys, the Management API.
    pub call: std::time::Duration,
    /// `/passwordless/start`, which waits for the SMS or email gateway to take the message.
    pub passwordless_start: std::time::Duration,
}

impl IdpLatency {
    /// The longest delay either setting takes, in milliseconds.
    pub const MAX_MS: u64 = 10_000;

    /// How long a call to `path` (below `/auth0`) waits before it is answered.
    pub fn for_path(&self, path: &str) -> std::time::Duration {
        let path = path.trim_end_matches('/');
        if path.ends_with("/outbox") || path == "outbox" {
            std::time::Duration::ZERO
        } else if path.ends_with("/passwordless/start") {
            self.passwordless_start
        } else {
            self.call
        }
    }
}

/// Everything that changes while the identity provider runs.
struct IdpState {
    directory: Directory,
    authorization_codes: HashMap<String, AuthorizationGrant>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    otps: OtpStore,
    /// Browsers' login sessions (single sign-on), by the token their cookie carries.
    login_sessions: HashMap<String, sso::LoginSession>,
    /// Newest last, at most [`OUTBOX_CAPACITY`] messages.
    outbox: VecDeque<OutboxMessage>,
}

impl IdpState {
    /// Puts a message in the outbox, forgetting the oldest beyond [`OUTBOX_CAPACITY`].
    fn post(&mut self, message: OutboxMessage) {
        while self.outbox.len() >= OUTBOX_CAPACITY {
            self.outbox.pop_front();
        }
        self.outbox.push_back(message);
    }
}

impl LocalIdp {
    /// An identity provider knowing `config.users`, with no passwordless users yet.
    pub fn new(config: IdpConfig) -> Self {
        let directory = Directory::from_dev_users(&config.users);
        let state = IdpState {
            directory,
            authorization_codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            otps: OtpStore::default(),
            login_sessions: HashMap::new(),
            outbox: VecDeque::new(),
        };
        tracing::info!(users = config.users.len(), "local identity provider ready");
        Self {
            shared: Arc::new(Shared {
                tenant: Tenant::new(config),
                state: Mutex::new(state),
                fault: Mutex::new(None),
                latency: Mutex::new(IdpLatency::default()),
                management_calls: Default::default(),
            }),
        }
    }

    /// The identity provider's routes, without the `/auth0` prefix.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/.well-known/openid-configuration", get(oidc::openid_configuration))
            .route("/.well-known/jwks.json", get(oidc::jwks))
            .route("/authorize", get(authorize::show_login_form).post(authorize::submit_login_form))
            .route("/oauth/token", post(token::token))
            .route("/v2/logout", get(sso::logout))
            .route("/passwordless/start", post(passwordless::start))
            .route("/userinfo", get(oidc::userinfo))
            .route("/outbox", get(outbox))
            .route("/api/v2/users", post(management::create_user))
            .route("/api/v2/users/{id}", get(management::get_user))
            .route("/api/v2/users/{id}/identities", post(management::link_identity))
            .route(
                "/api/v2/users/{id}/identities/{provider}/{user_id}",
                axum::routing::delete(management::unlink_identity),
            )
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(axum::middleware::from_fn_with_state(self.clone(), inject_fault))
            .with_state(self.clone())
    }

    /// From now on, fail every call but the outbox this way (`None`: work normally).
    pub fn fail_with(&self, fault: Option<IdpFault>) {
        *self.shared.fault.lock().unwrap_or_else(PoisonError::into_inner) = fault;
    }

    /// From now on, answer every call only after `latency` (on top of any injected fault).
    pub fn answer_after(&self, latency: IdpLatency) {
        *self.shared.latency.lock().unwrap_or_else(PoisonError::into_inner) = latency;
    }

    /// Lets every code sent so far run out now, as if its OTP expiry had passed (for tests
    /// of what Pod does with a code the provider calls expired).
    pub fn expire_sent_codes(&self) {
        self.lock().otps.expire_all(std::time::Instant::now());
    }

    /// How many Management API requests were made, answered or refused.
    pub fn management_calls(&self) -> u64 {
        self.shared.management_calls.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(super) fn count_management_call(&self) {
        self.shared.management_calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many passwordless codes were checked (`/oauth/token` with the OTP grant), right or wrong.
    pub fn codes_checked(&self) -> u64 {
        self.lock().otps.checked()
    }

    /// The codes sent so far (the newest [`OUTBOX_CAPACITY`]), newest last.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.lock().outbox.iter().cloned().collect()
    }

    /// The newest `last` codes sent to `to` (any destination if `None`; email
    /// addresses match in any case), newest last. Stops at the `last`-th match
    /// from the newest end, so `last = 1` is cheap however full the outbox is.
    pub fn outbox_newest(&self, to: Option<&str>, last: usize) -> Vec<OutboxMessage> {
        let state = self.lock();
        let mut newest: Vec<OutboxMessage> = state
            .outbox
            .iter()
            .rev()
            .filter(|message| to.is_none_or(|to| message.destination.eq_ignore_ascii_case(to)))
            .take(last)
            .cloned()
            .collect();
        newest.reverse();
        newest
    }

    /// The user id (`sub`) that tokens for the database user `username` carry.
    pub fn user_id_of(&self, username: &str) -> Option<String> {
        self.lock().directory.user_id_of_username(username)
    }

    /// An API access token for the database user `username`, as account linking
    /// gives Alexa (scope `openid offline_access`): for tools and terminal chats.
    pub fn linked_access_token(&self, username: &str) -> Option<String> {
        let state = self.lock();
        let user_id = state.directory.user_id_of_username(username)?;
        let grant = token::UserGrant {
            user_id,
            scope: "openid offline_access".into(),
            audience: self.tenant().api_id.clone(),
            nonce: None,
        };
        let tokens = token::user_tokens(self, &state, &grant).ok()?;
        tokens["access_token"].as_str().map(str::to_string)
    }

    fn tenant(&self) -> &Tenant {
        &self.shared.tenant
    }

    /// The state; a panic elsewhere while it was held does not make it unusable.
    fn lock(&self) -> MutexGuard<'_, IdpState> {
        self.shared.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The filters of `GET /outbox`. A `+` in a phone number must be sent as `%2B`
/// (a bare `+` in a query string means a space).
#[derive(Debug, Deserialize)]
struct OutboxQuery {
    /// Only the codes sent to this phone number or email address.
    to: Option<String>,
    /// Only the newest this many (of those).
    last: Option<usize>,
}

/// `GET /outbox[?to=ADDRESS][&last=N]`: the codes sent, newest last.
async fn outbox(State(idp): State<LocalIdp>, Query(query): Query<OutboxQuery>) -> Json<Vec<OutboxMessage>> {
    Json(idp.outbox_newest(query.to.as_deref(), query.last.unwrap_or(usize::MAX)))
}

/// Applies the fault the provider was told to show, if any.
async fn inject_fault(
    State(idp): State<LocalIdp>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let fault = *idp.shared.fault.lock().unwrap_or_else(PoisonError::into_inner);
    let delay = idp.shared.latency.lock().unwrap_or_else(PoisonError::into_inner).for_path(request.uri().path());
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match fault {
        Some(_) if request.uri().path().ends_with("/outbox") => next.run(request).await,
        Some(IdpFault::Status(status)) => {
            let status =
                axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::SERVICE_UNAVAILABLE);
            (status, Json(serde_json::json!({"error": "injected_fault", "error_description": "told to fail"})))
                .into_response()
        }
        Some(IdpFault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn idp() -> LocalIdp {
        LocalIdp::new(IdpConfig {
            issuer: "http://127.0.0.1:9/auth0/".into(),
            api_id: "https://pod.localtest.me".into(),
            api_signing_key: b"a-local-test-api-signing-key-of-32-bytes".to_vec(),
            access_token_algorithm: TokenAlgorithm::Hs256,
            client_id: "pod-local-test-client".into(),
            client_secret: "a-local-test-client-secret-of-32-bytes+".into(),
            management_client: IdpClient {
                id: "pod-local-test-management".into(),
                secret: "a-local-test-management-secret-32-bytes".into(),
            },
            id_token_algorithm: TokenAlgorithm::Hs256,
            otp_length: IdpConfig::DEFAULT_OTP_LENGTH,
            users: Vec::new(),
        })
    }

    fn message(destination: &str, code: &str) -> OutboxMessage {
        OutboxMessage {
            channel: if destination.contains('@') { "email" } else { "sms" }.into(),
            destination: destination.into(),
            text: format!("Your Pizza on Demand code is {code}."),
            code: code.into(),
            time: "2025-01-01T00:00:00Z".into(),
        }
    }

    fn codes(messages: &[OutboxMessage]) -> Vec<&str> {
        messages.iter().map(|m| m.code.as_str()).collect()
    }

    #[test]
    fn the_outbox_keeps_only_the_newest_messages() {
        let idp = idp();
        for n in 0..OUTBOX_CAPACITY + 5 {
            idp.lock().post(message("ana@example.com", &n.to_string()));
        }
        let outbox = idp.outbox();
        assert_eq!(outbox.len(), OUTBOX_CAPACITY);
        assert_eq!(outbox.first().unwrap().code, "5", "the five oldest are forgotten");
        assert_eq!(outbox.last().unwrap().code, (OUTBOX_CAPACITY + 4).to_string());
    }

    #[tokio::test]
    async fn the_outbox_filters_by_destination_and_keeps_the_newest() {
        let idp = idp();
        for (destination, code) in [
            ("+14155550121", "1111"),
            ("ben@example.com", "2222"),
            ("+14155550121", "3333"),
            ("ben@example.com", "4444"),
        ] {
            idp.lock().post(message(destination, code));
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/auth0", listener.local_addr().unwrap());
        let app = Router::new().nest("/auth0", idp.router());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let http = reqwest::Client::new();
        let get = |query: &str| {
            let request = http.get(format!("{base}/outbox{query}"));
            async move {
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let codes_of = |body: &str| -> Vec<String> {
            let messages: Vec<Value> = serde_json::from_str(body).unwrap();
            messages.iter().map(|m| m["code"].as_str().unwrap().to_string()).collect()
        };

        let (status, all) = get("").await;
        assert_eq!(status, 200);
        assert_eq!(codes_of(&all), ["1111", "2222", "3333", "4444"], "no filter: everything, newest last");
        assert_eq!(codes_of(&get("?to=%2B14155550121").await.1), ["1111", "3333"]);
        assert_eq!(codes_of(&get("?to=%2B14155550121&last=1").await.1), ["3333"]);
        assert_eq!(codes_of(&get("?to=Ben%40Example.com&last=1").await.1), ["4444"], "emails match in any case");
        assert_eq!(codes_of(&get("?last=2").await.1), ["3333", "4444"]);
        assert_eq!(codes_of(&get("?to=nobody%40example.com&last=1").await.1), Vec::<String>::new());
        assert_eq!(get("?last=many").await.0, 400);

        assert_eq!(codes(&idp.outbox_newest(Some("ben@example.com"), 5)), ["2222", "4444"]);
        assert_eq!(codes(&idp.outbox_newest(None, 0)), Vec::<&str>::new());
    }

    #[test]
    fn a_latency_slows_every_call_but_the_outbox_and_passwordless_start_by_its_own_delay() {
        use std::time::Duration;
        let latency = IdpLatency { call: Duration::from_millis(80), passwordless_start: Duration::from_millis(400) };
        for path in ["/oauth/token", "/userinfo", "/api/v2/users/auth0%7C1", "/.well-known/jwks.json"] {
            assert_eq!(latency.for_path(path), Duration::from_millis(80), "{path}");
        }
        assert_eq!(latency.for_path("/passwordless/start"), Duration::from_millis(400));
        assert_eq!(latency.for_path("/passwordless/start/"), Duration::from_millis(400));
        assert_eq!(latency.for_path("/outbox"), Duration::ZERO);
        assert_eq!(IdpLatency::default().for_path("/passwordless/start"), Duration::ZERO);
    }
}
