//! Starting and stopping the local stack.

use crate::directives::{DIRECTIVE_API_PATH, DirectiveDouble, DirectiveFault};
use crate::idp::{IdpClient, IdpConfig, IdpLatency, LocalIdp, load_dev_users};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pod_shared::alexa::{AlexaVerifier, DirectiveApi, VerifierSettings};
use pod_shared::bootstrap::{StartupError, build_service_on, build_web_service_on, open_stores};
use pod_shared::config::Settings;
use pod_shared::metrics::Metrics;
use pod_skill::Skill;
use pod_web::{WebApp, WebError, WebSettings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The largest Alexa request accepted (Alexa's own are a few KiB).
pub const MAX_ALEXA_BODY_BYTES: usize = 64 * 1024;
const DEFAULT_PORT: u16 = 3000;

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("{0}")]
    Startup(#[from] StartupError),
    #[error("dev users: {0}")]
    DevUsers(String),
    #[error("web app: {0}")]
    Web(#[from] WebError),
}

/// A running local stack; dropping it does not stop it, [`LocalStack::stop`] does.
pub struct LocalStack {
    addr: SocketAddr,
    idp: LocalIdp,
    settings: Settings,
    directives: DirectiveDouble,
    directive_endpoint: String,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl LocalStack {
    /// Starts the stack with settings read through `lookup` (the environment,
    /// or a map in tests). `PORT=0` picks a free port. Unless `AUTH0_DOMAIN`
    /// is set, the services talk to this stack's own identity provider; unless
    /// `APP_BASE_URL` is set, the web app is published at `http://{bound address}`.
    pub async fn start(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, StackError> {
        let setting = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let port = match setting("PORT") {
            None => DEFAULT_PORT,
            Some(raw) => raw.parse::<u16>().map_err(|_| StackError::Invalid {
                name: "PORT",
                reason: format!("expected 0 to 65535, got '{raw}'"),
            })?,
        };
        let bind = format!("127.0.0.1:{port}");
        let listener =
            TcpListener::bind(&bind).await.map_err(|source| StackError::Bind { addr: bind.clone(), source })?;
        let addr = listener.local_addr().map_err(|source| StackError::Bind { addr: bind, source })?;

        let own_idp = format!("http://{addr}/auth0");
        let own_origin = format!("http://{addr}");
        let settings = Settings::from_lookup(|name| match name {
            "AUTH0_DOMAIN" => setting(name).or_else(|| Some(own_idp.clone())),
            "APP_BASE_URL" => setting(name).or_else(|| Some(own_origin.clone())),
            // The owner's notices go to this stack's outbox unless told otherwise.
            "NOTICE_DELIVERY" => setting(name).or_else(|| Some("outbox".into())),
            _ => setting(name),
        })
        .map_err(StartupError::from)?;
        let web_settings = WebSettings::from_lookup(|name| match name {
            "APP_BASE_URL" => setting(name).or_else(|| Some(own_origin.clone())),
            _ => setting(name),
        })
        .map_err(StartupError::from)?;

        let users_file =
            PathBuf::from(setting("DEV_USERS_FILE").unwrap_or_else(|| "functions/local/dev-users.json".into()));
        let users = load_dev_users(&users_file).map_err(StackError::DevUsers)?;
        let otp_length = match setting("LOCAL_OTP_LENGTH") {
            None => IdpConfig::DEFAULT_OTP_LENGTH,
            Some(raw) => raw.parse::<usize>().ok().filter(|n| (4..=10).contains(n)).ok_or_else(|| {
                StackError::Invalid { name: "LOCAL_OTP_LENGTH", reason: format!("expected 4 to 10, got '{raw}'") }
            })?,
        };
        let management = settings.auth0.management.clone().ok_or(StackError::Invalid {
            name: "MGMT_CLIENT_ID",
            reason: "not set: the local identity provider needs its Management API application \
                     (see functions/local/local.env)"
                .into(),
        })?;
        let idp = LocalIdp::new(IdpConfig {
            issuer: settings.auth0.endpoint.issuer(),
            api_id: settings.auth0.api_id.clone(),
            api_signing_key: settings.auth0.api_signing_key.as_bytes().to_vec(),
            access_token_algorithm: settings.auth0.token_algorithm,
            client_id: settings.auth0.client_id.clone(),
            client_secret: settings.auth0.client_secret.expose().clone(),
            management_client: IdpClient {
                id: management.client_id,
                secret: management.client_secret.expose().clone(),
            },
            // The local tenant signs tokens the way Pod is set to check them.
            id_token_algorithm: settings.auth0.id_token_algorithm,
            otp_length,
            users,
        });

        let delay = |name: &'static str| match setting(name) {
            None => Ok(std::time::Duration::ZERO),
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms <= IdpLatency::MAX_MS)
                .map(std::time::Duration::from_millis)
                .ok_or_else(|| StackError::Invalid {
                    name,
                    reason: format!("expected milliseconds from 0 to {}, got '{raw}'", IdpLatency::MAX_MS),
                }),
        };
        let call = delay("LOCAL_IDP_DELAY_MS")?;
        let passwordless_start = match setting("LOCAL_IDP_PASSWORDLESS_DELAY_MS") {
            None => call,
            Some(_) => delay("LOCAL_IDP_PASSWORDLESS_DELAY_MS")?,
        };
        idp.answer_after(IdpLatency { call, passwordless_start });

        // One store, two services, as deployed: the skill's and the api's reads profiles through the
        // Management API; the web app's holds no Management credential (profiles from sign-ins).
        let (store, sessions) = open_stores(&settings.store).await?;
        let outbox: Arc<dyn pod_shared::ports::MessageSender> = Arc::new(idp.clone());
        let service = build_service_on(store.clone(), sessions.clone(), &settings, Some(outbox.clone())).await?;
        let secret = web_settings.enrollment_code_secret();
        let web_service = build_web_service_on(store, sessions, &settings, secret, Some(outbox)).await?;
        let verifier = AlexaVerifier::new(VerifierSettings::production(
            settings.alexa.verify_signature,
            settings.alexa.skill_id.clone(),
        ));
        // The Directive API double: the skill may post its progressive responses there (and to
        // Alexa's own hosts), and nowhere else.
        let fault = DirectiveFault::parse(setting("LOCAL_DIRECTIVE_API").as_deref())
            .map_err(|reason| StackError::Invalid { name: "LOCAL_DIRECTIVE_API", reason })?;
        let directives = DirectiveDouble::new(fault);
        let directive_endpoint = match fault {
            DirectiveFault::Down => {
                let nobody = TcpListener::bind("127.0.0.1:0")
                    .await
                    .and_then(|l| l.local_addr())
                    .map_err(|source| StackError::Bind { addr: "127.0.0.1:0".into(), source })?;
                format!("http://{nobody}{DIRECTIVE_API_PATH}")
            }
            _ => format!("{own_origin}{DIRECTIVE_API_PATH}"),
        };
        let progressive = Arc::new(DirectiveApi::allowing_local(&directive_endpoint));
        // EMF metric lines on stdout only when asked for (`METRICS=emf`), whatever the log format.
        let metrics = if setting("METRICS").as_deref() == Some("emf") { Metrics::emf_stdout() } else { Metrics::off() };
        let skill = Skill::new(service.clone())
            .with_progressive_speech(progressive)
            .with_step_up(settings.step_up)
            .with_metrics(metrics.clone());
        let skill = Arc::new(AlexaEndpoint { skill, verifier });
        let web = WebApp::new(web_service, web_settings, &settings.auth0)?;
        let app = Router::new()
            .route("/", get(|| async { Redirect::temporary("/pod/app/") }))
            .route("/pod/alexa", post(alexa).layer(DefaultBodyLimit::max(MAX_ALEXA_BODY_BYTES)))
            .with_state(skill)
            .merge(pod_api::router_with_metrics(service, metrics.clone()))
            .merge(pod_web::router_with_metrics(web, metrics))
            .nest("/auth0", idp.router())
            .nest(DIRECTIVE_API_PATH, directives.router())
            .layer(middleware::from_fn(log_request));

        let (shutdown, signal) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = signal.await;
                })
                .await
        });
        tracing::info!(%addr, "local stack listening");
        Ok(Self { addr, idp, settings, directives, directive_endpoint, shutdown, server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn idp(&self) -> &LocalIdp {
        &self.idp
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The `context.System.apiEndpoint` that reaches this stack's Directive API double
    /// (`http://127.0.0.1:PORT/alexa-api`; with `LOCAL_DIRECTIVE_API=down`, a port nobody serves).
    pub fn directive_endpoint(&self) -> &str {
        &self.directive_endpoint
    }

    /// The Directive API double and what it received.
    pub fn directives(&self) -> &DirectiveDouble {
        &self.directives
    }

    /// Stops accepting requests, lets the ones in flight finish, and waits.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        match self.server.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "server stopped with an error"),
            Err(error) => tracing::error!(%error, "server task failed"),
        }
    }
}

