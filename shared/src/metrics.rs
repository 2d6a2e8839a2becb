//! CloudWatch metrics in the Embedded Metric Format (EMF): one JSON log line per request
//! that CloudWatch Logs turns into metrics, with no extra call and no agent.
//!
//! The names below are the contract with the template (alarms, dashboard) and its check,
//! which reads the quoted strings of this file: change one only together with the template.
//!
//! A request's line has two directives over the same members: `[Function]` and
//! `[Function, Intent]` carry `Requests`, `Duration` and the round-trip counts;
//! `[Function, Outcome]` carries `Answers`. Each code sent adds a line with
//! `[Function, Channel]` and `CodesSent` (one line may hold only one value per dimension).
//! What a handler decided (the outcome, the codes it sent) is noted with [`note_outcome`]
//! and [`note_code_sent`] inside [`observe`]. A line carries names and counts only: never a
//! code, token, contact or user id.

use crate::domain::{Channel, IfWrong};
use crate::round_trips::{Remote, RoundTrips};
use crate::service::{AuthorizeOutcome, ServiceError};
use serde_json::{Map, Value, json};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const NAMESPACE: &str = "Pod";

// Dimension keys.
pub const FUNCTION: &str = "Function";
pub const INTENT: &str = "Intent";
pub const OUTCOME: &str = "Outcome";
pub const CHANNEL: &str = "Channel";

// `Function` values.
pub const FUNCTION_SKILL: &str = "skill";
pub const FUNCTION_API: &str = "api";
pub const FUNCTION_WEB: &str = "web";

// `Channel` values.
pub const CHANNEL_SMS: &str = "sms";
pub const CHANNEL_EMAIL: &str = "email";

// Metric names.
pub const REQUESTS: &str = "Requests";
pub const ANSWERS: &str = "Answers";
pub const DURATION: &str = "Duration";
pub const STORE_CALLS: &str = "StoreCalls";
pub const AUTH0_CALLS: &str = "Auth0Calls";
pub const DELIVERY_CALLS: &str = "DeliveryCalls";
pub const SEQUENTIAL_ROUND_TRIPS: &str = "SequentialRoundTrips";
pub const CODES_SENT: &str = "CodesSent";

// Units (from the EMF specification's list).
pub const UNIT_COUNT: &str = "Count";
pub const UNIT_MILLISECONDS: &str = "Milliseconds";

// `Outcome` values.
pub const OUTCOME_CONFIRMED: &str = "confirmed";
pub const OUTCOME_WRONG_CODE: &str = "wrong_code";
pub const OUTCOME_ORDER_LOCKED: &str = "order_locked";
pub const OUTCOME_ORDERING_PAUSED: &str = "ordering_paused";
pub const OUTCOME_ORDERING_LOCKED: &str = "ordering_locked";
pub const OUTCOME_NO_CONTACT: &str = "no_contact";
pub const OUTCOME_RATE_LIMITED: &str = "rate_limited";
pub const OUTCOME_AUTH0_UNAVAILABLE: &str = "auth0_unavailable";
pub const OUTCOME_STORE_UNAVAILABLE: &str = "store_unavailable";
pub const OUTCOME_REFUSED_REQUEST: &str = "refused_request";
pub const OUTCOME_OTHER: &str = "other";

