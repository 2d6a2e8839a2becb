//! Everything the skill says, in one place.

use pod_shared::alexa::Speech;
use pod_shared::domain::{
    Blocked, IfWrong, MaskedDestination, Order, OrderStatus, Pizza, Size, Timestamp, Topping, TransitionError,
};
use pod_shared::service::PlacedOrder;

pub const SKILL_NAME: &str = "Pizza on Demand";

/// "a", "a or b", "a, b or c" (with `conjunction` "or").
fn spoken_list<S: AsRef<str>>(items: &[S], conjunction: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.as_ref().to_string(),
        Some((last, init)) => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {conjunction} {}", init.join(", "), last.as_ref())
        }
    }
}

/// "pepperoni, mushrooms, … and chicken".
pub fn topping_menu() -> String {
    spoken_list(&Topping::ALL.map(Topping::name), "and")
}

fn sizes() -> String {
    spoken_list(&Size::ALL.map(Size::name), "or")
}

fn destination(speech: Speech, destination: &MaskedDestination) -> Speech {
    match destination {
        MaskedDestination::Phone { last_digits } => speech.text("your phone ending in ").digits(last_digits),
        MaskedDestination::Email { domain, .. } => speech.text(&format!("your email address at {domain}")),
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") }
}

pub fn welcome() -> Speech {
    Speech::new().text(&format!(
        "Welcome to {SKILL_NAME}. You can say: get me a large pizza with pepperoni. What would you like?"
    ))
}

pub fn what_to_say() -> Speech {
    Speech::new().text("You can say: get me a pizza, or authorize order, followed by your code.")
}

/// Before any code is sent: the seller, the items, the delivery and the total, and the question.
/// `price`: the total as people say it in the user's locale, once the menu has prices.
pub fn recap(pizza: &Pizza, price: Option<Speech>) -> Speech {
    let mut said = Speech::new().text(&format!("One {} from {SKILL_NAME}, ", pizza.describe()));
    if let Some(price) = price {
        said = said.then(price).text(", ");
    }
    said.text("delivered to the address on your account. Shall I send your code?")
}

pub fn ask_send_code() -> Speech {
    Speech::new().text("Shall I send your code? Please say yes or no.")
}

/// No to the recap: nothing was stored or sent.
pub fn what_to_change() -> Speech {
    Speech::new().text(
        "Okay, I haven't sent a code or placed anything. What would you like to change? \
         You can say, for example: make it a medium pizza with onions.",
    )
}

pub fn ask_what_to_change() -> Speech {
    Speech::new().text("What would you like instead? For example: make it a medium pizza with onions.")
}

/// A yes or no back with a stage that does not parse: nothing is done.
pub fn lost_track() -> Speech {
    Speech::new().text("Sorry, I lost track of your order, so I haven't sent anything. What would you like to order?")
}

/// Yes when nothing was asked.
pub fn nothing_to_confirm() -> Speech {
    Speech::new().text("There's nothing waiting for a yes right now. You can say: get me a large pizza with pepperoni.")
}

/// No when nothing was asked.
pub fn nothing_to_refuse() -> Speech {
    Speech::new().text("Okay. What would you like? You can say: get me a pizza.")
}

/// "Repeat that" when nothing was said yet in this session.
pub fn nothing_to_repeat() -> Speech {
    Speech::new().text("I haven't said anything yet to repeat. What would you like?")
}

pub fn ask_cancel(order: &Order) -> Speech {
    Speech::new()
        .text(&format!("Shall I cancel your order of a {} that is waiting for its code?", order.pizza.describe()))
}

pub fn ask_cancel_again() -> Speech {
    Speech::new().text("Shall I cancel your order? Please say yes or no.")
}

pub fn cancelled(order: &Order) -> Speech {
    Speech::new()
        .text(&format!("Okay, I've cancelled your order of a {}. Its code no longer works.", order.pizza.describe()))
}

pub fn kept_order() -> Speech {
    Speech::new().text(
        "Okay, your order is still waiting for its code. To confirm it, say: authorize order, followed by the code.",
    )
}

pub fn nothing_to_cancel() -> Speech {
    Speech::new()
        .text("You have no order waiting for its code, so there is nothing to cancel. To order, say: get me a pizza.")
}

/// The order to cancel is no longer pending (confirmed, expired, or replaced meanwhile).
pub fn cancel_too_late() -> Speech {
    Speech::new().text("That order is no longer waiting for its code, so I didn't cancel anything. Ask me for your order status to hear where it is.")
}

pub fn cancel_failed() -> Speech {
    Speech::new().text("Sorry, I couldn't cancel your order just now. It is unchanged; please try again in a moment.")
}

pub fn status_failed() -> Speech {
    Speech::new().text("Sorry, I couldn't look up your order just now. Please try again in a moment.")
}

pub fn no_orders() -> Speech {
    Speech::new().text("You haven't ordered anything yet. To order, say: get me a pizza.")
}

/// "3 minutes ago", "just now", "2 hours ago", "4 days ago".
pub fn ago(then: Timestamp, now: Timestamp) -> String {
    let seconds = then.seconds_until(now);
    let minutes = (seconds / 60) as u32;
    match minutes {
        0 => "just now".into(),
        1..=89 => format!("{} ago", plural(minutes, "minute", "minutes")),
        90..=2159 => format!("{} ago", plural((minutes + 30) / 60, "hour", "hours")),
        _ => format!("{} ago", plural((minutes + 720) / 1440, "day", "days")),
    }
}

/// The latest order, with its state and when, spoken at `now`.
pub fn order_status(order: &Order, now: Timestamp) -> Speech {
    let what = order.pizza.describe();
    let placed = ago(order.created_at, now);
    let changed = ago(order.updated_at, now);
    let text = match order.status_at(now) {
        OrderStatus::PendingConfirmation => format!(
            "Your latest order, a {what}, placed {placed}, is waiting for its code. \
             To confirm it, say: authorize order, followed by the code."
        ),
        OrderStatus::Confirmed => format!("Your latest order, a {what}, was confirmed {changed} and is on its way."),
        OrderStatus::Cancelled => format!("Your latest order, a {what}, was cancelled {changed}."),
        OrderStatus::Expired => {
            format!("Your latest order, a {what}, placed {placed}, expired before its code was given.")
        }
        OrderStatus::Locked => format!("Your latest order, a {what}, was locked {changed} after too many wrong codes."),
    };
    Speech::new().text(&text)
}

/// Help while a recap waits for yes or no.
pub fn help_recap() -> Speech {
    Speech::new().text(
        "I've read out your order and I'm waiting to hear whether to send your confirmation code. \
         Say yes to send it, or no to change the order.",
    )
}

/// Help while the pending order waits for its code.
pub fn help_code() -> Speech {
    Speech::new().text(
        "Your order is waiting for the code I sent you. Say: authorize order, followed by the code. \
         If it hasn't arrived, say: send the code again. To drop the order, say: cancel my order.",
    )
}

/// Help just after a wrong code.
pub fn help_code_refused() -> Speech {
    Speech::new().text(
        "The last code you gave wasn't right. Check the latest message I sent you, then say: \
         authorize order, followed by its digits. Or say: send the code again.",
    )
}

/// Help while "shall I cancel" waits for yes or no.
pub fn help_cancel() -> Speech {
    Speech::new().text("Say yes to cancel your order, or no to keep it.")
}

pub fn help() -> Speech {
    Speech::new().text(
        "To order, say something like: get me a large pizza with pepperoni and mushrooms. \
         I will send a code to your phone, or to your email if you have no phone on file. \
         Then say: authorize order, followed by the code. You can also ask: what's the status of my order, \
         or say: cancel my order. What would you like?",
    )
}

pub fn goodbye() -> Speech {
    Speech::new().text("Okay. Goodbye!")
}

pub fn fallback() -> Speech {
    Speech::new().text(&format!(
        "Sorry, {SKILL_NAME} can't help with that. You can order a pizza, or authorize an order with your code."
    ))
}

pub fn link_account() -> Speech {
    Speech::new().text(&format!(
        "To order with {SKILL_NAME}, please link your account first. \
         Open the Alexa app, where I've put a card to link your account."
    ))
}

pub fn ask_size() -> Speech {
    Speech::new().text(&format!("What size would you like: {}?", sizes()))
}

pub fn unknown_size(heard: &str) -> Speech {
    Speech::new()
        .text(&format!("Sorry, we don't make a {heard} pizza. We make {}. Which size would you like?", sizes()))
}

pub fn unknown_toppings(unknown: &[String]) -> Speech {
    let named = spoken_list(unknown, "or");
    Speech::new().text(&format!(
        "Sorry, we don't have {named}. Our toppings are {}. Which toppings would you like?",
        topping_menu()
    ))
}

pub fn ask_toppings() -> Speech {
    Speech::new().text(&format!("Which toppings would you like? We have {}.", topping_menu()))
}

pub fn order_placed(placed: &PlacedOrder) -> (Speech, Speech) {
    let order = &placed.order;
    let minutes = (order.challenge.expires_at.unix_seconds() - order.challenge.sent_at.unix_seconds()).max(60) / 60;
    let mut said = Speech::new().text(&format!("Your {} is waiting for confirmation. ", order.pizza.describe()));
    if placed.superseded.is_some() {
        said = said.text("It replaces your earlier order that was not confirmed, which I cancelled. ");
    }
    said = destination(said.text("I sent a code to "), &order.challenge.destination);
    said = said.text(&format!(
        ". It expires in {}. To confirm, say: authorize order, followed by the code.",
        plural(minutes as u32, "minute", "minutes")
    ));
    if placed.guesses_before_lock == 1 {
        said = said.text(&format!(" {}", one_more_locks()));
    }
    let reprompt = destination(
        Speech::new().text("To confirm, say: authorize order, followed by the code I sent to "),
        &order.challenge.destination,
    )
    .text(".");
    (said, reprompt)
}

/// A new code for the same order: where it went, and that the earlier one no longer works.
pub fn code_sent_again(order: &Order, guesses_before_lock: u32) -> (Speech, Speech) {
    let mut said = destination(Speech::new().text("I've sent a new code to "), &order.challenge.destination);
    said = said.text(&format!(
        " for your {}. The earlier code no longer works. To confirm, say: authorize order, followed by the new code.",
        order.pizza.describe()
    ));
    if guesses_before_lock == 1 {
        said = said.text(&format!(" {}", one_more_locks()));
    }
    let reprompt = Speech::new().text("To confirm, say: authorize order, followed by the new code.");
    (said, reprompt)
}

/// Pod's own codes belong to their order: a new code comes with a new order.
pub fn order_again_for_a_code() -> Speech {
    Speech::new().text(
        "I can't send another code for this order. To get a new code, order again: say, get me a pizza, \
         and I'll replace the waiting order.",
    )
}

pub fn resend_failed() -> Speech {
    Speech::new().text(
        "Sorry, I couldn't send a new code just now. Your order is still waiting for its code; \
         please try again in a moment.",
    )
}

fn one_more_locks() -> &'static str {
    "Careful: one more wrong code will lock voice ordering until the account owner unlocks it in the web app."
}