/// `POST /pod/alexa`: the Alexa request JSON as body, as an HTTPS skill endpoint receives it.
/// The skill behind `POST /pod/alexa`, with the checks an HTTPS skill endpoint makes.
struct AlexaEndpoint {
    skill: Skill,
    verifier: AlexaVerifier,
}

/// `POST /pod/alexa`: the Alexa request JSON as body, verified as an HTTPS skill endpoint
/// must (signature checking is off in `local.env`; `ALEXA_VERIFY_SIGNATURE=true` turns it on).
async fn alexa(State(endpoint): State<Arc<AlexaEndpoint>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let answer = endpoint.skill.answer_https(&endpoint.verifier, header, &body).await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(answer.body)).into_response()
}

/// One structured line per request: method, path (no query: it may hold codes), status, time.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// The settings a private stack starts with in tests and benchmarks: the checked-in
/// `local.env` and dev users of the pod-local crate at `crate_dir`, any free port, and
/// `data_dir` for the embedded store. Callers add their own overrides.
pub fn private_settings(
    crate_dir: &std::path::Path,
    data_dir: &std::path::Path,
) -> Result<std::collections::HashMap<String, String>, String> {
    let env_file = crate_dir.join("local.env");
    let mut vars = dotenvy::from_path_iter(&env_file)
        .and_then(|lines| lines.collect::<Result<std::collections::HashMap<_, _>, _>>())
        .map_err(|e| format!("{}: {e}", env_file.display()))?;
    vars.insert("PORT".into(), "0".into());
    vars.insert("DATA_DIR".into(), data_dir.display().to_string());
    vars.insert("DEV_USERS_FILE".into(), crate_dir.join("dev-users.json").display().to_string());
    Ok(vars)
}

/// A new DynamoDB table named `{prefix}-{process id}` on the local DynamoDB-compatible server
/// the standard AWS settings point at (`scripts/with-moto.sh` sets them), for one test.
/// Panics with what to run when no such server is set (this is test setup).
pub async fn fresh_local_table(prefix: &str) -> String {
    assert!(
        std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok_and(|e| e.starts_with("http://127.0.0.1:")),
        "needs a local DynamoDB-compatible server: run `make test` or `scripts/with-moto.sh cargo test`"
    );
    let table = format!("{prefix}-{}", std::process::id());
    let store = pod_shared::store::DynamoDbOrderStore::from_environment(&table).await;
    assert!(store.create_table().await.expect("the test table can be created"), "{table} existed already");
    table
}
