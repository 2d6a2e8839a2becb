//! Start-up wiring shared by every function's `main.rs`: logging, then the
//! service built once from validated settings.

use crate::auth0::Auth0Client;
use crate::config::{LogFormat, Settings, StoreSettings};
use crate::ports::{OrderStore, SystemClock};
use crate::service::OrderService;
use crate::store::{DynamoDbOrderStore, EmbeddedOrderStore};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("order store: {0}")]
    Store(#[from] crate::ports::StoreError),
    #[error("identity provider: {0}")]
    Identity(#[from] crate::ports::IdentityError),
}

/// Structured logs on stdout: JSON in Lambda, text locally. `RUST_LOG` filters.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(colour);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).without_time().try_init(),
        LogFormat::Text => builder.compact().try_init(),
    };
}

/// The order store the settings ask for.
pub async fn open_store(settings: &StoreSettings) -> Result<Arc<dyn OrderStore>, StartupError> {
    match settings {
        StoreSettings::Embedded { data_dir } => Ok(Arc::new(EmbeddedOrderStore::open(data_dir)?)),
        StoreSettings::DynamoDb { table } => Ok(Arc::new(DynamoDbOrderStore::from_environment(table).await)),
    }
}

/// The service with the store and Auth0 client the settings describe.
pub async fn build_service(settings: &Settings) -> Result<OrderService, StartupError> {
    let store = open_store(&settings.store).await?;
    let auth0 = Arc::new(Auth0Client::new(settings.auth0.clone())?);
    Ok(OrderService::new(store, auth0.clone(), auth0, Arc::new(SystemClock), settings.challenge))
}
