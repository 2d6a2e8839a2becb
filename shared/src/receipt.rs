//! The receipt of a confirmed order: the one text the Alexa app card and the email share
//! (Amazon's purchase rules: after the order, confirm it by voice, in the Alexa app and by
//! email, with the items, the total and the order number).

use crate::domain::Order;
use crate::i18n::{self, Locale};

/// The short order number people read and quote: the last eight hex digits of the order's
/// id (its random part; a UUIDv7 begins with the time), upper case, as `XXXX-XXXX`. The web
/// app and the API show the full id; this is a reference, not a key.
pub fn order_number(order: &Order) -> String {
    let hex = order.id.as_uuid().simple().to_string().to_ascii_uppercase();
    let tail = &hex[hex.len() - 8..];
    format!("{}-{}", &tail[..4], &tail[4..])
}

/// The locale an order's receipt and code message are written in: its currency's (each
/// currency Pod prices in belongs to one locale, and the order carries its currency); an order
/// stored before prices, in en-US.
pub fn locale_of(order: &Order) -> Locale {
    order.bill.as_ref().map_or(Locale::DEFAULT, |bill| Locale::for_currency(bill.currency()))
}

/// "1 large pizza, pepperoni, mushrooms" (a pizza without toppings: "1 large cheese pizza"),
/// in the order's locale.
pub fn items(order: &Order) -> String {
    i18n::pizza_items(locale_of(order), &order.pizza)
}

/// The receipt's text: what was confirmed, its order number, the total ("$17.50 to Pizza on
/// Demand"; an order stored before prices has none), the delivery. It names no code, contact
/// or token.
pub fn receipt_text(order: &Order) -> String {
    let locale = locale_of(order);
    let mut lines = vec![
        i18n::text(locale, "receipt-number", &[("number", order_number(order).into())]),
        i18n::text(locale, "receipt-items", &[("items", items(order).into())]),
    ];
    if let Some(bill) = &order.bill {
        let total = i18n::money_written(locale, &bill.total());
        lines.push(i18n::text(
            locale,
            "receipt-total",
            &[("total", total.into()), ("payee", bill.payee().as_str().into())],
        ));
    }
    lines.push(i18n::plain(locale, "receipt-delivery"));
    lines.join("\n")
}

/// The email: its first line says what it is, then the receipt.
pub fn receipt_email(order: &Order) -> String {
    format!("{}\n{}", i18n::plain(locale_of(order), "receipt-email-first-line"), receipt_text(order))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        ChallengePolicy, Channel, MaskedDestination, Pizza, Size, Timestamp, Topping, Toppings, UserId,
    };

    fn order(toppings: Vec<Topping>) -> Order {
        let pizza = Pizza { size: Size::Large, toppings: Toppings::new(toppings).unwrap() };
        let user = UserId::parse("auth0|ana").unwrap();
        let to = MaskedDestination::Phone { last_digits: "21".into() };
        Order::place(user, pizza, Channel::Sms, to, ChallengePolicy::default(), Timestamp::from_unix_millis(0))
    }

    #[test]
    fn the_receipt_lists_the_items_the_order_number_and_the_delivery() {
        let order = order(vec![Topping::Pepperoni, Topping::Mushrooms]);
        let number = order_number(&order);
        assert_eq!(number.len(), 9);
        assert!(number.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase()), "{number}");
        assert!(order.id.to_string().to_ascii_uppercase().replace('-', "").ends_with(&number.replace('-', "")));
        assert_eq!(
            receipt_text(&order),
            format!(
                "Order {number} confirmed.\nItems: 1 large pizza, pepperoni, mushrooms.\n\
                 Total: $17.50 to Pizza on Demand.\nDelivered to the address on your account."
            )
        );
        assert_eq!(items(&self::order(vec![])), "1 large cheese pizza");
        assert!(receipt_email(&order).starts_with("Your Pizza on Demand receipt (this is not a code).\nOrder "));
    }

    #[test]
    fn an_order_stored_before_prices_has_no_total_line_and_a_pound_order_is_in_pounds() {
        let mut unpriced = order(vec![Topping::Pepperoni]);
        unpriced.bill = None;
        assert!(!receipt_text(&unpriced).contains("Total"), "{}", receipt_text(&unpriced));
        let pounds = order(vec![Topping::Pepperoni]).priced_in(crate::domain::Currency::Gbp);
        assert!(receipt_text(&pounds).contains("Total: £"), "{}", receipt_text(&pounds));
    }

    #[test]
    fn a_euro_order_has_its_receipt_in_german() {
        let euros = order(vec![Topping::Pepperoni, Topping::Mushrooms]).priced_in(crate::domain::Currency::Eur);
        let number = order_number(&euros);
        assert_eq!(
            receipt_text(&euros),
            format!(
                "Bestellung {number} bestätigt.\nArtikel: 1 große Pizza, Salami, Champignons.\n\
                 Summe: 16,50 € an Pizza on Demand.\nLieferung an die Adresse in Ihrem Konto."
            )
        );
        assert!(receipt_email(&euros).starts_with("Ihre Quittung von Pizza on Demand (dies ist kein Code).\n"));
        let rupees = order(vec![Topping::Pepperoni]).priced_in(crate::domain::Currency::Inr);
        assert!(receipt_text(&rupees).contains("Total: ₹559.00 to Pizza on Demand."), "{}", receipt_text(&rupees));
    }

    #[test]
    fn two_orders_have_different_numbers() {
        assert_ne!(order_number(&order(vec![])), order_number(&order(vec![])));
    }
}
