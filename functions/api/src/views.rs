//! How the API shows orders.

use pod_shared::domain::{ActivityEvent, ActivityKind, Bill, Currency, LineItem, Menu, Money, Order, Timestamp};
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
    /// What the order costs, as the payer was told; `null` for an order placed before orders had prices.
    pub total: Option<TotalView>,
}

/// An amount: minor units (cents, pence) of a currency, and as people write it.
#[derive(Debug, Serialize)]
pub struct AmountView {
    pub amount: u64,
    pub currency: &'static str,
    /// "$17.50", "£14.00".
    pub formatted: String,
}

impl AmountView {
    pub fn of(money: Money) -> Self {
        Self { amount: money.minor, currency: money.currency.code(), formatted: money.written() }
    }
}

/// An order's total, its payee and its lines.
#[derive(Debug, Serialize)]
pub struct TotalView {
    #[serde(flatten)]
    pub total: AmountView,
    pub payee: String,
    pub lines: Vec<LineView>,
}

/// One line of a bill: the pizza at its size's price, or a topping.
#[derive(Debug, Serialize)]
pub struct LineView {
    /// `pizza` or `topping`.
    pub kind: &'static str,
    /// The size (for the pizza) or the topping.
    pub item: &'static str,
    /// "large pizza", "pepperoni".
    pub description: String,
    pub amount: u64,
    pub formatted: String,
}

impl TotalView {
    pub fn of(bill: &Bill) -> Self {
        Self {
            total: AmountView::of(bill.total()),
            payee: bill.payee().to_string(),
            lines: bill
                .priced_lines()
                .map(|(line, price)| {
                    let (kind, item) = match line {
                        LineItem::Pizza { size, .. } => ("pizza", size.name()),
                        LineItem::Topping { topping, .. } => ("topping", topping.name()),
                    };
                    LineView {
                        kind,
                        item,
                        description: line.description(),
                        amount: price.minor,
                        formatted: price.written(),
                    }
                })
                .collect(),
        }
    }
}

/// The menu in one currency, as `GET /menu` answers.
#[derive(Debug, Serialize)]
pub struct MenuView {
    pub payee: String,
    pub currency: &'static str,
    pub sizes: Vec<MenuItemView>,
    pub toppings: Vec<MenuItemView>,
}

#[derive(Debug, Serialize)]
pub struct MenuItemView {
    pub name: &'static str,
    #[serde(flatten)]
    pub price: AmountView,
}

impl MenuView {
    pub fn of(menu: &Menu, currency: Currency) -> Self {
        Self {
            payee: menu.payee().to_string(),
            currency: currency.code(),
            sizes: menu
                .sizes()
                .map(|size| MenuItemView { name: size.name(), price: AmountView::of(menu.size_price(size, currency)) })
                .collect(),
            toppings: menu
                .toppings()
                .map(|topping| MenuItemView {
                    name: topping.name(),
                    price: AmountView::of(menu.topping_price(topping, currency)),
                })
                .collect(),
        }
    }
}

/// Where the order's code went, masked, and how long it lives.
#[derive(Debug, Serialize)]
pub struct ConfirmationView {
    pub channel: &'static str,
    pub sent_to: String,
    pub sent_at: String,
    pub expires_at: String,
    pub attempts_left: u32,
    /// What confirms the order: `code`, or `voice_pin` (Alexa's; no code was sent for it).
    pub by: &'static str,
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
                by: challenge.confirm_by.name(),
                channel: challenge.channel.connection(),
                sent_to: challenge.destination.to_string(),
                sent_at: challenge.sent_at.to_rfc3339(),
                expires_at: challenge.expires_at.to_rfc3339(),
                attempts_left: challenge.attempts_left(),
            },
            total: order.bill.as_ref().map(TotalView::of),
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
