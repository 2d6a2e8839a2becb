"""Writes the interaction model for every locale from this one source.

    python3 alexa-model/generate.py          # rewrite interactionModels/custom/*.json
    python3 alexa-model/generate.py --check  # fail if they are not what this file writes

The slot values come from menu.json, the one menu (sizes, toppings, prices) Pod's domain embeds too.

The intent and slot names are the seed sample's, so its recorded requests work on Pod.
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
LOCALES = ["en-US", "en-GB"]
INVOCATION = "pizza on demand"

ORDER_SAMPLES = [
    "get me a pizza", "get me a {Size} pizza", "get me a {Size} pizza with {Toppings}",
    "order a pizza", "order a {Size} pizza", "order a {Size} pizza with {Toppings}",
    "I want a pizza", "I want a {Size} pizza", "I want a {Size} pizza with {Toppings}",
    "I would like a {Size} pizza with {Toppings}", "can I get a {Size} pizza with {Toppings}",
    "send me a {Size} pizza", "a {Size} pizza with {Toppings} please", "order pizza with {Toppings}",
    "get me a pizza with {Toppings}", "I'm hungry get me a {Size} pizza",
]
CODE_SAMPLES = [
    "authorize {Code}", "authorize order {Code}", "confirm order {Code}", "operation pizza is a go {Code}",
    "confirm {Code}", "the code is {Code}", "my code is {Code}", "code {Code}", "authorize my order {Code}",
    "confirm my order with {Code}", "authorize the order with code {Code}", "approve order {Code}",
    "here is the code {Code}", "use code {Code}", "{Code} is the code",
]
# A changed size or topping while the recap waits for yes or no: a new order, so a new recap.
CHANGE_SAMPLES = [
    "make it a {Size} pizza", "make it a {Size} pizza with {Toppings}", "make it a {Size} one with {Toppings}",
    "actually a {Size} pizza with {Toppings}", "with {Toppings} instead", "change it to a {Size} pizza",
    "change it to {Toppings}",
]
STATUS_SAMPLES = [
    "what's the status of my order", "what is the status of my order", "where is my order", "where's my pizza",
    "where is my pizza", "order status", "status of my order", "check my order", "check on my order",
    "how is my order doing", "what happened to my order", "is my order confirmed", "is my pizza on its way",
    "has my order been confirmed", "track my order", "what's happening with my order", "tell me my order status",
]
CANCEL_ORDER_SAMPLES = [
    "cancel my order", "cancel my pizza", "cancel the order", "cancel the pizza", "cancel my pizza order",
    "I want to cancel my order", "I don't want the pizza", "I don't want my order", "drop my order",
    "call off my order", "please cancel my order", "cancel the pending order", "cancel my last order",
    "forget my order", "scrap my order", "delete my order", "I changed my mind cancel my order",
]
RESEND_SAMPLES = [
    "I didn't get the code", "I did not get the code", "I didn't get a code", "send the code again",
    "send me the code again", "send it again", "resend the code", "resend my code", "send another code",
    "send me a new code", "I need a new code", "the code never came", "the code didn't arrive",
    "I haven't received the code", "I never got the code", "can you send the code again", "new code please",
]
# Alexa's built-in yes, no and repeat intents, with a few more ways people say them.
YES_SAMPLES = [
    "yes please", "yes send it", "yes send the code", "send my code", "go ahead", "sure", "yep", "yeah",
    "that's right", "correct", "sounds good", "please do", "do it", "okay send it", "yes that's right",
]
NO_SAMPLES = [
    "no thanks", "no thank you", "nope", "don't send it", "don't send the code", "not yet", "wait",
    "that's wrong", "that's not right", "no that's wrong", "I want to change it", "change my order",
    "let me change it", "hold on", "no don't",
]
REPEAT_SAMPLES = [
    "say that again", "repeat that", "what did you say", "can you repeat that", "please repeat that",
    "come again", "pardon", "one more time", "repeat please", "say it again", "sorry what was that",
    "I didn't catch that", "could you say that again", "repeat the last thing", "what was that",
]
# en-GB speakers also say "authorise".
EXTRA_CODE_SAMPLES = {"en-GB": ["authorise {Code}", "authorise order {Code}", "authorise my order {Code}"]}
# The sizes and toppings (and their synonyms) come from the menu, which also holds their prices:
# the model and the prices never disagree.
MENU = json.loads((HERE / "menu.json").read_text())
SIZES = [(item["name"], item["synonyms"]) for item in MENU["sizes"]]
TOPPINGS = [(item["name"], item["synonyms"]) for item in MENU["toppings"]]
BUILT_INS = ["AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
             "AMAZON.NavigateHomeIntent"]
BUILT_INS_WITH_SAMPLES = [("AMAZON.YesIntent", YES_SAMPLES), ("AMAZON.NoIntent", NO_SAMPLES),
                          ("AMAZON.RepeatIntent", REPEAT_SAMPLES)]


def values(items):
    return [{"id": n.upper().replace(" ", "_"), "name": {"value": n, "synonyms": s}} for n, s in items]


def model(locale):
    return {"interactionModel": {
        "languageModel": {
            "invocationName": INVOCATION,
            "intents": [{"name": name, "samples": []} for name in BUILT_INS] + [
                {"name": name, "samples": samples} for name, samples in BUILT_INS_WITH_SAMPLES] + [
                {"name": "GetMeSomePizzaIntent", "slots": [
                    {"name": "Size", "type": "PIZZA_SIZE", "samples": ["{Size}", "a {Size} one", "make it {Size}"]},
                    {"name": "Toppings", "type": "PIZZA_TOPPINGS", "multipleValues": {"enabled": True},
                     "samples": ["{Toppings}", "with {Toppings}"]}],
                 "samples": ORDER_SAMPLES + CHANGE_SAMPLES},
                {"name": "AuthorizePizzaOrderIntent", "slots": [
                    {"name": "Code", "type": "AMAZON.NUMBER", "samples": ["{Code}", "it is {Code}"]}],
                 "samples": CODE_SAMPLES + EXTRA_CODE_SAMPLES.get(locale, [])},
                {"name": "OrderStatusIntent", "samples": STATUS_SAMPLES},
                {"name": "CancelOrderIntent", "samples": CANCEL_ORDER_SAMPLES},
                {"name": "ResendCodeIntent", "samples": RESEND_SAMPLES},
            ],
            "types": [{"name": "PIZZA_SIZE", "values": values(SIZES)},
                      {"name": "PIZZA_TOPPINGS", "values": values(TOPPINGS)}],
        },
        "dialog": {
            "intents": [
                {"name": "GetMeSomePizzaIntent", "confirmationRequired": False, "prompts": {}, "slots": [
                    {"name": "Size", "type": "PIZZA_SIZE", "confirmationRequired": False, "elicitationRequired": True,
                     "prompts": {"elicitation": "Elicit.Slot.Size"}},
                    {"name": "Toppings", "type": "PIZZA_TOPPINGS", "confirmationRequired": False,
                     "elicitationRequired": False, "prompts": {}}]},
                {"name": "AuthorizePizzaOrderIntent", "confirmationRequired": False, "prompts": {}, "slots": [
                    {"name": "Code", "type": "AMAZON.NUMBER", "confirmationRequired": False,
                     "elicitationRequired": True, "prompts": {"elicitation": "Elicit.Slot.Code"}}]}],
            "delegationStrategy": "SKILL_RESPONSE"},
        "prompts": [
            {"id": "Elicit.Slot.Size", "variations": [
                {"type": "PlainText", "value": "What size would you like: small, medium, large or jumbo?"}]},
            {"id": "Elicit.Slot.Code", "variations": [
                {"type": "PlainText", "value": "What is the code I sent you?"}]}],
    }}


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for locale in LOCALES:
        path = HERE / "interactionModels" / "custom" / f"{locale}.json"
        text = json.dumps(model(locale), indent=2) + "\n"
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(HERE.parent)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        sys.exit(f"out of date (run python3 alexa-model/generate.py): {', '.join(stale)}")
    print("interaction models " + ("are up to date" if check else "written") + f": {', '.join(LOCALES)}")


if __name__ == "__main__":
    main()
