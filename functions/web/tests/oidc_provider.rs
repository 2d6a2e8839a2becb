//! The web login against a second, independently written OpenID provider: panva's certified
//! `oidc-provider` (Node.js, `tests/oidc-provider/`), serving Auth0's paths on 127.0.0.1 and
//! signing ID tokens RS256 with a key published at its JWKS. A cookie-keeping HTTP client plays
//! the browser through the whole sign-in: Pod's `/login`, the provider's login form and consent,
//! Pod's callback, and a signed-in page.
//!
//! Needs Node.js (20 or later) and npm; the first run installs the provider from the committed
//! lockfile (`npm ci`). `POD_SKIP_NODE=1` skips this test (with a message); without it, missing
//! Node.js fails the test.

use pod_shared::config::Settings;
use pod_shared::domain::Timestamp;
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use pod_web::{WebApp, WebSettings};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const CLIENT_ID: &str = "pod-web-oidc-provider-test";
const CLIENT_SECRET: &str = "a-client-secret-for-the-oidc-provider-test-0123456789";
const SESSION_KEY: &str = "a-session-key-for-the-oidc-provider-test-0123456789abcdef0123456789abcdef";

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// Whether the test may run: Node.js and npm are there, or `POD_SKIP_NODE` says to skip.
fn node_or_skip() -> bool {
    let works = |tool: &str| Command::new(tool).arg("--version").output().is_ok_and(|out| out.status.success());
    if std::env::var_os("POD_SKIP_NODE").is_some() {
        eprintln!(
            "\n*** SKIPPED: the web login against oidc-provider (POD_SKIP_NODE is set). Pod's login is NOT \
             checked against a second OpenID provider in this run. ***\n"
        );
        return false;
    }
    assert!(
        works("node") && works("npm"),
        "this test needs Node.js (20 or later) and npm to run oidc-provider (e.g. `apt-get install nodejs npm`); \
         set POD_SKIP_NODE=1 to skip it"
    );
    true
}

/// Installs the provider from the lockfile unless it is installed already.
fn install_provider() {
    let dir = provider_dir();
    if dir.join("node_modules/oidc-provider/package.json").is_file() {
        return;
    }
    let started = Instant::now();
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .expect("npm runs");
    assert!(
        out.status.success(),
        "`npm ci` in {} failed:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("oidc-provider installed with npm ci in {:.1} s", started.elapsed().as_secs_f64());
}

/// The running provider; killed when dropped.
struct Provider {
    child: Child,
    /// `http://127.0.0.1:PORT/`, with the trailing slash, as Auth0 writes issuers.
    issuer: String,
}

impl Provider {
    fn start(redirect_uris: &[String]) -> Self {
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(provider_dir())
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URIS", redirect_uris.join(","))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(issuer) = line.strip_prefix("issuer ") {
                    let _ = sender.send(issuer.to_string());
                }
            }
        });
        match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(issuer) => Self { child, issuer },
            Err(_) => {
                let _ = child.kill();
                panic!("oidc-provider did not start within 30 s (its output is above)");
            }
        }
    }

    /// What Pod's `AUTH0_DOMAIN` is for this provider: the issuer without its trailing slash.
    fn domain(&self) -> &str {
        self.issuer.trim_end_matches('/')
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pod's web app served on `listener`, its tenant at `domain`, ID tokens pinned to `algorithm`.
async fn serve_web(listener: TcpListener, domain: &str, algorithm: &str) -> tempfile::TempDir {
    let base = format!("http://{}", listener.local_addr().unwrap());
    let vars = HashMap::from([
        ("AUTH0_DOMAIN", domain.to_string()),
        ("API_ID", "https://pod.localtest.me".to_string()),
        ("TOKEN_ALGORITHM", "RS256".to_string()),
        ("APP_CLIENT_ID", CLIENT_ID.to_string()),
        ("APP_CLIENT_SECRET", CLIENT_SECRET.to_string()),
        ("ID_TOKEN_ALGORITHM", algorithm.to_string()),
        ("APP_BASE_URL", base),
        ("SESSION_KEY", SESSION_KEY.to_string()),
    ]);
    let lookup = |name: &str| vars.get(name).cloned();
    let settings = Settings::from_lookup(lookup).unwrap();
    let web_settings = WebSettings::from_lookup(lookup).unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedOrderStore::open(data.path()).unwrap());
    let service = OrderService::new(
        store.clone(),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting("4217")),
        Arc::new(ManualClock::at(Timestamp::now())),
        settings.challenge,
    )
    .with_sessions(store);
    let app = WebApp::new(service, web_settings, &settings.auth0).unwrap();
    let router = pod_web::router(app);
    tokio::spawn(async move { axum::serve(listener, router).await });
    data
}

/// A browser, as far as a sign-in needs one: it keeps cookies (per host and port, any path: the
/// provider scopes its interaction cookies to per-sign-in paths, so names do not clash) and
/// follows redirects itself, so that the test sees every step.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, HashMap<String, String>>,
    /// Every URL visited, in order.
    visited: Vec<String>,
}

