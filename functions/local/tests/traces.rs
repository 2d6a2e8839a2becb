//! One skill request's trace, the way Lambda runs it: the skill served by Lambda's own Rust
//! runtime (`pod_skill::serve_lambda_runtime`, what `main.rs` runs) from a Runtime API played
//! here on 127.0.0.1, with the logging `main.rs` installs (`pod_shared::bootstrap::logging`,
//! JSON), on DynamoDB (the local AWS-compatible server of `scripts/with-moto.sh`) with the
//! local stack's identity provider as Auth0, and a UDP socket on 127.0.0.1 as the X-Ray daemon.
//!
//! Its own test binary: it installs the process's global subscriber and sets the Lambda
//! environment the runtime reads.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use pod_local::LocalStack;
use pod_local::round_trips::{ProbeSkill, authorize, order};
use pod_shared::alexa::{AlexaVerifier, VerifierSettings};
use pod_shared::config::{LogFormat, StoreSettings};
use pod_shared::traces::XRayLayer;
use serde_json::Value;
use std::collections::HashMap;
use std::net::UdpSocket;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// One invocation the Runtime API hands out: its Lambda request id, trace header and event.
struct Invocation {
    request_id: String,
    trace_header: String,
    event: Value,
}

/// The invocations waiting for their answer (or the error the function posted), by request id.
type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Result<Value, String>>>>>;

/// The Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): `next`
/// long-polls for an invocation; `response` and `error` answer one.
#[derive(Clone)]
struct RuntimeApi {
    invocations: Arc<tokio::sync::Mutex<mpsc::Receiver<Invocation>>>,
    waiting: Waiting,
}

async fn next(State(api): State<RuntimeApi>) -> impl IntoResponse {
    let Some(invocation) = api.invocations.lock().await.recv().await else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    let deadline = std::time::SystemTime::now() + Duration::from_secs(30);
    let deadline = deadline.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis().to_string();
    let mut headers = HeaderMap::new();
    let mut header = |name: &'static str, value: &str| {
        headers.insert(name, HeaderValue::from_str(value).unwrap());
    };
    header("lambda-runtime-aws-request-id", &invocation.request_id);
    header("lambda-runtime-deadline-ms", &deadline);
    header("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:pod-skill");
    header("lambda-runtime-trace-id", &invocation.trace_header);
    (StatusCode::OK, headers, invocation.event.to_string())
}

async fn answered(State(api): State<RuntimeApi>, Path(id): Path<String>, body: String) -> StatusCode {
    finish(&api, &id, serde_json::from_str(&body).map_err(|e| format!("{e}: {body}")))
}

async fn failed(State(api): State<RuntimeApi>, Path(id): Path<String>, body: String) -> StatusCode {
    finish(&api, &id, Err(body))
}

fn finish(api: &RuntimeApi, id: &str, answer: Result<Value, String>) -> StatusCode {
    match api.waiting.lock().unwrap().remove(id) {
        Some(waiter) => {
            let _ = waiter.send(answer);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

/// The test's side of the Runtime API: invokes the function and waits for its answer.
struct Invoker {
    invocations: mpsc::Sender<Invocation>,
    waiting: Waiting,
}

impl Invoker {
    async fn invoke(&self, request_id: &str, trace_header: &str, event: Value) -> Value {
        let (answer, waiter) = oneshot::channel();
        self.waiting.lock().unwrap().insert(request_id.to_string(), answer);
        let invocation =
            Invocation { request_id: request_id.to_string(), trace_header: trace_header.to_string(), event };
        self.invocations.send(invocation).await.unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(30), waiter).await.expect("an answer in time");
        answer.unwrap().unwrap_or_else(|error| panic!("the invocation failed: {error}"))
    }
}

/// Starts the Runtime API on a free port; returns its `host:port` and the invoker.
async fn runtime_api() -> (String, Invoker) {
    let (sender, receiver) = mpsc::channel(4);
    let waiting = Arc::new(Mutex::new(HashMap::new()));
    let api = RuntimeApi { invocations: Arc::new(tokio::sync::Mutex::new(receiver)), waiting: waiting.clone() };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(answered))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, Invoker { invocations: sender, waiting })
}

/// The log lines, as the function would print them on stdout.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn json(&self) -> Vec<Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
    }
}

/// Everything the X-Ray daemon received so far: each datagram's header and document.
fn received(daemon: &UdpSocket) -> Vec<Value> {
    let mut documents = Vec::new();
    let mut buffer = vec![0u8; 65_536];
    while let Ok(length) = daemon.recv(&mut buffer) {
        let datagram = std::str::from_utf8(&buffer[..length]).unwrap();
        let (header, document) = datagram.split_once('\n').expect("a header line, then the document");
        assert_eq!(serde_json::from_str::<Value>(header).unwrap(), serde_json::json!({"format": "json", "version": 1}));
        documents.push(serde_json::from_str(document).unwrap());
    }
    documents
}