/// "15 minutes", "4 hours", "1 day" (rounded up).
fn how_long(now: Timestamp, until: Timestamp) -> String {
    let minutes = now.seconds_until(until).div_ceil(60).max(1) as u32;
    match minutes {
        0..=90 => plural(minutes, "minute", "minutes"),
        91..=2160 => plural(minutes.div_ceil(60), "hour", "hours"),
        _ => plural(minutes.div_ceil(1440), "day", "days"),
    }
}

fn where_to_unlock(web_app: Option<&str>) -> String {
    match web_app {
        Some(_) => "The account owner can see what happened, and unlock it, in the Pizza on Demand web app; \
                    I've put its address on a card in your Alexa app."
            .into(),
        None => "The account owner can see what happened, and unlock it, in the Pizza on Demand web app.".into(),
    }
}

/// An order or a code while voice ordering is paused or locked: nothing was sent or checked.
pub fn blocked(blocked: Blocked, now: Timestamp, web_app: Option<&str>) -> Speech {
    let text = match blocked {
        Blocked::Paused { until } => format!(
            "Voice ordering is paused for the next {} because of too many wrong codes, \
             so I can't send or check a code now. {}",
            how_long(now, until),
            where_to_unlock(web_app)
        ),
        Blocked::Locked => format!(
            "Voice ordering is locked because of too many wrong codes, so I can't send or check a code. {}",
            where_to_unlock(web_app)
        ),
    };
    Speech::new().text(&text)
}

