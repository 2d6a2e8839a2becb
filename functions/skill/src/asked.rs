//! What a request asks for, read once from the Alexa request: the one thing
//! the skill routes on. Slot values are kept as heard; each handler decides
//! what they mean (a size, toppings, a code).

use crate::failure::Doing;
use pod_shared::alexa::{Intent, Request, RequestEnvelope, Slot, SpokenValue};
use serde_json::Value;

pub const ORDER_INTENT: &str = "GetMeSomePizzaIntent";
pub const AUTHORIZE_INTENT: &str = "AuthorizePizzaOrderIntent";
pub const HELP_INTENT: &str = "AMAZON.HelpIntent";
pub const STOP_INTENT: &str = "AMAZON.StopIntent";
pub const CANCEL_INTENT: &str = "AMAZON.CancelIntent";
pub const NAVIGATE_HOME_INTENT: &str = "AMAZON.NavigateHomeIntent";
pub const FALLBACK_INTENT: &str = "AMAZON.FallbackIntent";

pub const SIZE_SLOT: &str = "Size";
pub const TOPPINGS_SLOT: &str = "Toppings";
pub const CODE_SLOT: &str = "Code";

/// What the user asked for. A variant nothing constructs does not compile.
#[derive(Debug)]
#[deny(dead_code)]
pub(crate) enum Asked {
    /// The skill was opened without a request ("open pizza on demand").
    Launch,
    /// A pizza, with the size and the toppings as heard.
    Order {
        size: Option<SpokenValue>,
        toppings: Vec<SpokenValue>,
    },
    /// The code that confirms the pending order, as heard, if one was.
    Authorize {
        code: Option<SpokenValue>,
    },
    Help,
    /// Stop, cancel or go home.
    Stop,
    /// Something the skill can't help with: Alexa's fallback, or an intent the skill doesn't know.
    Fallback,
    /// Alexa ended the session, for this reason (and error, if any).
    SessionEnded {
        reason: Option<String>,
        error: Option<Value>,
    },
    /// Another kind of request (e.g. `CanFulfillIntentRequest`): nothing to say.
    Other,
}

impl Asked {
    pub(crate) fn from_request(envelope: &RequestEnvelope) -> Self {
        match &envelope.request {
            Request::LaunchRequest { .. } => Asked::Launch,
            Request::IntentRequest(request) => {
                let name = request.intent.name.as_str();
                tracing::info!(intent = name, request_id = envelope.request_id(), "intent");
                match Handled::named(name) {
                    Some(handled) => handled.asked(&request.intent),
                    None => Asked::Fallback,
                }
            }
            Request::SessionEndedRequest { reason, error, .. } => {
                Asked::SessionEnded { reason: reason.clone(), error: error.clone() }
            }
            Request::Other => Asked::Other,
        }
    }

    /// What answering does if it can change state (then a request that Alexa delivers
    /// again gets the first answer and changes nothing), `None` if it cannot.
    pub(crate) fn changes_state(&self) -> Option<Doing> {
        match self {
            Asked::Order { .. } => Some(Doing::Ordering),
            Asked::Authorize { .. } => Some(Doing::CheckingCode),
            Asked::Launch | Asked::Help | Asked::Stop | Asked::Fallback | Asked::SessionEnded { .. } | Asked::Other => {
                None
            }
        }
    }

    /// Whether answering starts by reading the caller's profile (the contacts a code
    /// can go to). That does not change state, so it runs beside the replay claim. A
    /// code check reads its user's profile only once the request is known to be new.
    pub(crate) fn looks_up_caller_first(&self) -> bool {
        match self {
            Asked::Order { .. } => true,
            Asked::Authorize { .. }
            | Asked::Launch
            | Asked::Help
            | Asked::Stop
            | Asked::Fallback
            | Asked::SessionEnded { .. }
            | Asked::Other => false,
        }
    }
}

/// The intents the skill handles, one per intent variant of [`Asked`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[deny(dead_code)]
enum Handled {
    Order,
    Authorize,
    Help,
    Stop,
    Fallback,
}

impl Handled {
    /// Every handled intent. One left out here is never constructed, and one without
    /// names in [`Handled::names`] is not matched: neither compiles.
    const ALL: [Handled; 5] = [Handled::Order, Handled::Authorize, Handled::Help, Handled::Stop, Handled::Fallback];

