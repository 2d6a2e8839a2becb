//! Pod's words in each locale it speaks: Fluent message files built into the binary.
//!
//! The files are `shared/locales/<locale>/*.ftl` (`common.ftl`: prices, pizzas, the receipt and
//! the code message; `skill.ftl`: what the skill says; `web.ftl`: the web app's strings). en-US
//! holds every message. An English variant holds only what differs and falls back along its
//! chain (en-AU → en-GB → en-US, en-IN → en-GB → en-US, en-CA → en-US, en-GB → en-US); de-DE
//! holds every message itself. A message missing from a locale's chain (the completeness test
//! in this module keeps that from shipping) is said in en-US as a last resort, and logged.
//!
//! Message ids are literal strings in the code (skill-welcome, web-nav-orders, quoted): the
//! completeness test finds every one in the sources and checks that en-US defines it.

use crate::domain::{Currency, Money, Pizza, Size, Topping};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

pub use fluent_bundle::FluentValue as Arg;

/// A locale Pod speaks: an Alexa locale, which also says the currency its users pay in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[serde(rename = "en-US")]
    EnUs,
    #[serde(rename = "en-GB")]
    EnGb,
    #[serde(rename = "en-CA")]
    EnCa,
    #[serde(rename = "en-AU")]
    EnAu,
    #[serde(rename = "en-IN")]
    EnIn,
    #[serde(rename = "de-DE")]
    DeDe,
}

impl Locale {
    pub const ALL: [Locale; 6] = [Locale::EnUs, Locale::EnGb, Locale::EnCa, Locale::EnAu, Locale::EnIn, Locale::DeDe];

    /// What Pod speaks when nothing says otherwise (no locale, or one it does not speak).
    pub const DEFAULT: Locale = Locale::EnUs;

    /// The BCP 47 tag, as Alexa writes it: "en-US", "de-DE".
    pub fn tag(self) -> &'static str {
        match self {
            Locale::EnUs => "en-US",
            Locale::EnGb => "en-GB",
            Locale::EnCa => "en-CA",
            Locale::EnAu => "en-AU",
            Locale::EnIn => "en-IN",
            Locale::DeDe => "de-DE",
        }
    }

    /// A tag Pod speaks exactly ("en-GB", "en_gb" and "EN-GB" alike); `None` otherwise.
    pub fn parse(raw: &str) -> Option<Self> {
        let normal = raw.trim().replace('_', "-");
        Self::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(&normal))
    }

    /// The locale to speak for a request's tag: the tag itself when Pod speaks it, German for any
    /// other German tag ("de-AT"), else [`Locale::DEFAULT`].
    pub fn for_tag_or_default(raw: Option<&str>) -> Self {
        let Some(raw) = raw else { return Self::DEFAULT };
        Self::parse(raw).unwrap_or_else(|| {
            let language = raw.trim().split(['-', '_']).next().unwrap_or_default();
            if language.eq_ignore_ascii_case("de") { Locale::DeDe } else { Self::DEFAULT }
        })
    }

    /// The language: "en" or "de".
    pub fn language(self) -> &'static str {
        match self {
            Locale::DeDe => "de",
            _ => "en",
        }
    }

    /// The currency this locale's users are priced in.
    pub fn currency(self) -> Currency {
        match self {
            Locale::EnUs => Currency::Usd,
            Locale::EnGb => Currency::Gbp,
            Locale::EnCa => Currency::Cad,
            Locale::EnAu => Currency::Aud,
            Locale::EnIn => Currency::Inr,
            Locale::DeDe => Currency::Eur,
        }
    }

    /// The locale whose users pay in `currency` (one each): what an order's receipt and code
    /// message are written in, since an order carries its currency.
    pub fn for_currency(currency: Currency) -> Self {
        match currency {
            Currency::Usd => Locale::EnUs,
            Currency::Gbp => Locale::EnGb,
            Currency::Cad => Locale::EnCa,
            Currency::Aud => Locale::EnAu,
            Currency::Inr => Locale::EnIn,
            Currency::Eur => Locale::DeDe,
        }
    }

    /// Where a message this locale lacks is looked up next: the English variants hold only what
    /// differs from their parent.
    pub fn parent(self) -> Option<Locale> {
        match self {
            Locale::EnUs | Locale::DeDe => None,
            Locale::EnGb | Locale::EnCa => Some(Locale::EnUs),
            Locale::EnAu | Locale::EnIn => Some(Locale::EnGb),
        }
    }

    /// This locale, then its parents: the bundles a message is looked up in, in order.
    pub fn chain(self) -> Vec<Locale> {
        std::iter::successors(Some(self), |l| l.parent()).collect()
    }

    /// The character between whole units and hundredths: "17.50", "17,50".
    pub fn decimal_separator(self) -> char {
        match self {
            Locale::DeDe => ',',
            _ => '.',
        }
    }

    /// The best of `accept_language` (an HTTP `Accept-Language` value) that Pod's web app
    /// speaks: English or German by the highest weight, English when neither is asked for.
    pub fn for_accept_language(accept_language: Option<&str>) -> Self {
        let mut best: Option<(f32, Locale)> = None;
        for part in accept_language.unwrap_or_default().split(',').take(20) {
            let mut fields = part.split(';');
            let tag = fields.next().unwrap_or_default().trim();
            let weight = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            let language = tag.split(['-', '_']).next().unwrap_or_default();
            let locale = if language.eq_ignore_ascii_case("de") {
                Locale::DeDe
            } else if language.eq_ignore_ascii_case("en") {
                Locale::parse(tag).unwrap_or(Locale::EnUs)
            } else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map_or(Locale::DEFAULT, |(_, l)| l)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// One locale's message files, as built in.
fn sources(locale: Locale) -> &'static [(&'static str, &'static str)] {
    macro_rules! files {
        ($dir:literal: $($file:literal),*) => {
            &[$(($file, include_str!(concat!("../locales/", $dir, "/", $file)))),*]
        };
    }
    match locale {
        Locale::EnUs => files!("en-US": "common.ftl", "skill.ftl", "web.ftl"),
        Locale::EnGb => files!("en-GB": "common.ftl", "skill.ftl"),
        Locale::EnCa => files!("en-CA": "common.ftl"),
        Locale::EnAu => files!("en-AU": "common.ftl"),
        Locale::EnIn => files!("en-IN": "common.ftl"),
        Locale::DeDe => files!("de-DE": "common.ftl", "skill.ftl", "web.ftl"),
    }
}

type Bundle = FluentBundle<FluentResource>;

/// A locale's own bundle; the problems of its files (none: the tests load every file).
fn bundle(locale: Locale) -> (Bundle, Vec<String>) {
    let tag = locale.tag().parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![tag]);
    // Speech and SMS are plain text: no Unicode isolation marks around placeables.
    bundle.set_use_isolating(false);
    let mut problems = Vec::new();
    for (file, source) in sources(locale) {
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(resource, errors)| {
            problems.extend(errors.iter().map(|e| format!("{locale}/{file}: {e}")));
            resource
        });
        if let Err(errors) = bundle.add_resource(resource) {
            problems.extend(errors.iter().map(|e| format!("{locale}/{file}: {e}")));
        }
    }
    (bundle, problems)
}

