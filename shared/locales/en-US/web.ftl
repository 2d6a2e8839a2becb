# The web app's strings (en-US: every message; the page's language comes from Accept-Language).
# An id ending in -html is trusted markup without arguments, rendered as is; every other message
# is escaped like any text.

## Every page: the navigation and the footer.

web-skip-link = Skip to content
web-nav-label = Main
web-nav-home = Home
web-nav-orders = My orders
web-nav-activity = Activity
web-nav-security = Security
web-nav-profile = Profile
web-nav-privacy = Privacy
web-sign-in = Sign in
web-sign-out = Sign out
web-footer = Pizza on Demand · orders confirmed with a one-time code
web-privacy-policy = Privacy policy

## The home page.

web-home-title = Home
web-home-lead = Order pizza with your voice, safely. Pod sends a one-time code to your phone or email; you say the code back to Alexa to confirm, so nobody near your speaker can order for you.
web-home-signed-in-html = You are signed in. See <a href="/pod/app/orders">your orders</a> or <a href="/pod/app/profile">where your codes go</a>.
web-home-sign-in-to = to see your orders and where your codes go.
web-home-link-title = Link the skill
web-home-link-enable-html = Open the Alexa app and enable the <em>Pizza on Demand</em> skill.
web-home-link-sign-in = Sign in when asked, to link your account.
web-home-link-order-html = Say: <q>Alexa, ask pizza on demand to get me a large pizza with pepperoni</q>.
web-home-link-code-html = Say the code you receive: <q>authorize order four two one seven</q>.
web-home-why-title = Why a code?
web-home-why = Anyone can talk to a speaker. The code goes to a phone or inbox only you hold, expires after a few minutes, and three wrong codes lock the order.

## Moments ($time: "06:40", in UTC; the page's script shows them in the reader's time zone).

web-date-time = { $day } { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $year }, { $time } UTC
web-clock = { $time } UTC
web-time-left-under-a-minute = in less than a minute
web-time-left-minutes = { $n ->
    [one] in { $n } minute
   *[other] in { $n } minutes
}

## Contacts, masked ($digits: the last two digits; $email: "a•••@example.com").

web-contact-phone = phone ending in { $digits }
web-contact-email = email { $email }
web-ending-in = ending in { $digits }

## Orders: the list, one order, and what became of its code.

web-orders-title = My orders
web-orders-live-hint = Reload the page to see changes.
web-orders-older-hint = Older orders.
web-orders-back-to-newest = Back to your newest orders
web-orders-older = Older orders
web-orders-empty = No orders yet. Ask Alexa:
web-orders-empty-example = Alexa, ask pizza on demand to get me a large pizza with pepperoni
web-orders-caption = Your orders, newest first
web-order-pizza = Pizza
web-order-total = Total
web-order-status = Status
web-order-placed = Placed
web-order-code = Confirmation code
web-order-size = Size
web-order-toppings = Toppings
web-order-price = Price
web-order-price-caption = What the total is made of
web-order-updated = Last change
web-order-number = Order number
web-order-all = All my orders
# $total: "$17.50"; $payee: "Pizza on Demand".
web-order-total-to = { $total } to { $payee }
web-total-not-recorded = not recorded
web-cheese-only = cheese only
web-line-pizza = { $size ->
    [small] small
    [medium] medium
    [large] large
   *[jumbo] jumbo
} pizza
web-status-pending = Waiting for your code
web-status-confirmed = Confirmed
web-status-cancelled = Cancelled
web-status-expired = Expired
web-status-locked = Locked
web-code-note-pending = Say the code to Alexa to confirm.
web-code-note-confirmed = Code accepted.
web-code-note-cancelled = Cancelled, or replaced by a newer order.
web-code-note-expired = The code ran out before it was said.
web-code-note-locked = Locked after too many wrong codes.
# $to: "phone ending in 21"; $expires: the time; $left: "in 4 minutes"; $n: tries left.
web-code-sent = Sent to your { $to }. Expires at { $expires } ({ $left }); { $n ->
    [one] { $n } try
   *[other] { $n } tries
} left.
# $contact: "phone ending in 21".
web-your-contact = your { $contact }

## The activity record.

