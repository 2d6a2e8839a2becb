//! How many external round trips each skill intent makes on a warm instance:
//! a skill built the way the Lambda builds it (real Auth0 client, real store),
//! talking to a local stack's identity provider over HTTP. Used by
//! `tests/e2e/round_trips.rs` (which holds the limits) and by `make bench`.

use crate::LocalStack;
use pod_shared::alexa::{Directive, DirectiveApi, OutputSpeech};
use pod_shared::bootstrap::build_service_with_outbox;
use pod_shared::config::StoreSettings;
use pod_shared::round_trips::RoundTrips;
use pod_skill::{Skill, parse_event};
use serde_json::{Value, json};

/// The round trips one request made.
#[derive(Debug, Clone)]
pub struct IntentTrips {
    /// What was said, e.g. `order` or `authorize_right_code`.
    pub request: &'static str,
    pub trips: RoundTrips,
    /// The speech the skill answered with (to check the request did what it says).
    pub said: String,
    /// The token of a `Connections.StartConnection` in the answer, if it carried one.
    pub connection_token: Option<String>,
}

/// A skill instance of its own, on `store`, using `stack`'s identity provider as Auth0.
pub struct ProbeSkill {
    skill: Skill,
    token: String,
    /// The stack's Directive API double, for the probe's progressive responses.
    api_endpoint: String,
}

impl ProbeSkill {
    /// `user`: a dev user of the stack with a phone or email.
    pub async fn start(stack: &LocalStack, store: StoreSettings, user: &str) -> Result<Self, String> {
        Self::start_with_step_up(stack, store, user, stack.settings().step_up).await
    }

    /// [`start`](Self::start), confirming orders with `step_up` (`STEP_UP`).
    pub async fn start_with_step_up(
        stack: &LocalStack,
        store: StoreSettings,
        user: &str,
        step_up: pod_shared::domain::StepUp,
    ) -> Result<Self, String> {
        let mut settings = stack.settings().clone();
        settings.store = store;
        settings.step_up = step_up;
        let outbox: std::sync::Arc<dyn pod_shared::ports::MessageSender> = std::sync::Arc::new(stack.idp().clone());
        let service = build_service_with_outbox(&settings, Some(outbox))
            .await
            .map_err(|e| format!("cannot build the service: {e}"))?;
        let token = stack.idp().linked_access_token(user).ok_or_else(|| format!("no dev user named {user}"))?;
        let progressive = std::sync::Arc::new(DirectiveApi::allowing_local(stack.directive_endpoint()));
        let skill = Skill::new(service).with_progressive_speech(progressive).with_step_up(step_up);
        Ok(Self { skill, token, api_endpoint: stack.directive_endpoint().to_string() })
    }

    /// Sends one Alexa request (`request` is its `request` object; its `stage`, if any, goes
    /// into the session's attributes, as [`order`] gives one) and measures it.
    pub async fn send(&self, name: &'static str, request: Value) -> Result<IntentTrips, String> {
        let envelope = parse_event(self.event(request)).map_err(|e| e.to_string())?;
        let (answer, trips) = self.skill.handle_measured(&envelope).await;
        let connection_token = answer.response.directives.iter().find_map(|directive| match directive {
            Directive::StartConnection { token, .. } => Some(token.clone()),
            _ => None,
        });
        let said = match answer.response.output_speech {
            Some(OutputSpeech::Ssml { ssml }) => ssml,
            None => String::new(),
        };
        Ok(IntentTrips { request: name, trips, said, connection_token })
    }

    /// The skill the probe talks to, e.g. to serve it under Lambda's runtime.
    pub fn skill(&self) -> &Skill {
        &self.skill
    }

    /// The Alexa request (a direct invocation's event, for skill `amzn1.ask.skill.probe`) that
    /// [`send`](Self::send) sends for `request`.
    pub fn event(&self, request: Value) -> Value {
        let user = json!({"userId": "amzn1.ask.account.PROBE", "accessToken": self.token});
        let application = json!({"applicationId": "amzn1.ask.skill.probe"});
        let attributes = request.get("stage").map(|stage| json!({"stage": stage})).unwrap_or(json!({}));
        json!({"version": "1.0",
            "session": {"new": false, "sessionId": "probe", "application": application, "user": user,
                        "attributes": attributes},
            "context": {"System": {"application": application, "user": user, "apiEndpoint": self.api_endpoint,
                                   "apiAccessToken": crate::directives::LOCAL_API_ACCESS_TOKEN}},
            "request": request})
    }