/// The wrong code that paused or locked voice ordering.
/// `owner_told`: whether a notice went to the account owner (notices can be off).
pub fn wrong_code_blocked(account: IfWrong, now: Timestamp, web_app: Option<&str>, owner_told: bool) -> Speech {
    let told = if owner_told { " and told the account owner" } else { "" };
    let text = match account {
        IfWrong::Paused { until, before_lock } => {
            let warning = if before_lock == 1 { format!(" {}", one_more_locks()) } else { String::new() };
            format!(
                "That code isn't right. There have been too many wrong codes, so to keep the account safe \
                 I've paused voice ordering for the next {}{told}.{warning} {}",
                how_long(now, until),
                where_to_unlock(web_app)
            )
        }
        IfWrong::Locked | IfWrong::Open { .. } => format!(
            "That code isn't right. There have been too many wrong codes, so to keep the account safe \
             I've locked voice ordering{told}. {}",
            where_to_unlock(web_app)
        ),
    };
    Speech::new().text(&text)
}

/// No verified phone or email: nothing was stored or sent.
pub fn no_contact(web_app: Option<&str>) -> Speech {
    let card = if web_app.is_some() { " I've put its address on a card in your Alexa app." } else { "" };
    Speech::new().text(&format!(
        "I can only send a confirmation code to a phone number or email address that has been verified, \
         and your account has none yet. Please verify a phone or email in the Pizza on Demand web app, \
         then order again.{card}"
    ))
}

