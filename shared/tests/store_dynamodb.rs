//! The order store suite against DynamoDB, through the real AWS SDK, on the
//! DynamoDB-compatible server that `make test` starts on 127.0.0.1 (moto) and
//! names in `POD_TEST_DYNAMODB_ENDPOINT`.

mod store_suite;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use pod_shared::ports::{OrderStore, PageRequest, StoreError};
use pod_shared::store::DynamoDbOrderStore;
use std::sync::Arc;

fn endpoint() -> String {
    std::env::var("POD_TEST_DYNAMODB_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "POD_TEST_DYNAMODB_ENDPOINT is not set: these tests need a DynamoDB-compatible server. \
             Run `make test`, or `scripts/with-moto.sh cargo test`."
        )
    })
}

/// A client for the local server (fixed test credentials; the server checks none).
pub fn client() -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "pod-tests"))
        .endpoint_url(endpoint())
        .build();
    Client::from_conf(config)
}

/// One table per test process, created on first use like `make table` does.
async fn store() -> store_suite::Store {
    let store = DynamoDbOrderStore::new(client(), format!("pod-orders-test-{}", std::process::id()));
    store.create_table().await.expect("the test table can be created");
    Arc::new(store)
}

order_store_suite!(store().await);
session_store_suite!(sessions().await);
erasure_suite!(adapter().await);

/// The same table, as the adapter itself (both stores and the test-only listing).
async fn adapter() -> Arc<DynamoDbOrderStore> {
    let store = DynamoDbOrderStore::new(client(), format!("pod-orders-test-{}", std::process::id()));
    store.create_table().await.expect("the test table can be created");
    Arc::new(store)
}

/// The test-only listing of everything the table holds for a user (a full scan).
trait Listing {
    fn list_items(&self, user: &pod_shared::domain::UserId) -> impl std::future::Future<Output = Vec<String>> + Send;
}

impl Listing for DynamoDbOrderStore {
    async fn list_items(&self, user: &pod_shared::domain::UserId) -> Vec<String> {
        self.items_of(user).await.unwrap()
    }
}

/// The same table, as the web app's session store.
async fn sessions() -> store_suite::Sessions {
    let store = DynamoDbOrderStore::new(client(), format!("pod-orders-test-{}", std::process::id()));
    store.create_table().await.expect("the test table can be created");
    Arc::new(store)
}

#[tokio::test]
async fn creating_an_existing_table_does_nothing() {
    let store = DynamoDbOrderStore::new(client(), format!("pod-orders-create-{}", std::process::id()));
    assert!(store.create_table().await.unwrap(), "created the first time");
    assert!(!store.create_table().await.unwrap(), "already there the second time");
}

#[tokio::test]
async fn a_missing_table_is_a_clear_store_error() {
    let store = DynamoDbOrderStore::new(client(), "pod-orders-does-not-exist");
    let user = pod_shared::domain::UserId::parse("auth0|nobody").unwrap();
    assert_eq!(store.list(&user, PageRequest::first(5)).await, Err(StoreError::MissingTable));
}

#[tokio::test]
async fn an_unreachable_server_is_a_store_error_not_a_panic() {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "pod-tests"))
        .endpoint_url("http://127.0.0.1:9")
        .build();
    let store = DynamoDbOrderStore::new(Client::from_conf(config), "pod-orders");
    let user = pod_shared::domain::UserId::parse("auth0|nobody").unwrap();
    assert!(matches!(store.pending_for(&user).await, Err(StoreError::Unavailable(_))));
}

#[tokio::test]
async fn a_corrupt_item_reads_as_corrupt_not_a_panic() {
    let store = store().await;
    let raw = client();
    let id = pod_shared::domain::OrderId::generate();
    let user = pod_shared::domain::UserId::parse("auth0|corrupt").unwrap();
    raw.put_item()
        .table_name(format!("pod-orders-test-{}", std::process::id()))
        .item("PK", AttributeValue::S(format!("USER#{user}")))
        .item("SK", AttributeValue::S(format!("ORDER#{id}")))
        .item("status", AttributeValue::S("pending".into()))
        .item("size", AttributeValue::N("7".into()))
        .send()
        .await
        .unwrap();
    assert!(matches!(store.get(&user, &id).await, Err(StoreError::Corrupt(_))));
}
