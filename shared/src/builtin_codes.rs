//! The `builtin` code issuer: Pod makes the code itself and binds it to the order.
//!
//! The code comes from a CSPRNG; only an HMAC-SHA256 of the code together with
//! the order's id, owner and content is stored, so a code for one order can
//! never confirm another, nor the same order changed (dynamic linking in the
//! PSD2 sense). The message names what the code confirms. Checks compare MACs
//! in constant time (`aws-lc-rs`'s `hmac::verify`).

use crate::domain::{Code, Order, PhoneEnrollment};
use crate::ports::MessageSender;
use aws_lc_rs::hmac;
use rand::Rng;
use std::sync::Arc;

const CONTEXT: &str = "pod-code-v1";

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

/// What the user reads: "4217 confirms 1 large pizza, pepperoni, onions — Pizza on Demand. Expires in 5 min."
pub fn message(code: &str, order: &Order) -> String {
    let toppings: Vec<&str> = order.pizza.toppings.as_slice().iter().map(|t| t.name()).collect();
    let what = if toppings.is_empty() {
        format!("1 {} cheese pizza", order.pizza.size)
    } else {
        format!("1 {} pizza, {}", order.pizza.size, toppings.join(", "))
    };
    let minutes = (order.challenge.expires_at.unix_seconds() - order.challenge.sent_at.unix_seconds()).max(60) / 60;
    format!("{code} confirms {what} — Pizza on Demand. Expires in {minutes} min.")
}

/// The bytes a code is bound to: the order's id, owner and content, then the code.
fn bound(order: &Order, code: &str) -> Vec<u8> {
    let toppings: Vec<&str> = order.pizza.toppings.as_slice().iter().map(|t| t.name()).collect();
    format!("{CONTEXT}|{}|{}|{}|{}|{code}", order.id, order.user_id, order.pizza.size, toppings.join(",")).into_bytes()
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
        ChallengePolicy, Channel, Destination, MaskedDestination, Pizza, Size, Timestamp, Topping, Toppings, UserId,
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
        Order::place(
            UserId::parse("auth0|ana").unwrap(),
            Pizza { size: Size::Large, toppings: Toppings::new(toppings).unwrap() },
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
    fn the_message_names_what_the_code_confirms() {
        let order = order(vec![Topping::Pepperoni, Topping::Onions]);
        assert_eq!(
            message("4217", &order),
            "4217 confirms 1 large pizza, pepperoni, onions — Pizza on Demand. Expires in 5 min."
        );
    }
}
