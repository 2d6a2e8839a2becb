//! Counts the external round trips one request makes (to Auth0, to the
//! DynamoDB store, to SNS/SES) and how many of them had to wait for each other.
//!
//! Adapters wrap each network call in [`track`]; a handler wraps a request in
//! [`measure`] and gets a [`RoundTrips`] report back. Outside a measured
//! request, [`track`] costs two clock reads and records nothing. Calls that
//! overlap in time (run concurrently, e.g. with `tokio::join!`) count as one
//! sequential round; the number of sequential rounds is what a voice user
//! waits for. A call to Alexa's Directive API (the progressive response, sent
//! beside a code's send) is counted as a call but never as a round: it runs
//! concurrently with the send and nothing waits for its answer.

use serde::Serialize;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Who a round trip went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Remote {
    Auth0,
    Store,
    Delivery,
    /// Alexa's Directive API (progressive responses): a call beside the others, never a round.
    Alexa,
}

/// One call over the network, relative to the start of the measured request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trip {
    pub remote: Remote,
    pub operation: &'static str,
    #[serde(skip)]
    pub started: Duration,
    #[serde(skip)]
    pub ended: Duration,
}

#[derive(Debug)]
struct Meter {
    origin: Instant,
    trips: Mutex<Vec<Trip>>,
    durable_commits: std::sync::atomic::AtomicUsize,
}

tokio::task_local! {
    static METER: Arc<Meter>;
}

/// Runs one network call and records it in the measured request, if any. The call runs in
/// its own span ([`crate::traces::call_span`]): in Lambda, an X-Ray subsegment.
pub async fn track<F: Future>(remote: Remote, operation: &'static str, call: F) -> F::Output {
    let started = Instant::now();
    let output = tracing::Instrument::instrument(call, crate::traces::call_span(remote, operation)).await;
    let ended = Instant::now();
    let _outside_a_measured_request = METER.try_with(|meter| {
        let trip = Trip {
            remote,
            operation,
            started: started.saturating_duration_since(meter.origin),
            ended: ended.saturating_duration_since(meter.origin),
        };
        meter.trips.lock().unwrap_or_else(PoisonError::into_inner).push(trip);
    });
    output
}

/// Counts one durable commit of the embedded store in the measured request, if any: a write
/// the request waited to reach the disk (alone or sharing a flush with other writers).
pub fn note_durable_commit() {
    let _outside_a_measured_request =
        METER.try_with(|meter| meter.durable_commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
}

/// Runs `request` and reports the round trips it made (calls made from tasks
/// it spawns are not seen; concurrent calls within it are).
pub async fn measure<F: Future>(request: F) -> (F::Output, RoundTrips) {
    let meter = Arc::new(Meter {
        origin: Instant::now(),
        trips: Mutex::new(Vec::new()),
        durable_commits: std::sync::atomic::AtomicUsize::new(0),
    });
    let output = METER.scope(Arc::clone(&meter), request).await;
    let trips = std::mem::take(&mut *meter.trips.lock().unwrap_or_else(PoisonError::into_inner));
    let durable_commits = meter.durable_commits.load(std::sync::atomic::Ordering::Relaxed);
    (output, RoundTrips { trips, durable_commits })
}

/// The round trips of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundTrips {
    pub trips: Vec<Trip>,
    /// The embedded store's durable commits the request waited for (DynamoDB's are its calls).
    pub durable_commits: usize,
}

impl RoundTrips {
    /// How many calls went to `remote`.
    pub fn calls_to(&self, remote: Remote) -> usize {
        self.trips.iter().filter(|t| t.remote == remote).count()
    }

    /// All calls.
    pub fn calls(&self) -> usize {
        self.trips.len()
    }

    /// Rounds of calls that waited for each other (overlapping calls are one round).
    /// Calls to [`Remote::Alexa`] run beside the others and are not rounds.
    pub fn sequential(&self) -> usize {
        sequential_rounds(self.trips.iter().filter(|t| t.remote != Remote::Alexa))
    }

    /// Sequential rounds counting only the calls to `remote`.
    pub fn sequential_to(&self, remote: Remote) -> usize {
        sequential_rounds(self.trips.iter().filter(|t| t.remote == remote))
    }

