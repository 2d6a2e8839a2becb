//! The tenant's fixed settings: issuer, API, the one application, and how
//! that application authenticates.

use super::errors::AuthApiError;
use super::keys::{self, SigningKey};
use super::params::Params;
use super::secrets;
use super::{IdpClient, IdpConfig};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pod_shared::config::TokenAlgorithm;
use subtle::ConstantTimeEq;

const MIN_OTP_LENGTH: usize = 4;
const MAX_OTP_LENGTH: usize = 10;

pub(super) struct Tenant {
    pub issuer: String,
    pub api_id: String,
    pub api_signing_key: Vec<u8>,
    pub client_id: String,
    pub client_secret: String,
    /// The machine-to-machine application for the Management API.
    pub management_client: IdpClient,
    pub otp_length: usize,
    /// Signs Management API tokens; random, so they die with the process.
    pub management_key: Vec<u8>,
    /// Signs ID tokens RS256 when the application is set so (else the client secret, HS256).
    pub id_token_key: Option<&'static SigningKey>,
    /// Signs access tokens RS256 when the API is set so (else `api_signing_key`, HS256).
    pub access_token_key: Option<&'static SigningKey>,
}

impl Tenant {
    pub fn new(config: IdpConfig) -> Self {
        let mut issuer = config.issuer;
        if !issuer.ends_with('/') {
            issuer.push('/');
        }
        Self {
            issuer,
            api_id: config.api_id,
            api_signing_key: config.api_signing_key,
            client_id: config.client_id,
            client_secret: config.client_secret,
            management_client: config.management_client,
            otp_length: config.otp_length.clamp(MIN_OTP_LENGTH, MAX_OTP_LENGTH),
            management_key: secrets::random_bytes(32),
            id_token_key: (config.id_token_algorithm == TokenAlgorithm::Rs256).then(keys::rs256),
            access_token_key: (config.access_token_algorithm == TokenAlgorithm::Rs256).then(keys::rs256),
        }
    }

    /// An absolute URL of one of the tenant's endpoints (`path` without a leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The public keys to publish: the RSA key, if anything is signed with it.
    pub fn published_keys(&self) -> Vec<&'static SigningKey> {
        let mut keys: Vec<&'static SigningKey> = self.id_token_key.into_iter().chain(self.access_token_key).collect();
        keys.dedup_by(|a, b| a.kid == b.kid);
        keys
    }

    /// The one algorithm its ID tokens are signed with, for discovery.
    pub fn id_token_algorithm(&self) -> &'static str {
        if self.id_token_key.is_some() { "RS256" } else { "HS256" }
    }

    /// The Management API audience, `{issuer}api/v2/`.
    pub fn management_audience(&self) -> String {
        self.url("api/v2/")
    }

    /// The audience that lets an access token call `/userinfo`.
    pub fn userinfo_audience(&self) -> String {
        self.url("userinfo")
    }

    /// The audience of a user's access token: the API, whether asked for or
    /// implied; any other audience is refused with Auth0's message.
    pub fn audience_for(&self, requested: Option<&str>) -> Result<String, String> {
        match requested {
            None => Ok(self.api_id.clone()),
            Some(audience) if audience == self.api_id => Ok(self.api_id.clone()),
            Some(other) => Err(format!("Service not found: {other}")),
        }
    }

    /// Checks the application's credentials, from an HTTP Basic header or
    /// else from `client_id` and `client_secret` parameters; says which application it is.
    pub fn authenticate_client(&self, headers: &HeaderMap, params: &Params) -> Result<Application, AuthApiError> {
        let (client_id, client_secret) = match basic_credentials(headers)? {
            Some(credentials) => credentials,
            None => (
                params.get("client_id").ok_or_else(AuthApiError::invalid_client)?.to_string(),
                params.get("client_secret").ok_or_else(AuthApiError::invalid_client)?.to_string(),
            ),
        };
        let matches = |secret: &str| -> bool { client_secret.as_bytes().ct_eq(secret.as_bytes()).into() };
        if client_id == self.client_id && matches(&self.client_secret) {
            Ok(Application::Login)
        } else if client_id == self.management_client.id && matches(&self.management_client.secret) {
            Ok(Application::Management)
        } else {
            Err(AuthApiError::invalid_client())
        }
    }
}

/// The tenant's two applications: a regular web application users sign in with (which also
/// asks for passwordless codes), and a machine-to-machine one for the Management API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Application {
    Login,
    Management,
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1), if present.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, AuthApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else { return Ok(None) };
    let encoded = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, encoded)| encoded.trim());
    let Some(encoded) = encoded else { return Ok(None) };
    let decoded = STANDARD.decode(encoded).ok().and_then(|bytes| String::from_utf8(bytes).ok());
    let (id, secret) = decoded.as_deref().and_then(|d| d.split_once(':')).ok_or_else(AuthApiError::invalid_client)?;
    let unescape =
        |part: &str| urlencoding::decode(part).map(|p| p.into_owned()).map_err(|_| AuthApiError::invalid_client());
    Ok(Some((unescape(id)?, unescape(secret)?)))
}
