//! Start-up wiring shared by every function's `main.rs`: logging, then the
//! service built once from validated settings.

use crate::auth0::Auth0Client;
use crate::builtin_codes::BuiltinCodes;
use crate::config::{CodeDelivery, CodeProvider, LogFormat, NoticeDelivery, Settings, StoreSettings};
use crate::delivery::AwsMessageSender;
use crate::ports::{MessageSender, OrderStore, SystemClock};
use crate::service::OrderService;
use crate::sessions::SessionStore;
use crate::store::DynamoDbOrderStore;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("order store: {0}")]
    Store(#[from] crate::ports::StoreError),
    #[error("identity provider: {0}")]
    Identity(#[from] crate::ports::IdentityError),
    #[error("CODE_DELIVERY=outbox and NOTICE_DELIVERY=outbox work only in the local stack; use aws")]
    NoOutbox,
    #[error(
        "ORDERS_STORE=embedded: this build leaves the embedded store out (Lambda builds use DynamoDB); \
         set ORDERS_STORE=dynamodb, or build with --features embedded-store"
    )]
    EmbeddedStoreLeftOut,
}

/// Structured logs on stdout: JSON in Lambda, text locally. `RUST_LOG` filters by
/// level and target (`info`, `pod_shared=debug,info`); without it, `info`.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::Layer;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let layer = tracing_subscriber::fmt::layer().with_target(false).with_ansi(colour);
    let registry = tracing_subscriber::registry();
    let _ = match format {
        LogFormat::Json => {
            registry.with(layer.json().flatten_event(true).without_time().with_filter(filter)).try_init()
        }
        LogFormat::Text => registry.with(layer.compact().with_filter(filter)).try_init(),
    };
}

/// The order store the settings ask for.
pub async fn open_store(settings: &StoreSettings) -> Result<Arc<dyn OrderStore>, StartupError> {
    Ok(open_stores(settings).await?.0)
}

/// The order store the settings ask for, and the same store as the web app's session store.
pub async fn open_stores(
    settings: &StoreSettings,
) -> Result<(Arc<dyn OrderStore>, Arc<dyn SessionStore>), StartupError> {
    match settings {
        #[cfg(feature = "embedded-store")]
        StoreSettings::Embedded { data_dir } => {
            let store = Arc::new(crate::store::EmbeddedOrderStore::open(data_dir)?);
            Ok((store.clone(), store))
        }
        #[cfg(not(feature = "embedded-store"))]
        StoreSettings::Embedded { .. } => Err(StartupError::EmbeddedStoreLeftOut),
        StoreSettings::DynamoDb { table } => {
            let store = Arc::new(DynamoDbOrderStore::from_environment(table).await);
            Ok((store.clone(), store))
        }
    }
}

/// The service with the store, Auth0 client and code issuer the settings describe.
pub async fn build_service(settings: &Settings) -> Result<OrderService, StartupError> {
    build_service_with_outbox(settings, None).await
}

/// As [`build_service`]; `outbox` delivers builtin codes when `CODE_DELIVERY=outbox` (the local stack).
pub async fn build_service_with_outbox(
    settings: &Settings,
    outbox: Option<Arc<dyn MessageSender>>,
) -> Result<OrderService, StartupError> {
    let (store, sessions) = open_stores(&settings.store).await?;
    let auth0 = Arc::new(Auth0Client::new(settings.auth0.clone())?);
    let service = OrderService::new(store, auth0.clone(), auth0, Arc::new(SystemClock), settings.challenge)
        .with_sessions(sessions)
        .with_budget_policy(settings.budget.clone())
        .with_web_app(settings.web_app.clone());
    let service = match &settings.notices {
        NoticeDelivery::Off => {
            tracing::warn!("NOTICE_DELIVERY=off: owners are not told when wrong codes pause or lock voice ordering");
            service
        }
        NoticeDelivery::Outbox => service.with_notices(outbox.clone().ok_or(StartupError::NoOutbox)?),
        NoticeDelivery::Aws { from_address } => {
            service.with_notices(Arc::new(AwsMessageSender::from_environment(from_address).await))
        }
    };
    match &settings.codes {
        CodeProvider::Auth0 => Ok(service),
        CodeProvider::Builtin { length, secret, delivery } => {
            let sender: Arc<dyn MessageSender> = match delivery {
                CodeDelivery::Outbox => outbox.ok_or(StartupError::NoOutbox)?,
                CodeDelivery::Aws { from_address } => Arc::new(AwsMessageSender::from_environment(from_address).await),
            };
            Ok(service.with_builtin_codes(BuiltinCodes::new(secret.as_bytes(), *length, sender)))
        }
    }
}
