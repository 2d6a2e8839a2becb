//! The completeness test: every locale says every message the code uses, without errors.

use super::*;
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each message id of a locale's own files, with the variables its value reads.
fn own_messages(locale: Locale) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages = BTreeMap::new();
    for (file, source) in sources(locale) {
        let resource = FluentResource::try_new(source.to_string())
            .unwrap_or_else(|(_, errors)| panic!("{locale}/{file} does not parse: {errors:?}"));
        for entry in resource.entries() {
            if let ast::Entry::Message(message) = entry {
                let mut variables = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    pattern_variables(pattern, &mut variables);
                }
                messages.insert(message.id.name.to_string(), variables);
            }
        }
    }
    messages
}

fn pattern_variables(pattern: &ast::Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, into);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, into);
            for variant in variants {
                pattern_variables(&variant.value, into);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, into),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, into),
        _ => {}
    }
}

/// Every message of en-US, the reference: its ids and variables.
fn reference() -> BTreeMap<String, BTreeSet<String>> {
    own_messages(Locale::EnUs)
}

#[test]
fn every_locale_file_loads_without_errors() {
    for locale in Locale::ALL {
        let (_, problems) = bundle(locale);
        assert!(problems.is_empty(), "{locale}: {problems:?}");
    }
}

#[test]
fn every_locale_says_every_message_through_its_chain_with_every_plural_form() {
    let reference = reference();
    assert!(reference.len() > 100, "en-US holds every message: {}", reference.len());
    for locale in Locale::ALL {
        for (id, variables) in &reference {
            // Numbers that reach each plural category of English and German, then words.
            for value in [0, 1, 2, 5, 21, 100] {
                let args: Vec<(&str, Arg)> = variables.iter().map(|v| (v.as_str(), Arg::from(value))).collect();
                let said = lookup(locale, id, &args).unwrap_or_else(|e| panic!("{locale} {id}: {e:?}"));
                assert!(!said.trim().is_empty(), "{locale} {id} is empty");
            }
            let args: Vec<(&str, Arg)> = variables.iter().map(|v| (v.as_str(), Arg::from("large"))).collect();
            lookup(locale, id, &args).unwrap_or_else(|e| panic!("{locale} {id}: {e:?}"));
        }
    }
}

#[test]
fn a_translation_reads_only_variables_the_code_passes_and_defines_no_unknown_message() {
    let reference = reference();
    for locale in Locale::ALL {
        for (id, variables) in own_messages(locale) {
            let known = reference.get(&id).unwrap_or_else(|| panic!("{locale} defines '{id}', which en-US lacks"));
            assert!(variables.is_subset(known), "{locale} {id} reads {variables:?}, the code passes {known:?}");
            assert!(!id.ends_with("-html") || variables.is_empty(), "{locale} {id}: trusted markup takes no arguments");
        }
    }
}

#[test]
fn german_holds_every_message_itself() {
    let german = own_messages(Locale::DeDe);
    let missing: Vec<String> = reference().into_keys().filter(|id| !german.contains_key(id)).collect();
    assert!(missing.is_empty(), "de-DE falls back to nothing: {missing:?}");
}

/// The message ids the code names: string literals of the known prefixes in the sources and
/// templates of every crate.
fn ids_in_sources() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dirs =
        ["shared/src", "functions/skill/src", "functions/web/src", "functions/web/templates", "functions/api/src"];
    let mut ids = BTreeSet::new();
    let mut stack: Vec<_> = dirs.iter().map(|d| root.join(d)).collect();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.ends_with("i18n/tests.rs") || !path.extension().is_some_and(|e| e == "rs" || e == "html") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        ids.extend(ids_in(&source));
    }
    ids
}

