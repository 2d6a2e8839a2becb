//! The interaction model and the skill agree.

use pod_shared::domain::{Size, Topping};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Every locale's model: (file name, languageModel).
fn language_models() -> Vec<(String, Value)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../alexa-model/interactionModels/custom");
    let mut models: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let model: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                model["interactionModel"]["languageModel"].clone(),
            )
        })
        .collect();
    models.sort_by(|a, b| a.0.cmp(&b.0));
    models
}

#[test]
fn there_are_us_and_british_english_models() {
    let names: Vec<String> = language_models().into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["en-GB.json", "en-US.json"]);
}

fn slot_references(sample: &str) -> Vec<String> {
    sample.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name.to_string())).collect()
}

#[test]
fn the_model_declares_exactly_the_intents_the_skill_handles() {
    for (locale, lm) in language_models() {
        the_model_declares_exactly_the_intents_the_skill_handles_in(&locale, &lm);
    }
}

fn the_model_declares_exactly_the_intents_the_skill_handles_in(locale: &str, language_model: &Value) {
    let declared: BTreeSet<String> =
        language_model["intents"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect();
    let handled: BTreeSet<String> = pod_skill::handled_intents().map(str::to_string).collect();
    assert_eq!(declared, handled, "{locale}");
    assert_eq!(language_model["invocationName"], "pizza on demand", "{locale}");
}

#[test]
fn every_sample_uses_slots_of_its_intent_with_known_types() {
    for (locale, lm) in language_models() {
        samples_are_consistent(&locale, &lm);
    }
}

fn samples_are_consistent(locale: &str, lm: &Value) {
    let custom_types: BTreeSet<&str> =
        lm["types"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut owner: HashMap<String, String> = HashMap::new();
    for intent in lm["intents"].as_array().unwrap() {
        let name = intent["name"].as_str().unwrap();
        let slots: HashMap<&str, &str> = intent["slots"]
            .as_array()
            .map(|s| s.iter().map(|s| (s["name"].as_str().unwrap(), s["type"].as_str().unwrap())).collect())
            .unwrap_or_default();
        for (slot, kind) in &slots {
            assert!(kind.starts_with("AMAZON.") || custom_types.contains(kind), "{name}.{slot}: unknown type {kind}");
        }
        for sample in intent["samples"].as_array().unwrap() {
            let sample = sample.as_str().unwrap();
            for slot in slot_references(sample) {
                assert!(slots.contains_key(slot.as_str()), "{name}: '{sample}' uses unknown slot {slot}");
            }
            let normal = sample.to_lowercase();
            if let Some(other) = owner.insert(normal, name.to_string()) {
                panic!("'{sample}' is in both {other} and {name}");
            }
        }
    }
    for intent in [
        pod_skill::ORDER_INTENT,
        pod_skill::AUTHORIZE_INTENT,
        pod_skill::STATUS_INTENT,
        pod_skill::CANCEL_ORDER_INTENT,
        pod_skill::RESEND_CODE_INTENT,
        pod_skill::YES_INTENT,
        pod_skill::NO_INTENT,
        pod_skill::REPEAT_INTENT,
    ] {
        let declared = lm["intents"].as_array().unwrap().iter().find(|i| i["name"] == intent).unwrap();
        let samples = declared["samples"].as_array().unwrap().len();
        assert!(samples >= 15, "{locale} {intent}: {samples} samples");
    }
}

#[test]
fn every_slot_value_and_synonym_parses_into_the_domain() {
    for (_, lm) in language_models() {
        slot_values_parse(&lm);
    }
}

fn slot_values_parse(lm: &Value) {
    for slot_type in lm["types"].as_array().unwrap() {
        for value in slot_type["values"].as_array().unwrap() {
            let mut words = vec![value["name"]["value"].as_str().unwrap()];
            words.extend(value["name"]["synonyms"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()));
            for word in words {
                match slot_type["name"].as_str().unwrap() {
                    "PIZZA_SIZE" => assert!(Size::parse(word).is_ok(), "size '{word}'"),
                    "PIZZA_TOPPINGS" => assert!(Topping::parse(word).is_ok(), "topping '{word}'"),
                    other => panic!("unexpected slot type {other}"),
                }
            }
        }
    }
    let toppings = lm["types"][1]["values"].as_array().unwrap().len();
    assert_eq!(toppings, Topping::ALL.len());
}
