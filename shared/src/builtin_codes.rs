//! The `builtin` code issuer: Pod makes the code itself and binds it to the order.
//!
//! The code comes from a CSPRNG; only an HMAC-SHA256 of the code together with
//! the order's id, owner, content, amount, currency and payee is stored, so a code
//! for one order can never confirm another, nor the same order changed or repriced
//! or paid to someone else (dynamic linking, PSD2 RTS Art. 5). The message names
//! what the code confirms, with the amount and the payee. Checks compare MACs
//! in constant time (`aws-lc-rs`'s `hmac::verify`).

use crate::domain::{Code, Order, PhoneEnrollment};
use crate::i18n::{self, Arg};
use crate::ports::MessageSender;
use aws_lc_rs::hmac;
use rand::Rng;
use std::sync::Arc;

const CONTEXT: &str = "pod-code-v2";
const CONTEXT_V1: &str = "pod-code-v1";

/// Issues and checks builtin codes.
#[derive(Clone)]
pub struct BuiltinCodes {
    key: hmac::Key,
    length: usize,
    sender: Arc<dyn MessageSender>,
}

impl std::fmt::Debug for BuiltinCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinCodes").field("length", &self.length).finish_non_exhaustive()
    }
}

/// What the user reads: it names the amount, the payee and the items the code confirms (PSD2 RTS
/// Art. 5: the payer is told the amount and the payee), in plain ASCII so that a usual order
/// fits one SMS segment: "418305 confirms 17.50 USD to Pizza on Demand: 1 large pizza,
/// pepperoni, mushrooms. Expires in 5 min."
pub fn message(code: &str, order: &Order) -> String {
    let locale = crate::receipt::locale_of(order);
    let items = crate::receipt::items(order);
    let minutes = (order.challenge.expires_at.unix_seconds() - order.challenge.sent_at.unix_seconds()).max(60) / 60;
    let (code, minutes) = (Arg::from(code), Arg::from(minutes));
    match &order.bill {
        Some(bill) => {
            let amount = i18n::money_with_code(locale, &bill.total());
            let payee = bill.payee().as_str();
            let args = [
                ("code", code),
                ("amount", amount.into()),
                ("payee", payee.into()),
                ("items", items.into()),
                ("minutes", minutes),
            ];
            i18n::text(locale, "code-message", &args)
        }
        None => i18n::text(
            locale,
            "code-message-unpriced",
            &[("code", code), ("items", items.into()), ("minutes", minutes)],
        ),
    }
}

/// The bytes a code is bound to: the order's id, owner and content, the amount, the currency,
/// the payee and the priced lines, then the code, each field length-prefixed so that no two
/// orders share them. An order stored before orders had prices keeps the first version's binding
/// (so a code sent just before an upgrade still confirms its order).
fn bound(order: &Order, code: &str) -> Vec<u8> {
    let toppings: Vec<&str> = order.pizza.toppings.as_slice().iter().map(|t| t.name()).collect();
    let Some(bill) = &order.bill else {
        return format!(
            "{CONTEXT_V1}|{}|{}|{}|{}|{code}",
            order.id,
            order.user_id,
            order.pizza.size,
            toppings.join(",")
        )
        .into_bytes();
    };
    let lines: Vec<String> =
        bill.priced_lines().map(|(line, price)| format!("{}={}", line.description(), price.minor)).collect();
    let fields = [
        CONTEXT.to_string(),
        order.id.to_string(),
        order.user_id.as_str().to_string(),
        order.pizza.size.name().to_string(),
        toppings.join(","),
        bill.total().minor.to_string(),
        bill.currency().code().to_string(),
        bill.payee().as_str().to_string(),
        lines.join(","),
        code.to_string(),
    ];
    let mut bytes = Vec::new();
    for field in fields {
        bytes.extend_from_slice(format!("{}:", field.len()).as_bytes());
        bytes.extend_from_slice(field.as_bytes());
    }
    bytes
}

