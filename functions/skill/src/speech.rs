//! Everything the skill says, in one place: each function names its message in the locale's
//! Fluent files (`shared/locales/<locale>/skill.ftl`, see `pod_shared::i18n`) and passes its
//! arguments. The locale is the request's (`request.locale`), set for the whole answer by
//! [`in_locale`]; outside one (unit tests) it is en-US.

use pod_shared::alexa::Speech;
use pod_shared::domain::{
    Blocked, IfWrong, MaskedDestination, Money, Order, OrderStatus, Pizza, Size, Timestamp, Topping, TransitionError,
};
use pod_shared::i18n::{self, Arg, Locale};
use pod_shared::service::PlacedOrder;
use std::future::Future;

pub const SKILL_NAME: &str = "Pizza on Demand";

tokio::task_local! {
    /// The locale of the request being answered.
    static LOCALE: Locale;
}

/// Runs `answer` with everything it says in `locale`.
pub fn in_locale<F: Future>(locale: Locale, answer: F) -> impl Future<Output = F::Output> {
    LOCALE.scope(locale, answer)
}

/// Runs `say` with everything it says in `locale` (tests, and synchronous callers).
pub fn in_locale_sync<R>(locale: Locale, say: impl FnOnce() -> R) -> R {
    LOCALE.sync_scope(locale, say)
}

/// The locale of the request being answered (en-US outside one).
pub fn locale() -> Locale {
    LOCALE.try_with(|locale| *locale).unwrap_or(Locale::DEFAULT)
}

/// Message `id` of the current locale with `args`, as plain text.
fn words(id: &str, args: &[(&str, Arg)]) -> String {
    i18n::text(locale(), id, args)
}

/// Message `id` as speech.
fn say(id: &str, args: &[(&str, Arg)]) -> Speech {
    Speech::new().text(&words(id, args))
}

/// Message `id` without arguments, as speech.
fn said(id: &str) -> Speech {
    say(id, &[])
}

/// Stands for digits in a message until the speech reads them one by one.
const DIGITS_MARK: char = '\u{E000}';

/// Speech from text in which [`DIGITS_MARK`] stands for `digits` (said one by one).
fn with_digits(text: &str, digits: &str) -> Speech {
    let mut speech = Speech::new();
    let mut parts = text.split(DIGITS_MARK);
    if let Some(first) = parts.next() {
        speech = speech.text(first);
    }
    for part in parts {
        speech = speech.digits(digits).text(part);
    }
    speech
}

/// Message `id` with `args` and the place a code went as `to`: speech that reads a phone's
/// last digits one by one.
fn say_to(id: &str, args: &[(&str, Arg)], to: &MaskedDestination) -> Speech {
    let (to_words, digits) = match to {
        MaskedDestination::Phone { last_digits } => {
            (words("skill-to-phone", &[("digits", DIGITS_MARK.to_string().into())]), last_digits.as_str())
        }
        MaskedDestination::Email { domain, .. } => (words("skill-to-email", &[("domain", domain.as_str().into())]), ""),
    };
    let mut all: Vec<(&str, Arg)> = args.to_vec();
    all.push(("to", to_words.into()));
    with_digits(&words(id, &all), digits)
}

/// The pizza, as a sentence of the current locale says it.
fn pizza_words(pizza: &Pizza) -> Arg<'static> {
    i18n::pizza(locale(), pizza).into()
}

/// "pepperoni, mushrooms, … and chicken".
pub fn topping_menu() -> String {
    i18n::list_and(locale(), &i18n::toppings(locale(), &Topping::ALL))
}

fn sizes() -> String {
    let names: Vec<String> = Size::ALL.iter().map(|s| i18n::size(locale(), *s)).collect();
    i18n::list_or(locale(), &names)
}

pub fn welcome() -> Speech {
    said("skill-welcome")
}

pub fn what_to_say() -> Speech {
    said("skill-what-to-say")
}

