# What the skill says (en-US: every message). Arguments: $pizza a pizza in a sentence
# ("large pizza with pepperoni"), $to where a code went, $n/$minutes/$tries numbers (plural rules
# of the locale choose the variant). A message's words may be changed freely; a new message
# needs its id in the code and in every locale that does not inherit it (de-DE), or the
# completeness test fails.

skill-name = Pizza on Demand
skill-welcome = Welcome to Pizza on Demand. You can say: get me a large pizza with pepperoni. What would you like?
skill-what-to-say = You can say: get me a pizza, or authorize order, followed by your code.

## The recap, before any code is sent.

skill-recap = One { $pizza } from Pizza on Demand, delivered to the address on your account. Shall I send your code?
skill-recap-priced = One { $pizza } from Pizza on Demand, { $price }, delivered to the address on your account. Shall I send your code?
skill-ask-send-code = Shall I send your code? Please say yes or no.
skill-what-to-change = Okay, I haven't sent a code or placed anything. What would you like to change? You can say, for example: make it a medium pizza with onions.
skill-ask-what-to-change = What would you like instead? For example: make it a medium pizza with onions.
skill-lost-track = Sorry, I lost track of your order, so I haven't sent anything. What would you like to order?
skill-nothing-to-confirm = There's nothing waiting for a yes right now. You can say: get me a large pizza with pepperoni.
skill-nothing-to-refuse = Okay. What would you like? You can say: get me a pizza.
skill-nothing-to-repeat = I haven't said anything yet to repeat. What would you like?

## Cancelling.

skill-ask-cancel = Shall I cancel your order of a { $pizza } that is waiting for its code?
skill-ask-cancel-again = Shall I cancel your order? Please say yes or no.
skill-cancelled = Okay, I've cancelled your order of a { $pizza }. Its code no longer works.
skill-kept-order = Okay, your order is still waiting for its code. To confirm it, say: authorize order, followed by the code.
skill-nothing-to-cancel = You have no order waiting for its code, so there is nothing to cancel. To order, say: get me a pizza.
skill-cancel-too-late = That order is no longer waiting for its code, so I didn't cancel anything. Ask me for your order status to hear where it is.
skill-cancel-failed = Sorry, I couldn't cancel your order just now. It is unchanged; please try again in a moment.

## The status of the latest order ($placed, $changed: how long ago).

skill-status-failed = Sorry, I couldn't look up your order just now. Please try again in a moment.
skill-no-orders = You haven't ordered anything yet. To order, say: get me a pizza.
skill-ago-now = just now
skill-ago-minutes = { $n ->
    [one] { $n } minute ago
   *[other] { $n } minutes ago
}
skill-ago-hours = { $n ->
    [one] { $n } hour ago
   *[other] { $n } hours ago
}
skill-ago-days = { $n ->
    [one] { $n } day ago
   *[other] { $n } days ago
}
skill-status-pending = Your latest order, a { $pizza }, placed { $placed }, is waiting for its code. To confirm it, say: authorize order, followed by the code.
skill-status-confirmed = Your latest order, a { $pizza }, was confirmed { $changed } and is on its way.
skill-status-cancelled = Your latest order, a { $pizza }, was cancelled { $changed }.
skill-status-expired = Your latest order, a { $pizza }, placed { $placed }, expired before its code was given.
skill-status-locked = Your latest order, a { $pizza }, was locked { $changed } after too many wrong codes.

## Help, by where the conversation is.

skill-help-recap = I've read out your order and I'm waiting to hear whether to send your confirmation code. Say yes to send it, or no to change the order.
skill-help-code = Your order is waiting for the code I sent you. Say: authorize order, followed by the code. If it hasn't arrived, say: send the code again. To drop the order, say: cancel my order.
skill-help-code-refused = The last code you gave wasn't right. Check the latest message I sent you, then say: authorize order, followed by its digits. Or say: send the code again.
skill-help-cancel = Say yes to cancel your order, or no to keep it.
skill-help = To order, say something like: get me a large pizza with pepperoni and mushrooms. I will send a code to your phone, or to your email if you have no phone on file. Then say: authorize order, followed by the code. You can also ask: what's the status of my order, or say: cancel my order. What would you like?
skill-goodbye = Okay. Goodbye!
skill-fallback = Sorry, Pizza on Demand can't help with that. You can order a pizza, or authorize an order with your code.
skill-link-account = To order with Pizza on Demand, please link your account first. Open the Alexa app, where I've put a card to link your account.

## Sizes and toppings ($sizes, $toppings: the menu as a spoken list; $heard: what was heard).

skill-ask-size = What size would you like: { $sizes }?
skill-unknown-size = Sorry, we don't make a { $heard } pizza. We make { $sizes }. Which size would you like?
skill-unknown-toppings = Sorry, we don't have { $unknown }. Our toppings are { $toppings }. Which toppings would you like?
skill-ask-toppings = Which toppings would you like? We have { $toppings }.

## The code ($to: where it went, from skill-to-phone or skill-to-email).

skill-to-phone = your phone ending in { $digits }
skill-to-email = your email address at { $domain }
skill-order-placed = Your { $pizza } is waiting for confirmation.
skill-order-replaces = It replaces your earlier order that was not confirmed, which I cancelled.
skill-code-sent = I sent a code to { $to }. It expires in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}. To confirm, say: authorize order, followed by the code.
skill-code-sent-reprompt = To confirm, say: authorize order, followed by the code I sent to { $to }.
skill-code-sent-again = I've sent a new code to { $to } for your { $pizza }. The earlier code no longer works. To confirm, say: authorize order, followed by the new code.
skill-code-sent-again-reprompt = To confirm, say: authorize order, followed by the new code.
skill-order-again-for-a-code = I can't send another code for this order. To get a new code, order again: say, get me a pizza, and I'll replace the waiting order.
skill-resend-failed = Sorry, I couldn't send a new code just now. Your order is still waiting for its code; please try again in a moment.
skill-one-more-locks = Careful: one more wrong code will lock voice ordering until the account owner unlocks it in the web app.

