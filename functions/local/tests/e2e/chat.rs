//! `pod-local chat` plays the seed's conversation from a script.

use crate::helpers::{TestStack, repo_root};
use pod_local::chat::Chat;
use pod_shared::alexa::InteractionModel;

/// The interaction model the skill is built with.
fn model() -> InteractionModel {
    let model_path = repo_root().join("alexa-model/interactionModels/custom/en-US.json");
    let model_json = serde_json::from_str(&std::fs::read_to_string(model_path).unwrap()).unwrap();
    InteractionModel::from_json(&model_json).unwrap()
}

#[tokio::test]
async fn the_chat_plays_the_seed_conversation() {
    let stack = TestStack::spawn(&[]).await;
    let model = model();
    let token = stack.linked_token("ana");
    let script = std::fs::read(repo_root().join("scripts/seed-conversation.chat")).unwrap();

    let mut out = Vec::new();
    Chat::new(&stack.base_url(), &token, &model).run(&script[..], &mut out, false).await.unwrap();
    let transcript = String::from_utf8(out).unwrap();
    for expected in [
        "you> open pizza on demand",
        "alexa> Welcome to Pizza on Demand",
        "(GetMeSomePizzaIntent Size=large Toppings=mushrooms+onions)",
        "alexa> One large pizza with mushrooms and onions from Pizza on Demand, 17 dollars, delivered to the \
         address on your account. Shall I send your code?",
        "you> yes",
        "(AMAZON.YesIntent)",
        // Said while the code went out (after the yes), before the answer.
        "(progressive) One moment while I send your code.
alexa> Your large pizza with mushrooms and onions is waiting for confirmation",
        "your phone ending in 21",
        "outbox> sms to +14155550121: Your Pizza on Demand code is",
        // One lifetime: what the skill says is what the provider's message says (Auth0's 180 s).
        "It expires in 3 minutes.",
        "It expires in 3 minutes. To confirm",
        "(AuthorizePizzaOrderIntent Code=",
        "alexa> Order confirmed!",
        "Your receipt is in the Alexa app.",
        "card> Pizza on Demand: order confirmed: Order ",
        "      Items: 1 large pizza, mushrooms, onions.",
        "outbox> email to ana@example.com: Your Pizza on Demand receipt (this is not a code).",
        "(AMAZON.HelpIntent)",
        "alexa> Okay. Goodbye!",
    ] {
        assert!(transcript.contains(expected), "missing '{expected}' in:\n{transcript}");
    }
    stack.stop().await;
}

/// Six-digit codes (Pod's own), said digit by digit with leading zeros: the model's number slot
/// drops them, as Alexa's does, and the skill pads the code back to six digits before checking it.
#[tokio::test]
async fn six_digit_codes_with_leading_zeros_go_through_the_model_and_the_skill() {
    let stack = TestStack::spawn(&[
        ("CODE_PROVIDER", "builtin"),
        ("CODE_DELIVERY", "outbox"),
        ("CODE_SECRET", "a-local-code-secret-for-the-chat-test-0123456789"),
        ("CODE_LENGTH", "6"),
    ])
    .await;
    assert_eq!(stack.settings().challenge.code_length, 6);
    let model = model();
    let token = stack.linked_token("ana");
    let mut chat = Chat::new(&stack.base_url(), &token, &model);
    let script = "ask pizza on demand to get me a small pizza\nyes\nauthorize order zero zero four two one seven\n";
    let mut out = Vec::new();
    chat.run(script.as_bytes(), &mut out, false).await.unwrap();
    let transcript = String::from_utf8(out).unwrap();
    assert!(
        transcript.contains("(AuthorizePizzaOrderIntent Code=4217)"),
        "the number slot dropped the zeros:\n{transcript}"
    );
    // Padded to 004217 and checked as a six-digit code: wrong (the real one is random), not "not understood".
    assert!(transcript.contains("That code isn't right"), "{transcript}");
    let sent = stack.idp().outbox().last().unwrap().code.clone();
    assert_eq!(sent.len(), 6, "Pod's own codes have six digits");
    let mut out = Vec::new();
    chat.run("authorize order {code}\n".as_bytes(), &mut out, false).await.unwrap();
    let transcript = String::from_utf8(out).unwrap();
    assert!(transcript.contains("alexa> Order confirmed!"), "the right code, said digit by digit:\n{transcript}");
    stack.stop().await;
}