/// Each locale's bundle, parsed the first time that locale is spoken: a cold start parses only the
/// files of the locales it answers in, not all six.
static BUNDLES: [OnceLock<Bundle>; Locale::ALL.len()] = [const { OnceLock::new() }; Locale::ALL.len()];

fn bundle_of(locale: Locale) -> Option<&'static Bundle> {
    let index = Locale::ALL.iter().position(|l| *l == locale)?;
    Some(BUNDLES[index].get_or_init(|| bundle(locale).0))
}

/// Why a message could not be said in a locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// No bundle of the locale's chain has the message (or it has no value).
    Message,
    /// The message was found but did not resolve cleanly (a missing variable or reference).
    Errors(Vec<String>),
}

fn fluent_args<'a>(args: &[(&str, Arg<'a>)]) -> FluentArgs<'a> {
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        fluent_args.set(name.to_string(), value.clone());
    }
    fluent_args
}

/// `id` in `locale`, found along the locale's chain, or why not: the strict lookup the tests use.
pub fn lookup(locale: Locale, id: &str, args: &[(&str, Arg)]) -> Result<String, Missing> {
    let fluent_args = fluent_args(args);
    for link in locale.chain() {
        let Some(bundle) = bundle_of(link) else { continue };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else { continue };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            return Err(Missing::Errors(errors.iter().map(ToString::to_string).collect()));
        }
        return Ok(text.into_owned());
    }
    Err(Missing::Message)
}

/// `id` in `locale` with `args`. Never fails: a message the locale's chain cannot say (which the
/// tests prevent) is said as en-US says it, as well as it can, and failing that as its id; either
/// is logged.
pub fn text(locale: Locale, id: &str, args: &[(&str, Arg)]) -> String {
    match lookup(locale, id, args) {
        Ok(text) => text,
        Err(missing) => {
            tracing::error!(locale = locale.tag(), id, ?missing, "message missing in this locale: said in en-US");
            let english = bundle_of(Locale::DEFAULT).and_then(|bundle| {
                let pattern = bundle.get_message(id)?.value()?;
                let mut errors = Vec::new();
                Some(bundle.format_pattern(pattern, Some(&fluent_args(args)), &mut errors).into_owned())
            });
            english.unwrap_or_else(|| id.to_string())
        }
    }
}