/// How a request was answered, as the `Outcome` dimension counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A right code confirmed the order.
    Confirmed,
    /// A wrong code, with guesses left.
    WrongCode,
    /// The order took too many wrong codes: it is locked.
    OrderLocked,
    /// Voice ordering is paused for the account (too many wrong codes).
    OrderingPaused,
    /// Voice ordering is locked for the account until the owner unlocks it.
    OrderingLocked,
    /// No verified phone or email to send a code to.
    NoContact,
    /// Too many codes sent in the hour.
    RateLimited,
    /// Auth0 failed or timed out.
    Auth0Unavailable,
    /// The order store failed.
    StoreUnavailable,
    /// The request was refused (not a verified Alexa request, or malformed).
    RefusedRequest,
    /// Anything else: a question, a recap, a status, a help.
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 11] = [
        Outcome::Confirmed,
        Outcome::WrongCode,
        Outcome::OrderLocked,
        Outcome::OrderingPaused,
        Outcome::OrderingLocked,
        Outcome::NoContact,
        Outcome::RateLimited,
        Outcome::Auth0Unavailable,
        Outcome::StoreUnavailable,
        Outcome::RefusedRequest,
        Outcome::Other,
    ];

    /// The `Outcome` dimension value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Confirmed => OUTCOME_CONFIRMED,
            Outcome::WrongCode => OUTCOME_WRONG_CODE,
            Outcome::OrderLocked => OUTCOME_ORDER_LOCKED,
            Outcome::OrderingPaused => OUTCOME_ORDERING_PAUSED,
            Outcome::OrderingLocked => OUTCOME_ORDERING_LOCKED,
            Outcome::NoContact => OUTCOME_NO_CONTACT,
            Outcome::RateLimited => OUTCOME_RATE_LIMITED,
            Outcome::Auth0Unavailable => OUTCOME_AUTH0_UNAVAILABLE,
            Outcome::StoreUnavailable => OUTCOME_STORE_UNAVAILABLE,
            Outcome::RefusedRequest => OUTCOME_REFUSED_REQUEST,
            Outcome::Other => OUTCOME_OTHER,
        }
    }

    /// What a code check (or a voice PIN check) found.
    pub fn of_check(outcome: &AuthorizeOutcome) -> Self {
        match outcome {
            AuthorizeOutcome::Confirmed(_) => Outcome::Confirmed,
            AuthorizeOutcome::WrongCode { account, .. } => Outcome::of_wrong_code(account),
            AuthorizeOutcome::Locked { account: IfWrong::Open, .. } => Outcome::OrderLocked,
            AuthorizeOutcome::Locked { account: IfWrong::Paused { .. }, .. } => Outcome::OrderingPaused,
            AuthorizeOutcome::Locked { account: IfWrong::Locked, .. } => Outcome::OrderingLocked,
            AuthorizeOutcome::Expired(_) | AuthorizeOutcome::NoPendingOrder => Outcome::Other,
        }
    }

    /// A wrong code (an order's or a phone enrollment's), by what it did to the account: a
    /// wrong code, or the one that paused or locked voice ordering.
    pub fn of_wrong_code(account: &IfWrong) -> Self {
        match account {
            IfWrong::Open => Outcome::WrongCode,
            IfWrong::Paused { .. } => Outcome::OrderingPaused,
            IfWrong::Locked => Outcome::OrderingLocked,
        }
    }

    /// What a service error means for the counts.
    pub fn of_error(error: &ServiceError) -> Self {
        use crate::domain::Blocked;
        match error {
            ServiceError::Blocked(Blocked::Paused { .. }) => Outcome::OrderingPaused,
            ServiceError::Blocked(Blocked::Locked) => Outcome::OrderingLocked,
            ServiceError::NoVerifiedContact => Outcome::NoContact,
            ServiceError::TooManyCodes { .. } => Outcome::RateLimited,
            ServiceError::Identity(_) => Outcome::Auth0Unavailable,
            ServiceError::Store(_) => Outcome::StoreUnavailable,
            _ => Outcome::Other,
        }
    }
}

/// The `Channel` dimension value of a code's channel.
pub fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => CHANNEL_SMS,
        Channel::Email => CHANNEL_EMAIL,
    }
}

/// Where EMF lines go: stdout in Lambda (CloudWatch Logs reads them), a capture in tests.
pub trait MetricsSink: Send + Sync {
    fn emit(&self, line: &str);
}

/// Writes each line to stdout, beside the JSON logs.
#[derive(Debug, Default)]
pub struct StdoutSink;

impl MetricsSink for StdoutSink {
    fn emit(&self, line: &str) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        // A closed stdout loses the metric, never the answer.
        let _ = writeln!(out, "{line}");
    }
}

/// Keeps the lines, for tests.
#[derive(Debug, Default)]
pub struct CapturedLines(Mutex<Vec<String>>);

impl CapturedLines {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl MetricsSink for CapturedLines {
    fn emit(&self, line: &str) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(line.to_string());
    }
}

/// Whether and where a function emits metrics (`METRICS`).
#[derive(Clone, Default)]
pub struct Metrics {
    sink: Option<Arc<dyn MetricsSink>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").field("on", &self.sink.is_some()).finish()
    }
}

impl Metrics {
    /// Emits nothing.
    pub fn off() -> Self {
        Self { sink: None }
    }

