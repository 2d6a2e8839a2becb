//! The web app through its router (`tower::ServiceExt::oneshot`), on the embedded
//! store in a temporary directory, with the ports' test doubles and a small fake
//! token endpoint on 127.0.0.1 that issues HS256 or RS256 ID tokens like Auth0's.

use axum::Router;
use axum::body::Body;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::{Request, Response, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pod_shared::config::Settings;
use pod_shared::domain::{
    ActivityEvent, ActivityKind, BudgetChange, BudgetState, Code, Destination, IfWrong, PhoneEnrollment, PhoneNumber,
    Pizza, Size, Source, Timestamp, Topping, Toppings, UserId,
};
use pod_shared::metrics::{CapturedLines, Metrics, check_emf_line};
use pod_shared::ports::{OrderStore, StoreError};
use pod_shared::service::{AuthorizeOutcome, OrderService};
use pod_shared::sessions::SessionStore;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FailingStore, FakeCodeDesk, FakeDirectory, ManualClock, RecordingSender};
use pod_web::{WebApp, WebSettings};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

const CLIENT_ID: &str = "pod-web-test";
const CLIENT_SECRET: &str = "a-client-secret-for-the-web-tests-0123456789";
const SESSION_KEY: &str = "a-session-key-for-the-web-tests-only-0123456789abcdef0123456789abcdef";
const APP_BASE_URL: &str = "http://127.0.0.1:3000";
const RIGHT_CODE: &str = "4217";
const WRONG_CODE: &str = "9999";

/// What the fake token endpoint answers for one authorization code.
struct Grant {
    id_token_claims: Value,
    code_challenge: String,
}

/// The token endpoint of a fake Auth0 tenant: codes are registered by the
/// test, checked with their PKCE verifier and the client's credentials, and
/// exchanged once for an ID token signed with the client secret.
#[derive(Clone, Default)]
struct FakeTokenEndpoint {
    grants: Arc<Mutex<HashMap<String, Grant>>>,
    requests: Arc<Mutex<usize>>,
    /// Signs ID tokens RS256 with the test key (published at the tenant's JWKS), not HS256.
    rs256: Arc<AtomicBool>,
}

/// The RSA test key and its JWKS (kid `pod-test-key`), shared with pod-shared's token tests.
const TEST_RSA_KEY: &[u8] = include_bytes!("../../../shared/tests/fixtures/test-rsa-private.pem");
const TEST_JWKS: &str = include_str!("../../../shared/tests/fixtures/jwks-test-key.json");

impl FakeTokenEndpoint {
    async fn serve(self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/tenant", listener.local_addr().unwrap());
        let router = Router::new()
            .route("/tenant/oauth/token", post(Self::token))
            .route("/tenant/.well-known/jwks.json", axum::routing::get(|| async { TEST_JWKS }))
            .with_state(self);
        tokio::spawn(async move { axum::serve(listener, router).await });
        base
    }

    fn grant(&self, code: &str, id_token_claims: Value, code_challenge: &str) {
        let grant = Grant { id_token_claims, code_challenge: code_challenge.to_string() };
        self.grants.lock().unwrap().insert(code.to_string(), grant);
    }

    fn requests(&self) -> usize {
        *self.requests.lock().unwrap()
    }

    async fn token(
        axum::extract::State(endpoint): axum::extract::State<Self>,
        axum::Form(form): axum::Form<HashMap<String, String>>,
    ) -> Response<Body> {
        *endpoint.requests.lock().unwrap() += 1;
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        let grant = endpoint.grants.lock().unwrap().remove(field("code"));
        let verifier_hash = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier").as_bytes()));
        let accepted = field("grant_type") == "authorization_code"
            && field("client_id") == CLIENT_ID
            && field("client_secret") == CLIENT_SECRET
            && field("redirect_uri") == format!("{APP_BASE_URL}/pod/app/oidc/callback")
            && grant.as_ref().is_some_and(|g| g.code_challenge == verifier_hash);
        let (status, body) = match grant.filter(|_| accepted) {
            Some(grant) => {
                let (header, key) = if endpoint.rs256.load(Ordering::SeqCst) {
                    let mut header = Header::new(Algorithm::RS256);
                    header.kid = Some("pod-test-key".into());
                    (header, EncodingKey::from_rsa_pem(TEST_RSA_KEY).unwrap())
                } else {
                    (Header::new(Algorithm::HS256), EncodingKey::from_secret(CLIENT_SECRET.as_bytes()))
                };
                let id_token = jsonwebtoken::encode(&header, &grant.id_token_claims, &key);
                let body = json!({"access_token": "opaque", "token_type": "Bearer", "id_token": id_token.unwrap()});
                (StatusCode::OK, body)
            }
            None => (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Invalid code"})),
        };
        Response::builder()
            .status(status)
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }
}

/// The web app over a fresh store, the fake directory (ana, ben) and a clock the test moves.
struct TestWeb {
    router: Router,
    service: OrderService,
    store: Arc<dyn OrderStore>,
    clock: Arc<ManualClock>,
    /// Where codes went (`sent()`); accepts [`RIGHT_CODE`] only.
    codes: Arc<FakeCodeDesk>,
    /// The notices the service sent (pauses, locks, a contact replaced).
    notices: Arc<RecordingSender>,
    tokens: FakeTokenEndpoint,
    issuer: String,
    /// The EMF lines of every request.
    metrics: Arc<CapturedLines>,
    _data: tempfile::TempDir,
}

impl TestWeb {
    async fn start() -> Self {
        Self::start_with_key(SESSION_KEY).await
    }

    async fn start_with_key(session_key: &str) -> Self {
        let data = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedOrderStore::open(data.path()).unwrap());
        Self::start_on(session_key, store.clone(), store, data, &[]).await
    }

    /// The web app with more settings than the usual ones.
    async fn start_with(extra: &[(&'static str, &str)]) -> Self {
        let data = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedOrderStore::open(data.path()).unwrap());
        Self::start_on(SESSION_KEY, store.clone(), store, data, extra).await
    }

    /// The web app over a working order store and a session store that fails every call.
    async fn start_sessions_failing(error: StoreError) -> Self {
        let data = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedOrderStore::open(data.path()).unwrap());
        Self::start_on(SESSION_KEY, store, Arc::new(FailingStore(error)), data, &[]).await
    }

    /// The web app over an order store that fails every call with `error` (sessions still work).
    async fn start_failing(error: StoreError) -> Self {
        let data = tempfile::tempdir().unwrap();
        let sessions = Arc::new(EmbeddedOrderStore::open(data.path()).unwrap());
        Self::start_on(SESSION_KEY, Arc::new(FailingStore(error)), sessions, data, &[]).await
    }

    async fn start_on(
        session_key: &str,
        store: Arc<dyn OrderStore>,
        sessions: Arc<dyn SessionStore>,
        data: tempfile::TempDir,
        extra: &[(&'static str, &str)],
    ) -> Self {
        Self::start_signing(session_key, store, sessions, data, extra, "HS256").await
    }

    /// The web app of a tenant whose ID tokens are signed with `id_token_algorithm`.
    async fn start_signing(
        session_key: &str,
        store: Arc<dyn OrderStore>,
        sessions: Arc<dyn SessionStore>,
        data: tempfile::TempDir,
        extra: &[(&'static str, &str)],
        id_token_algorithm: &str,
    ) -> Self {
        let tokens = FakeTokenEndpoint::default();
        tokens.rs256.store(id_token_algorithm == "RS256", Ordering::SeqCst);
        let tenant = tokens.clone().serve().await;
        let mut vars = HashMap::from([
            ("AUTH0_DOMAIN", tenant.clone()),
            ("API_ID", "https://pod.localtest.me".to_string()),
            ("API_SIGNING_KEY", "an-api-signing-key-for-the-web-tests-0123".to_string()),
            ("APP_CLIENT_ID", CLIENT_ID.to_string()),
            ("APP_CLIENT_SECRET", CLIENT_SECRET.to_string()),
            ("ID_TOKEN_ALGORITHM", id_token_algorithm.to_string()),
            ("APP_BASE_URL", APP_BASE_URL.to_string()),
            ("SESSION_KEY", session_key.to_string()),
            // A tenant whose passwordless codes live 5 minutes, so Pod's challenge may too.
            ("AUTH0_OTP_LIFETIME_SECONDS", "300".to_string()),
        ]);
        vars.extend(extra.iter().map(|(name, value)| (*name, value.to_string())));
        let lookup = |name: &str| vars.get(name).cloned();
        let settings = Settings::from_lookup(lookup).unwrap();
        let web_settings = WebSettings::from_lookup(lookup).unwrap();
        let directory = Arc::new(FakeDirectory::standard());
        let clock = Arc::new(ManualClock::at(Timestamp::now()));
        let codes = Arc::new(FakeCodeDesk::accepting(RIGHT_CODE));
        let notices = Arc::new(RecordingSender::default());
        let service =
            OrderService::new(store.clone(), directory.clone(), codes.clone(), clock.clone(), settings.challenge)
                .with_notices(notices.clone())
                .with_sessions(sessions.clone());
        let app = WebApp::new(service.clone(), web_settings, &settings.auth0).unwrap();
        let issuer = settings.auth0.endpoint.issuer();
        let metrics = Arc::new(CapturedLines::default());
        let router = pod_web::router_with_metrics(app, Metrics::to(metrics.clone()));
        Self { router, service, store, clock, codes, notices, tokens, issuer, metrics, _data: data }
    }

    /// The `Outcome` the last request's metrics counted it as (`other` for most pages).
    fn last_outcome(&self) -> String {
        let lines = self.metrics.lines();
        let mut outcomes = lines
            .iter()
            .map(|line| check_emf_line(line).unwrap())
            .filter_map(|line| line.get("Outcome").and_then(Value::as_str).map(str::to_string));
        outcomes.next_back().expect("a request was counted")
    }

    async fn send(&self, request: Request<Body>) -> Page {
        let response = self.router.clone().oneshot(request).await.unwrap();
        Page::read(response).await
    }

    async fn get(&self, path: &str, cookies: &str) -> Page {
        self.send(Request::get(path).header(COOKIE, cookies).body(Body::empty()).unwrap()).await
    }

    /// Starts a sign-in; returns the authorization request's parameters and the login cookie.
    async fn start_sign_in(&self, return_to: &str) -> (HashMap<String, String>, String) {
        let page = self.get(&format!("/pod/app/login?return_to={}", urlencoding::encode(return_to)), "").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let authorize = url::Url::parse(page.location()).unwrap();
        assert_eq!(authorize.path(), "/tenant/authorize");
        let params: HashMap<String, String> = authorize.query_pairs().into_owned().collect();
        (params, page.cookie_pair("pod_login").expect("a login cookie"))
    }

    /// ID token claims for `user` as the tenant would issue them.
    fn claims(&self, user: &str, nonce: &str) -> Value {
        let now = Timestamp::now().unix_seconds();
        json!({"iss": self.issuer, "sub": user, "aud": CLIENT_ID, "iat": now, "exp": now + 600, "nonce": nonce})
    }

    /// The identity provider's answer to a sign-in, as the browser brings it back.
    async fn callback(&self, query: &str, login_cookie: &str) -> Page {
        self.get(&format!("/pod/app/oidc/callback?{query}"), login_cookie).await
    }

    /// Signs `user` in through the whole flow; returns the session cookie.
    async fn sign_in(&self, user: &str) -> String {
        let (params, login_cookie) = self.start_sign_in("/pod/app/orders").await;
        let code = format!("code-for-{user}");
        self.tokens.grant(&code, self.claims(user, &params["nonce"]), &params["code_challenge"]);
        let page = self.callback(&format!("code={code}&state={}", params["state"]), &login_cookie).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), "/pod/app/orders");
        page.cookie_pair("pod_session").expect("a session cookie")
    }

    async fn place_order(&self, user: &str) -> String {
        let pizza = Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni]).unwrap() };
        let placed = self.service.place_order(&UserId::parse(user).unwrap(), pizza, Source::Web).await.unwrap();
        placed.order.id.to_string()
    }
}

