//! Faults: Auth0 down (503), rate-limiting (429), failing (500) or too slow (past the
//! client's timeout). The user hears a plain "try again", nothing is stored or used
//! up, and once Auth0 is back the same conversation works.

use pod_local::LocalStack;
use pod_local::idp::IdpFault;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

async fn start(dir: &Path) -> LocalStack {
    let mut vars = pod_local::private_settings(Path::new(env!("CARGO_MANIFEST_DIR")), dir).unwrap();
    vars.insert("AUTH0_TIMEOUT_MS".into(), "300".into());
    vars.insert("CODE_SENDS_PER_HOUR".into(), "100".into());
    LocalStack::start(|name| vars.get(name).cloned()).await.unwrap()
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn say(&self, event: &str, code: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/alexa").join(event);
        let body = std::fs::read_to_string(path)
            .unwrap()
            .replace("{{ACCESS_TOKEN}}", &self.token)
            .replace("{{CODE}}", code)
            .replace("{{REQUEST_ID}}", &uuid::Uuid::now_v7().to_string());
        let response = self.http.post(format!("{}/pod/alexa", self.base)).body(body).send().await.unwrap();
        assert_eq!(response.status(), 200, "Alexa always gets an answer");
        let answer: Value = response.json().await.unwrap();
        answer["response"]["outputSpeech"]["ssml"].as_str().unwrap_or_default().replace("&apos;", "'")
    }

    async fn orders(&self) -> Vec<Value> {
        let response = self.http.get(format!("{}/pod/api/orders", self.base)).bearer_auth(&self.token).send().await;
        response.unwrap().json::<Value>().await.unwrap()["orders"].as_array().unwrap().clone()
    }

    async fn outbox(&self) -> Vec<Value> {
        self.http.get(format!("{}/auth0/outbox", self.base)).send().await.unwrap().json().await.unwrap()
    }
}

async fn client(stack: &LocalStack) -> Client {
    let token = stack.idp().linked_access_token("ana").unwrap();
    Client { http: reqwest::Client::new(), base: stack.base_url(), token }
}

const FAULTS: [IdpFault; 4] =
    [IdpFault::Status(503), IdpFault::Status(429), IdpFault::Status(500), IdpFault::Delay(Duration::from_millis(800))];

#[tokio::test]
async fn ordering_while_auth0_fails_stores_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let stack = start(dir.path()).await;
    let ana = client(&stack).await;
    for fault in FAULTS {
        stack.idp().fail_with(Some(fault));
        let said = ana.say("order-large-pepperoni-mushrooms.json", "").await;
        assert!(said.contains("your order was not placed. Please try again in a moment"), "{fault:?}: {said}");
        stack.idp().fail_with(None);
        assert!(ana.orders().await.is_empty(), "{fault:?}: nothing stored");
        assert!(ana.outbox().await.is_empty(), "{fault:?}: nothing sent");
    }
    let said = ana.say("order-large-pepperoni-mushrooms.json", "").await;
    assert!(said.contains("I sent a code"), "works again once Auth0 is back: {said}");
    stack.stop().await;
}

#[tokio::test]
async fn authorizing_while_auth0_fails_uses_up_no_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let stack = start(dir.path()).await;
    let ana = client(&stack).await;
    ana.say("order-large-pepperoni-mushrooms.json", "").await;
    let code = ana.outbox().await.last().unwrap()["code"].as_str().unwrap().to_string();
    for fault in FAULTS {
        stack.idp().fail_with(Some(fault));
        let said = ana.say("authorize-code.json", &code).await;
        assert!(said.contains("couldn't check your code just now"), "{fault:?}: {said}");
        stack.idp().fail_with(None);
        let order = &ana.orders().await[0];
        assert_eq!(order["status"], "pending", "{fault:?}");
        assert_eq!(order["confirmation"]["attempts_left"], json!(3), "{fault:?}: no attempt used");
    }
    let said = ana.say("authorize-code.json", &code).await;
    assert!(said.contains("Order confirmed"), "the same code works once Auth0 is back: {said}");
    stack.stop().await;
}