    /// The conversation, once to warm the instance (tokens, profile, the passwordless
    /// identity) and once measured: launch, the recap, the yes that orders, a wrong code,
    /// the right code, and Alexa repeating that last request. The stack must have no other traffic.
    pub async fn warm_conversation(&self, stack: &LocalStack) -> Result<Vec<IntentTrips>, String> {
        self.send("order", order()).await?;
        let code = self.last_code(stack)?;
        self.send("authorize", authorize(&code)).await?;

        let mut measured = vec![
            self.send("launch", launch()).await?,
            self.send("recap", recap()).await?,
            self.send("order", order()).await?,
        ];
        let code = self.last_code(stack)?;
        measured.push(self.send("authorize_wrong_code", authorize(&wrong(&code))).await?);
        let right = authorize(&code);
        measured.push(self.send("authorize_right_code", right.clone()).await?);
        measured.push(self.send("authorize_repeated_by_alexa", right).await?);
        Ok(measured)
    }

    /// The voice-PIN conversation (a probe started with `STEP_UP=voice_pin`), once to warm the
    /// instance and once measured: the yes that stores the order and hands the turn to Alexa's
    /// PIN check, a wrong PIN (NOT_ACHIEVED), the right one (ACHIEVED), and Alexa repeating it.
    pub async fn warm_voice_pin_conversation(&self) -> Result<Vec<IntentTrips>, String> {
        let token = self.voice_pin_token(self.send("voice_pin_order", order()).await?)?;
        self.send("voice_pin_achieved", resumed(&token, "ACHIEVED")).await?;

        let placed = self.send("voice_pin_order", order()).await?;
        let token = self.voice_pin_token(placed.clone())?;
        let mut measured = vec![placed];
        measured.push(self.send("voice_pin_not_achieved", resumed(&token, "NOT_ACHIEVED")).await?);
        let right = resumed(&token, "ACHIEVED");
        measured.push(self.send("voice_pin_achieved", right.clone()).await?);
        measured.push(self.send("voice_pin_repeated_by_alexa", right).await?);
        Ok(measured)
    }

    /// The token of the `Connections.StartConnection` the answer carried.
    fn voice_pin_token(&self, placed: IntentTrips) -> Result<String, String> {
        placed.connection_token.ok_or_else(|| format!("no StartConnection in the answer to the yes: {}", placed.said))
    }

    /// The newest code sent (the stack has no other traffic).
    fn last_code(&self, stack: &LocalStack) -> Result<String, String> {
        stack.idp().outbox().last().map(|m| m.code.clone()).ok_or_else(|| "no code reached the outbox".to_string())
    }
}

fn request_id() -> String {
    format!("amzn1.echo-api.request.{}", uuid::Uuid::now_v7())
}

fn timestamp() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn launch() -> Value {
    json!({"type": "LaunchRequest", "requestId": request_id(), "timestamp": timestamp()})
}

/// An order intent for a large pepperoni pizza, with a fresh request id: the recap.
pub fn recap() -> Value {
    json!({"type": "IntentRequest", "requestId": request_id(), "timestamp": timestamp(),
        "intent": {"name": pod_skill::ORDER_INTENT, "slots": {
            "Size": {"name": "Size", "value": "large"},
            "Toppings": {"name": "Toppings", "value": "pepperoni"}}}})
}

/// "Yes" to the recap of a large pepperoni pizza, with a fresh request id: what places the
/// order. Its `stage` is what the recap's answer leaves in the session ([`ProbeSkill::send`]).
pub fn order() -> Value {
    json!({"type": "IntentRequest", "requestId": request_id(), "timestamp": timestamp(),
        "intent": {"name": pod_skill::YES_INTENT, "slots": {}},
        "stage": {"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": ["pepperoni"]}}})
}

/// The code intent with `code`, with a fresh request id.
pub fn authorize(code: &str) -> Value {
    json!({"type": "IntentRequest", "requestId": request_id(), "timestamp": timestamp(),
        "intent": {"name": pod_skill::AUTHORIZE_INTENT, "slots": {"Code": {"name": "Code", "value": code}}}})
}

/// A code of the same length that is surely wrong.
fn wrong(code: &str) -> String {
    code.chars().map(|c| if c == '0' { '1' } else { '0' }).collect()
}

/// Alexa's answer after its voice PIN check of the order `token` names: `result` ACHIEVED or
/// NOT_ACHIEVED, as `events/alexa/session-resumed-*.json` record it.
pub fn resumed(token: &str, result: &str) -> Value {
    json!({"type": "SessionResumedRequest", "requestId": request_id(), "timestamp": timestamp(), "locale": "en-US",
        "cause": {"type": "ConnectionCompleted", "token": token, "status": {"code": "200", "message": "OK"},
                  "result": {"version": "2", "status": result}}})
}
