//! The menu: a price per size and per topping in each currency Pod sells in, and the payee.
//!
//! It comes from one checked-in file, `alexa-model/menu.json`, which the interaction model's
//! generator reads too (the slot values and synonyms), so the model and the prices never
//! disagree. The file is built into the binary and checked once ([`Menu::check_builtin`] at
//! start-up; a test proves the checked-in file passes), so reading it never fails at request time.

use super::{Pizza, Size, Topping};
use crate::i18n::{self, Locale};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

/// The checked-in menu, as built into the binary.
const MENU_JSON: &str = include_str!("../../../alexa-model/menu.json");

/// The most a single price may be (in minor units): keeps every total far from overflow.
const MAX_PRICE_MINOR: u64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MenuError {
    #[error("the menu is not valid JSON of the expected shape: {0}")]
    Malformed(String),
    #[error("the menu's payee must be 1 to 40 characters without '|'")]
    BadPayee,
    #[error("the menu names an unknown currency '{0}' (known: USD, GBP, CAD, AUD, INR, EUR)")]
    UnknownCurrency(String),
    #[error("the menu does not list the currency {0}")]
    MissingCurrency(Currency),
    #[error("the menu names an unknown {kind} '{name}'")]
    UnknownItem { kind: &'static str, name: String },
    #[error("the menu's {kind} '{name}' has the synonym '{synonym}', which Pod does not read as it")]
    StraySynonym { kind: &'static str, name: String, synonym: String },
    #[error("the menu lists the {kind} '{name}' more than once")]
    Duplicate { kind: &'static str, name: String },
    #[error("the menu has no {kind} '{name}'")]
    Missing { kind: &'static str, name: String },
    #[error("the menu's {kind} '{name}' has no price in {currency}")]
    MissingPrice { kind: &'static str, name: String, currency: Currency },
    #[error("the menu's {kind} '{name}' costs {minor} minor units in {currency}: a price is 1 to 100000")]
    BadPrice { kind: &'static str, name: String, currency: Currency, minor: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency '{0}': choose USD, GBP, CAD, AUD, INR or EUR")]
pub struct UnknownCurrency(pub String);

/// A currency Pod prices in (ISO 4217 code on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "GBP")]
    Gbp,
    #[serde(rename = "CAD")]
    Cad,
    #[serde(rename = "AUD")]
    Aud,
    /// Indian rupees: minor units are paise.
    #[serde(rename = "INR")]
    Inr,
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    pub const ALL: [Currency; 6] =
        [Currency::Usd, Currency::Gbp, Currency::Cad, Currency::Aud, Currency::Inr, Currency::Eur];

    /// The ISO 4217 code: "USD", "GBP", "EUR".
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Gbp => "GBP",
            Currency::Cad => "CAD",
            Currency::Aud => "AUD",
            Currency::Inr => "INR",
            Currency::Eur => "EUR",
        }
    }

    /// An ISO 4217 code, exactly ("USD", not "usd": the API's contract is an enum).
    pub fn parse(raw: &str) -> Result<Self, UnknownCurrency> {
        Self::ALL.into_iter().find(|c| c.code() == raw).ok_or_else(|| UnknownCurrency(raw.chars().take(16).collect()))
    }

    /// The currency of an Alexa locale Pod speaks (en-US dollars, en-GB pounds, de-DE euros, ...;
    /// see [`Locale::currency`]); `None` for a locale Pod does not speak.
    pub fn for_locale(locale: &str) -> Option<Self> {
        Locale::parse(locale).map(Locale::currency)
    }

    /// [`for_locale`](Self::for_locale), defaulting to [`Currency::DEFAULT`] (no locale, or one not priced).
    pub fn for_locale_or_default(locale: Option<&str>) -> Self {
        locale.and_then(Self::for_locale).unwrap_or(Self::DEFAULT)
    }

    /// What an order is priced in when nothing says otherwise (the API without `currency`).
    pub const DEFAULT: Currency = Currency::Usd;

    fn index(self) -> usize {
        match self {
            Currency::Usd => 0,
            Currency::Gbp => 1,
            Currency::Cad => 2,
            Currency::Aud => 3,
            Currency::Inr => 4,
            Currency::Eur => 5,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of money: minor units (cents, pence, paise) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: u64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: u64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// As people write it where the currency is at home: "$17.50", "£14.00", "17,50 €"
    /// ([`i18n::money_written`] in the currency's own locale; the message files say how).
    pub fn written(&self) -> String {
        i18n::money_written(Locale::for_currency(self.currency), self)
    }

    /// With its code, as a payment message states it: "17.50 USD", "17,50 EUR".
    pub fn with_code(&self) -> String {
        i18n::money_with_code(Locale::for_currency(self.currency), self)
    }

    /// "17.50": the amount with two decimals, no symbol.
    pub fn decimal(&self) -> String {
        format!("{}.{:02}", self.minor / 100, self.minor % 100)
    }

    /// As people say it where the currency is at home, for speech (plain text; Alexa reads the
    /// numbers right): "17 dollars 50", "14 pounds", "1 dollar and 5 cents", "17 Euro 50".
    pub fn spoken(&self) -> String {
        i18n::money_spoken(Locale::for_currency(self.currency), self)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written())
    }
}

/// Who is paid: a short name, without '|' (it is one field of the bytes a code's MAC binds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Payee(String);

impl Payee {
    pub fn parse(raw: &str) -> Result<Self, MenuError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 40 || name.contains('|') || name.chars().any(char::is_control) {
            return Err(MenuError::BadPayee);
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Payee {
    type Error = MenuError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Payee> for String {
    fn from(value: Payee) -> Self {
        value.0
    }
}

impl fmt::Display for Payee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMenu {
    payee: String,
    currencies: Vec<String>,
    sizes: Vec<RawItem>,
    toppings: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    name: String,
    #[serde(default)]
    synonyms: Vec<String>,
    prices: BTreeMap<String, u64>,
}

type Prices = [u64; Currency::ALL.len()];

/// A checked menu: every size and topping priced in every currency, each price 1 to 100000.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    payee: Payee,
    sizes: Vec<(Size, Prices)>,
    toppings: Vec<(Topping, Prices)>,
}

static BUILTIN: LazyLock<Result<Menu, MenuError>> = LazyLock::new(|| Menu::parse(MENU_JSON));

impl Menu {
    /// Parses and checks a menu file (the shape of `alexa-model/menu.json`).
    pub fn parse(json: &str) -> Result<Self, MenuError> {
        let raw: RawMenu = serde_json::from_str(json).map_err(|e| MenuError::Malformed(e.to_string()))?;
        let payee = Payee::parse(&raw.payee)?;
        let mut currencies = Vec::new();
        for code in &raw.currencies {
            currencies.push(Currency::parse(code).map_err(|_| MenuError::UnknownCurrency(code.clone()))?);
        }
        if let Some(missing) = Currency::ALL.into_iter().find(|c| !currencies.contains(c)) {
            return Err(MenuError::MissingCurrency(missing));
        }
        let sizes = items(&raw.sizes, "size", &Size::ALL, |s| Size::parse(s).ok(), Size::name)?;
        let toppings = items(&raw.toppings, "topping", &Topping::ALL, |t| Topping::parse(t).ok(), Topping::name)?;
        Ok(Self { payee, sizes, toppings })
    }

    /// The menu built into this binary. Start-up calls [`check_builtin`](Self::check_builtin), so
    /// by the time a request reads it, it is known good.
    pub fn builtin() -> &'static Menu {
        match &*BUILTIN {
            Ok(menu) => menu,
            // Unreachable after a successful start-up (and the checked-in file is tested).
            Err(error) => panic!("the built-in menu is invalid: {error}"),
        }
    }

    /// Whether the menu built into this binary is valid: called once at start-up.
    pub fn check_builtin() -> Result<(), MenuError> {
        BUILTIN.as_ref().map(|_| ()).map_err(Clone::clone)
    }

    pub fn payee(&self) -> &Payee {
        &self.payee
    }

    pub fn size_price(&self, size: Size, currency: Currency) -> Money {
        let prices = self.sizes.iter().find(|(s, _)| *s == size).map_or([0; Currency::ALL.len()], |(_, p)| *p);
        Money::new(prices[currency.index()], currency)
    }

    pub fn topping_price(&self, topping: Topping, currency: Currency) -> Money {
        let prices = self.toppings.iter().find(|(t, _)| *t == topping).map_or([0; Currency::ALL.len()], |(_, p)| *p);
        Money::new(prices[currency.index()], currency)
    }

    /// The sizes in menu order.
    pub fn sizes(&self) -> impl Iterator<Item = Size> + '_ {
        self.sizes.iter().map(|(s, _)| *s)
    }

    /// The toppings in menu order.
    pub fn toppings(&self) -> impl Iterator<Item = Topping> + '_ {
        self.toppings.iter().map(|(t, _)| *t)
    }

    /// What `pizza` costs in `currency`: the pizza at its size's price, then each topping.
    pub fn bill(&self, pizza: &Pizza, currency: Currency) -> Bill {
        let mut lines = vec![LineItem::Pizza { size: pizza.size, minor: self.size_price(pizza.size, currency).minor }];
        lines.extend(
            pizza
                .toppings
                .as_slice()
                .iter()
                .map(|&topping| LineItem::Topping { topping, minor: self.topping_price(topping, currency).minor }),
        );
        Bill::new(self.payee.clone(), currency, lines)
    }
}

/// Checks one list of the menu: each entry a known item (its synonyms read as it), once, all
/// of `all` present, priced 1 to 100000 in every currency.
fn items<T: Copy + PartialEq>(
    raw: &[RawItem],
    kind: &'static str,
    all: &[T],
    parse: impl Fn(&str) -> Option<T>,
    name: impl Fn(T) -> &'static str,
) -> Result<Vec<(T, Prices)>, MenuError> {
    let mut checked: Vec<(T, Prices)> = Vec::new();
    for item in raw {
        let unknown = || MenuError::UnknownItem { kind, name: item.name.clone() };
        let value = parse(&item.name).filter(|v| name(*v) == item.name).ok_or_else(unknown)?;
        if checked.iter().any(|(v, _)| *v == value) {
            return Err(MenuError::Duplicate { kind, name: item.name.clone() });
        }
        if let Some(synonym) = item.synonyms.iter().find(|s| parse(s) != Some(value)) {
            return Err(MenuError::StraySynonym { kind, name: item.name.clone(), synonym: synonym.clone() });
        }
        if let Some(code) = item.prices.keys().find(|code| Currency::parse(code).is_err()) {
            return Err(MenuError::UnknownCurrency(code.clone()));
        }
        let mut prices = [0; Currency::ALL.len()];
        for currency in Currency::ALL {
            let minor = *item
                .prices
                .iter()
                .find(|(code, _)| Currency::parse(code) == Ok(currency))
                .map(|(_, minor)| minor)
                .ok_or_else(|| MenuError::MissingPrice { kind, name: item.name.clone(), currency })?;
            if minor == 0 || minor > MAX_PRICE_MINOR {
                return Err(MenuError::BadPrice { kind, name: item.name.clone(), currency, minor });
            }
            prices[currency.index()] = minor;
        }
        checked.push((value, prices));
    }
    if let Some(missing) = all.iter().find(|v| !checked.iter().any(|(c, _)| c == *v)) {
        return Err(MenuError::Missing { kind, name: name(*missing).to_string() });
    }
    Ok(checked)
}

/// One line of a bill: the pizza at its size's price, or a topping at its price (minor units
/// of the bill's currency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineItem {
    Pizza { size: Size, minor: u64 },
    Topping { topping: Topping, minor: u64 },
}

impl LineItem {
    pub fn minor(&self) -> u64 {
        match self {
            LineItem::Pizza { minor, .. } | LineItem::Topping { minor, .. } => *minor,
        }
    }

    /// "large pizza", "pepperoni".
    pub fn description(&self) -> String {
        match self {
            LineItem::Pizza { size, .. } => format!("{size} pizza"),
            LineItem::Topping { topping, .. } => topping.name().to_string(),
        }
    }
}

/// What an order costs, as the payer was told at placement: who is paid, the lines, and their
/// total (always the sum of the lines; a stored bill whose total disagrees does not read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawBill", into = "RawBill")]
pub struct Bill {
    payee: Payee,
    currency: Currency,
    lines: Vec<LineItem>,
    total: u64,
}

#[derive(Serialize, Deserialize)]
struct RawBill {
    payee: Payee,
    currency: Currency,
    lines: Vec<LineItem>,
    total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillError {
    #[error("a bill's total is not the sum of its lines")]
    WrongTotal,
    #[error("a bill has no lines")]
    NoLines,
}

impl Bill {
    fn new(payee: Payee, currency: Currency, lines: Vec<LineItem>) -> Self {
        let total = lines.iter().map(LineItem::minor).fold(0u64, u64::saturating_add);
        Self { payee, currency, lines, total }
    }

    /// A stored bill: its total must be the sum of its lines.
    pub fn from_parts(payee: Payee, currency: Currency, lines: Vec<LineItem>, total: u64) -> Result<Self, BillError> {
        if lines.is_empty() {
            return Err(BillError::NoLines);
        }
        let bill = Self::new(payee, currency, lines);
        if bill.total != total {
            return Err(BillError::WrongTotal);
        }
        Ok(bill)
    }

    pub fn payee(&self) -> &Payee {
        &self.payee
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn lines(&self) -> &[LineItem] {
        &self.lines
    }

    pub fn total(&self) -> Money {
        Money::new(self.total, self.currency)
    }

    /// Each line with its price as money.
    pub fn priced_lines(&self) -> impl Iterator<Item = (&LineItem, Money)> + '_ {
        self.lines.iter().map(|line| (line, Money::new(line.minor(), self.currency)))
    }
}

impl TryFrom<RawBill> for Bill {
    type Error = BillError;
    fn try_from(raw: RawBill) -> Result<Self, Self::Error> {
        Self::from_parts(raw.payee, raw.currency, raw.lines, raw.total)
    }
}

impl From<Bill> for RawBill {
    fn from(bill: Bill) -> Self {
        Self { payee: bill.payee, currency: bill.currency, lines: bill.lines, total: bill.total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Toppings;

    fn usd(minor: u64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    fn gbp(minor: u64) -> Money {
        Money::new(minor, Currency::Gbp)
    }

    #[test]
    fn the_checked_in_menu_parses_and_prices_every_size_and_topping_in_every_currency() {
        Menu::check_builtin().unwrap();
        let menu = Menu::builtin();
        assert_eq!(menu.payee().as_str(), "Pizza on Demand");
        for currency in Currency::ALL {
            for size in Size::ALL {
                assert!(menu.size_price(size, currency).minor > 0, "{size} in {currency}");
            }
            for topping in Topping::ALL {
                assert!(menu.topping_price(topping, currency).minor > 0, "{topping} in {currency}");
            }
        }
        assert_eq!(menu.sizes().collect::<Vec<_>>(), Size::ALL);
        assert_eq!(menu.toppings().collect::<Vec<_>>(), Topping::ALL);
    }

    #[test]
    fn the_demo_pizza_costs_what_the_conversation_says() {
        let pizza =
            Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni, Topping::Mushrooms]).unwrap() };
        let bill = Menu::builtin().bill(&pizza, Currency::Usd);
        assert_eq!(bill.total(), usd(1750));
        assert_eq!(bill.lines().len(), 3);
        assert_eq!(bill.lines()[0], LineItem::Pizza { size: Size::Large, minor: 1400 });
        assert_eq!(bill.lines()[1].description(), "pepperoni");
        assert_eq!(Menu::builtin().bill(&pizza, Currency::Gbp).total(), gbp(1400));
    }

    fn menu_with(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Menu, MenuError> {
        let mut json: serde_json::Value = serde_json::from_str(MENU_JSON).unwrap();
        edit(&mut json);
        Menu::parse(&json.to_string())
    }

    #[test]
    fn a_malformed_menu_is_a_clear_error() {
        assert!(matches!(Menu::parse("{"), Err(MenuError::Malformed(_))));
        assert!(matches!(Menu::parse("[]"), Err(MenuError::Malformed(_))));
        assert_eq!(menu_with(|m| m["payee"] = "".into()), Err(MenuError::BadPayee));
        assert_eq!(menu_with(|m| m["payee"] = "Pizza | Co".into()), Err(MenuError::BadPayee));
        assert_eq!(
            menu_with(|m| m["currencies"] = serde_json::json!(["USD", "CAD", "AUD", "INR", "EUR"])),
            Err(MenuError::MissingCurrency(Currency::Gbp))
        );
        assert_eq!(
            menu_with(|m| m["currencies"] = serde_json::json!(["USD", "GBP", "CAD", "AUD", "INR", "EUR", "XYZ"])),
            Err(MenuError::UnknownCurrency("XYZ".into()))
        );
        assert_eq!(
            menu_with(|m| m["sizes"][0]["name"] = "tiny".into()),
            Err(MenuError::UnknownItem { kind: "size", name: "tiny".into() })
        );
        assert_eq!(
            menu_with(|m| m["sizes"][0]["name"] = "personal".into()),
            Err(MenuError::UnknownItem { kind: "size", name: "personal".into() }),
            "an item is named by its canonical name"
        );
        assert_eq!(
            menu_with(|m| m["sizes"][1]["name"] = "small".into()),
            Err(MenuError::Duplicate { kind: "size", name: "small".into() })
        );
        assert_eq!(
            menu_with(|m| {
                m["sizes"].as_array_mut().unwrap().pop();
            }),
            Err(MenuError::Missing { kind: "size", name: "jumbo".into() })
        );
        assert_eq!(
            menu_with(|m| m["toppings"][0]["synonyms"] = serde_json::json!(["salami"])),
            Err(MenuError::StraySynonym { kind: "topping", name: "pepperoni".into(), synonym: "salami".into() })
        );
        assert_eq!(
            menu_with(|m| {
                m["toppings"][0]["prices"].as_object_mut().unwrap().remove("GBP");
            }),
            Err(MenuError::MissingPrice { kind: "topping", name: "pepperoni".into(), currency: Currency::Gbp })
        );
        assert_eq!(
            menu_with(|m| m["toppings"][0]["prices"]["USD"] = 0.into()),
            Err(MenuError::BadPrice { kind: "topping", name: "pepperoni".into(), currency: Currency::Usd, minor: 0 })
        );
        assert!(matches!(menu_with(|m| m["toppings"][0]["prices"]["USD"] = (-5).into()), Err(MenuError::Malformed(_))));
        assert!(matches!(menu_with(|m| m["toppings"][0]["prices"]["USD"] = 1.5.into()), Err(MenuError::Malformed(_))));
        assert!(matches!(menu_with(|m| m["extra"] = true.into()), Err(MenuError::Malformed(_))));
    }

    #[test]
    fn locales_have_their_currency() {
        assert_eq!(Currency::for_locale("en-US"), Some(Currency::Usd));
        assert_eq!(Currency::for_locale("en-GB"), Some(Currency::Gbp));
        assert_eq!(Currency::for_locale("en_gb"), Some(Currency::Gbp));
        assert_eq!(Currency::for_locale("de-DE"), Some(Currency::Eur));
        assert_eq!(Currency::for_locale("en-IN"), Some(Currency::Inr));
        assert_eq!(Currency::for_locale("fr-FR"), None);
        assert_eq!(Currency::for_locale_or_default(None), Currency::Usd);
        assert_eq!(Currency::for_locale_or_default(Some("fr-FR")), Currency::Usd);
        assert_eq!(Currency::parse("GBP"), Ok(Currency::Gbp));
        assert_eq!(Currency::parse("gbp"), Err(UnknownCurrency("gbp".into())));
        assert_eq!(Currency::parse("EUR"), Ok(Currency::Eur));
        assert_eq!(Currency::parse("JPY"), Err(UnknownCurrency("JPY".into())));
        assert_eq!(serde_json::to_string(&Currency::Gbp).unwrap(), "\"GBP\"");
    }

    #[test]
    fn prices_are_written_as_people_write_them() {
        assert_eq!(usd(1750).written(), "$17.50");
        assert_eq!(gbp(1400).written(), "£14.00");
        assert_eq!(usd(50).written(), "$0.50");
        assert_eq!(usd(5).written(), "$0.05");
        assert_eq!(usd(0).written(), "$0.00");
        assert_eq!(usd(123_456).written(), "$1234.56");
        assert_eq!(usd(1750).with_code(), "17.50 USD");
        assert_eq!(gbp(1400).with_code(), "14.00 GBP");
    }

    #[test]
    fn prices_are_spoken_as_people_say_them() {
        assert_eq!(usd(1750).spoken(), "17 dollars 50");
        assert_eq!(gbp(1400).spoken(), "14 pounds");
        assert_eq!(usd(100).spoken(), "1 dollar");
        assert_eq!(usd(50).spoken(), "50 cents");
        assert_eq!(usd(1).spoken(), "1 cent");
        assert_eq!(usd(0).spoken(), "zero dollars");
        assert_eq!(usd(105).spoken(), "1 dollar and 5 cents");
        assert_eq!(usd(101).spoken(), "1 dollar and 1 cent");
        assert_eq!(usd(150).spoken(), "1 dollar 50");
        assert_eq!(gbp(1150).spoken(), "11 pounds 50");
        assert_eq!(gbp(100).spoken(), "1 pound");
        assert_eq!(gbp(1).spoken(), "1 penny");
        assert_eq!(gbp(99).spoken(), "99 pence");
        assert_eq!(gbp(207).spoken(), "2 pounds and 7 pence");
        let eur = |minor| Money::new(minor, Currency::Eur);
        assert_eq!(eur(1750).spoken(), "17 Euro 50");
        assert_eq!(eur(1400).spoken(), "14 Euro");
        assert_eq!(eur(50).spoken(), "50 Cent");
        assert_eq!(eur(105).spoken(), "1 Euro und 5 Cent");
        assert_eq!(eur(0).spoken(), "null Euro");
        let inr = |minor| Money::new(minor, Currency::Inr);
        assert_eq!(inr(45_000).spoken(), "450 rupees");
        assert_eq!(inr(100).spoken(), "1 rupee");
        assert_eq!(inr(45_050).spoken(), "450 rupees 50");
        assert_eq!(Money::new(1750, Currency::Aud).spoken(), "17 dollars 50");
        assert_eq!(Money::new(1750, Currency::Cad).spoken(), "17 dollars 50");
    }

    #[test]
    fn prices_in_the_new_currencies_are_written_as_their_locales_write_them() {
        assert_eq!(Money::new(1750, Currency::Eur).written(), "17,50 €");
        assert_eq!(Money::new(1750, Currency::Eur).with_code(), "17,50 EUR");
        assert_eq!(Money::new(1750, Currency::Cad).written(), "$17.50");
        assert_eq!(Money::new(1750, Currency::Aud).written(), "$17.50");
        assert_eq!(Money::new(45_000, Currency::Inr).written(), "₹450.00");
        assert_eq!(Money::new(45_000, Currency::Inr).with_code(), "450.00 INR");
        assert_eq!(i18n::money_written(Locale::EnUs, &Money::new(1750, Currency::Cad)), "CA$17.50");
        assert_eq!(i18n::money_written(Locale::DeDe, &usd(1750)), "17,50 $");
    }

    #[test]
    fn a_stored_bill_reads_only_when_its_total_is_its_lines_sum() {
        let pizza = Pizza { size: Size::Small, toppings: Toppings::new(vec![Topping::Bacon]).unwrap() };
        let bill = Menu::builtin().bill(&pizza, Currency::Gbp);
        let json = serde_json::to_value(&bill).unwrap();
        assert_eq!(json["currency"], "GBP");
        assert_eq!(json["payee"], "Pizza on Demand");
        assert_eq!(json["total"], 875);
        assert_eq!(serde_json::from_value::<Bill>(json.clone()).unwrap(), bill);
        let mut wrong = json.clone();
        wrong["total"] = 1.into();
        assert!(serde_json::from_value::<Bill>(wrong).is_err());
        let mut empty = json;
        empty["lines"] = serde_json::json!([]);
        empty["total"] = 0.into();
        assert!(serde_json::from_value::<Bill>(empty).is_err());
        assert_eq!(
            Bill::from_parts(bill.payee().clone(), Currency::Gbp, bill.lines().to_vec(), 874),
            Err(BillError::WrongTotal)
        );
    }
}
