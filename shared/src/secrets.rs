//! Secrets from AWS Secrets Manager, read once when a function starts.
//!
//! A deployed function's configuration holds `SECRETS_ARN`, the ARN of one secret (a JSON
//! object), never a secret's value: the value would be readable by anyone allowed
//! `lambda:GetFunctionConfiguration`. At start the function makes one `GetSecretValue` call
//! and keeps the values for the container's life. A secret setting is read from the key of
//! its name in lower case (`APP_CLIENT_SECRET` from `app_client_secret`). With `SECRETS_ARN`
//! set, a secret setting in the environment is refused; without it (the local stack, the
//! seed's setup) every setting comes from the environment.

use crate::config::{ConfigError, Secret};
use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use std::collections::HashMap;

/// The setting that names the secret.
pub const SECRETS_ARN: &str = "SECRETS_ARN";

/// The settings that are secrets: read from the secret when `SECRETS_ARN` is set.
pub const SECRET_SETTINGS: [&str; 5] =
    ["API_SIGNING_KEY", "APP_CLIENT_SECRET", "MGMT_CLIENT_SECRET", "CODE_SECRET", "SESSION_KEY"];

/// Why a function could not read its secrets; each stops the function at start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    #[error("SECRETS_ARN is invalid: expected a Secrets Manager secret ARN (arn:…:secretsmanager:…), got '{0}'")]
    BadArn(String),
    #[error("the secret {arn} (SECRETS_ARN) does not exist")]
    NotFound { arn: String },
    #[error(
        "reading the secret {arn} (SECRETS_ARN) was denied ({code}): the function's role needs \
         secretsmanager:GetSecretValue on that ARN"
    )]
    Denied { arn: String, code: String },
    #[error("the secret {arn} (SECRETS_ARN) could not be read: {detail}")]
    Unavailable { arn: String, detail: String },
    #[error("the secret {arn} (SECRETS_ARN) is not a JSON object of strings: {detail}")]
    NotJson { arn: String, detail: String },
    #[error("{name} is set in the function's environment; with SECRETS_ARN set it must come only from the secret")]
    InEnvironment { name: &'static str },
    #[error("{name} is not set: the secret {arn} (SECRETS_ARN) has no key '{key}'")]
    MissingKey { name: &'static str, key: String, arn: String },
}

/// The values of one secret, by setting name. Prints nothing of them.
#[derive(Clone)]
pub struct SecretValues {
    arn: String,
    values: HashMap<String, Secret>,
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&String> = self.values.keys().collect();
        keys.sort();
        f.debug_struct("SecretValues").field("arn", &self.arn).field("keys", &keys).finish()
    }
}

/// The key a secret setting is read from: its name in lower case.
pub fn key_of(setting: &str) -> String {
    setting.to_ascii_lowercase()
}

/// Checks the shape of a Secrets Manager secret ARN (`arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME`).
pub fn check_arn(raw: &str) -> Result<String, SecretsError> {
    let arn = raw.trim();
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let valid = parts.len() == 7
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "secretsmanager"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5] == "secret"
        && !parts[6].is_empty()
        && !arn.contains(char::is_whitespace);
    if valid { Ok(arn.to_string()) } else { Err(SecretsError::BadArn(arn.to_string())) }
}