fn trace_header(root: &str, parent: &str, sampled: bool) -> String {
    format!("Root={root};Parent={parent};Sampled={}", u8::from(sampled))
}

/// A fresh trace id, `1-{epoch seconds}-{24 hex}`.
fn trace_root() -> String {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("1-{seconds:08x}-{:024x}", uuid::Uuid::now_v7().as_u128() & ((1u128 << 96) - 1))
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The subsegments of one trace: the answer's, under the function's segment, and its calls'.
fn one_trace<'a>(documents: &'a [Value], root: &str, parent: &str) -> (&'a Value, Vec<&'a Value>) {
    let trace: Vec<&Value> = documents.iter().filter(|d| d["trace_id"] == root).collect();
    let answers: Vec<&&Value> = trace.iter().filter(|d| d["name"] == "pod-skill").collect();
    assert_eq!(answers.len(), 1, "one answer subsegment: {trace:#?}");
    let answer = *answers[0];
    assert_eq!(answer["parent_id"], parent, "the answer hangs under the function's segment");
    let calls: Vec<&Value> = trace.iter().copied().filter(|d| d["name"] != "pod-skill").collect();
    for document in trace.iter().chain([&answer]) {
        assert_eq!(document["type"], "subsegment");
        let id = text(&document["id"]);
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{document}");
        assert!(document["start_time"].as_f64().unwrap() <= document["end_time"].as_f64().unwrap(), "{document}");
    }
    for call in &calls {
        assert_eq!(call["parent_id"], answer["id"], "every call hangs under the answer: {call}");
        assert!(call["start_time"].as_f64() >= answer["start_time"].as_f64(), "{call} starts in {answer}");
        assert!(call["end_time"].as_f64() <= answer["end_time"].as_f64(), "{call} ends in {answer}");
    }
    (answer, calls)
}

/// `DynamoDB:UpdateItem`, `Auth0:passwordless_start`: what each call subsegment was.
fn call_names(calls: &[&Value]) -> Vec<String> {
    let mut names: Vec<String> = calls
        .iter()
        .map(|call| {
            let operation = call["aws"]["operation"].as_str().or(call["metadata"]["default"]["operation"].as_str());
            format!("{}:{}", text(&call["name"]), operation.unwrap_or("?"))
        })
        .collect();
    names.sort();
    names
}

/// The same calls as the skill's own "round trips" line counts them (`store:update_item`).
fn logged_names(line: &Value) -> Vec<String> {
    assert!(line["operations"].is_string(), "{line}");
    let mut names: Vec<String> = text(&line["operations"])
        .split(' ')
        .map(|trip| {
            let (remote, operation) = trip.split_once(':').unwrap_or_else(|| panic!("{trip}: {line}"));
            let camel: String = operation.split('_').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect();
            match (remote, operation) {
                ("store", _) => format!("DynamoDB:{camel}"),
                ("delivery", "sns_publish") => "SNS:Publish".into(),
                ("delivery", _) => "SES:SendEmail".into(),
                ("auth0", _) => format!("Auth0:{operation}"),
                ("alexa", _) => format!("Alexa Directive API:{operation}"),
                _ => panic!("unknown remote in {line}"),
            }
        })
        .collect();
    names.sort();
    names
}

/// The log lines logged inside the invocation `request_id`.
fn lines_of<'a>(lines: &'a [Value], request_id: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|line| {
            line["spans"].as_array().is_some_and(|spans| spans.iter().any(|span| span["requestId"] == request_id))
        })
        .collect()
}

/// Every line of the invocation names the Lambda request, the X-Ray trace and the Alexa request.
fn check_lines(lines: &[&Value], trace: &str, alexa_request_id: &str) {
    assert!(!lines.is_empty());
    for line in lines {
        let spans = line["spans"].as_array().unwrap();
        assert!(spans.iter().any(|s| s["name"] == "Lambda runtime invoke" && s["xrayTraceId"] == trace), "{line}");
        assert!(spans.iter().any(|s| s["name"] == "answer" && s["alexa_request_id"] == alexa_request_id), "{line}");
    }
}

/// The stack the skill's `main` thread has in Lambda (8 MiB), not the test harness's 2 MiB: this
/// test runs the whole local stack and the Lambda runtime loop on one thread, and a debug build's
/// futures are many times their release size.
const MAIN_THREAD_STACK: usize = 8 << 20;

#[test]
fn each_skill_invocation_is_one_trace_of_its_auth0_dynamodb_and_directive_calls() {
    std::thread::Builder::new().stack_size(MAIN_THREAD_STACK).spawn(one_trace_per_invocation).unwrap().join().unwrap();
}

