use super::{Bill, Channel, Currency, MaskedDestination, Menu, OrderId, PersonId, Pizza, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Where an order is in its life.
///
/// ```text
/// PendingConfirmation ──right code──────────▶ Confirmed
///        │ ──cancel / superseded───────────▶ Cancelled
///        │ ──challenge past its expiry─────▶ Expired
///        │ ──the provider's code ran out───▶ Expired
///        └ ──last allowed wrong code───────▶ Locked
/// ```
/// Every other move is a [`TransitionError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    #[serde(rename = "pending")]
    PendingConfirmation,
    Confirmed,
    Cancelled,
    Expired,
    Locked,
}

impl OrderStatus {
    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::PendingConfirmation => "pending",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
            OrderStatus::Locked => "locked",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            OrderStatus::PendingConfirmation,
            OrderStatus::Confirmed,
            OrderStatus::Cancelled,
            OrderStatus::Expired,
            OrderStatus::Locked,
        ]
        .into_iter()
        .find(|s| s.name() == raw)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the order is {0}, not pending confirmation")]
    NotPending(OrderStatus),
    #[error("the confirmation code has expired")]
    ChallengeExpired,
    #[error("the confirmation code has not expired yet")]
    ChallengeStillValid,
    #[error("no confirmation attempts are left")]
    AttemptsExhausted,
    /// A code for an order that only Alexa's voice PIN confirms (none was sent for it).
    #[error("the order is confirmed by voice PIN, not by a code")]
    AwaitsVoicePin,
}

/// How the skill asks for the step-up after the recap's yes (`STEP_UP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepUp {
    /// A one-time code to the verified contact (the seed's way).
    #[default]
    Code,
    /// Alexa's own voice PIN (`AMAZON.VerifyPerson`); no code is ever sent.
    VoicePin,
    /// The voice PIN, or a code when the user has no voice ID or PIN (`NOT_ENABLED`).
    VoicePinOrCode,
}

impl StepUp {
    pub const ALL: [StepUp; 3] = [StepUp::Code, StepUp::VoicePin, StepUp::VoicePinOrCode];

    pub fn name(self) -> &'static str {
        match self {
            StepUp::Code => "code",
            StepUp::VoicePin => "voice_pin",
            StepUp::VoicePinOrCode => "voice_pin_or_code",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == raw)
    }

    /// What a new order waits for.
    pub fn confirm_by(self) -> ConfirmBy {
        match self {
            StepUp::Code => ConfirmBy::Code,
            StepUp::VoicePin | StepUp::VoicePinOrCode => ConfirmBy::VoicePin,
        }
    }
}

/// What confirms a pending order: fixed at placement, never changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmBy {
    /// The one-time code sent for it.
    #[default]
    Code,
    /// Alexa's voice PIN: no code was sent, so no code opens it.
    VoicePin,
}

impl ConfirmBy {
    pub fn name(self) -> &'static str {
        match self {
            ConfirmBy::Code => "code",
            ConfirmBy::VoicePin => "voice_pin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [ConfirmBy::Code, ConfirmBy::VoicePin].into_iter().find(|c| c.name() == raw)
    }

    fn is_code(&self) -> bool {
        *self == ConfirmBy::Code
    }
}

/// A move of the state machine, as a store applies it atomically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The right code was given: pending, unexpired, attempts left → confirmed.
    Confirm,
    /// A wrong code was given: one attempt used; the last one locks the order.
    RecordWrongCode,
    /// The user (or a newer order) cancels a pending order.
    Cancel,
    /// The challenge ran out: pending and past expiry → expired.
    Expire,
    /// The code provider says its code ran out (before Pod's challenge did): pending → expired.
    ProviderExpired,
}

/// What the challenge must be for a transition (every transition needs a pending order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeRule {
    /// Anything: the order only has to be pending.
    Any,
    /// Unexpired, with attempts left.
    Live,
    /// Past its expiry.
    Expired,
}

/// What a transition writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionEffect {
    /// The status it moves to, if it always moves to one.
    pub to: Option<OrderStatus>,
    /// It uses one attempt; the last one moves the order to [`OrderStatus::Locked`].
    pub uses_attempt: bool,
}

impl Transition {
    pub const ALL: [Transition; 5] = [
        Transition::Confirm,
        Transition::RecordWrongCode,
        Transition::Cancel,
        Transition::Expire,
        Transition::ProviderExpired,
    ];

