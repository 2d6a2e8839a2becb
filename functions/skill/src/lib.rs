//! The Alexa skill: intent routing and what the skill says.
//!
//! [`Skill::handle`] is a plain async function from an Alexa request to an
//! Alexa response; `main.rs` (Lambda), the local runner and the tests share it.

mod caller;
mod failure;
mod replay;
mod speech;

use base64::Engine;
use caller::Caller;
use failure::Doing;
use pod_shared::alexa::{AlexaVerifier, Card, IntentRequest, Request, RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{Code, IfWrong, Pizza, Size, Source, Topping, Toppings};
use pod_shared::round_trips::{self, Remote, RoundTrips};
use pod_shared::service::{AuthorizeOutcome, OrderService};
use serde_json::{Value, json};
use std::time::Duration;

pub use speech::{SKILL_NAME, topping_menu};

pub const ORDER_INTENT: &str = "GetMeSomePizzaIntent";
pub const AUTHORIZE_INTENT: &str = "AuthorizePizzaOrderIntent";
pub const SIZE_SLOT: &str = "Size";
pub const TOPPINGS_SLOT: &str = "Toppings";
pub const CODE_SLOT: &str = "Code";

/// Every intent the skill handles (the interaction model must declare the same set).
pub const HANDLED_INTENTS: [&str; 7] = [
    ORDER_INTENT,
    AUTHORIZE_INTENT,
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
];

/// Alexa waits about 8 seconds for an answer; Pod answers within this, whatever happens.
pub const ANSWER_DEADLINE: Duration = Duration::from_secs(7);

#[derive(Debug, thiserror::Error)]
pub enum SkillError {
    #[error("the request is not a valid Alexa request: {0}")]
    MalformedRequest(String),
    #[error("the request was refused: {0}")]
    Refused(String),
}

/// Parses an Alexa request envelope, with a message that says what is wrong.
pub fn parse_request(body: &[u8]) -> Result<RequestEnvelope, SkillError> {
    serde_json::from_slice(body).map_err(|e| SkillError::MalformedRequest(e.to_string()))
}

/// Parses an already-decoded JSON event (what `lambda_runtime` hands over).
pub fn parse_event(event: serde_json::Value) -> Result<RequestEnvelope, SkillError> {
    serde_json::from_value(event).map_err(|e| SkillError::MalformedRequest(e.to_string()))
}

pub struct Skill {
    service: OrderService,
}

/// How an Alexa request reached the function.
#[derive(Debug)]
pub enum SkillEvent {
    /// Invoked by Alexa through the Lambda ARN: the event is the Alexa request.
    Direct(Value),
    /// Through a function URL: an HTTP event whose body is the Alexa request.
    Https { headers: Vec<(String, String)>, body: Vec<u8> },
}

impl SkillEvent {
    /// Tells the two apart by the event's shape (an HTTP event has `requestContext` and `headers`).
    pub fn classify(event: Value) -> Result<Self, SkillError> {
        if event.get("requestContext").is_none() || event.get("headers").is_none() {
            return Ok(SkillEvent::Direct(event));
        }
        let headers = event["headers"]
            .as_object()
            .map(|h| h.iter().filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let raw = event.get("body").and_then(Value::as_str).unwrap_or_default();
        let body = if event.get("isBase64Encoded").and_then(Value::as_bool).unwrap_or(false) {
            base64::engine::general_purpose::STANDARD
                .decode(raw)
                .map_err(|_| SkillError::MalformedRequest("the body is not valid base64".into()))?
        } else {
            raw.as_bytes().to_vec()
        };
        Ok(SkillEvent::Https { headers, body })
    }
}

/// The HTTP answer to an HTTPS (function URL or local) request: status and JSON body.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: Value,
}

impl Skill {
    pub fn new(service: OrderService) -> Self {
        Self { service }
    }

    /// Answers an HTTPS request after verifying it; a refused request gets 400 with the reason.
    pub async fn answer_https<'h>(
        &self,
        verifier: &AlexaVerifier,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
    ) -> HttpAnswer {
        match verifier.verify_https(header, body, self.service.now()).await {
            Ok(envelope) => HttpAnswer { status: 200, body: json!(self.handle(&envelope).await) },
            Err(reason) => {
                tracing::warn!(%reason, "alexa request refused");
                HttpAnswer { status: 400, body: json!({"error": "request_refused", "message": reason.to_string()}) }
            }
        }
    }

    /// Answers a Lambda event of either kind: an Alexa response for a direct
    /// invocation, an HTTP response (`statusCode`, `headers`, `body`) for a function URL.
    pub async fn answer_event(&self, verifier: &AlexaVerifier, event: Value) -> Result<Value, SkillError> {
        match SkillEvent::classify(event)? {
            SkillEvent::Direct(event) => {
                if let Err(reason) = verifier.verify_direct(&event) {
                    tracing::warn!(%reason, "alexa request refused");
                    return Err(SkillError::Refused(reason.to_string()));
                }
                let envelope = parse_event(event).inspect_err(|e| tracing::warn!(error = %e, "request refused"))?;
                Ok(json!(self.handle(&envelope).await))
            }
            SkillEvent::Https { headers, body } => {
                let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
                let answer = self.answer_https(verifier, header, &body).await;
                Ok(json!({
                    "statusCode": answer.status,
                    "headers": {"content-type": "application/json"},
                    "body": answer.body.to_string(),
                }))
            }
        }
    }

    /// Answers one Alexa request. Never fails: every problem becomes something a person can hear.
    pub async fn handle(&self, envelope: &RequestEnvelope) -> ResponseEnvelope {
        self.handle_measured(envelope).await.0
    }

    /// [`handle`](Self::handle), also reporting the external round trips the
    /// request made (also logged, as fields a log metric filter can count).
    pub async fn handle_measured(&self, envelope: &RequestEnvelope) -> (ResponseEnvelope, RoundTrips) {
        let request_id = envelope.request_id();
        let (answered, trips) = round_trips::measure(tokio::time::timeout(ANSWER_DEADLINE, self.route(envelope))).await;
        if trips.calls() > 0 {
            tracing::info!(
                request_id,
                auth0_calls = trips.calls_to(Remote::Auth0),
                store_calls = trips.calls_to(Remote::Store),
                delivery_calls = trips.calls_to(Remote::Delivery),
                sequential_round_trips = trips.sequential(),
                operations = %trips.operations(),
                "round trips"
            );
        }
        let response = answered.unwrap_or_else(|_| {
            tracing::error!(request_id, "no answer within the deadline");
            ResponseEnvelope::tell(speech::too_slow())
        });
        (response, trips)
    }

    async fn route(&self, envelope: &RequestEnvelope) -> ResponseEnvelope {
        match &envelope.request {
            Request::LaunchRequest { .. } => ResponseEnvelope::ask(speech::welcome(), speech::what_to_say()),
            Request::IntentRequest(intent) => self.intent(envelope, intent).await,
            Request::SessionEndedRequest { reason, error, .. } => {
                tracing::info!(reason = reason.as_deref().unwrap_or("unknown"), error = ?error, "session ended");
                ResponseEnvelope::empty()
            }
            Request::Other => ResponseEnvelope::empty(),
        }
    }

    async fn intent(&self, envelope: &RequestEnvelope, request: &IntentRequest) -> ResponseEnvelope {
        let name = request.intent.name.as_str();
        tracing::info!(intent = name, request_id = envelope.request_id(), "intent");
        match name {
            ORDER_INTENT | AUTHORIZE_INTENT => self.once_per_request(envelope, request).await,
            "AMAZON.HelpIntent" => ResponseEnvelope::ask(speech::help(), speech::what_to_say()),
            "AMAZON.StopIntent" | "AMAZON.CancelIntent" | "AMAZON.NavigateHomeIntent" => {
                ResponseEnvelope::tell(speech::goodbye())
            }
            _ => ResponseEnvelope::ask(speech::fallback(), speech::what_to_say()),
        }
    }

    /// Order and authorize change state, so a repeated request id (Alexa may
    /// deliver a request twice) gets the first answer again and changes nothing.
    async fn once_per_request(&self, envelope: &RequestEnvelope, request: &IntentRequest) -> ResponseEnvelope {
        let (service, request_id) = (&self.service, envelope.request_id());
        if request.intent.name == ORDER_INTENT {
            // The replay check and who is ordering (token, profile) are independent reads: run them at once.
            let caller = caller::with_profile(service, envelope);
            replay::once_per_request(service, request_id, caller, |caller| self.order(request, caller)).await
        } else {
            replay::once_per_request(service, request_id, async {}, |()| self.authorize(envelope, request)).await
        }
    }

    /// An order from `caller`.
    async fn order(&self, request: &IntentRequest, caller: Caller) -> ResponseEnvelope {
        let profile = match caller {
            Ok(profile) => profile,
            Err(link_account) => return link_account,
        };
        let pizza = match pizza_from_slots(request) {
            Ok(pizza) => pizza,
            Err(answer) => return *answer,
        };
        let placed = match profile {
            Ok(profile) => self.service.place_order_for(&profile, pizza, Source::Voice).await,
            Err(error) => Err(error),
        };
        match placed {
            Ok(placed) => {
                let (said, reprompt) = speech::order_placed(&placed);
                let card = Card::Simple { title: SKILL_NAME.into(), content: said.plain() };
                ResponseEnvelope::ask(said, reprompt).with_card(card)
            }
            Err(error) => failure::answer(&self.service, Doing::Ordering, error),
        }
    }

    async fn authorize(&self, envelope: &RequestEnvelope, request: &IntentRequest) -> ResponseEnvelope {
        let user = match caller::linked_user(&self.service, envelope).await {
            Ok(user) => user,
            Err(answer) => return answer,
        };
        let heard = request.intent.slot(CODE_SLOT).and_then(|s| s.first_value());
        let length = self.service.policy().code_length;
        let code = match heard.as_ref().map(|v| Code::from_spoken(v.best(), length)) {
            Some(Ok(code)) => code,
            Some(Err(_)) => {
                return ResponseEnvelope::elicit_slot(
                    CODE_SLOT,
                    speech::code_not_understood(),
                    speech::ask_code(),
                    None,
                );
            }
            None => return ResponseEnvelope::elicit_slot(CODE_SLOT, speech::code_missing(), speech::ask_code(), None),
        };
        let now = self.service.now();
        match self.service.authorize_pending(&user, &code, Source::Voice).await {
            Ok(AuthorizeOutcome::Confirmed(order)) => {
                let said = speech::confirmed(&order);
                let card = Card::Simple { title: SKILL_NAME.into(), content: said.plain() };
                ResponseEnvelope::tell(said).with_card(card)
            }
            Ok(AuthorizeOutcome::WrongCode { tries_left, account: IfWrong::Open { .. }, .. }) => {
                ResponseEnvelope::elicit_slot(CODE_SLOT, speech::wrong_code(tries_left), speech::ask_code(), None)
            }
            Ok(
                AuthorizeOutcome::WrongCode { account: account @ (IfWrong::Paused { .. } | IfWrong::Locked), .. }
                | AuthorizeOutcome::Locked { account: account @ (IfWrong::Paused { .. } | IfWrong::Locked), .. },
            ) => {
                let told = self.service.tells_owners();
                failure::with_web_card(
                    &self.service,
                    speech::wrong_code_blocked(account, now, self.service.web_app(), told),
                )
            }
            Ok(AuthorizeOutcome::Locked { account: IfWrong::Open { .. }, .. }) => {
                ResponseEnvelope::tell(speech::locked())
            }
            Ok(AuthorizeOutcome::Expired(_)) => ResponseEnvelope::tell(speech::expired()),
            Ok(AuthorizeOutcome::NoPendingOrder) => {
                ResponseEnvelope::ask(speech::no_pending_order(), speech::what_to_say())
            }
            Err(error) => failure::answer(&self.service, Doing::CheckingCode, error),
        }
    }
}