/// Before any code is sent: the seller, the items, the delivery and the total, and the question.
/// `price`: the total, said as people say it in the user's locale, once the menu has prices.
pub fn recap(pizza: &Pizza, price: Option<Money>) -> Speech {
    match price {
        Some(price) => say(
            "skill-recap-priced",
            &[("pizza", pizza_words(pizza)), ("price", i18n::money_spoken(locale(), &price).into())],
        ),
        None => say("skill-recap", &[("pizza", pizza_words(pizza))]),
    }
}

pub fn ask_send_code() -> Speech {
    said("skill-ask-send-code")
}

/// No to the recap: nothing was stored or sent.
pub fn what_to_change() -> Speech {
    said("skill-what-to-change")
}

pub fn ask_what_to_change() -> Speech {
    said("skill-ask-what-to-change")
}

/// A yes or no back with a stage that does not parse: nothing is done.
pub fn lost_track() -> Speech {
    said("skill-lost-track")
}

/// Yes when nothing was asked.
pub fn nothing_to_confirm() -> Speech {
    said("skill-nothing-to-confirm")
}

/// No when nothing was asked.
pub fn nothing_to_refuse() -> Speech {
    said("skill-nothing-to-refuse")
}

/// "Repeat that" when nothing was said yet in this session.
pub fn nothing_to_repeat() -> Speech {
    said("skill-nothing-to-repeat")
}

pub fn ask_cancel(order: &Order) -> Speech {
    say("skill-ask-cancel", &[("pizza", pizza_words(&order.pizza))])
}

pub fn ask_cancel_again() -> Speech {
    said("skill-ask-cancel-again")
}

pub fn cancelled(order: &Order) -> Speech {
    say("skill-cancelled", &[("pizza", pizza_words(&order.pizza))])
}

pub fn kept_order() -> Speech {
    said("skill-kept-order")
}

pub fn nothing_to_cancel() -> Speech {
    said("skill-nothing-to-cancel")
}

/// The order to cancel is no longer pending (confirmed, expired, or replaced meanwhile).
pub fn cancel_too_late() -> Speech {
    said("skill-cancel-too-late")
}

pub fn cancel_failed() -> Speech {
    said("skill-cancel-failed")
}

pub fn status_failed() -> Speech {
    said("skill-status-failed")
}

pub fn no_orders() -> Speech {
    said("skill-no-orders")
}

/// "3 minutes ago", "just now", "2 hours ago", "4 days ago".
pub fn ago(then: Timestamp, now: Timestamp) -> String {
    let seconds = then.seconds_until(now);
    let minutes = (seconds / 60) as u32;
    match minutes {
        0 => words("skill-ago-now", &[]),
        1..=89 => words("skill-ago-minutes", &[("n", minutes.into())]),
        90..=2159 => words("skill-ago-hours", &[("n", ((minutes + 30) / 60).into())]),
        _ => words("skill-ago-days", &[("n", ((minutes + 720) / 1440).into())]),
    }
}

/// The latest order, with its state and when, spoken at `now`.
pub fn order_status(order: &Order, now: Timestamp) -> Speech {
    let pizza = pizza_words(&order.pizza);
    let placed = || ("placed", Arg::from(ago(order.created_at, now)));
    let changed = || ("changed", Arg::from(ago(order.updated_at, now)));
    match order.status_at(now) {
        OrderStatus::PendingConfirmation => say("skill-status-pending", &[("pizza", pizza), placed()]),
        OrderStatus::Confirmed => say("skill-status-confirmed", &[("pizza", pizza), changed()]),
        OrderStatus::Cancelled => say("skill-status-cancelled", &[("pizza", pizza), changed()]),
        OrderStatus::Expired => say("skill-status-expired", &[("pizza", pizza), placed()]),
        OrderStatus::Locked => say("skill-status-locked", &[("pizza", pizza), changed()]),
    }
}