/// `scripts/full-conversation.chat`: every new turn of the conversation, in order.
#[tokio::test]
async fn the_chat_plays_the_full_conversation() {
    let stack = TestStack::spawn(&[]).await;
    let model = model();
    let token = stack.linked_token("ana");
    let script = std::fs::read(repo_root().join("scripts/full-conversation.chat")).unwrap();
    let mut out = Vec::new();
    Chat::new(&stack.base_url(), &token, &model).run(&script[..], &mut out, false).await.unwrap();
    let transcript = String::from_utf8(out).unwrap();
    let expected = [
        "alexa> Welcome to Pizza on Demand",
        "(OrderStatusIntent)",
        "alexa> You haven't ordered anything yet",
        "alexa> One large pizza with pepperoni and mushrooms from Pizza on Demand",
        "(AMAZON.NoIntent)",
        "alexa> Okay, I haven't sent a code or placed anything. What would you like to change?",
        "(GetMeSomePizzaIntent Size=medium Toppings=onions)",
        "alexa> One medium pizza with onions from Pizza on Demand",
        "(AMAZON.RepeatIntent)",
        "alexa> One medium pizza with onions from Pizza on Demand",
        "alexa> I've read out your order and I'm waiting to hear whether to send your confirmation code.",
        "alexa> Your medium pizza with onions is waiting for confirmation",
        "outbox> sms to +14155550121",
        "alexa> Your order is waiting for the code I sent you.",
        "alexa> That code isn't right. You have 2 tries left.",
        "(ResendCodeIntent)",
        "alexa> I've sent a new code to your phone ending in 21 for your medium pizza with onions.",
        "alexa> Your latest order, a medium pizza with onions, placed just now, is waiting for its code.",
        "alexa> Order confirmed! Your medium pizza with onions is on its way.",
        "alexa> One small cheese pizza from Pizza on Demand",
        "alexa> Your small cheese pizza is waiting for confirmation",
        "(CancelOrderIntent)",
        "alexa> Shall I cancel your order of a small cheese pizza that is waiting for its code?",
        "alexa> Okay, I've cancelled your order of a small cheese pizza. Its code no longer works.",
    ];
    let mut from = 0;
    for line in expected {
        let at = transcript[from..]
            .find(line)
            .unwrap_or_else(|| panic!("missing '{line}' after byte {from} in:\n{transcript}"));
        from += at + line.len();
    }
    let statuses: Vec<String> =
        stack.orders(&token).await.iter().map(|o| o["status"].as_str().unwrap().to_string()).collect();
    assert_eq!(statuses, ["cancelled", "confirmed"], "{transcript}");
    stack.stop().await;
}

