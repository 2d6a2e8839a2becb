//! The web app's own settings, read once at start beside Pod's shared ones.

use axum_extra::extract::cookie::Key;
use pod_shared::config::{ConfigError, MIN_SECRET_LEN, Secret, SettingsReader, invalid};
use pod_shared::domain::SessionPolicy;
use std::time::Duration;

/// The shortest accepted `SESSION_KEY`, in bytes.
pub const MIN_SESSION_KEY_LEN: usize = 64;
/// `SESSION_IDLE_MINUTES` when unset.
pub const DEFAULT_SESSION_IDLE_MINUTES: u64 = 30;
/// The longest accepted idle timeout: the absolute limit (8 hours).
const MAX_SESSION_IDLE_MINUTES: u64 = SessionPolicy::DEFAULT_LIFETIME.as_secs() / 60;

/// The web app's settings: where it is published and the key of its cookies.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The public base URL, without a trailing slash: `https://xyz.execute-api.us-east-1.amazonaws.com`.
    app_base_url: String,
    /// Whether cookies carry `Secure` (everywhere but plain-HTTP localhost).
    secure_cookies: bool,
    /// Encrypts and authenticates the session and login cookies.
    cookie_key: Secret<Key>,
    /// Sessions end after 8 hours, or after this long without a request.
    session_idle_timeout: Duration,
    /// Keys Pod's own phone-enrollment codes when the order codes come from Auth0 (`CODE_SECRET`).
    enrollment_code_secret: Option<Secret>,
}

impl WebSettings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads `APP_BASE_URL`, `SESSION_KEY`, `SESSION_IDLE_MINUTES` (1 to 480, default 30) and
    /// `CODE_SECRET` (optional) through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let settings = SettingsReader::new(&lookup);
        let (app_base_url, secure_cookies) =
            parse_base_url(&settings.required("APP_BASE_URL")?).map_err(|reason| invalid("APP_BASE_URL", reason))?;
        let session_key = settings.secret("SESSION_KEY", MIN_SESSION_KEY_LEN, "bytes (e.g. 128 hex characters)")?;
        // HKDF-SHA256 from the whole secret; `derive_from` wants at least 32 bytes, checked above.
        let cookie_key = Secret::new(Key::derive_from(session_key.as_bytes()));
        let idle_minutes =
            settings.number("SESSION_IDLE_MINUTES", DEFAULT_SESSION_IDLE_MINUTES, 1, MAX_SESSION_IDLE_MINUTES)?;
        let session_idle_timeout = Duration::from_secs(idle_minutes * 60);
        let enrollment_code_secret = match settings.optional("CODE_SECRET") {
            None => None,
            Some(_) => Some(settings.secret("CODE_SECRET", MIN_SECRET_LEN, "characters")?),
        };
        Ok(Self { app_base_url, secure_cookies, cookie_key, session_idle_timeout, enrollment_code_secret })
    }

    /// The public base URL, without a trailing slash.
    pub fn app_base_url(&self) -> &str {
        &self.app_base_url
    }

    /// Where the identity provider sends the browser back: `{APP_BASE_URL}/pod/app/oidc/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("{}{}/oidc/callback", self.app_base_url, crate::PREFIX)
    }

    /// Whether cookies must carry `Secure`: false only for plain HTTP on localhost.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    /// How long sessions last: 8 hours at most, and `SESSION_IDLE_MINUTES` without a request.
    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy { idle_timeout: self.session_idle_timeout, ..SessionPolicy::default() }
    }

    /// The key of Pod's own phone-enrollment codes, when set (`CODE_SECRET`).
    pub fn enrollment_code_secret(&self) -> Option<&Secret> {
        self.enrollment_code_secret.as_ref()
    }

    pub(crate) fn cookie_key(&self) -> &Key {
        self.cookie_key.expose()
    }
}