pub fn too_many_codes(retry_after_seconds: u64) -> Speech {
    let minutes = retry_after_seconds.div_ceil(60).max(1) as u32;
    Speech::new().text(&format!(
        "I've sent you several codes in the last hour, so to keep your account safe I can't send another yet. \
         Please try again in {}.",
        plural(minutes, "minute", "minutes")
    ))
}

pub fn order_failed() -> Speech {
    Speech::new().text("Sorry, I couldn't send your confirmation code just now, so your order was not placed. Please try again in a moment.")
}

pub fn code_missing() -> Speech {
    Speech::new().text("I didn't hear a code. What is the code I sent you?")
}

pub fn code_not_understood() -> Speech {
    Speech::new().text("Sorry, I didn't understand that code. Please say its digits, for example: four two one seven.")
}

pub fn ask_code() -> Speech {
    Speech::new().text("What is the code I sent you?")
}

pub fn confirmed(order: &Order) -> Speech {
    Speech::new().text(&format!("Order confirmed! Your {} is on its way.", order.pizza.describe()))
}

pub fn wrong_code(tries_left: u32) -> Speech {
    Speech::new().text(&format!(
        "That code isn't right. You have {} left. What is the code I sent you?",
        plural(tries_left, "try", "tries")
    ))
}

pub fn locked() -> Speech {
    Speech::new().text(
        "That code was wrong too many times, so I've locked this order to keep your account safe. \
         To try again, place a new order and I'll send a new code.",
    )
}

pub fn expired() -> Speech {
    Speech::new().text("That code has expired, so the order was not confirmed. Order again and I'll send a new code.")
}

pub fn no_pending_order() -> Speech {
    Speech::new().text("You have no order waiting for confirmation. To order, say: get me a pizza.")
}

pub fn wrong_state(state: TransitionError) -> Speech {
    let text = match state {
        TransitionError::NotPending(status) => match status.name() {
            "confirmed" => "That order is already confirmed.",
            "locked" => "That order is locked after too many wrong codes. Please place a new order.",
            "expired" => "That order's code has expired. Please place a new order.",
            _ => "That order was cancelled. Please place a new order.",
        },
        TransitionError::ChallengeExpired => "That code has expired. Please place a new order.",
        TransitionError::AttemptsExhausted => "That order is locked after too many wrong codes.",
        TransitionError::ChallengeStillValid => "That order is still waiting for its code.",
        TransitionError::AwaitsVoicePin => "That order is confirmed with your voice PIN, not a code.",
    };
    Speech::new().text(text)
}

pub fn contact_changed() -> Speech {
    Speech::new().text("Your phone number or email address changed since I sent the code. Please order again.")
}

pub fn check_failed() -> Speech {
    Speech::new().text("Sorry, I couldn't check your code just now. Nothing was used up; please try again in a moment.")
}

/// Another delivery of the same request is being answered and its answer did not come in time.
pub fn still_working() -> Speech {
    Speech::new().text("I'm still working on that request. Please wait a moment, then ask again if you need to.")
}

/// A repeated request whose first answer cannot be said again.
pub fn already_handled() -> Speech {
    Speech::new().text("I've already handled that request, but I can't repeat what I said. Please ask me again.")
}