/// `scripts/full-conversation-de.chat`: a German speaker's conversation, priced in euros, in order.
#[tokio::test]
async fn the_chat_plays_the_german_conversation() {
    let stack = TestStack::spawn(&[]).await;
    let model_path = repo_root().join("alexa-model/interactionModels/custom/de-DE.json");
    let model_json = serde_json::from_str(&std::fs::read_to_string(model_path).unwrap()).unwrap();
    let model = InteractionModel::from_json(&model_json).unwrap();
    let token = stack.linked_token("ana");
    let script = std::fs::read(repo_root().join("scripts/full-conversation-de.chat")).unwrap();
    let mut out = Vec::new();
    let mut chat = Chat::new(&stack.base_url(), &token, &model).in_locale(pod_shared::i18n::Locale::DeDe);
    chat.run(&script[..], &mut out, false).await.unwrap();
    let transcript = String::from_utf8(out).unwrap();
    let expected = [
        "alexa> Willkommen bei Pizza on Demand.",
        "(GetMeSomePizzaIntent Size=large Toppings=pepperoni+mushrooms)",
        "alexa> Eine große Pizza mit Salami und Champignons von Pizza on Demand, 16 Euro 50, \
         geliefert an die Adresse in Ihrem Konto. Soll ich Ihnen den Code schicken?",
        "(AMAZON.NoIntent)",
        "alexa> In Ordnung, ich habe keinen Code verschickt und nichts bestellt.",
        "(GetMeSomePizzaIntent Size=medium Toppings=onions)",
        "alexa> Eine mittlere Pizza mit Zwiebeln von Pizza on Demand, 11 Euro 50,",
        "(AMAZON.RepeatIntent)",
        "alexa> Eine mittlere Pizza mit Zwiebeln von Pizza on Demand, 11 Euro 50,",
        "(AMAZON.YesIntent)",
        "alexa> Ihre mittlere Pizza mit Zwiebeln wartet auf Ihre Bestätigung.",
        // The local stack's codes are Auth0's (its template's words; builtin codes' German message is
        // pod-shared's builtin_codes test).
        "outbox> sms to +14155550121: ",
        "(AMAZON.HelpIntent)",
        "alexa> Ihre Bestellung wartet auf den Code, den ich Ihnen geschickt habe.",
        "alexa> Dieser Code ist nicht richtig. Sie haben noch 2 Versuche.",
        "(ResendCodeIntent)",
        "alexa> Ich habe einen neuen Code an Ihr Handy mit der Endung 21 geschickt, für Ihre mittlere Pizza mit Zwiebeln.",
        "(OrderStatusIntent)",
        "alexa> Ihre letzte Bestellung, eine mittlere Pizza mit Zwiebeln, wurde gerade eben aufgegeben und wartet auf ihren Code.",
        "(AuthorizePizzaOrderIntent",
        "alexa> Bestellung bestätigt! Ihre mittlere Pizza mit Zwiebeln ist unterwegs. Ihre Quittung finden Sie in der Alexa-App.",
        "card> Pizza on Demand: Bestellung bestätigt: Bestellung ",
        "Summe: 11,50 € an Pizza on Demand.",
        "alexa> Eine kleine Pizza Margherita von Pizza on Demand, 8 Euro,",
        "(CancelOrderIntent)",
        "alexa> Soll ich Ihre Bestellung stornieren, eine kleine Pizza Margherita, die noch auf ihren Code wartet?",
        "alexa> In Ordnung, ich habe Ihre Bestellung storniert, eine kleine Pizza Margherita. Ihr Code gilt nicht mehr.",
        "(AMAZON.StopIntent)",
        "alexa> In Ordnung. Auf Wiederhören!",
    ];
    let mut from = 0;
    for line in expected {
        let at = transcript[from..]
            .find(line)
            .unwrap_or_else(|| panic!("missing '{line}' after byte {from} in:\n{transcript}"));
        from += at + line.len();
    }
    let orders = stack.orders(&token).await;
    let statuses: Vec<&str> = orders.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cancelled", "confirmed"], "{transcript}");
    assert!(orders.iter().all(|o| o["total"]["currency"] == "EUR"), "{orders:?}");
    stack.stop().await;
}

/// `scripts/voice-pin-conversation.chat` with `STEP_UP=voice_pin_or_code`: Alexa's voice PIN check
/// answered with recorded `SessionResumedRequest` shapes (`!resume …`), every turn in order.
#[tokio::test]
async fn the_chat_plays_the_voice_pin_conversation() {
    let stack = TestStack::spawn(&[("STEP_UP", "voice_pin_or_code")]).await;
    let model = model();
    let token = stack.linked_token("ana");
    let script = std::fs::read(repo_root().join("scripts/voice-pin-conversation.chat")).unwrap();
    let mut out = Vec::new();
    Chat::new(&stack.base_url(), &token, &model).run(&script[..], &mut out, false).await.unwrap();
    let transcript = String::from_utf8(out).unwrap();
    let pin_check =
        "connection> connection://AMAZON.VerifyPerson/2 (level 400, VOICE_PIN): Alexa asks for your voice PIN.";
    let expected = [
        "alexa> One large pizza with pepperoni from Pizza on Demand",
        "Shall I place it? I'll ask for your voice PIN.",
        "(AMAZON.YesIntent)",
        pin_check,
        "(SessionResumedRequest NOT_ACHIEVED)",
        "alexa> Your voice PIN was not confirmed, so your order is not confirmed. You have 2 tries left. \
         Shall I ask for your voice PIN again?",
        "(AMAZON.YesIntent)",
        pin_check,
        "(SessionResumedRequest ACHIEVED other)",
        "alexa> Your voice PIN was not confirmed, so your order is not confirmed. You have 1 try left.",
        "(AMAZON.YesIntent)",
        pin_check,
        "(SessionResumedRequest ACHIEVED)",
        "alexa> Order confirmed! Your large pizza with pepperoni is on its way.",
        "card> Pizza on Demand: order confirmed",
        "alexa> One small cheese pizza from Pizza on Demand",
        pin_check,
        "(SessionResumedRequest NOT_ENABLED)",
        "alexa> You have no voice PIN set up, so I sent a code instead. Your small cheese pizza is waiting for confirmation.",
        "outbox> sms to +14155550121: Your Pizza on Demand code is",
        "(AuthorizePizzaOrderIntent Code=",
        "alexa> Order confirmed! Your small cheese pizza is on its way.",
    ];
    let mut from = 0;
    for line in expected {
        let at = transcript[from..]
            .find(line)
            .unwrap_or_else(|| panic!("missing '{line}' after byte {from} in:\n{transcript}"));
        from += at + line.len();
    }
    let before_fallback = transcript.find("(SessionResumedRequest NOT_ENABLED)").unwrap();
    assert!(!transcript[..before_fallback].contains("outbox> sms"), "no code before NOT_ENABLED:\n{transcript}");
    let statuses: Vec<String> =
        stack.orders(&token).await.iter().map(|o| o["status"].as_str().unwrap().to_string()).collect();
    assert_eq!(statuses, ["confirmed", "cancelled", "confirmed"], "{transcript}");
    stack.stop().await;
}

