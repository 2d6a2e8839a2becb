//! The Lambda binary stops at start, saying what is missing, when its secret cannot be read
//! (run against the AWS-compatible server `make test` starts: moto's Secrets Manager).

use std::process::Command;

fn endpoint() -> String {
    std::env::var("POD_TEST_DYNAMODB_ENDPOINT")
        .expect("needs the local AWS-compatible server: run `make test` or `scripts/with-moto.sh cargo test`")
}

/// Runs the pod-api binary with only `vars` in its environment; returns its exit status and stderr.
fn start(vars: &[(&str, &str)]) -> (bool, String) {
    let endpoint = endpoint();
    let output = Command::new(env!("CARGO_BIN_EXE_pod-api"))
        .env_clear()
        .envs([
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.as_str()),
            ("AUTH0_DOMAIN", "pod.eu.auth0.com"),
            ("API_ID", "https://pod.localtest.me"),
            ("TOKEN_ALGORITHM", "RS256"),
            ("APP_CLIENT_ID", "login-client"),
            ("MGMT_CLIENT_ID", "management-client"),
            ("ORDERS_STORE", "dynamodb"),
        ])
        .envs(vars.iter().copied())
        .output()
        .expect("the pod-api binary runs");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_missing_secret_stops_the_function_at_start_naming_it() {
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pod/never-created-XyZ123";
    let (started, stderr) = start(&[("SECRETS_ARN", arn)]);
    assert!(!started);
    assert!(
        stderr.contains("pod-api cannot start") && stderr.contains(arn) && stderr.contains("does not exist"),
        "{stderr}"
    );
}

#[test]
fn a_secret_left_in_the_function_configuration_stops_it_at_start() {
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pod/never-created-XyZ123";
    let (started, stderr) = start(&[("SECRETS_ARN", arn), ("MGMT_CLIENT_SECRET", "m".repeat(32).as_str())]);
    assert!(!started);
    assert!(stderr.contains("MGMT_CLIENT_SECRET is set in the function's environment"), "{stderr}");
}

#[test]
fn a_malformed_arn_stops_it_before_any_call() {
    let (started, stderr) = start(&[("SECRETS_ARN", "pod/auth0")]);
    assert!(!started);
    assert!(stderr.contains("SECRETS_ARN is invalid"), "{stderr}");
}

#[test]
fn without_its_management_api_application_the_api_stops_at_start() {
    // Secrets from the environment (no SECRETS_ARN), as locally, but no MGMT_CLIENT_ID.
    let output = Command::new(env!("CARGO_BIN_EXE_pod-api"))
        .env_clear()
        .envs([
            ("AWS_REGION", "us-east-1"),
            ("AUTH0_DOMAIN", "pod.eu.auth0.com"),
            ("API_ID", "https://pod.localtest.me"),
            ("TOKEN_ALGORITHM", "RS256"),
            ("APP_CLIENT_ID", "login-client"),
            ("APP_CLIENT_SECRET", "a-login-client-secret-of-32-characters"),
            ("ORDERS_STORE", "dynamodb"),
        ])
        .output()
        .expect("the pod-api binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("pod-api cannot start: MGMT_CLIENT_ID is not set"), "{stderr}");
}
