//! Where the conversation is, kept in the session's attributes: Alexa hands the response's
//! `sessionAttributes` back with the next request of the same session. Nothing is stored
//! before the user says yes; what was recapped travels here, and what comes back is read
//! strictly (a stage that does not parse is no stage: the skill asks again).

use pod_shared::alexa::{RequestEnvelope, ResponseEnvelope, Speech};
use pod_shared::domain::{Currency, OrderId, Pizza};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The attribute that holds the [`Stage`].
pub(crate) const STAGE: &str = "stage";
/// The attribute that holds what was said last ([`Said`]), for "repeat that".
pub(crate) const SAID: &str = "said";

/// The question the skill asked, or what it is waiting for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "waiting_for", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Stage {
    /// "…Shall I send your code?": yes sends a code for exactly this pizza, priced in this currency.
    SendCode { pizza: Pizza, currency: Currency },
    /// The user said no to that recap: a new order may change only the toppings.
    Change { pizza: Pizza },
    /// A code went out; the order waits for it.
    Code,
    /// The code just given was wrong.
    CodeRefused,
    /// "Shall I cancel…?": yes cancels exactly this order (if it is still pending).
    Cancel { order: OrderId },
    /// A voice PIN was not confirmed: "Shall I ask for your voice PIN again?" (yes hands the turn
    /// back to Alexa's PIN check for exactly this order, if it still waits for one).
    VoicePinRefused { order: OrderId },
}

/// What the request's session says about the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Heard {
    /// A new session, or nothing asked.
    Nothing,
    /// The stage the skill left in the last answer.
    At(Stage),
    /// A stage attribute that does not parse: forged, stale or from another version.
    Unreadable,
}

impl Heard {
    pub(crate) fn from_request(envelope: &RequestEnvelope) -> Self {
        let Some(value) = attribute(envelope, STAGE) else { return Heard::Nothing };
        match serde_json::from_value::<Stage>(value.clone()) {
            Ok(stage) => Heard::At(stage),
            Err(_) => {
                // Not the error itself: it would quote what came back, which is not ours to log.
                tracing::warn!("a session stage that does not parse: ignored");
                Heard::Unreadable
            }
        }
    }

    pub(crate) fn stage(&self) -> Option<&Stage> {
        match self {
            Heard::At(stage) => Some(stage),
            Heard::Nothing | Heard::Unreadable => None,
        }
    }
}

fn attribute<'a>(envelope: &'a RequestEnvelope, name: &str) -> Option<&'a Value> {
    envelope.session.as_ref()?.attributes.as_ref()?.get(name)
}

/// What was said last, as SSML: the speech and the reprompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Said {
    speech: String,
    reprompt: String,
}

impl Said {
    /// What the last answer of this session said, if it can be said again (see [`Speech::from_ssml`]).
    pub(crate) fn from_request(envelope: &RequestEnvelope) -> Option<(Speech, Speech)> {
        let said: Said = serde_json::from_value(attribute(envelope, SAID)?.clone()).ok()?;
        Some((Speech::from_ssml(&said.speech)?, Speech::from_ssml(&said.reprompt)?))
    }
}

/// Leaves `stage` in the answer, for the next request of the session.
pub(crate) fn at(mut response: ResponseEnvelope, stage: &Stage) -> ResponseEnvelope {
    if let Ok(value) = serde_json::to_value(stage) {
        response.session_attributes.insert(STAGE.into(), value);
    }
    response
}

/// Leaves the stage `heard` in the answer again (help, repeat, fallback change nothing).
pub(crate) fn keep(response: ResponseEnvelope, heard: &Heard) -> ResponseEnvelope {
    match heard.stage() {
        Some(stage) => at(response, stage),
        None => response,
    }
}

/// Keeps what an answer that listens says, so that "repeat that" can say it again.
pub(crate) fn remember_said(mut response: ResponseEnvelope) -> ResponseEnvelope {
    if response.response.should_end_session != Some(false) {
        return response;
    }
    let speech = response.speech_ssml().map(str::to_string);
    let reprompt = response.response.reprompt.as_ref().map(|r| match &r.output_speech {
        pod_shared::alexa::OutputSpeech::Ssml { ssml } => ssml.clone(),
    });
    if let (Some(speech), Some(reprompt)) = (speech, reprompt)
        && let Ok(value) = serde_json::to_value(Said { speech, reprompt })
    {
        response.session_attributes.insert(SAID.into(), value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use pod_shared::domain::{Size, Topping, Toppings};
    use serde_json::json;

    fn envelope(attributes: Value) -> RequestEnvelope {
        serde_json::from_value(json!({"session": {"attributes": attributes},
            "request": {"type": "IntentRequest", "requestId": "r", "intent": {"name": "AMAZON.YesIntent"}}}))
        .unwrap()
    }

    fn pizza() -> Pizza {
        Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni, Topping::Mushrooms]).unwrap() }
    }

    #[test]
    fn a_stage_comes_back_as_it_was_left() {
        for stage in [
            Stage::SendCode { pizza: pizza(), currency: Currency::Gbp },
            Stage::Change { pizza: pizza() },
            Stage::Code,
            Stage::CodeRefused,
            Stage::Cancel { order: OrderId::generate() },
            Stage::VoicePinRefused { order: OrderId::generate() },
        ] {
            let answer = at(ResponseEnvelope::empty(), &stage);
            let back = envelope(Value::Object(answer.session_attributes));
            assert_eq!(Heard::from_request(&back), Heard::At(stage));
        }
        assert_eq!(Heard::from_request(&envelope(json!({}))), Heard::Nothing);
    }

    #[test]
    fn a_stage_that_does_not_parse_is_unreadable_never_another_order() {
        let forged = [
            json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "enormous", "toppings": []}}),
            json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": ["gold"]}}),
            json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": ["bacon", "bacon"]}}),
            json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": []}, "user": "someone"}),
            json!({"waiting_for": "send_code", "pizza": {"size": "large", "toppings": []}}),
            json!({"waiting_for": "send_code", "currency": "JPY", "pizza": {"size": "large", "toppings": []}}),
            json!({"waiting_for": "send_code"}),
            json!({"waiting_for": "cancel", "order": "not-an-id"}),
            json!({"waiting_for": "pay_me"}),
            json!("send_code"),
        ];
        for stage in forged {
            assert_eq!(Heard::from_request(&envelope(json!({STAGE: stage}))), Heard::Unreadable, "{stage}");
        }
    }

    #[test]
    fn what_was_said_is_kept_only_while_listening_and_comes_back_only_as_speech() {
        let asked = ResponseEnvelope::ask(Speech::new().text("Shall I?"), Speech::new().text("Yes or no?"));
        let kept = remember_said(asked);
        let back = envelope(Value::Object(kept.session_attributes));
        let (speech, reprompt) = Said::from_request(&back).unwrap();
        assert_eq!((speech.plain(), reprompt.plain()), ("Shall I?".to_string(), "Yes or no?".to_string()));
        assert!(remember_said(ResponseEnvelope::tell(Speech::new().text("Bye"))).session_attributes.is_empty());
        let forged =
            json!({SAID: {"speech": "<speak><audio src=\"https://x\"/></speak>", "reprompt": "<speak>a</speak>"}});
        assert_eq!(Said::from_request(&envelope(forged)), None);
    }
}
