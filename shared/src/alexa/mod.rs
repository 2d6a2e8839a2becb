//! Alexa Skills Kit request and response models (the parts Pod uses).
//! The Rust crates for Alexa are stale, so Pod owns these serde types.

mod directive;
mod model;
mod request;
mod response;
mod skill_events;
mod verify;

pub use directive::{ALEXA_API_HOSTS, DIRECTIVE_TIMEOUT, DirectiveApi, speak_body};
pub use model::{InteractionModel, MatchedIntent, MatchedValue, ModelError};
pub use request::{
    Application, ConnectionStatus, Context, Intent, IntentRequest, Person, Request, RequestEnvelope, ResumeCause,
    Session, SessionResumedRequest, Slot, SlotValue, SpokenValue, SystemState, User,
};
pub use response::{Card, Directive, OutputSpeech, Reprompt, Response, ResponseEnvelope, Speech, VERIFY_PERSON_URI};
pub use skill_events::{
    AccountLinkedBody, DisabledBody, NoBody, Permission, PermissionsBody, PersistenceStatus, SkillEventRequest,
};
pub use verify::{
    AlexaVerifier, CHAIN_CACHE_ENTRIES, ChainCacheStats, MAX_CHAIN_BYTES, MAX_REQUEST_AGE, Rejection, VerifierSettings,
    check_cert_url,
};
