//! Lambda glue for the web app (API Gateway HTTP API events).

use pod_shared::bootstrap::init_logging;
use pod_shared::config::Settings;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let settings = Settings::from_env().inspect_err(|e| eprintln!("pod-web cannot start: {e}"))?;
    init_logging(settings.log_format);
    lambda_http::run(pod_web::router()).await
}
