//! "Cancel my order": the pending one, after a yes ("cancel" alone means stop: `stop.rs`).
//! Asking reads the pending order; the yes cancels exactly that one, in one conditional write.

use crate::conversation::{self, Stage};
use crate::failure::{self, Doing};
use crate::speech;
use pod_shared::alexa::ResponseEnvelope;
use pod_shared::domain::{OrderId, UserId};
use pod_shared::service::OrderService;

/// Asks whether to cancel the pending order, naming it.
pub(crate) async fn ask(service: &OrderService, user: &UserId) -> ResponseEnvelope {
    match service.pending_order(user).await {
        Ok(Some(order)) => conversation::at(
            ResponseEnvelope::ask(speech::ask_cancel(&order), speech::ask_cancel_again()),
            &Stage::Cancel { order: order.id },
        ),
        Ok(None) => ResponseEnvelope::ask(speech::nothing_to_cancel(), speech::what_to_say()),
        Err(error) => {
            tracing::error!(%error, "pending order not read");
            ResponseEnvelope::tell(speech::status_failed())
        }
    }
}

/// Yes: cancels `order` if it is still the user's pending order.
pub(crate) async fn confirmed(service: &OrderService, user: &UserId, order: OrderId) -> ResponseEnvelope {
    match service.cancel_order(user, &order).await {
        Ok(order) => {
            tracing::info!(order_id = %order.id, "order cancelled by voice");
            ResponseEnvelope::tell(speech::cancelled(&order))
        }
        Err(error) => failure::answer(service, Doing::Cancelling, error),
    }
}
