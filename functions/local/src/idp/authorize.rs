//! `GET`/`POST /authorize`: the login page of the authorization code flow
//! (with PKCE), as the web face and Alexa account linking use it.

use super::errors::AuthApiError;
use super::params::Params;
use super::tenant::Tenant;
use super::token::UserGrant;
use super::{LocalIdp, secrets};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderValue, LOCATION, SET_COOKIE, X_FRAME_OPTIONS};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How long an authorization code may be exchanged after it was issued.
const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// The parameters the login form carries from the request to its submission.
const CARRIED_PARAMETERS: [&str; 9] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "audience",
    "code_challenge",
    "code_challenge_method",
];
/// Domains whose https pages may receive codes (Alexa account linking).
const AMAZON_DOMAINS: [&str; 2] = ["amazon.com", "amazonalexa.com"];

/// A PKCE code challenge (RFC 7636).
#[derive(Clone)]
pub(super) enum PkceChallenge {
    S256(String),
    Plain(String),
}

impl PkceChallenge {
    fn parse(challenge: Option<&str>, method: Option<&str>) -> Result<Option<Self>, String> {
        match (challenge, method) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err("code_challenge_method was given without a code_challenge.".into()),
            (Some(challenge), None | Some("plain")) => Ok(Some(Self::Plain(challenge.to_string()))),
            (Some(challenge), Some("S256")) => Ok(Some(Self::S256(challenge.to_string()))),
            (Some(_), Some(other)) => Err(format!("Unsupported code_challenge_method: {other}")),
        }
    }

    fn is_met_by(&self, verifier: &str) -> bool {
        let (challenge, derived) = match self {
            Self::S256(challenge) => (challenge, URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))),
            Self::Plain(challenge) => (challenge, verifier.to_string()),
        };
        challenge.as_bytes().ct_eq(derived.as_bytes()).into()
    }
}

/// What an authorization code stands for until it is exchanged.
pub(super) struct AuthorizationGrant {
    client_id: String,
    redirect_uri: String,
    challenge: Option<PkceChallenge>,
    expires_at: Instant,
    grant: UserGrant,
}

impl AuthorizationGrant {
    /// The user grant, if the token request matches the authorization request.
    pub fn redeem(
        self,
        client_id: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
        now: Instant,
    ) -> Result<UserGrant, AuthApiError> {
        if now >= self.expires_at || self.client_id != client_id {
            return Err(AuthApiError::invalid_grant("Invalid authorization code"));
        }
        if self.redirect_uri != redirect_uri {
            return Err(AuthApiError::invalid_grant("The redirect_uri differs from the authorization request's."));
        }
        if let Some(challenge) = &self.challenge
            && !code_verifier.is_some_and(|verifier| challenge.is_met_by(verifier))
        {
            return Err(AuthApiError::invalid_grant("Failed to verify code verifier"));
        }
        Ok(self.grant)
    }
}

/// A checked authorization request.
struct AuthorizationRequest {
    /// The request's own parameters, carried by the form as hidden inputs.
    carried: Vec<(&'static str, String)>,
    redirect_uri: String,
    state: Option<String>,
    scope: String,
    audience: String,
    nonce: Option<String>,
    challenge: Option<PkceChallenge>,
}

impl AuthorizationRequest {
    fn parse(params: &Params, tenant: &Tenant) -> Result<Self, String> {
        if params.get("client_id") != Some(tenant.client_id.as_str()) {
            return Err("The application (client_id) is unknown.".into());
        }
        match params.get("response_type") {
            Some("code") => {}
            Some(_) => return Err("Unsupported response_type: only \"code\" is supported.".into()),
            None => return Err("Missing required parameter: response_type".into()),
        }
        let redirect_uri = params.get("redirect_uri").ok_or("Missing required parameter: redirect_uri")?;
        if !is_allowed_redirect(redirect_uri) {
            return Err("The redirect_uri is not allowed: it must be http(s) on 127.0.0.1 or localhost, \
                        or https on amazon.com or amazonalexa.com."
                .into());
        }
        let audience = tenant.audience_for(params.get("audience"))?;
        let challenge = PkceChallenge::parse(params.get("code_challenge"), params.get("code_challenge_method"))?;
        let carried = CARRIED_PARAMETERS
            .iter()
            .filter_map(|&name| params.get(name).map(|value| (name, value.to_string())))
            .collect();
        Ok(Self {
            carried,
            redirect_uri: redirect_uri.to_string(),
            state: params.get("state").map(str::to_string),
            scope: params.get("scope").unwrap_or_default().to_string(),
            audience,
            nonce: params.get("nonce").map(str::to_string),
            challenge,
        })
    }

