use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Alexa reads no more than 8,000 characters of speech.
pub const MAX_SPEECH_CHARS: usize = 8000;

/// SSML speech built from plain text (escaped) and small markup helpers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Speech(String);

impl Speech {
    pub fn new() -> Self {
        Self::default()
    }

    /// Plain text, escaped for SSML.
    pub fn text(mut self, text: &str) -> Self {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&apos;"),
                c => self.0.push(c),
            }
        }
        self
    }

    /// Digits read one by one ("two one", not "twenty-one").
    pub fn digits(mut self, digits: &str) -> Self {
        let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
        self.0.push_str(&format!("<say-as interpret-as=\"digits\">{digits}</say-as>"));
        self
    }

    /// `self`, then `more`.
    pub fn then(mut self, more: Speech) -> Self {
        self.0.push_str(&more.0);
        self
    }

    /// Speech said before, as [`Speech::ssml`] wrote it (e.g. kept in session attributes to
    /// repeat it): accepted only if it is escaped text and digits, nothing else, so what comes
    /// back from outside can never make the skill say markup of someone else's.
    pub fn from_ssml(ssml: &str) -> Option<Self> {
        const DIGITS_OPEN: &str = "<say-as interpret-as=\"digits\">";
        const DIGITS_CLOSE: &str = "</say-as>";
        let body = ssml.strip_prefix("<speak>")?.strip_suffix("</speak>")?;
        if body.chars().count() > MAX_SPEECH_CHARS {
            return None;
        }
        let mut text = String::new();
        let mut rest = body;
        while let Some(at) = rest.find('<') {
            text.push_str(&rest[..at]);
            let digits = rest[at..].strip_prefix(DIGITS_OPEN)?;
            let end = digits.find(DIGITS_CLOSE)?;
            if !digits[..end].chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            rest = &digits[end + DIGITS_CLOSE.len()..];
        }
        text.push_str(rest);
        let entities_known = text
            .split('&')
            .skip(1)
            .all(|entity| ["amp;", "lt;", "gt;", "quot;", "apos;"].iter().any(|known| entity.starts_with(known)));
        (entities_known && !text.contains(['>', '"'])).then(|| Speech(body.to_string()))
    }

    pub fn ssml(&self) -> String {
        let mut body = self.0.clone();
        if body.chars().count() > MAX_SPEECH_CHARS {
            body = body.chars().take(MAX_SPEECH_CHARS).collect();
        }
        format!("<speak>{body}</speak>")
    }

    /// The words without markup, for cards and logs.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in self.0.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResponseEnvelope {
    pub version: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub session_attributes: Map<String, Value>,
    pub response: Response,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_speech: Option<OutputSpeech>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<Card>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reprompt: Option<Reprompt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub should_end_session: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<Directive>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type")]
