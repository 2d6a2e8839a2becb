//! "What's the status of my order?": the latest order, with its state and when.

use crate::conversation::{self, Stage};
use crate::speech;
use pod_shared::alexa::ResponseEnvelope;
use pod_shared::domain::{OrderStatus, UserId};
use pod_shared::ports::PageRequest;
use pod_shared::service::OrderService;

pub(crate) async fn answer(service: &OrderService, user: &UserId) -> ResponseEnvelope {
    let latest = match service.list_orders(user, PageRequest::first(1)).await {
        Ok(page) => page.orders.into_iter().next(),
        Err(error) => {
            tracing::error!(%error, "order status not read");
            return ResponseEnvelope::tell(speech::status_failed());
        }
    };
    let now = service.now();
    match latest {
        None => ResponseEnvelope::ask(speech::no_orders(), speech::what_to_say()),
        Some(order) if order.status_at(now) == OrderStatus::PendingConfirmation => {
            conversation::at(ResponseEnvelope::ask(speech::order_status(&order, now), speech::ask_code()), &Stage::Code)
        }
        Some(order) => ResponseEnvelope::tell(speech::order_status(&order, now)),
    }
}