    /// The names the interaction model gives this intent.
    const fn names(self) -> &'static [&'static str] {
        match self {
            Handled::Order => &[ORDER_INTENT],
            Handled::Authorize => &[AUTHORIZE_INTENT],
            Handled::Help => &[HELP_INTENT],
            Handled::Stop => &[STOP_INTENT, CANCEL_INTENT, NAVIGATE_HOME_INTENT],
            Handled::Fallback => &[FALLBACK_INTENT],
        }
    }

    fn named(name: &str) -> Option<Handled> {
        Handled::ALL.into_iter().find(|handled| handled.names().contains(&name))
    }

    /// What `intent` asks for, with its slots as heard.
    fn asked(self, intent: &Intent) -> Asked {
        let first = |slot: &str| intent.slot(slot).and_then(Slot::first_value);
        match self {
            Handled::Order => Asked::Order {
                size: first(SIZE_SLOT),
                toppings: intent.slot(TOPPINGS_SLOT).map(Slot::spoken_values).unwrap_or_default(),
            },
            Handled::Authorize => Asked::Authorize { code: first(CODE_SLOT) },
            Handled::Help => Asked::Help,
            Handled::Stop => Asked::Stop,
            Handled::Fallback => Asked::Fallback,
        }
    }
}

/// Every intent the skill handles, by name (the interaction model must declare the same set).
pub fn handled_intents() -> impl Iterator<Item = &'static str> {
    Handled::ALL.into_iter().flat_map(Handled::names).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn asked(request: Value) -> Asked {
        let envelope = json!({"version": "1.0", "request": request});
        Asked::from_request(&serde_json::from_value(envelope).unwrap())
    }

    fn intent(name: &str, slots: Value) -> Asked {
        asked(json!({"type": "IntentRequest", "requestId": "r", "intent": {"name": name, "slots": slots}}))
    }

    #[test]
    fn every_handled_name_is_handled_once_and_none_is_the_fallback_but_its_own() {
        let names: Vec<&str> = handled_intents().collect();
        assert_eq!(names.len(), 7);
        for name in &names {
            assert_eq!(names.iter().filter(|n| *n == name).count(), 1, "{name}");
            let fallback = matches!(intent(name, json!({})), Asked::Fallback);
            assert_eq!(fallback, *name == FALLBACK_INTENT, "{name}");
        }
        assert!(matches!(intent("SomeIntentNobodyDeclared", json!({})), Asked::Fallback));
    }

    #[test]
    fn slots_are_kept_as_heard() {
        let order = intent(
            ORDER_INTENT,
            json!({"Size": {"name": "Size", "value": "big"},
                   "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": [
                       {"type": "Simple", "value": "ham and onions"}, {"type": "Simple", "value": "?"}]}}}),
        );
        let Asked::Order { size, toppings } = order else { panic!("{order:?}") };
        assert_eq!(size.map(|s| s.heard), Some("big".to_string()));
        assert_eq!(toppings.into_iter().map(|t| t.heard).collect::<Vec<_>>(), ["ham and onions"]);

        let Asked::Authorize { code } = intent(AUTHORIZE_INTENT, json!({"Code": {"name": "Code", "value": "42"}}))
        else {
            panic!("not an authorize")
        };
        assert_eq!(code.map(|c| c.heard), Some("42".to_string()));
        assert!(matches!(intent(AUTHORIZE_INTENT, json!({})), Asked::Authorize { code: None }));
        assert!(
            matches!(intent(ORDER_INTENT, json!({})), Asked::Order { size: None, toppings } if toppings.is_empty())
        );
    }

    #[test]
    fn only_orders_and_code_checks_change_state_and_only_an_order_looks_up_its_caller_first() {
        let launch = asked(json!({"type": "LaunchRequest"}));
        let ended = asked(json!({"type": "SessionEndedRequest", "reason": "ERROR"}));
        let other = asked(json!({"type": "CanFulfillIntentRequest"}));
        assert!(matches!(ended, Asked::SessionEnded { reason: Some(ref r), error: None } if r == "ERROR"));
        let mut all = vec![launch, ended, other];
        all.extend(handled_intents().map(|name| intent(name, json!({}))));
        for asked in &all {
            let state = matches!(asked, Asked::Order { .. } | Asked::Authorize { .. });
            assert_eq!(asked.changes_state().is_some(), state, "{asked:?}");
            assert_eq!(asked.looks_up_caller_first(), matches!(asked, Asked::Order { .. }), "{asked:?}");
        }
    }
}
