//! The Alexa skill: verify, parse, route, measure.
//!
//! [`Skill::handle`] is a plain async function from an Alexa request to an
//! Alexa response; `main.rs` (Lambda), the local runner and the tests share it.
//! A request is read once into what was asked (`asked.rs`) and answered by
//! the handler of that, one file each (`order.rs`, `authorize.rs`, …); service
//! errors become speech in `failure.rs`, and what the skill says is in `speech.rs`.

mod asked;
mod authorize;
mod caller;
mod cancel_order;
mod conversation;
mod failure;
mod fallback;
mod help;
mod launch;
mod lifecycle;
mod no;
mod order;
mod other;
mod progressive;
mod repeat;
mod replay;
mod resend;
mod session_ended;
mod speech;
mod status;
mod stop;
mod voice_pin;
mod yes;

use asked::Asked;
use base64::Engine;
use caller::Caller;
use pod_shared::alexa::{AlexaVerifier, RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::StepUp;
use pod_shared::i18n::Locale;
use pod_shared::metrics::{self, Metrics, Outcome, RequestMetrics};
use pod_shared::ports::ProgressiveSpeech;
use pod_shared::round_trips::{self, Remote, RoundTrips};
use pod_shared::service::OrderService;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub use asked::{
    AUTHORIZE_INTENT, CANCEL_INTENT, CANCEL_ORDER_INTENT, CODE_SLOT, FALLBACK_INTENT, HELP_INTENT,
    NAVIGATE_HOME_INTENT, NO_INTENT, ORDER_INTENT, REPEAT_INTENT, RESEND_CODE_INTENT, SIZE_SLOT, STATUS_INTENT,
    STOP_INTENT, TOPPINGS_SLOT, YES_INTENT, handled_intents,
};
pub use speech::{SKILL_NAME, topping_menu};

/// What a refused request is told, whatever rule it broke: which one (and the chain URL) goes only to the log.
pub const REFUSED_MESSAGE: &str = "the request could not be verified";

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
    /// Who says "one moment" while a code goes out (none: nobody).
    progressive: Option<Arc<dyn ProgressiveSpeech>>,
    /// What confirms an order after the recap's yes (`STEP_UP`).
    step_up: StepUp,
    /// Where each request's EMF line goes (`METRICS`; none by default).
    metrics: Metrics,
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
    /// An HTTP (function URL) event has `requestContext` and `headers`.
    fn is_http(event: &Value) -> bool {
        event.get("requestContext").is_some() && event.get("headers").is_some()
    }

    /// Tells the two apart by the event's shape (an HTTP event has `requestContext` and `headers`).
    pub fn classify(event: Value) -> Result<Self, SkillError> {
        if !Self::is_http(&event) {
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

impl HttpAnswer {
    /// 400 with the generic reason; the caller logs the specific one.
    fn refused() -> Self {
        HttpAnswer { status: 400, body: json!({"error": "request_refused", "message": REFUSED_MESSAGE}) }
    }

    /// As a function URL response.
    fn into_event(self) -> Value {
        json!({
            "statusCode": self.status,
            "headers": {"content-type": "application/json"},
            "body": self.body.to_string(),
        })
    }
}

impl Skill {
    pub fn new(service: OrderService) -> Self {
        Self { service, progressive: None, step_up: StepUp::Code, metrics: Metrics::off() }
    }

    /// Emits each request's metrics (EMF lines) through `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Confirms orders with `step_up` (`STEP_UP`): a code (the default), or Alexa's voice PIN.
    pub fn with_step_up(mut self, step_up: StepUp) -> Self {
        self.step_up = step_up;
        self
    }

    /// Speaks progressively ("One moment while I send your code") through `speech` while a
    /// code goes out: Alexa's Directive API as deployed, the local stack's double under pod-local.
    pub fn with_progressive_speech(mut self, speech: Arc<dyn ProgressiveSpeech>) -> Self {
        self.progressive = Some(speech);
        self
    }

    /// Answers an HTTPS request after verifying it; a refused request gets 400 with a generic
    /// reason ([`REFUSED_MESSAGE`]), the specific one logged.
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
                self.refused();
                HttpAnswer::refused()
            }
        }
    }

    /// Answers a Lambda event of either kind: an Alexa response for a direct
    /// invocation, an HTTP response (`statusCode`, `headers`, `body`) for a function URL.
    /// A refusal says only [`REFUSED_MESSAGE`] (400 over HTTP); the specific reason is logged.
    pub async fn answer_event(&self, verifier: &AlexaVerifier, event: Value) -> Result<Value, SkillError> {
        let http = SkillEvent::is_http(&event);
        let event = match SkillEvent::classify(event) {
            Ok(event) => event,
            Err(error) if http => {
                tracing::warn!(%error, "alexa request refused");
                self.refused();
                return Ok(HttpAnswer::refused().into_event());
            }
            Err(error) => {
                self.refused();
                return Err(error);
            }
        };
        match event {
            SkillEvent::Direct(event) => {
                if let Err(reason) = verifier.verify_direct(&event) {
                    tracing::warn!(%reason, "alexa request refused");
                    self.refused();
                    return Err(SkillError::Refused(REFUSED_MESSAGE.into()));
                }
                let envelope = parse_event(event).inspect_err(|e| {
                    tracing::warn!(error = %e, "request refused");
                    self.refused();
                })?;
                Ok(json!(self.handle(&envelope).await))
            }
            SkillEvent::Https { headers, body } => {
                let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
                Ok(self.answer_https(verifier, header, &body).await.into_event())
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
        let locale = Locale::for_tag_or_default(envelope.locale());
        let started = std::time::Instant::now();
        let answering = speech::in_locale(locale, tokio::time::timeout(ANSWER_DEADLINE, self.route(envelope)));
        // Every line logged while answering names the Alexa request; in Lambda the span is
        // also the answer's X-Ray subsegment, over its calls' subsegments.
        let span = pod_shared::traces::answer_span(metrics::FUNCTION_SKILL, Some(request_id), metric_intent(envelope));
        let answering = tracing::Instrument::instrument(metrics::observe(answering), span.clone());
        let ((answered, noted), trips) = round_trips::measure(answering).await;
        let _in_the_answer = span.enter();
        if trips.calls() > 0 {
            tracing::info!(
                request_id,
                auth0_calls = trips.calls_to(Remote::Auth0),
                store_calls = trips.calls_to(Remote::Store),
                delivery_calls = trips.calls_to(Remote::Delivery),
                alexa_calls = trips.calls_to(Remote::Alexa),
                sequential_round_trips = trips.sequential(),
                operations = %trips.operations(),
                "round trips"
            );
        }
        let outcome = if answered.is_ok() { noted.outcome() } else { Outcome::Other };
        let response = answered.unwrap_or_else(|_| {
            tracing::error!(request_id, "no answer within the deadline");
            speech::in_locale_sync(locale, || ResponseEnvelope::tell(speech::too_slow()))
        });
        self.metrics.record(&RequestMetrics {
            function: metrics::FUNCTION_SKILL,
            intent: metric_intent(envelope),
            outcome,
            duration: started.elapsed(),
            trips: Some(&trips),
            codes_sent: &noted.codes_sent,
        });
        (response, trips)
    }

    /// Counts a request refused before it was read (not verified, or not an Alexa request).
    fn refused(&self) {
        self.metrics.record(&RequestMetrics {
            function: metrics::FUNCTION_SKILL,
            intent: REFUSED_INTENT,
            outcome: Outcome::RefusedRequest,
            duration: Duration::ZERO,
            trips: None,
            codes_sent: &[],
        });
    }

    /// Routes what was asked to its handler. A request that changes state acts for the
    /// linked user, so that user is known first (without one nothing can change: the answer
    /// asks to link the account); then it is answered once per skill, user and request id
    /// (`replay`), and what its handler reads first about the user runs beside that claim.
    async fn route(&self, envelope: &RequestEnvelope) -> ResponseEnvelope {
        let asked = Asked::from_request(envelope);
        let service = &self.service;
        let Some(doing) = asked.changes_state() else {
            if !asked.reads_account() {
                return self.answer(asked, None).await;
            }
            let currency = Locale::for_tag_or_default(envelope.locale()).currency();
            return match caller::linked_user(service, envelope).await {
                Ok(user) => {
                    // Nothing is sent when only the account is read: no progressive response.
                    let progressive = progressive::Progressive::for_request(None, envelope);
                    let person = envelope.person_id();
                    let caller = Caller {
                        user,
                        currency,
                        profile: None,
                        order_read: None,
                        code_check: None,
                        progressive,
                        person,
                        on_claim: None,
                        guess: None,
                    };
                    self.answer(asked, Some(caller)).await
                }
                Err(link_account) => link_account,
            };
        };
        let user = match caller::linked_user(service, envelope).await {
            Ok(user) => user,
            Err(link_account) => return link_account,
        };
        let key = match replay::request_key(envelope, &user) {
            Ok(key) => key,
            Err(reason) => {
                tracing::warn!(%reason, "a request that changes state cannot be told from a repeat: refused");
                return ResponseEnvelope::tell(doing.failed());
            }
        };
        let currency = Locale::for_tag_or_default(envelope.locale()).currency();
        let profile_first = asked.looks_up_caller_first();
        let budget_first = asked.sends_a_code();
        let code_check_first = matches!(&asked, Asked::Authorize { code } if authorize::checks(service, code));
        // What answering reads, beside the claim: a code check waits for no read after it.
        let profile = async {
            if code_check_first {
                (None, None, Some(service.read_for_code_check(&user).await))
            } else if budget_first {
                let (profile, read) = tokio::join!(service.user_profile(&user), service.read_for_order(&user));
                (Some(profile), Some(read), None)
            } else if profile_first {
                (Some(service.user_profile(&user).await), None, None)
            } else {
                (None, None, None)
            }
        };
        let progressive = progressive::Progressive::for_request(self.progressive.as_ref(), envelope);
        let person = envelope.person_id();
        let answer = |(profile, order_read, code_check), on_claim, guess| {
            let user = key.user().clone();
            let on_claim = Some(on_claim);
            let caller =
                Caller { user, currency, profile, order_read, code_check, progressive, person, on_claim, guess };
            // Boxed: the answer to any intent is a large future.
            Box::pin(self.answer(asked, Some(caller)))
        };
        // A code check's guess is reserved with its claim.
        replay::once_per_request(service, &key, doing, code_check_first, profile, answer).await
    }

    /// `caller`: who is asking, for a request that changes state or reads the account.
    /// An answer that listens keeps what it said in the session, for "repeat that".
    async fn answer(&self, asked: Asked, caller: Option<Caller>) -> ResponseEnvelope {
        let service = &self.service;
        let answer = match (asked, caller) {
            (Asked::Launch, _) => launch::answer(),
            (Asked::Order { size, toppings, earlier }, Some(caller)) => {
                order::recap(size, toppings, earlier, caller.currency, self.step_up)
            }
            (Asked::Yes(heard), caller) => yes::answer(service, heard, caller, self.step_up).await,
            (Asked::No(heard), _) => no::answer(heard),
            (Asked::Repeat { said, heard }, _) => repeat::answer(said, heard),
            (Asked::Status, Some(caller)) => status::answer(service, &caller.user).await,
            (Asked::CancelOrder, Some(caller)) => cancel_order::ask(service, &caller.user).await,
            (Asked::Authorize { code }, Some(caller)) => authorize::answer(service, caller, code).await,
            (Asked::VoicePinChecked(resumed), Some(caller)) => {
                voice_pin::answer(service, caller, resumed, self.step_up).await
            }
            (Asked::ResendCode, Some(caller)) => resend::answer(service, caller).await,
            (
                Asked::Order { .. }
                | Asked::Authorize { .. }
                | Asked::VoicePinChecked(_)
                | Asked::Status
                | Asked::CancelOrder
                | Asked::ResendCode,
                None,
            ) => failure::link_account(),
            (Asked::Help(heard), _) => help::answer(heard),
            (Asked::Stop, _) => stop::answer(),
            (Asked::Fallback(heard), _) => fallback::answer(heard),
            (Asked::SessionEnded { reason, error }, _) => session_ended::answer(reason, error),
            (Asked::Lifecycle(event), _) => lifecycle::answer(service, event).await,
            (Asked::Other, _) => other::answer(),
        };
        conversation::remember_said(answer)
    }
}

/// The `Intent` of a request refused before it was read.
pub const REFUSED_INTENT: &str = "Refused";

/// The `Intent` dimension of a request: the intent's name if the skill handles it (an unknown
/// name is `Other`, so no request can add dimension values), else the request's type.
/// Answers Lambda's invocations from its Runtime API (`AWS_LAMBDA_RUNTIME_API`) until the
/// runtime ends: what `main.rs` runs. The runtime opens each invocation's span (Lambda request
/// id, X-Ray trace header) around [`Skill::answer_event`].
pub async fn serve_lambda_runtime(skill: &Skill, verifier: &AlexaVerifier) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| async move {
        skill.answer_event(verifier, event.payload).await
    }))
    .await
}