fn one_trace_per_invocation() {
    // SAFETY: this binary's only test sets the environment Lambda's runtime reads before it
    // starts any thread of its own (this one is the test's only thread but the harness's).
    unsafe {
        std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "pod-skill");
        std::env::set_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
        std::env::set_var("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        std::env::set_var("AWS_LAMBDA_LOG_STREAM_NAME", "test");
        std::env::set_var("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/pod-skill");
    }
    let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
    daemon.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let lines = Lines::default();
    let xray = XRayLayer::sending_to(daemon.local_addr().unwrap()).unwrap();
    let writer = lines.clone();
    let subscriber = pod_shared::bootstrap::logging(LogFormat::Json, move || writer.clone(), Some(xray));
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (address, invoker) = runtime_api().await;
        // SAFETY: as above; the runtime reads it when it starts, below, on this thread.
        unsafe { std::env::set_var("AWS_LAMBDA_RUNTIME_API", &address) };

        let data = tempfile::tempdir().unwrap();
        let vars = pod_local::private_settings(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), data.path()).unwrap();
        let stack = LocalStack::start(|name| vars.get(name).cloned()).await.expect("the local stack starts");
        let table = pod_local::fresh_local_table("pod-orders-traces").await;
        let probe = ProbeSkill::start(&stack, StoreSettings::DynamoDb { table }, "ana").await.unwrap();
        let verifier = AlexaVerifier::new(VerifierSettings::production(false, Some("amzn1.ask.skill.probe".into())));

        let calls = async {
            // Warm: the management token and the profile are fetched once per instance.
            let warm = probe.event(order());
            invoker.invoke("warm-0001", &trace_header(&trace_root(), "1111111111111111", false), warm).await;
            let unsampled = received(&daemon);
            assert!(unsampled.is_empty(), "nothing is sent for an invocation that is not sampled: {unsampled:#?}");

            let (root, parent) = (trace_root(), "53995c3f42cd8ad8");
            let event = probe.event(order());
            let alexa_request_id = text(&event["request"]["requestId"]).to_string();
            let answer = invoker.invoke("order-0001", &trace_header(&root, parent, true), event).await;
            assert!(text(&answer["response"]["outputSpeech"]["ssml"]).contains("I sent a code"), "{answer}");
            let documents = received(&daemon);
            let (subsegment, calls) = one_trace(&documents, &root, parent);
            assert_eq!(subsegment["annotations"]["alexa_request_id"], alexa_request_id.as_str());
            assert_eq!(subsegment["annotations"]["intent"], pod_skill::YES_INTENT);
            let names = call_names(&calls);
            assert!(names.contains(&"Auth0:passwordless_start".to_string()), "{names:?}");
            assert!(names.contains(&"Alexa Directive API:directive".to_string()), "{names:?}");
            assert!(names.iter().any(|n| n == "DynamoDB:TransactWriteItems"), "{names:?}");
            assert!(calls.iter().all(|c| c["name"] != "DynamoDB" || c["namespace"] == "aws"), "{calls:#?}");

            let all_lines = lines.json();
            let order_lines = lines_of(&all_lines, "order-0001");
            check_lines(&order_lines, &trace_header(&root, parent, true), &alexa_request_id);
            let round_trips = order_lines.iter().find(|l| l["message"] == "round trips").expect("a round trips line");
            assert_eq!(names, logged_names(round_trips), "one subsegment per call the skill counted");

            let code = stack.idp().outbox().last().expect("a code was sent").code.clone();
            let (root, parent) = (trace_root(), "0123456789abcdef");
            let event = probe.event(authorize(&code));
            let alexa_request_id = text(&event["request"]["requestId"]).to_string();
            let answer = invoker.invoke("code-0001", &trace_header(&root, parent, true), event).await;
            assert!(text(&answer["response"]["outputSpeech"]["ssml"]).contains("confirmed"), "{answer}");
            let documents = received(&daemon);
            let (subsegment, calls) = one_trace(&documents, &root, parent);
            assert_eq!(subsegment["annotations"]["intent"], pod_skill::AUTHORIZE_INTENT);
            let names = call_names(&calls);
            assert!(names.contains(&"Auth0:passwordless_verify".to_string()), "{names:?}");
            let all_lines = lines.json();
            let code_lines = lines_of(&all_lines, "code-0001");
            check_lines(&code_lines, &trace_header(&root, parent, true), &alexa_request_id);
            let round_trips = code_lines.iter().find(|l| l["message"] == "round trips").expect("a round trips line");
            assert_eq!(names, logged_names(round_trips));
            assert!(documents.iter().all(|d| d["trace_id"] == root.as_str()), "only this invocation's trace");
        };
        tokio::select! {
            served = pod_skill::serve_lambda_runtime(probe.skill(), &verifier) => panic!("the runtime stopped: {served:?}"),
            () = calls => {}
        }
        stack.stop().await;
    });
}
