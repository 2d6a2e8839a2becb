//! The internal JSON API under `/pod/api` (an axum router served by `lambda_http`).
//!
//! Minimal in the walking skeleton: health and "my orders"; the full API has its own issue.

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pod_shared::domain::{Order, OrderId, UserId};
use pod_shared::ports::PageRequest;
use pod_shared::service::{OrderService, ServiceError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Where the API lives, in API Gateway and locally.
pub const PREFIX: &str = "/pod/api";

/// The API's routes under [`PREFIX`]; unknown paths under it answer a 404 problem.
pub fn router(service: OrderService) -> Router {
    let routes = Router::new()
        .route("/health", get(health))
        .route("/orders", get(list_orders))
        .route("/orders/{id}", get(get_order))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::new(service));
    Router::new().nest(PREFIX, routes)
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
}

impl Problem {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Self { kind: "about:blank", title, status: status.as_u16(), detail: detail.into() }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(&self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, "application/problem+json".parse().expect("static"));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
        }
        response
    }
}

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Unauthenticated(reason) => {
                Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized", reason.to_string())
            }
            ServiceError::OrderNotFound => Problem::new(StatusCode::NOT_FOUND, "Not Found", "no such order"),
            ServiceError::WrongState(state) => Problem::new(StatusCode::CONFLICT, "Conflict", state.to_string()),
            other => {
                tracing::error!(error = %other, "api request failed");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable", "please try again shortly")
            }
        }
    }
}

/// An order as the API shows it.
#[derive(Debug, Serialize)]
pub struct OrderView {
    id: String,
    size: &'static str,
    toppings: Vec<&'static str>,
    status: &'static str,
    created_at: String,
    updated_at: String,
    code_sent_to: String,
    code_expires_at: String,
    attempts_left: u32,
}

impl OrderView {
    fn of(order: &Order, now: pod_shared::domain::Timestamp) -> Self {
        Self {
            id: order.id.to_string(),
            size: order.pizza.size.name(),
            toppings: order.pizza.toppings.as_slice().iter().map(|t| t.name()).collect(),
            status: order.status_at(now).name(),
            created_at: order.created_at.to_rfc3339(),
            updated_at: order.updated_at.to_rfc3339(),
            code_sent_to: order.challenge.destination.to_string(),
            code_expires_at: order.challenge.expires_at.to_rfc3339(),
            attempts_left: order.challenge.attempts_left(),
        }
    }
}

#[derive(Debug, Serialize)]
struct OrderList {
    orders: Vec<OrderView>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

async fn user(service: &OrderService, headers: &HeaderMap) -> Result<UserId, Problem> {
    Ok(service.authenticate(bearer(headers)).await?)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "Not Found", "no such resource")
}

async fn list_orders(
    State(service): State<Arc<OrderService>>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OrderList>, Problem> {
    let user = user(&service, &headers).await?;
    let Query(query) = query.map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Bad Request", e.body_text()))?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=PageRequest::MAX_LIMIT).contains(&limit) {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "Bad Request", "limit: expected 1 to 100"));
    }
    let after =
        match query.cursor.as_deref() {
            None => None,
            Some(raw) => Some(raw.parse::<OrderId>().map_err(|_| {
                Problem::new(StatusCode::BAD_REQUEST, "Bad Request", "cursor: not a cursor from this API")
            })?),
        };
    let page = service.list_orders(&user, PageRequest { limit, after }).await?;
    let now = service.now();
    Ok(Json(OrderList {
        orders: page.orders.iter().map(|o| OrderView::of(o, now)).collect(),
        next_cursor: page.next.map(|id| id.to_string()),
    }))
}

async fn get_order(
    State(service): State<Arc<OrderService>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, Problem> {
    let user = user(&service, &headers).await?;
    let id: OrderId = id.parse().map_err(|_| Problem::new(StatusCode::NOT_FOUND, "Not Found", "no such order"))?;
    let order = service.get_order(&user, &id).await?;
    Ok(Json(OrderView::of(&order, service.now())))
}