    /// EMF lines on stdout.
    pub fn emf_stdout() -> Self {
        Self::to(Arc::new(StdoutSink))
    }

    /// EMF lines into `sink`.
    pub fn to(sink: Arc<dyn MetricsSink>) -> Self {
        Self { sink: Some(sink) }
    }

    /// For the settings: `METRICS=emf` on stdout, `off` nothing.
    pub fn for_mode(mode: MetricsMode) -> Self {
        match mode {
            MetricsMode::Emf => Self::emf_stdout(),
            MetricsMode::Off => Self::off(),
        }
    }

    pub fn is_on(&self) -> bool {
        self.sink.is_some()
    }

    /// Runs one request of `function` (`intent`: its operation or route) and emits its lines:
    /// its duration, round trips, and what was noted inside it. Off, it only runs it.
    /// The request runs in its answer span ([`crate::traces::answer_span`]), metrics on or off.
    pub async fn measure<F: Future>(&self, function: &'static str, intent: &str, request: F) -> F::Output {
        let request = tracing::Instrument::instrument(request, crate::traces::answer_span(function, None, intent));
        if !self.is_on() {
            return request.await;
        }
        let started = std::time::Instant::now();
        let ((output, noted), trips) = crate::round_trips::measure(observe(request)).await;
        self.record(&RequestMetrics {
            function,
            intent,
            outcome: noted.outcome(),
            duration: started.elapsed(),
            trips: Some(&trips),
            codes_sent: &noted.codes_sent,
        });
        output
    }

    /// Emits `request`'s lines, stamped now.
    pub fn record(&self, request: &RequestMetrics<'_>) {
        let Some(sink) = &self.sink else { return };
        for line in request.lines(now_millis()) {
            sink.emit(&line);
        }
    }
}

/// The `Intent` of an HTTP request: its method and route template (`GET /pod/api/orders/{id}`),
/// `Other` without a route or with an unusual method, so no request can add dimension values.
pub fn http_operation(method: &str, route: Option<&str>) -> String {
    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    match (METHODS.iter().find(|m| **m == method), route) {
        (Some(method), Some(route)) => format!("{method} {route}"),
        _ => "Other".into(),
    }
}

/// `METRICS`: `emf` (EMF lines on stdout) or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsMode {
    Emf,
    Off,
}

fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// What one request did, for its EMF lines.
#[derive(Debug, Clone)]
pub struct RequestMetrics<'a> {
    /// `skill`, `api` or `web`.
    pub function: &'static str,
    /// The intent, request type, operation or route: a name from a fixed set, never input as given.
    pub intent: &'a str,
    pub outcome: Outcome,
    pub duration: Duration,
    pub trips: Option<&'a RoundTrips>,
    /// The channel of each code sent.
    pub codes_sent: &'a [Channel],
}

impl RequestMetrics<'_> {
    /// The EMF lines, stamped `timestamp_ms`: the request's, then one per channel codes went by.
    pub fn lines(&self, timestamp_ms: u64) -> Vec<String> {
        let count = |remote| self.trips.map_or(0, |t| t.calls_to(remote)) as u64;
        let per_request = [
            (REQUESTS, UNIT_COUNT, json!(1)),
            (DURATION, UNIT_MILLISECONDS, json!(self.duration.as_secs_f64() * 1000.0)),
            (STORE_CALLS, UNIT_COUNT, json!(count(Remote::Store))),
            (AUTH0_CALLS, UNIT_COUNT, json!(count(Remote::Auth0))),
            (DELIVERY_CALLS, UNIT_COUNT, json!(count(Remote::Delivery))),
            (SEQUENTIAL_ROUND_TRIPS, UNIT_COUNT, json!(self.trips.map_or(0, |t| t.sequential()) as u64)),
        ];
        let mut members = Map::new();
        members.insert(FUNCTION.into(), json!(self.function));
        members.insert(INTENT.into(), json!(self.intent));
        members.insert(OUTCOME.into(), json!(self.outcome.as_str()));
        for (name, _, value) in &per_request {
            members.insert((*name).into(), value.clone());
        }
        members.insert(ANSWERS.into(), json!(1));
        let directives = vec![
            directive(&[&[FUNCTION], &[FUNCTION, INTENT]], per_request.iter().map(|(n, u, _)| (*n, *u))),
            directive(&[&[FUNCTION, OUTCOME]], [(ANSWERS, UNIT_COUNT)]),
        ];
        let mut lines = vec![envelope(timestamp_ms, directives, members)];
        let mut channels: Vec<(Channel, u64)> = Vec::new();
        for channel in self.codes_sent {
            match channels.iter_mut().find(|(c, _)| c == channel) {
                Some((_, n)) => *n += 1,
                None => channels.push((*channel, 1)),
            }
        }
        for (channel, sent) in channels {
            let mut members = Map::new();
            members.insert(FUNCTION.into(), json!(self.function));
            members.insert(CHANNEL.into(), json!(channel_name(channel)));
            members.insert(CODES_SENT.into(), json!(sent));
            let directives = vec![directive(&[&[FUNCTION, CHANNEL]], [(CODES_SENT, UNIT_COUNT)])];
            lines.push(envelope(timestamp_ms, directives, members));
        }
        lines
    }
}

