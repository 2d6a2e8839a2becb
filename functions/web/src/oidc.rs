//! Sign-in with OpenID Connect: the authorization code flow with state, nonce
//! and PKCE (S256), with the `oauth2` crate for the flow and Pod's
//! [`IdTokenValidator`] for the ID token (the `ID_TOKEN_ALGORITHM` pinned: RS256
//! with the tenant's JWKS or HS256 with the client secret; `iss`, `aud`, `azp`,
//! `exp` and the nonce). The token and JWKS requests go through Pod's `reqwest`.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, HttpClientError, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use pod_shared::auth0::{IdTokenClaims, IdTokenValidator, JwksKeys};
use pod_shared::config::Auth0Settings;
use pod_shared::domain::Timestamp;
use pod_shared::ports::AuthError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long a started sign-in may take before its state is forgotten.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// What the web app asks the identity provider for: an ID token with the profile.
/// `email` and `phone` ask for the contact claims (with their verified flags) the web app's
/// profiles are read from, so that it needs no Management API credential.
const SCOPES: [&str; 4] = ["openid", "profile", "email", "phone"];

/// The token endpoint's answer: the standard fields and the ID token.
type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// An `oauth2` client with the authorization and token endpoints set.
type AuthorizationCodeClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The `id_token` of a token response.
#[derive(Clone, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default)]
    id_token: Option<String>,
}

impl fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenField").field("id_token", &self.id_token.as_ref().map(|_| "…")).finish()
    }
}

impl ExtraTokenFields for IdTokenField {}

/// What a started sign-in must remember until the identity provider sends the
/// browser back. Kept in its own short-lived encrypted cookie, not in memory,
/// so that any instance of the function can finish the sign-in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginState {
    /// The `state` parameter, checked against the callback's.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier of the `code_challenge` sent.
    pub pkce_verifier: String,
    /// The web app path to go to once signed in.
    pub return_to: String,
    /// When this sign-in attempt stops being accepted.
    pub expires_at: Timestamp,
}

impl fmt::Debug for LoginState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginState")
            .field("return_to", &self.return_to)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Why a sign-in could not be finished.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the identity provider refused the authorization code: {0}")]
    CodeRefused(String),
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider answered something unexpected: {0}")]
    BadResponse(String),
    #[error("the token response has no ID token")]
    NoIdToken,
    #[error("the ID token is not acceptable: {0}")]
    BadIdToken(AuthError),
}

/// Why the OpenID Connect client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum OidcSetupError {
    #[error("the {endpoint} URL is invalid: {reason}")]
    Endpoint { endpoint: &'static str, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
}

/// The web app's OpenID Connect client (an Auth0 "Regular Web Application").
pub struct OidcClient {
    oauth: AuthorizationCodeClient,
    http: TokenEndpointHttp,
    id_tokens: IdTokenValidator,
    audience: String,
}

impl OidcClient {
    /// A client for the tenant in `auth0` that sends browsers back to `redirect_uri`.
    pub fn new(auth0: &Auth0Settings, redirect_uri: String) -> Result<Self, OidcSetupError> {
        let endpoint = |endpoint: &'static str, reason: oauth2::url::ParseError| OidcSetupError::Endpoint {
            endpoint,
            reason: reason.to_string(),
        };
        let oauth = oauth2::Client::new(ClientId::new(auth0.client_id.clone()))
            .set_client_secret(ClientSecret::new(auth0.client_secret.expose().clone()))
            // Auth0's default for regular web applications: client_secret_post.
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(auth0.endpoint.url("/authorize")).map_err(|e| endpoint("authorize", e))?)
            .set_token_uri(TokenUrl::new(auth0.endpoint.url("/oauth/token")).map_err(|e| endpoint("token", e))?)
            .set_redirect_uri(RedirectUrl::new(redirect_uri).map_err(|e| endpoint("redirect", e))?);
        let http = TokenEndpointHttp::new(auth0.timeout)?;
        let keys = JwksKeys::new(auth0.endpoint.url("/.well-known/jwks.json"), http.0.clone());
        let id_tokens = IdTokenValidator::for_settings(auth0, std::sync::Arc::new(keys));
        Ok(Self { oauth, http, id_tokens, audience: auth0.api_id.clone() })
    }

    /// Starts a sign-in: where to send the browser, and what to remember until it comes back.
    pub fn start(&self, return_to: String, now: Timestamp) -> (String, LoginState) {
        let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            .add_scopes(SCOPES.map(|scope| Scope::new(scope.to_string())))
            .add_extra_param("nonce", nonce.secret())
            .add_extra_param("audience", &self.audience)
            .set_pkce_challenge(pkce_challenge)
            .url();
        let login = LoginState {
            state: state.into_secret(),
            nonce: nonce.into_secret(),
            pkce_verifier: pkce_verifier.into_secret(),
            return_to,
            expires_at: now.plus(LOGIN_TIMEOUT),
        };
        (url.to_string(), login)
    }

    /// Exchanges the authorization code (with the PKCE verifier) and checks the
    /// ID token, including its nonce; returns who signed in.
    /// Finishes a sign-in: the validated ID token's claims (who, and the contacts the
    /// identity provider vouches for).
    pub async fn finish(&self, code: String, login: &LoginState) -> Result<IdTokenClaims, LoginError> {
        let tokens = self
            .oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let id_token = tokens.extra_fields().id_token.as_deref().ok_or(LoginError::NoIdToken)?;
        self.id_tokens.validate(id_token, Some(&login.nonce)).await.map_err(LoginError::BadIdToken)
    }
}

fn token_error(error: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>) -> LoginError {
    match error {
        RequestTokenError::ServerResponse(response) => LoginError::CodeRefused(response.error().to_string()),
        RequestTokenError::Request(HttpClientError::Reqwest(e)) if e.is_timeout() => {
            LoginError::Unreachable("timed out".into())
        }
        RequestTokenError::Request(e) => LoginError::Unreachable(request_error_text(&e)),
        // The path only: serde's messages may quote values, and values here are tokens.
        RequestTokenError::Parse(e, _) => LoginError::BadResponse(format!("unreadable token response at {}", e.path())),
        RequestTokenError::Other(message) => LoginError::BadResponse(message),
    }
}

fn request_error_text(error: &HttpClientError<reqwest::Error>) -> String {
    match error {
        HttpClientError::Reqwest(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// `oauth2`'s HTTP client trait over Pod's `reqwest` (0.13): one timeout per
/// call, and no redirects followed (the token endpoint never redirects).
struct TokenEndpointHttp(reqwest::Client);

impl TokenEndpointHttp {
    fn new(timeout: Duration) -> Result<Self, OidcSetupError> {
        pod_shared::https::client_builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pod-web/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(Self)
            .map_err(|e| OidcSetupError::HttpClient(e.to_string()))
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpClientError<reqwest::Error>> {
        let request = reqwest::Request::try_from(request).map_err(Box::new)?;
        let response = self.0.execute(request).await.map_err(Box::new)?;
        let mut builder = oauth2::http::Response::builder().status(response.status()).version(response.version());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = response.bytes().await.map_err(Box::new)?;
        builder.body(body.to_vec()).map_err(HttpClientError::Http)
    }
}

impl<'c> AsyncHttpClient<'c> for TokenEndpointHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