fn model_of(locale: pod_shared::i18n::Locale) -> InteractionModel {
    let model_path = repo_root().join(format!("alexa-model/interactionModels/custom/{locale}.json"));
    let model_json = serde_json::from_str(&std::fs::read_to_string(model_path).unwrap()).unwrap();
    InteractionModel::from_json(&model_json).unwrap()
}

/// An order by voice in en-AU, en-IN and (with Pod's own codes) de-DE: said, messaged, confirmed
/// and stored in the locale's currency.
#[tokio::test]
async fn an_order_in_each_locale_is_priced_and_confirmed_in_its_currency() {
    use pod_shared::i18n::Locale;
    let secret = "a-local-code-secret-of-at-least-32-bytes";
    let settings =
        [("CODE_PROVIDER", "builtin"), ("CODE_DELIVERY", "outbox"), ("CODE_SECRET", secret), ("CODE_LENGTH", "6")];
    let cases = [
        (Locale::EnAu, "get me a large pizza with pepperoni and mushrooms", "26 dollars", "26.00 AUD", "$26.00", "AUD"),
        (
            Locale::EnIn,
            "get me a large pizza with pepperoni and mushrooms",
            "619 rupees",
            "619.00 INR",
            "₹619.00",
            "INR",
        ),
        (
            Locale::DeDe,
            "bestelle eine große Pizza mit Salami und Champignons",
            "16 Euro 50",
            "16,50 EUR",
            "16,50 €",
            "EUR",
        ),
    ];
    for (locale, order, spoken, in_message, written, currency) in cases {
        let stack = TestStack::spawn(&settings).await;
        let model = model_of(locale);
        let token = stack.linked_token("ana");
        let confirm = if locale == Locale::DeDe { "Bestellung bestätigen {code}" } else { "authorize order {code}" };
        let yes = if locale == Locale::DeDe { "ja" } else { "yes" };
        let script = format!("{order}\n{yes}\n{confirm}\n");
        let mut out = Vec::new();
        Chat::new(&stack.base_url(), &token, &model)
            .in_locale(locale)
            .run(script.as_bytes(), &mut out, false)
            .await
            .unwrap();
        let transcript = String::from_utf8(out).unwrap();
        assert!(transcript.contains(&format!(", {spoken}, ")), "{locale}: {transcript}");
        assert!(transcript.contains(&format!(" {in_message} ")), "{locale}: the code message: {transcript}");
        assert!(transcript.contains(&format!(": {written} ")), "{locale}: the receipt: {transcript}");
        let orders = stack.orders(&token).await;
        assert_eq!(orders.len(), 1, "{locale}: {transcript}");
        assert_eq!(orders[0]["status"], "confirmed", "{locale}: {transcript}");
        assert_eq!(orders[0]["total"]["currency"], currency, "{locale}");
        stack.stop().await;
    }
}
