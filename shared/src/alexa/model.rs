//! The interaction model (`alexa-model/interactionModels/custom/*.json`) and a
//! small utterance matcher: what Alexa's language understanding does for Pod's
//! model, good enough to try the skill in a terminal (`make chat`) and to test
//! that every sample utterance reaches its intent.

use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
#[error("the interaction model is malformed: {0}")]
pub struct ModelError(String);

/// A slot value the matcher recognised: what was said and the canonical value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedValue {
    pub heard: String,
    pub canonical: Option<String>,
}

/// The intent an utterance resolved to, with its slots (several values for list slots).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedIntent {
    pub intent: String,
    pub slots: Vec<(String, Vec<MatchedValue>)>,
}

#[derive(Debug, Clone)]
struct SlotDef {
    kind: String,
    multiple: bool,
}

#[derive(Debug, Clone)]
enum Piece {
    Word(String),
    Slot(String),
}

#[derive(Debug, Clone)]
struct Sample {
    intent: String,
    pieces: Vec<Piece>,
}

/// One locale's language model, ready to match utterances.
#[derive(Debug, Clone)]
pub struct InteractionModel {
    invocation: Vec<String>,
    samples: Vec<Sample>,
    slots: HashMap<(String, String), SlotDef>,
    /// Slot type → (spoken form as words, canonical value).
    values: HashMap<String, Vec<(Vec<String>, String)>>,
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '\'' || c == '{' || c == '}' { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

const DIGIT_WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
/// The German digits (a German model is matched with these too; "zwo" is how a digit two is often said).
const GERMAN_DIGIT_WORDS: [&str; 10] =
    ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"];

fn digit_of(word: &str) -> Option<char> {
    match word {
        "oh" | "o" => Some('0'),
        "zwo" => Some('2'),
        w if w.len() == 1 && w.chars().all(|c| c.is_ascii_digit()) => w.chars().next(),
        w => DIGIT_WORDS
            .iter()
            .position(|d| *d == w)
            .or_else(|| GERMAN_DIGIT_WORDS.iter().position(|d| *d == w))
            .and_then(|i| char::from_digit(i as u32, 10)),
    }
}

/// The words that join the values of a multiple-value slot ("pepperoni and mushrooms",
/// "Salami und Champignons").
const AND_WORDS: [&str; 2] = ["and", "und"];

/// Built-in phrases Alexa maps to the AMAZON intents without samples in the model (English and German).
const BUILT_IN_PHRASES: [(&str, &str); 20] = [
    ("yes", "AMAZON.YesIntent"),
    ("no", "AMAZON.NoIntent"),
    ("repeat", "AMAZON.RepeatIntent"),
    ("help", "AMAZON.HelpIntent"),
    ("what can i say", "AMAZON.HelpIntent"),
    ("stop", "AMAZON.StopIntent"),
    ("exit", "AMAZON.StopIntent"),
    ("quit", "AMAZON.StopIntent"),
    ("cancel", "AMAZON.CancelIntent"),
    ("never mind", "AMAZON.CancelIntent"),
    ("go home", "AMAZON.NavigateHomeIntent"),
    ("home", "AMAZON.NavigateHomeIntent"),
    ("ja", "AMAZON.YesIntent"),
    ("nein", "AMAZON.NoIntent"),
    ("wiederholen", "AMAZON.RepeatIntent"),
    ("hilfe", "AMAZON.HelpIntent"),
    ("was kann ich sagen", "AMAZON.HelpIntent"),
    ("stopp", "AMAZON.StopIntent"),
    ("abbrechen", "AMAZON.CancelIntent"),
    ("startseite", "AMAZON.NavigateHomeIntent"),
];

impl InteractionModel {
    /// Reads an interaction model file's JSON.
    pub fn from_json(json: &Value) -> Result<Self, ModelError> {
        let lm = &json["interactionModel"]["languageModel"];
        let invocation = words(lm["invocationName"].as_str().ok_or_else(|| ModelError("no invocationName".into()))?);
        let mut samples = Vec::new();
        let mut slots = HashMap::new();
        for intent in lm["intents"].as_array().ok_or_else(|| ModelError("no intents".into()))? {
            let name = intent["name"].as_str().ok_or_else(|| ModelError("an intent has no name".into()))?;
            for slot in intent["slots"].as_array().into_iter().flatten() {
                let slot_name = slot["name"].as_str().unwrap_or_default().to_string();
                let kind = slot["type"].as_str().unwrap_or_default().to_string();
                let multiple = slot["multipleValues"]["enabled"].as_bool().unwrap_or(false);
                slots.insert((name.to_string(), slot_name), SlotDef { kind, multiple });
            }
            for sample in intent["samples"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                let pieces = words(sample)
                    .into_iter()
                    .map(|w| match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                        Some(slot) => Piece::Slot(
                            intent["slots"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|s| s["name"].as_str())
                                .find(|s| s.eq_ignore_ascii_case(slot))
                                .unwrap_or(slot)
                                .to_string(),
                        ),
                        None => Piece::Word(w),
                    })
                    .collect();
                samples.push(Sample { intent: name.to_string(), pieces });
            }
        }
        let mut values = HashMap::new();
        for slot_type in lm["types"].as_array().into_iter().flatten() {
            let type_name = slot_type["name"].as_str().unwrap_or_default().to_string();
            let mut forms = Vec::new();
            for value in slot_type["values"].as_array().into_iter().flatten() {
                let canonical = value["name"]["value"].as_str().unwrap_or_default().to_string();
                forms.push((words(&canonical), canonical.clone()));
                for synonym in value["name"]["synonyms"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    forms.push((words(synonym), canonical.clone()));
                }
            }
            forms.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
            values.insert(type_name, forms);
        }
        Ok(Self { invocation, samples, slots, values })
    }

    /// What one utterance means: `None` is a launch ("open pizza on demand");
    /// anything not understood is `AMAZON.FallbackIntent`.
    pub fn resolve(&self, utterance: &str) -> Option<MatchedIntent> {
        let said = self.without_invocation(words(utterance))?;
        let phrase = said.join(" ");
        if let Some((_, intent)) = BUILT_IN_PHRASES.iter().find(|(p, _)| *p == phrase) {
            return Some(MatchedIntent { intent: intent.to_string(), slots: Vec::new() });
        }
        let mut best: Option<(usize, MatchedIntent)> = None;
        for sample in &self.samples {
            let mut captured = Vec::new();
            if self.match_pieces(&sample.intent, &sample.pieces, &said, &mut captured) {
                let literal = sample.pieces.iter().filter(|p| matches!(p, Piece::Word(_))).count();
                if best.as_ref().is_none_or(|(score, _)| literal > *score) {
                    best = Some((literal, MatchedIntent { intent: sample.intent.clone(), slots: captured }));
                }
            }
        }
        Some(
            best.map(|(_, m)| m).unwrap_or(MatchedIntent { intent: "AMAZON.FallbackIntent".into(), slots: Vec::new() }),
        )
    }

    /// Drops "alexa", "ask/tell <invocation> to"; `None` for a bare launch.
    fn without_invocation(&self, mut said: Vec<String>) -> Option<Vec<String>> {
        if said.first().is_some_and(|w| w == "alexa") {
            said.remove(0);
        }
        let n = self.invocation.len();
        for verb in ["ask", "tell", "open", "launch", "start", "use", "öffne", "frag", "frage", "sag", "sage", "starte"]
        {
            if said.len() > n && said[0] == verb && said[1..=n] == self.invocation[..] {
                let rest: Vec<String> = said[n + 1..].to_vec();
                let rest = match rest.first().map(String::as_str) {
                    Some("to" | "for" | "and") => rest[1..].to_vec(),
                    _ => rest,
                };
                return if rest.is_empty() { None } else { Some(rest) };
            }
        }
        if said == self.invocation || said.is_empty() { None } else { Some(said) }
    }

    fn match_pieces(
        &self,
        intent: &str,
        pieces: &[Piece],
        said: &[String],
        out: &mut Vec<(String, Vec<MatchedValue>)>,
    ) -> bool {
        match pieces.split_first() {
            None => said.is_empty(),
            Some((Piece::Word(word), rest)) => {
                said.first().is_some_and(|w| w == word) && self.match_pieces(intent, rest, &said[1..], out)
            }
            Some((Piece::Slot(slot), rest)) => {
                let Some(def) = self.slots.get(&(intent.to_string(), slot.clone())) else { return false };
                for end in (1..=said.len()).rev() {
                    if let Some(values) = self.slot_values(def, &said[..end]) {
                        let mark = out.len();
                        out.push((slot.clone(), values));
                        if self.match_pieces(intent, rest, &said[end..], out) {
                            return true;
                        }
                        out.truncate(mark);
                    }
                }
                false
            }
        }
    }

    /// The values `words` give for a slot, or `None` if they are not such values.
    fn slot_values(&self, def: &SlotDef, words: &[String]) -> Option<Vec<MatchedValue>> {
        if def.kind == "AMAZON.FOUR_DIGIT_NUMBER" || def.kind == "AMAZON.NUMBER" {
            let digits: Option<String> = if words.len() == 1 && words[0].chars().all(|c| c.is_ascii_digit()) {
                Some(words[0].clone())
            } else {
                words.iter().map(|w| digit_of(w)).collect()
            };
            // AMAZON.NUMBER gives a number's value, so leading zeros are lost ("zero four two"
            // is 42); the skill pads a code back to its configured length.
            let digits = match def.kind.as_str() {
                "AMAZON.NUMBER" => digits.map(|d| match d.trim_start_matches('0') {
                    "" if !d.is_empty() => "0".to_string(),
                    kept => kept.to_string(),
                }),
                _ => digits,
            };
            return digits.filter(|d| !d.is_empty()).map(|d| vec![MatchedValue { heard: d, canonical: None }]);
        }
        let forms = self.values.get(&def.kind)?;
        let parts: Vec<&[String]> = if def.multiple {
            words.split(|w| AND_WORDS.contains(&w.as_str())).filter(|p| !p.is_empty()).collect()
        } else {
            vec![words]
        };
        let mut values = Vec::new();
        for part in parts {
            match forms.iter().find(|(form, _)| form.as_slice() == part) {
                Some((_, canonical)) => {
                    values.push(MatchedValue { heard: part.join(" "), canonical: Some(canonical.clone()) })
                }
                None if def.multiple => return None,
                // Like Alexa, a custom slot also takes words outside its values (no resolution match).
                None => values.push(MatchedValue { heard: part.join(" "), canonical: None }),
            }
        }
        (!values.is_empty()).then_some(values)
    }

    /// Every sample utterance with its slots filled by the first value of each
    /// slot's type, paired with its intent: the model's own examples.
    pub fn example_utterances(&self) -> Vec<(String, String)> {
        self.samples
            .iter()
            .map(|sample| {
                let text: Vec<String> = sample
                    .pieces
                    .iter()
                    .map(|piece| match piece {
                        Piece::Word(w) => w.clone(),
                        Piece::Slot(slot) => {
                            let kind = self.slots.get(&(sample.intent.clone(), slot.clone())).map(|d| d.kind.as_str());
                            match kind {
                                Some("AMAZON.FOUR_DIGIT_NUMBER") => "four two one seven".to_string(),
                                Some("AMAZON.NUMBER") => "zero four two one seven nine".to_string(),
                                Some(kind) => self
                                    .values
                                    .get(kind)
                                    .and_then(|v| v.last())
                                    .map(|(w, _)| w.join(" "))
                                    .unwrap_or_default(),
                                None => String::new(),
                            }
                        }
                    })
                    .collect();
                (text.join(" "), sample.intent.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> InteractionModel {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../alexa-model/interactionModels/custom/en-US.json");
        InteractionModel::from_json(&serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()).unwrap()
    }

    fn values(m: &MatchedIntent, slot: &str) -> Vec<String> {
        m.slots
            .iter()
            .filter(|(s, _)| s == slot)
            .flat_map(|(_, v)| v.iter().map(|v| v.canonical.clone().unwrap_or(v.heard.clone())))
            .collect()
    }

    #[test]
    fn resolves_the_seed_conversation() {
        let model = model();
        assert_eq!(model.resolve("open pizza on demand"), None);
        let order =
            model.resolve("Alexa, ask pizza on demand to get me a large pizza with mushrooms and onions").unwrap();
        assert_eq!(order.intent, "GetMeSomePizzaIntent");
        assert_eq!(values(&order, "Size"), ["large"]);
        assert_eq!(values(&order, "Toppings"), ["mushrooms", "onions"]);
        let authorize = model.resolve("authorize order four two one seven").unwrap();
        assert_eq!(authorize.intent, "AuthorizePizzaOrderIntent");
        assert_eq!(values(&authorize, "Code"), ["4217"]);
        // AMAZON.NUMBER, as Alexa fills it, gives the number: leading zeros are lost (the skill pads them back).
        assert_eq!(values(&model.resolve("confirm order 0421").unwrap(), "Code"), ["421"]);
        let six = model.resolve("authorize order zero four two one seven nine").unwrap();
        assert_eq!(values(&six, "Code"), ["42179"]);
        assert_eq!(values(&model.resolve("authorize order zero zero zero zero").unwrap(), "Code"), ["0"]);
        assert_eq!(model.resolve("get me a pizza").unwrap().intent, "GetMeSomePizzaIntent");
        assert_eq!(values(&model.resolve("get me a big pizza with shrooms").unwrap(), "Toppings"), ["mushrooms"]);
        assert_eq!(model.resolve("help").unwrap().intent, "AMAZON.HelpIntent");
        assert_eq!(model.resolve("yes").unwrap().intent, "AMAZON.YesIntent");
        assert_eq!(model.resolve("no").unwrap().intent, "AMAZON.NoIntent");
        assert_eq!(model.resolve("repeat that").unwrap().intent, "AMAZON.RepeatIntent");
        assert_eq!(model.resolve("what's the status of my order").unwrap().intent, "OrderStatusIntent");
        assert_eq!(model.resolve("cancel my order").unwrap().intent, "CancelOrderIntent");
        assert_eq!(model.resolve("cancel").unwrap().intent, "AMAZON.CancelIntent", "cancel alone is stop");
        let change = model.resolve("make it a medium pizza with onions").unwrap();
        assert_eq!((change.intent.as_str(), values(&change, "Size")), ("GetMeSomePizzaIntent", vec!["medium".into()]));
        assert_eq!(model.resolve("what is the weather").unwrap().intent, "AMAZON.FallbackIntent");
    }

    #[test]
    fn a_code_of_every_supported_length_with_a_leading_zero_comes_back_whole() {
        const WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        let model = model();
        for length in 4..=10 {
            let code: String = (0..length).map(|i| char::from(b'0' + (i * 7 % 10) as u8)).collect();
            assert!(code.starts_with('0'));
            let spoken: Vec<&str> = code.chars().map(|c| WORDS[c.to_digit(10).unwrap() as usize]).collect();
            let heard = model.resolve(&format!("authorize order {}", spoken.join(" "))).unwrap();
            let slot = values(&heard, "Code").remove(0);
            assert_eq!(slot, code.trim_start_matches('0'), "the number slot drops the zero ({length} digits)");
            let padded = crate::domain::Code::from_spoken(&slot, length).unwrap();
            assert_eq!(padded.expose(), code, "the skill pads it back ({length} digits)");
        }
    }

    #[test]
    fn every_sample_resolves_to_its_own_intent() {
        let model = model();
        for (utterance, intent) in model.example_utterances() {
            assert_eq!(model.resolve(&utterance).map(|m| m.intent), Some(intent.clone()), "'{utterance}'");
        }
    }
}
