//! `pod-shared`: what Pod's Lambda functions have in common.
//!
//! One request flows one way: a function's handler → [`service`] (use cases)
//! → [`ports`] (traits) → adapters ([`store`], [`auth0`]). The [`domain`] knows
//! nothing of Alexa, HTTP, AWS or Auth0.

pub mod alexa;
pub mod auth0;
pub mod aws;
pub mod bootstrap;
pub mod builtin_codes;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod durability;
pub mod https;
pub mod i18n;
pub mod metrics;
pub mod ports;
pub mod receipt;
pub mod round_trips;
pub mod secrets;
pub mod service;
pub mod sessions;
pub mod sign_in_profiles;
pub mod store;
#[cfg(feature = "test-doubles")]
pub mod testing;
pub mod traces;