pub fn metric_intent(envelope: &RequestEnvelope) -> &'static str {
    use pod_shared::alexa::Request;
    match &envelope.request {
        Request::IntentRequest(request) => {
            handled_intents().find(|name| *name == request.intent.name).unwrap_or("Other")
        }
        Request::LaunchRequest { .. } => "LaunchRequest",
        Request::SessionEndedRequest { .. } => "SessionEndedRequest",
        Request::SessionResumedRequest(_) => "SessionResumedRequest",
        Request::SkillEnabled(_) => "AlexaSkillEvent.SkillEnabled",
        Request::SkillDisabled(_) => "AlexaSkillEvent.SkillDisabled",
        Request::SkillAccountLinked(_) => "AlexaSkillEvent.SkillAccountLinked",
        Request::SkillPermissionAccepted(_) => "AlexaSkillEvent.SkillPermissionAccepted",
        Request::SkillPermissionChanged(_) => "AlexaSkillEvent.SkillPermissionChanged",
        Request::Other => "Other",
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The local runner answers on a multi-threaded server: every answer must be `Send`.
    #[test]
    fn answers_can_move_between_threads() {
        fn send<T: Send>(_: &T) {}
        let _compiles = |skill: &Skill, verifier: &AlexaVerifier, envelope: &RequestEnvelope, event: Value| {
            send(&skill.handle(envelope));
            send(&skill.handle_measured(envelope));
            send(&skill.answer_https(verifier, |_| None, b""));
            send(&skill.answer_event(verifier, event));
        };
    }
}
