//! One request's calls as an AWS X-Ray trace: each answer and each network call (Auth0,
//! DynamoDB, SNS, SES, Alexa's Directive API) is a `tracing` span, and in Lambda, with active
//! tracing on, [`XRayLayer`] sends each such span as an X-Ray subsegment to the X-Ray daemon
//! Lambda runs beside the function (`AWS_XRAY_DAEMON_ADDRESS`, UDP).
//!
//! Lambda's Rust runtime opens a span named `Lambda runtime invoke` for every invocation, with
//! the Lambda request id (`requestId`) and the X-Ray trace header (`xrayTraceId`, the
//! `_X_AMZN_TRACE_ID` of the invocation: `Root=1-…;Parent=…;Sampled=1`). Pod's spans open
//! inside it, so every JSON log line carries both ids in its `spans` list, beside the answer
//! span's Alexa request id. The layer reads the trace header from that span (never from the
//! process environment, which a concurrent runtime would share between invocations), and
//! hangs the subsegments under the function's segment (`Parent`). Nothing is sent when the
//! invocation is not sampled or has no trace header (outside Lambda).
//!
//! Only spans of target [`TARGET`] become subsegments: [`answer_span`] (one per request, with
//! the Alexa request id and the intent as X-Ray annotations, so a trace can be found by them)
//! and [`call_span`] (one per network call, opened by [`crate::round_trips::track`]). The
//! segment documents follow the X-Ray segment document schema; the daemon protocol is a JSON
//! header line, then the document, in one datagram. No maintained crate exports `tracing`
//! spans to the daemon within the binaries' size budget: the OpenTelemetry route needs an
//! OTLP exporter and a collector layer in the function; this is about 300 lines on
//! `serde_json` and a UDP socket (README, "What is written by hand").

use crate::round_trips::Remote;
use serde_json::{Map, Value, json};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Subscriber, info_span};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// The target of the spans that become X-Ray subsegments.
pub const TARGET: &str = "pod::trace";

/// The name of the span Lambda's Rust runtime opens for each invocation.
pub const RUNTIME_SPAN: &str = "Lambda runtime invoke";

/// The span of one request's answer: its subsegment is named after the function (`pod-skill`),
/// with the Alexa request id (when there is one) and the intent or route as annotations.
pub fn answer_span(function: &'static str, alexa_request_id: Option<&str>, intent: &str) -> tracing::Span {
    match alexa_request_id {
        Some(id) => info_span!(target: TARGET, "answer", function, alexa_request_id = id, intent),
        None => info_span!(target: TARGET, "answer", function, intent),
    }
}

/// The span of one network call (opened by [`crate::round_trips::track`]).
pub fn call_span(remote: Remote, operation: &'static str) -> tracing::Span {
    info_span!(target: TARGET, "call", remote = remote.name(), operation)
}

/// The X-Ray trace header of one invocation (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHeader {
    /// The trace id, `1-{8 hex: epoch seconds}-{24 hex}`.
    pub root: String,
    /// The id of the segment calls hang under (in Lambda: the function's segment).
    pub parent: Option<String>,
    pub sampled: bool,
}

impl TraceHeader {
    /// Reads a header; `None` when it has no well-formed `Root`.
    pub fn parse(header: &str) -> Option<Self> {
        let (mut root, mut parent, mut sampled) = (None, None, false);
        for part in header.split(';') {
            let Some((key, value)) = part.trim().split_once('=') else { continue };
            match key {
                "Root" if is_trace_id(value) => root = Some(value.to_string()),
                "Parent" if is_hex_id(value) => parent = Some(value.to_string()),
                "Sampled" => sampled = value == "1",
                _ => {}
            }
        }
        Some(Self { root: root?, parent, sampled })
    }
}

