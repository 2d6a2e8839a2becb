//! Signing out of the web app for real, over HTTP against the local identity provider:
//! the session record is revoked (a copied cookie is refused), and the identity
//! provider's logout ends its own login session (the next sign-in asks for the password).

use crate::helpers::TestStack;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;

/// A browser reduced to what sign-in needs: no redirects followed, one cookie jar.
struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

struct Answer {
    status: StatusCode,
    location: String,
    body: String,
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { http, cookies: BTreeMap::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.header(COOKIE, self.cookie_header()).send().await.unwrap();
        for set in response.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            if set.contains("Max-Age=0") || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let status = response.status();
        let location = response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        Answer { status, location, body: response.text().await.unwrap() }
    }

    async fn get(&mut self, url: &str) -> Answer {
        let request = self.http.get(url);
        self.send(request).await
    }

    async fn post_form(&mut self, url: &str, form: &[(&str, &str)], origin: &str) -> Answer {
        let request = self.http.post(url).header("origin", origin).form(form);
        self.send(request).await
    }
}

fn absolute(stack: &TestStack, location: &str) -> String {
    if location.starts_with('/') { stack.url(location) } else { location.to_string() }
}

/// The hidden inputs of the identity provider's login form.
fn hidden_inputs(body: &str) -> Vec<(String, String)> {
    body.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let name = input.split("name=\"").nth(1).unwrap().split('"').next().unwrap();
            let value = input.split("value=\"").nth(1).unwrap().split('"').next().unwrap();
            (name.to_string(), value.replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&"))
        })
        .collect()
}

/// From "Sign in" on the web app to the identity provider: its answer to `/authorize`.
async fn start_sign_in(stack: &TestStack, browser: &mut Browser) -> (String, Answer) {
    let login = browser.get(&stack.url("/pod/app/login")).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let authorize = absolute(stack, &login.location);
    assert!(authorize.contains("/auth0/authorize?"), "{authorize}");
    let answer = browser.get(&authorize).await;
    (authorize, answer)
}

/// Back from the identity provider with a code: the web app's callback starts the session.
async fn finish_sign_in(stack: &TestStack, browser: &mut Browser, redirect: &Answer) {
    assert_eq!(redirect.status, StatusCode::FOUND, "{}", redirect.body);
    assert!(redirect.location.contains("/pod/app/oidc/callback?code="), "{}", redirect.location);
    let callback = browser.get(&redirect.location).await;
    assert_eq!((callback.status, callback.location.as_str()), (StatusCode::SEE_OTHER, "/pod/app/orders"));
    assert!(browser.cookies.contains_key("pod_session"));
    assert_eq!(browser.get(&stack.url("/pod/app/orders")).await.status, StatusCode::OK);
}

/// Gives Ana's password to the login form the identity provider showed.
async fn give_password(stack: &TestStack, browser: &mut Browser, form: &Answer) -> Answer {
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"password\""), "the password form: {}", form.body);
    let mut fields = hidden_inputs(&form.body);
    fields.push(("username".into(), "ana".into()));
    fields.push(("password".into(), "pizza-ana-1".into()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    browser.post_form(&stack.url("/auth0/authorize"), &fields, &stack.base_url()).await
}

async fn sign_out_ends_the_app_session_and_the_identity_providers(stack: TestStack) {
    let mut browser = Browser::new();
    let (_, form) = start_sign_in(&stack, &mut browser).await;
    let redirect = give_password(&stack, &mut browser, &form).await;
    assert!(browser.cookies.contains_key("auth0_local_session"), "the identity provider's login session");
    finish_sign_in(&stack, &mut browser, &redirect).await;

    // While the identity provider's session lives, signing in again skips the password.
    let copied_app_cookie = browser.cookies["pod_session"].clone();
    browser.cookies.remove("pod_session");
    let (_, again) = start_sign_in(&stack, &mut browser).await;
    finish_sign_in(&stack, &mut browser, &again).await;
    let kept = browser.cookies["pod_session"].clone();
    assert_ne!(kept, copied_app_cookie, "a new session");

    // Sign out: the web app revokes its session and sends the browser to the provider's logout.
    let home = browser.get(&stack.url("/pod/app/")).await;
    let marker = r#"name="csrf_token" value=""#;
    let token = home.body.split(marker).nth(1).expect("a sign-out form").split('"').next().unwrap().to_string();
    let copied_idp_cookie = browser.cookies["auth0_local_session"].clone();
    let out = browser.post_form(&stack.url("/pod/app/logout"), &[("csrf_token", &token)], &stack.base_url()).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let logout = reqwest::Url::parse(&absolute(&stack, &out.location)).unwrap();
    assert_eq!(logout.path(), "/auth0/v2/logout");
    let params: BTreeMap<String, String> = logout.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], stack.settings().auth0.client_id);
    assert_eq!(params["returnTo"], stack.url("/pod/app/"));
    assert!(!browser.cookies.contains_key("pod_session"));
    let back = browser.get(logout.as_str()).await;
    assert_eq!((back.status, back.location.as_str()), (StatusCode::FOUND, stack.url("/pod/app/").as_str()));
    assert!(!browser.cookies.contains_key("auth0_local_session"), "the provider's cookie is cleared");

    // "Sign in" now asks for the password again, even with a copy of the old provider cookie.
    let (authorize, form) = start_sign_in(&stack, &mut browser).await;
    assert!(form.body.contains("id=\"password\""), "{}", form.body);
    let mut thief = Browser::new();
    thief.cookies.insert("auth0_local_session".into(), copied_idp_cookie);
    let stolen = thief.get(&authorize).await;
    assert_eq!(stolen.status, StatusCode::OK, "no code for an ended login session");
    assert!(stolen.body.contains("id=\"password\""));

    // A copy of the signed-out session's cookie is refused; sign-out ends that session only,
    // so the earlier one (whose cookie this browser dropped without signing out) lives on.
    let mut thief = Browser::new();
    thief.cookies.insert("pod_session".into(), kept);
    let orders = thief.get(&stack.url("/pod/app/orders")).await;
    assert_eq!(orders.status, StatusCode::SEE_OTHER);
    assert!(orders.location.starts_with("/pod/app/login?return_to="), "{}", orders.location);
    assert_eq!(thief.get(&stack.url("/pod/app/orders/live")).await.status, StatusCode::UNAUTHORIZED);
    let mut other = Browser::new();
    other.cookies.insert("pod_session".into(), copied_app_cookie);
    assert_eq!(other.get(&stack.url("/pod/app/orders/live")).await.status, StatusCode::OK);
    stack.stop().await;
}

