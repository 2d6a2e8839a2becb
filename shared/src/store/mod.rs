//! Order store adapters.

mod dynamodb;
mod dynamodb_erasure;
mod dynamodb_sessions;
#[cfg(feature = "embedded-store")]
mod embedded;
#[cfg(feature = "embedded-store")]
mod embedded_commits;
#[cfg(feature = "embedded-store")]
mod embedded_sessions;

pub use dynamodb::{DynamoDbOrderStore, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};
#[cfg(feature = "embedded-store")]
pub use embedded::EmbeddedOrderStore;

/// A page from up to `limit + 1` items read newest first: the first `limit`, and the
/// cursor (the last kept item's id) when the extra one shows that more follow.
fn split_page<T, Id>(mut items: Vec<T>, limit: usize, id: impl Fn(&T) -> Id) -> (Vec<T>, Option<Id>) {
    if items.len() > limit {
        items.truncate(limit);
        let next = items.last().map(id);
        (items, next)
    } else {
        (items, None)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_keeps_the_limit_and_names_the_next_only_when_more_follow() {
        assert_eq!(super::split_page(vec![5, 4, 3], 2, |n| *n), (vec![5, 4], Some(4)));
        assert_eq!(super::split_page(vec![5, 4], 2, |n| *n), (vec![5, 4], None));
        assert_eq!(super::split_page(Vec::<u8>::new(), 2, |n| *n), (vec![], None));
    }
}
