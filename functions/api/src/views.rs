//! How the API shows orders.

use pod_shared::domain::{ActivityEvent, ActivityKind, Order, Timestamp};
use pod_shared::ports::{ActivityPage, OrderPage};
use pod_shared::service::PlacedOrder;
use serde::Serialize;

/// An order, as `openapi.json` describes it.
#[derive(Debug, Serialize)]
pub struct OrderView {
    pub id: String,
    pub size: &'static str,
    pub toppings: Vec<&'static str>,
    /// `pending`, `confirmed`, `cancelled`, `expired` or `locked` (a pending order past its code's expiry reads `expired`).
    pub status: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub confirmation: ConfirmationView,
}

/// Where the order's code went, masked, and how long it lives.
#[derive(Debug, Serialize)]
pub struct ConfirmationView {
    pub channel: &'static str,
    pub sent_to: String,
    pub sent_at: String,
    pub expires_at: String,
    pub attempts_left: u32,
}

impl OrderView {
    pub fn of(order: &Order, now: Timestamp) -> Self {
        let challenge = &order.challenge;
        Self {
            id: order.id.to_string(),
            size: order.pizza.size.name(),
            toppings: order.pizza.toppings.as_slice().iter().map(|t| t.name()).collect(),
            status: order.status_at(now).name(),
            created_at: order.created_at.to_rfc3339(),
            updated_at: order.updated_at.to_rfc3339(),
            confirmation: ConfirmationView {
                channel: challenge.channel.connection(),
                sent_to: challenge.destination.to_string(),
                sent_at: challenge.sent_at.to_rfc3339(),
                expires_at: challenge.expires_at.to_rfc3339(),
                attempts_left: challenge.attempts_left(),
            },
        }
    }
}

/// The answer to `POST /orders`: the new order, and the pending order it replaced.
#[derive(Debug, Serialize)]
pub struct CreatedOrder {
    #[serde(flatten)]
    pub order: OrderView,
    pub superseded_order_id: Option<String>,
}

impl CreatedOrder {
    pub fn of(placed: &PlacedOrder, now: Timestamp) -> Self {
        Self {
            order: OrderView::of(&placed.order, now),
            superseded_order_id: placed.superseded.map(|id| id.to_string()),
        }
    }
}

/// One page of orders, newest first.
#[derive(Debug, Serialize)]
pub struct OrderList {
    pub orders: Vec<OrderView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl OrderList {
    pub fn of(page: &OrderPage, now: Timestamp) -> Self {
        Self {
            orders: page.orders.iter().map(|o| OrderView::of(o, now)).collect(),
            next_cursor: page.next.map(|id| id.to_string()),
        }
    }
}

/// One entry of the caller's activity record, as `openapi.json` describes it.
#[derive(Debug, Serialize)]
pub struct ActivityView {
    pub id: String,
    pub at: String,
    /// `voice`, `api` or `web`.
    pub source: &'static str,
    /// `code_sent`, `wrong_code`, `confirmed`, `order_locked`, `voice_ordering_paused`, …
    pub kind: &'static str,
    /// What happened, in words (masked contacts only).
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Where a code went, masked (`code_sent`), or the contact now verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<String>,
    /// Until when ordering is paused (`voice_ordering_paused`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl ActivityView {
    pub fn of(event: &ActivityEvent) -> Self {
        let (sent_to, until) = match &event.what {
            ActivityKind::CodeSent { to, .. } | ActivityKind::ContactVerified { to } => (Some(to.to_string()), None),
            ActivityKind::ContactChanged { to, .. } => (Some(to.to_string()), None),
            ActivityKind::VoiceOrderingPaused { until } => (None, Some(until.to_rfc3339())),
            _ => (None, None),
        };
        Self {
            id: event.id.to_string(),
            at: event.at.to_rfc3339(),
            source: event.source.name(),
            kind: event.what.name(),
            description: event.what.describe(),
            order_id: event.order_id.map(|id| id.to_string()),
            sent_to,
            until,
        }
    }
}

/// One page of the caller's activity, newest first.
#[derive(Debug, Serialize)]
pub struct ActivityList {
    pub activity: Vec<ActivityView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl ActivityList {
    pub fn of(page: &ActivityPage) -> Self {
        Self {
            activity: page.events.iter().map(ActivityView::of).collect(),
            next_cursor: page.next.map(|id| id.to_string()),
        }
    }
}
