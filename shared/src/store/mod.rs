//! Order store adapters.

mod dynamodb;
#[cfg(feature = "embedded-store")]
mod embedded;

pub use dynamodb::{DynamoDbOrderStore, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};
#[cfg(feature = "embedded-store")]
pub use embedded::EmbeddedOrderStore;
