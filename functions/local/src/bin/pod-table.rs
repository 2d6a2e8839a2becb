//! `make table`: creates the orders table on whatever endpoint the standard AWS
//! settings point at (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_REGION`, credentials),
//! with the same definition as `infra/template.yaml`. On an existing table it
//! does nothing and says so.

use pod_shared::config::valid_table_name;
use pod_shared::store::DynamoDbOrderStore;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let table = std::env::var("ORDERS_TABLE").unwrap_or_else(|_| "pod-orders".to_string());
    if !valid_table_name(&table) {
        eprintln!("pod-table: ORDERS_TABLE is invalid: expected 3 to 255 of a-z, A-Z, 0-9, '_', '-', '.'");
        return ExitCode::FAILURE;
    }
    let store = DynamoDbOrderStore::from_environment(&table).await;
    match store.create_table().await {
        Ok(true) => {
            println!("created table {table} (on-demand, TTL on expires_at_epoch)");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            println!("table {table} already exists; nothing to do");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("pod-table: cannot create table {table}: {error}");
            ExitCode::FAILURE
        }
    }
}
