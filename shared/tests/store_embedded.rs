//! The order store suite against the embedded (redb) store.

mod store_suite;

use pod_shared::store::EmbeddedOrderStore;
use std::sync::{Arc, OnceLock};

/// One store for the whole file, as a deployment has one table; the suite makes its own users.
fn store() -> store_suite::Store {
    embedded()
}

fn embedded() -> Arc<EmbeddedOrderStore> {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static STORE: OnceLock<Arc<EmbeddedOrderStore>> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().unwrap());
    STORE.get_or_init(|| Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap())).clone()
}

order_store_suite!(async { store() }.await);
session_store_suite!(async { sessions() }.await);
erasure_suite!(embedded());

/// The test-only listing of everything the store holds for a user.
trait Listing {
    fn list_items(&self, user: &pod_shared::domain::UserId) -> impl std::future::Future<Output = Vec<String>> + Send;
}

impl Listing for EmbeddedOrderStore {
    async fn list_items(&self, user: &pod_shared::domain::UserId) -> Vec<String> {
        self.items_of(user).await.unwrap()
    }
}

/// The same store, as the web app's session store.
fn sessions() -> store_suite::Sessions {
    embedded()
}

#[tokio::test]
async fn data_survives_reopening() {
    use pod_shared::ports::{OrderStore, PageRequest};
    let dir = tempfile::tempdir().unwrap();
    let user = pod_shared::domain::UserId::parse("auth0|reopen").unwrap();
    let order = pod_shared::domain::Order::place(
        user.clone(),
        pod_shared::domain::Pizza { size: pod_shared::domain::Size::Small, toppings: Default::default() },
        pod_shared::domain::Channel::Email,
        pod_shared::domain::MaskedDestination::Email { first_char: 'b', domain: "example.com".into() },
        Default::default(),
        pod_shared::domain::Timestamp::now(),
    );
    {
        let store = EmbeddedOrderStore::open(dir.path()).unwrap();
        store.insert_superseding(&order).await.unwrap();
    }
    let store = EmbeddedOrderStore::open(dir.path()).unwrap();
    assert_eq!(store.list(&user, PageRequest::first(5)).await.unwrap().orders, vec![order]);
}

/// An order written before orders had prices (its JSON without `bill`) still reads, without a bill.
#[test]
fn an_order_stored_before_prices_decodes_without_a_bill() {
    let order = pod_shared::domain::Order::place(
        pod_shared::domain::UserId::parse("auth0|ana").unwrap(),
        pod_shared::domain::Pizza { size: pod_shared::domain::Size::Large, toppings: Default::default() },
        pod_shared::domain::Channel::Sms,
        pod_shared::domain::MaskedDestination::Phone { last_digits: "21".into() },
        Default::default(),
        pod_shared::domain::Timestamp::now(),
    );
    let mut json = serde_json::to_value(&order).unwrap();
    assert!(json.as_object_mut().unwrap().remove("bill").is_some(), "a new order stores its bill");
    let legacy: pod_shared::domain::Order = serde_json::from_value(json).unwrap();
    assert_eq!(legacy.bill, None);
    assert!(!serde_json::to_string(&legacy).unwrap().contains("bill"), "nothing is made up for it");
}