/// Help while a recap waits for yes or no.
pub fn help_recap() -> Speech {
    said("skill-help-recap")
}

/// Help while the pending order waits for its code.
pub fn help_code() -> Speech {
    said("skill-help-code")
}

/// Help just after a wrong code.
pub fn help_code_refused() -> Speech {
    said("skill-help-code-refused")
}

/// Help while "shall I cancel" waits for yes or no.
pub fn help_cancel() -> Speech {
    said("skill-help-cancel")
}

pub fn help() -> Speech {
    said("skill-help")
}

pub fn goodbye() -> Speech {
    said("skill-goodbye")
}

pub fn fallback() -> Speech {
    said("skill-fallback")
}

pub fn link_account() -> Speech {
    said("skill-link-account")
}

pub fn ask_size() -> Speech {
    say("skill-ask-size", &[("sizes", sizes().into())])
}

pub fn unknown_size(heard: &str) -> Speech {
    say("skill-unknown-size", &[("heard", heard.into()), ("sizes", sizes().into())])
}

pub fn unknown_toppings(unknown: &[String]) -> Speech {
    let named = i18n::list_or(locale(), unknown);
    say("skill-unknown-toppings", &[("unknown", named.into()), ("toppings", topping_menu().into())])
}

pub fn ask_toppings() -> Speech {
    say("skill-ask-toppings", &[("toppings", topping_menu().into())])
}

pub fn order_placed(placed: &PlacedOrder) -> (Speech, Speech) {
    let order = &placed.order;
    let minutes = (order.challenge.expires_at.unix_seconds() - order.challenge.sent_at.unix_seconds()).max(60) / 60;
    let to = &order.challenge.destination;
    let mut said = say("skill-order-placed", &[("pizza", pizza_words(&order.pizza))]);
    if placed.superseded.is_some() {
        said = said.text(" ").then(self::said("skill-order-replaces"));
    }
    said = said.text(" ").then(say_to("skill-code-sent", &[("minutes", minutes.into())], to));
    if placed.guesses_before_lock == 1 {
        said = said.text(" ").then(one_more_locks());
    }
    (said, say_to("skill-code-sent-reprompt", &[], to))
}

/// A new code for the same order: where it went, and that the earlier one no longer works.
pub fn code_sent_again(order: &Order, guesses_before_lock: u32) -> (Speech, Speech) {
    let args = [("pizza", pizza_words(&order.pizza))];
    let mut said = say_to("skill-code-sent-again", &args, &order.challenge.destination);
    if guesses_before_lock == 1 {
        said = said.text(" ").then(one_more_locks());
    }
    (said, self::said("skill-code-sent-again-reprompt"))
}

/// Pod's own codes belong to their order: a new code comes with a new order.
pub fn order_again_for_a_code() -> Speech {
    said("skill-order-again-for-a-code")
}

pub fn resend_failed() -> Speech {
    said("skill-resend-failed")
}

fn one_more_locks() -> Speech {
    said("skill-one-more-locks")
}

/// "15 minutes", "4 hours", "1 day" (rounded up).
fn how_long(now: Timestamp, until: Timestamp) -> String {
    let minutes = now.seconds_until(until).div_ceil(60).max(1) as u32;
    match minutes {
        0..=90 => words("skill-for-minutes", &[("n", minutes.into())]),
        91..=2160 => words("skill-for-hours", &[("n", minutes.div_ceil(60).into())]),
        _ => words("skill-for-days", &[("n", minutes.div_ceil(1440).into())]),
    }
}

fn where_to_unlock(web_app: Option<&str>) -> Speech {
    match web_app {
        Some(_) => said("skill-where-to-unlock-card"),
        None => said("skill-where-to-unlock"),
    }
}

