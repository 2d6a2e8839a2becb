//! The AWS SDK clients' settings, from the environment as Lambda sets it: the region
//! (`AWS_REGION`, else `AWS_DEFAULT_REGION`), the function role's credentials
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) and the endpoint overrides
//! the tests and the local stack use (`AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`).
//! Lambda puts a function's credentials in its environment (only SnapStart, which custom runtimes
//! do not have, serves them from a container endpoint instead).
//!
//! This replaces `aws-config`'s default chain, which also reads profile files, SSO and web-identity
//! tokens, and for those links the whole STS client into every binary: more than the 8 MB size
//! budget leaves on x86_64 (README, "What is still hand-written"). What it does not replace, the
//! service crates' own defaults give (retries, timeouts, the HTTPS client, the sleep and time
//! sources): the clients are built with the latest behaviour version.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::SdkConfig;
use aws_types::region::Region;

/// The services Pod calls, by the names their endpoint variables use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    DynamoDb,
    Sns,
    SesV2,
    SecretsManager,
}

impl Service {
    /// `AWS_ENDPOINT_URL_<this>`: the service id in upper snake case, as the AWS SDKs read it.
    fn endpoint_variable(self) -> &'static str {
        match self {
            Service::DynamoDb => "AWS_ENDPOINT_URL_DYNAMODB",
            Service::Sns => "AWS_ENDPOINT_URL_SNS",
            Service::SesV2 => "AWS_ENDPOINT_URL_SESV2",
            Service::SecretsManager => "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        }
    }
}

/// The settings for one service's client, from the process environment.
pub fn sdk_config(service: Service) -> SdkConfig {
    sdk_config_from(service, |name| std::env::var(name).ok())
}

/// As [`sdk_config`], reading settings through `lookup`. Empty values count as unset.
pub fn sdk_config_from(service: Service, lookup: impl Fn(&str) -> Option<String>) -> SdkConfig {
    let setting = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let mut config = SdkConfig::builder().behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest());
    if let Some(region) = setting("AWS_REGION").or_else(|| setting("AWS_DEFAULT_REGION")) {
        config = config.region(Region::new(region));
    }
    if let (Some(key), Some(secret)) = (setting("AWS_ACCESS_KEY_ID"), setting("AWS_SECRET_ACCESS_KEY")) {
        let credentials = Credentials::new(key, secret, setting("AWS_SESSION_TOKEN"), None, "environment");
        config = config.credentials_provider(SharedCredentialsProvider::new(credentials));
    }
    if let Some(endpoint) = setting(service.endpoint_variable()).or_else(|| setting("AWS_ENDPOINT_URL")) {
        config = config.endpoint_url(endpoint);
    }
    config.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::ProvideCredentials;
    use std::collections::HashMap;

    fn config(service: Service, vars: &[(&str, &str)]) -> SdkConfig {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        sdk_config_from(service, |name| vars.get(name).cloned())
    }

    #[tokio::test]
    async fn lambdas_environment_gives_the_region_the_roles_credentials_and_no_endpoint() {
        let lambda = [
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "session"),
        ];
        let config = config(Service::DynamoDb, &lambda);
        assert_eq!(config.region().map(Region::as_ref), Some("eu-west-1"));
        assert_eq!(config.endpoint_url(), None);
        let provider = config.credentials_provider().expect("credentials");
        let credentials = provider.provide_credentials().await.unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "secret");
        assert_eq!(credentials.session_token(), Some("session"), "a role's credentials need their token");
        assert!(config.behavior_version().is_some());
    }

    #[test]
    fn the_default_region_and_each_services_own_endpoint_are_read() {
        let vars = [
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", " "),
        ];
        assert_eq!(config(Service::DynamoDb, &vars).region().map(Region::as_ref), Some("us-east-1"));
        assert_eq!(config(Service::DynamoDb, &vars).endpoint_url(), Some("http://127.0.0.1:8000"));
        assert_eq!(config(Service::Sns, &vars).endpoint_url(), Some("http://127.0.0.1:5000"), "the global one");
        assert_eq!(
            config(Service::SecretsManager, &vars).endpoint_url(),
            Some("http://127.0.0.1:5000"),
            "blank is unset"
        );
        let none = config(Service::SesV2, &[]);
        assert!(none.region().is_none() && none.credentials_provider().is_none() && none.endpoint_url().is_none());
    }

    #[test]
    fn a_key_without_its_secret_is_no_credentials() {
        let config = config(Service::Sns, &[("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")]);
        assert!(config.credentials_provider().is_none());
    }
}