fn is_hex(text: &str, length: usize) -> bool {
    text.len() == length && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_hex_id(text: &str) -> bool {
    is_hex(text, 16)
}

fn is_trace_id(text: &str) -> bool {
    let mut parts = text.split('-');
    matches!((parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("1"), Some(time), Some(random), None) if is_hex(time, 8) && is_hex(random, 24))
}

/// The daemon's UDP address from `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or the two-address
/// form `tcp:host:port udp:host:port` (the UDP one is used).
pub fn daemon_address(setting: &str) -> Option<SocketAddr> {
    let setting = setting.trim();
    let udp = if setting.contains(' ') {
        setting.split_whitespace().find_map(|part| part.strip_prefix("udp:"))?
    } else {
        setting.strip_prefix("udp:").unwrap_or(setting)
    };
    udp.to_socket_addrs().ok()?.next()
}

/// What an X-Ray subsegment says about a call: its name, namespace and AWS operation.
fn call_subsegment(remote: &str, operation: &str) -> (String, &'static str, Option<String>) {
    match (remote, operation) {
        ("store", operation) => ("DynamoDB".into(), "aws", Some(pascal_case(operation))),
        ("delivery", "sns_publish") => ("SNS".into(), "aws", Some("Publish".into())),
        ("delivery", "ses_send_email") => ("SES".into(), "aws", Some("SendEmail".into())),
        ("auth0", _) => ("Auth0".into(), "remote", None),
        ("alexa", _) => ("Alexa Directive API".into(), "remote", None),
        (remote, _) => (remote.to_string(), "remote", None),
    }
}

/// `transact_write_items` → `TransactWriteItems`, as X-Ray names DynamoDB operations.
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A sampled trace an invocation belongs to (kept on the runtime's span).
#[derive(Debug, Clone)]
struct Trace {
    root: String,
    parent: String,
}

/// An open subsegment (kept on its span until it closes).
#[derive(Debug)]
struct OpenSubsegment {
    id: String,
    trace: Trace,
    start_time: f64,
    fields: Map<String, Value>,
    name: &'static str,
}

/// Sends Pod's spans to the X-Ray daemon as subsegments of the invocation's trace.
pub struct XRayLayer {
    socket: UdpSocket,
    daemon: SocketAddr,
}

impl XRayLayer {
    /// The layer Lambda's environment asks for: `AWS_XRAY_DAEMON_ADDRESS` set (Lambda sets it
    /// when active tracing is on). `None` outside Lambda or when the socket cannot be opened.
    pub fn from_environment() -> Option<Self> {
        let setting = std::env::var("AWS_XRAY_DAEMON_ADDRESS").ok()?;
        let daemon = daemon_address(&setting)?;
        Self::sending_to(daemon).ok()
    }

    /// A layer sending to the daemon at `daemon`.
    pub fn sending_to(daemon: SocketAddr) -> std::io::Result<Self> {
        let local: SocketAddr = if daemon.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
        let socket = UdpSocket::bind(local)?;
        // A full socket buffer drops a subsegment; it never holds up an answer.
        socket.set_nonblocking(true)?;
        Ok(Self { socket, daemon })
    }

    fn send(&self, document: &Value) {
        let mut datagram = br#"{"format": "json", "version": 1}"#.to_vec();
        datagram.push(b'\n');
        if serde_json::to_writer(&mut datagram, document).is_ok() {
            // Like the X-Ray SDKs: a lost datagram loses one subsegment and nothing else.
            let _ = self.socket.send_to(&datagram, self.daemon);
        }
    }
}

/// The id of a new segment: 16 hex digits.
fn new_segment_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn epoch_seconds() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or_default()
}

/// Collects a span's fields as JSON values.
struct Fields<'a>(&'a mut Map<String, Value>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_string(), Value::from(format!("{value:?}")));
    }
}

impl<S> Layer<S> for XRayLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        let Some(span) = context.span(id) else { return };
        let metadata = attributes.metadata();
        if metadata.name() == RUNTIME_SPAN {
            let mut fields = Map::new();
            attributes.record(&mut Fields(&mut fields));
            let header = fields.get("xrayTraceId").and_then(Value::as_str).and_then(TraceHeader::parse);
            if let Some(TraceHeader { root, parent: Some(parent), sampled: true }) = header {
                span.extensions_mut().insert(Trace { root, parent });
            }
            return;
        }
        if metadata.target() != TARGET {
            return;
        }
        // The nearest enclosing subsegment, else the invocation's trace: the parent.
        let parent = span.scope().skip(1).find_map(|ancestor| {
            let extensions = ancestor.extensions();
            if let Some(open) = extensions.get::<OpenSubsegment>() {
                return Some(Trace { root: open.trace.root.clone(), parent: open.id.clone() });
            }
            extensions.get::<Trace>().cloned()
        });
        let Some(trace) = parent else { return };
        let mut fields = Map::new();
        attributes.record(&mut Fields(&mut fields));
        let subsegment =
            OpenSubsegment { id: new_segment_id(), trace, start_time: epoch_seconds(), fields, name: metadata.name() };
        span.extensions_mut().insert(subsegment);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, context: Context<'_, S>) {
        let Some(span) = context.span(id) else { return };
        if let Some(open) = span.extensions_mut().get_mut::<OpenSubsegment>() {
            values.record(&mut Fields(&mut open.fields));
        }
    }

    fn on_close(&self, id: Id, context: Context<'_, S>) {
        let Some(span) = context.span(&id) else { return };
        let Some(open) = span.extensions_mut().remove::<OpenSubsegment>() else { return };
        self.send(&subsegment_document(&open, epoch_seconds()));
    }
}

