//! `pod-events`: copies `events/` to `build/events/` with the placeholders filled
//! and the timestamps set to now, so recorded events never go stale:
//! `{{ACCESS_TOKEN}}` becomes a fresh token for a dev user, minted by the local
//! identity provider with the settings of `functions/local/local.env`, and
//! `{{API_ENDPOINT}}` becomes `make run`'s Directive API double (`API_ENDPOINT` overrides it). The filling is
//! `pod_local::events`, which the end-to-end tests use too.
//!
//! Usage: pod-events [--user ana] [--code 0000] [--order-id UUID] [--out build/events]

use pod_local::events::{self, Placeholders};
use pod_local::idp::{IdpClient, IdpConfig, LocalIdp, TokenAlgorithm, load_dev_users};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

struct Options {
    user: String,
    code: String,
    order_id: String,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        user: "ana".into(),
        code: "0000".into(),
        order_id: Placeholders::DEFAULT_ORDER_ID.into(),
        out: PathBuf::from("build/events"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--user" => options.user = value,
            "--code" => options.code = value,
            "--order-id" => options.order_id = value,
            "--out" => options.out = PathBuf::from(value),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn setting(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (see functions/local/local.env)"))
}

/// The identity provider `make run` would start, for minting a token.
fn local_idp() -> Result<LocalIdp, String> {
    let issuer = match std::env::var("AUTH0_DOMAIN") {
        Ok(domain) => format!("{}/", domain.trim_end_matches('/')),
        Err(_) => format!("http://127.0.0.1:{}/auth0/", setting("PORT")?),
    };
    let users_file = std::env::var("DEV_USERS_FILE").unwrap_or_else(|_| "functions/local/dev-users.json".into());
    Ok(LocalIdp::new(IdpConfig {
        issuer,
        api_id: setting("API_ID")?,
        api_signing_key: setting("API_SIGNING_KEY")?.into_bytes(),
        // HS256, so that the token works in any process that has the API signing key.
        access_token_algorithm: TokenAlgorithm::Hs256,
        client_id: setting("APP_CLIENT_ID")?,
        client_secret: setting("APP_CLIENT_SECRET")?,
        management_client: IdpClient { id: setting("MGMT_CLIENT_ID")?, secret: setting("MGMT_CLIENT_SECRET")? },
        // Only an access token is minted here.
        id_token_algorithm: TokenAlgorithm::Hs256,
        otp_length: IdpConfig::DEFAULT_OTP_LENGTH,
        users: load_dev_users(Path::new(&users_file))?,
    }))
}

fn run() -> Result<usize, String> {
    let env_file = std::env::var("POD_LOCAL_ENV").unwrap_or_else(|_| "functions/local/local.env".into());
    dotenvy::from_path(&env_file).map_err(|e| format!("cannot read {env_file}: {e}"))?;
    let options = options()?;
    let token =
        local_idp()?.linked_access_token(&options.user).ok_or_else(|| format!("no dev user named {}", options.user))?;
    // `make run`'s Directive API double, where the skill's progressive responses go locally.
    let api_endpoint = match std::env::var("API_ENDPOINT") {
        Ok(endpoint) => endpoint,
        Err(_) => format!("http://127.0.0.1:{}{}", setting("PORT")?, pod_local::directives::DIRECTIVE_API_PATH),
    };
    let placeholders = Placeholders { order_id: &options.order_id, ..Placeholders::new(&token, &options.code) }
        .with_api_endpoint(&api_endpoint);
    let mut written = 0;
    for kind in ["alexa", "http"] {
        let source = Path::new("events").join(kind);
        let target = options.out.join(kind);
        std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
        let entries = std::fs::read_dir(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let event = events::render_file(&path, &placeholders).map_err(|e| e.to_string())?;
            let out = target.join(path.file_name().unwrap_or_default());
            let pretty = serde_json::to_string_pretty(&event).map_err(|e| e.to_string())?;
            std::fs::write(&out, pretty + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

fn main() -> ExitCode {
    match run() {
        Ok(written) => {
            println!("pod-events: {written} events written with a fresh token and timestamps");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("pod-events: {error}");
            ExitCode::FAILURE
        }
    }
}