/// An order or a code while voice ordering is paused or locked: nothing was sent or checked.
pub fn blocked(blocked: Blocked, now: Timestamp, web_app: Option<&str>) -> Speech {
    let said = match blocked {
        Blocked::Paused { until } => say("skill-blocked-paused", &[("how-long", how_long(now, until).into())]),
        Blocked::Locked => self::said("skill-blocked-locked"),
    };
    said.text(" ").then(where_to_unlock(web_app))
}

/// The wrong code that paused or locked voice ordering.
/// `owner_told`: whether a notice went to the account owner (notices can be off).
pub fn wrong_code_blocked(account: IfWrong, now: Timestamp, web_app: Option<&str>, owner_told: bool) -> Speech {
    let said = match account {
        IfWrong::Paused { until, before_lock } => {
            let id = if owner_told { "skill-wrong-code-paused-told" } else { "skill-wrong-code-paused" };
            let said = say(id, &[("how-long", how_long(now, until).into())]);
            if before_lock == 1 { said.text(" ").then(one_more_locks()) } else { said }
        }
        IfWrong::Locked | IfWrong::Open => {
            self::said(if owner_told { "skill-wrong-code-locked-told" } else { "skill-wrong-code-locked" })
        }
    };
    said.text(" ").then(where_to_unlock(web_app))
}

/// No verified phone or email: nothing was stored or sent.
pub fn no_contact(web_app: Option<&str>) -> Speech {
    let said = said("skill-no-contact");
    if web_app.is_some() { said.text(" ").then(self::said("skill-no-contact-card")) } else { said }
}

pub fn too_many_codes(retry_after_seconds: u64) -> Speech {
    let minutes = retry_after_seconds.div_ceil(60).max(1) as u32;
    say("skill-too-many-codes", &[("minutes", minutes.into())])
}

pub fn order_failed() -> Speech {
    said("skill-order-failed")
}

pub fn code_missing() -> Speech {
    said("skill-code-missing")
}

pub fn code_not_understood() -> Speech {
    said("skill-code-not-understood")
}

pub fn ask_code() -> Speech {
    said("skill-ask-code")
}

pub fn confirmed(order: &Order) -> Speech {
    say("skill-confirmed", &[("pizza", pizza_words(&order.pizza))])
}

pub fn wrong_code(tries_left: u32) -> Speech {
    say("skill-wrong-code", &[("tries", tries_left.into())])
}

pub fn locked() -> Speech {
    said("skill-locked")
}

pub fn expired() -> Speech {
    said("skill-expired")
}

pub fn no_pending_order() -> Speech {
    said("skill-no-pending-order")
}

pub fn wrong_state(state: TransitionError) -> Speech {
    said(match state {
        TransitionError::NotPending(status) => match status.name() {
            "confirmed" => "skill-state-confirmed",
            "locked" => "skill-state-locked",
            "expired" => "skill-state-expired",
            _ => "skill-state-cancelled",
        },
        TransitionError::ChallengeExpired => "skill-state-challenge-expired",
        TransitionError::AttemptsExhausted => "skill-state-attempts-exhausted",
        TransitionError::ChallengeStillValid => "skill-state-still-valid",
        TransitionError::AwaitsVoicePin => "skill-state-awaits-voice-pin",
    })
}

pub fn contact_changed() -> Speech {
    said("skill-contact-changed")
}

pub fn check_failed() -> Speech {
    said("skill-check-failed")
}

/// Another delivery of the same request is being answered and its answer did not come in time.
pub fn still_working() -> Speech {
    said("skill-still-working")
}

/// A repeated request whose first answer cannot be said again.
pub fn already_handled() -> Speech {
    said("skill-already-handled")
}

pub fn too_slow() -> Speech {
    said("skill-too-slow")
}

/// The progressive response while a code is being sent.
pub fn one_moment() -> Speech {
    said("skill-one-moment")
}

/// After a confirmation: where the receipt is (the card this answer adds).
pub fn receipt_in_app(said: Speech) -> Speech {
    said.text(" ").then(self::said("skill-receipt-in-app"))
}

