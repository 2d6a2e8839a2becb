//! Start-up wiring shared by every function's `main.rs`: logging, then the
//! service built once from validated settings.

use crate::auth0::Auth0Client;
use crate::builtin_codes::BuiltinCodes;
use crate::config::{CodeDelivery, CodeProvider, LogFormat, NoticeDelivery, Secret, Settings, StoreSettings};
use crate::delivery::AwsMessageSender;
use crate::domain::{Code, Destination};
use crate::ports::{CodeChannel, CodeCheck, IdentityError, MessageSender, OrderStore, SystemClock, UserProfile};
use crate::service::OrderService;
use crate::sessions::SessionStore;
use crate::sign_in_profiles::SignInProfiles;
use crate::store::DynamoDbOrderStore;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("order store: {0}")]
    Store(#[from] crate::ports::StoreError),
    #[error("menu (alexa-model/menu.json, built in): {0}")]
    Menu(#[from] crate::domain::MenuError),
    #[error("identity provider: {0}")]
    Identity(#[from] crate::ports::IdentityError),
    #[error(
        "MGMT_CLIENT_ID is not set: the skill and the api read user profiles through the Auth0 Management API \
         with their own machine-to-machine application (MGMT_CLIENT_ID, MGMT_CLIENT_SECRET)"
    )]
    NoManagementClient,
    #[error("CODE_DELIVERY=outbox and NOTICE_DELIVERY=outbox work only in the local stack; use aws")]
    NoOutbox,
    #[error(
        "ORDERS_STORE=embedded: this build leaves the embedded store out (Lambda builds use DynamoDB); \
         set ORDERS_STORE=dynamodb, or build with --features embedded-store"
    )]
    EmbeddedStoreLeftOut,
}

/// Structured logs on stdout: JSON in Lambda, text locally. `RUST_LOG` filters by
/// level and target (`info`, `pod_shared=debug,info`); without it, `info`. In Lambda with
/// active tracing (`AWS_XRAY_DAEMON_ADDRESS` set), Pod's spans also go to X-Ray
/// ([`crate::traces`]).
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = logging(format, std::io::stdout, crate::traces::XRayLayer::from_environment()).try_init();
}

