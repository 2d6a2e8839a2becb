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