    /// The grant a code for `user_id` stands for.
    fn grant_for(&self, client_id: &str, user_id: String, now: Instant) -> AuthorizationGrant {
        AuthorizationGrant {
            client_id: client_id.to_string(),
            redirect_uri: self.redirect_uri.clone(),
            challenge: self.challenge.clone(),
            expires_at: now + CODE_LIFETIME,
            grant: UserGrant {
                user_id,
                scope: self.scope.clone(),
                audience: self.audience.clone(),
                nonce: self.nonce.clone(),
            },
        }
    }
}

/// Codes go to http(s) pages on this machine, or https pages of Amazon's.
fn is_allowed_redirect(raw: &str) -> bool {
    let Ok(uri) = raw.parse::<Uri>() else { return false };
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    let loopback = host == "127.0.0.1" || host == "localhost";
    let amazon = AMAZON_DOMAINS.iter().any(|domain| host == *domain || host.ends_with(&format!(".{domain}")));
    !raw.contains('#')
        && match uri.scheme_str() {
            Some("http") => loopback,
            Some("https") => loopback || amazon,
            _ => false,
        }
}

/// Shows the login form; a browser with a live login session (and no `prompt=login`)
/// is sent straight back with a code instead, as Auth0's single sign-on does.
pub(super) async fn show_login_form(
    State(idp): State<LocalIdp>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let request = Params::from_urlencoded(query.as_deref().unwrap_or_default())
        .and_then(|params| AuthorizationRequest::parse(&params, idp.tenant()).map(|request| (request, params)));
    match request {
        Ok((request, params)) => {
            if params.get("prompt") != Some("login")
                && let Some(user_id) = idp.logged_in_user(&headers)
            {
                tracing::info!("login session reused; authorization code issued");
                return redirect_with_code(&request, &issue_code(&idp, &request, user_id), None);
            }
            html(StatusCode::OK, login_page(&request, "", None))
        }
        Err(problem) => html(StatusCode::BAD_REQUEST, error_page(&problem)),
    }
}

pub(super) async fn submit_login_form(State(idp): State<LocalIdp>, body: Result<Bytes, BytesRejection>) -> Response {
    let params = body.map_err(|rejection| rejection.body_text()).and_then(|body| {
        std::str::from_utf8(&body).map_err(|_| "The form is not UTF-8.".to_string()).and_then(Params::from_urlencoded)
    });
    let request =
        params.and_then(|params| AuthorizationRequest::parse(&params, idp.tenant()).map(|request| (request, params)));
    let (request, params) = match request {
        Ok(parsed) => parsed,
        Err(problem) => return html(StatusCode::BAD_REQUEST, error_page(&problem)),
    };
    let username = params.get("username").unwrap_or_default();
    let password = params.get("password").unwrap_or_default();
    let checked = idp.lock().directory.check_password(username, password);
    let Some(user_id) = checked else {
        tracing::info!("login refused: wrong credentials");
        return html(StatusCode::UNAUTHORIZED, login_page(&request, username, Some("Wrong username or password.")));
    };
    let code = issue_code(&idp, &request, user_id.clone());
    let cookie = idp.start_login_session(user_id);
    tracing::info!("login succeeded; authorization code issued");
    redirect_with_code(&request, &code, Some(cookie))
}

/// A fresh authorization code for `user_id`, remembered until it is exchanged or expires.
fn issue_code(idp: &LocalIdp, request: &AuthorizationRequest, user_id: String) -> String {
    let now = Instant::now();
    let code = secrets::random_token();
    let mut state = idp.lock();
    state.authorization_codes.retain(|_, grant| now < grant.expires_at);
    state.authorization_codes.insert(code.clone(), request.grant_for(&idp.tenant().client_id, user_id, now));
    code
}

/// Back to the application with the code, setting the login session cookie if given.
fn redirect_with_code(request: &AuthorizationRequest, code: &str, cookie: Option<String>) -> Response {
    let separator = if request.redirect_uri.contains('?') { '&' } else { '?' };
    let mut location = format!("{}{separator}code={}", request.redirect_uri, urlencoding::encode(code));
    if let Some(state) = &request.state {
        location.push_str("&state=");
        location.push_str(&urlencoding::encode(state));
    }
    let mut response = (StatusCode::FOUND, [(LOCATION, location), (CACHE_CONTROL, "no-store".into())]).into_response();
    if let Some(cookie) = cookie.and_then(|cookie| HeaderValue::from_str(&cookie).ok()) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// A page that says why a request was refused.
pub(super) fn problem_page(status: StatusCode, problem: &str) -> Response {
    html(status, error_page(problem))
}

fn html(status: StatusCode, body: String) -> Response {
    let headers = [
        (CACHE_CONTROL, "no-store"),
        (X_FRAME_OPTIONS, "DENY"),
        (CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
    ];
    (status, headers, Html(body)).into_response()
}

fn login_page(request: &AuthorizationRequest, username: &str, error: Option<&str>) -> String {
    let hidden: String = request
        .carried
        .iter()
        .map(|(name, value)| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n", escape(value)))
        .collect();
    let alert = error
        .map(|error| format!("<p id=\"login-error\" class=\"error\" role=\"alert\">{}</p>", escape(error)))
        .unwrap_or_default();
    let invalid = if error.is_some() { r#" aria-invalid="true" aria-describedby="login-error""# } else { "" };
    let username = escape(username);
    page(
        "Sign in",
        &format!(
            r#"<h1>Sign in to Pizza on Demand</h1>
{alert}
<form method="post" action="authorize">
{hidden}<p><label for="username">Username or email</label>
<input id="username" name="username" type="text" value="{username}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus{invalid}></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{invalid}></p>
<p><button type="submit">Sign in</button></p>
</form>
<p class="note">Local development sign-in: use a user from the dev users file, never real credentials.</p>"#
        ),
    )
}

fn error_page(problem: &str) -> String {
    page(
        "Cannot sign in",
        &format!("<h1>Cannot sign in</h1>\n<p class=\"error\" role=\"alert\">{}</p>", escape(problem)),
    )
}

fn page(title: &str, main: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Pizza on Demand</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
label {{ display: block; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }}
button {{ padding: .6rem 1.4rem; font-size: 1rem; }}
.error {{ color: #a00000; font-weight: 600; }}
.note {{ color: #444; font-size: .9rem; }}
</style>
</head>
<body>
<main>
{main}
</main>
</body>
</html>
"#
    )
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_go_to_this_machine_or_to_amazon_over_https() {
        for allowed in [
            "http://127.0.0.1:3000/callback",
            "http://localhost/cb?x=1",
            "https://localhost:8443/cb",
            "https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA",
            "https://pitangui.amazon.com/api/skill/link/X",
            "https://alexa.amazonalexa.com/link",
        ] {
            assert!(is_allowed_redirect(allowed), "{allowed}");
        }
        for refused in [
            "http://layla.amazon.com/api/skill/link/X",
            "https://evilamazon.com/cb",
            "https://amazon.com.evil.example/cb",
            "http://127.0.0.1.evil.example/cb",
            "https://127.0.0.1@evil.example/cb",
            "http://127.0.0.1/cb#fragment",
            "ftp://127.0.0.1/cb",
            "/relative",
            "",
        ] {
            assert!(!is_allowed_redirect(refused), "{refused}");
        }
    }

    #[test]
    fn pkce_challenges_are_met_only_by_their_verifier() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let s256 = PkceChallenge::S256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into());
        assert!(s256.is_met_by(verifier), "RFC 7636 appendix B");
        assert!(!s256.is_met_by("another-verifier"));
        assert!(PkceChallenge::Plain(verifier.into()).is_met_by(verifier));
        assert!(PkceChallenge::parse(Some("x"), Some("S512")).is_err());
        assert!(PkceChallenge::parse(None, Some("S256")).is_err());
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
