//! Request bodies: JSON read by hand, so that every error names its field.

use crate::problem::Problem;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use pod_shared::domain::{Code, Currency, Pizza, PizzaError, Size, Topping, Toppings};
use serde_json::{Map, Value};

/// The buffered body, or the problem with it (413 when over the limit).
pub fn bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, Problem> {
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Problem::too_large(limit),
        _ => Problem::invalid_body("body", rejection.body_text()),
    })
}

/// The body as a JSON object with only the `allowed` fields.
pub fn json_object(headers: &HeaderMap, body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, Problem> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(Problem::unsupported_media_type());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Problem::invalid_body("body", format!("not valid JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(Problem::invalid_body("body", "expected a JSON object"));
    };
    if let Some(unknown) = object.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Problem::invalid_body(unknown.clone(), format!("unknown field; expected {}", allowed.join(", "))));
    }
    Ok(object)
}

/// `{"size": "large", "toppings": ["pepperoni", ...], "currency": "GBP"}` → a pizza and what it is
/// priced in (`currency` is optional: USD without it).
pub fn new_order(headers: &HeaderMap, body: &[u8]) -> Result<(Pizza, Currency), Problem> {
    let object = json_object(headers, body, &["size", "toppings", "currency"])?;
    let currency = match object.get("currency") {
        None => Currency::DEFAULT,
        Some(Value::String(raw)) => {
            Currency::parse(raw).map_err(|e| Problem::invalid_body("currency", e.to_string()))?
        }
        Some(_) => return Err(Problem::invalid_body("currency", "must be a string: USD, GBP, CAD, AUD, INR or EUR")),
    };
    let size = match object.get("size") {
        None | Some(Value::Null) => return Err(Problem::invalid_body("size", "required")),
        Some(Value::String(raw)) => Size::parse(raw).map_err(|e| Problem::invalid_body("size", e.to_string()))?,
        Some(_) => return Err(Problem::invalid_body("size", "must be a string")),
    };
    let toppings = match object.get("toppings") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(raw) => {
                    Topping::parse(raw).map_err(|e| Problem::invalid_body(format!("toppings[{i}]"), e.to_string()))
                }
                _ => Err(Problem::invalid_body(format!("toppings[{i}]"), "must be a string")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(Problem::invalid_body("toppings", "must be an array of strings")),
    };
    let toppings = Toppings::new(toppings).map_err(|e: PizzaError| Problem::invalid_body("toppings", e.to_string()))?;
    Ok((Pizza { size, toppings }, currency))
}

/// `{"code": "4217"}` → a code.
pub fn confirmation(headers: &HeaderMap, body: &[u8]) -> Result<Code, Problem> {
    let object = json_object(headers, body, &["code"])?;
    match object.get("code") {
        None | Some(Value::Null) => Err(Problem::invalid_body("code", "required")),
        Some(Value::String(raw)) => Code::parse(raw).map_err(|e| Problem::invalid_body("code", e.to_string())),
        Some(_) => Err(Problem::invalid_body("code", "must be a string of digits, e.g. \"4217\"")),
    }
}

/// The body of `POST /orders`, read as [`new_order`] reads it; its rejection is the same problem.
pub struct NewOrderBody(pub Pizza, pub Currency);

/// The body of `POST /orders/{id}/confirm`, read as [`confirmation`] reads it.
pub struct ConfirmationBody(pub Code);

/// The headers and the buffered body (at most [`crate::MAX_BODY_BYTES`]), or the problem with it.
async fn headers_and_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<(HeaderMap, Bytes), Problem> {
    let headers = request.headers().clone();
    let body = bytes(Bytes::from_request(request, state).await, crate::MAX_BODY_BYTES)?;
    Ok((headers, body))
}

impl<S: Send + Sync> FromRequest<S> for NewOrderBody {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let (headers, body) = headers_and_bytes(request, state).await?;
        new_order(&headers, &body).map(|(pizza, currency)| Self(pizza, currency))
    }
}

impl<S: Send + Sync> FromRequest<S> for ConfirmationBody {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let (headers, body) = headers_and_bytes(request, state).await?;
        confirmation(&headers, &body).map(Self)
    }
}
