//! Settings from the environment, validated once at start.

use crate::domain::{BudgetPolicy, ChallengePolicy, Cooldowns, StepUp};
use crate::metrics::MetricsMode;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// A secret setting: `Debug` and `Display` print nothing of it, so it cannot reach a log
/// by accident; [`Secret::expose`] is the one way to the value, at the call that needs it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Secret<String> {
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret")
    }
}

impl<T> std::fmt::Display for Secret<T> {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// Where the Auth0 tenant (or the local identity provider) lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth0Endpoint {
    /// Base URL without a trailing slash: `https://tenant.auth0.com`, `http://127.0.0.1:3000/auth0`.
    base: String,
}

impl Auth0Endpoint {
    /// Accepts a bare domain (`tenant.auth0.com`, https implied) or a URL with
    /// an `http`/`https` scheme and an optional path.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim().trim_end_matches('/');
        if raw.is_empty() {
            return Err("empty".into());
        }
        let with_scheme = if raw.contains("://") { raw.to_string() } else { format!("https://{raw}") };
        let url = url::Url::parse(&with_scheme).map_err(|e| format!("not a domain or URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("the scheme must be http or https".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("no host".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("no query or fragment allowed".into());
        }
        Ok(Self { base: with_scheme })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The token issuer, `https://tenant.auth0.com/` (with the trailing slash, as Auth0 writes it).
    pub fn issuer(&self) -> String {
        format!("{}/", self.base)
    }

    /// The Management API audience, `https://tenant.auth0.com/api/v2/`.
    pub fn management_audience(&self) -> String {
        format!("{}/api/v2/", self.base)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// The Auth0 application and API, as the seed configures them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth0Settings {
    pub endpoint: Auth0Endpoint,
    /// The API identifier: the `aud` of access tokens.
    pub api_id: String,
    /// How access tokens are signed (`TOKEN_ALGORITHM`).
    pub token_algorithm: TokenAlgorithm,
    /// The API's HS256 signing secret (empty with RS256).
    pub api_signing_key: Secret,
    /// The application users sign in with (the web login) and that asks for and checks
    /// passwordless codes: `APP_CLIENT_ID`, `APP_CLIENT_SECRET`.
    pub client_id: String,
    pub client_secret: Secret,
    /// The machine-to-machine application that calls the Management API, held only by the
    /// functions that read user profiles there (the skill and the api).
    pub management: Option<ManagementClient>,
    /// How the application's ID tokens are signed (`ID_TOKEN_ALGORITHM`, default RS256, Auth0's
    /// default for new applications): RS256 with the tenant's JWKS, or HS256 with the client secret.
    pub id_token_algorithm: TokenAlgorithm,
    /// The longest any one call to Auth0 may take.
    pub timeout: Duration,
    /// How long a fetched user profile is reused (`PROFILE_CACHE_SECONDS`; zero: never).
    pub profile_cache: Duration,
}

/// Pod's machine-to-machine application for the Management API (`MGMT_CLIENT_ID`,
/// `MGMT_CLIENT_SECRET`): a client-credentials grant with only the scopes Pod uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagementClient {
    pub client_id: String,
    pub client_secret: Secret,
}

/// The one algorithm access tokens (or ID tokens) must be signed with: HS256 (the API signing
/// key, or the client secret) or RS256 (the tenant's keys from its JWKS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAlgorithm {
    Hs256,
    Rs256,
}

const TOKEN_ALGORITHMS: [(&str, TokenAlgorithm); 2] =
    [("HS256", TokenAlgorithm::Hs256), ("RS256", TokenAlgorithm::Rs256)];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSettings {
    /// redb file under this directory.
    Embedded { data_dir: PathBuf },
    /// A DynamoDB table, reached with the standard AWS settings
    /// (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL_DYNAMODB`).
    DynamoDb { table: String },
}

/// DynamoDB table names: 3 to 255 of `a-z A-Z 0-9 _ - .`.
pub fn valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

/// How the skill checks that requests come from Alexa.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlexaSettings {
    /// Verify signatures, chains and timestamps of HTTPS requests (`ALEXA_VERIFY_SIGNATURE`, default true;
    /// the local stack's `local.env` turns it off).
    pub verify_signature: bool,
    /// Refuse requests for any other skill (`ALEXA_SKILL_ID`), when set.
    pub skill_id: Option<String>,
}