fn directive<'a>(dimensions: &[&[&str]], metrics: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    json!({
        "Namespace": NAMESPACE,
        "Dimensions": dimensions,
        "Metrics": metrics.into_iter().map(|(name, unit)| json!({"Name": name, "Unit": unit})).collect::<Vec<_>>(),
    })
}

fn envelope(timestamp_ms: u64, directives: Vec<Value>, mut members: Map<String, Value>) -> String {
    members.insert("_aws".into(), json!({"Timestamp": timestamp_ms, "CloudWatchMetrics": directives}));
    Value::Object(members).to_string()
}

/// What a handler noted while it answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Noted {
    /// The last outcome noted (none: [`Outcome::Other`]).
    pub outcome: Option<Outcome>,
    /// The channel of each code sent.
    pub codes_sent: Vec<Channel>,
}

impl Noted {
    pub fn outcome(&self) -> Outcome {
        self.outcome.unwrap_or(Outcome::Other)
    }
}

tokio::task_local! {
    static NOTES: Arc<Mutex<Noted>>;
}

/// Runs `request` and returns what was noted inside it (outside [`observe`], notes are dropped).
pub async fn observe<F: Future>(request: F) -> (F::Output, Noted) {
    let notes = Arc::new(Mutex::new(Noted::default()));
    let output = NOTES.scope(Arc::clone(&notes), request).await;
    let noted = std::mem::take(&mut *notes.lock().unwrap_or_else(PoisonError::into_inner));
    (output, noted)
}

/// Notes how the request is answered; a later note replaces an earlier one.
pub fn note_outcome(outcome: Outcome) {
    let _outside_an_observed_request =
        NOTES.try_with(|notes| notes.lock().unwrap_or_else(PoisonError::into_inner).outcome = Some(outcome));
}

/// Notes that a code went out by `channel`.
pub fn note_code_sent(channel: Channel) {
    let _outside_an_observed_request =
        NOTES.try_with(|notes| notes.lock().unwrap_or_else(PoisonError::into_inner).codes_sent.push(channel));
}

