//! `make bench`: external round trips per skill intent on a warm instance, as
//! counted by the Auth0 client and the store adapters, on the embedded store
//! and (when `AWS_ENDPOINT_URL_DYNAMODB` points at a local server) on DynamoDB.
//! Prints one JSON object per measured request.

use pod_local::LocalStack;
use pod_local::round_trips::ProbeSkill;
use pod_shared::config::StoreSettings;
use pod_shared::round_trips::Remote;
use serde_json::json;
use std::path::Path;

#[tokio::main]
async fn main() -> Result<(), String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let vars = pod_local::private_settings(manifest, &dir.path().join("stack"))?;
    let stack = LocalStack::start(|name| vars.get(name).cloned()).await.map_err(|e| e.to_string())?;

    let mut stores = vec![("embedded", StoreSettings::Embedded { data_dir: dir.path().join("probe") })];
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok() {
        let table = format!("pod-orders-bench-{}", std::process::id());
        let store = pod_shared::store::DynamoDbOrderStore::from_environment(&table).await;
        store.create_table().await.map_err(|e| e.to_string())?;
        stores.push(("dynamodb", StoreSettings::DynamoDb { table }));
    }
    for (store_name, store) in stores {
        let probe = ProbeSkill::start(&stack, store, "ana").await?;
        for m in probe.warm_conversation(&stack).await? {
            let line = json!({
                "store": store_name,
                "request": m.request,
                "auth0_calls": m.trips.calls_to(Remote::Auth0),
                "auth0_sequential": m.trips.sequential_to(Remote::Auth0),
                "store_calls": m.trips.calls_to(Remote::Store),
                "store_sequential": m.trips.sequential_to(Remote::Store),
                "sequential": m.trips.sequential(),
                "durable_commits": m.trips.durable_commits,
                "operations": m.trips.operations(),
            });
            println!("{line}");
        }
    }
    stack.stop().await;
    Ok(())
}
