//! The recorded events of `events/` made ready to send: the placeholders filled and the
//! event's own timestamps set to now, so a recorded event never goes stale. Used by
//! `pod-events` (for `make events` and `scripts/invoke.sh`) and by the end-to-end tests.
//!
//! Placeholders (see `events/README.md`): `{{ACCESS_TOKEN}}`, `{{CODE}}`, `{{ORDER_ID}}`,
//! `{{API_ENDPOINT}}` (`context.System.apiEndpoint`: Alexa's, or the local Directive API double), and `{{REQUEST_ID}}`, which becomes a fresh id for every event rendered (Alexa gives
//! every request its own; a repeated id gets the first answer replayed).

use serde_json::Value;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// What fills an event's placeholders (the request id is always a fresh one).
#[derive(Debug, Clone, Copy)]
pub struct Placeholders<'a> {
    /// `{{ACCESS_TOKEN}}`: an account-linking access token ("" for none).
    pub access_token: &'a str,
    /// `{{CODE}}`: the one-time code.
    pub code: &'a str,
    /// `{{ORDER_ID}}`: an order's id.
    pub order_id: &'a str,
    /// `{{API_ENDPOINT}}`: where the skill's progressive responses go.
    pub api_endpoint: &'a str,
}

impl<'a> Placeholders<'a> {
    /// The order id filled in when none is given (`pod-events --order-id` overrides it).
    pub const DEFAULT_ORDER_ID: &'static str = "00000000-0000-7000-8000-000000000000";

    /// The API endpoint filled in when none is given: Alexa's (North America).
    pub const DEFAULT_API_ENDPOINT: &'static str = "https://api.amazonalexa.com";

    /// `access_token` and `code`, with the default order id and API endpoint.
    pub fn new(access_token: &'a str, code: &'a str) -> Self {
        Self { access_token, code, order_id: Self::DEFAULT_ORDER_ID, api_endpoint: Self::DEFAULT_API_ENDPOINT }
    }

    /// The same, with `{{API_ENDPOINT}}` as `api_endpoint` (e.g. a local stack's double).
    pub fn with_api_endpoint(self, api_endpoint: &'a str) -> Self {
        Self { api_endpoint, ..self }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("{}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: {source}", path.display())]
    Json { path: PathBuf, source: serde_json::Error },
}

/// Reads the event at `path` and fills it: see [`render`].
pub fn render_file(path: &Path, placeholders: &Placeholders) -> Result<Value, EventError> {
    let text = std::fs::read_to_string(path).map_err(|source| EventError::Read { path: path.into(), source })?;
    render(&text, placeholders).map_err(|source| EventError::Json { path: path.into(), source })
}

/// Fills the placeholders of the event `text` (a fresh request id), parses it, and sets its
/// timestamps to now ([`refresh_timestamps`]).
pub fn render(text: &str, placeholders: &Placeholders) -> Result<Value, serde_json::Error> {
    render_at(text, placeholders, &uuid::Uuid::now_v7().to_string(), OffsetDateTime::now_utc())
}

/// [`render`] with the request id and the time given.
pub fn render_at(
    text: &str,
    placeholders: &Placeholders,
    request_id: &str,
    now: OffsetDateTime,
) -> Result<Value, serde_json::Error> {
    let filled = text
        .replace("{{ACCESS_TOKEN}}", placeholders.access_token)
        .replace("{{CODE}}", placeholders.code)
        .replace("{{REQUEST_ID}}", request_id)
        .replace("{{ORDER_ID}}", placeholders.order_id)
        .replace("{{API_ENDPOINT}}", placeholders.api_endpoint);
    let mut event: Value = serde_json::from_str(&filled)?;
    refresh_timestamps(&mut event, now);
    Ok(event)
}

