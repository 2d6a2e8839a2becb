//! Reading the functions' secrets from AWS Secrets Manager through the real SDK client,
//! against the AWS-compatible server `make test` starts (moto), and against a second
//! moto server that enforces IAM for the denied call.

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use pod_shared::config::{ConfigError, Settings};
use pod_shared::secrets::{SECRETS_ARN, SecretValues, SecretsError, SettingsError, SettingsSource};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn endpoint() -> String {
    std::env::var("POD_TEST_DYNAMODB_ENDPOINT")
        .expect("needs the local AWS-compatible server: run `make test` or `scripts/with-moto.sh cargo test`")
}

fn client_for(endpoint: &str, key_id: &str, secret_key: &str) -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(key_id, secret_key, None, None, "pod-tests"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

fn client() -> aws_sdk_secretsmanager::Client {
    client_for(&endpoint(), "test", "test")
}

async fn create_secret(client: &aws_sdk_secretsmanager::Client, name: &str, text: &str) -> String {
    let name = format!("{name}-{}", uuid::Uuid::now_v7());
    let created = client.create_secret().name(name).secret_string(text).send().await.expect("moto creates the secret");
    created.arn().expect("the secret has an ARN").to_string()
}

/// What a deployed skill or API function has in its configuration: names and ARNs, no secret values.
fn function_environment(arn: &str) -> HashMap<String, String> {
    [
        ("AUTH0_DOMAIN", "pod.eu.auth0.com"),
        ("API_ID", "https://pod.localtest.me"),
        ("TOKEN_ALGORITHM", "RS256"),
        ("APP_CLIENT_ID", "login-client"),
        ("MGMT_CLIENT_ID", "management-client"),
        (SECRETS_ARN, arn),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

const SERVICE_SECRET: &str = r#"{
    "app_client_secret": "login-client-secret-of-at-least-32-chars",
    "mgmt_client_secret": "management-secret-of-at-least-32-chars"
}"#;

#[tokio::test]
async fn a_function_reads_its_secrets_with_one_call_and_keeps_none_in_its_configuration() {
    let client = client();
    let arn = create_secret(&client, "pod/service", SERVICE_SECRET).await;
    let source = SettingsSource::with_client(function_environment(&arn), &client).await.expect("the secret is read");
    assert!(source.uses_secret());
    let settings = source.load(|lookup| Settings::from_lookup(lookup)).expect("the settings are complete");
    assert_eq!(settings.auth0.client_secret.expose(), "login-client-secret-of-at-least-32-chars");
    assert_eq!(
        settings.auth0.management.as_ref().map(|m| m.client_secret.expose().as_str()),
        Some("management-secret-of-at-least-32-chars")
    );
}

#[tokio::test]
async fn a_missing_secret_stops_the_function_naming_it() {
    let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pod/never-created-AbCdEf";
    let error = SettingsSource::with_client(function_environment(missing), &client()).await.unwrap_err();
    assert_eq!(error, SecretsError::NotFound { arn: missing.to_string() });
    assert!(error.to_string().contains(missing), "{error}");
}

#[tokio::test]
async fn a_missing_key_stops_the_function_naming_the_setting_and_the_key() {
    let client = client();
    let arn =
        create_secret(&client, "pod/partial", r#"{"app_client_secret": "login-client-secret-of-at-least-32-chars"}"#)
            .await;
    let source = SettingsSource::with_client(function_environment(&arn), &client).await.unwrap();
    let error = source.load(|lookup| Settings::from_lookup(lookup)).unwrap_err();
    match &error {
        SettingsError::Secrets(SecretsError::MissingKey { name, key, arn: named }) => {
            assert_eq!(
                (*name, key.as_str(), named.as_str()),
                ("MGMT_CLIENT_SECRET", "mgmt_client_secret", arn.as_str())
            )
        }
        other => panic!("expected the missing key to be named, got {other:?}"),
    }
    assert!(error.to_string().contains("'mgmt_client_secret'"), "{error}");
}

#[tokio::test]
async fn a_secret_that_is_not_json_or_a_value_left_in_the_environment_is_refused() {
    let client = client();
    let arn = create_secret(&client, "pod/plain", "just-a-string").await;
    let error = SettingsSource::with_client(function_environment(&arn), &client).await.unwrap_err();
    assert!(matches!(error, SecretsError::NotJson { .. }), "{error:?}");

    let arn = create_secret(&client, "pod/service", SERVICE_SECRET).await;
    let mut environment = function_environment(&arn);
    environment.insert("APP_CLIENT_SECRET".into(), "left-in-the-function-configuration".into());
    let error = SettingsSource::with_client(environment, &client).await.unwrap_err();
    assert_eq!(error, SecretsError::InEnvironment { name: "APP_CLIENT_SECRET" });
}

#[tokio::test]
async fn without_secrets_arn_the_environment_is_used_and_nothing_is_fetched() {
    // No endpoint: a fetch would fail, so success proves none was made.
    let unreachable = client_for("http://127.0.0.1:9", "test", "test");
    let mut environment = function_environment("");
    environment.remove(SECRETS_ARN);
    environment.insert("APP_CLIENT_SECRET".into(), "l".repeat(32));
    environment.insert("MGMT_CLIENT_SECRET".into(), "m".repeat(32));
    let source = SettingsSource::with_client(environment, &unreachable).await.unwrap();
    assert!(!source.uses_secret());
    let settings = source.load(|lookup| Settings::from_lookup(lookup)).unwrap();
    assert_eq!(settings.auth0.client_secret.expose(), &"l".repeat(32));
}

/// A moto server that enforces IAM (scripts/moto_iam_server.py); stops when dropped.
struct IamServer {
    child: Child,
    endpoint: String,
    arn: String,
    key_id: String,
    secret_key: String,
}

impl IamServer {
    fn start(secret: &str) -> Self {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut child = Command::new(format!("{root}/.venv/bin/python"))
            .arg(format!("{root}/scripts/moto_iam_server.py"))
            .arg(secret)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("needs .venv with moto: run `make test` or scripts/venv.sh");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut line).unwrap();
        let setup: serde_json::Value = serde_json::from_str(&line).expect("the IAM server prints its setup");
        let field = |name: &str| setup[name].as_str().expect(name).to_string();
        Self {
            endpoint: field("endpoint"),
            arn: field("arn"),
            key_id: field("access_key_id"),
            secret_key: field("secret_access_key"),
            child,
        }
    }
}

impl Drop for IamServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_denied_call_stops_the_function_saying_which_permission_it_needs() {
    let server = tokio::task::spawn_blocking(|| IamServer::start(SERVICE_SECRET)).await.unwrap();
    // The function's role may read another secret only.
    let client = client_for(&server.endpoint, &server.key_id, &server.secret_key);
    let error = SecretValues::fetch(&client, &server.arn).await.unwrap_err();
    match &error {
        SecretsError::Denied { arn, .. } => assert_eq!(arn, &server.arn),
        other => panic!("expected the call to be denied, got {other:?}"),
    }
    assert!(error.to_string().contains("secretsmanager:GetSecretValue"), "{error}");
    // Unknown credentials are denied too.
    let stranger = client_for(&server.endpoint, "AKIAUNKNOWNUNKNOWN00", "nope");
    assert!(matches!(SecretValues::fetch(&stranger, &server.arn).await, Err(SecretsError::Denied { .. })));
}

#[test]
fn missing_settings_outside_the_secret_are_named_as_before() {
    let source = SettingsSource::new(HashMap::new(), None).unwrap();
    let error = source.load(|lookup| Settings::from_lookup(lookup)).unwrap_err();
    assert_eq!(error, SettingsError::Config(ConfigError::Missing("AUTH0_DOMAIN")));
}
