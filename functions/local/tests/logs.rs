//! The logs of a whole conversation (debug level, every crate) never contain a
//! code, a token, a secret, or a full phone number or email address.

use pod_local::LocalStack;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Every log line written by this test process.
#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn alexa(http: &reqwest::Client, base: &str, event: &str, token: &str, code: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/alexa").join(event);
    let body = std::fs::read_to_string(path)
        .unwrap()
        .replace("{{ACCESS_TOKEN}}", token)
        .replace("{{CODE}}", code)
        .replace("{{REQUEST_ID}}", &uuid::Uuid::now_v7().to_string());
    http.post(format!("{base}/pod/alexa")).body(body).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn logs_never_hold_codes_tokens_secrets_or_full_contacts() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt().json().with_max_level(tracing::Level::DEBUG).with_writer(move || writer.clone()).init();

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let vars = pod_local::private_settings(manifest, dir.path()).unwrap();
    let stack = LocalStack::start(|name| vars.get(name).cloned()).await.unwrap();
    let base = stack.base_url();
    let http = reqwest::Client::new();
    let auth0 = stack.settings().auth0.clone();

    let mut secrets = vec![auth0.client_secret.expose().clone(), auth0.api_signing_key.expose().clone()];
    for (user, password) in [("ana", "pizza-ana-1"), ("ben", "pizza-ben-1")] {
        let tokens: Value = http
            .post(format!("{base}/auth0/oauth/token"))
            .json(&json!({"grant_type": "password", "username": user, "password": password,
                          "client_id": auth0.client_id, "client_secret": auth0.client_secret.expose(),
                          "audience": auth0.api_id, "scope": "openid offline_access"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = tokens["access_token"].as_str().unwrap().to_string();
        for field in ["access_token", "id_token", "refresh_token"] {
            secrets.extend(tokens[field].as_str().map(str::to_string));
        }
        secrets.push(password.to_string());
        alexa(&http, &base, "order-large-pepperoni-mushrooms.json", &token, "").await;
        let outbox: Vec<Value> = http.get(format!("{base}/auth0/outbox")).send().await.unwrap().json().await.unwrap();
        let code = outbox.last().unwrap()["code"].as_str().unwrap().to_string();
        let wrong = if code == "0000" { "1111" } else { "0000" };
        alexa(&http, &base, "authorize-code.json", &token, wrong).await;
        let confirmed = alexa(&http, &base, "authorize-code.json", &token, &code).await;
        assert!(confirmed.to_string().contains("Order confirmed"));
        secrets.push(code);
        alexa(&http, &base, "authorize-code.json", "forged.token.value", "1234").await;
    }
    stack.stop().await;

    let captured = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(captured.lines().count() > 20, "the run was logged");
    assert!(captured.contains("order placed, code sent"));
    let contacts = ["+14155550121", "4155550121", "ana@example.com", "ben@example.com"];
    for needle in secrets.iter().map(String::as_str).chain(contacts).chain(["forged.token.value"]) {
        // A 4-digit code could appear inside an unrelated number; look for it as a JSON value or word.
        let found = if needle.len() <= 6 && needle.chars().all(|c| c.is_ascii_digit()) {
            captured.contains(&format!("\"{needle}\"")) || captured.contains(&format!(" {needle} "))
        } else {
            captured.contains(needle)
        };
        assert!(!found, "the logs contain a secret or contact: {needle}");
    }
}
