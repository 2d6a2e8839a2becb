//! `pod-local`: runs the whole stack on 127.0.0.1 until Ctrl-C.
//! `pod-local chat [--user ana] [--script FILE] [--step-up code|voice_pin|voice_pin_or_code] [--locale de-DE]`:
//! a terminal conversation with the skill (`--step-up` as `STEP_UP`; with the voice PIN, `!resume ACHIEVED`
//! and the like answer Alexa's PIN check, see `chat.rs`; `--locale` speaks as a user of that locale).
//!
//! Settings come from the environment, then from `functions/local/local.env`
//! (or the file named by `POD_LOCAL_ENV`) for whatever the environment lacks.

use pod_local::LocalStack;
use pod_local::chat::Chat;
use pod_shared::alexa::InteractionModel;
use pod_shared::bootstrap::init_logging;
use pod_shared::config::LogFormat;
use pod_shared::i18n::Locale;
use std::collections::HashMap;
use std::io::BufReader;
use std::process::ExitCode;

const DEFAULT_ENV_FILE: &str = "functions/local/local.env";
/// The interaction models, one `<locale>.json` per locale.
const MODEL_DIR: &str = "alexa-model/interactionModels/custom";

#[tokio::main]
async fn main() -> ExitCode {
    let env_file = std::env::var("POD_LOCAL_ENV").unwrap_or_else(|_| DEFAULT_ENV_FILE.to_string());
    if let Err(error) = dotenvy::from_path(&env_file) {
        eprintln!("pod-local: cannot read {env_file}: {error}");
        return ExitCode::FAILURE;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None => serve().await,
        Some("chat") => chat(&args[1..]).await,
        Some(other) => Err(format!("unknown command '{other}'; use no command to serve, or 'chat'")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pod-local: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), String> {
    let log_format = match std::env::var("LOG_FORMAT").as_deref() {
        Ok("json") => LogFormat::Json,
        _ => LogFormat::Text,
    };
    init_logging(log_format);
    let stack = LocalStack::start(|name| std::env::var(name).ok()).await.map_err(|e| format!("cannot start: {e}"))?;
    let base = stack.base_url();
    println!("Pod is running on {base}");
    println!("  skill endpoint   POST {base}/pod/alexa");
    println!("  internal api          {base}/pod/api/orders");
    println!("  web app               {base}/pod/app/");
    println!("  identity provider     {base}/auth0/  (codes: {base}/auth0/outbox)");
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    stack.stop().await;
    Ok(())
}

/// Starts a private stack (any free port, its own data directory) and talks to it.
async fn chat(args: &[String]) -> Result<(), String> {
    let mut user = "ana".to_string();
    let mut script = None;
    let mut locale = Locale::DEFAULT;
    let mut step_up = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--user" => user = value.clone(),
            "--script" => script = Some(value.clone()),
            "--locale" => {
                let known = Locale::ALL.map(Locale::tag).join(", ");
                locale =
                    Locale::parse(value).ok_or_else(|| format!("unknown locale {value}; choose one of {known}"))?;
            }
            "--step-up" => step_up = Some(value.clone()),
            other => {
                return Err(format!(
                    "unknown option {other}; use --user NAME, --script FILE, --step-up code|voice_pin|voice_pin_or_code \
                     and --locale TAG"
                ));
            }
        }
    }
    let model_file = format!("{MODEL_DIR}/{locale}.json");
    let model_json = std::fs::read_to_string(&model_file).map_err(|e| format!("{model_file}: {e}"))?;
    let model_json = serde_json::from_str(&model_json).map_err(|e| format!("{model_file}: {e}"))?;
    let model = InteractionModel::from_json(&model_json).map_err(|e| e.to_string())?;

    let mut overrides: HashMap<&str, String> = HashMap::from([("PORT", "0".to_string())]);
    let data_dir = std::env::var("DATA_DIR").unwrap_or_else(|_| ".data".into());
    overrides.insert("DATA_DIR", format!("{data_dir}/chat"));
    if let Some(step_up) = step_up {
        overrides.insert("STEP_UP", step_up);
    }
    let stack = LocalStack::start(|name| overrides.get(name).cloned().or_else(|| std::env::var(name).ok()))
        .await
        .map_err(|e| format!("cannot start: {e}"))?;
    let token = stack.idp().linked_access_token(&user).ok_or_else(|| format!("no dev user named {user}"))?;
    let example = match locale.language() {
        "de" => "sage pizza on demand bestelle eine große Pizza",
        _ => "ask pizza on demand to get me a large pizza",
    };
    println!("Talking to Pizza on Demand as {user} (linked, {locale}). Say e.g. \"{example}\".");
    if stack.settings().step_up != pod_shared::domain::StepUp::Code {
        println!(
            "The step-up is Alexa's voice PIN ({}): answer its PIN check with !resume ACHIEVED, !resume NOT_ACHIEVED, \
             !resume NOT_ENABLED or !resume 403 (add 'other' for another voice).",
            stack.settings().step_up.name()
        );
    }
    let mut chat = Chat::new(&stack.base_url(), &token, &model).in_locale(locale);
    let mut out = std::io::stdout();
    let played = match script {
        Some(path) => {
            let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
            chat.run(BufReader::new(file), &mut out, false).await
        }
        None => chat.run(std::io::stdin().lock(), &mut out, true).await,
    };
    stack.stop().await;
    played.map_err(|e| e.to_string())
}