/// What a phone-enrollment code reads: it names its purpose, so it cannot pass for an order code.
pub fn enrollment_message(code: &str, enrollment: &PhoneEnrollment) -> String {
    let minutes = (enrollment.expires_at.unix_seconds() - enrollment.sent_at.unix_seconds()).max(60) / 60;
    format!(
        "{code} verifies this phone for Pizza on Demand order codes. Type it on the Security page. \
         Expires in {minutes} min."
    )
}

/// The bytes an enrollment code is bound to: the enrollment's id, owner and number, then the code.
fn bound_enrollment(enrollment: &PhoneEnrollment, code: &str) -> Vec<u8> {
    format!("pod-enrollment-v1|{}|{}|{}|{code}", enrollment.id, enrollment.user_id, enrollment.phone.as_str())
        .into_bytes()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    text.len()
        .is_multiple_of(2)
        .then(|| (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect())
        .flatten()
}

impl BuiltinCodes {
    /// `secret` keys the MACs (at least 32 bytes); `length` is 4 to 10 digits.
    pub fn new(secret: &[u8], length: usize, sender: Arc<dyn MessageSender>) -> Self {
        Self { key: hmac::Key::new(hmac::HMAC_SHA256, secret), length: length.clamp(4, 10), sender }
    }

    /// A fresh code from the thread's CSPRNG.
    pub fn generate(&self) -> String {
        let mut rng = rand::rng();
        (0..self.length).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
    }

    /// The MAC to store for `code` on `order`.
    pub fn seal(&self, order: &Order, code: &str) -> String {
        to_hex(hmac::sign(&self.key, &bound(order, code)).as_ref())
    }

    /// Whether `code` is the one sealed into `order` (constant-time MAC comparison).
    pub fn opens(&self, order: &Order, code: &Code) -> bool {
        let Some(sealed) = order.challenge.code_hash.as_deref().and_then(from_hex) else { return false };
        hmac::verify(&self.key, &bound(order, code.expose()), &sealed).is_ok()
    }

    /// The MAC to store for `code` on a phone enrollment.
    pub fn seal_enrollment(&self, enrollment: &PhoneEnrollment, code: &str) -> String {
        to_hex(hmac::sign(&self.key, &bound_enrollment(enrollment, code)).as_ref())
    }

    /// Whether `code` is the one sealed into `enrollment` (constant-time).
    pub fn opens_enrollment(&self, enrollment: &PhoneEnrollment, code: &Code) -> bool {
        let Some(sealed) = enrollment.code_hash.as_deref().and_then(from_hex) else { return false };
        hmac::verify(&self.key, &bound_enrollment(enrollment, code.expose()), &sealed).is_ok()
    }

    pub fn sender(&self) -> &dyn MessageSender {
        self.sender.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Bill, ChallengePolicy, Channel, Currency, Destination, LineItem, MaskedDestination, Payee, Pizza, Size,
        Timestamp, Topping, Toppings, UserId,
    };
    use crate::ports::DeliveryError;
    use async_trait::async_trait;

    struct Nowhere;

    #[async_trait]
    impl MessageSender for Nowhere {
        async fn deliver(&self, _: &Destination, _: &str) -> Result<(), DeliveryError> {
            Ok(())
        }
    }

    fn order(toppings: Vec<Topping>) -> Order {
        order_of(Size::Large, toppings)
    }

    fn order_of(size: Size, toppings: Vec<Topping>) -> Order {
        Order::place(
            UserId::parse("auth0|ana").unwrap(),
            Pizza { size, toppings: Toppings::new(toppings).unwrap() },
            Channel::Sms,
            MaskedDestination::Phone { last_digits: "21".into() },
            ChallengePolicy::default(),
            Timestamp::from_unix_millis(1_800_000_000_000),
        )
    }

    fn codes() -> BuiltinCodes {
        BuiltinCodes::new(b"a-code-secret-of-at-least-32-bytes!!", 6, Arc::new(Nowhere))
    }

    #[test]
    fn codes_are_digits_of_the_configured_length_and_vary() {
        let codes = codes();
        let drawn: std::collections::HashSet<String> = (0..50).map(|_| codes.generate()).collect();
        assert!(drawn.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        assert!(drawn.len() > 45, "a CSPRNG repeats rarely");
    }

    #[test]
    fn a_sealed_code_opens_only_its_own_unchanged_order() {
        let codes = codes();
        let mut mine = order(vec![Topping::Pepperoni, Topping::Onions]);
        let code = codes.generate();
        mine.challenge.code_hash = Some(codes.seal(&mine, &code));
        assert!(!mine.challenge.code_hash.as_deref().unwrap().contains(&code), "only a MAC is stored");
        assert!(codes.opens(&mine, &Code::parse(&code).unwrap()));
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert!(!codes.opens(&mine, &Code::parse(wrong).unwrap()));

        let mut other = order(vec![Topping::Pepperoni, Topping::Onions]);
        other.challenge.code_hash = mine.challenge.code_hash.clone();
        assert!(!codes.opens(&other, &Code::parse(&code).unwrap()), "another order's code");

        let mut changed = mine.clone();
        changed.pizza.toppings = Toppings::new(vec![Topping::Pepperoni, Topping::Bacon]).unwrap();
        assert!(!codes.opens(&changed, &Code::parse(&code).unwrap()), "a changed order");

        let other_key = BuiltinCodes::new(b"another-code-secret-of-32-bytes!!!!", 6, Arc::new(Nowhere));
        assert!(!other_key.opens(&mine, &Code::parse(&code).unwrap()), "another deployment's key");
    }

    #[test]
    fn the_message_names_amount_payee_and_items_in_one_sms_segment() {
        let order = order(vec![Topping::Pepperoni, Topping::Mushrooms]);
        let text = message("418305", &order);
        assert_eq!(
            text,
            "418305 confirms 17.50 USD to Pizza on Demand: 1 large pizza, pepperoni, mushrooms. Expires in 5 min."
        );
        assert!(text.is_ascii() && text.len() <= 160, "one GSM-7 segment");
        let british = order.clone().priced_in(Currency::Gbp);
        assert_eq!(
            message("418305", &british),
            "418305 confirms 14.00 GBP to Pizza on Demand: 1 large pizza, pepperoni, mushrooms. Expires in 5 min."
        );
        let plain = order_of(Size::Small, vec![]);
        assert_eq!(
            message("4217", &plain),
            "4217 confirms 9.00 USD to Pizza on Demand: 1 small cheese pizza. Expires in 5 min."
        );
        let big = order_of(
            Size::Jumbo,
            vec![Topping::ExtraCheese, Topping::BlackOlives, Topping::GreenPeppers, Topping::Pineapple],
        );
        let text = message("4217906543", &big);
        assert!(text.is_ascii() && text.len() <= 160, "four toppings and a 10-digit code still fit: {}", text.len());
    }

    #[test]
    fn a_euro_order_has_its_message_in_german_within_one_gsm_7_segment() {
        let order = order(vec![Topping::Pepperoni, Topping::Mushrooms]).priced_in(Currency::Eur);
        assert_eq!(
            message("418305", &order),
            "418305 bestätigt 16,50 EUR an Pizza on Demand: 1 große Pizza, Salami, Champignons. Gültig für 5 Min."
        );
        // GSM 03.38's basic set has these letters: the message stays one 160-character segment.
        let gsm_7 = |text: &str| text.chars().all(|c| c.is_ascii() || "äöüÄÖÜß".contains(c));
        let big = order_of(
            Size::Jumbo,
            vec![Topping::ExtraCheese, Topping::BlackOlives, Topping::GreenPeppers, Topping::Pineapple],
        )
        .priced_in(Currency::Eur);
        let text = message("4217906543", &big);
        assert!(gsm_7(&text) && text.chars().count() <= 160, "{text}: {}", text.chars().count());
        let rupees = order_of(Size::Small, vec![]).priced_in(Currency::Inr);
        assert_eq!(
            message("4217", &rupees),
            "4217 confirms 299.00 INR to Pizza on Demand: 1 small cheese pizza. Expires in 5 min."
        );
    }

    #[test]
    fn an_order_stored_without_a_price_keeps_the_first_message_and_binding() {
        let codes = codes();
        let mut legacy = order(vec![Topping::Pepperoni, Topping::Onions]);
        legacy.bill = None;
        assert_eq!(
            message("4217", &legacy),
            "4217 confirms 1 large pizza, pepperoni, onions - Pizza on Demand. Expires in 5 min."
        );
        let sealed_v1 = to_hex(
            hmac::sign(
                &codes.key,
                format!("pod-code-v1|{}|{}|large|pepperoni,onions|4217", legacy.id, legacy.user_id).as_bytes(),
            )
            .as_ref(),
        );
        legacy.challenge.code_hash = Some(sealed_v1);
        assert!(codes.opens(&legacy, &Code::parse("4217").unwrap()), "a code sent before the upgrade");
        let priced = legacy.clone().priced_in(Currency::Usd);
        assert!(!codes.opens(&priced, &Code::parse("4217").unwrap()), "a v1 MAC never opens a priced order");
    }

    /// PSD2 RTS Art. 5 (dynamic linking): the code is specific to the amount and the payee (and
    /// the order's id, owner and items), and changing any of them voids it.
    #[test]
    fn changing_any_bound_field_voids_the_code() {
        let codes = codes();
        let mut sealed = order(vec![Topping::Pepperoni, Topping::Mushrooms]);
        let code = codes.generate();
        sealed.challenge.code_hash = Some(codes.seal(&sealed, &code));
        let code = Code::parse(&code).unwrap();
        assert!(codes.opens(&sealed, &code));
        let bill = sealed.bill.clone().unwrap();
        let rebill = |payee: &str, currency: Currency, lines: Vec<LineItem>| {
            let total = lines.iter().map(LineItem::minor).sum();
            Some(Bill::from_parts(Payee::parse(payee).unwrap(), currency, lines, total).unwrap())
        };
        let mut cheaper_lines = bill.lines().to_vec();
        cheaper_lines[0] = LineItem::Pizza { size: Size::Large, minor: 1 };
        type Change = Box<dyn Fn(&mut Order)>;
        let changes: Vec<(&str, Change)> = vec![
            ("id", Box::new(|o| o.id = crate::domain::OrderId::generate())),
            ("owner", Box::new(|o| o.user_id = UserId::parse("auth0|ben").unwrap())),
            ("size", Box::new(|o| o.pizza.size = Size::Jumbo)),
            (
                "items",
                Box::new(|o| o.pizza.toppings = Toppings::new(vec![Topping::Pepperoni, Topping::Bacon]).unwrap()),
            ),
            ("amount", Box::new(move |o| o.bill = rebill("Pizza on Demand", Currency::Usd, cheaper_lines.clone()))),
            ("currency", {
                let lines = bill.lines().to_vec();
                Box::new(move |o| o.bill = rebill("Pizza on Demand", Currency::Gbp, lines.clone()))
            }),
            ("payee", {
                let lines = bill.lines().to_vec();
                Box::new(move |o| o.bill = rebill("Pizza Elsewhere", Currency::Usd, lines.clone()))
            }),
            ("price dropped", Box::new(|o| o.bill = None)),
        ];
        for (field, change) in changes {
            let mut changed = sealed.clone();
            change(&mut changed);
            assert_ne!(changed, sealed, "{field} changed");
            assert!(!codes.opens(&changed, &code), "a changed {field} voids the code");
        }
        let mut same = sealed.clone();
        same.bill = rebill("Pizza on Demand", Currency::Usd, bill.lines().to_vec());
        assert!(codes.opens(&same, &code), "the same bill, rebuilt, still opens");
    }
}