    /// The one statement of each move's rule: what it needs of a pending order's challenge and
    /// what it writes. [`Order::check`] and [`Order::apply`] follow it, and so does the DynamoDB
    /// store's conditional update for it.
    pub fn rule(self) -> (ChallengeRule, TransitionEffect) {
        let to = |status| TransitionEffect { to: Some(status), uses_attempt: false };
        match self {
            Transition::Confirm => (ChallengeRule::Live, to(OrderStatus::Confirmed)),
            Transition::RecordWrongCode => (ChallengeRule::Live, TransitionEffect { to: None, uses_attempt: true }),
            Transition::Cancel => (ChallengeRule::Any, to(OrderStatus::Cancelled)),
            Transition::Expire => (ChallengeRule::Expired, to(OrderStatus::Expired)),
            Transition::ProviderExpired => (ChallengeRule::Any, to(OrderStatus::Expired)),
        }
    }
}

/// How long a code lives, how many wrong codes an order survives, and how long codes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChallengePolicy {
    pub ttl: Duration,
    pub max_attempts: u32,
    /// Codes a user may be sent in any rolling hour.
    pub sends_per_hour: u32,
    /// Digits in a code (`CODE_LENGTH`): a spoken code with fewer digits lost its leading zeros.
    pub code_length: usize,
}

impl Default for ChallengePolicy {
    fn default() -> Self {
        Self { ttl: Duration::from_secs(300), max_attempts: 3, sends_per_hour: 5, code_length: 4 }
    }
}

/// The step-up challenge bound to one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub channel: Channel,
    pub destination: MaskedDestination,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub attempts_used: u32,
    pub max_attempts: u32,
    /// With Pod's own codes: the MAC binding the code to this order (never the code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<String>,
    /// What confirms the order: its code, or Alexa's voice PIN (then no code was sent).
    #[serde(default, skip_serializing_if = "ConfirmBy::is_code")]
    pub confirm_by: ConfirmBy,
}