impl SecretValues {
    /// Reads a secret string: a JSON object whose values are strings.
    pub fn from_json(arn: &str, text: &str) -> Result<Self, SecretsError> {
        let not_json = |detail: String| SecretsError::NotJson { arn: arn.to_string(), detail };
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| not_json(format!("line {} column {}", e.line(), e.column())))?;
        let mut values = HashMap::new();
        for (key, value) in object {
            let serde_json::Value::String(value) = value else {
                return Err(not_json(format!("the value of '{key}' is not a string")));
            };
            if !SECRET_SETTINGS.iter().any(|setting| key_of(setting) == key) {
                tracing::warn!(key, "the secret holds a key Pod does not read");
            }
            values.insert(key, Secret::new(value));
        }
        Ok(Self { arn: arn.to_string(), values })
    }

    /// The secret's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The value of a secret setting, trimmed; `None` when the secret has no such key.
    fn get(&self, setting: &str) -> Option<String> {
        self.values.get(&key_of(setting)).map(|value| value.expose().trim().to_string())
    }

    /// One `GetSecretValue` call for `arn`.
    pub async fn fetch(client: &aws_sdk_secretsmanager::Client, arn: &str) -> Result<Self, SecretsError> {
        let arn = check_arn(arn)?;
        let answer = client.get_secret_value().secret_id(&arn).send().await.map_err(|error| {
            let status = error.raw_response().map(|response| response.status().as_u16());
            let code = match (error.code(), status) {
                (Some(code), _) => code.to_string(),
                // An answer whose body names no code (moto answers a denial in XML): its status says it.
                (None, Some(403)) => "AccessDenied".to_string(),
                (None, _) => String::new(),
            };
            match code.as_str() {
                "ResourceNotFoundException" => SecretsError::NotFound { arn: arn.clone() },
                "AccessDeniedException" | "AccessDenied" | "UnrecognizedClientException" | "InvalidClientTokenId" => {
                    SecretsError::Denied { arn: arn.clone(), code }
                }
                "" => SecretsError::Unavailable { arn: arn.clone(), detail: error.to_string() },
                _ => SecretsError::Unavailable { arn: arn.clone(), detail: code },
            }
        })?;
        let text = answer.secret_string().ok_or_else(|| SecretsError::NotJson {
            arn: arn.clone(),
            detail: "it holds binary data, not a string".into(),
        })?;
        Self::from_json(&arn, text)
    }
}

/// Where a function's settings come from: the environment, and the secret when `SECRETS_ARN` is set.
#[derive(Debug)]
pub struct SettingsSource {
    environment: HashMap<String, String>,
    secrets: Option<SecretValues>,
}

impl SettingsSource {
    /// The process environment; with `SECRETS_ARN`, the secret it names, fetched once with the
    /// standard AWS settings (region, credentials, `AWS_ENDPOINT_URL_SECRETS_MANAGER`).
    pub async fn from_environment() -> Result<Self, SecretsError> {
        let environment: HashMap<String, String> = std::env::vars().collect();
        if environment.get(SECRETS_ARN).is_none_or(|arn| arn.trim().is_empty()) {
            return Self::new(environment, None);
        }
        let config = crate::aws::sdk_config(crate::aws::Service::SecretsManager);
        Self::with_client(environment, &aws_sdk_secretsmanager::Client::new(&config)).await
    }

    /// As [`Self::from_environment`], with the given settings and Secrets Manager client.
    pub async fn with_client(
        environment: HashMap<String, String>,
        client: &aws_sdk_secretsmanager::Client,
    ) -> Result<Self, SecretsError> {
        let secrets = match environment.get(SECRETS_ARN).map(|arn| arn.trim()).filter(|arn| !arn.is_empty()) {
            None => None,
            Some(arn) => {
                // Refused before any call: a value in the configuration is already a leak.
                refuse_secrets_in(&environment)?;
                Some(SecretValues::fetch(client, arn).await?)
            }
        };
        // Already checked above, before the fetch; `new` would check it again.
        Ok(Self { environment, secrets })
    }

    /// Settings from `environment`, secret ones from `secrets` when given.
    pub fn new(environment: HashMap<String, String>, secrets: Option<SecretValues>) -> Result<Self, SecretsError> {
        if secrets.is_some() {
            refuse_secrets_in(&environment)?;
        }
        Ok(Self { environment, secrets })
    }

    /// Whether the secret settings come from Secrets Manager.
    pub fn uses_secret(&self) -> bool {
        self.secrets.is_some()
    }

    /// The value of one setting.
    pub fn lookup(&self, name: &str) -> Option<String> {
        match &self.secrets {
            Some(secrets) if SECRET_SETTINGS.contains(&name) => secrets.get(name),
            _ => self.environment.get(name).cloned(),
        }
    }

