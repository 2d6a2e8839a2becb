//! What a request asks for, read once from the Alexa request: the one thing
//! the skill routes on. Slot values are kept as heard; each handler decides
//! what they mean (a size, toppings, a code).

use crate::conversation::{Heard, Said, Stage};
use crate::failure::Doing;
use pod_shared::alexa::{Intent, Request, RequestEnvelope, Slot, Speech, SpokenValue};
use pod_shared::domain::Pizza;
use serde_json::Value;

pub const ORDER_INTENT: &str = "GetMeSomePizzaIntent";
pub const AUTHORIZE_INTENT: &str = "AuthorizePizzaOrderIntent";
pub const HELP_INTENT: &str = "AMAZON.HelpIntent";
pub const STOP_INTENT: &str = "AMAZON.StopIntent";
pub const CANCEL_INTENT: &str = "AMAZON.CancelIntent";
pub const NAVIGATE_HOME_INTENT: &str = "AMAZON.NavigateHomeIntent";
pub const FALLBACK_INTENT: &str = "AMAZON.FallbackIntent";
pub const YES_INTENT: &str = "AMAZON.YesIntent";
pub const NO_INTENT: &str = "AMAZON.NoIntent";
pub const REPEAT_INTENT: &str = "AMAZON.RepeatIntent";
pub const STATUS_INTENT: &str = "OrderStatusIntent";
pub const CANCEL_ORDER_INTENT: &str = "CancelOrderIntent";
pub const RESEND_CODE_INTENT: &str = "ResendCodeIntent";

pub const SIZE_SLOT: &str = "Size";
pub const TOPPINGS_SLOT: &str = "Toppings";
pub const CODE_SLOT: &str = "Code";