impl Challenge {
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    pub fn attempts_left(&self) -> u32 {
        self.max_attempts.saturating_sub(self.attempts_used)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongCodeOutcome {
    TriesLeft(u32),
    Locked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub user_id: UserId,
    pub pizza: Pizza,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub challenge: Challenge,
    /// What the order costs, as the payer was told at placement. `None` only for an order stored
    /// before orders had prices: its price was never stated, so none is made up for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill: Option<Bill>,
    /// The speaker Alexa recognised when the order was placed, if any: then only that person
    /// (or a code from a voice Alexa did not recognise) confirms it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonId>,
}

impl Order {
    /// A new order, pending confirmation by the code just sent, priced from the built-in menu in
    /// [`Currency::DEFAULT`] (see [`priced_in`](Self::priced_in)).
    pub fn place(
        user_id: UserId,
        pizza: Pizza,
        channel: Channel,
        destination: MaskedDestination,
        policy: ChallengePolicy,
        now: Timestamp,
    ) -> Self {
        let bill = Menu::builtin().bill(&pizza, Currency::DEFAULT);
        Self {
            id: OrderId::generate(),
            user_id,
            pizza,
            status: OrderStatus::PendingConfirmation,
            created_at: now,
            updated_at: now,
            challenge: Challenge {
                channel,
                destination,
                sent_at: now,
                expires_at: now.plus(policy.ttl),
                attempts_used: 0,
                max_attempts: policy.max_attempts.max(1),
                code_hash: None,
                confirm_by: ConfirmBy::Code,
            },
            bill: Some(bill),
            person: None,
        }
    }

    /// The same order waiting for Alexa's voice PIN instead of a code (none is sent for it).
    pub fn awaiting_voice_pin(mut self) -> Self {
        self.challenge.confirm_by = ConfirmBy::VoicePin;
        self
    }

    /// The same order, placed by the speaker Alexa recognised (if it recognised one).
    pub fn spoken_by(mut self, person: Option<PersonId>) -> Self {
        self.person = person;
        self
    }

    /// Whether `by`, given by `speaker` (the voice Alexa recognised, if any), may confirm this
    /// order: a code only if the order waits for one; an order placed by a recognised person
    /// only by that person, or by a code from a voice Alexa did not recognise. A voice PIN must
    /// come from the person who ordered (Alexa verifies the PIN of the recognised speaker).
    /// Checked before any code is: a refusal says nothing about whether the code was right.
    pub fn may_be_confirmed(&self, by: ConfirmBy, speaker: Option<&PersonId>) -> Result<(), Refusal> {
        if by == ConfirmBy::Code && self.challenge.confirm_by == ConfirmBy::VoicePin {
            return Err(Refusal::AwaitsVoicePin);
        }
        match (&self.person, speaker, by) {
            (None, _, _) => Ok(()),
            (Some(ordered), Some(speaking), _) if ordered == speaking => Ok(()),
            (Some(_), None, ConfirmBy::Code) => Ok(()),
            (Some(_), _, _) => Err(Refusal::OtherSpeaker),
        }
    }

    /// The same order priced in `currency` from the built-in menu (before its code is sealed:
    /// the code binds the amount, the currency and the payee).
    pub fn priced_in(mut self, currency: Currency) -> Self {
        self.bill = Some(Menu::builtin().bill(&self.pizza, currency));
        self
    }

    /// The status as a reader should see it: a pending order whose code has
    /// run out is expired even before anything wrote that down.
    pub fn status_at(&self, now: Timestamp) -> OrderStatus {
        if self.status == OrderStatus::PendingConfirmation && self.challenge.is_expired_at(now) {
            OrderStatus::Expired
        } else {
            self.status
        }
    }

    /// Checks that `transition` is allowed at `now` without changing anything ([`Transition::rule`]).
    pub fn check(&self, transition: Transition, now: Timestamp) -> Result<(), TransitionError> {
        if self.status != OrderStatus::PendingConfirmation {
            return Err(TransitionError::NotPending(self.status));
        }
        let expired = self.challenge.is_expired_at(now);
        match transition.rule().0 {
            ChallengeRule::Any => Ok(()),
            ChallengeRule::Live if expired => Err(TransitionError::ChallengeExpired),
            ChallengeRule::Live if self.challenge.attempts_left() == 0 => Err(TransitionError::AttemptsExhausted),
            ChallengeRule::Live => Ok(()),
            ChallengeRule::Expired if expired => Ok(()),
            ChallengeRule::Expired => Err(TransitionError::ChallengeStillValid),
        }
    }

    /// Applies `transition` at `now`, or leaves the order untouched and says why not.
    pub fn apply(&mut self, transition: Transition, now: Timestamp) -> Result<(), TransitionError> {
        self.check(transition, now)?;
        let effect = transition.rule().1;
        if let Some(status) = effect.to {
            self.status = status;
        }
        if effect.uses_attempt {
            self.challenge.attempts_used += 1;
            if self.challenge.attempts_left() == 0 {
                self.status = OrderStatus::Locked;
            }
        }
        self.updated_at = now;
        Ok(())
    }

    /// What a wrong code did to this order (after [`Transition::RecordWrongCode`]).
    pub fn wrong_code_outcome(&self) -> WrongCodeOutcome {
        match self.status {
            OrderStatus::Locked => WrongCodeOutcome::Locked,
            _ => WrongCodeOutcome::TriesLeft(self.challenge.attempts_left()),
        }
    }
}

/// Why a step-up may not confirm an order ([`Order::may_be_confirmed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A code for an order that waits for the voice PIN: nothing is checked or counted.
    AwaitsVoicePin,
    /// Another recognised voice (or a PIN from an unrecognised one): counted as a wrong code.
    OtherSpeaker,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a code is 4 to 10 digits")]
pub struct CodeError;

/// A one-time code as the user gave it: 4 to 10 ASCII digits. Never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if (4..=10).contains(&compact.len()) && compact.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(compact))
        } else {
            Err(CodeError)
        }
    }

    /// A code as Alexa heard it, for codes of `length` digits: a number slot drops leading
    /// zeros ("zero four two one seven nine" may arrive as 42179), so a shorter one is padded
    /// back; a longer one cannot be a code of this length.
    pub fn from_spoken(raw: &str, length: usize) -> Result<Self, CodeError> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.is_empty() || digits.len() > length || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError);
        }
        Self::parse(&format!("{digits:0>length$}"))
    }

    /// The digits, for the one call that must send them to the verifier.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Size, Toppings};

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_millis(seconds * 1000)
    }

    fn pending_order() -> Order {
        Order::place(
            UserId::parse("auth0|ana").unwrap(),
            Pizza { size: Size::Large, toppings: Toppings::default() },
            Channel::Sms,
            MaskedDestination::Phone { last_digits: "21".into() },
            ChallengePolicy::default(),
            at(1_000),
        )
    }

    #[test]
    fn a_new_order_is_pending_with_a_five_minute_three_attempt_challenge() {
        let order = pending_order();
        assert_eq!(order.status, OrderStatus::PendingConfirmation);
        assert_eq!(order.challenge.expires_at, at(1_300));
        assert_eq!(order.challenge.attempts_left(), 3);
    }

    #[test]
    fn the_right_code_confirms_once() {
        let mut order = pending_order();
        order.apply(Transition::Confirm, at(1_010)).unwrap();
        assert_eq!(order.status, OrderStatus::Confirmed);
        assert_eq!(order.updated_at, at(1_010));
        assert_eq!(
            order.apply(Transition::Confirm, at(1_011)),
            Err(TransitionError::NotPending(OrderStatus::Confirmed))
        );
    }

    #[test]
    fn wrong_codes_count_down_and_the_last_one_locks() {
        let mut order = pending_order();
        order.apply(Transition::RecordWrongCode, at(1_001)).unwrap();
        assert_eq!(order.wrong_code_outcome(), WrongCodeOutcome::TriesLeft(2));
        order.apply(Transition::RecordWrongCode, at(1_002)).unwrap();
        assert_eq!(order.wrong_code_outcome(), WrongCodeOutcome::TriesLeft(1));
        order.apply(Transition::RecordWrongCode, at(1_003)).unwrap();
        assert_eq!(order.wrong_code_outcome(), WrongCodeOutcome::Locked);
        assert_eq!(order.status, OrderStatus::Locked);
        assert_eq!(order.challenge.attempts_used, 3);
        let before = order.clone();
        assert_eq!(order.apply(Transition::Confirm, at(1_004)), Err(TransitionError::NotPending(OrderStatus::Locked)));
        assert_eq!(order, before, "a refused transition changes nothing");
    }

    #[test]
    fn an_expired_challenge_cannot_confirm_or_count_and_can_only_expire() {
        let mut order = pending_order();
        assert_eq!(order.apply(Transition::Expire, at(1_299)), Err(TransitionError::ChallengeStillValid));
        assert_eq!(order.status_at(at(1_299)), OrderStatus::PendingConfirmation);
        assert_eq!(order.status_at(at(1_300)), OrderStatus::Expired);
        assert_eq!(order.apply(Transition::Confirm, at(1_300)), Err(TransitionError::ChallengeExpired));
        assert_eq!(order.apply(Transition::RecordWrongCode, at(1_300)), Err(TransitionError::ChallengeExpired));
        order.apply(Transition::Expire, at(1_300)).unwrap();
        assert_eq!(order.status, OrderStatus::Expired);
        assert_eq!(order.apply(Transition::Cancel, at(1_301)), Err(TransitionError::NotPending(OrderStatus::Expired)));
    }

    #[test]
    fn a_code_the_provider_calls_expired_expires_a_pending_order_early() {
        let mut order = pending_order();
        order.apply(Transition::ProviderExpired, at(1_100)).unwrap();
        assert_eq!(order.status, OrderStatus::Expired);
        assert_eq!(
            order.apply(Transition::ProviderExpired, at(1_101)),
            Err(TransitionError::NotPending(OrderStatus::Expired))
        );
    }

    #[test]
    fn only_pending_orders_cancel() {
        let mut order = pending_order();
        order.apply(Transition::Cancel, at(1_001)).unwrap();
        assert_eq!(order.status, OrderStatus::Cancelled);
        assert_eq!(
            order.apply(Transition::Confirm, at(1_002)),
            Err(TransitionError::NotPending(OrderStatus::Cancelled))
        );
    }

    #[test]
    fn an_order_placed_by_a_recognised_voice_is_confirmed_only_by_that_voice_or_an_unrecognised_code() {
        let ana = PersonId::parse("amzn1.ask.person.ANA").unwrap();
        let ben = PersonId::parse("amzn1.ask.person.BEN").unwrap();
        let anyone = pending_order();
        for speaker in [None, Some(&ana)] {
            assert_eq!(anyone.may_be_confirmed(ConfirmBy::Code, speaker), Ok(()));
            assert_eq!(anyone.may_be_confirmed(ConfirmBy::VoicePin, speaker), Ok(()));
        }
        let anas = pending_order().spoken_by(Some(ana.clone()));
        assert_eq!(anas.may_be_confirmed(ConfirmBy::Code, Some(&ana)), Ok(()));
        assert_eq!(anas.may_be_confirmed(ConfirmBy::VoicePin, Some(&ana)), Ok(()));
        assert_eq!(anas.may_be_confirmed(ConfirmBy::Code, None), Ok(()), "a code from a voice not recognised");
        assert_eq!(anas.may_be_confirmed(ConfirmBy::Code, Some(&ben)), Err(Refusal::OtherSpeaker));
        assert_eq!(anas.may_be_confirmed(ConfirmBy::VoicePin, Some(&ben)), Err(Refusal::OtherSpeaker));
        assert_eq!(anas.may_be_confirmed(ConfirmBy::VoicePin, None), Err(Refusal::OtherSpeaker));
        let pin = pending_order().awaiting_voice_pin();
        assert_eq!(pin.may_be_confirmed(ConfirmBy::Code, None), Err(Refusal::AwaitsVoicePin));
        assert_eq!(pin.may_be_confirmed(ConfirmBy::VoicePin, None), Ok(()));
        assert!(!format!("{anas:?}").contains("ANA"), "a person id never reaches a log");
    }

    #[test]
    fn step_up_settings_and_what_they_wait_for() {
        for step_up in StepUp::ALL {
            assert_eq!(StepUp::parse(step_up.name()), Some(step_up));
        }
        assert_eq!(StepUp::parse("pin"), None);
        assert_eq!(StepUp::default(), StepUp::Code);
        assert_eq!(StepUp::VoicePinOrCode.confirm_by(), ConfirmBy::VoicePin);
        let json = serde_json::to_value(pending_order()).unwrap();
        assert!(json["challenge"].get("confirm_by").is_none() && json.get("person").is_none(), "{json}");
        let pin = pending_order().awaiting_voice_pin().spoken_by(Some(PersonId::parse("p1").unwrap()));
        let back: Order = serde_json::from_value(serde_json::to_value(&pin).unwrap()).unwrap();
        assert_eq!(back, pin);
    }

    #[test]
    fn statuses_serialise_with_their_public_names() {
        for status in [
            OrderStatus::PendingConfirmation,
            OrderStatus::Confirmed,
            OrderStatus::Cancelled,
            OrderStatus::Expired,
            OrderStatus::Locked,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.name()));
            assert_eq!(OrderStatus::parse(status.name()), Some(status));
        }
    }

    #[test]
    fn spoken_codes_get_their_leading_zeros_back_for_every_length() {
        assert_eq!(Code::from_spoken("42179", 6).unwrap().expose(), "042179");
        assert_eq!(Code::from_spoken("042179", 6).unwrap().expose(), "042179");
        assert_eq!(Code::from_spoken("7", 6).unwrap().expose(), "000007", "five zeros, then seven");
        assert_eq!(Code::from_spoken("", 6), Err(CodeError));
        assert_eq!(Code::from_spoken("12a4", 6), Err(CodeError));
        assert_eq!(Code::from_spoken("17", 4).unwrap().expose(), "0017");
        for length in 4..=10 {
            let spoken = "9".repeat(length - 1);
            assert_eq!(Code::from_spoken(&spoken, length).unwrap().expose(), format!("0{spoken}"));
            assert_eq!(Code::from_spoken(&"1".repeat(length + 1), length), Err(CodeError), "too long for {length}");
        }
    }

    #[test]
    fn codes_are_four_to_ten_digits_and_never_printed() {
        assert_eq!(Code::parse("4217").unwrap().expose(), "4217");
        assert_eq!(Code::parse("42 17").unwrap().expose(), "4217");
        for bad in ["", "123", "12345678901", "12a4", "١٢٣٤"] {
            assert_eq!(Code::parse(bad), Err(CodeError), "{bad}");
        }
        assert_eq!(format!("{:?}", Code::parse("4217").unwrap()), "Code(****)");
    }
}
