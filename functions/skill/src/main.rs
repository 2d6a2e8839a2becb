//! Lambda glue for the skill. One binary serves both endpoints: a direct
//! invocation by Alexa (Lambda ARN; the event is the Alexa request) and a
//! function URL (an HTTP event; the request is verified as ASK requires).

use lambda_runtime::Error;
use pod_shared::alexa::{AlexaVerifier, DirectiveApi, VerifierSettings};
use pod_shared::bootstrap::{build_service, init_logging};
use pod_shared::config::Settings;
use pod_shared::secrets::SettingsSource;
use pod_skill::Skill;

/// mimalloc instead of the system allocator: a request's many small allocations (JSON, speech,
/// the store's pages) cost a fifth of the handler's CPU with glibc's (`make profile`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = load_settings().await.inspect_err(|e| eprintln!("pod-skill cannot start: {e}"))?;
    init_logging(settings.log_format);
    let service = build_service(&settings).await.inspect_err(|e| eprintln!("pod-skill cannot start: {e}"))?;
    // Progressive responses go only to Alexa's own https API hosts (see DirectiveApi); a
    // benchmark of the voice turn adds its own double on http://127.0.0.1:PORT, which nothing
    // deployed sets (infra/template.yaml does not).
    let directives = match std::env::var("LOCAL_DIRECTIVE_ENDPOINT") {
        Ok(endpoint) if !endpoint.trim().is_empty() => DirectiveApi::allowing_local(endpoint.trim()),
        _ => DirectiveApi::production(),
    };
    let skill = Skill::new(service)
        .with_progressive_speech(std::sync::Arc::new(directives))
        .with_step_up(settings.step_up)
        .with_metrics(pod_shared::metrics::Metrics::for_mode(settings.metrics));
    let verifier = AlexaVerifier::new(VerifierSettings::production(
        settings.alexa.verify_signature,
        settings.alexa.skill_id.clone(),
    ));
    pod_skill::serve_lambda_runtime(&skill, &verifier).await
}

/// The environment's settings; with `SECRETS_ARN`, the secret ones from Secrets Manager.
async fn load_settings() -> Result<Settings, Error> {
    let source = SettingsSource::from_environment().await?;
    Ok(source.load(|lookup| Settings::from_lookup(lookup))?)
}