    /// Runs a settings loader over this source. A secret setting the loader misses is named
    /// with the secret's key, so the message says where it should have been.
    pub fn load<T>(
        &self,
        loader: impl FnOnce(&dyn Fn(&str) -> Option<String>) -> Result<T, ConfigError>,
    ) -> Result<T, SettingsError> {
        loader(&|name| self.lookup(name)).map_err(|error| match (&self.secrets, error) {
            (Some(secrets), ConfigError::Missing(name)) if SECRET_SETTINGS.contains(&name) => {
                SettingsError::Secrets(SecretsError::MissingKey {
                    name,
                    key: key_of(name),
                    arn: secrets.arn().to_string(),
                })
            }
            (_, error) => SettingsError::Config(error),
        })
    }
}

/// With a secret in use, no secret setting may also be in the environment.
fn refuse_secrets_in(environment: &HashMap<String, String>) -> Result<(), SecretsError> {
    match SECRET_SETTINGS.into_iter().find(|name| environment.get(*name).is_some_and(|value| !value.trim().is_empty()))
    {
        Some(name) => Err(SecretsError::InEnvironment { name }),
        None => Ok(()),
    }
}

/// A setting is wrong or missing, or the secret holding it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("secrets: {0}")]
    Secrets(#[from] SecretsError),
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pod/service-AbCdEf";

    fn environment(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn secret_settings_come_from_the_secret_and_the_rest_from_the_environment() {
        let secrets = SecretValues::from_json(ARN, r#"{"app_client_secret": " s3cret ", "other": "x"}"#).unwrap();
        let source =
            SettingsSource::new(environment(&[("APP_CLIENT_ID", "client"), (SECRETS_ARN, ARN)]), Some(secrets))
                .unwrap();
        assert!(source.uses_secret());
        assert_eq!(source.lookup("APP_CLIENT_SECRET").as_deref(), Some("s3cret"));
        assert_eq!(source.lookup("APP_CLIENT_ID").as_deref(), Some("client"));
        assert_eq!(source.lookup("SESSION_KEY"), None);
        assert!(!format!("{source:?}").contains("s3cret"), "values stay out of Debug");
    }

    #[test]
    fn a_secret_in_the_environment_is_refused_when_the_secret_is_used() {
        let secrets = SecretValues::from_json(ARN, r#"{"app_client_secret": "s"}"#).unwrap();
        let refused = SettingsSource::new(environment(&[("MGMT_CLIENT_SECRET", "leaked")]), Some(secrets));
        assert_eq!(refused.unwrap_err(), SecretsError::InEnvironment { name: "MGMT_CLIENT_SECRET" });
        let local = SettingsSource::new(environment(&[("MGMT_CLIENT_SECRET", "local")]), None).unwrap();
        assert_eq!(local.lookup("MGMT_CLIENT_SECRET").as_deref(), Some("local"), "no secret: the environment");
    }

    #[test]
    fn a_missing_secret_setting_names_the_key_and_the_secret() {
        let secrets = SecretValues::from_json(ARN, "{}").unwrap();
        let source = SettingsSource::new(HashMap::new(), Some(secrets)).unwrap();
        let error = source
            .load(|lookup| lookup("APP_CLIENT_SECRET").ok_or(ConfigError::Missing("APP_CLIENT_SECRET")))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "secrets: APP_CLIENT_SECRET is not set: the secret {ARN} (SECRETS_ARN) has no key 'app_client_secret'"
            )
        );
        let error = source.load(|lookup| lookup("API_ID").ok_or(ConfigError::Missing("API_ID"))).unwrap_err();
        assert_eq!(error, SettingsError::Config(ConfigError::Missing("API_ID")));
    }

    #[test]
    fn a_secret_must_be_a_json_object_of_strings_and_the_arn_an_arn() {
        for text in ["not json", "[]", r#"{"session_key": 5}"#] {
            assert!(matches!(SecretValues::from_json(ARN, text), Err(SecretsError::NotJson { .. })), "{text}");
        }
        assert_eq!(check_arn(ARN).unwrap(), ARN);
        for bad in [
            "pod/service",
            "arn:aws:ssm:us-east-1:123456789012:parameter/x",
            "arn:aws:secretsmanager:us-east-1:1:secret:x",
        ] {
            assert!(matches!(check_arn(bad), Err(SecretsError::BadArn(_))), "{bad}");
        }
    }
}
