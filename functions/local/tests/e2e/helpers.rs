//! What the modules share: a private local stack ([`TestStack`]) and the ways the tests
//! talk to it — as Alexa (the recorded events of `events/alexa`, filled in by
//! `pod_local::events` as `make events` fills them), as an API client, and as someone
//! reading the identity provider's outbox.

use pod_local::LocalStack;
use pod_local::events::{self, Placeholders};
use pod_local::idp::LocalIdp;
use pod_shared::config::Settings;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The checkout's root (this crate is `functions/local`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A private local stack: the checked-in `local.env` with some settings overridden, any free
/// port, and a fresh data directory that lives as long as this struct (or what [`TestStack::stop`]
/// returns). Dropping it does not stop the stack; [`TestStack::stop`] does.
pub struct TestStack {
    stack: LocalStack,
    http: reqwest::Client,
    data: TempDir,
    overrides: Vec<(String, String)>,
}

impl TestStack {
    /// Starts a stack on the embedded store (unless `overrides` say otherwise).
    pub async fn spawn(overrides: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("a temporary data directory");
        let overrides = overrides.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
        Self::start(data, overrides).await
    }

    /// Starts a stack on DynamoDB: a fresh table (`{table_prefix}-{process id}`, so one prefix per
    /// test) on the local DynamoDB-compatible server of `scripts/with-moto.sh`.
    pub async fn spawn_on_dynamodb(table_prefix: &str, overrides: &[(&str, &str)]) -> Self {
        let table = pod_local::fresh_local_table(table_prefix).await;
        let mut settings = vec![("ORDERS_STORE", "dynamodb"), ("ORDERS_TABLE", table.as_str())];
        settings.extend_from_slice(overrides);
        Self::spawn(&settings).await
    }

    async fn start(data: TempDir, overrides: Vec<(String, String)>) -> Self {
        let mut vars = pod_local::private_settings(Path::new(env!("CARGO_MANIFEST_DIR")), data.path())
            .expect("the checked-in local.env can be read");
        vars.extend(overrides.iter().cloned());
        let stack = LocalStack::start(|name| vars.get(name).cloned()).await.expect("the local stack starts");
        Self { stack, http: reqwest::Client::new(), data, overrides }
    }

    /// Stops the stack and starts it again on the same data directory and settings (a new port).
    pub async fn restart(self) -> Self {
        let overrides = self.overrides.clone();
        let data = self.stop().await;
        Self::start(data, overrides).await
    }

    /// Stops accepting requests, lets the ones in flight finish, and waits. Returns the data
    /// directory, to look at what the stack left there; it is removed when dropped.
    pub async fn stop(self) -> TempDir {
        self.stack.stop().await;
        self.data
    }

    /// The stack itself, for what takes a [`LocalStack`].
    pub fn local(&self) -> &LocalStack {
        &self.stack
    }

    pub fn idp(&self) -> &LocalIdp {
        self.stack.idp()
    }

    pub fn settings(&self) -> &Settings {
        self.stack.settings()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.stack.base_url()
    }