/// Who makes the one-time codes (`CODE_PROVIDER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeProvider {
    /// Auth0 passwordless (the seed's way).
    Auth0,
    /// Pod itself: `CODE_LENGTH` digits, MACs keyed with `CODE_SECRET`, delivered by `CODE_DELIVERY`.
    Builtin { length: usize, secret: Secret, delivery: CodeDelivery },
}

/// How builtin codes travel (`CODE_DELIVERY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeDelivery {
    /// Amazon SNS for SMS and Amazon SES for email, from `SES_FROM_ADDRESS`.
    Aws { from_address: String },
    /// The local stack's outbox (pod-local only).
    Outbox,
}

/// How the owner is told that voice ordering paused or locked (`NOTICE_DELIVERY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeDelivery {
    /// The builtin codes' delivery, or SNS/SES from `SES_FROM_ADDRESS`.
    Aws { from_address: String },
    /// The local stack's outbox.
    Outbox,
    /// Not told (logged at start-up as a warning). Auth0 passwordless can send codes only.
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub alexa: AlexaSettings,
    pub codes: CodeProvider,
    pub auth0: Auth0Settings,
    pub store: StoreSettings,
    pub challenge: ChallengePolicy,
    /// The account-level guess budget (`ACCOUNT_MAX_FAILURES`, `ACCOUNT_LOCK_FAILURES`, `ACCOUNT_PAUSE_SECONDS`).
    pub budget: BudgetPolicy,
    pub notices: NoticeDelivery,
    /// The web app's address, `{APP_BASE_URL}/pod/app`, for notices and Alexa app cards.
    pub web_app: Option<String>,
    pub log_format: LogFormat,
    /// `METRICS`: `emf` (CloudWatch EMF lines on stdout) or `off`; by default `emf` with
    /// `LOG_FORMAT=json` (as in Lambda) and `off` with `text`.
    pub metrics: crate::metrics::MetricsMode,
    /// What the skill asks for after the recap's yes (`STEP_UP`): a code, Alexa's voice PIN, or
    /// the voice PIN with a code for users without one.
    pub step_up: StepUp,
}

/// `METRICS`: `emf` or `off`; by default `emf` when the logs are JSON (Lambda), else `off`.
pub fn load_metrics(settings: &SettingsReader, log_format: LogFormat) -> Result<MetricsMode, ConfigError> {
    let default = if log_format == LogFormat::Json { "emf" } else { "off" };
    settings.one_of("METRICS", default, &[("emf", MetricsMode::Emf), ("off", MetricsMode::Off)])
}

/// `STEP_UP`: `code` (default), `voice_pin` or `voice_pin_or_code`.
pub fn load_step_up(settings: &SettingsReader) -> Result<StepUp, ConfigError> {
    let choices = StepUp::ALL.map(|step_up| (step_up.name(), step_up));
    settings.one_of("STEP_UP", StepUp::Code.name(), &choices)
}

/// The shortest accepted signing secret, in bytes (HS256 wants at least 256 bits).
pub const MIN_SECRET_LEN: usize = 32;

/// Reads settings by name through a lookup (the environment, or a map in tests): values are
/// trimmed and an empty one is unset. Every function's settings are read with one of these.
pub struct SettingsReader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> SettingsReader<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    pub fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or(ConfigError::Missing(name))
    }

    /// A whole number from `min` to `max`, `default` when unset.
    pub fn number(&self, name: &'static str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| invalid(name, format!("expected a whole number from {min} to {max}, got '{raw}'"))),
        }
    }

    /// One of the named `choices`, `default` (a choice's name) when unset.
    pub fn one_of<T: Copy>(&self, name: &'static str, default: &str, choices: &[(&str, T)]) -> Result<T, ConfigError> {
        let raw = self.optional(name).unwrap_or_else(|| default.to_string());
        choices.iter().find(|(choice, _)| *choice == raw).map(|(_, value)| *value).ok_or_else(|| {
            let names: Vec<String> = choices.iter().map(|(choice, _)| format!("'{choice}'")).collect();
            invalid(name, format!("expected {}, got '{raw}'", names.join(" or ")))
        })
    }

    /// A required secret of at least `min_len` bytes.
    pub fn secret(&self, name: &'static str, min_len: usize, unit: &str) -> Result<Secret, ConfigError> {
        let value = self.required(name)?;
        if value.len() < min_len {
            return Err(invalid(name, format!("must be at least {min_len} {unit}")));
        }
        Ok(Secret::new(value))
    }
}