/// An `http(s)://host[:port]` origin; plain HTTP only for localhost. Returns it
/// without a trailing slash, and whether it is HTTPS.
fn parse_base_url(raw: &str) -> Result<(String, bool), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or("no host")?;
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    let secure = match url.scheme() {
        "https" => true,
        "http" if loopback => false,
        "http" => return Err("must be https (plain http only for localhost or 127.0.0.1)".into()),
        other => return Err(format!("the scheme must be https, not '{other}'")),
    };
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("only scheme, host and port are allowed: the web app lives at /pod/app on that origin".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("no user name or password allowed".into());
    }
    Ok((url.as_str().trim_end_matches('/').to_string(), secure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn load(base_url: Option<&str>, key: Option<&str>) -> Result<WebSettings, ConfigError> {
        load_with_idle(base_url, key, None)
    }

    fn load_with_idle(
        base_url: Option<&str>,
        key: Option<&str>,
        idle: Option<&str>,
    ) -> Result<WebSettings, ConfigError> {
        let vars: HashMap<&str, String> =
            [("APP_BASE_URL", base_url), ("SESSION_KEY", key), ("SESSION_IDLE_MINUTES", idle)]
                .into_iter()
                .filter_map(|(name, value)| value.map(|v| (name, v.to_string())))
                .collect();
        WebSettings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn https_deployments_get_secure_cookies_and_localhost_may_use_http() {
        let deployed = load(Some("https://xyz.execute-api.us-east-1.amazonaws.com/"), Some(KEY)).unwrap();
        assert_eq!(deployed.app_base_url(), "https://xyz.execute-api.us-east-1.amazonaws.com");
        assert_eq!(deployed.redirect_uri(), "https://xyz.execute-api.us-east-1.amazonaws.com/pod/app/oidc/callback");
        assert!(deployed.secure_cookies());
        let local = load(Some("http://127.0.0.1:3000"), Some(KEY)).unwrap();
        assert_eq!(local.redirect_uri(), "http://127.0.0.1:3000/pod/app/oidc/callback");
        assert!(!local.secure_cookies());
        assert!(!format!("{local:?}").contains("0123"), "the key stays out of Debug");
    }

    #[test]
    fn each_missing_or_malformed_setting_is_named() {
        assert_eq!(load(None, Some(KEY)).unwrap_err(), ConfigError::Missing("APP_BASE_URL"));
        assert_eq!(load(Some("http://127.0.0.1:3000"), None).unwrap_err(), ConfigError::Missing("SESSION_KEY"));
        assert_eq!(load(Some("http://127.0.0.1:3000"), Some("  ")).unwrap_err(), ConfigError::Missing("SESSION_KEY"));
        let short = "k".repeat(MIN_SESSION_KEY_LEN - 1);
        let cases = [
            ("http://127.0.0.1:3000", short.as_str(), "SESSION_KEY"),
            ("http://pod.example.com", KEY, "APP_BASE_URL"),
            ("ftp://127.0.0.1", KEY, "APP_BASE_URL"),
            ("https://pod.example.com/stage", KEY, "APP_BASE_URL"),
            ("https://pod.example.com/?x=1", KEY, "APP_BASE_URL"),
            ("https://user:pw@pod.example.com", KEY, "APP_BASE_URL"),
            ("pod.example.com", KEY, "APP_BASE_URL"),
        ];
        for (base_url, key, name) in cases {
            match load(Some(base_url), Some(key)) {
                Err(ConfigError::Invalid { name: got, .. }) => assert_eq!(got, name, "{base_url}"),
                other => panic!("{base_url}: expected {name} to be invalid, got {other:?}"),
            }
        }
    }

    #[test]
    fn the_idle_timeout_is_30_minutes_unless_set_from_1_minute_to_8_hours() {
        let local = Some("http://127.0.0.1:3000");
        let policy = load(local, Some(KEY)).unwrap().session_policy();
        assert_eq!(policy.idle_timeout, Duration::from_secs(30 * 60));
        assert_eq!(policy.lifetime, Duration::from_secs(8 * 60 * 60));
        let set = load_with_idle(local, Some(KEY), Some("5")).unwrap().session_policy();
        assert_eq!(set.idle_timeout, Duration::from_secs(5 * 60));
        assert_eq!(
            load_with_idle(local, Some(KEY), Some("480")).unwrap().session_policy().idle_timeout.as_secs(),
            8 * 3600
        );
        for wrong in ["0", "481", "-5", "thirty", "1.5"] {
            match load_with_idle(local, Some(KEY), Some(wrong)) {
                Err(ConfigError::Invalid { name, .. }) => assert_eq!(name, "SESSION_IDLE_MINUTES", "{wrong}"),
                other => panic!("{wrong}: expected SESSION_IDLE_MINUTES to be invalid, got {other:?}"),
            }
        }
    }
}
