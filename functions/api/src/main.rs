//! Lambda glue for the internal API (API Gateway HTTP API events).

use pod_shared::bootstrap::{build_service, init_logging};
use pod_shared::config::Settings;
use pod_shared::secrets::SettingsSource;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let settings = load_settings().await.inspect_err(|e| eprintln!("pod-api cannot start: {e}"))?;
    init_logging(settings.log_format);
    lambda_http::run(pod_api::router(build_service(&settings).await?)).await
}

/// The environment's settings; with `SECRETS_ARN`, the secret ones from Secrets Manager.
async fn load_settings() -> Result<Settings, lambda_http::Error> {
    let source = SettingsSource::from_environment().await?;
    Ok(source.load(|lookup| Settings::from_lookup(lookup))?)
}