/// Ana signs in to the web app through the identity provider's form and signs out again.
/// Returns the secrets that passed: both sessions' cookies, the authorization code, the CSRF token.
pub(crate) async fn sign_in_and_out(stack: &TestStack) -> Vec<String> {
    let mut browser = Browser::new();
    let (_, form) = start_sign_in(stack, &mut browser).await;
    let redirect = give_password(stack, &mut browser, &form).await;
    let code = redirect.location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();
    finish_sign_in(stack, &mut browser, &redirect).await;
    let mut secrets =
        vec![code, browser.cookies["pod_session"].clone(), browser.cookies["auth0_local_session"].clone()];
    let home = browser.get(&stack.url("/pod/app/")).await;
    let marker = r#"name="csrf_token" value=""#;
    let token = home.body.split(marker).nth(1).expect("a sign-out form").split('"').next().unwrap().to_string();
    let out = browser.post_form(&stack.url("/pod/app/logout"), &[("csrf_token", &token)], &stack.base_url()).await;
    let back = browser.get(&absolute(stack, &out.location)).await;
    assert_eq!(back.status, StatusCode::FOUND);
    secrets.push(token);
    secrets
}

#[tokio::test]
async fn sign_out_ends_the_app_session_and_the_identity_providers_on_the_embedded_store() {
    sign_out_ends_the_app_session_and_the_identity_providers(TestStack::spawn(&[]).await).await;
}

#[tokio::test]
async fn sign_out_ends_the_app_session_and_the_identity_providers_on_dynamodb() {
    let stack = TestStack::spawn_on_dynamodb("pod-e2e-sign-out", &[]).await;
    sign_out_ends_the_app_session_and_the_identity_providers(stack).await;
}

/// The web app holds no Management API application: the profile and Security pages show the
/// contacts the ID token vouched for at sign-in, and no page makes a Management API call.
#[tokio::test]
async fn the_web_app_shows_the_sign_ins_contacts_and_never_calls_the_management_api() {
    let stack = TestStack::spawn(&[]).await;
    let mut browser = Browser::new();
    let (_, form) = start_sign_in(&stack, &mut browser).await;
    let redirect = give_password(&stack, &mut browser, &form).await;
    finish_sign_in(&stack, &mut browser, &redirect).await;
    let before = stack.idp().management_calls();
    let profile = browser.get(&stack.url("/pod/app/profile")).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("a•••@example.com"), "Ana's email from her ID token: {}", profile.body);
    let security = browser.get(&stack.url("/pod/app/security")).await;
    assert_eq!(security.status, StatusCode::OK);
    assert!(security.body.contains("a•••@example.com") || security.body.contains("ending in"), "{}", security.body);
    assert_eq!(stack.idp().management_calls(), before, "the web app made Management API calls");
    // The skill and the api do read profiles there, with their own application.
    let ana = stack.token("ana", "pizza-ana-1").await;
    stack.order(&ana).await;
    assert!(stack.idp().management_calls() > before, "the skill reads the profile through the Management API");
    stack.stop().await;
}

#[tokio::test]
async fn the_identity_providers_logout_refuses_unknown_applications_and_return_urls() {
    let stack = TestStack::spawn(&[]).await;
    let client_id = stack.settings().auth0.client_id.clone();
    let mut browser = Browser::new();
    let cases = [
        (format!("client_id={client_id}&returnTo=https%3A%2F%2Fevil.example%2F"), "Allowed Logout URLs"),
        (format!("client_id={client_id}&returnTo=https%3A%2F%2F127.0.0.1%40evil.example%2F"), "Allowed Logout URLs"),
        (format!("client_id={client_id}"), "returnTo"),
        ("client_id=someone-else&returnTo=http%3A%2F%2F127.0.0.1%2F".to_string(), "client_id"),
        ("returnTo=http%3A%2F%2F127.0.0.1%2F".to_string(), "client_id"),
    ];
    for (query, says) in cases {
        let answer = browser.get(&stack.url(&format!("/auth0/v2/logout?{query}"))).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(answer.location.is_empty(), "{query}: no redirect");
        assert!(answer.body.contains(says), "{query}: {}", answer.body);
    }
    let fine = browser
        .get(&stack.url(&format!("/auth0/v2/logout?client_id={client_id}&returnTo=http%3A%2F%2F127.0.0.1%2F")))
        .await;
    assert_eq!((fine.status, fine.location.as_str()), (StatusCode::FOUND, "http://127.0.0.1/"));
    stack.stop().await;
}
