//! The Auth0 adapter: token validation, Management API, passwordless codes.

mod client;
mod tokens;

pub use client::Auth0Client;
pub use tokens::{
    AccessTokenClaims, AccessTokenValidator, IdTokenClaims, IdTokenValidator, JWKS_REFRESH_INTERVAL, JwksKeys,
};
