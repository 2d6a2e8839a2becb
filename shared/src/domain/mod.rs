//! Pod's domain: plain Rust, no AWS, HTTP or Auth0 types.
//!
//! Every value here is a newtype or enum whose constructor refuses invalid
//! input, so code that holds one never has to check it again.

mod activity;
mod budget;
mod contact;
mod enrollment;
mod erasure;
mod ids;
mod menu;
mod order;
mod pizza;
mod replay;
mod sends;
mod timestamp;
mod web_session;

pub use activity::{ACTIVITY_RETENTION, ActivityEvent, ActivityId, ActivityKind, CodePurpose, Source};
pub use budget::{
    Blocked, BudgetChange, BudgetPolicy, BudgetPolicyError, BudgetState, Cooldowns, GuessBudget, IfWrong,
};
pub use contact::{Channel, ContactError, Destination, EmailAddress, MaskedDestination, PhoneNumber, SignInContacts};
pub use enrollment::{EnrolledPhone, EnrollmentError, EnrollmentId, PhoneEnrollment};
pub use erasure::{AlexaUserId, AlexaUserIdError, ErasureEntry, ErasureReport};
pub use ids::{IdError, OrderId, PersonId, UserId};
pub use menu::{Bill, BillError, Currency, LineItem, Menu, MenuError, Money, Payee, UnknownCurrency};
pub use order::{
    Challenge, ChallengePolicy, ChallengeRule, Code, CodeError, ConfirmBy, Order, OrderStatus, Refusal, StepUp,
    Transition, TransitionEffect, TransitionError, WrongCodeOutcome,
};
pub use pizza::{Pizza, PizzaError, Size, Topping, Toppings};
pub use replay::{RequestClaim, RequestId, RequestKey, RequestKeyError, SkillId};
pub use sends::{SEND_WINDOW, admit_send, recent_sends};
pub use timestamp::Timestamp;
pub use web_session::{SESSION_TOUCH_INTERVAL, SessionId, SessionPolicy, SessionState, WebSession};