/// A response, read whole.
struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Page {
    async fn read(response: Response<Body>) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        Self { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    fn location(&self) -> &str {
        self.headers.get(LOCATION).map(|v| v.to_str().unwrap()).unwrap_or_default()
    }

    /// The redirect's target as a request path: without its `#fragment`, which browsers keep to themselves.
    fn location_path(&self) -> &str {
        self.location().split('#').next().unwrap_or_default()
    }

    fn set_cookies(&self) -> Vec<&str> {
        self.headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect()
    }

    /// `name=value` of a cookie this response sets (not one it removes).
    fn cookie_pair(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .filter(|c| c.starts_with(&format!("{name}=")) && !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap().to_string())
            .next()
    }

    fn removes_cookie(&self, name: &str) -> bool {
        self.set_cookies().iter().any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0"))
    }

    /// The value of the sign-out form's hidden token.
    fn csrf_token(&self) -> String {
        let marker = r#"name="csrf_token" value=""#;
        let start = self.body.find(marker).expect("a sign-out form") + marker.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

fn is_sign_in_redirect(page: &Page, return_to: &str) -> bool {
    page.status == StatusCode::SEE_OTHER
        && page.location() == format!("/pod/app/login?return_to={}", urlencoding::encode(return_to))
}

#[tokio::test]
async fn a_sign_in_keeps_the_contacts_the_id_token_vouches_for_and_an_older_one_never_replaces_them() {
    let web = TestWeb::start().await;
    let ana = UserId::parse("auth0|ana").unwrap();
    let (params, login_cookie) = web.start_sign_in("/pod/app/profile").await;
    let mut claims = web.claims("auth0|ana", &params["nonce"]);
    claims["email"] = json!("ana@example.com");
    claims["email_verified"] = json!(true);
    claims["phone_number"] = json!("+14155550121");
    claims["phone_verified"] = json!("true");
    web.tokens.grant("c-contacts", claims, &params["code_challenge"]);
    let page = web.callback(&format!("code=c-contacts&state={}", params["state"]), &login_cookie).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let kept = web.store.sign_in_contacts(&ana).await.unwrap().expect("the sign-in's contacts are kept");
    assert_eq!(kept.email.as_ref().map(|e| e.as_str()), Some("ana@example.com"));
    assert!(kept.email_verified);
    assert_eq!(kept.phone.as_ref().map(|p| p.as_str()), Some("+14155550121"));
    assert!(!kept.phone_verified, "only JSON true verifies: the string \"true\" does not");

    // A malformed contact is left out, never stored half-checked.
    let (params, login_cookie) = web.start_sign_in("/pod/app/profile").await;
    let mut claims = web.claims("auth0|ana", &params["nonce"]);
    claims["phone_number"] = json!("0415 555 0121");
    claims["phone_verified"] = json!(true);
    web.clock.advance_seconds(60);
    web.tokens.grant("c-malformed", claims, &params["code_challenge"]);
    let page = web.callback(&format!("code=c-malformed&state={}", params["state"]), &login_cookie).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let kept = web.store.sign_in_contacts(&ana).await.unwrap().unwrap();
    assert_eq!((kept.phone, kept.phone_verified, kept.email), (None, false, None), "the newer sign-in's contacts");
}

#[tokio::test]
async fn pages_need_a_session_and_the_sign_in_comes_back_to_them() {
    let web = TestWeb::start().await;
    for path in ["/pod/app/orders", "/pod/app/profile", "/pod/app/orders/0190b6c1-0000-7000-8000-000000000000"] {
        assert!(is_sign_in_redirect(&web.get(path, "").await, path), "{path}");
    }
    assert!(is_sign_in_redirect(&web.get("/pod/app/orders?after=x", "").await, "/pod/app/orders?after=x"));

    let (params, login_cookie) = web.start_sign_in("/pod/app/profile").await;
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["redirect_uri"], "http://127.0.0.1:3000/pod/app/oidc/callback");
    assert_eq!(params["scope"], "openid profile email phone", "the contact claims the web app's profiles come from");
    assert_eq!(params["audience"], "https://pod.localtest.me");
    assert_eq!(params["code_challenge_method"], "S256");
    assert!(params["state"].len() >= 16 && params["nonce"].len() >= 16 && params["state"] != params["nonce"]);

    web.tokens.grant("c1", web.claims("auth0|ana", &params["nonce"]), &params["code_challenge"]);
    let page = web.callback(&format!("code=c1&state={}", params["state"]), &login_cookie).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/pod/app/profile");
    assert!(page.removes_cookie("pod_login"), "the login cookie is spent");
    let session = page.cookie_pair("pod_session").unwrap();
    let cookie = page.set_cookies().into_iter().find(|c| c.starts_with("pod_session=")).unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/pod/app", "Max-Age=28800"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain-HTTP localhost: no Secure");
    assert!(!cookie.contains("auth0|ana"), "the session cookie is encrypted");

    let profile = web.get("/pod/app/profile", &session).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("a•••@example.com"), "{}", profile.body);
    assert!(profile.body.contains("ending in 21"));
    assert!(profile.body.contains("your phone ending in 21"));
    assert!(!profile.body.contains("ana@example.com") && !profile.body.contains("4155550121"));
}