/// The error for a setting that is set but wrong.
pub fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { name, reason: reason.into() }
}

impl Auth0Settings {
    /// `AUTH0_DOMAIN`, `API_ID`, `TOKEN_ALGORITHM`, `API_SIGNING_KEY`, `APP_CLIENT_ID`,
    /// `APP_CLIENT_SECRET`, `MGMT_CLIENT_ID`, `MGMT_CLIENT_SECRET`, `ID_TOKEN_ALGORITHM`, `AUTH0_TIMEOUT_MS`,
    /// `PROFILE_CACHE_SECONDS`.
    pub fn load(settings: &SettingsReader) -> Result<Self, ConfigError> {
        let endpoint =
            Auth0Endpoint::parse(&settings.required("AUTH0_DOMAIN")?).map_err(|r| invalid("AUTH0_DOMAIN", r))?;
        let api_id = settings.required("API_ID")?;
        let token_algorithm = settings.one_of("TOKEN_ALGORITHM", "HS256", &TOKEN_ALGORITHMS)?;
        let api_signing_key = match token_algorithm {
            TokenAlgorithm::Rs256 => Secret::new(settings.optional("API_SIGNING_KEY").unwrap_or_default()),
            TokenAlgorithm::Hs256 => settings.secret("API_SIGNING_KEY", MIN_SECRET_LEN, "characters")?,
        };
        let client_id = settings.required("APP_CLIENT_ID")?;
        let client_secret = settings.secret("APP_CLIENT_SECRET", MIN_SECRET_LEN, "characters")?;
        let management = match settings.optional("MGMT_CLIENT_ID") {
            None => None,
            Some(id) if id == client_id => {
                return Err(invalid(
                    "MGMT_CLIENT_ID",
                    "must be its own machine-to-machine application, not the login application APP_CLIENT_ID",
                ));
            }
            Some(client_id) => Some(ManagementClient {
                client_id,
                client_secret: settings.secret("MGMT_CLIENT_SECRET", MIN_SECRET_LEN, "characters")?,
            }),
        };
        Ok(Self {
            endpoint,
            api_id,
            token_algorithm,
            api_signing_key,
            client_id,
            client_secret,
            management,
            id_token_algorithm: settings.one_of("ID_TOKEN_ALGORITHM", "RS256", &TOKEN_ALGORITHMS)?,
            timeout: Duration::from_millis(settings.number("AUTH0_TIMEOUT_MS", 3000, 100, 10_000)?),
            profile_cache: Duration::from_secs(settings.number("PROFILE_CACHE_SECONDS", 30, 0, 300)?),
        })
    }
}

impl StoreSettings {
    /// `ORDERS_STORE`, `DATA_DIR`, `ORDERS_TABLE`.
    pub fn load(settings: &SettingsReader) -> Result<Self, ConfigError> {
        #[derive(Clone, Copy)]
        enum Kind {
            Embedded,
            DynamoDb,
        }
        let kind = settings.one_of(
            "ORDERS_STORE",
            "embedded",
            &[("embedded", Kind::Embedded), ("dynamodb", Kind::DynamoDb)],
        )?;
        Ok(match kind {
            Kind::Embedded => StoreSettings::Embedded {
                data_dir: PathBuf::from(settings.optional("DATA_DIR").unwrap_or(".data".into())),
            },
            Kind::DynamoDb => {
                let table = settings.optional("ORDERS_TABLE").unwrap_or_else(|| "pod-orders".into());
                if !valid_table_name(&table) {
                    return Err(invalid("ORDERS_TABLE", "expected 3 to 255 of a-z, A-Z, 0-9, '_', '-', '.'"));
                }
                StoreSettings::DynamoDb { table }
            }
        })
    }
}

