//! Lambda glue for the internal API (API Gateway HTTP API events).

use pod_shared::bootstrap::{build_service, init_logging};
use pod_shared::config::Settings;
use pod_shared::metrics::Metrics;
use pod_shared::secrets::SettingsSource;
use pod_shared::service::OrderService;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let (service, metrics) = build().await.inspect_err(|e| eprintln!("pod-api cannot start: {e}"))?;
    lambda_http::run(pod_api::router_with_metrics(service, metrics)).await
}

/// Settings from the environment (with `SECRETS_ARN`, the secret ones from Secrets Manager),
/// validated; the service built once; the metrics `METRICS` asks for.
async fn build() -> Result<(OrderService, Metrics), lambda_http::Error> {
    let source = SettingsSource::from_environment().await?;
    let settings = source.load(|lookup| Settings::from_lookup(lookup))?;
    init_logging(settings.log_format);
    Ok((build_service(&settings).await?, Metrics::for_mode(settings.metrics)))
}