web-activity-title = Activity
web-activity-lead = Every code Pod sent for your account, every code given back, and every change to voice ordering, newest first. Contacts show only in part; codes never show.
web-activity-older-hint = Older entries.
web-activity-back-to-newest = Back to your newest activity
web-activity-empty = Nothing here yet. When Pod sends you a code or someone gives one, it is listed here.
web-activity-no-older = No older activity.
web-activity-caption = Your activity, newest first
web-activity-when = When
web-activity-what = What
web-activity-from = From
web-activity-older = Older
web-activity-to-security = Voice ordering and security
web-source-voice = voice
web-source-api = api
web-source-web = web
# $to, $from: "phone ending in 21", "email a•••@example.com"; $until: a date and time.
web-activity-order-code-sent = Order code sent to { $to }
web-activity-verification-code-sent = Verification code sent to { $to }
web-activity-wrong-code = Wrong code given
web-activity-confirmed = Right code given: confirmed
web-activity-order-locked = Order locked after too many wrong codes
web-activity-paused-until = Voice ordering paused until
web-activity-paused = Voice ordering paused until { $until }
web-activity-voice-locked = Voice ordering locked
web-activity-voice-unlocked = Voice ordering unlocked
web-activity-contact-verified = Contact verified: { $to }
web-activity-contact-changed = Contact changed from { $from } to { $to }
web-activity-alexa-linked = Alexa account linked
web-activity-skill-enabled = Skill enabled in Alexa
web-activity-permissions-changed = Skill permissions changed in Alexa

## The profile.

web-profile-title = Your profile
web-profile-lead = Pod uses these contacts only to send you one-time codes, and shows only part of each.
web-profile-email = Email
web-profile-phone = Phone
web-profile-codes-go-to = Codes go to
web-profile-none = None on file
web-profile-nowhere-html = Nowhere yet: verify a phone number on the <a href="/pod/app/security">Security</a> page (or your email address) to order by voice.
web-profile-hint = Codes go only to a verified contact: the phone you verified on the Security page, else a verified phone on your account (SMS), else a verified email address. Email is the weaker channel.
# $contact: "ending in 21", "a•••@example.com".
web-profile-not-verified = { $contact } (not verified)
web-profile-verified-with-pod = { $contact } (verified with Pod)

## Security: voice ordering ($failures: wrong codes in a row; $left: more before it locks;
## $pause, $lock: how many pause and lock it; $until, $since: a moment).

web-security-title = Security
web-voice-title = Voice ordering
web-voice-open = Open
web-voice-paused = Paused
web-voice-locked = Locked
web-voice-paused-summary = Voice ordering is paused until { $until } after { $failures } wrong codes in a row. Until then Alexa sends and checks no codes for your account; after that it opens again by itself. { $left } more wrong { $left ->
    [one] code
   *[other] codes
} will lock it until you unlock it here.
web-voice-locked-summary = Voice ordering is locked since { $since } after { $lock } wrong codes in a row. Alexa sends and checks no codes for your account until you unlock it.
web-voice-open-clean = Voice ordering is open. No wrong codes since the last right one.
web-voice-open-summary = Voice ordering is open. { $failures } of { $pause } wrong codes in a row so far.
web-voice-rules = { $pause } wrong codes in a row pause voice ordering for a while, each pause longer than the last; { $lock } lock it until you unlock it here. A right code starts the count again.
web-voice-unlock-hint = Unlock it if the wrong codes were yours, or once you know who gave them. Unlocking clears the count.
web-voice-unlock = Unlock voice ordering
web-voice-see-activity = See your activity
web-voice-see-activity-rest = : every code sent and given, and when voice ordering paused, locked or was unlocked.

## Security: where codes go ($to, $phone: "your phone ending in 42", "phone ending in 42").

web-contact-title = Where codes go
web-codes-go-to = Codes go to { $to }.
web-codes-go-to-enrolled = Codes go to { $to } (verified with Pod).
web-codes-go-nowhere = Codes go nowhere yet: Pod has no verified contact for you, so Alexa cannot send you a code to confirm an order. Verify a phone number below.
web-contact-verified = Done: the { $phone } now receives your codes.
web-contact-changed-told = Done: the { $phone } now receives your codes. We told your previous contact about the change.
web-contact-changed-not-told = Done: the { $phone } now receives your codes. We could not tell your previous contact about the change.
# $expires: the time; $left: "in 5 minutes".
web-enrollment-sent = We sent a code to the { $to }; it expires at { $expires } ({ $left }). Type it here to verify the number; until then codes go where they went before.
web-enrollment-code-label = Code from the text message
web-tries-left = { $n ->
    [one] { $n } try left.
   *[other] { $n } tries left.
}
web-enrollment-verify = Verify this number
web-enrollment-phone-resend = Send a new code, or use another number
web-enrollment-phone-change = Change the phone number codes go to
web-enrollment-phone-add = Add a phone number for codes
web-enrollment-phone-hint = Start with + and the country code, for example +1 415 555 0100. Pod texts a code to it; codes go there once you type that code here.
web-enrollment-send = Send a code
web-contact-hint = Codes go only to a verified contact: the phone you verify here, else a verified phone on your account, else a verified email address. When they move, Pod tells the contact they went to before.
web-your-data-title = Your data
web-your-data-html = What Pod keeps and for how long is in the <a href="/pod/app/policy">privacy policy</a>. <a id="erase-link" href="/pod/app/security/erase">Delete my data</a>: your orders, activity and contacts, all at once.