/// What the user asked for. A variant nothing constructs does not compile.
#[derive(Debug)]
#[deny(dead_code)]
pub(crate) enum Asked {
    /// The skill was opened without a request ("open pizza on demand").
    Launch,
    /// A pizza, with the size and the toppings as heard; `earlier`: the pizza recapped
    /// before in this session, whose size a new order without one keeps.
    Order { size: Option<SpokenValue>, toppings: Vec<SpokenValue>, earlier: Option<Pizza> },
    /// "Yes", to whatever the session says was asked.
    Yes(Heard),
    /// "No", to whatever the session says was asked.
    No(Heard),
    /// "Repeat that": what the last answer said, if the session kept it.
    Repeat { said: Option<(Speech, Speech)>, heard: Heard },
    /// "What's the status of my order?"
    Status,
    /// "Cancel my order": asks first.
    CancelOrder,
    /// "I didn't get the code": a new code for the pending order.
    ResendCode,
    /// The code that confirms the pending order, as heard, if one was.
    Authorize { code: Option<SpokenValue> },
    /// Help, for where the conversation is.
    Help(Heard),
    /// Stop, cancel or go home.
    Stop,
    /// Something the skill can't help with: Alexa's fallback, or an intent the skill doesn't know.
    Fallback(Heard),
    /// Alexa ended the session, for this reason (and error, if any).
    SessionEnded { reason: Option<String>, error: Option<Value> },
    /// One of Alexa's skill events (enabled, disabled, account linked, permissions): no session, no speech.
    Lifecycle(crate::lifecycle::SkillEvent),
    /// Alexa hands the turn back after its voice PIN check.
    VoicePinChecked(crate::voice_pin::Resumed),
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
                let heard = Heard::from_request(envelope);
                match Handled::named(name) {
                    Some(handled) => handled.asked(&request.intent, heard, envelope),
                    None => Asked::Fallback(heard),
                }
            }
            Request::SessionEndedRequest { reason, error, .. } => {
                Asked::SessionEnded { reason: reason.clone(), error: error.clone() }
            }
            Request::SkillEnabled(_)
            | Request::SkillDisabled(_)
            | Request::SkillAccountLinked(_)
            | Request::SkillPermissionAccepted(_)
            | Request::SkillPermissionChanged(_) => {
                crate::lifecycle::SkillEvent::of(envelope).map_or(Asked::Other, Asked::Lifecycle)
            }
            Request::SessionResumedRequest(resumed) => Asked::VoicePinChecked(crate::voice_pin::Resumed::read(resumed)),
            Request::Other => Asked::Other,
        }
    }

    /// What answering does if it can change state (then a request that Alexa delivers
    /// again gets the first answer and changes nothing), `None` if it cannot.
    pub(crate) fn changes_state(&self) -> Option<Doing> {
        match self {
            Asked::Yes(Heard::At(Stage::SendCode { .. })) => Some(Doing::Ordering),
            Asked::Yes(Heard::At(Stage::Cancel { .. })) => Some(Doing::Cancelling),
            Asked::Authorize { .. } | Asked::VoicePinChecked(_) => Some(Doing::CheckingCode),
            Asked::ResendCode => Some(Doing::Resending),
            Asked::Yes(_)
            | Asked::No(_)
            | Asked::Repeat { .. }
            | Asked::Order { .. }
            | Asked::Status
            | Asked::CancelOrder
            | Asked::Launch
            | Asked::Help(_)
            | Asked::Stop
            | Asked::Fallback(_)
            | Asked::SessionEnded { .. }
            | Asked::Lifecycle(_)
            | Asked::Other => None,
        }
    }

    /// Whether answering reads the linked user's orders (or binds a recap to the linked
    /// account) without changing anything: then the user is known first, with no replay claim.
    pub(crate) fn reads_account(&self) -> bool {
        matches!(
            self,
            Asked::Order { .. }
                | Asked::Status
                | Asked::CancelOrder
                | Asked::Yes(Heard::At(Stage::VoicePinRefused { .. }))
        )
    }

    /// Whether answering places an order that sends a code (its guess budget and pending order
    /// are read beside the claim).
    pub(crate) fn sends_a_code(&self) -> bool {
        matches!(self, Asked::Yes(Heard::At(Stage::SendCode { .. })))
    }

    /// Whether answering starts by reading the caller's profile (the contacts a code
    /// can go to). That does not change state, so it runs beside the replay claim. A
    /// code check's reads (its pending order and the profile) run there too, once a code was
    /// heard (`authorize::checks`).
    pub(crate) fn looks_up_caller_first(&self) -> bool {
        match self {
            Asked::Yes(Heard::At(Stage::SendCode { .. })) | Asked::ResendCode => true,
            Asked::Yes(_)
            | Asked::No(_)
            | Asked::Repeat { .. }
            | Asked::Order { .. }
            | Asked::Status
            | Asked::CancelOrder
            | Asked::Authorize { .. }
            | Asked::VoicePinChecked(_)
            | Asked::Launch
            | Asked::Help(_)
            | Asked::Stop
            | Asked::Fallback(_)
            | Asked::SessionEnded { .. }
            | Asked::Lifecycle(_)
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
    Yes,
    No,
    Repeat,
    Status,
    CancelOrder,
    ResendCode,
    Help,
    Stop,
    Fallback,
}

impl Handled {
    /// Every handled intent. One left out here is never constructed, and one without
    /// names in [`Handled::names`] is not matched: neither compiles.
    const ALL: [Handled; 11] = [
        Handled::Order,
        Handled::Authorize,
        Handled::Yes,
        Handled::No,
        Handled::Repeat,
        Handled::Status,
        Handled::CancelOrder,
        Handled::ResendCode,
        Handled::Help,
        Handled::Stop,
        Handled::Fallback,
    ];

    /// The names the interaction model gives this intent.
    const fn names(self) -> &'static [&'static str] {
        match self {
            Handled::Order => &[ORDER_INTENT],
            Handled::Authorize => &[AUTHORIZE_INTENT],
            Handled::Yes => &[YES_INTENT],
            Handled::No => &[NO_INTENT],
            Handled::Repeat => &[REPEAT_INTENT],
            Handled::Status => &[STATUS_INTENT],
            Handled::CancelOrder => &[CANCEL_ORDER_INTENT],
            Handled::ResendCode => &[RESEND_CODE_INTENT],
            Handled::Help => &[HELP_INTENT],
            Handled::Stop => &[STOP_INTENT, CANCEL_INTENT, NAVIGATE_HOME_INTENT],
            Handled::Fallback => &[FALLBACK_INTENT],
        }
    }

    fn named(name: &str) -> Option<Handled> {
        Handled::ALL.into_iter().find(|handled| handled.names().contains(&name))
    }

    /// What `intent` asks for, with its slots as heard, where the session says the
    /// conversation is (`heard`).
    fn asked(self, intent: &Intent, heard: Heard, envelope: &RequestEnvelope) -> Asked {
        let first = |slot: &str| intent.slot(slot).and_then(Slot::first_value);
        match self {
            Handled::Order => Asked::Order {
                size: first(SIZE_SLOT),
                toppings: intent.slot(TOPPINGS_SLOT).map(Slot::spoken_values).unwrap_or_default(),
                earlier: match heard {
                    Heard::At(Stage::SendCode { pizza, .. } | Stage::Change { pizza }) => Some(pizza),
                    _ => None,
                },
            },
            Handled::Authorize => Asked::Authorize { code: first(CODE_SLOT) },
            Handled::Yes => Asked::Yes(heard),
            Handled::No => Asked::No(heard),
            Handled::Repeat => Asked::Repeat { said: Said::from_request(envelope), heard },
            Handled::Status => Asked::Status,
            Handled::CancelOrder => Asked::CancelOrder,
            Handled::ResendCode => Asked::ResendCode,
            Handled::Help => Asked::Help(heard),
            Handled::Stop => Asked::Stop,
            Handled::Fallback => Asked::Fallback(heard),
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
        assert_eq!(names.len(), 13);
        for name in &names {
            assert_eq!(names.iter().filter(|n| *n == name).count(), 1, "{name}");
            let fallback = matches!(intent(name, json!({})), Asked::Fallback(_));
            assert_eq!(fallback, *name == FALLBACK_INTENT, "{name}");
        }
        assert!(matches!(intent("SomeIntentNobodyDeclared", json!({})), Asked::Fallback(_)));
    }

    #[test]
    fn slots_are_kept_as_heard() {
        let order = intent(
            ORDER_INTENT,
            json!({"Size": {"name": "Size", "value": "big"},
                   "Toppings": {"name": "Toppings", "slotValue": {"type": "List", "values": [
                       {"type": "Simple", "value": "ham and onions"}, {"type": "Simple", "value": "?"}]}}}),
        );
        let Asked::Order { size, toppings, earlier: None } = order else { panic!("{order:?}") };
        assert_eq!(size.map(|s| s.heard), Some("big".to_string()));
        assert_eq!(toppings.into_iter().map(|t| t.heard).collect::<Vec<_>>(), ["ham and onions"]);

        let Asked::Authorize { code } = intent(AUTHORIZE_INTENT, json!({"Code": {"name": "Code", "value": "42"}}))
        else {
            panic!("not an authorize")
        };
        assert_eq!(code.map(|c| c.heard), Some("42".to_string()));
        assert!(matches!(intent(AUTHORIZE_INTENT, json!({})), Asked::Authorize { code: None }));
        assert!(
            matches!(intent(ORDER_INTENT, json!({})), Asked::Order { size: None, toppings, .. } if toppings.is_empty())
        );
    }

    #[test]
    fn only_a_yes_to_a_recap_or_a_cancel_and_code_checks_change_state_and_only_the_yes_to_a_recap_looks_up_its_caller_first()
     {
        let launch = asked(json!({"type": "LaunchRequest"}));
        let ended = asked(json!({"type": "SessionEndedRequest", "reason": "ERROR"}));
        let other = asked(json!({"type": "CanFulfillIntentRequest"}));
        assert!(matches!(ended, Asked::SessionEnded { reason: Some(ref r), error: None } if r == "ERROR"));
        let mut all = vec![launch, ended, other];
        all.extend(handled_intents().map(|name| intent(name, json!({}))));
        for asked in &all {
            let resend = matches!(asked, Asked::ResendCode);
            assert_eq!(
                asked.changes_state().is_some(),
                matches!(asked, Asked::Authorize { .. }) || resend,
                "{asked:?}"
            );
            assert_eq!(asked.looks_up_caller_first(), resend, "{asked:?}");
        }
        let in_session = |name: &str, stage: Value| {
            let envelope = json!({"version": "1.0", "session": {"attributes": {"stage": stage}},
                "request": {"type": "IntentRequest", "requestId": "r", "intent": {"name": name}}});
            Asked::from_request(&serde_json::from_value(envelope).unwrap())
        };
        let recap =
            json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "large", "toppings": ["bacon"]}});
        let cancel = json!({"waiting_for": "cancel", "order": "0190a0b0-0000-7000-8000-000000000000"});
        let yes_to_recap = in_session(YES_INTENT, recap.clone());
        assert_eq!(yes_to_recap.changes_state(), Some(Doing::Ordering));
        assert!(yes_to_recap.looks_up_caller_first());
        let yes_to_cancel = in_session(YES_INTENT, cancel.clone());
        assert_eq!(yes_to_cancel.changes_state(), Some(Doing::Cancelling));
        assert!(!yes_to_cancel.looks_up_caller_first());
        for asked in
            [in_session(NO_INTENT, recap.clone()), in_session(NO_INTENT, cancel), in_session(ORDER_INTENT, recap)]
        {
            assert_eq!(asked.changes_state(), None, "{asked:?}");
        }
        let forged =
            in_session(YES_INTENT, json!({"waiting_for": "send_code", "currency": "USD", "pizza": {"size": "huge"}}));
        assert!(matches!(forged, Asked::Yes(Heard::Unreadable)));
        assert_eq!(forged.changes_state(), None, "a stage that does not parse orders nothing");
    }
}
