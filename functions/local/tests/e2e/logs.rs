//! The logs of a whole conversation (debug level, every crate), and of a web sign-in and
//! sign-out, never contain a code, a token, a session id, a secret, or a full phone number or
//! email address.
//!
//! The test captures them with a process-wide subscriber, which sees every thread, so it
//! runs alone in a process of its own: a child of this binary, which the test in the parent
//! starts and waits for. (A subscriber for the test's thread only is not enough beside the
//! other tests: while it is the only one registered, tracing caches "nobody listens" for a
//! callsite that another test's thread reaches first, and the event is lost here too;
//! tokio-rs/tracing#3611.)

use crate::helpers::TestStack;
use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// Set in the child process that runs the test alone.
const ALONE: &str = "POD_E2E_LOGS_ALONE";
const TEST: &str = "logs_never_hold_codes_tokens_secrets_or_full_contacts";

/// Runs [`TEST`] alone in a child process of this test binary; fails with its output if it fails.
fn run_alone() {
    let module = module_path!().split_once("::").map_or(module_path!(), |(_crate, module)| module);
    let name = format!("{module}::{TEST}");
    let binary = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(binary)
        .args([name.as_str(), "--exact", "--test-threads=1"])
        .env(ALONE, "1")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{name} failed in its own process:\n{stdout}\n{stderr}");
    assert!(stdout.contains("test result: ok. 1 passed"), "{name} did not run in its own process:\n{stdout}");
}

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

#[tokio::test]
async fn logs_never_hold_codes_tokens_secrets_or_full_contacts() {
    if std::env::var_os(ALONE).is_none() {
        return run_alone();
    }
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt().json().with_max_level(tracing::Level::DEBUG).with_writer(move || writer.clone()).init();

    let stack = TestStack::spawn(&[]).await;
    let auth0 = stack.settings().auth0.clone();

    let mut secrets = vec![
        auth0.client_secret.expose().clone(),
        auth0.api_signing_key.expose().clone(),
        // The Directive API token of the events (progressive responses).
        pod_local::directives::LOCAL_API_ACCESS_TOKEN.to_string(),
    ];
    for (user, password) in [("ana", "pizza-ana-1"), ("ben", "pizza-ben-1")] {
        let tokens = stack.tokens(user, password).await;
        let token = tokens["access_token"].as_str().unwrap().to_string();
        for field in ["access_token", "id_token", "refresh_token"] {
            secrets.extend(tokens[field].as_str().map(str::to_string));
        }
        secrets.push(password.to_string());
        stack.order(&token).await;
        secrets.push(stack.last_code().await);
        // "Send the code again": the first code and the new one stay out of the logs.
        stack.alexa("resend-code.json", &token, "").await;
        let code = stack.last_code().await;
        let wrong = if code == "0000" { "1111" } else { "0000" };
        stack.alexa("authorize-code.json", &token, wrong).await;
        let (_, confirmed) = stack.alexa("authorize-code.json", &token, &code).await;
        assert!(confirmed.to_string().contains("Order confirmed"));
        secrets.push(code);
        stack.alexa("authorize-code.json", "forged.token.value", "1234").await;
    }
    // The web app: a sign-in through the identity provider's form, and a sign-out.
    secrets.extend(crate::sign_out::sign_in_and_out(&stack).await);
    stack.stop().await;
    // The voice PIN from a recognised speaker: the person's id stays out of the logs too.
    let pin = TestStack::spawn(&[("STEP_UP", "voice_pin")]).await;
    let token = pin.token("ana", "pizza-ana-1").await;
    secrets.push(token.clone());
    let order = crate::voice_pin::order_with_pin(&pin, &token).await;
    let no_attributes = serde_json::json!({});
    for event in ["session-resumed-other-speaker.json", "session-resumed-achieved.json"] {
        crate::voice_pin::send(&pin, event, &token, &order, &no_attributes).await;
    }
    pin.stop().await;

    let captured = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(captured.lines().count() > 20, "the run was logged");
    assert!(captured.contains("order placed, code sent"));
    assert!(captured.contains("progressive response sent"));
    assert!(captured.contains("receipt sent"), "the receipt's log line, with the masked address only");
    assert!(captured.contains("code sent again"));
    assert!(captured.contains("order placed, waiting for the voice PIN"));
    assert!(captured.contains("voice PIN check came back"));
    assert!(!captured.contains("amzn1.ask.person"), "the logs contain a recognised speaker's id");
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
    // A session id (64 hex digits, only ever inside the encrypted cookie) appears nowhere either.
    let hex_run = captured.split(|c: char| !c.is_ascii_hexdigit()).find(|run| run.len() >= 64);
    assert_eq!(hex_run, None, "the logs contain what looks like a session id");
}
