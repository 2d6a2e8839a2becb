//! Order store adapters.

mod embedded;

pub use embedded::EmbeddedOrderStore;
