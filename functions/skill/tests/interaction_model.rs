//! The interaction model and the skill agree.

use pod_shared::domain::{Size, Topping};
use pod_shared::i18n::Locale;
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
fn there_is_a_model_for_every_locale_the_skill_speaks() {
    let names: Vec<String> = language_models().into_iter().map(|(name, _)| name).collect();
    let mut expected: Vec<String> = Locale::ALL.iter().map(|l| format!("{l}.json")).collect();
    expected.sort();
    assert_eq!(names, expected);
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
fn every_slot_value_parses_into_the_domain_and_english_synonyms_do_too() {
    for (locale, lm) in language_models() {
        slot_values_parse(&locale, &lm);
    }
}

fn slot_values_parse(locale: &str, lm: &Value) {
    for slot_type in lm["types"].as_array().unwrap() {
        for value in slot_type["values"].as_array().unwrap() {
            // The value's name is what entity resolution hands the skill, in every locale.
            let mut words = vec![value["name"]["value"].as_str().unwrap()];
            if locale.starts_with("en-") {
                words.extend(value["name"]["synonyms"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()));
            }
            for word in words {
                match slot_type["name"].as_str().unwrap() {
                    "PIZZA_SIZE" => assert!(Size::parse(word).is_ok(), "{locale} size '{word}'"),
                    "PIZZA_TOPPINGS" => assert!(Topping::parse(word).is_ok(), "{locale} topping '{word}'"),
                    other => panic!("unexpected slot type {other}"),
                }
            }
        }
    }
    let toppings = lm["types"][1]["values"].as_array().unwrap().len();
    assert_eq!(toppings, Topping::ALL.len());
}

/// (type, id) → value name, of one model.
fn slot_ids(lm: &Value) -> Vec<(String, String, String)> {
    let mut ids = Vec::new();
    for slot_type in lm["types"].as_array().unwrap() {
        for value in slot_type["values"].as_array().unwrap() {
            let name = |v: &Value| v.as_str().unwrap().to_string();
            ids.push((name(&slot_type["name"]), name(&value["id"]), name(&value["name"]["value"])));
        }
    }
    ids
}

#[test]
fn slot_values_have_the_same_ids_and_names_in_every_locale_and_every_menu_item_is_there() {
    let models = language_models();
    let (_, english) = models.iter().find(|(name, _)| name == "en-US.json").unwrap();
    let reference = slot_ids(english);
    for size in Size::ALL {
        assert!(reference.iter().any(|(t, _, n)| t == "PIZZA_SIZE" && n == size.name()), "{size}");
    }
    for topping in Topping::ALL {
        assert!(reference.iter().any(|(t, _, n)| t == "PIZZA_TOPPINGS" && n == topping.name()), "{topping}");
    }
    for (locale, lm) in &models {
        assert_eq!(slot_ids(lm), reference, "{locale}");
        for slot_type in lm["types"].as_array().unwrap() {
            for value in slot_type["values"].as_array().unwrap() {
                let synonyms = value["name"]["synonyms"].as_array().unwrap();
                assert!(locale.starts_with("en-") || !synonyms.is_empty(), "{locale}: {value} has no synonyms");
            }
        }
    }
}

#[test]
fn german_synonyms_resolve_to_the_canonical_values() {
    let models = language_models();
    let (_, german) = models.iter().find(|(name, _)| name == "de-DE.json").unwrap();
    let model = pod_shared::alexa::InteractionModel::from_json(&serde_json::json!({"interactionModel": {
        "languageModel": german}}))
    .unwrap();
    let matched = model.resolve("bestelle eine große Pizza mit Salami und Champignons").unwrap();
    assert_eq!(matched.intent, pod_skill::ORDER_INTENT);
    let canonical = |slot: &str| -> Vec<String> {
        matched
            .slots
            .iter()
            .find(|(name, _)| name == slot)
            .unwrap()
            .1
            .iter()
            .map(|v| v.canonical.clone().unwrap())
            .collect()
    };
    assert_eq!(canonical("Size"), ["large"]);
    assert_eq!(canonical("Toppings"), ["pepperoni", "mushrooms"]);
    let code = model.resolve("Bestellung bestätigen vier zwei eins sieben").unwrap();
    assert_eq!(code.intent, pod_skill::AUTHORIZE_INTENT);
}
