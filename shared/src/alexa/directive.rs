//! Alexa's Directive API over HTTP with `reqwest`: the progressive response ("One moment
//! while I send your code") that a skill may send while it works on its answer.
//!
//! `POST {apiEndpoint}/v1/directives` with `Authorization: Bearer {apiAccessToken}` and a
//! `VoicePlayer.Speak` directive bound to the request id. The endpoint and the token come
//! from the request itself, so the endpoint is checked before the token goes anywhere:
//! only `https` on Alexa's own API hosts, plus the one `http://127.0.0.1:PORT/…` endpoint of
//! the local double when the local stack builds the adapter with [`DirectiveApi::allowing_local`]
//! (no setting opens this in a deployed function). Every call has a short timeout.

use crate::ports::{DirectiveCall, DirectiveError, ProgressiveSpeech};
use crate::round_trips::{Remote, track};
use async_trait::async_trait;
use serde_json::json;
use std::time::Duration;

/// How long a progressive response may take, end to end: it runs beside a code's send,
/// so it must never hold up the answer for long.
pub const DIRECTIVE_TIMEOUT: Duration = Duration::from_millis(400);

/// The hosts of Alexa's APIs (North America, Europe, Far East): `context.System.apiEndpoint`
/// is one of these.
pub const ALEXA_API_HOSTS: [&str; 3] = ["api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com"];

/// Sends progressive responses to Alexa's Directive API.
#[derive(Debug, Clone)]
pub struct DirectiveApi {
    http: reqwest::Client,
    /// The local double's endpoint (`http://127.0.0.1:PORT/…`), accepted besides Alexa's hosts.
    local_endpoint: Option<String>,
    timeout: Duration,
}

impl DirectiveApi {
    /// As deployed: only `https://` on [`ALEXA_API_HOSTS`].
    pub fn production() -> Self {
        Self::build(None, DIRECTIVE_TIMEOUT)
    }

    /// As the local stack runs it: Alexa's hosts, and also exactly `endpoint` (its own double),
    /// which must be `http://127.0.0.1:PORT` or a path on it; anything else is ignored and only
    /// Alexa's hosts stay.
    pub fn allowing_local(endpoint: &str) -> Self {
        let endpoint = endpoint.trim_end_matches('/');
        let on_loopback = endpoint
            .strip_prefix("http://127.0.0.1:")
            .map(|rest| rest.split_once('/').map_or(rest, |(port, _)| port))
            .is_some_and(|port| port.parse::<u16>().is_ok());
        if !on_loopback {
            tracing::warn!("a local directive endpoint that is not on http://127.0.0.1:PORT is ignored");
        }
        Self::build(on_loopback.then(|| endpoint.to_string()), DIRECTIVE_TIMEOUT)
    }

    /// The same, with another timeout (tests of a slow Directive API).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self::build(self.local_endpoint, timeout)
    }

    fn build(local_endpoint: Option<String>, timeout: Duration) -> Self {
        let http = crate::https::client_builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { http, local_endpoint, timeout }
    }

    /// Whether the skill may post its token to `endpoint` (an `apiEndpoint`, no trailing slash).
    pub fn accepts(&self, endpoint: &str) -> bool {
        if self.local_endpoint.as_deref() == Some(endpoint) {
            return true;
        }
        let Ok(url) = reqwest::Url::parse(endpoint) else { return false };
        url.scheme() == "https"
            && url.username().is_empty()
            && url.password().is_none()
            && url.port().is_none()
            && url.query().is_none()
            && url.fragment().is_none()
            && matches!(url.path(), "" | "/")
            && url.host_str().is_some_and(|host| ALEXA_API_HOSTS.contains(&host))
    }
}

/// The directive's JSON body.
pub fn speak_body(request_id: &str, ssml: &str) -> serde_json::Value {
    json!({"header": {"requestId": request_id}, "directive": {"type": "VoicePlayer.Speak", "speech": ssml}})
}

