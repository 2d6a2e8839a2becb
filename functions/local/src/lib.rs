//! `pod-local`: the whole of Pod in one process, for development and tests only.
//! Never deployed.
//!
//! - `POST /pod/alexa`: the skill, as an HTTPS skill endpoint receives it;
//! - `/pod/api/…` and `/pod/app/…`: the api and web routers;
//! - `/auth0/…`: a local Auth0-compatible identity provider and its outbox;
//! - `/alexa-api/…`: a double of Alexa's Directive API (progressive responses).

pub mod chat;
pub mod directives;
pub mod events;
pub mod idp;
pub mod round_trips;
mod stack;

pub use stack::{LocalStack, StackError, fresh_local_table, private_settings};
