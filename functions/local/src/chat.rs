//! `pod-local chat`: the skill's conversation in a terminal. Each line you type
//! is resolved to an intent and slots with the interaction model, sent to
//! `POST /pod/alexa` as Alexa would send it (with a dev user's linked token),
//! and answered with what Alexa would say (after any progressive response the skill
//! sent to the stack's Directive API double meanwhile), any card, and any code that
//! reached the outbox. In a script, `{code}` stands for the last code sent, `{wrong_code}` for one that is surely not it. Within a session,
//! what an answer leaves in `sessionAttributes` goes back with the next request, as Alexa does
//! (that is how "yes" knows what was recapped, and "repeat that" what was said).
//!
//! With the voice PIN (`STEP_UP=voice_pin` or `voice_pin_or_code`, or `--step-up`), the yes is
//! answered with a `Connections.StartConnection` to Alexa's `AMAZON.VerifyPerson`: the chat shows
//! it and keeps its token; a line `!resume RESULT` plays Alexa's answer, the `SessionResumedRequest`
//! as Amazon records it (`events/alexa/session-resumed-*.json`), with that token. RESULT is
//! `ACHIEVED`, `NOT_ACHIEVED`, `NOT_ENABLED` or `403` (personalization not configured); add
//! `other` (`!resume ACHIEVED other`) for the PIN of another recognised voice. Every request of
//! the chat comes from one recognised speaker (`context.System.person`).

use pod_shared::alexa::{InteractionModel, MatchedIntent};
use pod_shared::i18n::Locale;
use serde_json::{Value, json};
use std::io::{BufRead, Write};

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("cannot reach the local stack: {0}")]
    Http(#[from] reqwest::Error),
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error("a script line uses {{code}} or {{wrong_code}} but no code has been sent yet")]
    NoCodeYet,
    #[error("{0}")]
    Resume(String),
}

/// The speaker every chat request comes from, and another voice (`!resume … other`).
const CHAT_PERSON: &str = "amzn1.ask.person.CHAT";
const OTHER_PERSON: &str = "amzn1.ask.person.CHAT-OTHER-VOICE";

/// A conversation with one local stack as one linked user.
pub struct Chat<'a> {
    http: reqwest::Client,
    base_url: String,
    token: String,
    model: &'a InteractionModel,
    session: u32,
    new_session: bool,
    turn: u32,
    outbox_seen: usize,
    directives_seen: usize,
    /// The last answer's `sessionAttributes`, for the next request of the session.
    attributes: Value,
    /// The requests' `locale` (en-US unless [`Chat::in_locale`]); the model should be that locale's.
    locale: Locale,
    /// The token of the last `Connections.StartConnection`, for `!resume`.
    connection_token: Option<String>,
}

impl<'a> Chat<'a> {
    pub fn new(base_url: &str, token: &str, model: &'a InteractionModel) -> Self {
        Self {
            http: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_string(),
            token: token.to_string(),
            model,
            session: 1,
            new_session: true,
            turn: 0,
            outbox_seen: 0,
            directives_seen: 0,
            attributes: json!({}),
            locale: Locale::DEFAULT,
            connection_token: None,
        }
    }