    /// The operations in the order they started, e.g. `store:get_item auth0:passwordless_start`.
    pub fn operations(&self) -> String {
        let mut trips: Vec<&Trip> = self.trips.iter().collect();
        trips.sort_by_key(|t| t.started);
        trips.iter().map(|t| format!("{}:{}", t.remote.name(), t.operation)).collect::<Vec<_>>().join(" ")
    }
}

impl Remote {
    /// How logs, traces and [`RoundTrips::operations`] name it.
    pub fn name(self) -> &'static str {
        match self {
            Remote::Auth0 => "auth0",
            Remote::Store => "store",
            Remote::Delivery => "delivery",
            Remote::Alexa => "alexa",
        }
    }
}

fn sequential_rounds<'a>(trips: impl Iterator<Item = &'a Trip>) -> usize {
    let mut spans: Vec<(Duration, Duration)> = trips.map(|t| (t.started, t.ended)).collect();
    spans.sort();
    let mut rounds = 0;
    let mut round_ends: Option<Duration> = None;
    for (started, ended) in spans {
        match round_ends {
            Some(end) if started < end => round_ends = Some(end.max(ended)),
            _ => {
                rounds += 1;
                round_ends = Some(ended);
            }
        }
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn call(remote: Remote, operation: &'static str, millis: u64) {
        track(remote, operation, tokio::time::sleep(Duration::from_millis(millis))).await
    }

    #[tokio::test]
    async fn calls_one_after_another_are_separate_rounds() {
        let ((), trips) = measure(async {
            call(Remote::Store, "get_item", 5).await;
            call(Remote::Auth0, "passwordless_start", 5).await;
            call(Remote::Store, "put_item", 5).await;
        })
        .await;
        assert_eq!(trips.calls(), 3);
        assert_eq!(trips.calls_to(Remote::Store), 2);
        assert_eq!(trips.sequential(), 3);
        assert_eq!(trips.sequential_to(Remote::Auth0), 1);
        assert_eq!(trips.operations(), "store:get_item auth0:passwordless_start store:put_item");
    }

    #[tokio::test]
    async fn concurrent_calls_are_one_round() {
        let ((), trips) = measure(async {
            tokio::join!(call(Remote::Store, "get_item", 20), call(Remote::Auth0, "get_user", 20));
            call(Remote::Store, "put_item", 5).await;
        })
        .await;
        assert_eq!(trips.calls(), 3);
        assert_eq!(trips.sequential(), 2);
        assert_eq!(trips.sequential_to(Remote::Store), 2);
    }

    #[tokio::test]
    async fn a_progressive_response_is_a_call_but_never_a_round() {
        let ((), trips) = measure(async {
            call(Remote::Store, "get_item", 5).await;
            tokio::join!(call(Remote::Auth0, "passwordless_start", 5), call(Remote::Alexa, "directive", 20));
            call(Remote::Store, "put_item", 5).await;
        })
        .await;
        assert_eq!(trips.calls(), 4);
        assert_eq!(trips.calls_to(Remote::Alexa), 1);
        assert_eq!(trips.sequential(), 3, "the directive outlasting the send adds no round");
        assert_eq!(trips.operations(), "store:get_item auth0:passwordless_start alexa:directive store:put_item");
    }

    #[tokio::test]
    async fn calls_outside_a_measured_request_are_not_recorded_anywhere() {
        call(Remote::Store, "get_item", 1).await;
        let ((), trips) = measure(async {}).await;
        assert_eq!(trips, RoundTrips::default());
        assert_eq!(trips.sequential(), 0);
    }

    #[tokio::test]
    async fn two_measured_requests_at_once_keep_their_own_counts() {
        let (((), a), ((), b)) = tokio::join!(
            measure(async {
                call(Remote::Store, "get_item", 5).await;
                call(Remote::Store, "get_item", 5).await;
            }),
            measure(call(Remote::Auth0, "token", 5))
        );
        assert_eq!((a.calls_to(Remote::Store), a.calls_to(Remote::Auth0)), (2, 0));
        assert_eq!((b.calls_to(Remote::Store), b.calls_to(Remote::Auth0)), (0, 1));
    }
}
