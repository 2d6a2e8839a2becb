//! `pod-local`: runs the whole stack on 127.0.0.1 until Ctrl-C.
//!
//! Settings come from the environment, then from `functions/local/local.env`
//! (or the file named by `POD_LOCAL_ENV`) for whatever the environment lacks.

use pod_local::LocalStack;
use pod_shared::bootstrap::init_logging;
use pod_shared::config::LogFormat;
use std::process::ExitCode;

const DEFAULT_ENV_FILE: &str = "functions/local/local.env";

#[tokio::main]
async fn main() -> ExitCode {
    let env_file = std::env::var("POD_LOCAL_ENV").unwrap_or_else(|_| DEFAULT_ENV_FILE.to_string());
    if let Err(error) = dotenvy::from_path(&env_file) {
        eprintln!("pod-local: cannot read {env_file}: {error}");
        return ExitCode::FAILURE;
    }
    let log_format = match std::env::var("LOG_FORMAT").as_deref() {
        Ok("json") => LogFormat::Json,
        _ => LogFormat::Text,
    };
    init_logging(log_format);
    let stack = match LocalStack::start(|name| std::env::var(name).ok()).await {
        Ok(stack) => stack,
        Err(error) => {
            eprintln!("pod-local cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let base = stack.base_url();
    println!("Pod is running on {base}");
    println!("  skill endpoint   POST {base}/pod/alexa");
    println!("  internal api          {base}/pod/api/orders");
    println!("  web app               {base}/pod/app/");
    println!("  identity provider     {base}/auth0/  (codes: {base}/auth0/outbox)");
    println!("Press Ctrl-C to stop.");
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("pod-local: cannot wait for Ctrl-C: {error}");
    }
    stack.stop().await;
    ExitCode::SUCCESS
}
