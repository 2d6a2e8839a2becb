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

/// Requests that defer their writes to their settles (`pod_shared::durability`), eight at once
/// beside a reader outside any request: each request's writes are all there after reopening,
/// and it waited for two flushes (one mid-way, one at its end), never one per write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requests_deferred_writes_are_all_on_disk_once_it_returns() {
    use pod_shared::domain::{
        Channel, MaskedDestination, Order, Pizza, RequestClaim, RequestId, RequestKey, Size, SkillId, Timestamp, UserId,
    };
    use pod_shared::ports::OrderStore;
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::now();
    let users: Vec<UserId> = (0..8).map(|n| UserId::parse(format!("auth0|deferred-{n}")).unwrap()).collect();
    let key = |user: &UserId| {
        RequestKey::new(
            SkillId::parse("amzn1.ask.skill.deferred").unwrap(),
            user.clone(),
            RequestId::parse("amzn1.echo-api.request.deferred").unwrap(),
        )
    };
    let orders: Vec<Order> = users
        .iter()
        .map(|user| {
            Order::place(
                user.clone(),
                Pizza { size: Size::Large, toppings: Default::default() },
                Channel::Email,
                MaskedDestination::Email { first_char: 'a', domain: "example.com".into() },
                Default::default(),
                now,
            )
        })
        .collect();
    {
        let store = Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap());
        let reader = {
            let (store, users) = (Arc::clone(&store), users.clone());
            tokio::spawn(async move {
                for _ in 0..20 {
                    for user in &users {
                        store.pending_for(user).await.unwrap();
                    }
                }
            })
        };
        let mut requests = Vec::new();
        for order in orders.clone() {
            let (store, key) = (Arc::clone(&store), key(&order.user_id));
            requests.push(tokio::spawn(pod_shared::round_trips::measure(async move {
                pod_shared::durability::one_request(async {
                    let expires = now.plus(std::time::Duration::from_secs(3600));
                    assert_eq!(store.claim_request(&key, now, expires).await.unwrap(), RequestClaim::Claimed);
                    store.reserve_code_send(&order.user_id, now, 5).await.unwrap();
                    pod_shared::durability::settle().await.unwrap();
                    store.insert_superseding(&order).await.unwrap();
                    assert!(store.answer_request(&key, "answered", expires).await.unwrap());
                })
                .await
                .unwrap()
            })));
        }
        for request in requests {
            let ((), trips) = request.await.unwrap();
            assert_eq!(trips.durable_commits, 2, "one flush mid-way and one at the end");
        }
        reader.await.unwrap();
    }
    let store = EmbeddedOrderStore::open(dir.path()).unwrap();
    for order in &orders {
        assert_eq!(store.pending_for(&order.user_id).await.unwrap().as_ref(), Some(order));
        let claim = store.claim_request(&key(&order.user_id), now, now).await.unwrap();
        assert_eq!(claim, RequestClaim::Answered("answered".into()));
    }
}