pub fn too_slow() -> Speech {
    Speech::new().text("Sorry, that took too long. Please try again in a moment.")
}

/// The progressive response while a code is being sent.
pub fn one_moment() -> Speech {
    Speech::new().text("One moment while I send your code.")
}

/// After a confirmation: where the receipt is (the card this answer adds).
pub fn receipt_in_app(said: Speech) -> Speech {
    said.text(" Your receipt is in the Alexa app.")
}

// The voice PIN (STEP_UP=voice_pin or voice_pin_or_code): Alexa's own PIN check confirms the order.

/// The recap when Alexa's voice PIN confirms the order (nothing is stored or sent yet).
pub fn recap_for_voice_pin(pizza: &Pizza, price: Option<Speech>) -> Speech {
    let mut said = Speech::new().text(&format!("One {} from {SKILL_NAME}, ", pizza.describe()));
    if let Some(price) = price {
        said = said.then(price).text(", ");
    }
    said.text("delivered to the address on your account. Shall I place it? I'll ask for your voice PIN.")
}

pub fn ask_place_with_voice_pin() -> Speech {
    Speech::new().text("Shall I place it and ask for your voice PIN? Please say yes or no.")
}

/// A wrong voice PIN: counted like a wrong code; the order stays pending with `tries_left`.
pub fn voice_pin_not_confirmed(tries_left: u32) -> Speech {
    Speech::new().text(&format!(
        "Your voice PIN was not confirmed, so your order is not confirmed. You have {} left. \
         Shall I ask for your voice PIN again?",
        plural(tries_left, "try", "tries")
    ))
}

pub fn ask_voice_pin_again() -> Speech {
    Speech::new().text("Shall I ask for your voice PIN again? Please say yes or no.")
}

pub fn help_voice_pin_refused() -> Speech {
    Speech::new().text(
        "Your voice PIN was not confirmed, so your order is waiting. Say yes and Alexa asks for your voice PIN \
         again, or no to leave the order unconfirmed.",
    )
}

/// No to asking for the PIN again: the order stays unconfirmed and runs out on its own.
pub fn voice_pin_not_asked_again() -> Speech {
    Speech::new().text("Okay. Your order is not confirmed, and it expires on its own in a few minutes.")
}

/// Yes to asking again, but the order no longer waits for a voice PIN.
pub fn voice_pin_order_gone() -> Speech {
    Speech::new().text("That order is no longer waiting for your voice PIN. To order, say: get me a pizza.")
}

/// The check came back after the order's time ran out.
pub fn voice_pin_too_late() -> Speech {
    Speech::new()
        .text("Your order expired before your voice PIN was checked, so it was not confirmed. Please order again.")
}

/// The check names no order of this user's waiting for a voice PIN.
pub fn voice_pin_not_for_this_order() -> Speech {
    Speech::new()
        .text("That voice PIN check was not for an order of yours waiting for confirmation, so nothing was confirmed.")
}

/// `STEP_UP=voice_pin` and the user has no voice ID or PIN (or the skill lacks personalization).
pub fn voice_pin_not_set_up() -> Speech {
    Speech::new().text(&format!(
        "To confirm orders with your voice, set up a voice ID and a voice PIN for {SKILL_NAME} in the Alexa app, \
         then order again. I did not place this order."
    ))
}

/// `STEP_UP=voice_pin_or_code` and the user has no voice ID or PIN: a code went out instead.
pub fn no_voice_pin_so_a_code() -> Speech {
    Speech::new().text("You have no voice PIN set up, so I sent a code instead. ")
}

/// Alexa could not check the PIN (an unexpected status or result): nothing changed.
pub fn voice_pin_unchecked() -> Speech {
    Speech::new().text("I couldn't check your voice PIN, so your order is not confirmed. Please try again in a moment.")
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
            recap(&pizza, Some(Speech::new().text("17 dollars 50"))).plain(),
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
        assert_eq!(spoken_list::<&str>(&[], "or"), "");
        assert_eq!(spoken_list(&["bacon"], "or"), "bacon");
        assert_eq!(spoken_list(&["bacon", "onions"], "or"), "bacon or onions");
        assert_eq!(sizes(), "small, medium, large or jumbo");
        assert!(topping_menu().ends_with("spinach and chicken"));
    }
}