/// The subscriber [`init_logging`] installs, writing to `writer` and sending spans to `xray`.
/// In JSON, every line carries its spans: the runtime's (Lambda request id, X-Ray trace
/// header) and Pod's answer span (Alexa request id, intent).
pub fn logging<W>(
    format: LogFormat,
    writer: W,
    xray: Option<crate::traces::XRayLayer>,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::Layer;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;

    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let layer = tracing_subscriber::fmt::layer().with_target(false).with_ansi(colour).with_writer(writer);
    let lines = match format {
        LogFormat::Json => layer.json().flatten_event(true).without_time().with_filter(filter).boxed(),
        LogFormat::Text => layer.compact().with_filter(filter).boxed(),
    };
    // Only the runtime's span and Pod's own reach the X-Ray layer: every other span (the AWS
    // SDK's, hyper's) stays as cheap as the log filter makes it.
    let traced = tracing_subscriber::filter::filter_fn(|metadata| {
        metadata.target() == crate::traces::TARGET || metadata.name() == crate::traces::RUNTIME_SPAN
    });
    tracing_subscriber::registry().with(lines).with(xray.map(|xray| xray.with_filter(traced)))
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

/// The skill's and the api's service: the store, the Auth0 client (profiles through the
/// Management API with its own application) and the code issuer the settings describe.
pub async fn build_service(settings: &Settings) -> Result<OrderService, StartupError> {
    build_service_with_outbox(settings, None).await
}

/// As [`build_service`]; `outbox` delivers builtin codes when `CODE_DELIVERY=outbox` (the local stack).
pub async fn build_service_with_outbox(
    settings: &Settings,
    outbox: Option<Arc<dyn MessageSender>>,
) -> Result<OrderService, StartupError> {
    let (store, sessions) = open_stores(&settings.store).await?;
    build_service_on(store, sessions, settings, outbox).await
}

/// As [`build_service_with_outbox`], over a store already open.
pub async fn build_service_on(
    store: Arc<dyn OrderStore>,
    sessions: Arc<dyn SessionStore>,
    settings: &Settings,
    outbox: Option<Arc<dyn MessageSender>>,
) -> Result<OrderService, StartupError> {
    crate::domain::Menu::check_builtin()?;
    if settings.auth0.management.is_none() {
        return Err(StartupError::NoManagementClient);
    }
    let auth0 = Arc::new(Auth0Client::new(settings.auth0.clone())?);
    let service = OrderService::new(store, auth0.clone(), auth0, Arc::new(SystemClock), settings.challenge);
    let service = configured(service, settings).with_sessions(sessions);
    let service = with_notices(service, notice_sender(settings, outbox.clone()).await?);
    match &settings.codes {
        CodeProvider::Auth0 => Ok(service),
        CodeProvider::Builtin { length, secret, delivery } => {
            builtin_codes(service, *length, secret, delivery, outbox).await
        }
    }
}

/// The web app's service over `store`. It holds no Management API credential: profiles are the
/// contacts of the user's latest sign-in ([`SignInProfiles`]). Phone-enrollment codes are Pod's
/// own: with `CODE_PROVIDER=builtin` as configured; with Auth0, made with `enrollment_secret`
/// (the web app's `CODE_SECRET`) and sent by the notices' delivery, at least 6 digits. Without
/// either, phone enrollment answers that it is not available.
pub async fn build_web_service_on(
    store: Arc<dyn OrderStore>,
    sessions: Arc<dyn SessionStore>,
    settings: &Settings,
    enrollment_secret: Option<&Secret>,
    outbox: Option<Arc<dyn MessageSender>>,
) -> Result<OrderService, StartupError> {
    crate::domain::Menu::check_builtin()?;
    let profiles = Arc::new(SignInProfiles::new(store.clone()));
    let service =
        OrderService::new(store, profiles, Arc::new(NoCodeChannel), Arc::new(SystemClock), settings.challenge);
    let notices = notice_sender(settings, outbox.clone()).await?;
    let service = with_notices(configured(service, settings).with_sessions(sessions), notices.clone());
    match &settings.codes {
        CodeProvider::Builtin { length, secret, delivery } => {
            builtin_codes(service, *length, secret, delivery, outbox).await
        }
        CodeProvider::Auth0 => match (enrollment_secret, notices) {
            (Some(secret), Some(sender)) => {
                let length = settings.challenge.code_length.max(6);
                Ok(service.with_builtin_codes(BuiltinCodes::new(secret.as_bytes(), length, sender)))
            }
            _ => {
                tracing::warn!(
                    "phone enrollment is off: with CODE_PROVIDER=auth0 the web app needs CODE_SECRET and a \
                     NOTICE_DELIVERY to send its own enrollment codes"
                );
                Ok(service)
            }
        },
    }
}

fn configured(service: OrderService, settings: &Settings) -> OrderService {
    service.with_budget_policy(settings.budget.clone()).with_web_app(settings.web_app.clone())
}

/// Who tells owners of pauses, locks and changed contacts, as `NOTICE_DELIVERY` says.
async fn notice_sender(
    settings: &Settings,
    outbox: Option<Arc<dyn MessageSender>>,
) -> Result<Option<Arc<dyn MessageSender>>, StartupError> {
    Ok(match &settings.notices {
        NoticeDelivery::Off => {
            tracing::warn!("NOTICE_DELIVERY=off: owners are not told when wrong codes pause or lock voice ordering");
            None
        }
        NoticeDelivery::Outbox => Some(outbox.ok_or(StartupError::NoOutbox)?),
        NoticeDelivery::Aws { from_address } => Some(Arc::new(AwsMessageSender::from_environment(from_address).await)),
    })
}

fn with_notices(service: OrderService, sender: Option<Arc<dyn MessageSender>>) -> OrderService {
    match sender {
        Some(sender) => service.with_notices(sender),
        None => service,
    }
}

/// `service` making and checking Pod's own codes, sent as `delivery` says.
async fn builtin_codes(
    service: OrderService,
    length: usize,
    secret: &Secret,
    delivery: &CodeDelivery,
    outbox: Option<Arc<dyn MessageSender>>,
) -> Result<OrderService, StartupError> {
    let sender = code_sender(delivery, outbox).await?;
    Ok(service.with_builtin_codes(BuiltinCodes::new(secret.as_bytes(), length, sender)))
}

async fn code_sender(
    delivery: &CodeDelivery,
    outbox: Option<Arc<dyn MessageSender>>,
) -> Result<Arc<dyn MessageSender>, StartupError> {
    Ok(match delivery {
        CodeDelivery::Outbox => outbox.ok_or(StartupError::NoOutbox)?,
        CodeDelivery::Aws { from_address } => Arc::new(AwsMessageSender::from_environment(from_address).await),
    })
}

/// The web app's code channel: it never asks the identity provider for codes.
struct NoCodeChannel;

#[async_trait::async_trait]
impl CodeChannel for NoCodeChannel {
    async fn send_code(&self, _: &UserProfile, _: &Destination) -> Result<(), IdentityError> {
        Err(IdentityError::Unreachable("phone enrollment is not available here".into()))
    }

    async fn verify_code(&self, _: &UserProfile, _: &Destination, _: &Code) -> Result<CodeCheck, IdentityError> {
        Err(IdentityError::Unreachable("phone enrollment is not available here".into()))
    }
}