struct Page {
    url: url::Url,
    status: reqwest::StatusCode,
    body: String,
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { http, cookies: HashMap::new(), visited: Vec::new() }
    }

    fn origin(url: &url::Url) -> String {
        format!("{}:{}", url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or_default())
    }

    async fn send(&mut self, url: url::Url, form: Option<Vec<(String, String)>>) -> reqwest::Response {
        self.visited.push(url.to_string());
        let jar = self.cookies.entry(Self::origin(&url)).or_default();
        let cookie_header: Vec<String> = jar.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let mut request = match &form {
            Some(fields) => self.http.post(url.clone()).form(fields),
            None => self.http.get(url.clone()),
        };
        if !cookie_header.is_empty() {
            request = request.header(COOKIE, cookie_header.join("; "));
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        for set_cookie in response.headers().get_all(SET_COOKIE) {
            let pair = set_cookie.to_str().unwrap().split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else { continue };
            let gone = set_cookie.to_str().unwrap().to_ascii_lowercase();
            if value.is_empty() || gone.contains("max-age=0") || gone.contains("expires=thu, 01 jan 1970") {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_string(), value.to_string());
            }
        }
        response
    }

    /// Opens `url` (or submits `form` to it) and follows redirects to the page at the end.
    async fn open(&mut self, url: &str, form: Option<Vec<(String, String)>>) -> Page {
        let mut url = url::Url::parse(url).unwrap();
        let mut form = form;
        for _ in 0..20 {
            let response = self.send(url.clone(), form.take()).await;
            let status = response.status();
            if status.is_redirection() {
                let location = response.headers().get(LOCATION).expect("a redirect has a Location").to_str().unwrap();
                url = url.join(location).unwrap();
                continue;
            }
            return Page { url, status, body: response.text().await.unwrap() };
        }
        panic!("more than 20 redirects: {:?}", self.visited);
    }
}

/// The first `<form … action=… method="post">` of `html`, with its hidden inputs.
fn form_of(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let start = html.find("<form")?;
    let form = &html[start..start + html[start..].find("</form>")?];
    let attribute = |tag: &str, name: &str| {
        let marker = format!("{name}=\"");
        let at = tag.find(&marker)? + marker.len();
        Some(tag[at..].split('"').next()?.replace("&amp;", "&"))
    };
    let action = attribute(form, "action")?;
    let hidden = form
        .split("<input")
        .skip(1)
        .filter(|tag| tag.contains(r#"type="hidden""#))
        .filter_map(|tag| Some((attribute(tag, "name")?, attribute(tag, "value")?)))
        .collect();
    Some((action, hidden))
}

/// Signs in as `login` from Pod's login page through the provider's forms; returns the last page.
async fn sign_in(browser: &mut Browser, web: &str, login: &str) -> Page {
    let mut page = browser.open(&format!("{web}/pod/app/login?return_to=/pod/app/profile"), None).await;
    // The provider's login form, then its consent form (each once), then back to Pod.
    for _ in 0..3 {
        if page.url.as_str().starts_with(web) {
            return page;
        }
        assert_eq!(page.status, reqwest::StatusCode::OK, "{}: {}", page.url, page.body);
        let (action, mut fields) =
            form_of(&page.body).unwrap_or_else(|| panic!("a form at {}: {}", page.url, page.body));
        if page.body.contains(r#"name="login""#) {
            fields.push(("login".into(), login.into()));
            fields.push(("password".into(), "any password".into()));
        }
        let action = page.url.join(&action).unwrap();
        page = browser.open(action.as_str(), Some(fields)).await;
    }
    panic!("the sign-in did not come back to Pod: {:?}", browser.visited);
}

#[tokio::test]
async fn the_web_login_works_against_a_second_openid_provider_with_rs256_id_tokens() {
    if !node_or_skip() {
        return;
    }
    install_provider();
    let started = Instant::now();
    let pinned_rs256 = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let pinned_hs256 = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rs256_web = format!("http://{}", pinned_rs256.local_addr().unwrap());
    let hs256_web = format!("http://{}", pinned_hs256.local_addr().unwrap());
    let provider =
        Provider::start(&[rs256_web.clone(), hs256_web.clone()].map(|w| format!("{w}/pod/app/oidc/callback")));
    let _data_rs256 = serve_web(pinned_rs256, provider.domain(), "RS256").await;
    let _data_hs256 = serve_web(pinned_hs256, provider.domain(), "HS256").await;

    let mut browser = Browser::new();
    let page = sign_in(&mut browser, &rs256_web, "auth0|ana").await;
    assert_eq!(page.status, reqwest::StatusCode::OK, "{:?}\n{}", browser.visited, page.body);
    assert_eq!(page.url.as_str(), format!("{rs256_web}/pod/app/profile"), "{:?}", browser.visited);
    assert!(page.body.contains("a•••@example.com"), "ana's profile: {}", page.body);
    assert!(page.body.contains("Sign out"), "signed in: {}", page.body);
    let provider_steps: Vec<&String> = browser.visited.iter().filter(|url| url.starts_with(&provider.issuer)).collect();
    assert!(provider_steps[0].contains("/authorize?"), "{provider_steps:?}");
    // Two interactions (the login form, then consent), each shown and submitted.
    let interactions: std::collections::HashSet<&&String> =
        provider_steps.iter().filter(|url| url.contains("/interaction/")).collect();
    assert_eq!(interactions.len(), 2, "login and consent: {provider_steps:?}");
    let callback = browser.visited.iter().find(|url| url.contains("/pod/app/oidc/callback?")).unwrap();
    assert!(callback.contains("code=") && callback.contains("state="), "{callback}");

    // The same provider's RS256 tokens where HS256 (the client secret) is pinned: refused.
    let mut browser = Browser::new();
    let page = sign_in(&mut browser, &hs256_web, "auth0|ana").await;
    assert_eq!(page.status, reqwest::StatusCode::BAD_REQUEST, "{:?}", browser.visited);
    assert!(page.body.contains("could not be verified"), "{}", page.body);
    eprintln!("sign-ins against oidc-provider took {:.1} s", started.elapsed().as_secs_f64());
}