    /// `path` (from `/`) on this stack.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.stack.base_url())
    }

    /// The HTTP client the helpers use (it follows redirects), for requests of a test's own.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The identity provider's answer to a password grant for a dev user (which stands in for
    /// account linking): `access_token`, `id_token`, `refresh_token`.
    pub async fn tokens(&self, user: &str, password: &str) -> Value {
        let auth0 = &self.settings().auth0;
        let response = self
            .http
            .post(self.url("/auth0/oauth/token"))
            .json(&json!({
                "grant_type": "password", "username": user, "password": password,
                "client_id": auth0.client_id, "client_secret": auth0.client_secret.expose(),
                "audience": auth0.api_id, "scope": "openid offline_access",
            }))
            .send()
            .await
            .expect("the token endpoint answers");
        assert_eq!(response.status(), 200, "the password grant for {user}");
        response.json().await.expect("tokens")
    }

    /// A dev user's access token from a password grant (which stands in for account linking).
    pub async fn token(&self, user: &str, password: &str) -> String {
        let tokens = self.tokens(user, password).await;
        tokens["access_token"].as_str().expect("an access token").to_string()
    }

    /// A dev user's account-linking token, minted by the identity provider without a request.
    pub fn linked_token(&self, user: &str) -> String {
        self.idp().linked_access_token(user).unwrap_or_else(|| panic!("no dev user named {user}"))
    }

    /// Sends the recorded event `events/alexa/{event}` with `token` and `code` filled in (and a
    /// fresh request id and timestamp) to `POST /pod/alexa`; returns the status and the body.
    pub async fn alexa(&self, event: &str, token: &str, code: &str) -> (u16, Value) {
        let path = repo_root().join("events/alexa").join(event);
        let placeholders = Placeholders::new(token, code).with_api_endpoint(self.stack.directive_endpoint());
        let body = events::render_file(&path, &placeholders).unwrap_or_else(|e| panic!("{e}"));
        let response =
            self.http.post(self.url("/pod/alexa")).body(body.to_string()).send().await.expect("the stack answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }

    /// Like [`TestStack::alexa`], in a session: `attributes` (what the last answer left in its
    /// `sessionAttributes`) go into the event's `session.attributes`, as Alexa sends them.
    pub async fn alexa_in_session(&self, event: &str, token: &str, code: &str, attributes: &Value) -> (u16, Value) {
        let path = repo_root().join("events/alexa").join(event);
        let placeholders = Placeholders::new(token, code).with_api_endpoint(self.stack.directive_endpoint());
        let mut body = events::render_file(&path, &placeholders).unwrap_or_else(|e| panic!("{e}"));
        body["session"]["attributes"] = attributes.clone();
        let response =
            self.http.post(self.url("/pod/alexa")).body(body.to_string()).send().await.expect("the stack answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }

    /// The seed's order as a user places it now: "get me a large pizza with pepperoni and
    /// mushrooms", the recap, and "yes" in the same session (the recap's session attributes
    /// go back). Returns what the yes was answered (the code went out, or why not).
    pub async fn order(&self, token: &str) -> String {
        let (status, recap) = self.alexa("order-large-pepperoni-mushrooms.json", token, "").await;
        assert_eq!(status, 200, "the recap: {recap}");
        let attributes = recap.get("sessionAttributes").cloned().unwrap_or(json!({}));
        if attributes.get("stage").is_none() {
            return speech(&recap);
        }
        let (status, yes) = self.alexa_in_session("yes-to-the-recap.json", token, "", &attributes).await;
        assert_eq!(status, 200, "the yes: {yes}");
        speech(&yes)
    }

    /// Like [`TestStack::alexa`]; checks that Alexa got an answer and returns what it says.
    pub async fn say(&self, event: &str, token: &str, code: &str) -> String {
        let (status, body) = self.alexa(event, token, code).await;
        assert_eq!(status, 200, "Alexa always gets an answer: {event}: {body}");
        speech(&body)
    }

    /// Every message the identity provider "sent", oldest first, as `GET /auth0/outbox` lists them.
    pub async fn outbox(&self) -> Vec<Value> {
        let response = self.http.get(self.url("/auth0/outbox")).send().await.expect("the outbox answers");
        response.json().await.expect("the outbox's messages")
    }

    /// The messages sent to `destination` (a phone number or an email address).
    pub async fn outbox_to(&self, destination: &str) -> Vec<Value> {
        self.outbox().await.into_iter().filter(|m| m["destination"] == destination).collect()
    }

    /// The code of the last message sent, wherever it went.
    pub async fn last_code(&self) -> String {
        let outbox = self.outbox().await;
        outbox.last().expect("a code was sent")["code"].as_str().expect("a code").to_string()
    }

    /// The last code sent to `destination`.
    pub async fn last_code_for(&self, destination: &str) -> String {
        let outbox = self.outbox().await;
        let message = outbox.iter().rev().find(|m| m["destination"] == destination).expect("a code was sent");
        message["code"].as_str().expect("a code").to_string()
    }

    /// `GET /pod/api/orders` as the owner of `token`: the orders, newest first.
    pub async fn orders(&self, token: &str) -> Vec<Value> {
        let (status, page) = self.api(reqwest::Method::GET, "/orders", token, None).await;
        assert_eq!(status, 200, "{page}");
        page["orders"].as_array().expect("a list of orders").clone()
    }

    /// A request to the API at `/pod/api{path}` as the owner of `token`, with `body` as JSON;
    /// returns the status and the body (`null` when it is not JSON).
    pub async fn api(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(&format!("/pod/api{path}"))).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the api answers");
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }
}

/// What Alexa speaks in a skill's answer (the SSML, with `&apos;` read as `'`).
pub fn speech(answer: &Value) -> String {
    answer["response"]["outputSpeech"]["ssml"].as_str().unwrap_or_default().replace("&apos;", "'")
}
