//! Alexa may deliver a request more than once, and two deliveries may arrive at once.
//! A request that changes state is answered once per [`RequestKey`] (the skill, the Pod
//! user and the request id): the delivery that claims the key acts and stores its answer
//! on the claim; any other delivery of the same key acts never. It waits a little for the
//! first answer and replays it, or, if none comes in time, says it is still working.
//! The same request id from another user or skill is another key: a new request.

use crate::failure::Doing;
use crate::speech;
use pod_shared::alexa::{RequestEnvelope, ResponseEnvelope};
use pod_shared::domain::{RequestClaim, RequestId, RequestKey, RequestKeyError, SkillId, UserId};
use pod_shared::service::{GuessReserved, OrderService};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a delivery that finds its request in progress waits for the first answer
/// (well inside [`crate::ANSWER_DEADLINE`], which the first delivery's answer also keeps).
const WAIT_FOR_FIRST_ANSWER: Duration = Duration::from_secs(5);
/// How often it looks.
const LOOK_AGAIN_EVERY: Duration = Duration::from_millis(250);

/// The key `envelope` is answered once for, acting for `user`; an error when the request
/// has no usable skill id or request id (then it cannot be told from a repeat, so it is refused).
pub(crate) fn request_key(envelope: &RequestEnvelope, user: &UserId) -> Result<RequestKey, RequestKeyError> {
    let skill = SkillId::parse(envelope.application_id().unwrap_or_default())?;
    let request = RequestId::parse(envelope.request_id())?;
    Ok(RequestKey::new(skill, user.clone(), request))
}

/// Where the answer of the delivery that claimed its request goes when the request's last write
/// can keep it ([`pod_shared::service::AnswerOnClaim`]): then it costs no write of its own.
#[derive(Clone)]
pub(crate) struct OnClaim {
    key: RequestKey,
    stored: Arc<AtomicBool>,
}

impl OnClaim {
    /// The answer `render` gives, for the service to store with the request's last write.
    pub(crate) fn answering<'a, O>(
        &'a self,
        render: &'a (dyn Fn(&O) -> Option<String> + Send + Sync),
    ) -> pod_shared::service::AnswerOnClaim<'a, O> {
        pod_shared::service::AnswerOnClaim { key: &self.key, render, stored: &self.stored }
    }
}

/// `response` as the claim keeps it: what the skill answers once the conversation's "repeat
/// that" is added ([`crate::conversation::remember_said`], which the answer goes through after).
pub(crate) fn kept(response: ResponseEnvelope) -> Option<String> {
    serde_json::to_string(&crate::conversation::remember_said(response))
        .inspect_err(|error| tracing::warn!(%error, "cannot encode the answer to this request"))
        .ok()
}