## What the enrollment forms answer ($step: "send" or "check", what did not happen;
## $until: a date and time; $minutes: "12 minutes").

web-phone-missing = Type a phone number, starting with + and the country code.
web-phone-invalid = A phone number must be in E.164 form: '+' then 8 to 15 digits.
web-code-missing = Type the code from the text message.
web-code-invalid = A code is 4 to 10 digits.
web-enrollment-paused = Voice ordering is paused until { $until } after too many wrong codes, and until then Pod sends and checks no codes for your account, { $step ->
    [send] so no code was sent
   *[check] so the code was not checked
}. Unlock it above if the wrong codes were yours.
web-enrollment-locked = Voice ordering is locked after too many wrong codes, and Pod sends and checks no codes for your account until you unlock it above, { $step ->
    [send] so no code was sent
   *[check] so the code was not checked
}.
web-enrollment-too-many-codes = Pod has sent you as many codes as it may in an hour, { $step ->
    [send] so no code was sent
   *[check] so the code was not checked
}. Try again in { $minutes }.
web-enrollment-not-pending = No phone number is waiting for a code. Type the phone number below to get a new code.
web-enrollment-expired = That code has expired. Type the phone number below to get a new code.
web-enrollment-attempts-exhausted = Too many wrong codes were given for this number. Type the phone number below to get a new code.
web-enrollment-unavailable = { $step ->
    [send] Pod could not send the code just now. Try again shortly.
   *[check] Pod could not check the code just now. Try again shortly.
}
web-wrong-code = That is not the code we sent.
web-wrong-code-last-try = That was the last try for this code: type the phone number below to get a new code.
web-wrong-code-paused = Too many wrong codes in a row: voice ordering is paused until { $until }, and until then Pod sends and checks no codes for your account.
web-wrong-code-locked = Too many wrong codes in a row: voice ordering is now locked, and Pod sends and checks no codes for your account until you unlock it above.
web-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}

## Error pages, and the links on from them.

web-error-our-side = Something went wrong on our side.
web-error-not-found-title = Not found
web-error-not-found = There is no such page, or it is not yours to see.
web-error-not-allowed-title = Not allowed
web-error-not-allowed = This page cannot be used that way.
web-error-bad-link-title = Bad link
web-error-bad-link = This page link is not valid.
web-error-unavailable-title = Temporarily unavailable
web-error-unavailable = Pod cannot reach this information right now. Try again shortly.
web-error-unlock-refused-title = Unlock refused
web-error-unlock-refused = This unlock request did not come from Pod's own page, so nothing changed. Use the Unlock voice ordering button on the Security page.
web-error-request-refused-title = Request refused
web-error-erase-refused = This request to delete your data did not come from Pod's own page, so nothing was deleted. Use the Delete my data button.
web-error-phone-form-refused = This phone number did not come from Pod's own page, so nothing was sent or changed. Use the form on the Security page.
web-error-code-form-refused = This code did not come from Pod's own page, so nothing was sent or changed. Use the form on the Security page.
web-error-form-too-large-title = Form too large
web-error-form-too-large = This form was larger than Pod accepts, so nothing was sent or changed.
web-error-form-unreadable-title = Form not understood
web-error-form-unreadable = This form could not be read, so nothing was sent or changed.
web-link-home = Go to the home page
web-link-security = Go to the Security page
web-link-erase = Go to Delete my data
web-link-newest-orders = Your newest orders
web-link-newest-activity = Your newest activity
web-live-signed-out = Signed out.
web-live-unavailable = Orders are unavailable right now.
web-error-sessions-unavailable = Pod cannot check your sign-in right now. Try again shortly.
web-error-something-title = Something went wrong
web-error-something = Something went wrong on our side. Try again shortly.

## Signing in and out.