## Paused or locked voice ordering ($how-long from skill-for-*).

skill-for-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
skill-for-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
skill-for-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
skill-where-to-unlock = The account owner can see what happened, and unlock it, in the Pizza on Demand web app.
skill-where-to-unlock-card = The account owner can see what happened, and unlock it, in the Pizza on Demand web app; I've put its address on a card in your Alexa app.
skill-blocked-paused = Voice ordering is paused for the next { $how-long } because of too many wrong codes, so I can't send or check a code now.
skill-blocked-locked = Voice ordering is locked because of too many wrong codes, so I can't send or check a code.
skill-wrong-code-paused = That code isn't right. There have been too many wrong codes, so to keep the account safe I've paused voice ordering for the next { $how-long }.
skill-wrong-code-paused-told = That code isn't right. There have been too many wrong codes, so to keep the account safe I've paused voice ordering for the next { $how-long } and told the account owner.
skill-wrong-code-locked = That code isn't right. There have been too many wrong codes, so to keep the account safe I've locked voice ordering.
skill-wrong-code-locked-told = That code isn't right. There have been too many wrong codes, so to keep the account safe I've locked voice ordering and told the account owner.

## Failures and the code check.

skill-no-contact = I can only send a confirmation code to a phone number or email address that has been verified, and your account has none yet. Please verify a phone or email in the Pizza on Demand web app, then order again.
skill-no-contact-card = I've put its address on a card in your Alexa app.
skill-too-many-codes = I've sent you several codes in the last hour, so to keep your account safe I can't send another yet. Please try again in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
skill-order-failed = Sorry, I couldn't send your confirmation code just now, so your order was not placed. Please try again in a moment.
skill-code-missing = I didn't hear a code. What is the code I sent you?
skill-code-not-understood = Sorry, I didn't understand that code. Please say its digits, for example: four two one seven.
skill-ask-code = What is the code I sent you?
skill-confirmed = Order confirmed! Your { $pizza } is on its way.
skill-wrong-code = That code isn't right. You have { $tries ->
    [one] { $tries } try
   *[other] { $tries } tries
} left. What is the code I sent you?
skill-locked = That code was wrong too many times, so I've locked this order to keep your account safe. To try again, place a new order and I'll send a new code.
skill-expired = That code has expired, so the order was not confirmed. Order again and I'll send a new code.
skill-no-pending-order = You have no order waiting for confirmation. To order, say: get me a pizza.
skill-state-confirmed = That order is already confirmed.
skill-state-locked = That order is locked after too many wrong codes. Please place a new order.
skill-state-expired = That order's code has expired. Please place a new order.
skill-state-cancelled = That order was cancelled. Please place a new order.
skill-state-challenge-expired = That code has expired. Please place a new order.
skill-state-attempts-exhausted = That order is locked after too many wrong codes.
skill-state-still-valid = That order is still waiting for its code.
skill-contact-changed = Your phone number or email address changed since I sent the code. Please order again.
skill-check-failed = Sorry, I couldn't check your code just now. Nothing was used up; please try again in a moment.
skill-still-working = I'm still working on that request. Please wait a moment, then ask again if you need to.
skill-already-handled = I've already handled that request, but I can't repeat what I said. Please ask me again.
skill-too-slow = Sorry, that took too long. Please try again in a moment.
skill-one-moment = One moment while I send your code.
skill-receipt-in-app = Your receipt is in the Alexa app.
skill-receipt-card-title = Pizza on Demand: order confirmed
skill-state-awaits-voice-pin = That order is confirmed with your voice PIN, not a code.

## The voice PIN (STEP_UP=voice_pin or voice_pin_or_code): Alexa's own PIN check confirms the order.

skill-recap-voice-pin = One { $pizza } from Pizza on Demand, delivered to the address on your account. Shall I place it? I'll ask for your voice PIN.
skill-recap-voice-pin-priced = One { $pizza } from Pizza on Demand, { $price }, delivered to the address on your account. Shall I place it? I'll ask for your voice PIN.
skill-ask-place-with-voice-pin = Shall I place it and ask for your voice PIN? Please say yes or no.
skill-voice-pin-not-confirmed = Your voice PIN was not confirmed, so your order is not confirmed. You have { $tries ->
    [one] { $tries } try
   *[other] { $tries } tries
} left. Shall I ask for your voice PIN again?
skill-ask-voice-pin-again = Shall I ask for your voice PIN again? Please say yes or no.
skill-help-voice-pin-refused = Your voice PIN was not confirmed, so your order is waiting. Say yes and Alexa asks for your voice PIN again, or no to leave the order unconfirmed.
skill-voice-pin-not-asked-again = Okay. Your order is not confirmed, and it expires on its own in a few minutes.
skill-voice-pin-order-gone = That order is no longer waiting for your voice PIN. To order, say: get me a pizza.
skill-voice-pin-too-late = Your order expired before your voice PIN was checked, so it was not confirmed. Please order again.
skill-voice-pin-not-for-this-order = That voice PIN check was not for an order of yours waiting for confirmation, so nothing was confirmed.
skill-voice-pin-not-set-up = To confirm orders with your voice, set up a voice ID and a voice PIN for Pizza on Demand in the Alexa app, then order again. I did not place this order.
skill-no-voice-pin-so-a-code = You have no voice PIN set up, so I sent a code instead.
skill-voice-pin-unchecked = I couldn't check your voice PIN, so your order is not confirmed. Please try again in a moment.