#[async_trait]
impl ProgressiveSpeech for DirectiveApi {
    async fn speak(&self, call: &DirectiveCall, ssml: &str) -> Result<(), DirectiveError> {
        let endpoint = call.api_endpoint();
        if !self.accepts(endpoint) {
            let shown = reqwest::Url::parse(endpoint)
                .map(|url| format!("{}://{}", url.scheme(), url.host_str().unwrap_or("")))
                .unwrap_or_else(|_| "not a URL".into());
            return Err(DirectiveError::EndpointRefused(shown));
        }
        let request = self
            .http
            .post(format!("{endpoint}/v1/directives"))
            .bearer_auth(call.api_access_token().expose())
            .json(&speak_body(call.request_id(), ssml))
            .send();
        // The client's timeout bounds each phase; this bounds the whole call.
        let sent = track(Remote::Alexa, "directive", tokio::time::timeout(self.timeout, request)).await;
        match sent {
            Err(_) => Err(DirectiveError::Timeout),
            Ok(Err(error)) if error.is_timeout() => Err(DirectiveError::Timeout),
            Ok(Err(error)) => Err(DirectiveError::Unreachable(error.without_url().to_string())),
            Ok(Ok(response)) if response.status().is_success() => Ok(()),
            Ok(Ok(response)) => Err(DirectiveError::Refused(response.status().as_u16())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    use axum::{Json, Router};
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;

    /// A Directive API double answering `status` (after `delay`), recording what it got.
    async fn double(status: StatusCode, delay: Duration) -> (String, Seen) {
        let seen: Seen = Arc::default();
        let recorded = seen.clone();
        let app = Router::new().route(
            "/v1/directives",
            post(move |headers: HeaderMap, Json(body): Json<serde_json::Value>| {
                let recorded = recorded.clone();
                async move {
                    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
                    recorded.lock().unwrap().push((auth, body));
                    tokio::time::sleep(delay).await;
                    status
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (origin, seen)
    }

    const SSML: &str = "<speak>One moment while I send your code.</speak>";

    #[tokio::test]
    async fn posts_a_voice_player_speak_directive_bound_to_the_request_with_the_requests_token() {
        let (origin, seen) = double(StatusCode::NO_CONTENT, Duration::ZERO).await;
        let api = DirectiveApi::allowing_local(&origin);
        api.speak(&DirectiveCall::new(&format!("{origin}/"), "api-token", "req-1"), SSML).await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0.as_deref(), Some("Bearer api-token"));
        assert_eq!(
            seen[0].1,
            json!({"header": {"requestId": "req-1"}, "directive": {"type": "VoicePlayer.Speak", "speech": SSML}})
        );
    }

    #[tokio::test]
    async fn a_refusal_or_an_endpoint_that_is_down_is_an_error_to_log() {
        let (origin, _) = double(StatusCode::FORBIDDEN, Duration::ZERO).await;
        let api = DirectiveApi::allowing_local(&origin);
        let call = DirectiveCall::new(&origin, "t", "r");
        assert_eq!(api.speak(&call, SSML).await, Err(DirectiveError::Refused(403)));
        let (origin, _) = double(StatusCode::INTERNAL_SERVER_ERROR, Duration::ZERO).await;
        let api = DirectiveApi::allowing_local(&origin);
        assert_eq!(api.speak(&DirectiveCall::new(&origin, "t", "r"), SSML).await, Err(DirectiveError::Refused(500)));

        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let api = DirectiveApi::allowing_local(&origin);
        let down = api.speak(&DirectiveCall::new(&origin, "t", "r"), SSML).await;
        assert!(matches!(down, Err(DirectiveError::Unreachable(_))), "{down:?}");
    }

    #[tokio::test]
    async fn a_slow_directive_api_is_given_up_on_at_the_timeout() {
        let (origin, _) = double(StatusCode::NO_CONTENT, Duration::from_secs(30)).await;
        let api = DirectiveApi::allowing_local(&origin).with_timeout(Duration::from_millis(50));
        assert_eq!(api.speak(&DirectiveCall::new(&origin, "t", "r"), SSML).await, Err(DirectiveError::Timeout));
    }

    #[test]
    fn the_token_goes_only_to_alexas_https_hosts_and_the_local_double() {
        let production = DirectiveApi::production();
        for host in ALEXA_API_HOSTS {
            assert!(production.accepts(&format!("https://{host}")), "{host}");
        }
        for refused in [
            "http://api.amazonalexa.com",
            "https://api.amazonalexa.com.evil.example",
            "https://evil.example",
            "https://user@api.amazonalexa.com",
            "https://api.amazonalexa.com:8443",
            "https://api.amazonalexa.com/elsewhere",
            "https://api.amazonalexa.com?x=1",
            "http://127.0.0.1:3000",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            assert!(!production.accepts(refused), "{refused}");
        }
        let local = DirectiveApi::allowing_local("http://127.0.0.1:3000/alexa-api/");
        assert!(local.accepts("http://127.0.0.1:3000/alexa-api"));
        assert!(!local.accepts("http://127.0.0.1:3000"), "only the double's own endpoint");
        assert!(!local.accepts("http://127.0.0.1:3000/alexa-api/elsewhere"));
        assert!(!local.accepts("http://127.0.0.1:3001/alexa-api"));
        assert!(local.accepts("https://api.amazonalexa.com"));
        assert!(!DirectiveApi::allowing_local("http://10.0.0.1:80").accepts("http://10.0.0.1:80"));
        assert!(!DirectiveApi::allowing_local("http://127.0.0.1.evil:80").accepts("http://127.0.0.1.evil:80"));
    }

    #[tokio::test]
    async fn a_refused_endpoint_gets_nothing_and_the_error_names_no_token() {
        let (origin, seen) = double(StatusCode::NO_CONTENT, Duration::ZERO).await;
        let refused = DirectiveApi::production().speak(&DirectiveCall::new(&origin, "secret-token", "r"), SSML).await;
        let Err(error) = refused else { panic!("an http endpoint was accepted in production") };
        assert!(matches!(error, DirectiveError::EndpointRefused(_)));
        assert!(!error.to_string().contains("secret-token"));
        assert!(seen.lock().unwrap().is_empty());
    }
}
