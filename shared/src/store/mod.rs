//! Order store adapters.

mod dynamodb;
mod embedded;

pub use dynamodb::{DynamoDbOrderStore, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};
pub use embedded::EmbeddedOrderStore;
