//! Request parameters from a query string, a form body or a flat JSON object,
//! as Auth0's Authentication API accepts them.

use super::errors::AuthApiError;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Named string parameters; empty values count as absent.
/// Never `Debug`: parameters carry secrets and passwords.
pub(super) struct Params(HashMap<String, String>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text (a query string or a form body).
    pub fn from_urlencoded(text: &str) -> Result<Self, String> {
        let mut params = HashMap::new();
        for pair in text.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode_component(name)?;
            if params.insert(name.clone(), decode_component(value)?).is_some() {
                return Err(format!("Parameter {name} appears more than once."));
            }
        }
        Ok(Self(params))
    }

    /// Parses a body as JSON or as a form, as its `Content-Type` says.
    pub fn from_body(headers: &HeaderMap, body: &[u8]) -> Result<Self, AuthApiError> {
        let media_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        let parsed = match media_type.as_deref() {
            Some("application/json") => Self::from_json(body),
            Some("application/x-www-form-urlencoded") => std::str::from_utf8(body)
                .map_err(|_| "The form body is not UTF-8.".to_string())
                .and_then(Self::from_urlencoded),
            _ => Err("Content-Type must be application/json or application/x-www-form-urlencoded.".into()),
        };
        parsed.map_err(AuthApiError::invalid_request)
    }

    /// A flat JSON object: strings, numbers and booleans are kept; nested values are ignored.
    fn from_json(body: &[u8]) -> Result<Self, String> {
        let object: Map<String, Value> =
            serde_json::from_slice(body).map_err(|e| format!("The body is not a JSON object: {e}"))?;
        let params = object
            .into_iter()
            .filter_map(|(name, value)| match value {
                Value::String(s) => Some((name, s)),
                Value::Number(n) => Some((name, n.to_string())),
                Value::Bool(b) => Some((name, b.to_string())),
                Value::Null | Value::Array(_) | Value::Object(_) => None,
            })
            .collect();
        Ok(Self(params))
    }

    /// The parameter, unless absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The parameter, or Auth0's "Missing required parameter" error.
    pub fn require(&self, name: &str) -> Result<&str, AuthApiError> {
        self.get(name).ok_or_else(|| AuthApiError::missing(name))
    }
}

fn decode_component(raw: &str) -> Result<String, String> {
    urlencoding::decode(&raw.replace('+', " "))
        .map(|decoded| decoded.into_owned())
        .map_err(|_| "A parameter is not valid percent-encoded UTF-8.".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_content_type(value: &'static str) -> HeaderMap {
        HeaderMap::from_iter([(CONTENT_TYPE, HeaderValue::from_static(value))])
    }

    #[test]
    fn forms_are_percent_and_plus_decoded() {
        let params = Params::from_urlencoded("a=x%20y&b=p+q&c=&d").unwrap();
        assert_eq!(params.get("a"), Some("x y"));
        assert_eq!(params.get("b"), Some("p q"));
        assert_eq!(params.get("c"), None);
        assert_eq!(params.get("d"), None);
    }

    #[test]
    fn repeated_or_badly_encoded_form_parameters_are_refused() {
        assert!(Params::from_urlencoded("a=1&a=2").is_err());
        assert!(Params::from_urlencoded("a=%FF").is_err());
    }

    #[test]
    fn json_bodies_keep_scalars() {
        let body = br#"{"grant_type":"password","n":4,"b":true,"o":{"x":1},"z":null}"#;
        let params = Params::from_body(&with_content_type("application/json; charset=utf-8"), body).unwrap();
        assert_eq!(params.get("grant_type"), Some("password"));
        assert_eq!(params.get("n"), Some("4"));
        assert_eq!(params.get("b"), Some("true"));
        assert_eq!(params.get("o"), None);
        assert_eq!(params.get("z"), None);
    }

    #[test]
    fn malformed_or_unlabelled_bodies_are_refused() {
        assert!(Params::from_body(&with_content_type("application/json"), b"{not json").is_err());
        assert!(Params::from_body(&with_content_type("application/json"), b"[1]").is_err());
        assert!(Params::from_body(&with_content_type("text/plain"), b"a=1").is_err());
        assert!(Params::from_body(&HeaderMap::new(), b"a=1").is_err());
    }
}