/// Splits one heard phrase into toppings ("pepperoni and mushrooms", "ham, onions").
fn split_phrase(phrase: &str) -> Vec<String> {
    phrase
        .split([','])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// The pizza the slots describe, or the question to ask next.
fn pizza_from_slots(request: &IntentRequest) -> Result<Pizza, Box<ResponseEnvelope>> {
    let size = match request.intent.slot(SIZE_SLOT).and_then(|s| s.first_value()) {
        None => {
            return Err(Box::new(ResponseEnvelope::elicit_slot(
                SIZE_SLOT,
                speech::ask_size(),
                speech::ask_size(),
                None,
            )));
        }
        Some(heard) => match Size::parse(heard.best()) {
            Ok(size) => size,
            Err(_) => {
                return Err(Box::new(ResponseEnvelope::elicit_slot(
                    SIZE_SLOT,
                    speech::unknown_size(&heard.heard),
                    speech::ask_size(),
                    None,
                )));
            }
        },
    };
    let spoken = request.intent.slot(TOPPINGS_SLOT).map(|s| s.spoken_values()).unwrap_or_default();
    let mut toppings: Vec<Topping> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for value in &spoken {
        let candidates = match Topping::parse(value.best()) {
            Ok(topping) => vec![Ok(topping)],
            Err(_) => split_phrase(&value.heard).into_iter().map(|p| Topping::parse(&p).map_err(|_| p)).collect(),
        };
        for candidate in candidates {
            match candidate {
                Ok(topping) if !toppings.contains(&topping) => toppings.push(topping),
                Ok(_) => {}
                Err(name) => unknown.push(name),
            }
        }
    }
    if !unknown.is_empty() {
        return Err(Box::new(ResponseEnvelope::elicit_slot(
            TOPPINGS_SLOT,
            speech::unknown_toppings(&unknown),
            speech::ask_toppings(),
            None,
        )));
    }
    let toppings = Toppings::new(toppings).unwrap_or_default();
    Ok(Pizza { size, toppings })
}

/// Re-exported for tests and the local runner.
pub fn speech_of(response: &ResponseEnvelope) -> String {
    response.speech_ssml().unwrap_or_default().to_string()
}

/// How Lambda reports a refused request: an error type and message, no panic.
impl From<SkillError> for lambda_runtime::Diagnostic {
    fn from(error: SkillError) -> Self {
        let error_type = match error {
            SkillError::MalformedRequest(_) => "MalformedRequest",
            SkillError::Refused(_) => "Refused",
        };
        lambda_runtime::Diagnostic { error_type: error_type.into(), error_message: error.to_string() }
    }
}