web-sign-in-failed-title = Sign-in failed
web-sign-in-unreadable = The sign-in answer could not be read.
web-sign-in-no-state = This sign-in has expired or was started in another browser, or cookies are blocked. Pod needs its own cookies to sign you in.
web-sign-in-foreign = The sign-in answer does not belong to this sign-in.
web-sign-in-no-code = The sign-in answer has no authorization code.
web-sign-in-denied = You were not signed in: the sign-in was cancelled or not allowed.
web-sign-in-again = You need to sign in again.
web-sign-in-provider-refused = The identity provider could not sign you in.
web-sign-in-unverified = The sign-in could not be verified.
web-sign-in-unavailable-title = Sign-in is unavailable
web-sign-in-unavailable = Pod could not reach its identity provider. Try again shortly.
web-link-sign-in-again = Sign in again
web-sign-out-refused-title = Sign-out refused
web-sign-out-refused = This sign-out request did not come from Pod's own page, so nothing changed. Use the Sign out button.
web-sign-out-failed-title = Sign-out failed
web-sign-out-failed = Pod could not sign you out right now, so you are still signed in. Try again shortly.

## Delete my data, and after.

web-erase-title = Delete my data
web-erase-lead = This deletes everything Pizza on Demand keeps about you, at once and for good:
web-erase-orders = your orders, and the order waiting for its code;
web-erase-activity = your activity: codes sent and given, pauses, locks and unlocks;
web-erase-contacts = the phone number you verified here, and the contacts from your sign-ins;
web-erase-counts = the count of wrong codes, and the record of codes sent in the last hour;
web-erase-alexa = the records that keep Alexa from acting twice on one request, and the link to your Alexa account;
web-erase-sessions = your sign-ins to this web app: you are signed out.
web-erase-kept = Pod keeps only a note that your data was deleted and when, with no order, contact or activity in it. Your account with the identity provider stays: signing in again, or ordering by voice, starts afresh.
web-erase-button = Delete my data
web-erase-keep = Keep my data
web-erased-title = Your data is deleted
web-erased = Pizza on Demand deleted your orders, activity, contacts and sign-ins, and signed you out. It keeps only a note that your data was deleted, and when.
web-erased-nothing-left = Pizza on Demand deleted your orders, activity, contacts and sign-ins (nothing was left to delete), and signed you out. It keeps only a note that your data was deleted, and when.

## The privacy policy.

web-policy-lead = Pizza on Demand keeps your orders (size, toppings, status and times) and uses the email address and phone number in your account only to send you one-time confirmation codes. Codes are checked by our identity provider and are never stored or logged by Pod. Where we show or log a contact, we show only the last two digits of a phone number or the first letter and domain of an email address.
web-policy-no-sale = We do not sell or share your data. Unlink the skill in the Alexa app at any time.
web-policy-kept-title = What we keep, and for how long
web-policy-kept-orders = Your orders, with their prices and where the code went (masked): until you delete your data. When Pod makes the codes itself, an order keeps a keyed hash of its code (never the code) for as long as the order.
web-policy-kept-pending = The order waiting for its code: until it is confirmed, cancelled or expires, and at most a day after its code expires.
web-policy-kept-activity = Your activity (codes sent and given, pauses, locks, unlocks, contacts verified, Alexa account linked): 400 days.
web-policy-kept-counts = The count of wrong codes in a row, and the contacts of your latest sign-in: until you delete your data.
web-policy-kept-codes = The times codes were sent to you: an hour. A phone number waiting for its code, with a keyed hash of that code: a day after the code expires; the phone you verified: until you delete your data.
web-policy-kept-alexa-requests = Records that keep Alexa from acting twice on one request, with the answer given: a day.
web-policy-kept-sessions = Your sign-ins to this web app: they end after 30 minutes unused or 8 hours, and the record goes a day after that.
web-policy-kept-alexa-link = Which Alexa account is linked to yours (as a digest of Alexa's id for it): until you delete your data or disable the skill without keeping it.
web-policy-delete-title = How to delete your data
web-policy-delete-lead = Any of these deletes everything above at once; Pod then keeps only a note that your data was deleted, and when:
web-policy-delete-voice = by voice: disable the skill in the Alexa app and choose not to keep your data;
web-policy-delete-web-html = here: <a href="/pod/app/security/erase">Delete my data</a> on the Security page (signed in);
web-policy-delete-api-html = through the API: <code>DELETE /pod/api/me</code> with your access token.

## What the orders page's script says (the page carries its words).

web-orders-live-updating = This list updates by itself.
web-orders-live-signed-out = You have been signed out. Reload the page to sign in again.
web-orders-live-new-order = New order:
