#!/usr/bin/env bash
# Plays the seed's conversation with curl against a running local stack (`make run`):
# a token by the password grant, an order and its recap, yes, the code from the outbox, the confirmation.
# (yes-to-the-recap.json carries the session attributes the recap's answer leaves, as Alexa sends them back.)
# The README shows these same commands. Exits non-zero if any answer is not the expected one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
setting() { grep -E "^$1=" "$root/functions/local/local.env" | cut -d= -f2-; }
BASE=${BASE:-http://127.0.0.1:${PORT:-3000}}
CLIENT_ID=${APP_CLIENT_ID:-$(setting APP_CLIENT_ID)}
CLIENT_SECRET=${APP_CLIENT_SECRET:-$(setting APP_CLIENT_SECRET)}
AUDIENCE=${API_ID:-$(setting API_ID)}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
alexa() { # EVENT [CODE]: send a recorded Alexa request, print what Alexa would say
  sed -e "s|{{ACCESS_TOKEN}}|$TOKEN|" -e "s|{{CODE}}|${2:-}|" -e "s|{{REQUEST_ID}}|$(date +%s%N)|" \
    -e "s|{{API_ENDPOINT}}|$BASE/alexa-api|" "$root/events/alexa/$1" |
    curl -sf -H 'content-type: application/json' --data-binary @- "$BASE/pod/alexa" |
    json '["response"]["outputSpeech"]["ssml"]'
}
expect() { # TEXT WANTED
  echo "  Alexa: $1"
  [[ "$1" == *"$2"* ]] || { echo "expected: $2" >&2; exit 1; }
}

echo "1. Ana signs in (password grant) and gets an access token"
TOKEN=$(curl -sf "$BASE/auth0/oauth/token" -H 'content-type: application/json' -d '{
  "grant_type": "password", "username": "ana", "password": "pizza-ana-1",
  "client_id": "'"$CLIENT_ID"'", "client_secret": "'"$CLIENT_SECRET"'",
  "audience": "'"$AUDIENCE"'", "scope": "openid offline_access"}' | json '["access_token"]')

echo "2. \"Alexa, ask pizza on demand to get me a large pizza with pepperoni and mushrooms\""
expect "$(alexa order-large-pepperoni-mushrooms.json)" "from Pizza on Demand, 17 dollars 50, delivered to the address on your account. Shall I send your code?"

echo "2b. \"Yes\""
expect "$(alexa yes-to-the-recap.json)" "I sent a code to your phone ending in"

echo "3. The code arrives (the local identity provider's outbox)"
CODE=$(curl -sf "$BASE/auth0/outbox" | json '[-1]["code"]')
echo "  SMS: $(curl -sf "$BASE/auth0/outbox" | json '[-1]["text"]')"

echo "4. \"Authorize order\" with a wrong code"
WRONG=$([ "$CODE" = 0000 ] && echo 1111 || echo 0000)
expect "$(alexa authorize-code.json "$WRONG")" "You have 2 tries left"

echo "5. \"Authorize order $CODE\""
expect "$(alexa authorize-code.json "$CODE")" "Order confirmed"

echo "6. Ana's orders from the internal api"
curl -sf "$BASE/pod/api/orders" -H "authorization: Bearer $TOKEN" | json '["orders"][0]["status"]'