impl CodeProvider {
    /// `CODE_PROVIDER`, and for `builtin`: `CODE_SECRET`, `CODE_DELIVERY`, `SES_FROM_ADDRESS`
    /// (the length comes from the challenge policy).
    fn load(settings: &SettingsReader, length: usize) -> Result<Self, ConfigError> {
        let builtin = settings.one_of("CODE_PROVIDER", "auth0", &[("auth0", false), ("builtin", true)])?;
        if !builtin {
            return Ok(CodeProvider::Auth0);
        }
        let secret = settings.secret("CODE_SECRET", MIN_SECRET_LEN, "characters")?;
        let delivery = match settings.one_of("CODE_DELIVERY", "aws", &[("aws", true), ("outbox", false)])? {
            true => CodeDelivery::Aws { from_address: settings.required("SES_FROM_ADDRESS")? },
            false => CodeDelivery::Outbox,
        };
        Ok(CodeProvider::Builtin { length, secret, delivery })
    }
}

/// `CODE_TTL_SECONDS`, `AUTH0_OTP_LIFETIME_SECONDS`, `CODE_LENGTH`, `CODE_MAX_ATTEMPTS`,
/// `CODE_SENDS_PER_HOUR`; `builtin`: whether Pod makes the codes.
fn load_challenge(settings: &SettingsReader, builtin: bool) -> Result<ChallengePolicy, ConfigError> {
    // Auth0 keeps its code for the passwordless connection's OTP expiry (180 s unless changed
    // in the dashboard): Pod's challenge must not outlive it, or a right code would be refused.
    let otp_lifetime = settings.number("AUTH0_OTP_LIFETIME_SECONDS", 180, 30, 600)?;
    // At most 5 minutes: PSD2 RTS Art. 4 (inactivity) is stricter than ASVS V2.7.2 (10 minutes).
    let ttl = match (settings.optional("CODE_TTL_SECONDS"), builtin) {
        (None, true) => 300,
        (None, false) => otp_lifetime.min(300),
        (Some(_), _) => settings.number("CODE_TTL_SECONDS", 300, 30, 300)?,
    };
    if !builtin && ttl > otp_lifetime {
        return Err(invalid(
            "CODE_TTL_SECONDS",
            format!(
                "{ttl} s outlives the Auth0 code (AUTH0_OTP_LIFETIME_SECONDS={otp_lifetime}); \
                 set it to at most {otp_lifetime}, or raise the connection's OTP expiry and that setting"
            ),
        ));
    }
    Ok(ChallengePolicy {
        ttl: Duration::from_secs(ttl),
        max_attempts: settings.number("CODE_MAX_ATTEMPTS", 3, 1, 10)? as u32,
        sends_per_hour: settings.number("CODE_SENDS_PER_HOUR", 5, 1, 100)? as u32,
        // 6 digits (about 20 bits) for Pod's own codes; the seed's Auth0 setup sends 4.
        code_length: settings.number("CODE_LENGTH", if builtin { 6 } else { 4 }, 4, 10)? as usize,
    })
}

/// `ACCOUNT_PAUSE_SECONDS`, `ACCOUNT_MAX_FAILURES`, `ACCOUNT_LOCK_FAILURES`.
fn load_budget(settings: &SettingsReader) -> Result<BudgetPolicy, ConfigError> {
    let pauses = match settings.optional("ACCOUNT_PAUSE_SECONDS") {
        None => Cooldowns::default(),
        Some(raw) => raw
            .split(',')
            .map(|step| step.trim().parse::<u64>().ok().filter(|s| (1..=7 * 86_400).contains(s)))
            .collect::<Option<Vec<u64>>>()
            .and_then(|steps| Cooldowns::new(steps.into_iter().map(Duration::from_secs).collect()).ok())
            .ok_or_else(|| {
                invalid(
                    "ACCOUNT_PAUSE_SECONDS",
                    format!("expected comma-separated seconds, each 1 to 604800, got '{raw}'"),
                )
            })?,
    };
    let pause_after = settings.number("ACCOUNT_MAX_FAILURES", 5, 1, 5)? as u32;
    let lock_after = settings.number("ACCOUNT_LOCK_FAILURES", 10, 2, 100)? as u32;
    BudgetPolicy::new(pause_after, lock_after, pauses).map_err(|e| invalid("ACCOUNT_LOCK_FAILURES", e.to_string()))
}