/// Checks one line against the EMF specification (the `_aws` envelope, its directives, the
/// members they name): the unit tests here and the functions' tests share it.
pub fn check_emf_line(line: &str) -> Result<Value, String> {
    const UNITS: [&str; 27] = [
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    ];
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let root = value.as_object().ok_or("not a JSON object")?;
    let aws = root.get("_aws").and_then(Value::as_object).ok_or("no _aws object")?;
    aws.get("Timestamp").and_then(Value::as_u64).ok_or("_aws.Timestamp is not an integer of milliseconds")?;
    let directives = aws.get("CloudWatchMetrics").and_then(Value::as_array).ok_or("no CloudWatchMetrics array")?;
    if directives.is_empty() {
        return Err("CloudWatchMetrics is empty".into());
    }
    for directive in directives {
        let namespace = directive.get("Namespace").and_then(Value::as_str).ok_or("a directive has no Namespace")?;
        if namespace.is_empty() || namespace.len() > 1024 {
            return Err(format!("bad Namespace {namespace:?}"));
        }
        let sets = directive.get("Dimensions").and_then(Value::as_array).ok_or("a directive has no Dimensions")?;
        for set in sets {
            let keys = set.as_array().ok_or("a dimension set is not an array")?;
            if keys.len() > 30 {
                return Err("a dimension set has more than 30 dimensions".into());
            }
            for key in keys {
                let key = key.as_str().ok_or("a dimension key is not a string")?;
                if !root.get(key).is_some_and(Value::is_string) {
                    return Err(format!("dimension {key} is not a top-level string member"));
                }
            }
        }
        let metrics = directive.get("Metrics").and_then(Value::as_array).ok_or("a directive has no Metrics")?;
        if metrics.len() > 100 {
            return Err("a directive has more than 100 metrics".into());
        }
        for metric in metrics {
            let name = metric.get("Name").and_then(Value::as_str).ok_or("a metric has no Name")?;
            if name.is_empty() || name.len() > 1024 {
                return Err(format!("bad metric name {name:?}"));
            }
            if let Some(unit) = metric.get("Unit") {
                let unit = unit.as_str().ok_or("a Unit is not a string")?;
                if !UNITS.contains(&unit) {
                    return Err(format!("unit {unit} is not one of the specification's"));
                }
            }
            if !root.get(name).is_some_and(Value::is_number) {
                return Err(format!("metric {name} is not a top-level number"));
            }
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::round_trips::{self, track};

    fn request<'a>(trips: Option<&'a RoundTrips>, codes: &'a [Channel]) -> RequestMetrics<'a> {
        RequestMetrics {
            function: FUNCTION_SKILL,
            intent: "AuthorizeOrderIntent",
            outcome: Outcome::WrongCode,
            duration: Duration::from_millis(42),
            trips,
            codes_sent: codes,
        }
    }

    #[tokio::test]
    async fn a_request_line_follows_the_specification_and_carries_the_contract() {
        let ((), trips) = round_trips::measure(async {
            track(Remote::Auth0, "userinfo", async {}).await;
            track(Remote::Store, "get", async {}).await;
        })
        .await;
        let lines = request(Some(&trips), &[]).lines(1_800_000_000_123);
        assert_eq!(lines.len(), 1);
        let line = check_emf_line(&lines[0]).unwrap();
        assert_eq!(line["_aws"]["Timestamp"], 1_800_000_000_123u64);
        assert_eq!(line["Function"], "skill");
        assert_eq!(line["Intent"], "AuthorizeOrderIntent");
        assert_eq!(line["Outcome"], "wrong_code");
        assert_eq!(line["Requests"], 1);
        assert_eq!(line["Answers"], 1);
        assert_eq!(line["Auth0Calls"], 1);
        assert_eq!(line["StoreCalls"], 1);
        assert_eq!(line["DeliveryCalls"], 0);
        assert_eq!(line["SequentialRoundTrips"], 2);
        assert_eq!(line["Duration"], 42.0);
        let directives = line["_aws"]["CloudWatchMetrics"].as_array().unwrap();
        assert!(directives.iter().all(|d| d["Namespace"] == NAMESPACE));
        assert_eq!(directives[0]["Dimensions"], json!([["Function"], ["Function", "Intent"]]));
        assert_eq!(directives[1]["Dimensions"], json!([["Function", "Outcome"]]));
        assert_eq!(directives[1]["Metrics"], json!([{"Name": "Answers", "Unit": "Count"}]));
        let names: Vec<&str> =
            directives[0]["Metrics"].as_array().unwrap().iter().filter_map(|m| m["Name"].as_str()).collect();
        assert_eq!(names, [REQUESTS, DURATION, STORE_CALLS, AUTH0_CALLS, DELIVERY_CALLS, SEQUENTIAL_ROUND_TRIPS]);
    }

    #[test]
    fn each_channel_codes_went_by_gets_its_own_line() {
        let lines = request(None, &[Channel::Sms, Channel::Email, Channel::Sms]).lines(1);
        assert_eq!(lines.len(), 3);
        let sms = check_emf_line(&lines[1]).unwrap();
        assert_eq!((sms["Channel"].as_str(), sms["CodesSent"].as_u64()), (Some("sms"), Some(2)));
        assert_eq!(sms["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["Function", "Channel"]]));
        let email = check_emf_line(&lines[2]).unwrap();
        assert_eq!((email["Channel"].as_str(), email["CodesSent"].as_u64()), (Some("email"), Some(1)));
        assert!(sms.get("Intent").is_none(), "one value per dimension key per line");
    }

    #[test]
    fn the_checker_refuses_what_the_specification_refuses() {
        let good = request(None, &[]).lines(1).remove(0);
        assert!(check_emf_line(&good).is_ok());
        let broken = |edit: &dyn Fn(&mut Value)| {
            let mut value: Value = serde_json::from_str(&good).unwrap();
            edit(&mut value);
            check_emf_line(&value.to_string())
        };
        assert!(check_emf_line("not json").is_err());
        assert!(broken(&|v| v["_aws"]["Timestamp"] = json!("now")).is_err());
        assert!(broken(&|v| v["_aws"]["Timestamp"] = json!(1.5)).is_err());
        assert!(broken(&|v| v.as_object_mut().unwrap().remove("Intent").map(drop).unwrap_or(())).is_err());
        assert!(broken(&|v| v["Requests"] = json!("1")).is_err());
        assert!(broken(&|v| v["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = json!("Pizzas")).is_err());
        assert!(broken(&|v| v["_aws"]["CloudWatchMetrics"][0]["Dimensions"] = json!([vec!["Function"; 31]])).is_err());
        let many: Vec<Value> = (0..101).map(|_| json!({"Name": "Requests", "Unit": "Count"})).collect();
        assert!(broken(&|v| v["_aws"]["CloudWatchMetrics"][0]["Metrics"] = json!(many)).is_err());
        assert!(broken(&|v| v.as_object_mut().unwrap().remove("_aws").map(drop).unwrap_or(())).is_err());
    }

    #[test]
    fn every_outcome_has_its_contract_name() {
        let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            names,
            [
                "confirmed",
                "wrong_code",
                "order_locked",
                "ordering_paused",
                "ordering_locked",
                "no_contact",
                "rate_limited",
                "auth0_unavailable",
                "store_unavailable",
                "refused_request",
                "other"
            ]
        );
    }

    #[tokio::test]
    async fn notes_are_kept_inside_an_observed_request_only() {
        note_outcome(Outcome::Confirmed);
        let ((), noted) = observe(async {
            note_outcome(Outcome::WrongCode);
            note_code_sent(Channel::Email);
            note_outcome(Outcome::OrderLocked);
        })
        .await;
        assert_eq!(noted, Noted { outcome: Some(Outcome::OrderLocked), codes_sent: vec![Channel::Email] });
        let ((), nothing) = observe(async {}).await;
        assert_eq!(nothing.outcome(), Outcome::Other);
    }

    #[tokio::test]
    async fn a_measured_request_emits_its_line_with_what_was_noted() {
        let captured = Arc::new(CapturedLines::default());
        let metrics = Metrics::to(captured.clone());
        let answer = metrics
            .measure(FUNCTION_API, "POST /pod/api/orders", async {
                track(Remote::Store, "put", async {}).await;
                note_code_sent(Channel::Sms);
                note_outcome(Outcome::RateLimited);
                7
            })
            .await;
        assert_eq!(answer, 7);
        let lines: Vec<Value> = captured.lines().iter().map(|l| check_emf_line(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["Function"], "api");
        assert_eq!(lines[0]["Intent"], "POST /pod/api/orders");
        assert_eq!(lines[0]["Outcome"], "rate_limited");
        assert_eq!(lines[0]["StoreCalls"], 1);
        assert_eq!(lines[1]["CodesSent"], 1);
        assert_eq!(Metrics::off().measure(FUNCTION_WEB, "x", async { 8 }).await, 8);
    }

    #[test]
    fn an_http_operation_is_a_known_method_and_a_route_template() {
        assert_eq!(http_operation("GET", Some("/pod/api/orders/{id}")), "GET /pod/api/orders/{id}");
        assert_eq!(http_operation("BREW", Some("/pod/api/orders")), "Other");
        assert_eq!(http_operation("GET", None), "Other");
    }

    #[test]
    fn off_emits_nothing_and_a_sink_gets_every_line() {
        let captured = Arc::new(CapturedLines::default());
        Metrics::off().record(&request(None, &[Channel::Sms]));
        Metrics::to(captured.clone()).record(&request(None, &[Channel::Sms]));
        assert_eq!(captured.lines().len(), 2);
        assert!(captured.lines().iter().all(|l| check_emf_line(l).is_ok()));
    }
}
