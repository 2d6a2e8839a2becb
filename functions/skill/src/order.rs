//! "Get me a large pizza with pepperoni": recap the order and ask whether to send its code;
//! nothing is stored or sent until the user says yes (`yes.rs`), which places it here.

use crate::asked::{SIZE_SLOT, TOPPINGS_SLOT};
use crate::caller::Caller;
use crate::conversation::{self, Stage};
use crate::failure::{self, Doing};
use crate::replay::{self, OnClaim};
use crate::speech;
use pod_shared::alexa::{Card, ResponseEnvelope, SpokenValue};
use pod_shared::domain::{ConfirmBy, Currency, Menu, PersonId, Pizza, Size, Source, StepUp, Topping, Toppings};
use pod_shared::ports::UserProfile;
use pod_shared::service::{OrderService, PlacedOrder, ServiceError};

/// The recap of the pizza the slots describe, with its total in `currency` (or the question to
/// ask next). `earlier`: the pizza recapped before in this session, whose size an order that
/// names none keeps.
pub(crate) fn recap(
    size: Option<SpokenValue>,
    toppings: Vec<SpokenValue>,
    earlier: Option<Pizza>,
    currency: Currency,
    step_up: StepUp,
) -> ResponseEnvelope {
    let pizza = match pizza(size, &toppings, earlier.map(|pizza| pizza.size)) {
        Ok(pizza) => pizza,
        Err(answer) => return *answer,
    };
    let total = Menu::builtin().bill(&pizza, currency).total();
    let price = Some(total);
    let (said, reprompt) = match step_up.confirm_by() {
        ConfirmBy::Code => (speech::recap(&pizza, price), speech::ask_send_code()),
        ConfirmBy::VoicePin => (speech::recap_for_voice_pin(&pizza, price), speech::ask_place_with_voice_pin()),
    };
    conversation::at(ResponseEnvelope::ask(said, reprompt), &Stage::SendCode { pizza, currency })
}

/// Yes to the recap of `pizza` in `currency`: place the order and send its code.
/// `caller`: who is ordering, with their profile if it was read beside the replay claim.
pub(crate) async fn place(
    service: &OrderService,
    caller: Caller,
    pizza: Pizza,
    currency: Currency,
    step_up: StepUp,
) -> ResponseEnvelope {
    let profile = match caller.profile {
        Some(profile) => profile,
        None => service.user_profile(&caller.user).await,
    };
    let read = match caller.order_read {
        Some(read) => read,
        None => service.read_for_order(&caller.user).await,
    };
    let on_claim = caller.on_claim;
    if step_up.confirm_by() == ConfirmBy::VoicePin {
        return with_voice_pin(service, profile, read, pizza, currency, caller.person, on_claim).await;
    }
    let render = |placed: &PlacedOrder| replay::kept(placed_with_code(placed));
    let answering = on_claim.as_ref().map(|on_claim| on_claim.answering(&render));
    let placed = match profile {
        Ok(profile) => {
            let while_sending = caller.progressive.while_sending();
            let person = caller.person;
            let source = Source::Voice;
            service
                .place_priced_order_answering(
                    &profile,
                    read,
                    pizza,
                    currency,
                    person,
                    source,
                    while_sending,
                    answering.as_ref(),
                )
                .await
        }
        Err(error) => Err(error),
    };
    match placed {
        Ok(placed) => placed_with_code(&placed),
        Err(error) => failure::answer(service, Doing::Ordering, error),
    }
}

/// The answer to an order placed and its code sent: where the code went, and the question for it.
fn placed_with_code(placed: &PlacedOrder) -> ResponseEnvelope {
    let (said, reprompt) = speech::order_placed(placed);
    let card = Card::Simple { title: speech::card_title(), content: said.plain() };
    conversation::at(ResponseEnvelope::ask(said, reprompt).with_card(card), &Stage::Code)
}

/// Yes to the recap with the voice PIN as the step-up: the order is stored pending (no code is
/// made or sent) and the turn goes to Alexa's voice PIN check, with the order's id as the token
/// (only this user's pending order with that id is ever confirmed by what comes back).
async fn with_voice_pin(
    service: &OrderService,
    profile: Result<UserProfile, ServiceError>,
    read: pod_shared::service::OrderRead,
    pizza: Pizza,
    currency: Currency,
    person: Option<PersonId>,
    on_claim: Option<OnClaim>,
) -> ResponseEnvelope {
    let render = |placed: &PlacedOrder| replay::kept(ResponseEnvelope::verify_person(&placed.order.id.to_string()));
    let answering = on_claim.as_ref().map(|on_claim| on_claim.answering(&render));
    let placed = match profile {
        Ok(profile) => {
            service.place_voice_pin_order_answering(&profile, read, pizza, currency, person, answering.as_ref()).await
        }
        Err(error) => Err(error),
    };
    match placed {
        Ok(placed) => ResponseEnvelope::verify_person(&placed.order.id.to_string()),
        Err(error) => failure::answer(service, Doing::Ordering, error),
    }
}

/// The pizza the slots describe, or the question to ask next.
fn pizza(
    size: Option<SpokenValue>,
    toppings: &[SpokenValue],
    earlier: Option<Size>,
) -> Result<Pizza, Box<ResponseEnvelope>> {
    let size = match (size, earlier) {
        // "With onions instead": the toppings change, the size recapped stays.
        (None, Some(earlier)) if !toppings.is_empty() => earlier,
        (None, _) => {
            return Err(Box::new(ResponseEnvelope::elicit_slot(
                SIZE_SLOT,
                speech::ask_size(),
                speech::ask_size(),
                None,
            )));
        }
        (Some(heard), _) => match Size::parse(heard.best()) {
            Ok(size) => size,
            Err(_) => {
                return Err(Box::new(ResponseEnvelope::elicit_slot(
                    SIZE_SLOT,
                    speech::unknown_size(&heard.heard),
                    speech::ask_size(),
                    None,
                )));
            }
        },
    };
    let mut known: Vec<Topping> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for value in toppings {
        let candidates = match Topping::parse(value.best()) {
            Ok(topping) => vec![Ok(topping)],
            Err(_) => split_phrase(&value.heard).into_iter().map(|p| Topping::parse(&p).map_err(|_| p)).collect(),
        };
        for candidate in candidates {
            match candidate {
                Ok(topping) if !known.contains(&topping) => known.push(topping),
                Ok(_) => {}
                Err(name) => unknown.push(name),
            }
        }
    }
    if !unknown.is_empty() {
        return Err(Box::new(ResponseEnvelope::elicit_slot(
            TOPPINGS_SLOT,
            speech::unknown_toppings(&unknown),
            speech::ask_toppings(),
            None,
        )));
    }
    let toppings = Toppings::new(known).unwrap_or_default();
    Ok(Pizza { size, toppings })
}

/// Splits one heard phrase into toppings ("pepperoni and mushrooms", "ham, onions").
fn split_phrase(phrase: &str) -> Vec<String> {
    phrase
        .split([','])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}