impl NoticeDelivery {
    /// `NOTICE_DELIVERY` (`SES_FROM_ADDRESS` with `aws`); unset: as the builtin codes travel, else off.
    fn load(settings: &SettingsReader, codes: &CodeProvider) -> Result<Self, ConfigError> {
        if settings.optional("NOTICE_DELIVERY").is_none() {
            return Ok(match codes {
                CodeProvider::Builtin { delivery: CodeDelivery::Aws { from_address }, .. } => {
                    NoticeDelivery::Aws { from_address: from_address.clone() }
                }
                CodeProvider::Builtin { delivery: CodeDelivery::Outbox, .. } => NoticeDelivery::Outbox,
                CodeProvider::Auth0 => NoticeDelivery::Off,
            });
        }
        #[derive(Clone, Copy)]
        enum Kind {
            Aws,
            Outbox,
            Off,
        }
        let kind = settings.one_of(
            "NOTICE_DELIVERY",
            "off",
            &[("aws", Kind::Aws), ("outbox", Kind::Outbox), ("off", Kind::Off)],
        )?;
        Ok(match kind {
            Kind::Aws => NoticeDelivery::Aws { from_address: settings.required("SES_FROM_ADDRESS")? },
            Kind::Outbox => NoticeDelivery::Outbox,
            Kind::Off => NoticeDelivery::Off,
        })
    }
}

impl AlexaSettings {
    /// `ALEXA_VERIFY_SIGNATURE`, `ALEXA_SKILL_ID`.
    fn load(settings: &SettingsReader) -> Result<Self, ConfigError> {
        let verify_signature =
            settings.one_of("ALEXA_VERIFY_SIGNATURE", "true", &[("true", true), ("false", false)])?;
        let skill_id = settings.optional("ALEXA_SKILL_ID");
        if let Some(id) = &skill_id
            && !(id.starts_with("amzn1.ask.skill.") && id.len() > 16 && !id.contains(char::is_whitespace))
        {
            return Err(invalid("ALEXA_SKILL_ID", "expected amzn1.ask.skill.…"));
        }
        Ok(Self { verify_signature, skill_id })
    }
}