/// The X-Ray segment document of a closed span, sent as an independent subsegment.
fn subsegment_document(open: &OpenSubsegment, end_time: f64) -> Value {
    let text = |name: &str| open.fields.get(name).and_then(Value::as_str).unwrap_or_default();
    let mut document = json!({
        "type": "subsegment",
        "id": open.id,
        "trace_id": open.trace.root,
        "parent_id": open.trace.parent,
        "start_time": open.start_time,
        "end_time": end_time.max(open.start_time),
    });
    if open.name == "call" {
        let (name, namespace, operation) = call_subsegment(text("remote"), text("operation"));
        document["name"] = json!(name);
        document["namespace"] = json!(namespace);
        match operation {
            Some(operation) => document["aws"] = json!({"operation": operation}),
            None => document["metadata"] = json!({"default": {"operation": text("operation")}}),
        }
    } else {
        document["name"] = json!(format!("pod-{}", text("function")));
        let annotations: Map<String, Value> = open
            .fields
            .iter()
            .filter(|(key, value)| key.as_str() != "function" && (value.is_string() || value.is_number()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        document["annotations"] = Value::Object(annotations);
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    #[test]
    fn a_lambda_trace_header_is_read_and_a_malformed_one_is_not() {
        let header = TraceHeader::parse(HEADER).unwrap();
        assert_eq!(header.root, "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(header.parent.as_deref(), Some("53995c3f42cd8ad8"));
        assert!(header.sampled);
        let unsampled = TraceHeader::parse("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0").unwrap();
        assert!(!unsampled.sampled && unsampled.parent.is_none());
        assert!(!TraceHeader::parse("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?").unwrap().sampled);
        for bad in ["", "Parent=53995c3f42cd8ad8", "Root=2-5759e988-bd862e3fe1be46a994272793", "Root=1-5759e98-x"] {
            assert_eq!(TraceHeader::parse(bad), None, "{bad}");
        }
        let odd_parent = TraceHeader::parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=zz;Sampled=1").unwrap();
        assert_eq!(odd_parent.parent, None, "a malformed parent is no parent");
    }

    #[test]
    fn the_daemon_address_takes_both_of_lambdas_forms() {
        let expected: SocketAddr = "169.254.79.129:2000".parse().unwrap();
        assert_eq!(daemon_address("169.254.79.129:2000"), Some(expected));
        assert_eq!(daemon_address("tcp:169.254.79.129:2000 udp:169.254.79.129:2000"), Some(expected));
        assert_eq!(daemon_address("udp:169.254.79.129:2000 tcp:127.0.0.1:2000"), Some(expected));
        assert_eq!(daemon_address("tcp:127.0.0.1:2000 other:1"), None);
        assert_eq!(daemon_address("nonsense"), None);
    }

    #[test]
    fn calls_are_named_as_x_ray_names_the_services() {
        assert_eq!(
            call_subsegment("store", "transact_write_items"),
            ("DynamoDB".into(), "aws", Some("TransactWriteItems".into()))
        );
        assert_eq!(call_subsegment("delivery", "sns_publish"), ("SNS".into(), "aws", Some("Publish".into())));
        assert_eq!(call_subsegment("delivery", "ses_send_email"), ("SES".into(), "aws", Some("SendEmail".into())));
        assert_eq!(call_subsegment("auth0", "passwordless_start"), ("Auth0".into(), "remote", None));
        assert_eq!(call_subsegment("alexa", "directive"), ("Alexa Directive API".into(), "remote", None));
    }

    #[test]
    fn a_subsegment_document_has_what_the_segment_schema_requires() {
        let trace = Trace { root: "1-5759e988-bd862e3fe1be46a994272793".into(), parent: "53995c3f42cd8ad8".into() };
        let mut fields = Map::new();
        fields.insert("remote".into(), json!("store"));
        fields.insert("operation".into(), json!("get_item"));
        let call =
            OpenSubsegment { id: new_segment_id(), trace: trace.clone(), start_time: 10.5, fields, name: "call" };
        let document = subsegment_document(&call, 10.25);
        assert!(is_hex_id(document["id"].as_str().unwrap()));
        assert_eq!(document["type"], "subsegment");
        assert_eq!(document["trace_id"], trace.root.as_str());
        assert_eq!(document["parent_id"], "53995c3f42cd8ad8");
        assert_eq!(document["name"], "DynamoDB");
        assert_eq!(document["aws"]["operation"], "GetItem");
        assert_eq!(document["end_time"], 10.5, "never ends before it starts");

        let mut fields = Map::new();
        fields.insert("function".into(), json!("skill"));
        fields.insert("alexa_request_id".into(), json!("amzn1.echo-api.request.1"));
        fields.insert("intent".into(), json!("OrderPizza"));
        let answer = OpenSubsegment { id: new_segment_id(), trace, start_time: 1.0, fields, name: "answer" };
        let document = subsegment_document(&answer, 2.0);
        assert_eq!(document["name"], "pod-skill");
        assert_eq!(
            document["annotations"],
            json!({"alexa_request_id": "amzn1.echo-api.request.1", "intent": "OrderPizza"})
        );
    }
}