/// The title of the receipt's card in the Alexa app.
pub fn receipt_card_title() -> String {
    words("skill-receipt-card-title", &[])
}

/// The title of the skill's other cards.
pub fn card_title() -> String {
    words("skill-name", &[])
}

// The voice PIN (STEP_UP=voice_pin or voice_pin_or_code): Alexa's own PIN check confirms the order.

/// The recap when Alexa's voice PIN confirms the order (nothing is stored or sent yet).
pub fn recap_for_voice_pin(pizza: &Pizza, price: Option<Money>) -> Speech {
    match price {
        Some(price) => say(
            "skill-recap-voice-pin-priced",
            &[("pizza", pizza_words(pizza)), ("price", i18n::money_spoken(locale(), &price).into())],
        ),
        None => say("skill-recap-voice-pin", &[("pizza", pizza_words(pizza))]),
    }
}

pub fn ask_place_with_voice_pin() -> Speech {
    said("skill-ask-place-with-voice-pin")
}

/// A wrong voice PIN: counted like a wrong code; the order stays pending with `tries_left`.
pub fn voice_pin_not_confirmed(tries_left: u32) -> Speech {
    say("skill-voice-pin-not-confirmed", &[("tries", tries_left.into())])
}

pub fn ask_voice_pin_again() -> Speech {
    said("skill-ask-voice-pin-again")
}

pub fn help_voice_pin_refused() -> Speech {
    said("skill-help-voice-pin-refused")
}

/// No to asking for the PIN again: the order stays unconfirmed and runs out on its own.
pub fn voice_pin_not_asked_again() -> Speech {
    said("skill-voice-pin-not-asked-again")
}

/// Yes to asking again, but the order no longer waits for a voice PIN.
pub fn voice_pin_order_gone() -> Speech {
    said("skill-voice-pin-order-gone")
}

/// The check came back after the order's time ran out.
pub fn voice_pin_too_late() -> Speech {
    said("skill-voice-pin-too-late")
}

/// The check names no order of this user's waiting for a voice PIN.
pub fn voice_pin_not_for_this_order() -> Speech {
    said("skill-voice-pin-not-for-this-order")
}

/// `STEP_UP=voice_pin` and the user has no voice ID or PIN (or the skill lacks personalization).
pub fn voice_pin_not_set_up() -> Speech {
    said("skill-voice-pin-not-set-up")
}

/// `STEP_UP=voice_pin_or_code` and the user has no voice ID or PIN: a code went out instead
/// (said before what the code's answer says).
pub fn no_voice_pin_so_a_code() -> Speech {
    said("skill-no-voice-pin-so-a-code").text(" ")
}

/// Alexa could not check the PIN (an unexpected status or result): nothing changed.
pub fn voice_pin_unchecked() -> Speech {
    said("skill-voice-pin-unchecked")
}

