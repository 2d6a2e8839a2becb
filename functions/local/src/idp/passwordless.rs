//! `POST /passwordless/start`: sends a one-time code, which here means
//! putting it in the outbox and printing it.

use super::errors::AuthApiError;
use super::otp::OTP_LIFETIME;
use super::params::Params;
use super::users::{normalize_address, passwordless_connection};
use super::{LocalIdp, OutboxMessage, secrets};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use pod_shared::domain::{Channel, Timestamp};
use serde_json::{Value, json};
use std::time::Instant;

pub(super) async fn start(
    State(idp): State<LocalIdp>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, AuthApiError> {
    let body = body.map_err(|rejection| AuthApiError::unreadable_body(&rejection))?;
    let params = Params::from_body(&headers, &body)?;
    idp.tenant().authenticate_client(&headers, &params)?;
    let connection = params.require("connection")?;
    let channel = passwordless_connection(connection)
        .ok_or_else(|| AuthApiError::new(StatusCode::BAD_REQUEST, "bad.connection", "Connection does not exist"))?;
    if params.get("send").is_some_and(|send| send != "code") {
        return Err(AuthApiError::new(StatusCode::BAD_REQUEST, "bad.request", "Only send=code is supported here."));
    }
    let address_field = address_field(channel);
    let address = normalize_address(channel, params.require(address_field)?)
        .map_err(|e| AuthApiError::new(StatusCode::BAD_REQUEST, bad_address_error(channel), e.to_string()))?;

    let mut state = idp.lock();
    if state.directory.passwordless_owner(channel, &address).is_none() {
        return Err(AuthApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.connection",
            format!("Public signup is disabled: no {connection} user has this {address_field}."),
        ));
    }
    let code = secrets::random_digits(idp.tenant().otp_length);
    state.otps.issue(channel, &address, code.clone(), Instant::now());
    let message = outbox_message(channel, &address, code);
    // The local stand-in for the SMS or email gateway: stdout, never the logs.
    println!("[outbox] {} to {}: {}", message.channel, message.destination, message.text);
    state.post(message);
    tracing::info!(connection, "passwordless code sent to the outbox");
    Ok(Json(json!({"_id": secrets::random_hex(12), address_field: address, "request_language": null})))
}

fn address_field(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "phone_number",
        Channel::Email => "email",
    }
}

fn bad_address_error(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "bad.phone_number",
        Channel::Email => "bad.email",
    }
}

fn outbox_message(channel: Channel, address: &str, code: String) -> OutboxMessage {
    let minutes = OTP_LIFETIME.as_secs() / 60;
    OutboxMessage {
        channel: channel.connection().to_string(),
        destination: address.to_string(),
        text: format!("Your Pizza on Demand code is {code}. It expires in {minutes} minutes."),
        code,
        time: Timestamp::now().to_rfc3339(),
    }
}

/// The outbox also stands in for SMS and email when Pod makes its own codes
/// (`CODE_PROVIDER=builtin`, `CODE_DELIVERY=outbox`).
#[async_trait::async_trait]
impl pod_shared::ports::MessageSender for LocalIdp {
    async fn deliver(
        &self,
        destination: &pod_shared::domain::Destination,
        text: &str,
    ) -> Result<(), pod_shared::ports::DeliveryError> {
        let code: String =
            text.split_whitespace().next().filter(|w| w.bytes().all(|b| b.is_ascii_digit())).unwrap_or("").into();
        let message = OutboxMessage {
            channel: destination.channel().connection().to_string(),
            destination: destination.address().to_string(),
            text: text.to_string(),
            code,
            time: Timestamp::now().to_rfc3339(),
        };
        println!("[outbox] {} to {}: {}", message.channel, message.destination, message.text);
        self.lock().post(message);
        Ok(())
    }
}