#[tokio::test]
async fn the_home_page_offers_sign_in_or_sign_out() {
    let web = TestWeb::start().await;
    let home = web.get("/pod/app/", "").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(r#"<html lang="en">"#));
    assert!(home.body.contains(r#"href="/pod/app/login""#));
    assert!(!home.body.contains("Sign out"));
    assert!(home.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(home.headers["cache-control"], "no-store");
    assert!(home.headers.get("strict-transport-security").is_none(), "plain-HTTP localhost: no HSTS");

    let session = web.sign_in("auth0|ben").await;
    let home = web.get("/pod/app/", &session).await;
    assert!(home.body.contains("Sign out"));
    assert!(home.body.contains(r#"href="/pod/app/orders""#));
    assert!(!home.csrf_token().is_empty());

    // Already signed in: "sign in" goes straight to the destination.
    let login = web.get("/pod/app/login?return_to=%2Fpod%2Fapp%2Fprofile", &session).await;
    assert_eq!(login.location(), "/pod/app/profile");
}

#[tokio::test]
async fn a_german_browser_gets_the_home_page_in_german_and_an_english_one_in_english() {
    let web = TestWeb::start().await;
    let german = |cookies: &str| {
        Request::get("/pod/app/")
            .header(COOKIE, cookies)
            .header(ACCEPT_LANGUAGE, "de-DE,de;q=0.9,en;q=0.8")
            .body(Body::empty())
            .unwrap()
    };
    let home = web.send(german("")).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(r#"<html lang="de">"#), "{}", home.body);
    assert!(home.body.contains("<title>Start · Pizza on Demand</title>"), "{}", home.body);
    assert!(home.body.contains(">Anmelden</a>"), "{}", home.body);
    assert!(home.body.contains("Warum ein Code?"), "{}", home.body);
    assert!(home.body.contains("<q>Bestellung bestätigen vier zwei eins sieben</q>"), "{}", home.body);
    assert!(home.body.contains(">Datenschutzerklärung</a>"), "{}", home.body);
    assert!(!home.body.contains("Sign in"), "{}", home.body);
    assert!(home.headers["vary"].to_str().unwrap().contains("accept-language"));

    let session = web.sign_in("auth0|ben").await;
    let home = web.send(german(&session)).await;
    assert!(
        home.body.contains(r#"Sie sind angemeldet. Sehen Sie sich <a href="/pod/app/orders">Ihre Bestellungen</a> an"#)
    );
    assert!(home.body.contains(">Abmelden</button>"), "{}", home.body);
    assert!(home.body.contains(">Meine Bestellungen</a>"), "{}", home.body);

    let english = web
        .send(Request::get("/pod/app/").header(ACCEPT_LANGUAGE, "fr-FR, en-GB;q=0.5").body(Body::empty()).unwrap())
        .await;
    assert!(english.body.contains(r#"<html lang="en">"#) && english.body.contains("Why a code?"), "{}", english.body);
}

const GERMAN: &str = "de-DE,de;q=0.9,en;q=0.8";

impl TestWeb {
    /// `path` as a German browser asks for it.
    async fn get_german(&self, path: &str, cookies: &str) -> Page {
        let request = Request::get(path).header(COOKIE, cookies).header(ACCEPT_LANGUAGE, GERMAN);
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// A form as a German browser sends it, from the app's own origin.
    async fn post_german(&self, path: &str, cookies: &str, body: &str) -> Page {
        let request = Request::post(path)
            .header(COOKIE, cookies)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ORIGIN, APP_BASE_URL)
            .header(ACCEPT_LANGUAGE, GERMAN);
        self.send(request.body(Body::from(body.to_string())).unwrap()).await
    }
}

/// `page` is a German page that says each of `says` and none of the English phrases `not`.
fn is_german(page: &Page, says: &[&str], not: &[&str]) {
    assert!(page.body.contains(r#"<html lang="de">"#), "{}", page.body);
    for said in says {
        assert!(page.body.contains(said), "says {said:?}: {}", page.body);
    }
    // Every page's words: the navigation and footer are German too.
    for english in not.iter().chain(&["Sign in", "Sign out", "Privacy policy", "Skip to content"]) {
        assert!(!page.body.contains(english), "no English {english:?}: {}", page.body);
    }
}

#[tokio::test]
async fn a_german_browser_gets_every_page_in_german() {
    let web = TestWeb::start().await;
    let policy = web.get_german("/pod/app/policy", "").await;
    let says = ["<h1>Datenschutzerklärung</h1>", "400 Tage", "einen Tag", "8 Stunden", "DELETE /pod/api/me"];
    is_german(&policy, &says, &["What we keep", "400 days", "How to delete", "Delete my data", "until you delete"]);
    let missing = web.get_german("/pod/app/no-such-page", "").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    is_german(&missing, &["<h1>Nicht gefunden</h1>", ">Zur Startseite</a>"], &["Not found", "Go to the home page"]);

    let ana = web.sign_in("auth0|ana").await;
    let empty = web.get_german("/pod/app/orders", &ana).await;
    is_german(&empty, &["<h1>Meine Bestellungen</h1>", "Noch keine Bestellungen."], &["No orders yet", "My orders"]);
    let id = web.place_order("auth0|ana").await;
    let orders = web.get_german("/pod/app/orders", &ana).await;
    let says = [
        "Wartet auf Ihren Code",
        "Große Pizza mit Salami",
        "Gesendet an Ihre Telefonnummer mit Endziffern",
        "noch 3 Versuche.",
        "(in 5 Minuten)",
        r#"data-text-updating="Diese Liste aktualisiert sich von selbst.""#,
        "Ihre Bestellungen, neueste zuerst",
    ];
    let english =
        ["Waiting for your code", "Large pizza", "Sent to your", "tries left", "minutes", "updates by itself"];
    is_german(&orders, &says, &english);
    let live = web.get_german("/pod/app/orders/live", &ana).await;
    assert!(live.body.contains("Wartet auf Ihren Code") && !live.body.contains("Waiting"), "{}", live.body);
    let order = web.get_german(&format!("/pod/app/orders/{id}"), &ana).await;
    let says = ["<dt>Bestellnummer</dt>", "<dd>groß</dd>", "<dd>Salami</dd>", " an Pizza on Demand", "UTC</time>"];
    is_german(&order, &says, &["Order number", "Last change", "Toppings", " to Pizza on Demand", "All my orders"]);
    let months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober"];
    let mut months = months.iter().chain(&["November", "Dezember"]);
    assert!(months.any(|m| order.body.contains(&format!(". {m} 20"))), "a German date: {}", order.body);

    let activity = web.get_german("/pod/app/activity", &ana).await;
    let says = ["<h1>Aktivität</h1>", "Bestellcode gesendet an Telefonnummer mit Endziffern", ">Web</td>"];
    is_german(&activity, &says, &["Order code sent", "Your activity", "newest first"]);
    let profile = web.get_german("/pod/app/profile", &ana).await;
    is_german(&profile, &["<h1>Ihr Profil</h1>", "Codes gehen an"], &["Your profile", "None on file", "Codes go"]);
    let security = web.get_german("/pod/app/security", &ana).await;
    let says = ["<h1>Sicherheit</h1>", "Die Sprachbestellung ist offen.", "Wohin Codes gehen", ">Code senden</button>"];
    let english = ["Voice ordering", "Where codes go", "Send a code", "wrong codes", "Your data", "Delete my data"];
    is_german(&security, &says, &english);
    let erase = web.get_german("/pod/app/security/erase", &ana).await;
    let says = ["<h1>Meine Daten löschen</h1>", ">Meine Daten löschen</button>", ">Meine Daten behalten</a>"];
    is_german(&erase, &says, &["Delete my data", "Keep my data", "your orders"]);

    // Voice ordering paused: its state, and the answer to the forms, in German.
    web.wrong_codes_until_paused("auth0|ana").await;
    let paused = web.get_german("/pod/app/security", &ana).await;
    let says =
        [">Pausiert</span>", "pausiert bis <time datetime=", "Noch 5 falsche Codes sperren sie", "entsperren</button>"];
    is_german(&paused, &says, &["Paused", "paused until", "more wrong", "Unlock"]);
    let token = paused.csrf_token();
    let refused = web.post_german("/pod/app/security/phone", &ana, &format!("csrf_token={token}&phone=12")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    is_german(&refused, &["Eine Telefonnummer muss im Format E.164 sein"], &["A phone number must"]);
    let refused =
        web.post_german("/pod/app/security/phone", &ana, &format!("csrf_token={token}&phone=%2B4915112345678")).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    is_german(&refused, &["daher wurde kein Code gesendet"], &["so no code was sent", "Voice ordering"]);
    let foreign = web.post_german("/pod/app/security/unlock", &ana, "csrf_token=guess").await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    is_german(&foreign, &["<h1>Entsperren abgelehnt</h1>", ">Zur Seite Sicherheit</a>"], &["Unlock refused", "Go to"]);

    let erased = web.post_german("/pod/app/security/erase", &ana, &format!("csrf_token={token}")).await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.body);
    is_german(
        &erased,
        &["<h1>Ihre Daten sind gelöscht</h1>", "und Sie abgemeldet"],
        &["Your data is deleted", "deleted your"],
    );
}

#[tokio::test]
async fn a_german_browser_gets_sign_in_failures_and_the_live_tables_answers_in_german() {
    let web = TestWeb::start().await;
    let denied = web.get_german("/pod/app/oidc/callback?error=access_denied&state=x", "").await;
    assert_eq!(denied.status, StatusCode::BAD_REQUEST);
    let says = ["<h1>Anmeldung fehlgeschlagen</h1>", ">Erneut anmelden</a>"];
    is_german(&denied, &says, &["Sign-in failed", "You were not signed in"]);
    let signed_out = web.get_german("/pod/app/orders/live", "").await;
    assert_eq!((signed_out.status, signed_out.body.as_str()), (StatusCode::UNAUTHORIZED, "Abgemeldet."));
}

#[tokio::test]
async fn tampered_foreign_or_garbage_cookies_read_as_signed_out() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    assert_eq!(web.get("/pod/app/orders", &session).await.status, StatusCode::OK);

    let (name, value) = session.split_once('=').unwrap();
    let mut tampered: Vec<char> = value.chars().collect();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == 'A' { 'B' } else { 'A' };
    let tampered = format!("{name}={}", tampered.into_iter().collect::<String>());

    let other_web = TestWeb::start_with_key(&"another-session-key-".repeat(4)).await;
    let foreign = other_web.sign_in("auth0|ana").await;

    for cookie in [tampered.as_str(), foreign.as_str(), "pod_session=garbage", "pod_session=", "pod_session"] {
        let page = web.get("/pod/app/orders", cookie).await;
        assert!(is_sign_in_redirect(&page, "/pod/app/orders"), "{cookie}: {}", page.status);
        let home = web.get("/pod/app/", cookie).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(!home.body.contains("Sign out"), "{cookie}");
        assert_eq!(web.get("/pod/app/orders/live", cookie).await.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_callback_that_does_not_match_its_sign_in_is_refused_without_a_session() {
    let web = TestWeb::start().await;
    let (params, login_cookie) = web.start_sign_in("/pod/app/orders").await;
    web.tokens.grant("c1", web.claims("auth0|ana", &params["nonce"]), &params["code_challenge"]);
    let state = &params["state"];

    let cases = [
        (format!("code=c1&state=not-{state}"), login_cookie.as_str(), "does not belong to this sign-in"),
        ("code=c1".to_string(), login_cookie.as_str(), "does not belong to this sign-in"),
        (format!("state={state}"), login_cookie.as_str(), "no authorization code"),
        (format!("code=c1&state={state}"), "", "has expired or was started in another browser"),
        (format!("code=c1&state={state}"), "pod_login=forged", "has expired or was started in another browser"),
        ("error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E".to_string(), login_cookie.as_str(), "cancelled"),
        ("error=server_error".to_string(), "", "could not sign you in"),
    ];
    for (query, cookie, says) in cases {
        let page = web.callback(&query, cookie).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains("Sign-in failed") && page.body.contains(says), "{query}: {}", page.body);
        assert!(page.cookie_pair("pod_session").is_none(), "{query}: no session");
        assert!(!page.body.contains("<b>"), "the identity provider's text is not echoed");
    }
    assert_eq!(web.tokens.requests(), 0, "no code was exchanged");

    // A sign-in older than ten minutes is forgotten.
    web.clock.advance_seconds(10 * 60 + 1);
    let page = web.callback(&format!("code=c1&state={state}"), &login_cookie).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("has expired"));
    assert_eq!(web.tokens.requests(), 0);
}

#[tokio::test]
async fn an_id_token_that_fails_validation_creates_no_session() {
    let web = TestWeb::start().await;
    let expired = json!(Timestamp::now().unix_seconds() - 600);
    let cases = [
        ("another nonce", "nonce", Some(json!("another-nonce"))),
        ("no nonce", "nonce", None),
        ("another audience", "aud", Some(json!("https://pod.localtest.me"))),
        ("another issuer", "iss", Some(json!("https://evil.example/"))),
        ("expired", "exp", Some(expired)),
    ];
    for (case, claim, value) in cases {
        let (params, login_cookie) = web.start_sign_in("/pod/app/orders").await;
        let mut claims = web.claims("auth0|ana", &params["nonce"]);
        match value {
            Some(value) => claims[claim] = value,
            None => {
                claims.as_object_mut().unwrap().remove(claim);
            }
        }
        web.tokens.grant("c1", claims, &params["code_challenge"]);
        let page = web.callback(&format!("code=c1&state={}", params["state"]), &login_cookie).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{case}");
        assert!(page.body.contains("could not be verified"), "{case}");
        assert!(page.cookie_pair("pod_session").is_none(), "{case}");
    }

    // A code the identity provider refuses (here: never issued).
    let (params, login_cookie) = web.start_sign_in("/pod/app/orders").await;
    let page = web.callback(&format!("code=unknown&state={}", params["state"]), &login_cookie).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.cookie_pair("pod_session").is_none());
}

#[tokio::test]
async fn the_pinned_id_token_algorithm_signs_in_and_the_other_one_is_refused() {
    for pinned in ["RS256", "HS256"] {
        let data = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedOrderStore::open(data.path()).unwrap());
        let web = TestWeb::start_signing(SESSION_KEY, store.clone(), store, data, &[], pinned).await;
        let session = web.sign_in("auth0|ana").await;
        assert_eq!(web.get("/pod/app/profile", &session).await.status, StatusCode::OK, "{pinned}");

        // The tenant now signs the other way (the RS256 key's JWKS stays published): refused.
        web.tokens.rs256.store(pinned == "HS256", Ordering::SeqCst);
        let (params, login_cookie) = web.start_sign_in("/pod/app/orders").await;
        web.tokens.grant("c1", web.claims("auth0|ana", &params["nonce"]), &params["code_challenge"]);
        let page = web.callback(&format!("code=c1&state={}", params["state"]), &login_cookie).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{pinned} pinned");
        assert!(page.body.contains("could not be verified"), "{pinned} pinned");
        assert!(page.cookie_pair("pod_session").is_none(), "{pinned} pinned");
    }
}

#[tokio::test]
async fn only_paths_of_the_web_app_are_destinations_after_sign_in() {
    let web = TestWeb::start().await;
    let cases = [
        ("https://evil.example/", "/pod/app/orders"),
        ("//evil.example/pod/app/", "/pod/app/orders"),
        ("/pod/apples", "/pod/app/orders"),
        ("/pod/app/oidc/callback", "/pod/app/orders"),
        ("/pod/app/orders?after=x", "/pod/app/orders?after=x"),
        ("/pod/app/", "/pod/app/"),
    ];
    for (asked, expected) in cases {
        let (params, login_cookie) = web.start_sign_in(asked).await;
        web.tokens.grant("c1", web.claims("auth0|ana", &params["nonce"]), &params["code_challenge"]);
        let page = web.callback(&format!("code=c1&state={}", params["state"]), &login_cookie).await;
        assert_eq!(page.location(), expected, "{asked}");
    }
}

#[tokio::test]
async fn orders_show_their_total_in_their_currency_and_the_order_page_its_lines() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let dollars = web.place_order("auth0|ana").await;
    let pizza = Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni]).unwrap() };
    let ana = UserId::parse("auth0|ana").unwrap();
    let pounds = web
        .service
        .place_priced_order(&ana, pizza, pod_shared::domain::Currency::Gbp, Source::Web)
        .await
        .unwrap()
        .order
        .id
        .to_string();
    let page = web.get("/pod/app/orders", &session).await;
    assert!(page.body.contains(r#"<th scope="col">Total</th>"#), "{}", page.body);
    assert!(page.body.contains(r#"<td data-label="Total" class="total">$15.75</td>"#), "{}", page.body);
    assert!(page.body.contains(r#"<td data-label="Total" class="total">£12.50</td>"#), "{}", page.body);
    let live = web.get("/pod/app/orders/live", &session).await;
    assert!(live.body.contains("$15.75") && live.body.contains("£12.50"), "the live table shows totals too");

    let detail = web.get(&format!("/pod/app/orders/{dollars}"), &session).await;
    assert!(detail.body.contains(r#"<dd class="total">$15.75 to Pizza on Demand</dd>"#), "{}", detail.body);
    assert!(detail.body.contains(r#"<tr><th scope="row">Large pizza</th><td>$14.00</td></tr>"#), "{}", detail.body);
    assert!(detail.body.contains(r#"<tr><th scope="row">Pepperoni</th><td>$1.75</td></tr>"#));
    let detail = web.get(&format!("/pod/app/orders/{pounds}"), &session).await;
    assert!(detail.body.contains(r#"<dd class="total">£12.50 to Pizza on Demand</dd>"#), "{}", detail.body);
    assert!(detail.body.contains(r#"<tr><th scope="row">Large pizza</th><td>£11.00</td></tr>"#));
}

#[tokio::test]
async fn orders_show_their_status_and_where_a_pending_code_went() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let page = web.get("/pod/app/orders", &session).await;
    assert!(page.body.contains("No orders yet"));
    assert!(page.body.contains(r#"data-live-url="/pod/app/orders/live""#));
    assert!(page.body.contains(r#"<script src="/pod/app/static/orders.js" defer></script>"#));

    let id = web.place_order("auth0|ana").await;
    let page = web.get("/pod/app/orders", &session).await;
    assert!(page.body.contains(&format!(r#"data-order-id="{id}" data-status="pending""#)), "{}", page.body);
    assert!(page.body.contains("Large pizza with pepperoni"));
    assert!(page.body.contains("Sent to your phone ending in 21"));
    assert!(page.body.contains("(in 5 minutes); 3 tries left."));

    let live = web.get("/pod/app/orders/live", &session).await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(live.body.trim_start().starts_with("<table"), "a fragment, not a page");
    assert!(live.body.contains(r#"data-status="pending""#));

    let code = Code::parse(RIGHT_CODE).unwrap();
    let outcome =
        web.service.authorize_pending(&UserId::parse("auth0|ana").unwrap(), &code, Source::Web).await.unwrap();
    assert!(matches!(outcome, AuthorizeOutcome::Confirmed(_)));
    let live = web.get("/pod/app/orders/live", &session).await;
    assert!(live.body.contains(r#"data-status="confirmed""#));
    assert!(live.body.contains("Code accepted."));

    let detail = web.get(&format!("/pod/app/orders/{id}"), &session).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("<h1>Large pizza with pepperoni</h1>"));
    assert!(detail.body.contains(&id));

    let older = web.get(&format!("/pod/app/orders?after={id}"), &session).await;
    assert_eq!(older.status, StatusCode::OK);
    assert!(older.body.contains("No orders yet") && !older.body.contains("data-live-url"));
    assert_eq!(web.get("/pod/app/orders?after=not-an-id", &session).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_users_order_is_the_same_404_as_an_unknown_one() {
    let web = TestWeb::start().await;
    let bens = web.place_order("auth0|ben").await;
    let session = web.sign_in("auth0|ana").await;
    let foreign = web.get(&format!("/pod/app/orders/{bens}"), &session).await;
    let unknown = web.get("/pod/app/orders/0190b6c1-0000-7000-8000-000000000000", &session).await;
    let malformed = web.get("/pod/app/orders/not-an-id", &session).await;
    for page in [&foreign, &unknown, &malformed] {
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert_eq!(page.body, unknown.body);
    }
    assert!(!foreign.body.contains(&bens));
    assert!(!web.get("/pod/app/orders", &session).await.body.contains(&bens));
}

#[tokio::test]
async fn signing_out_needs_the_sessions_csrf_token() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let token = web.get("/pod/app/", &session).await.csrf_token();
    let logout = |body: String, origin: Option<&str>| {
        let mut request = Request::post("/pod/app/logout")
            .header(COOKIE, &session)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        request.body(Body::from(body)).unwrap()
    };

    let refused = [
        (String::new(), None),
        ("csrf_token=".to_string(), None),
        ("csrf_token=guess".to_string(), Some(APP_BASE_URL)),
        (format!("csrf_token={token}"), Some("https://evil.example")),
    ];
    for (body, origin) in refused {
        let page = web.send(logout(body.clone(), origin)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{body} from {origin:?}");
        assert!(page.set_cookies().is_empty());
        assert_eq!(web.get("/pod/app/orders", &session).await.status, StatusCode::OK, "still signed in");
    }

    let page = web.send(logout(format!("csrf_token={token}"), Some(APP_BASE_URL))).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().contains("/v2/logout?"), "on to the identity provider: {}", page.location());
    assert!(page.removes_cookie("pod_session"));
    assert_eq!(web.get("/pod/app/logout", &session).await.status, StatusCode::METHOD_NOT_ALLOWED);
}

impl TestWeb {
    /// Signs out with the session's own token, as the Sign out button does.
    async fn sign_out(&self, session: &str) -> Page {
        let token = self.get("/pod/app/", session).await.csrf_token();
        self.post_form("/pod/app/logout", session, &format!("csrf_token={token}"), Some(APP_BASE_URL)).await
    }
}

#[tokio::test]
async fn signing_out_goes_on_to_the_identity_providers_logout_with_client_id_and_return_to() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let page = web.sign_out(&session).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let logout = url::Url::parse(page.location()).unwrap();
    let tenant = url::Url::parse(&web.issuer).unwrap();
    assert_eq!(logout.origin(), tenant.origin());
    assert_eq!(logout.path(), "/tenant/v2/logout", "Auth0's logout endpoint under AUTH0_DOMAIN");
    let params: HashMap<String, String> = logout.query_pairs().into_owned().collect();
    assert_eq!(params.len(), 2, "{params:?}");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["returnTo"], "http://127.0.0.1:3000/pod/app/");
    assert!(page.removes_cookie("pod_session"));
}

#[tokio::test]
async fn a_copied_session_cookie_is_refused_after_sign_out() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let copy = session.clone();
    assert_eq!(web.get("/pod/app/orders", &copy).await.status, StatusCode::OK);
    assert_eq!(web.sign_out(&session).await.status, StatusCode::SEE_OTHER);
    // The browser forgot the cookie; whoever kept a copy holds a cookie that still
    // decrypts, but its session record is revoked.
    assert!(is_sign_in_redirect(&web.get("/pod/app/orders", &copy).await, "/pod/app/orders"));
    assert!(is_sign_in_redirect(&web.get("/pod/app/security", &copy).await, "/pod/app/security"));
    assert_eq!(web.get("/pod/app/orders/live", &copy).await.status, StatusCode::UNAUTHORIZED);
    let home = web.get("/pod/app/", &copy).await;
    assert!(!home.body.contains("Sign out"), "the home page shows the copy as signed out");
    // Moving the clock does not bring it back, and signing in again makes a new session.
    web.clock.advance_seconds(120);
    assert_eq!(web.get("/pod/app/orders/live", &copy).await.status, StatusCode::UNAUTHORIZED);
    let again = web.sign_in("auth0|ana").await;
    assert_ne!(again, copy);
    assert_eq!(web.get("/pod/app/orders", &again).await.status, StatusCode::OK);
    assert_eq!(web.get("/pod/app/orders/live", &copy).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout_without_a_request() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    // Used every 29 minutes, it lives on.
    for _ in 0..3 {
        web.clock.advance_seconds(29 * 60);
        assert_eq!(web.get("/pod/app/orders", &session).await.status, StatusCode::OK);
    }
    web.clock.advance_seconds(30 * 60);
    assert!(is_sign_in_redirect(&web.get("/pod/app/orders", &session).await, "/pod/app/orders"));
    assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::UNAUTHORIZED);
    // A request after the timeout did not revive it.
    web.clock.advance_seconds(1);
    assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_request_within_a_minute_of_the_last_recorded_use_writes_nothing() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    // 59 seconds after sign-in: not recorded, so the idle timeout still runs from sign-in.
    web.clock.advance_seconds(59);
    assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::OK);
    web.clock.advance_seconds(30 * 60 - 59);
    assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_idle_timeout_follows_session_idle_minutes() {
    let web = TestWeb::start_with(&[("SESSION_IDLE_MINUTES", "5")]).await;
    let session = web.sign_in("auth0|ana").await;
    web.clock.advance_seconds(5 * 60 - 1);
    assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::OK);
    web.clock.advance_seconds(5 * 60);
    assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_ends_after_eight_hours_however_much_it_is_used() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let last_second = 8 * 60 * 60 - 1;
    let mut elapsed = 0;
    while elapsed + 20 * 60 < last_second {
        web.clock.advance_seconds(20 * 60);
        elapsed += 20 * 60;
        assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::OK, "{elapsed} s in");
    }
    web.clock.advance_seconds(last_second - elapsed);
    assert_eq!(web.get("/pod/app/orders", &session).await.status, StatusCode::OK);
    web.clock.advance_seconds(1);
    assert!(is_sign_in_redirect(&web.get("/pod/app/orders", &session).await, "/pod/app/orders"));
    assert_eq!(web.get("/pod/app/orders/live", &session).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_idle_session_still_signs_out_of_the_identity_provider_with_its_token() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let token = web.get("/pod/app/", &session).await.csrf_token();
    web.clock.advance_seconds(31 * 60);
    let guessed = web.post_form("/pod/app/logout", &session, "csrf_token=guess", Some(APP_BASE_URL)).await;
    assert_eq!(guessed.status, StatusCode::FORBIDDEN, "the token is still checked");
    let page = web.post_form("/pod/app/logout", &session, &format!("csrf_token={token}"), Some(APP_BASE_URL)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().contains("/v2/logout?client_id="), "{}", page.location());
    // Without any session cookie, sign-out just goes home.
    let none = web.post_form("/pod/app/logout", "", "csrf_token=x", Some(APP_BASE_URL)).await;
    assert_eq!((none.status, none.location()), (StatusCode::SEE_OTHER, "/pod/app/"));
}

#[tokio::test]
async fn pages_say_unavailable_when_the_session_store_is_down() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let down = TestWeb::start_sessions_failing(StoreError::Unavailable("test".into())).await;
    for path in ["/pod/app/orders", "/pod/app/", "/pod/app/orders/live"] {
        let page = down.get(path, &session).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(down.last_outcome(), "store_unavailable", "{path}");
    }
    let (params, login_cookie) = down.start_sign_in("/pod/app/orders").await;
    down.tokens.grant("c9", down.claims("auth0|ana", &params["nonce"]), &params["code_challenge"]);
    let page = down.callback(&format!("code=c9&state={}", params["state"]), &login_cookie).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "no session without a record");
    assert_eq!(down.last_outcome(), "store_unavailable");
    assert!(page.cookie_pair("pod_session").is_none());
}

#[tokio::test]
async fn unknown_paths_and_assets() {
    let web = TestWeb::start().await;
    let page = web.get("/pod/app/nothing-here", "").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<h1>Not found</h1>"));
    let css = web.get("/pod/app/static/pod.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(css.body.contains(":focus-visible"));
    assert_eq!(web.get("/pod/app/static/orders.js", "").await.status, StatusCode::OK);
    assert_eq!(web.get("/pod/app/static/../Cargo.toml", "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(web.get("/pod/app/policy", "").await.status, StatusCode::OK);
    assert_eq!(web.get("/pod/app", "").await.status, StatusCode::PERMANENT_REDIRECT);
}

// ------------------------------------------------------------ activity and security

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

impl TestWeb {
    /// A code said for the user's pending order, as the skill would check it.
    async fn say_code(&self, id: &str, code: &str) -> AuthorizeOutcome {
        self.service.authorize_pending(&user(id), &Code::parse(code).unwrap(), Source::Voice).await.unwrap()
    }

    /// Orders and gives wrong codes (three per order, then a new order) until voice
    /// ordering pauses; returns until when.
    async fn wrong_codes_until_paused(&self, id: &str) -> Timestamp {
        for _ in 0..self.service.budget_policy().pause_after() {
            self.place_order(id).await;
            for _ in 0..3 {
                match self.say_code(id, WRONG_CODE).await {
                    AuthorizeOutcome::WrongCode { account: IfWrong::Paused { until, .. }, .. }
                    | AuthorizeOutcome::Locked { account: IfWrong::Paused { until, .. }, .. } => return until,
                    AuthorizeOutcome::WrongCode { .. } => {}
                    AuthorizeOutcome::Locked { .. } => break,
                    other => panic!("a wrong code, not {other:?}"),
                }
            }
        }
        panic!("voice ordering never paused")
    }

    /// Uses up the user's whole guess budget straight through the store, each guess
    /// after the pause before it ran out, so the lock lies in the (recent) past.
    async fn lock_through_the_store(&self, id: &str) -> Timestamp {
        let policy = self.service.budget_policy().clone();
        let mut at = Timestamp::from_unix_millis(self.service.now().unix_millis() - 3 * 24 * 3600 * 1000);
        loop {
            let reserve = BudgetChange::Reserve { now: at, policy: policy.clone() };
            let write = self.store.change_budget(&user(id), &reserve).await.unwrap();
            match write.after.state_at(at) {
                BudgetState::Locked { since } => return since,
                BudgetState::Paused { until, .. } => at = until,
                BudgetState::Open { .. } => {}
            }
        }
    }

    async fn voice_ordering(&self, id: &str) -> BudgetState {
        self.service.guess_budget(&user(id)).await.unwrap().state_at(self.service.now())
    }

    /// `POST /pod/app/security/unlock` with `body`, from `origin` if given.
    async fn unlock(&self, cookies: &str, body: &str, origin: Option<&str>) -> Page {
        let mut request = Request::post("/pod/app/security/unlock")
            .header(COOKIE, cookies)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap()).await
    }
}

impl Page {
    /// The `data-kind`s of the activity rows, top to bottom.
    fn activity_kinds(&self) -> Vec<&str> {
        self.body.split(r#"<tr data-kind=""#).skip(1).map(|rest| rest.split('"').next().unwrap()).collect()
    }

    /// The `datetime`s of the activity rows' times, top to bottom.
    fn activity_times(&self) -> Vec<&str> {
        self.body
            .split(r#"<tr data-kind=""#)
            .skip(1)
            .map(|row| row.split(r#"<time datetime=""#).nth(1).unwrap().split('"').next().unwrap())
            .collect()
    }

    /// The "Older" link, if the page has one.
    fn older_link(&self) -> Option<String> {
        let marker = r#"<a href="/pod/app/activity?after="#;
        let start = self.body.find(marker)? + r#"<a href=""#.len();
        Some(self.body[start..].split('"').next().unwrap().to_string())
    }

    fn offers_unlock(&self) -> bool {
        self.body.contains(r#"<form class="unlock" method="post" action="/pod/app/security/unlock">"#)
    }
}

#[tokio::test]
async fn activity_and_security_need_a_session() {
    let web = TestWeb::start().await;
    for path in ["/pod/app/activity", "/pod/app/security", "/pod/app/activity?after=x"] {
        assert!(is_sign_in_redirect(&web.get(path, "").await, path), "{path}");
    }
    // The unlock form without a session: sign in, then back to the security page; nothing changes.
    web.wrong_codes_until_paused("auth0|ana").await;
    let page = web.unlock("", "csrf_token=anything", Some(APP_BASE_URL)).await;
    assert!(is_sign_in_redirect(&page, "/pod/app/security"), "{} {}", page.status, page.location());
    assert!(matches!(web.voice_ordering("auth0|ana").await, BudgetState::Paused { .. }));
    let session = web.sign_in("auth0|ana").await;
    assert_eq!(web.get("/pod/app/security/unlock", &session).await.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_activity_page_lists_the_users_own_steps_newest_first() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let empty = web.get("/pod/app/activity", &session).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Nothing here yet"), "{}", empty.body);
    assert!(empty.body.contains(r#"href="/pod/app/activity" aria-current="page""#));
    assert!(empty.older_link().is_none());

    // Ben's steps are his alone.
    let bens = web.place_order("auth0|ben").await;
    web.say_code("auth0|ben", WRONG_CODE).await;

    let anas = web.place_order("auth0|ana").await;
    web.clock.advance_seconds(60);
    assert!(matches!(web.say_code("auth0|ana", WRONG_CODE).await, AuthorizeOutcome::WrongCode { .. }));
    web.clock.advance_seconds(60);
    assert!(matches!(web.say_code("auth0|ana", RIGHT_CODE).await, AuthorizeOutcome::Confirmed(_)));

    let page = web.get("/pod/app/activity", &session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.activity_kinds(), ["confirmed", "wrong_code", "code_sent"], "{}", page.body);
    let times = page.activity_times();
    assert!(times[0] > times[1] && times[1] > times[2], "{times:?}");
    assert!(page.body.contains("<td data-label=\"From\">voice</td>"));
    assert!(page.body.contains("<td data-label=\"From\">web</td>"));
    assert!(page.body.contains("Right code given: confirmed"));
    assert!(page.body.contains("Wrong code given"));
    assert!(page.body.contains("Order code sent to phone ending in 21"));
    assert!(page.body.contains(&format!(r#"href="/pod/app/orders/{anas}""#)), "entries link their order");
    for secret in [RIGHT_CODE, WRONG_CODE, "4155550121", "ana@example.com", "ben@example.com", "b•••", &bens] {
        assert!(!page.body.contains(secret), "{secret} on the page");
    }
    assert!(page.older_link().is_none(), "three entries fit one page");

    // Twenty-two more: twenty a page, and "Older" goes on where the first page stopped.
    for _ in 0..22 {
        web.clock.advance_seconds(60);
        let event = ActivityEvent::new(&user("auth0|ana"), web.service.now(), Source::Api, ActivityKind::WrongCode);
        web.store.record_activity(&event).await.unwrap();
    }
    let first = web.get("/pod/app/activity", &session).await;
    assert_eq!(first.activity_kinds().len(), 20);
    let older = first.older_link().expect("an Older link");
    let second = web.get(&older, &session).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.activity_kinds(), ["wrong_code", "wrong_code", "confirmed", "wrong_code", "code_sent"]);
    assert!(second.older_link().is_none(), "the last page");
    assert!(second.body.contains("Back to your newest activity"));
    let all: Vec<&str> = first.activity_times().into_iter().chain(second.activity_times()).collect();
    assert_eq!(all.len(), 25);
    assert!(all.windows(2).all(|pair| pair[0] > pair[1]), "newest first, nothing twice: {all:?}");

    // Ben's record is not Ana's, whatever the cursor.
    let bens_page = web.get("/pod/app/activity", &web.sign_in("auth0|ben").await).await;
    assert_eq!(bens_page.activity_kinds(), ["wrong_code", "code_sent"]);
    assert!(bens_page.body.contains("email b•••@example.com"));

    for bad in ["not-an-id", "", "0190b6c1-0000-7000-8000", "%00"] {
        let page = web.get(&format!("/pod/app/activity?after={bad}"), &session).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.body.contains("<h1>Bad link</h1>") && page.body.contains(r#"href="/pod/app/activity""#));
    }
    let past_the_end = web.get("/pod/app/activity?after=00000000-0000-7000-8000-000000000000", &session).await;
    assert_eq!(past_the_end.status, StatusCode::OK);
    assert!(past_the_end.body.contains("No older activity"));
}

#[tokio::test]
async fn the_security_page_shows_open_paused_and_locked() {
    let web = TestWeb::start().await;
    let ana = web.sign_in("auth0|ana").await;
    let page = web.get("/pod/app/security", &ana).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"class="status status-open">Open<"#), "{}", page.body);
    assert!(page.body.contains("No wrong codes since the last right one."));
    assert!(page.body.contains(r#"href="/pod/app/security" aria-current="page""#));
    assert!(page.body.contains(r#"<a href="/pod/app/activity">See your activity</a>"#));
    assert!(page.body.contains(r#"<section id="contact""#) && page.body.contains("Where codes go"));
    assert!(!page.offers_unlock(), "nothing to unlock");

    web.place_order("auth0|ana").await;
    web.say_code("auth0|ana", WRONG_CODE).await;
    let page = web.get("/pod/app/security", &ana).await;
    assert!(page.body.contains("1 of 5 wrong codes in a row so far."), "{}", page.body);
    assert!(page.body.contains("10 lock it"));

    let until = web.wrong_codes_until_paused("auth0|ana").await;
    let page = web.get("/pod/app/security", &ana).await;
    assert!(page.body.contains(r#"class="status status-paused">Paused<"#), "{}", page.body);
    assert!(page.body.contains(&format!(r#"paused until <time datetime="{}">"#, until.to_rfc3339())));
    assert!(page.body.contains("after 5 wrong codes in a row"));
    assert!(page.body.contains("5 more wrong codes will lock it"));
    assert!(page.offers_unlock());
    assert!(page.body.contains(r#"<button type="submit">Unlock voice ordering</button>"#));
    let activity = web.get("/pod/app/activity", &ana).await;
    assert_eq!(activity.activity_kinds()[0], "voice_ordering_paused", "{}", activity.body);
    let paused = format!(r#"Voice ordering paused until <time datetime="{}">"#, until.to_rfc3339());
    assert!(activity.body.contains(&paused), "{}", activity.body);

    // After the pause, open again by itself; the count stays until a right code.
    web.clock.advance_seconds(15 * 60);
    let page = web.get("/pod/app/security", &ana).await;
    assert!(page.body.contains("status-open") && page.body.contains("5 of 5 wrong codes in a row so far."));
    assert!(!page.offers_unlock());

    let since = web.lock_through_the_store("auth0|ben").await;
    let ben = web.sign_in("auth0|ben").await;
    let page = web.get("/pod/app/security", &ben).await;
    assert!(page.body.contains(r#"class="status status-locked">Locked<"#), "{}", page.body);
    assert!(page.body.contains(&format!(r#"locked since <time datetime="{}">"#, since.to_rfc3339())));
    assert!(page.body.contains("until you unlock it"));
    assert!(page.offers_unlock());
}

#[tokio::test]
async fn unlocking_needs_the_sessions_csrf_token_and_opens_voice_ordering() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ana").await;
    let other_session = web.sign_in("auth0|ana").await;
    web.wrong_codes_until_paused("auth0|ana").await;
    let token = web.get("/pod/app/security", &session).await.csrf_token();
    let other_token = web.get("/pod/app/security", &other_session).await.csrf_token();
    assert_ne!(token, other_token);

    let refused = [
        (String::new(), None),
        ("csrf_token=".to_string(), None),
        ("csrf_token=guess".to_string(), Some(APP_BASE_URL)),
        (format!("csrf_token={other_token}"), Some(APP_BASE_URL)),
        (format!("token={token}"), None),
        (format!("csrf_token={token}"), Some("https://evil.example")),
    ];
    for (body, origin) in refused {
        let page = web.unlock(&session, &body, origin).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{body} from {origin:?}");
        assert!(page.body.contains("<h1>Unlock refused</h1>") && page.body.contains("nothing changed"));
        assert!(page.set_cookies().is_empty());
        assert!(matches!(web.voice_ordering("auth0|ana").await, BudgetState::Paused { .. }), "{body}");
    }
    let activity = web.get("/pod/app/activity", &session).await;
    assert!(!activity.body.contains("Voice ordering unlocked"));

    let page = web.unlock(&session, &format!("csrf_token={token}"), Some(APP_BASE_URL)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/pod/app/security");
    assert_eq!(web.voice_ordering("auth0|ana").await, BudgetState::Open { failures: 0 });
    let page = web.get("/pod/app/security", &session).await;
    assert!(page.body.contains("status-open") && page.body.contains("No wrong codes since the last right one."));
    assert!(!page.offers_unlock());
    let activity = web.get("/pod/app/activity", &session).await;
    assert_eq!(activity.activity_kinds()[0], "voice_ordering_unlocked");
    assert!(activity.body.contains("Voice ordering unlocked</td>\n      <td data-label=\"From\">web</td>"));
    web.place_order("auth0|ana").await;

    // Unlocking open voice ordering changes and records nothing.
    web.say_code("auth0|ana", WRONG_CODE).await;
    let page = web.unlock(&session, &format!("csrf_token={token}"), None).await;
    assert_eq!(page.location(), "/pod/app/security");
    assert_eq!(web.voice_ordering("auth0|ana").await, BudgetState::Open { failures: 1 });
    let kinds = web.get("/pod/app/activity", &session).await;
    assert_eq!(kinds.activity_kinds()[..3], ["wrong_code", "code_sent", "voice_ordering_unlocked"]);

    // A lock, too; the form needs no Origin header (the token is what counts).
    web.lock_through_the_store("auth0|ben").await;
    let ben = web.sign_in("auth0|ben").await;
    let ben_token = web.get("/pod/app/security", &ben).await.csrf_token();
    assert_eq!(web.unlock(&ben, &format!("csrf_token={token}"), None).await.status, StatusCode::FORBIDDEN);
    assert!(matches!(web.voice_ordering("auth0|ben").await, BudgetState::Locked { .. }));
    let page = web.unlock(&ben, &format!("csrf_token={ben_token}"), None).await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/pod/app/security"));
    assert_eq!(web.voice_ordering("auth0|ben").await, BudgetState::Open { failures: 0 });
    assert!(web.get("/pod/app/activity", &ben).await.body.contains("Voice ordering unlocked"));
}

#[tokio::test]
async fn activity_and_security_say_so_when_the_store_is_down() {
    let web = TestWeb::start_failing(StoreError::Unavailable("test".into())).await;
    let session = web.sign_in("auth0|ana").await;
    let token = web.get("/pod/app/", &session).await.csrf_token();
    let pages = [
        web.get("/pod/app/activity", &session).await,
        web.get("/pod/app/security", &session).await,
        web.unlock(&session, &format!("csrf_token={token}"), Some(APP_BASE_URL)).await,
        web.post_form("/pod/app/security/phone", &session, &format!("csrf_token={token}&phone=%2B14155550142"), None)
            .await,
        web.post_form("/pod/app/security/phone/confirm", &session, &format!("csrf_token={token}&code=4217"), None)
            .await,
        web.get("/pod/app/profile", &session).await,
    ];
    for page in pages {
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(page.body.contains("<h1>Temporarily unavailable</h1>"), "{}", page.body);
        assert!(!page.body.contains("test"), "details go to the log only");
    }
}

// ------------------------------------------------------------ phone enrollment

/// The number Ben verifies, and all of it that a page may show.
const NEW_PHONE: &str = "+14155550142";
const NEW_PHONE_SHOWN: &str = "phone ending in 42";

fn phone(raw: &str) -> Destination {
    Destination::Sms(PhoneNumber::parse(raw).unwrap())
}

impl TestWeb {
    /// A form `body` POSTed to `path` with `cookies`, from `origin` if given.
    async fn post_form(&self, path: &str, cookies: &str, body: &str, origin: Option<&str>) -> Page {
        let mut request =
            Request::post(path).header(COOKIE, cookies).header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap()).await
    }

    /// The phone form, sent with the session's token from the Security page.
    async fn enroll(&self, cookies: &str, number: &str) -> Page {
        let token = self.get("/pod/app/security", cookies).await.csrf_token();
        let body = format!("csrf_token={token}&phone={}", urlencoding::encode(number));
        self.post_form("/pod/app/security/phone", cookies, &body, Some(APP_BASE_URL)).await
    }

    /// The code form, sent with the session's token from the Security page.
    async fn give_enrollment_code(&self, cookies: &str, code: &str) -> Page {
        let token = self.get("/pod/app/security", cookies).await.csrf_token();
        let body = format!("csrf_token={token}&code={}", urlencoding::encode(code));
        self.post_form("/pod/app/security/phone/confirm", cookies, &body, Some(APP_BASE_URL)).await
    }

    async fn enrolled_phone(&self, id: &str) -> Option<PhoneNumber> {
        self.service.user_profile(&user(id)).await.unwrap().enrolled_phone
    }

    async fn pending_enrollment(&self, id: &str) -> Option<PhoneEnrollment> {
        self.service.pending_enrollment(&user(id)).await.unwrap()
    }

    /// Takes `n` guesses from the user's budget straight through the store (as wrong codes would).
    async fn use_guesses(&self, id: &str, n: u32) {
        for _ in 0..n {
            let reserve =
                BudgetChange::Reserve { now: self.service.now(), policy: self.service.budget_policy().clone() };
            self.store.change_budget(&user(id), &reserve).await.unwrap();
        }
    }
}

impl Page {
    fn offers_code_form(&self) -> bool {
        self.body.contains(r#"action="/pod/app/security/phone/confirm""#)
    }

    /// No full phone number and no code shows anywhere on the page.
    fn shows_no_secret(&self) {
        for secret in ["4155550142", "4155550177", "4155550121", "ben@example.com", RIGHT_CODE, WRONG_CODE] {
            assert!(!self.body.contains(secret), "{secret} on the page:\n{}", self.body);
        }
    }
}

#[tokio::test]
async fn enrolling_a_phone_needs_a_session_and_the_csrf_token() {
    let web = TestWeb::start().await;
    // Without a session: sign in, then back to the Security page; nothing sent or checked.
    for path in ["/pod/app/security/phone", "/pod/app/security/phone/confirm"] {
        let body = "csrf_token=anything&phone=%2B14155550142&code=4217";
        let page = web.post_form(path, "", body, Some(APP_BASE_URL)).await;
        assert!(is_sign_in_redirect(&page, "/pod/app/security"), "{path}: {} {}", page.status, page.location());
    }
    assert!(web.codes.sent().is_empty());

    let session = web.sign_in("auth0|ben").await;
    let other_session = web.sign_in("auth0|ben").await;
    let token = web.get("/pod/app/security", &session).await.csrf_token();
    let other_token = web.get("/pod/app/security", &other_session).await.csrf_token();
    let number = "phone=%2B14155550142";
    let refused = [
        (number.to_string(), None),
        (format!("csrf_token=&{number}"), None),
        (format!("csrf_token=guess&{number}"), Some(APP_BASE_URL)),
        (format!("csrf_token={other_token}&{number}"), Some(APP_BASE_URL)),
        (format!("token={token}&{number}"), None),
        (format!("csrf_token={token}&{number}"), Some("https://evil.example")),
    ];
    for (body, origin) in &refused {
        let page = web.post_form("/pod/app/security/phone", &session, body, *origin).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{body} from {origin:?}");
        assert!(page.body.contains("<h1>Request refused</h1>") && page.body.contains("nothing was sent"));
        assert!(page.body.contains(r#"href="/pod/app/security""#));
    }
    assert!(web.codes.sent().is_empty(), "no code sent");
    assert!(web.pending_enrollment("auth0|ben").await.is_none(), "nothing stored");
    assert!(web.get("/pod/app/activity", &session).await.activity_kinds().is_empty());

    // The code form, too: refused without the token, nothing checked, the tries intact.
    assert_eq!(web.enroll(&session, NEW_PHONE).await.status, StatusCode::SEE_OTHER);
    for (body, origin) in refused.iter().map(|(body, origin)| (body.replace(number, "code=4217"), origin)) {
        let page = web.post_form("/pod/app/security/phone/confirm", &session, &body, *origin).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{body} from {origin:?}");
    }
    assert_eq!(web.codes.checked(), 0);
    assert_eq!(web.pending_enrollment("auth0|ben").await.unwrap().attempts_left(), 3);
    assert_eq!(web.enrolled_phone("auth0|ben").await, None);

    for path in ["/pod/app/security/phone", "/pod/app/security/phone/confirm"] {
        assert_eq!(web.get(path, &session).await.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
}

#[tokio::test]
async fn a_malformed_phone_or_code_or_body_is_refused_and_nothing_is_sent() {
    let web = TestWeb::start().await;
    let session = web.sign_in("auth0|ben").await;
    let long = format!("+1{}", "5".repeat(1000));
    let type_one = "Type a phone number, starting with + and the country code.";
    let e164 = "A phone number must be in E.164 form:";
    let cases = [
        ("", type_one),
        ("   ", type_one),
        ("4155550142", e164),
        ("+1 (415) PIZZA", e164),
        ("+0123456789", e164),
        (long.as_str(), e164),
        ("+1415\u{FFFD}5550142", e164),
    ];
    for (raw, says) in cases {
        let page = web.enroll(&session, raw).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{raw:?}");
        assert!(page.body.contains("<h1>Security</h1>"), "the Security page again");
        let error = r#"<p id="enrollment-phone-error" class="field-error">"#;
        assert!(page.body.contains(&format!("{error}{says}")), "{raw:?}: {}", page.body);
        assert!(page.body.contains(r#"aria-describedby="enrollment-phone-hint enrollment-phone-error""#));
        assert!(page.body.contains(r#"aria-invalid="true""#));
        assert!(!page.offers_code_form());
        if raw.len() > 4 {
            assert!(!page.body.contains(raw.trim()), "what was typed is not echoed");
        }
    }
    // Bytes that are not UTF-8 are read as such, never a panic.
    let token = web.get("/pod/app/security", &session).await.csrf_token();
    let page =
        web.post_form("/pod/app/security/phone", &session, &format!("csrf_token={token}&phone=%2B1%FF%FE"), None).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("E.164 form"));
    assert!(web.codes.sent().is_empty(), "no code sent");
    assert!(web.pending_enrollment("auth0|ben").await.is_none(), "nothing stored");

    // A code that is not one: the page again, beside the code field; nothing checked.
    assert_eq!(web.enroll(&session, NEW_PHONE).await.status, StatusCode::SEE_OTHER);
    for (raw, says) in [
        ("", "Type the code from the text message."),
        ("12", "A code is 4 to 10 digits."),
        ("abcd", "A code is 4 to 10 digits."),
        ("12345678901", "A code is 4 to 10 digits."),
    ] {
        let page = web.give_enrollment_code(&session, raw).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{raw:?}");
        let error = format!(r#"<p id="enrollment-code-error" class="field-error">{says}</p>"#);
        assert!(page.body.contains(&error), "{raw:?}: {}", page.body);
        assert!(page.body.contains("3 tries left."), "no try used");
    }
    assert_eq!(web.codes.checked(), 0);

    // Bodies that are not this form: too large (413) or unreadable (400); nothing happens.
    let huge = format!("csrf_token={token}&phone={}", "5".repeat(8 * 1024));
    let unreadable = |path: &str, content_type: &str, body: String| {
        Request::post(path).header(COOKIE, &session).header(CONTENT_TYPE, content_type).body(Body::from(body)).unwrap()
    };
    for path in ["/pod/app/security/phone", "/pod/app/security/phone/confirm"] {
        let form = "application/x-www-form-urlencoded";
        let page = web.send(unreadable(path, form, huge.clone())).await;
        assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(page.body.contains("<h1>Form too large</h1>"), "{}", page.body);
        let cases = [
            (form, format!("csrf_token={token}&csrf_token={token}&phone=%2B14155550177&code=4217")),
            ("text/plain", format!("csrf_token={token}&phone=%2B14155550177&code=4217")),
            ("application/json", format!(r#"{{"csrf_token":"{token}","phone":"+14155550177"}}"#)),
        ];
        for (content_type, body) in cases {
            let page = web.send(unreadable(path, content_type, body.clone())).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path} {content_type} {body}");
            assert!(page.body.contains("<h1>Form not understood</h1>") && page.body.contains("nothing was sent"));
        }
    }
    assert_eq!(web.codes.sent(), [phone(NEW_PHONE)], "only the one good number got a code");
    assert_eq!(web.codes.checked(), 0);
    assert_eq!(web.enrolled_phone("auth0|ben").await, None);
}

#[tokio::test]
async fn ben_verifies_a_phone_and_his_codes_go_there() {
    let web = TestWeb::start().await;
    let ben = web.sign_in("auth0|ben").await;
    let page = web.get("/pod/app/security", &ben).await;
    assert!(page.body.contains("Codes go to your email b•••@example.com."), "{}", page.body);
    assert!(page.body.contains(r#"<form class="enroll-phone" method="post" action="/pod/app/security/phone""#));
    assert!(page.body.contains(r#"<label for="enrollment-phone">Add a phone number for codes</label>"#));
    assert!(page.body.contains(r#"name="phone" type="tel" autocomplete="tel""#));
    assert!(page.body.contains("Start with + and the country code"));
    assert!(!page.offers_code_form(), "no number waits for a code");

    // The number typed as people write it; the code goes there, and the page says so.
    let page = web.enroll(&ben, "+1 415 555 0142").await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/pod/app/security#contact"));
    assert_eq!(web.codes.sent(), [phone(NEW_PHONE)]);
    let pending = web.pending_enrollment("auth0|ben").await.expect("a number waiting for its code");
    let page = web.get("/pod/app/security", &ben).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("We sent a code to the phone ending in 42; it expires at"), "{}", page.body);
    let expires = format!(r#"<time datetime="{}" data-time-only>"#, pending.expires_at.to_rfc3339());
    assert!(page.body.contains(&expires) && page.body.contains("(in 5 minutes)"));
    assert!(page.body.contains("3 tries left."));
    assert!(page.offers_code_form());
    assert!(page.body.contains(r#"name="code" type="text" inputmode="numeric" autocomplete="one-time-code""#));
    assert!(page.body.contains("Codes go to your email b•••@example.com."), "not moved before the code");
    assert!(page.body.contains("Send a new code, or use another number"));
    page.shows_no_secret();

    // A wrong code: the form again, with the tries left.
    let page = web.give_enrollment_code(&ben, WRONG_CODE).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(web.last_outcome(), "wrong_code", "the operators' wrong-code alarm counts the web app's too");
    let said = r#"<p id="enrollment-code-error" class="field-error">That is not the code we sent. 2 tries left.</p>"#;
    assert!(page.body.contains(said), "{}", page.body);
    assert!(page.offers_code_form() && page.body.contains("2 tries left."));
    assert!(page.body.contains(r#"aria-describedby="enrollment-code-hint enrollment-code-error""#));
    assert_eq!(web.enrolled_phone("auth0|ben").await, None);
    page.shows_no_secret();

    // The right code: back to the Security page, which says where codes go now.
    let page = web.give_enrollment_code(&ben, RIGHT_CODE).await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/pod/app/security?note=phone-changed#contact"));
    assert_eq!(web.enrolled_phone("auth0|ben").await, PhoneNumber::parse(NEW_PHONE).ok());
    let page = web.get(page.location_path(), &ben).await;
    assert_eq!(page.status, StatusCode::OK);
    let done = "Done: the phone ending in 42 now receives your codes. We told your previous contact about the change.";
    assert!(page.body.contains(&format!(r#"<p id="contact-notice" class="notice" role="status">{done}</p>"#)));
    assert!(page.body.contains("Codes go to your phone ending in 42 (verified with Pod)."), "{}", page.body);
    assert!(page.body.contains("Change the phone number codes go to"));
    assert!(!page.offers_code_form());
    page.shows_no_secret();
    let again = web.get("/pod/app/security", &ben).await;
    assert!(!again.body.contains("Done:"), "the note is for the redirect only");

    // The email codes went to before was told, and the notice is no code.
    let told: Vec<_> =
        web.notices.delivered().into_iter().filter(|(to, _)| to.address() == "ben@example.com").collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.contains("this is not a code") && told[0].1.contains(NEW_PHONE_SHOWN), "{}", told[0].1);

    let profile = web.get("/pod/app/profile", &ben).await;
    assert!(profile.body.contains("ending in 42 (verified with Pod)"), "{}", profile.body);
    assert!(profile.body.contains("your phone ending in 42"));
    profile.shows_no_secret();

    let activity = web.get("/pod/app/activity", &ben).await;
    assert_eq!(activity.activity_kinds(), ["contact_changed", "wrong_code", "code_sent"], "{}", activity.body);
    assert!(activity.body.contains("Contact changed from email b•••@example.com to phone ending in 42"));
    assert!(activity.body.contains("Verification code sent to phone ending in 42"));
    assert!(activity.body.contains("<td data-label=\"From\">web</td>"));
    activity.shows_no_secret();

    // Order codes go to the phone now.
    web.place_order("auth0|ben").await;
    assert_eq!(web.codes.sent().last(), Some(&phone(NEW_PHONE)));
}

#[tokio::test]
async fn a_first_phone_is_verified_and_a_second_one_replaces_it() {
    let web = TestWeb::start().await;
    let nobody = web.sign_in("auth0|nobody").await;
    let page = web.get("/pod/app/security", &nobody).await;
    assert!(page.body.contains("Codes go nowhere yet"), "{}", page.body);

    assert_eq!(web.enroll(&nobody, NEW_PHONE).await.status, StatusCode::SEE_OTHER);
    let page = web.give_enrollment_code(&nobody, RIGHT_CODE).await;
    assert_eq!(page.location(), "/pod/app/security?note=phone-verified#contact");
    let page = web.get(page.location_path(), &nobody).await;
    assert!(page.body.contains("Done: the phone ending in 42 now receives your codes.</p>"), "{}", page.body);
    assert!(!page.body.contains("previous contact"));
    let activity = web.get("/pod/app/activity", &nobody).await;
    assert_eq!(activity.activity_kinds(), ["contact_verified", "code_sent"]);
    assert!(activity.body.contains("Contact verified: phone ending in 42"));
    assert!(web.notices.delivered().is_empty(), "nobody to tell");

    // Another number: the first one is told, and the record says the contact changed.
    assert_eq!(web.enroll(&nobody, "+14155550177").await.status, StatusCode::SEE_OTHER);
    assert_eq!(web.codes.sent(), [phone(NEW_PHONE), phone("+14155550177")]);
    let page = web.get("/pod/app/security", &nobody).await;
    assert!(page.body.contains("Codes go to your phone ending in 42 (verified with Pod)."), "{}", page.body);
    assert!(page.body.contains("We sent a code to the phone ending in 77"));
    let page = web.give_enrollment_code(&nobody, RIGHT_CODE).await;
    assert_eq!(page.location(), "/pod/app/security?note=phone-changed#contact");
    assert_eq!(web.enrolled_phone("auth0|nobody").await, PhoneNumber::parse("+14155550177").ok());
    let activity = web.get("/pod/app/activity", &nobody).await;
    assert_eq!(activity.activity_kinds()[0], "contact_changed");
    assert!(activity.body.contains("Contact changed from phone ending in 42 to phone ending in 77"));
    let told = web.notices.delivered();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].0, phone(NEW_PHONE));
    assert!(told[0].1.contains("this is not a code") && told[0].1.contains("phone ending in 77"));
    let profile = web.get("/pod/app/profile", &nobody).await;
    assert!(profile.body.contains("ending in 77 (verified with Pod)"));
    profile.shows_no_secret();

    // A note is only ever a fixed message about the user's own phone.
    let ana = web.sign_in("auth0|ana").await;
    for query in ["note=phone-verified", "note=phone-changed", "note=%3Cscript%3E", "note=", "note=a&note=b", "x"] {
        let page = web.get(&format!("/pod/app/security?{query}"), &ana).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert!(!page.body.contains("Done:") && !page.body.contains("<script>"), "{query}");
    }
}

#[tokio::test]
async fn used_up_expired_or_missing_enrollments_say_start_again() {
    let web = TestWeb::start().await;
    let ben = web.sign_in("auth0|ben").await;
    let page = web.give_enrollment_code(&ben, RIGHT_CODE).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    let problem = r#"<p id="contact-problem" class="problem" role="alert">"#;
    let start_again = "Type the phone number below to get a new code.";
    assert!(page.body.contains(&format!("{problem}No phone number is waiting for a code. {start_again}</p>")));
    assert!(page.body.contains(r#"action="/pod/app/security/phone""#), "the way to start again");

    // Three wrong codes use up the number's tries: the last one says to start again.
    web.enroll(&ben, NEW_PHONE).await;
    assert!(web.give_enrollment_code(&ben, WRONG_CODE).await.body.contains("2 tries left."));
    let page = web.give_enrollment_code(&ben, WRONG_CODE).await;
    assert!(page.body.contains("That is not the code we sent. 1 try left."), "{}", page.body);
    let page = web.give_enrollment_code(&ben, WRONG_CODE).await;
    assert_eq!(page.status, StatusCode::OK);
    let last = "That is not the code we sent. That was the last try for this code: type the phone number below";
    assert!(page.body.contains(&format!("{problem}{last}")), "{}", page.body);
    assert!(!page.offers_code_form(), "no tries left");
    let page = web.give_enrollment_code(&ben, RIGHT_CODE).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains(&format!("{problem}Too many wrong codes were given for this number. {start_again}")));
    assert_eq!(web.enrolled_phone("auth0|ben").await, None, "not even the right code now");

    // Starting again sends a new code; once it expires, it is refused as such.
    assert_eq!(web.enroll(&ben, NEW_PHONE).await.status, StatusCode::SEE_OTHER);
    assert!(web.get("/pod/app/security", &ben).await.body.contains("3 tries left."));
    web.clock.advance_seconds(5 * 60);
    let page = web.get("/pod/app/security", &ben).await;
    assert!(!page.offers_code_form(), "an expired code is not waited for");
    let page = web.give_enrollment_code(&ben, RIGHT_CODE).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains(&format!("{problem}That code has expired. {start_again}</p>")), "{}", page.body);
    assert_eq!(web.enrolled_phone("auth0|ben").await, None);
    assert_eq!(web.codes.sent().len(), 2);
}

#[tokio::test]
async fn enrollment_answers_to_the_guess_budget_and_the_send_limit() {
    let web = TestWeb::start().await;
    let ana = web.sign_in("auth0|ana").await;
    let problem = r#"<p id="contact-problem" class="problem" role="alert">"#;

    // One wrong code short of a pause: the enrollment's wrong code pauses voice ordering, and says so.
    web.use_guesses("auth0|ana", web.service.budget_policy().pause_after() - 1).await;
    assert_eq!(web.enroll(&ana, NEW_PHONE).await.status, StatusCode::SEE_OTHER);
    let page = web.give_enrollment_code(&ana, WRONG_CODE).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(web.last_outcome(), "ordering_paused", "the operators' pause alarm counts the web app's pauses too");
    let BudgetState::Paused { until, .. } = web.voice_ordering("auth0|ana").await else { panic!("paused") };
    let said = format!(
        "That is not the code we sent. 2 tries left. Too many wrong codes in a row: voice ordering is paused until {}",
        pod_until_text(until)
    );
    assert!(page.body.contains(&said), "{}", page.body);
    assert!(page.body.contains(r#"class="status status-paused">Paused<"#) && page.offers_unlock());
    let told = web.notices.delivered();
    assert_eq!(told.len(), 1, "the owner is told on the contact codes go to now");
    assert_eq!(told[0].0, phone("+14155550121"));

    // While paused, no code is checked (not even the right one) and none is sent.
    let checked = web.codes.checked();
    let page = web.give_enrollment_code(&ana, RIGHT_CODE).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains(&format!("{problem}Voice ordering is paused until")), "{}", page.body);
    assert!(page.body.contains("so the code was not checked"));
    assert_eq!(web.last_outcome(), "ordering_paused");
    assert_eq!(web.codes.checked(), checked);
    assert_eq!(web.enrolled_phone("auth0|ana").await, None);
    let page = web.enroll(&ana, "+14155550177").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("so no code was sent"), "{}", page.body);
    assert_eq!(web.codes.sent(), [phone(NEW_PHONE)]);

    // Locked: nothing sent either.
    web.lock_through_the_store("auth0|ben").await;
    let ben = web.sign_in("auth0|ben").await;
    let page = web.enroll(&ben, NEW_PHONE).await;
    assert_eq!(page.status, StatusCode::LOCKED);
    assert!(page.body.contains(&format!("{problem}Voice ordering is locked after too many wrong codes")));
    assert!(page.body.contains("so no code was sent"));
    assert_eq!(web.last_outcome(), "ordering_locked");
    assert_eq!(web.codes.sent().len(), 1);

    // Codes for enrollment count against the same hourly limit as order codes.
    let nobody = web.sign_in("auth0|nobody").await;
    for _ in 0..web.service.policy().sends_per_hour {
        assert_eq!(web.enroll(&nobody, NEW_PHONE).await.status, StatusCode::SEE_OTHER);
    }
    let page = web.enroll(&nobody, NEW_PHONE).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("Pod has sent you as many codes as it may in an hour, so no code was sent."));
    assert!(page.body.contains("Try again in 60 minutes."), "{}", page.body);
    assert_eq!(web.last_outcome(), "rate_limited");
    assert_eq!(web.codes.sent().len(), 1 + web.service.policy().sends_per_hour as usize);
}

/// A moment as the pages write it in a sentence: "25 Nov 2025, 06:55 UTC".
fn pod_until_text(at: Timestamp) -> String {
    let format = time::macros::format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(at.unix_seconds()).unwrap().format(format).unwrap()
}

#[tokio::test]
async fn enrollment_says_try_again_when_codes_cannot_be_sent_or_checked() {
    let web = TestWeb::start().await;
    let ben = web.sign_in("auth0|ben").await;
    let problem = r#"<p id="contact-problem" class="problem" role="alert">"#;
    web.codes.set_down(true);
    let page = web.enroll(&ben, NEW_PHONE).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains(&format!("{problem}Pod could not send the code just now. Try again shortly.</p>")));
    assert_eq!(web.last_outcome(), "auth0_unavailable");
    assert!(web.pending_enrollment("auth0|ben").await.is_none(), "nothing stored");

    web.codes.set_down(false);
    assert_eq!(web.enroll(&ben, NEW_PHONE).await.status, StatusCode::SEE_OTHER);
    web.codes.set_down(true);
    let page = web.give_enrollment_code(&ben, RIGHT_CODE).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains(&format!("{problem}Pod could not check the code just now. Try again shortly.</p>")));
    assert_eq!(web.last_outcome(), "auth0_unavailable");
    assert!(page.offers_code_form() && page.body.contains("3 tries left."), "no try used");
    assert_eq!(web.voice_ordering("auth0|ben").await, BudgetState::Open { failures: 0 }, "the guess given back");

    web.codes.set_down(false);
    let page = web.give_enrollment_code(&ben, RIGHT_CODE).await;
    assert_eq!(page.location(), "/pod/app/security?note=phone-changed#contact");
}

/// "Delete my data": signed in, a confirmation page that says what goes, a form checked like
/// the others; then everything of the user is gone (their other sessions too), this session
/// ends, and the page says it is done. Another user's data stays.
#[tokio::test]
async fn deleting_my_data_asks_first_needs_the_sessions_token_and_signs_out() {
    let web = TestWeb::start().await;
    let (ana, ben) = (UserId::parse("auth0|ana").unwrap(), UserId::parse("auth0|ben").unwrap());
    let session = web.sign_in("auth0|ana").await;
    let other_session = web.sign_in("auth0|ana").await;
    web.place_order("auth0|ana").await;
    web.place_order("auth0|ben").await;
    let orders = |user: &UserId| {
        let (store, user) = (web.store.clone(), user.clone());
        async move { store.list(&user, pod_shared::ports::PageRequest::first(10)).await.unwrap().orders.len() }
    };

    assert!(is_sign_in_redirect(&web.get("/pod/app/security/erase", "").await, "/pod/app/security/erase"));
    let security = web.get("/pod/app/security", &session).await;
    assert!(security.body.contains(r#"href="/pod/app/security/erase""#), "{}", security.body);
    let confirm = web.get("/pod/app/security/erase", &session).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("<h1>Delete my data</h1>") && confirm.body.contains("your orders"));
    assert!(confirm.body.contains(r#"action="/pod/app/security/erase""#));
    let token = confirm.csrf_token();

    for (body, origin) in [
        (String::new(), None),
        ("csrf_token=guess".to_string(), Some(APP_BASE_URL)),
        (format!("csrf_token={token}"), Some("https://evil.example")),
    ] {
        let page = web.post_form("/pod/app/security/erase", &session, &body, origin).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{body} from {origin:?}");
        assert!(page.body.contains("nothing was deleted"));
        assert_eq!(orders(&ana).await, 1, "{body}: nothing deleted");
    }

    let done =
        web.post_form("/pod/app/security/erase", &session, &format!("csrf_token={token}"), Some(APP_BASE_URL)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("<h1>Your data is deleted</h1>"), "{}", done.body);
    assert!(done.removes_cookie("pod_session"), "this session ends: {:?}", done.set_cookies());
    assert_eq!(orders(&ana).await, 0);
    assert!(web.store.list_activity(&ana, 10, None).await.unwrap().events.is_empty());
    assert_eq!(orders(&ben).await, 1, "another user's data stays");
    for cookie in [&session, &other_session] {
        assert!(is_sign_in_redirect(&web.get("/pod/app/orders", cookie).await, "/pod/app/orders"), "signed out");
    }
    let again = web.post_form("/pod/app/security/erase", &session, &format!("csrf_token={token}"), None).await;
    assert!(is_sign_in_redirect(&again, "/pod/app/security/erase"), "the ended session deletes nothing more");

    // Signing in again starts afresh.
    let fresh = web.sign_in("auth0|ana").await;
    assert_eq!(web.get("/pod/app/orders", &fresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_privacy_policy_says_what_is_kept_for_how_long_and_how_to_delete_it() {
    let web = TestWeb::start().await;
    let page = web.get("/pod/app/policy", "").await;
    assert_eq!(page.status, StatusCode::OK);
    for said in
        ["400 days", "a day", "8 hours", "keyed hash", "disable the skill", "Delete my data", "DELETE /pod/api/me"]
    {
        assert!(page.body.contains(said), "the policy says {said:?}");
    }
}
