//! Lambda glue for the internal API (API Gateway HTTP API events).

use pod_shared::bootstrap::{build_service, init_logging};
use pod_shared::config::Settings;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let settings = Settings::from_env().inspect_err(|e| eprintln!("pod-api cannot start: {e}"))?;
    init_logging(settings.log_format);
    lambda_http::run(pod_api::router(build_service(&settings).await?)).await
}