/// `APP_BASE_URL` → the web app's address, `{APP_BASE_URL}/pod/app`.
fn load_web_app(settings: &SettingsReader) -> Result<Option<String>, ConfigError> {
    let Some(raw) = settings.optional("APP_BASE_URL") else { return Ok(None) };
    let url = url::Url::parse(&raw).map_err(|e| invalid("APP_BASE_URL", format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("APP_BASE_URL", "the scheme must be http or https"));
    }
    Ok(Some(format!("{}/pod/app", raw.trim_end_matches('/'))))
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests), section by section.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let settings = SettingsReader::new(&lookup);
        let auth0 = Auth0Settings::load(&settings)?;
        let store = StoreSettings::load(&settings)?;
        let builtin = settings.optional("CODE_PROVIDER").as_deref() == Some("builtin");
        let challenge = load_challenge(&settings, builtin)?;
        let budget = load_budget(&settings)?;
        let web_app = load_web_app(&settings)?;
        let alexa = AlexaSettings::load(&settings)?;
        let codes = CodeProvider::load(&settings, challenge.code_length)?;
        let notices = NoticeDelivery::load(&settings, &codes)?;
        let log_format =
            settings.one_of("LOG_FORMAT", "json", &[("json", LogFormat::Json), ("text", LogFormat::Text)])?;
        let step_up = load_step_up(&settings)?;
        let metrics = load_metrics(&settings, log_format)?;
        Ok(Self { alexa, codes, auth0, store, challenge, budget, notices, web_app, log_format, metrics, step_up })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn base() -> HashMap<&'static str, String> {
        HashMap::from([
            ("AUTH0_DOMAIN", "pod.eu.auth0.com".to_string()),
            ("API_ID", "https://pod.localtest.me".to_string()),
            ("API_SIGNING_KEY", "k".repeat(32)),
            ("APP_CLIENT_ID", "client".to_string()),
            ("APP_CLIENT_SECRET", "s".repeat(32)),
        ])
    }

    fn load(vars: &HashMap<&'static str, String>) -> Result<Settings, ConfigError> {
        Settings::from_lookup(|k| vars.get(k).cloned())
    }

    #[test]
    fn metrics_follow_the_log_format_unless_set() {
        let with = |pairs: &[(&'static str, &str)]| {
            let mut vars = base();
            vars.extend(pairs.iter().map(|(k, v)| (*k, v.to_string())));
            load(&vars).unwrap().metrics
        };
        assert_eq!(with(&[("LOG_FORMAT", "text")]), MetricsMode::Off);
        assert_eq!(with(&[("LOG_FORMAT", "text"), ("METRICS", "emf")]), MetricsMode::Emf);
        assert_eq!(with(&[("METRICS", "off")]), MetricsMode::Off);
    }

    #[test]
    fn defaults_follow_the_seed_and_the_issue() {
        let settings = load(&base()).unwrap();
        assert_eq!(settings.auth0.endpoint.issuer(), "https://pod.eu.auth0.com/");
        assert_eq!(settings.auth0.endpoint.management_audience(), "https://pod.eu.auth0.com/api/v2/");
        assert_eq!(
            settings.challenge,
            ChallengePolicy { ttl: Duration::from_secs(180), ..ChallengePolicy::default() },
            "in Auth0 mode the challenge lives as long as Auth0's code (180 s) and codes have its 4 digits"
        );
        assert_eq!(settings.store, StoreSettings::Embedded { data_dir: ".data".into() });
        assert_eq!(settings.log_format, LogFormat::Json);
        assert_eq!(settings.metrics, MetricsMode::Emf, "EMF metrics on with JSON logs, as in Lambda");
        assert_eq!(
            settings.alexa,
            AlexaSettings { verify_signature: true, skill_id: None },
            "verification on unless turned off"
        );
        assert!(!format!("{:?}", settings.auth0).contains("sssss"), "secrets stay out of Debug");
        assert_eq!(settings.auth0.id_token_algorithm, TokenAlgorithm::Rs256, "Auth0's default for new applications");
    }

    #[test]
    fn the_step_up_is_a_code_unless_the_voice_pin_is_chosen() {
        assert_eq!(load(&base()).unwrap().step_up, StepUp::Code);
        for (raw, step_up) in
            [("code", StepUp::Code), ("voice_pin", StepUp::VoicePin), ("voice_pin_or_code", StepUp::VoicePinOrCode)]
        {
            let mut vars = base();
            vars.insert("STEP_UP", raw.into());
            assert_eq!(load(&vars).unwrap().step_up, step_up);
        }
        let mut vars = base();
        vars.insert("STEP_UP", "pin".into());
        let error = load(&vars).unwrap_err().to_string();
        assert!(error.contains("'code' or 'voice_pin' or 'voice_pin_or_code'"), "{error}");
    }

    #[test]
    fn the_id_token_algorithm_is_chosen_by_configuration() {
        let mut vars = base();
        vars.insert("ID_TOKEN_ALGORITHM", "HS256".into());
        assert_eq!(load(&vars).unwrap().auth0.id_token_algorithm, TokenAlgorithm::Hs256);
        vars.insert("ID_TOKEN_ALGORITHM", "RS256".into());
        assert_eq!(load(&vars).unwrap().auth0.id_token_algorithm, TokenAlgorithm::Rs256);
        vars.insert("TOKEN_ALGORITHM", "RS256".into());
        vars.insert("ID_TOKEN_ALGORITHM", "HS256".into());
        let auth0 = load(&vars).unwrap().auth0;
        assert_eq!((auth0.token_algorithm, auth0.id_token_algorithm), (TokenAlgorithm::Rs256, TokenAlgorithm::Hs256));
    }

    #[test]
    fn the_guess_budget_notices_and_web_app_are_configured() {
        let settings = load(&base()).unwrap();
        assert_eq!(settings.budget, BudgetPolicy::default());
        assert_eq!(settings.notices, NoticeDelivery::Off, "Auth0 passwordless sends codes only");
        assert_eq!(settings.web_app, None);
        let mut vars = base();
        vars.insert("ACCOUNT_MAX_FAILURES", "3".into());
        vars.insert("ACCOUNT_LOCK_FAILURES", "6".into());
        vars.insert("ACCOUNT_PAUSE_SECONDS", "60, 120".into());
        vars.insert("NOTICE_DELIVERY", "outbox".into());
        vars.insert("APP_BASE_URL", "https://pod.example/".into());
        let settings = load(&vars).unwrap();
        assert_eq!((settings.budget.pause_after(), settings.budget.lock_after()), (3, 6));
        assert_eq!(settings.budget.cooldowns().as_slice(), [Duration::from_secs(60), Duration::from_secs(120)]);
        assert_eq!(settings.notices, NoticeDelivery::Outbox);
        assert_eq!(settings.web_app.as_deref(), Some("https://pod.example/pod/app"));
        vars.insert("NOTICE_DELIVERY", "aws".into());
        assert_eq!(load(&vars), Err(ConfigError::Missing("SES_FROM_ADDRESS")));
    }

    #[test]
    fn the_store_kind_is_chosen_by_configuration() {
        let mut vars = base();
        vars.insert("ORDERS_STORE", "dynamodb".into());
        assert_eq!(load(&vars).unwrap().store, StoreSettings::DynamoDb { table: "pod-orders".into() });
        vars.insert("ORDERS_TABLE", "pod-orders-dev".into());
        assert_eq!(load(&vars).unwrap().store, StoreSettings::DynamoDb { table: "pod-orders-dev".into() });
        vars.insert("ORDERS_TABLE", "a b".into());
        assert!(matches!(load(&vars), Err(ConfigError::Invalid { name: "ORDERS_TABLE", .. })));
    }

    #[test]
    fn builtin_codes_need_a_secret_and_a_delivery() {
        let mut vars = base();
        vars.insert("CODE_PROVIDER", "builtin".into());
        assert_eq!(load(&vars), Err(ConfigError::Missing("CODE_SECRET")));
        vars.insert("CODE_SECRET", "c".repeat(32));
        assert_eq!(load(&vars), Err(ConfigError::Missing("SES_FROM_ADDRESS")));
        vars.insert("CODE_DELIVERY", "outbox".into());
        vars.insert("CODE_LENGTH", "6".into());
        let codes = load(&vars).unwrap().codes;
        assert_eq!(
            codes,
            CodeProvider::Builtin { length: 6, secret: Secret::new("c".repeat(32)), delivery: CodeDelivery::Outbox }
        );
        assert!(!format!("{codes:?}").contains("ccc"), "the secret stays out of Debug");
        vars.insert("CODE_LENGTH", "3".into());
        assert!(matches!(load(&vars), Err(ConfigError::Invalid { name: "CODE_LENGTH", .. })));
    }

    #[test]
    fn the_challenge_never_outlives_the_providers_code_and_builtin_codes_have_six_digits() {
        let mut vars = base();
        vars.insert("CODE_TTL_SECONDS", "300".into());
        match load(&vars) {
            Err(ConfigError::Invalid { name: "CODE_TTL_SECONDS", reason }) => {
                assert!(reason.contains("AUTH0_OTP_LIFETIME_SECONDS=180"), "{reason}")
            }
            other => panic!("a 300 s challenge over a 180 s Auth0 code must be refused, got {other:?}"),
        }
        vars.insert("AUTH0_OTP_LIFETIME_SECONDS", "300".into());
        assert_eq!(load(&vars).unwrap().challenge.ttl, Duration::from_secs(300));
        vars.remove("CODE_TTL_SECONDS");
        vars.insert("AUTH0_OTP_LIFETIME_SECONDS", "600".into());
        assert_eq!(load(&vars).unwrap().challenge.ttl, Duration::from_secs(300), "never past PSD2's 5 minutes");
        vars.insert("CODE_TTL_SECONDS", "300".into());
        vars.insert("CODE_TTL_SECONDS", "120".into());
        assert_eq!(load(&vars).unwrap().challenge.ttl, Duration::from_secs(120));

        let mut vars = base();
        vars.insert("CODE_PROVIDER", "builtin".into());
        vars.insert("CODE_SECRET", "c".repeat(32));
        vars.insert("CODE_DELIVERY", "outbox".into());
        let settings = load(&vars).unwrap();
        assert_eq!((settings.challenge.code_length, settings.challenge.ttl), (6, Duration::from_secs(300)));
        assert!(matches!(settings.codes, CodeProvider::Builtin { length: 6, .. }));
    }

    #[test]
    fn secrets_print_nothing() {
        let secret = Secret::from("s3cr3t-value");
        assert_eq!(format!("{secret}"), "");
        assert_eq!(format!("{secret:?}"), "Secret");
        assert_eq!(secret.expose(), "s3cr3t-value");
        let settings = load(&base()).unwrap();
        assert!(!format!("{settings:?}").contains("kkkk"), "no secret in the settings' Debug");
    }

    #[test]
    fn the_management_api_has_its_own_application() {
        assert_eq!(load(&base()).unwrap().auth0.management, None, "optional: the web app holds none");
        let mut vars = base();
        vars.insert("MGMT_CLIENT_ID", "m2m".into());
        assert_eq!(load(&vars), Err(ConfigError::Missing("MGMT_CLIENT_SECRET")));
        vars.insert("MGMT_CLIENT_SECRET", "m".repeat(32));
        let management = load(&vars).unwrap().auth0.management.unwrap();
        assert_eq!(
            (management.client_id.as_str(), management.client_secret.expose().as_str()),
            ("m2m", &*"m".repeat(32))
        );
        vars.insert("MGMT_CLIENT_SECRET", "short".into());
        assert!(matches!(load(&vars), Err(ConfigError::Invalid { name: "MGMT_CLIENT_SECRET", .. })));
        vars.insert("MGMT_CLIENT_SECRET", "m".repeat(32));
        vars.insert("MGMT_CLIENT_ID", "client".into());
        assert!(
            matches!(load(&vars), Err(ConfigError::Invalid { name: "MGMT_CLIENT_ID", .. })),
            "the login application may not double as the Management API client"
        );
    }

    #[test]
    fn a_local_domain_may_carry_a_scheme_and_path() {
        let mut vars = base();
        vars.insert("AUTH0_DOMAIN", "http://127.0.0.1:3000/auth0/".into());
        let settings = load(&vars).unwrap();
        assert_eq!(settings.auth0.endpoint.issuer(), "http://127.0.0.1:3000/auth0/");
        assert_eq!(settings.auth0.endpoint.url("/oauth/token"), "http://127.0.0.1:3000/auth0/oauth/token");
    }

    #[test]
    fn each_missing_or_malformed_setting_is_named() {
        for name in ["AUTH0_DOMAIN", "API_ID", "API_SIGNING_KEY", "APP_CLIENT_ID", "APP_CLIENT_SECRET"] {
            let mut vars = base();
            vars.remove(name);
            assert_eq!(load(&vars), Err(ConfigError::Missing(name)));
        }
        let cases = [
            ("AUTH0_DOMAIN", "ftp://x"),
            ("API_SIGNING_KEY", "short"),
            ("APP_CLIENT_SECRET", "short"),
            ("CODE_TTL_SECONDS", "abc"),
            ("CODE_TTL_SECONDS", "3600"),
            ("CODE_TTL_SECONDS", "301"),
            ("CODE_MAX_ATTEMPTS", "0"),
            ("CODE_SENDS_PER_HOUR", "0"),
            ("AUTH0_TIMEOUT_MS", "-1"),
            ("PROFILE_CACHE_SECONDS", "301"),
            ("ORDERS_STORE", "postgres"),
            ("LOG_FORMAT", "xml"),
            ("METRICS", "statsd"),
            ("TOKEN_ALGORITHM", "none"),
            ("ID_TOKEN_ALGORITHM", "none"),
            ("ID_TOKEN_ALGORITHM", "rs256"),
            ("CODE_PROVIDER", "sms"),
            ("ALEXA_VERIFY_SIGNATURE", "maybe"),
            ("ALEXA_SKILL_ID", "skill-1"),
            ("ACCOUNT_MAX_FAILURES", "6"),
            ("ACCOUNT_LOCK_FAILURES", "101"),
            ("ACCOUNT_LOCK_FAILURES", "3"),
            ("ACCOUNT_PAUSE_SECONDS", "900,,3600"),
            ("ACCOUNT_PAUSE_SECONDS", "0"),
            ("NOTICE_DELIVERY", "pigeon"),
            ("APP_BASE_URL", "ftp://pod.example"),
            ("STEP_UP", "pin"),
            ("STEP_UP", "VOICE_PIN"),
        ];
        for (name, value) in cases {
            let mut vars = base();
            vars.insert(name, value.to_string());
            match load(&vars) {
                Err(ConfigError::Invalid { name: got, .. }) => assert_eq!(got, name, "{name}={value}"),
                other => panic!("{name}={value}: expected Invalid, got {other:?}"),
            }
        }
    }
}