/// The text of a message without arguments.
pub fn plain(locale: Locale, id: &str) -> String {
    text(locale, id, &[])
}

/// "a", "a and b", "a, b and c" with the locale's word for `conjunction` ("list-and", "list-or").
pub fn list<S: AsRef<str>>(locale: Locale, items: &[S], conjunction: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.as_ref().to_string(),
        Some((last, init)) => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            text(locale, conjunction, &[("init", init.join(", ").into()), ("last", last.as_ref().into())])
        }
    }
}

/// "list-and" joined: "a, b and c" / "a, b und c".
pub fn list_and<S: AsRef<str>>(locale: Locale, items: &[S]) -> String {
    list(locale, items, "list-and")
}

/// "list-or" joined: "a, b or c" / "a, b oder c".
pub fn list_or<S: AsRef<str>>(locale: Locale, items: &[S]) -> String {
    list(locale, items, "list-or")
}

/// A size's name in `locale`: "large", "groß".
pub fn size(locale: Locale, size: Size) -> String {
    let id = match size {
        Size::Small => "size-small",
        Size::Medium => "size-medium",
        Size::Large => "size-large",
        Size::Jumbo => "size-jumbo",
    };
    plain(locale, id)
}

/// A topping's name in `locale`: "pepperoni", "Salami".
pub fn topping(locale: Locale, topping: Topping) -> String {
    let id = match topping {
        Topping::Pepperoni => "topping-pepperoni",
        Topping::Mushrooms => "topping-mushrooms",
        Topping::Onions => "topping-onions",
        Topping::Sausage => "topping-sausage",
        Topping::Bacon => "topping-bacon",
        Topping::ExtraCheese => "topping-extra-cheese",
        Topping::BlackOlives => "topping-black-olives",
        Topping::GreenPeppers => "topping-green-peppers",
        Topping::Pineapple => "topping-pineapple",
        Topping::Spinach => "topping-spinach",
        Topping::Chicken => "topping-chicken",
    };
    plain(locale, id)
}

/// Every topping's name, in menu order.
pub fn toppings(locale: Locale, toppings: &[Topping]) -> Vec<String> {
    toppings.iter().map(|t| topping(locale, *t)).collect()
}

/// A pizza as a sentence says it: "large pizza with pepperoni and mushrooms", "große Pizza mit
/// Salami und Champignons", "large cheese pizza".
pub fn pizza(locale: Locale, pizza: &Pizza) -> String {
    let toppings = toppings(locale, pizza.toppings.as_slice());
    let size = pizza.size.name();
    if toppings.is_empty() {
        text(locale, "pizza-cheese", &[("size", size.into())])
    } else {
        text(locale, "pizza-with", &[("size", size.into()), ("toppings", list_and(locale, &toppings).into())])
    }
}

/// A pizza as a list writes it (the receipt, the code message): "1 large pizza, pepperoni,
/// mushrooms", "1 große Pizza, Salami, Champignons", "1 large cheese pizza".
pub fn pizza_items(locale: Locale, pizza: &Pizza) -> String {
    let toppings = toppings(locale, pizza.toppings.as_slice());
    let size = pizza.size.name();
    if toppings.is_empty() {
        text(locale, "items-cheese", &[("size", size.into())])
    } else {
        text(locale, "items-with", &[("size", size.into()), ("toppings", toppings.join(", ").into())])
    }
}

fn money_args(locale: Locale, money: &Money) -> [(&'static str, Arg<'static>); 4] {
    let (major, minor) = (money.minor / 100, money.minor % 100);
    [
        ("currency", money.currency.code().into()),
        ("major", major.into()),
        ("minor", minor.into()),
        ("decimal", format!("{major}{}{minor:02}", locale.decimal_separator()).into()),
    ]
}

/// As people write it in `locale`: "$17.50", "£14.00", "17,50 €", "₹450.00".
pub fn money_written(locale: Locale, money: &Money) -> String {
    text(locale, "money-written", &money_args(locale, money))
}

/// With its ISO code, as a payment message states it: "17.50 USD", "17,50 EUR".
pub fn money_with_code(locale: Locale, money: &Money) -> String {
    text(locale, "money-with-code", &money_args(locale, money))
}

/// As people say it in `locale` (plain text Alexa reads right): "17 dollars 50", "14 pounds",
/// "17 Euro 50", "50 cents".
pub fn money_spoken(locale: Locale, money: &Money) -> String {
    let id = match (money.minor / 100, money.minor % 100) {
        (0, 0) => "money-spoken-zero",
        (0, _) => "money-spoken-minor",
        (_, 0) => "money-spoken-major",
        (_, m) if m < 10 => "money-spoken-major-and-minor",
        _ => "money-spoken-major-minor",
    };
    text(locale, id, &money_args(locale, money))
}

#[cfg(test)]
mod tests;