/// The words of an answer's speech, for tests.
#[cfg(test)]
pub(crate) fn plain_of(answer: &pod_shared::alexa::ResponseEnvelope) -> String {
    answer.speech_ssml().and_then(Speech::from_ssml).map(|said| said.plain()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recap_names_the_items_the_seller_the_delivery_and_a_price_when_there_is_one() {
        use pod_shared::domain::Toppings;
        let pizza =
            Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni, Topping::Mushrooms]).unwrap() };
        assert_eq!(
            recap(&pizza, None).plain(),
            "One large pizza with pepperoni and mushrooms from Pizza on Demand, \
             delivered to the address on your account. Shall I send your code?"
        );
        assert_eq!(
            recap(&pizza, Some(Money::new(1750, pod_shared::domain::Currency::Usd))).plain(),
            "One large pizza with pepperoni and mushrooms from Pizza on Demand, 17 dollars 50, \
             delivered to the address on your account. Shall I send your code?"
        );
    }

    #[test]
    fn how_long_ago_is_said_in_whole_minutes_hours_or_days() {
        let now = Timestamp::from_unix_millis(1_800_000_000_000);
        let before = |seconds: i64| Timestamp::from_unix_millis(1_800_000_000_000 - seconds * 1000);
        assert_eq!(ago(before(0), now), "just now");
        assert_eq!(ago(before(59), now), "just now");
        assert_eq!(ago(before(60), now), "1 minute ago");
        assert_eq!(ago(before(3 * 60 + 59), now), "3 minutes ago");
        assert_eq!(ago(before(89 * 60), now), "89 minutes ago");
        assert_eq!(ago(before(90 * 60), now), "2 hours ago");
        assert_eq!(ago(before(5 * 3600), now), "5 hours ago");
        assert_eq!(ago(before(36 * 3600), now), "2 days ago");
        assert_eq!(ago(now.plus(std::time::Duration::from_secs(60)), now), "just now", "a clock ahead is now");
    }

    #[test]
    fn lists_are_spoken_with_commas_and_a_conjunction() {
        assert_eq!(i18n::list_or::<&str>(Locale::EnUs, &[]), "");
        assert_eq!(i18n::list_or(Locale::EnUs, &["bacon"]), "bacon");
        assert_eq!(i18n::list_or(Locale::EnUs, &["bacon", "onions"]), "bacon or onions");
        assert_eq!(sizes(), "small, medium, large or jumbo");
        assert!(topping_menu().ends_with("spinach and chicken"));
        in_locale_sync(Locale::DeDe, || {
            assert_eq!(sizes(), "klein, mittel, groß oder Jumbo");
            assert!(topping_menu().ends_with("Spinat und Hähnchen"), "{}", topping_menu());
        });
    }

    #[test]
    fn german_is_spoken_in_a_german_request() {
        use pod_shared::domain::{Currency, Toppings};
        let pizza =
            Pizza { size: Size::Large, toppings: Toppings::new(vec![Topping::Pepperoni, Topping::Mushrooms]).unwrap() };
        in_locale_sync(Locale::DeDe, || {
            assert_eq!(
                recap(&pizza, Some(Money::new(1650, Currency::Eur))).plain(),
                "Eine große Pizza mit Salami und Champignons von Pizza on Demand, 16 Euro 50, \
                 geliefert an die Adresse in Ihrem Konto. Soll ich Ihnen den Code schicken?"
            );
            let now = Timestamp::from_unix_millis(1_800_000_000_000);
            assert_eq!(ago(now, now.plus(std::time::Duration::from_secs(60))), "vor einer Minute");
            assert_eq!(ago(now, now.plus(std::time::Duration::from_secs(3 * 3600))), "vor 3 Stunden");
            assert_eq!(
                wrong_code(1).plain(),
                "Dieser Code ist nicht richtig. Sie haben noch einen Versuch. \
                 Wie lautet der Code, den ich Ihnen geschickt habe?"
            );
        });
    }

    #[test]
    fn a_phone_s_digits_are_read_one_by_one_in_every_locale() {
        let to = MaskedDestination::Phone { last_digits: "21".into() };
        let ssml = say_to("skill-code-sent-reprompt", &[], &to).ssml();
        assert!(ssml.contains("your phone ending in <say-as interpret-as=\"digits\">21</say-as>."), "{ssml}");
        let ssml = in_locale_sync(Locale::DeDe, || say_to("skill-code-sent-reprompt", &[], &to).ssml());
        assert!(
            ssml.contains("an Ihr Handy mit der Endung <say-as interpret-as=\"digits\">21</say-as> geschickt"),
            "{ssml}"
        );
        let ssml = in_locale_sync(Locale::EnGb, || say_to("skill-code-sent-reprompt", &[], &to).ssml());
        assert!(ssml.contains("your mobile ending in <say-as"), "{ssml}");
    }
}