/// The message ids quoted in one source or template: every `"id"` of a known prefix, wherever
/// its quotes are (also a template's `{{ nav.t("web-…") }}` inside an attribute's own quotes).
fn ids_in(source: &str) -> BTreeSet<String> {
    const PREFIXES: [&str; 10] =
        ["skill-", "web-", "receipt-", "money-", "code-message", "size-", "topping-", "pizza-", "items-", "list-"];
    let id_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    source
        .match_indices('"')
        .filter_map(|(at, _)| {
            let rest = &source[at + 1..];
            let literal = &rest[..rest.find(|c: char| !id_char(c)).unwrap_or(rest.len())];
            rest[literal.len()..].starts_with('"').then_some(literal)
        })
        .filter(|literal| {
            PREFIXES
                .iter()
                .any(|p| literal.strip_prefix(p).is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit())))
                && !literal.ends_with('-')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn the_scan_finds_ids_in_templates_also_inside_attributes_so_a_missing_one_fails() {
    let template = r#"<nav aria-label="{{ nav.t("web-no-such-label") }}"><a href="/x">{{ nav.t("web-nav-home") }}</a>
<div data-text="{{ nav.t("web-no-such-text") }}">{{ t("web-order-total") }}</div><p class="web-">"#;
    let found = ids_in(template);
    let expected = ["web-nav-home", "web-no-such-label", "web-no-such-text", "web-order-total"];
    assert_eq!(found.iter().map(String::as_str).collect::<Vec<_>>(), expected);
    let reference = reference();
    let missing: Vec<&String> = found.iter().filter(|id| !reference.contains_key(*id)).collect();
    assert_eq!(missing, ["web-no-such-label", "web-no-such-text"], "what the completeness test reports");
    // And the real templates' ids in attributes are found.
    let used = ids_in_sources();
    for id in ["web-nav-label", "web-orders-live-updating", "web-orders-live-new-order"] {
        assert!(used.contains(id), "{id} is in an attribute of a template");
    }
}

#[test]
fn every_message_the_code_names_is_in_en_us() {
    let reference = reference();
    let used = ids_in_sources();
    assert!(used.contains("skill-welcome") && used.contains("receipt-total"), "the scan finds ids: {used:?}");
    let missing: Vec<&String> = used.iter().filter(|id| !reference.contains_key(*id)).collect();
    assert!(missing.is_empty(), "named in the code, missing in en-US: {missing:?}");
}

#[test]
fn the_english_variants_inherit_along_their_chain() {
    assert_eq!(Locale::EnAu.chain(), [Locale::EnAu, Locale::EnGb, Locale::EnUs]);
    assert_eq!(Locale::DeDe.chain(), [Locale::DeDe]);
    let to_phone = |l| text(l, "skill-to-phone", &[("digits", "21".into())]);
    assert_eq!(to_phone(Locale::EnUs), "your phone ending in 21");
    assert_eq!(to_phone(Locale::EnCa), "your phone ending in 21");
    assert_eq!(to_phone(Locale::EnGb), "your mobile ending in 21");
    assert_eq!(to_phone(Locale::EnAu), "your mobile ending in 21", "from en-GB");
    assert_eq!(to_phone(Locale::EnIn), "your mobile ending in 21", "from en-GB");
    assert_eq!(to_phone(Locale::DeDe), "Ihr Handy mit der Endung 21");
    let aud = Money::new(2600, Currency::Aud);
    assert_eq!(money_written(Locale::EnAu, &aud), "$26.00");
    assert_eq!(money_written(Locale::EnUs, &aud), "A$26.00");
    assert_eq!(plain(Locale::EnAu, "skill-goodbye"), "Okay. Goodbye!", "from en-US");
}

#[test]
fn a_message_missing_everywhere_is_its_id_and_never_a_panic() {
    assert_eq!(lookup(Locale::DeDe, "no-such-message", &[]), Err(Missing::Message));
    assert_eq!(text(Locale::DeDe, "no-such-message", &[]), "no-such-message");
    assert!(matches!(lookup(Locale::EnUs, "skill-confirmed", &[]), Err(Missing::Errors(_))), "no $pizza");
    assert_eq!(text(Locale::DeDe, "skill-confirmed", &[]), "Order confirmed! Your {$pizza} is on its way.");
}

#[test]
fn pizzas_lists_and_plurals_follow_the_locale() {
    use crate::domain::Toppings;
    let pizza =
        Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni, Topping::Mushrooms]).unwrap() };
    assert_eq!(super::pizza(Locale::EnUs, &pizza), "large pizza with pepperoni and mushrooms");
    assert_eq!(super::pizza(Locale::DeDe, &pizza), "große Pizza mit Salami und Champignons");
    assert_eq!(pizza_items(Locale::DeDe, &pizza), "1 große Pizza, Salami, Champignons");
    let plain_jumbo = Pizza { size: Size::Jumbo, toppings: Toppings::new(vec![]).unwrap() };
    assert_eq!(super::pizza(Locale::DeDe, &plain_jumbo), "Jumbo-Pizza Margherita");
    assert_eq!(super::pizza(Locale::EnGb, &plain_jumbo), "jumbo cheese pizza");
    assert_eq!(list_or(Locale::DeDe, &["klein", "mittel", "groß"]), "klein, mittel oder groß");
    let tries = |l, n: u32| text(l, "skill-wrong-code", &[("tries", n.into())]);
    assert!(tries(Locale::EnUs, 1).contains("You have 1 try left"));
    assert!(tries(Locale::EnUs, 2).contains("You have 2 tries left"));
    assert!(tries(Locale::DeDe, 1).contains("Sie haben noch einen Versuch."));
    assert!(tries(Locale::DeDe, 3).contains("Sie haben noch 3 Versuche."));
}

#[test]
fn a_request_locale_and_accept_language_choose_what_pod_speaks() {
    assert_eq!(Locale::for_tag_or_default(Some("de-DE")), Locale::DeDe);
    assert_eq!(Locale::for_tag_or_default(Some("de-AT")), Locale::DeDe);
    assert_eq!(Locale::for_tag_or_default(Some("en_au")), Locale::EnAu);
    assert_eq!(Locale::for_tag_or_default(Some("fr-FR")), Locale::EnUs);
    assert_eq!(Locale::for_tag_or_default(None), Locale::EnUs);
    assert_eq!(Locale::for_accept_language(Some("de-DE,de;q=0.9,en;q=0.8")), Locale::DeDe);
    assert_eq!(Locale::for_accept_language(Some("fr-FR, en-GB;q=0.7, de;q=0.5")), Locale::EnGb);
    assert_eq!(Locale::for_accept_language(Some("en;q=0.5, de;q=0.8")), Locale::DeDe);
    assert_eq!(Locale::for_accept_language(Some("fr")), Locale::EnUs);
    assert_eq!(Locale::for_accept_language(Some("de;q=0")), Locale::EnUs);
    assert_eq!(Locale::for_accept_language(Some(";;,q=,de;q=abc")), Locale::EnUs);
    assert_eq!(Locale::for_accept_language(None), Locale::EnUs);
    for locale in Locale::ALL {
        assert_eq!(Locale::parse(locale.tag()), Some(locale));
        assert_eq!(Locale::for_currency(locale.currency()), locale);
        assert_eq!(serde_json::to_value(locale).unwrap(), locale.tag());
    }
}
