//! Lambda glue for the web app (API Gateway HTTP API events).

use pod_shared::bootstrap::{build_web_service_on, init_logging, open_stores};
use pod_shared::config::Settings;
use pod_shared::metrics::Metrics;
use pod_shared::secrets::SettingsSource;
use pod_web::{WebApp, WebSettings};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let (app, metrics) = build().await.inspect_err(|e| eprintln!("pod-web cannot start: {e}"))?;
    lambda_http::run(pod_web::router_with_metrics(app, metrics)).await
}

/// Settings from the environment (with `SECRETS_ARN`, the secret ones from Secrets Manager),
/// validated; the app built once; the metrics `METRICS` asks for.
async fn build() -> Result<(WebApp, Metrics), lambda_http::Error> {
    let source = SettingsSource::from_environment().await?;
    let settings = source.load(|lookup| Settings::from_lookup(lookup))?;
    init_logging(settings.log_format);
    let web_settings = source.load(|lookup| WebSettings::from_lookup(lookup))?;
    let (store, sessions) = open_stores(&settings.store).await?;
    let secret = web_settings.enrollment_code_secret();
    let service = build_web_service_on(store, sessions, &settings, secret, None).await?;
    Ok((WebApp::new(service, web_settings, &settings.auth0)?, Metrics::for_mode(settings.metrics)))
}