/// Sets the event's own timestamps to `now`, to the second: Alexa's `request.timestamp`
/// (RFC 3339) where there is one, and API Gateway's `requestContext.time` and `timeEpoch`
/// where there is a request context.
pub fn refresh_timestamps(event: &mut Value, now: OffsetDateTime) {
    let now = now.replace_nanosecond(0).unwrap_or(now);
    if let Some(timestamp) = event.pointer_mut("/request/timestamp") {
        *timestamp = Value::String(now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default());
    }
    if let Some(context) = event.pointer_mut("/requestContext").and_then(Value::as_object_mut) {
        let format =
            time::macros::format_description!("[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000");
        context.insert("time".into(), Value::String(now.format(&format).unwrap_or_default()));
        context.insert("timeEpoch".into(), Value::from(now.unix_timestamp() * 1000));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ALEXA: &str = r#"{"session": {"user": {"accessToken": "{{ACCESS_TOKEN}}"}},
        "context": {"System": {"apiEndpoint": "{{API_ENDPOINT}}"}},
        "request": {"requestId": "amzn1.echo-api.request.{{REQUEST_ID}}", "timestamp": "2026-11-25T07:00:00Z",
                    "intent": {"slots": {"Code": {"value": "{{CODE}}"}}}}}"#;
    const HTTP: &str = r#"{"rawPath": "/pod/api/orders/{{ORDER_ID}}", "body": "{\"code\": \"{{CODE}}\"}",
        "requestContext": {"requestId": "r", "time": "25/Nov/2026:07:00:00 +0000", "timeEpoch": 1795590000000}}"#;

    fn noon() -> OffsetDateTime {
        time::macros::datetime!(2026-12-01 12:34:56.789 UTC)
    }

    #[test]
    fn an_alexa_event_gets_its_token_code_request_id_and_timestamp() {
        let event = render_at(ALEXA, &Placeholders::new("a.token", "0421"), "id-1", noon()).unwrap();
        assert_eq!(event["session"]["user"]["accessToken"], "a.token");
        assert_eq!(event["request"]["requestId"], "amzn1.echo-api.request.id-1");
        assert_eq!(event["request"]["intent"]["slots"]["Code"]["value"], "0421");
        assert_eq!(event["request"]["timestamp"], "2026-12-01T12:34:56Z");
        assert_eq!(event["context"]["System"]["apiEndpoint"], "https://api.amazonalexa.com");
        assert!(event.get("requestContext").is_none(), "nothing added that was not there");
        let local = Placeholders::new("t", "1").with_api_endpoint("http://127.0.0.1:3000/alexa-api");
        let event = render_at(ALEXA, &local, "id-2", noon()).unwrap();
        assert_eq!(event["context"]["System"]["apiEndpoint"], "http://127.0.0.1:3000/alexa-api");
    }

    #[test]
    fn an_http_event_gets_its_order_id_code_and_request_time() {
        let placeholders = Placeholders { order_id: "an-order", ..Placeholders::new("t", "1234") };
        let event = render_at(HTTP, &placeholders, "id-1", noon()).unwrap();
        assert_eq!(event["rawPath"], "/pod/api/orders/an-order");
        assert_eq!(event["body"], "{\"code\": \"1234\"}");
        assert_eq!(event["requestContext"]["time"], "01/Dec/2026:12:34:56 +0000");
        assert_eq!(event["requestContext"]["timeEpoch"], json!(1_796_128_496_000_i64));
        assert_eq!(event["requestContext"]["requestId"], "r");
    }

    #[test]
    fn every_render_has_a_fresh_request_id() {
        let first = render(ALEXA, &Placeholders::new("", "")).unwrap();
        let second = render(ALEXA, &Placeholders::new("", "")).unwrap();
        assert_ne!(first["request"]["requestId"], second["request"]["requestId"]);
    }

    #[test]
    fn what_is_not_an_event_is_an_error_not_a_panic() {
        assert!(render("{not json", &Placeholders::new("", "")).is_err());
        assert!(render(ALEXA, &Placeholders::new("\"", "")).is_err(), "a value that breaks the JSON");
        let missing = render_file(Path::new("no/such/event.json"), &Placeholders::new("", "")).unwrap_err();
        assert!(missing.to_string().starts_with("no/such/event.json: "), "{missing}");
        assert_eq!(render("[1, 2]", &Placeholders::new("", "")).unwrap(), json!([1, 2]), "no timestamps to set");
    }
}
