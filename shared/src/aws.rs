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
//! service crates' own defaults give (retries, timeouts, the sleep and time sources): the clients
//! are built with the latest behaviour version.
//!
//! The HTTPS client is Pod's own choice of the SDK's (hyper with rustls over aws-lc, as the
//! default): it trusts only the roots AWS's service endpoints chain to, Amazon Trust Services'
//! (`aws/amazon-trust-services-roots.pem`), compiled in. The SDK's default reads and parses the
//! system's certificate directory at every cold start (7–9 ms of a 15–22 ms start on the bench
//! machine, `make bench`), and would trust every root in it for calls that only ever go to AWS.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::SharedHttpClient;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::sync::LazyLock;

/// Amazon Root CA 1–4 and the Starfield Services root that cross-signs them, as PEM.
pub const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("aws/amazon-trust-services-roots.pem");

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
    if let Some(client) = HTTPS_CLIENT.as_ref() {
        config = config.http_client(client.clone());
    }
    config.build()
}

/// One HTTPS client for every AWS client of the process (its connection pools are per client
/// settings, as the SDK's default's are); `None` only if the compiled-in roots were refused, which
/// the tests rule out, and then the SDK's default is used.
static HTTPS_CLIENT: LazyLock<Option<SharedHttpClient>> = LazyLock::new(|| {
    https_client_trusting(AMAZON_TRUST_SERVICES_ROOTS)
        .inspect_err(|e| tracing::warn!(error = %e, "AWS clients fall back to the system's root certificates"))
        .ok()
});

/// An HTTPS client for the AWS SDKs that trusts exactly the roots in `pem`. The roots are checked
/// here ([`roots_in`]), as the SDK will read them when it first connects (where a bad one would panic).
pub fn https_client_trusting(pem: &str) -> Result<SharedHttpClient, String> {
    roots_in(pem)?;
    let trust_store = TrustStore::empty().with_native_roots(false).with_pem_certificate(pem.as_bytes());
    let context = TlsContext::builder().with_trust_store(trust_store).build().map_err(|e| e.to_string())?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

/// The certificates in `pem`, each one usable as a trust anchor; at least one.
fn roots_in(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let roots = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the roots are not PEM certificates: {e}"))?;
    if roots.is_empty() {
        return Err("no root certificate given".into());
    }
    for root in &roots {
        webpki::anchor_from_trusted_cert(root).map_err(|e| format!("a root is not a usable certificate: {e}"))?;
    }
    Ok(roots)
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

    /// SHA-256 of each root, as Amazon Trust Services publishes them.
    const PINNED_ROOTS: [(&str, &str); 5] = [
        ("Amazon Root CA 1", "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e"),
        ("Amazon Root CA 2", "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4"),
        ("Amazon Root CA 3", "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4"),
        ("Amazon Root CA 4", "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092"),
        (
            "Starfield Services Root Certificate Authority - G2",
            "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
        ),
    ];

    #[test]
    fn the_aws_clients_trust_exactly_the_pinned_amazon_trust_services_roots_each_a_valid_self_signed_ca() {
        let roots = roots_in(AMAZON_TRUST_SERVICES_ROOTS).unwrap();
        assert_eq!(roots.len(), PINNED_ROOTS.len());
        let now = x509_parser::time::ASN1Time::now();
        for (root, (name, fingerprint)) in roots.iter().zip(PINNED_ROOTS) {
            let digest = ring::digest::digest(&ring::digest::SHA256, root.as_ref());
            let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, fingerprint, "{name}");
            let (_, cert) = x509_parser::parse_x509_certificate(root.as_ref()).unwrap();
            let common_name = cert.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok());
            assert_eq!(common_name, Some(name));
            assert_eq!(cert.subject(), cert.issuer(), "{name} is a root");
            assert!(cert.is_ca(), "{name} is a CA");
            assert!(cert.validity().is_valid_at(now), "{name} is valid today");
        }
        assert!(HTTPS_CLIENT.is_some(), "the SDK clients get Pod's HTTPS client");
        assert!(sdk_config(Service::DynamoDb).http_client().is_some());
    }

    #[test]
    fn an_https_client_is_refused_for_no_roots_or_roots_that_are_not_certificates() {
        assert!(https_client_trusting("").unwrap_err().contains("no root"));
        let garbage = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        assert!(https_client_trusting(garbage).unwrap_err().contains("not a usable certificate"));
        let broken = "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n";
        assert!(https_client_trusting(broken).is_err());
        assert!(https_client_trusting(AMAZON_TRUST_SERVICES_ROOTS).is_ok());
    }

    #[test]
    fn a_key_without_its_secret_is_no_credentials() {
        let config = config(Service::Sns, &[("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")]);
        assert!(config.credentials_provider().is_none());
    }
}
