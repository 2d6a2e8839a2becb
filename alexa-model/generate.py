"""Writes the interaction model for every locale from this one source.

    python3 alexa-model/generate.py          # rewrite interactionModels/custom/*.json
    python3 alexa-model/generate.py --check  # fail if they are not what this file writes

The slot values come from menu.json, the one menu (sizes, toppings, prices) Pod's domain embeds too;
each language's samples, prompts and synonyms from locales/<language>.json (en.json for every English
locale, de.json for de-DE). To add a locale: map it to a language in LOCALES (a new language gets its
own locales/<language>.json with the same keys as de.json), then run this.

The intent and slot names are the seed sample's, so its recorded requests work on Pod.
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
# Each locale's language: its samples, prompts and (for a language other than the menu's English)
# slot synonyms are in locales/<language>.json. The English variants share en.json.
LOCALES = {"en-US": "en", "en-GB": "en", "en-CA": "en", "en-AU": "en", "en-IN": "en", "de-DE": "de"}
LANGUAGES = {language: json.loads((HERE / "locales" / f"{language}.json").read_text(encoding="utf-8"))
             for language in sorted(set(LOCALES.values()))}
# The sizes and toppings (and their synonyms) come from the menu, which also holds their prices:
# the model and the prices never disagree.
MENU = json.loads((HERE / "menu.json").read_text())
SIZES = [(item["name"], item["synonyms"]) for item in MENU["sizes"]]
TOPPINGS = [(item["name"], item["synonyms"]) for item in MENU["toppings"]]
BUILT_INS = ["AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
             "AMAZON.NavigateHomeIntent"]
# Alexa's built-in yes, no and repeat intents, with a few more ways people say them.
BUILT_INS_WITH_SAMPLES = ["AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.RepeatIntent"]


def values(items, synonyms):
    """The slot values: menu.json's names and ids in every locale; the language's own synonyms
    (German words) where it has them, else the menu's."""
    return [{"id": n.upper().replace(" ", "_"), "name": {"value": n, "synonyms": synonyms.get(n, s)}}
            for n, s in items]


def model(locale):
    language = LANGUAGES[LOCALES[locale]]
    samples = {name: list(sample) for name, sample in language["samples"].items()}
    for name, more in language.get("variants", {}).get(locale, {}).items():
        samples[name] += more
    slot_samples = language["slot_samples"]
    synonyms = language.get("synonyms", {})
    return {"interactionModel": {
        "languageModel": {
            "invocationName": language["invocation"],
            "intents": [{"name": name, "samples": []} for name in BUILT_INS] + [
                {"name": name, "samples": samples[name]} for name in BUILT_INS_WITH_SAMPLES] + [
                {"name": "GetMeSomePizzaIntent", "slots": [
                    {"name": "Size", "type": "PIZZA_SIZE", "samples": slot_samples["Size"]},
                    {"name": "Toppings", "type": "PIZZA_TOPPINGS", "multipleValues": {"enabled": True},
                     "samples": slot_samples["Toppings"]}],
                 "samples": samples["GetMeSomePizzaIntent"]},
                {"name": "AuthorizePizzaOrderIntent", "slots": [
                    {"name": "Code", "type": "AMAZON.NUMBER", "samples": slot_samples["Code"]}],
                 "samples": samples["AuthorizePizzaOrderIntent"]},
                {"name": "OrderStatusIntent", "samples": samples["OrderStatusIntent"]},
                {"name": "CancelOrderIntent", "samples": samples["CancelOrderIntent"]},
                {"name": "ResendCodeIntent", "samples": samples["ResendCodeIntent"]},
            ],
            "types": [{"name": "PIZZA_SIZE", "values": values(SIZES, synonyms.get("PIZZA_SIZE", {}))},
                      {"name": "PIZZA_TOPPINGS", "values": values(TOPPINGS, synonyms.get("PIZZA_TOPPINGS", {}))}],
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
                {"type": "PlainText", "value": language["prompts"]["Elicit.Slot.Size"]}]},
            {"id": "Elicit.Slot.Code", "variations": [
                {"type": "PlainText", "value": language["prompts"]["Elicit.Slot.Code"]}]}],
    }}


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for locale in LOCALES:
        path = HERE / "interactionModels" / "custom" / f"{locale}.json"
        text = json.dumps(model(locale), indent=2, ensure_ascii=False) + "\n"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(HERE.parent)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.exit(f"out of date (run python3 alexa-model/generate.py): {', '.join(stale)}")
    print("interaction models " + ("are up to date" if check else "written") + f": {', '.join(LOCALES)}")


if __name__ == "__main__":
    main()
