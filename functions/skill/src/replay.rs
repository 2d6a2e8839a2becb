//! Alexa may deliver a request twice. A request that changes state is answered
//! once per request id: a repeat gets the first answer again and changes nothing.

use pod_shared::alexa::ResponseEnvelope;
use pod_shared::service::OrderService;
use std::future::Future;

/// Answers a request that changes state once per `request_id`.
///
/// `beside` is what answering reads that does not depend on the replay check (who
/// is asking, say): it runs at the same time. `answer` runs only if the request is
/// new, and what it says is remembered for a repeat.
pub(crate) async fn once_per_request<T, Answering>(
    service: &OrderService,
    request_id: &str,
    beside: impl Future<Output = T>,
    answer: impl FnOnce(T) -> Answering,
) -> ResponseEnvelope
where
    Answering: Future<Output = ResponseEnvelope>,
{
    let (first_answer, beside) = tokio::join!(first_answer(service, request_id), beside);
    if let Some(first) = first_answer {
        return first;
    }
    let response = answer(beside).await;
    remember(service, request_id, &response).await;
    response
}

/// The answer already given to this request id, if Alexa delivers it again.
async fn first_answer(service: &OrderService, request_id: &str) -> Option<ResponseEnvelope> {
    if request_id.is_empty() {
        return None;
    }
    match service.answer_given(request_id).await {
        Ok(Some(answer)) => match serde_json::from_str::<ResponseEnvelope>(&answer) {
            Ok(first) => {
                tracing::info!(request_id, "repeated request: the first answer is replayed");
                Some(first)
            }
            Err(error) => {
                tracing::warn!(%error, "a remembered answer is unreadable; answering afresh");
                None
            }
        },
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, "cannot check for a repeated request");
            None
        }
    }
}

/// Remembers the answer to this request id; if that fails, a repeat is answered afresh.
async fn remember(service: &OrderService, request_id: &str, response: &ResponseEnvelope) {
    if !request_id.is_empty()
        && let Ok(answer) = serde_json::to_string(response)
        && let Err(error) = service.remember_answer(request_id, &answer).await
    {
        tracing::warn!(%error, "cannot remember the answer to this request");
    }
}