pub enum OutputSpeech {
    #[serde(rename = "SSML")]
    Ssml { ssml: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Reprompt {
    pub output_speech: OutputSpeech,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type")]
pub enum Card {
    LinkAccount,
    Simple {
        title: String,
        content: String,
    },
    /// A card with a title and text (Alexa's `Standard` card, here without an image).
    Standard {
        title: String,
        text: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type")]
pub enum Directive {
    #[serde(rename = "Dialog.ElicitSlot", rename_all = "camelCase")]
    ElicitSlot {
        slot_to_elicit: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        updated_intent: Option<Value>,
    },
    /// Hands the turn to an Alexa task (a skill connection); Alexa answers with a
    /// `SessionResumedRequest` carrying `token` back.
    #[serde(rename = "Connections.StartConnection")]
    StartConnection { uri: String, input: Value, token: String },
}

/// Alexa's voice PIN check (skill personalization's PIN confirmation).
pub const VERIFY_PERSON_URI: &str = "connection://AMAZON.VerifyPerson/2";

impl ResponseEnvelope {
    fn with(response: Response) -> Self {
        Self { version: "1.0".into(), session_attributes: Map::new(), response }
    }

    /// Says something and ends the session.
    pub fn tell(speech: Speech) -> Self {
        Self::with(Response {
            output_speech: Some(OutputSpeech::Ssml { ssml: speech.ssml() }),
            should_end_session: Some(true),
            ..Response::default()
        })
    }

    /// Says something and listens, repeating `reprompt` if the user is silent.
    pub fn ask(speech: Speech, reprompt: Speech) -> Self {
        Self::with(Response {
            output_speech: Some(OutputSpeech::Ssml { ssml: speech.ssml() }),
            reprompt: Some(Reprompt { output_speech: OutputSpeech::Ssml { ssml: reprompt.ssml() } }),
            should_end_session: Some(false),
            ..Response::default()
        })
    }

    /// Asks for one slot of the current intent (`Dialog.ElicitSlot`).
    pub fn elicit_slot(slot: &str, speech: Speech, reprompt: Speech, updated_intent: Option<Value>) -> Self {
        let mut envelope = Self::ask(speech, reprompt);
        envelope.response.directives.push(Directive::ElicitSlot { slot_to_elicit: slot.to_string(), updated_intent });
        envelope
    }

    /// Hands the turn to Alexa's voice PIN check (`AMAZON.VerifyPerson`, confidence level 400
    /// with the `VOICE_PIN` policy); `token` comes back in the `SessionResumedRequest`. As
    /// Amazon asks of a `Connections.StartConnection` answer: no speech of the skill's, no
    /// reprompt and no `shouldEndSession` (Alexa speaks and listens for the PIN itself).
    pub fn verify_person(token: &str) -> Self {
        let input = serde_json::json!({
            "requestedAuthenticationConfidenceLevel": {"level": 400, "customPolicy": {"policyName": "VOICE_PIN"}}
        });
        let mut envelope = Self::with(Response::default());
        envelope.response.directives.push(Directive::StartConnection {
            uri: VERIFY_PERSON_URI.into(),
            input,
            token: token.into(),
        });
        envelope
    }

    /// An empty answer (what Alexa expects to a `SessionEndedRequest`).
    pub fn empty() -> Self {
        Self::with(Response::default())
    }

    pub fn with_card(mut self, card: Card) -> Self {
        self.response.card = Some(card);
        self
    }

    /// The SSML of the output speech, if any.
    pub fn speech_ssml(&self) -> Option<&str> {
        self.response.output_speech.as_ref().map(|OutputSpeech::Ssml { ssml }| ssml.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_is_escaped_and_digits_are_spelled() {
        let speech = Speech::new().text("Tom & Jerry <3 ").digits("21");
        assert_eq!(speech.ssml(), "<speak>Tom &amp; Jerry &lt;3 <say-as interpret-as=\"digits\">21</say-as></speak>");
        assert_eq!(speech.plain(), "Tom & Jerry <3 21");
    }

    #[test]
    fn speech_said_before_comes_back_only_as_text_and_digits() {
        let said = Speech::new().text("Ana's phone ending in ").digits("4321").text(" & more");
        assert_eq!(Speech::from_ssml(&said.ssml()), Some(said.clone()));
        assert_eq!(Speech::new().then(said.clone()), said);
        for forged in [
            "no speak tags",
            "<speak><audio src=\"x\"/></speak>",
            "<speak><say-as interpret-as=\"digits\">12a</say-as></speak>",
            "<speak><say-as interpret-as=\"digits\">12</speak>",
            "<speak>a > b</speak>",
            "<speak>&nbsp;</speak>",
        ] {
            assert_eq!(Speech::from_ssml(forged), None, "{forged}");
        }
    }

    #[test]
    fn serialises_the_alexa_response_format() {
        let json = serde_json::to_value(
            ResponseEnvelope::elicit_slot("Size", Speech::new().text("What size?"), Speech::new().text("Size?"), None)
                .with_card(Card::LinkAccount),
        )
        .unwrap();
        assert_eq!(json["version"], "1.0");
        assert_eq!(json["response"]["outputSpeech"]["type"], "SSML");
        assert_eq!(json["response"]["shouldEndSession"], false);
        assert_eq!(json["response"]["card"]["type"], "LinkAccount");
        assert_eq!(json["response"]["directives"][0]["type"], "Dialog.ElicitSlot");
        assert_eq!(json["response"]["directives"][0]["slotToElicit"], "Size");
        assert_eq!(serde_json::to_value(ResponseEnvelope::empty()).unwrap()["response"], serde_json::json!({}));
        let standard = Card::Standard { title: "Receipt".into(), text: "1 large pizza".into() };
        assert_eq!(
            serde_json::to_value(&standard).unwrap(),
            serde_json::json!({"type": "Standard", "title": "Receipt", "text": "1 large pizza"})
        );
        let tell = ResponseEnvelope::tell(Speech::new().text("hi")).with_card(Card::LinkAccount);
        let round_trip: ResponseEnvelope = serde_json::from_str(&serde_json::to_string(&tell).unwrap()).unwrap();
        assert_eq!(round_trip, tell, "answers can be stored and replayed");
        let pin = ResponseEnvelope::verify_person("0190a0b0-0000-7000-8000-000000000000");
        assert_eq!(
            serde_json::to_value(&pin).unwrap(),
            serde_json::json!({"version": "1.0", "response": {"directives": [{
                "type": "Connections.StartConnection", "uri": "connection://AMAZON.VerifyPerson/2",
                "input": {"requestedAuthenticationConfidenceLevel": {"level": 400,
                          "customPolicy": {"policyName": "VOICE_PIN"}}},
                "token": "0190a0b0-0000-7000-8000-000000000000"}]}}),
            "no speech, reprompt or shouldEndSession beside a StartConnection"
        );
        let round_trip: ResponseEnvelope = serde_json::from_str(&serde_json::to_string(&pin).unwrap()).unwrap();
        assert_eq!(round_trip, pin);
    }
}
