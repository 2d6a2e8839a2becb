//! Lambda glue for the skill: the event is the Alexa request (Lambda ARN endpoint).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use pod_shared::alexa::ResponseEnvelope;
use pod_shared::bootstrap::{build_service, init_logging};
use pod_shared::config::Settings;
use pod_skill::{Skill, SkillError, parse_event};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = Settings::from_env().inspect_err(|e| eprintln!("pod-skill cannot start: {e}"))?;
    init_logging(settings.log_format);
    let skill = Skill::new(build_service(&settings).await?);
    let skill = &skill;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| async move {
        let envelope = parse_event(event.payload).inspect_err(|e| tracing::warn!(error = %e, "request refused"))?;
        Ok::<ResponseEnvelope, SkillError>(skill.handle(&envelope).await)
    }))
    .await
}