/// Answers a request that changes state once per `key`.
///
/// `beside` is what answering reads that does not change state (the caller's profile,
/// say): it runs at the same time as the claim. `answer` runs only in the delivery that
/// claimed the key, and what it says is stored on the claim for repeats. If the claim
/// cannot be made (the store is unreachable), nothing is done: the user hears that
/// `doing` failed and can ask again. `answer` is also given the claim's [`OnClaim`]: an answer
/// stored with the request's last write is not stored again. With `reserve_guess` (a code
/// check), the claim also reserves the check's guess where the store can
/// ([`OrderService::claim_request_reserving`]), and `answer` is given it to spend.
pub(crate) async fn once_per_request<T, Answering>(
    service: &OrderService,
    key: &RequestKey,
    doing: Doing,
    reserve_guess: bool,
    beside: impl Future<Output = T>,
    answer: impl FnOnce(T, OnClaim, Option<GuessReserved>) -> Answering,
) -> ResponseEnvelope
where
    Answering: Future<Output = ResponseEnvelope>,
{
    let request_id = key.request().as_str();
    // Every write of the request reaches the disk at once: before its send or check, and before
    // this answer (`pod_shared::durability`; DynamoDB's writes are durable as they return).
    let answered = pod_shared::durability::one_request(async {
        let claim = async {
            if reserve_guess {
                service.claim_request_reserving(key).await
            } else {
                service.claim_request(key).await.map(|claim| (claim, None))
            }
        };
        let (claim, beside) = tokio::join!(claim, beside);
        match claim {
            Ok((RequestClaim::Claimed, guess)) => {
                let on_claim = OnClaim { key: key.clone(), stored: Arc::new(AtomicBool::new(false)) };
                let response = answer(beside, on_claim.clone(), guess).await;
                if !on_claim.stored.load(Ordering::Relaxed) {
                    remember(service, key, &response).await;
                }
                response
            }
            Ok((RequestClaim::Answered(first), _)) => {
                tracing::info!(request_id, "repeated request: the first answer is replayed");
                replayed(&first)
            }
            Ok((RequestClaim::InProgress, _)) => {
                tracing::info!(request_id, "the same request is being answered by another delivery: waiting for it");
                first_answer(service, key).await
            }
            Err(error) => {
                pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::of_error(&error));
                tracing::error!(%error, request_id, "cannot claim the request: not acted on");
                ResponseEnvelope::tell(doing.failed())
            }
        }
    })
    .await;
    answered.unwrap_or_else(|error| {
        pod_shared::metrics::note_outcome(pod_shared::metrics::Outcome::StoreUnavailable);
        tracing::error!(%error, request_id, "what the request wrote did not reach the disk: its answer is not given");
        ResponseEnvelope::tell(doing.failed())
    })
}

/// The first delivery's answer once it is stored, looked for until [`WAIT_FOR_FIRST_ANSWER`].
/// Looking is claiming again: it changes nothing while the claim is there.
async fn first_answer(service: &OrderService, key: &RequestKey) -> ResponseEnvelope {
    let request_id = key.request().as_str();
    let waited = tokio::time::Instant::now();
    while waited.elapsed() < WAIT_FOR_FIRST_ANSWER {
        tokio::time::sleep(LOOK_AGAIN_EVERY).await;
        match service.claim_request(key).await {
            Ok(RequestClaim::Answered(first)) => {
                tracing::info!(request_id, "the other delivery answered: its answer is replayed");
                return replayed(&first);
            }
            Ok(RequestClaim::InProgress) => {}
            // The claim vanished under us: this delivery holds a fresh one, but the first may
            // have acted, so it does not act either (the claim stays in progress).
            Ok(RequestClaim::Claimed) => break,
            Err(error) => {
                tracing::warn!(%error, request_id, "cannot look for the other delivery's answer");
                break;
            }
        }
    }
    tracing::warn!(request_id, "no answer from the other delivery in time: not acted on");
    ResponseEnvelope::tell(speech::still_working())
}

/// The stored answer, as given the first time.
fn replayed(first: &str) -> ResponseEnvelope {
    serde_json::from_str::<ResponseEnvelope>(first).unwrap_or_else(|error| {
        // Acting again could act twice: say it was handled instead.
        tracing::warn!(%error, "a stored answer is unreadable; not acted on again");
        ResponseEnvelope::tell(speech::already_handled())
    })
}

/// Stores the answer on the claim; if that fails, a repeat hears that the request is still being worked on.
async fn remember(service: &OrderService, key: &RequestKey, response: &ResponseEnvelope) {
    let request_id = key.request().as_str();
    let stored = match serde_json::to_string(response) {
        Ok(answer) => service.answer_request(key, &answer).await,
        Err(error) => {
            tracing::warn!(%error, request_id, "cannot encode the answer to this request");
            return;
        }
    };
    match stored {
        Ok(true) => {}
        Ok(false) => tracing::warn!(request_id, "the claim was no longer in progress: the answer was not stored"),
        Err(error) => tracing::warn!(%error, request_id, "cannot store the answer to this request"),
    }
}