    /// Speaks as a user of `locale` does: the requests carry it (so the skill answers in its
    /// language and prices in its currency) and a code is spelled in its digits.
    pub fn in_locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
    }

    /// Plays every line of `input` (a terminal or a script); `prompt` is shown before each read.
    pub async fn run(&mut self, input: impl BufRead, out: &mut impl Write, prompt: bool) -> Result<(), ChatError> {
        self.outbox_seen = self.outbox().await?.len();
        self.directives_seen = self.directives().await?.len();
        if prompt {
            write!(out, "you> ")?;
            out.flush()?;
        }
        for line in input.lines() {
            let line = line?;
            let said = line.trim();
            if !said.is_empty() && !said.starts_with('#') {
                if !prompt {
                    writeln!(out, "you> {said}")?;
                }
                self.say(said, out).await?;
            }
            if prompt {
                write!(out, "you> ")?;
                out.flush()?;
            }
        }
        Ok(())
    }

    /// Sends one utterance (or plays `!resume RESULT`) and prints the answer.
    pub async fn say(&mut self, said: &str, out: &mut impl Write) -> Result<(), ChatError> {
        if let Some(resume) = said.strip_prefix("!resume") {
            let request = self.resumed(resume.trim())?;
            writeln!(out, "  (SessionResumedRequest {})", resume.trim())?;
            self.turn += 1;
            return self.send(request, out).await;
        }
        // The code as a person says it, digit by digit ("zero four two one"): the model's number
        // slot then drops leading zeros as Alexa's does, and the skill pads them back.
        let said = if said.contains("{code}") {
            said.replace("{code}", &spoken_digits(&self.last_code().await?, self.locale))
        } else if said.contains("{wrong_code}") {
            said.replace("{wrong_code}", &spoken_digits(&wrong_code(&self.last_code().await?), self.locale))
        } else {
            said.into()
        };
        let matched = self.model.resolve(&said);
        match &matched {
            Some(m) => writeln!(out, "  ({})", describe(m))?,
            None => writeln!(out, "  (LaunchRequest)")?,
        }
        self.turn += 1;
        let request = self.request(matched.as_ref());
        self.send(request, out).await
    }

    /// Posts one Alexa request and prints the answer.
    async fn send(&mut self, request: Value, out: &mut impl Write) -> Result<(), ChatError> {
        let response = self.http.post(format!("{}/pod/alexa", self.base_url)).json(&request).send().await?;
        let status = response.status();
        let answer: Value = response.json().await?;
        if !status.is_success() {
            writeln!(out, "error> HTTP {status}: {answer}")?;
            return Ok(());
        }
        // Whatever the skill said while it worked arrived before its answer.
        let directives = self.directives().await?;
        for directive in directives.iter().skip(self.directives_seen) {
            writeln!(out, "(progressive) {}", plain(directive["speech"].as_str().unwrap_or("")))?;
        }
        self.directives_seen = directives.len();
        if let Some(ssml) = answer.pointer("/response/outputSpeech/ssml").and_then(Value::as_str) {
            writeln!(out, "alexa> {}", plain(ssml))?;
        }
        match answer.pointer("/response/card") {
            Some(card) if card["type"] == "LinkAccount" => {
                writeln!(out, "card> LinkAccount: link your account in the Alexa app")?
            }
            Some(card) => writeln!(
                out,
                "card> {}: {}",
                card["title"].as_str().unwrap_or(""),
                // A Simple card's content, or a Standard card's text (one line per line, indented).
                card["content"].as_str().or(card["text"].as_str()).unwrap_or("").replace('\n', "\n      ")
            )?,
            None => {}
        }
        let outbox = self.outbox().await?;
        for message in outbox.iter().skip(self.outbox_seen) {
            writeln!(
                out,
                "outbox> {} to {}: {}",
                message["channel"].as_str().unwrap_or("?"),
                message["destination"].as_str().unwrap_or("?"),
                message["text"].as_str().unwrap_or("").replace('\n', "\n        ")
            )?;
        }
        self.outbox_seen = outbox.len();
        let connection = answer
            .pointer("/response/directives")
            .and_then(Value::as_array)
            .and_then(|all| all.iter().find(|d| d["type"] == "Connections.StartConnection"));
        if let Some(connection) = connection {
            writeln!(
                out,
                "connection> {} (level {}, {}): Alexa asks for your voice PIN. Answer with !resume ACHIEVED, \
                 NOT_ACHIEVED, NOT_ENABLED or 403",
                connection["uri"].as_str().unwrap_or("?"),
                connection.pointer("/input/requestedAuthenticationConfidenceLevel/level").unwrap_or(&Value::Null),
                connection
                    .pointer("/input/requestedAuthenticationConfidenceLevel/customPolicy/policyName")
                    .and_then(Value::as_str)
                    .unwrap_or("?"),
            )?;
            self.connection_token = connection["token"].as_str().map(str::to_string);
        }
        // A skill connection hands the turn to Alexa, which resumes the same session afterwards.
        let ends = connection.is_none()
            && answer.pointer("/response/shouldEndSession").and_then(Value::as_bool).unwrap_or(true);
        self.attributes = answer.get("sessionAttributes").cloned().unwrap_or(json!({}));
        if ends {
            writeln!(out, "  (session ended)")?;
            self.session += 1;
            self.attributes = json!({});
        }
        self.new_session = ends;
        Ok(())
    }

    /// What the stack's Directive API double received, oldest first.
    async fn directives(&self) -> Result<Vec<Value>, ChatError> {
        let url = format!("{}{}/directives", self.base_url, crate::directives::DIRECTIVE_API_PATH);
        Ok(self.http.get(url).send().await?.json().await?)
    }

    async fn outbox(&self) -> Result<Vec<Value>, ChatError> {
        Ok(self.http.get(format!("{}/auth0/outbox", self.base_url)).send().await?.json().await?)
    }

    /// The last code sent (owner notices in the outbox carry none).
    async fn last_code(&self) -> Result<String, ChatError> {
        let outbox = self.outbox().await?;
        outbox
            .iter()
            .rev()
            .find_map(|m| m["code"].as_str().filter(|c| !c.is_empty()))
            .map(str::to_string)
            .ok_or(ChatError::NoCodeYet)
    }

    /// Alexa's `SessionResumedRequest` after its voice PIN check, for `!resume RESULT [other]`,
    /// shaped as `events/alexa/session-resumed-*.json` record it.
    fn resumed(&self, args: &str) -> Result<Value, ChatError> {
        let mut words = args.split_whitespace();
        let result = words.next().unwrap_or_default().to_ascii_uppercase();
        let person = match words.next() {
            None => CHAT_PERSON,
            Some("other") => OTHER_PERSON,
            Some(other) => return Err(ChatError::Resume(format!("!resume: '{other}' is not 'other'"))),
        };
        let token = self.connection_token.clone().ok_or_else(|| {
            ChatError::Resume("!resume: no Connections.StartConnection to answer yet (say yes to a recap)".into())
        })?;
        let ok = json!({"code": "200", "message": "OK"});
        let (status, result) = match result.as_str() {
            "ACHIEVED" => (ok, json!({"version": "2", "status": "ACHIEVED"})),
            "NOT_ACHIEVED" => (ok, json!({"version": "2", "status": "NOT_ACHIEVED", "reason": "NOT_MATCH"})),
            "NOT_ENABLED" => {
                (ok, json!({"version": "2", "status": "NOT_ENABLED", "reason": "VERIFICATION_METHOD_NOT_SETUP"}))
            }
            "403" => (
                json!({"code": "403", "message": "Developer didn't configure skill personalization for the skill."}),
                json!({"version": "2"}),
            ),
            other => {
                return Err(ChatError::Resume(format!(
                    "!resume: '{other}' is not ACHIEVED, NOT_ACHIEVED, NOT_ENABLED or 403"
                )));
            }
        };
        let request = json!({"type": "SessionResumedRequest", "requestId": new_request_id(),
            "timestamp": pod_shared::domain::Timestamp::now().to_rfc3339(), "locale": "en-US",
            "cause": {"type": "ConnectionCompleted", "token": token, "status": status, "result": result}});
        Ok(self.envelope(request, person))
    }

    /// The Alexa request for a resolved utterance (`None`: a launch).
    fn request(&self, matched: Option<&MatchedIntent>) -> Value {
        let request_id = new_request_id();
        let timestamp = pod_shared::domain::Timestamp::now().to_rfc3339();
        let locale = self.locale.tag();
        let request = match matched {
            None => json!({"type": "LaunchRequest", "requestId": request_id, "timestamp": timestamp, "locale": locale}),
            Some(m) => {
                let slots: serde_json::Map<String, Value> =
                    m.slots.iter().map(|(name, values)| (name.clone(), slot_json(name, values))).collect();
                json!({"type": "IntentRequest", "requestId": request_id, "timestamp": timestamp, "locale": locale,
                       "dialogState": "STARTED",
                       "intent": {"name": m.intent, "confirmationStatus": "NONE", "slots": slots}})
            }
        };
        self.envelope(request, CHAT_PERSON)
    }

    /// `request` in the session, from the linked user and the recognised speaker `person`.
    fn envelope(&self, request: Value, person: &str) -> Value {
        let user = json!({"userId": "amzn1.ask.account.CHAT", "accessToken": self.token});
        let application = json!({"applicationId": "amzn1.ask.skill.chat"});
        json!({
            "version": "1.0",
            "session": {"new": self.new_session, "sessionId": format!("amzn1.echo-api.session.chat-{}", self.session),
                        "application": application, "user": user, "attributes": self.attributes},
            "context": {"System": {"application": application, "user": user,
                        "apiEndpoint": format!("{}{}", self.base_url, crate::directives::DIRECTIVE_API_PATH),
                        "apiAccessToken": crate::directives::LOCAL_API_ACCESS_TOKEN,
                        "person": {"personId": person}}},
            "request": request,
        })
    }
}

