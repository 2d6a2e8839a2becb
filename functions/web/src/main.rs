//! Lambda glue for the web app (API Gateway HTTP API events).

use pod_shared::bootstrap::{build_service, init_logging};
use pod_shared::config::Settings;
use pod_web::{WebApp, WebSettings};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let app = build().await.inspect_err(|e| eprintln!("pod-web cannot start: {e}"))?;
    lambda_http::run(pod_web::router(app)).await
}

/// Settings from the environment, validated; the app built once.
async fn build() -> Result<WebApp, lambda_http::Error> {
    let settings = Settings::from_env()?;
    init_logging(settings.log_format);
    let web_settings = WebSettings::from_env()?;
    let service = build_service(&settings).await?;
    Ok(WebApp::new(service, web_settings, &settings.auth0)?)
}