fn new_request_id() -> String {
    format!("amzn1.echo-api.request.{}", uuid::Uuid::now_v7())
}

fn resolution(value: &pod_shared::alexa::MatchedValue) -> Value {
    match &value.canonical {
        Some(canonical) => {
            json!({"resolutionsPerAuthority": [{"authority": "chat", "status": {"code": "ER_SUCCESS_MATCH"},
                                   "values": [{"value": {"name": canonical, "id": canonical}}]}]})
        }
        None => json!({"resolutionsPerAuthority": [{"authority": "chat", "status": {"code": "ER_SUCCESS_NO_MATCH"}}]}),
    }
}

fn slot_json(name: &str, values: &[pod_shared::alexa::MatchedValue]) -> Value {
    match values {
        [one] => {
            json!({"name": name, "value": one.heard, "resolutions": resolution(one), "confirmationStatus": "NONE"})
        }
        many => {
            let list: Vec<Value> = many
                .iter()
                .map(|v| json!({"type": "Simple", "value": v.heard, "resolutions": resolution(v)}))
                .collect();
            json!({"name": name, "slotValue": {"type": "List", "values": list}, "confirmationStatus": "NONE"})
        }
    }
}

fn describe(matched: &MatchedIntent) -> String {
    let slots: Vec<String> = matched
        .slots
        .iter()
        .map(|(name, values)| {
            let said: Vec<&str> = values.iter().map(|v| v.canonical.as_deref().unwrap_or(&v.heard)).collect();
            format!("{name}={}", said.join("+"))
        })
        .collect();
    if slots.is_empty() { matched.intent.clone() } else { format!("{} {}", matched.intent, slots.join(" ")) }
}

/// "0421" → "zero four two one".
/// A code that is surely wrong: `code` with each digit moved by one (never the code itself).
fn wrong_code(code: &str) -> String {
    code.chars().filter_map(|c| c.to_digit(10)).map(|d| char::from(b'0' + ((d + 1) % 10) as u8)).collect()
}

fn spoken_digits(code: &str, locale: Locale) -> String {
    const WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    const GERMAN: [&str; 10] = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"];
    let words = if locale.language() == "de" { GERMAN } else { WORDS };
    code.chars().filter_map(|c| c.to_digit(10)).map(|d| words[d as usize]).collect::<Vec<_>>().join(" ")
}

/// SSML as a person hears it: no tags, entities decoded.
fn plain(ssml: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in ssml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&apos;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}
