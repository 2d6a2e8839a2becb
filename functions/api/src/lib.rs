//! The internal JSON API under `/pod/api` (an axum router served by `lambda_http`).
//!
//! Bearer access tokens (validated like the skill's), the same use cases as the
//! skill, errors as `application/problem+json`. The contract is `openapi.json`
//! beside this crate, served at `/pod/api/openapi.json`.

mod body;
mod problem;
mod views;

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, MatchedPath, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use pod_shared::domain::{ActivityId, Currency, IfWrong, Menu, OrderId, Source, UserId};
use pod_shared::metrics::{self, Metrics, Outcome};
use pod_shared::ports::PageRequest;
use pod_shared::service::{AuthorizeOutcome, OrderService};
use serde::Deserialize;
use std::sync::Arc;

use body::{ConfirmationBody, NewOrderBody};
pub use problem::{Problem, UNAUTHORIZED_DETAIL};
pub use views::{ActivityList, CreatedOrder, MenuView, OrderList, OrderView, TotalView};

/// Where the API lives, in API Gateway and locally.
pub const PREFIX: &str = "/pod/api";
/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The OpenAPI 3.1 document describing this API.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");
const DEFAULT_PAGE_SIZE: u32 = 20;

/// [`router`], each request's metrics emitted through `metrics` (`Intent`: method and route).
pub fn router_with_metrics(service: OrderService, metrics: Metrics) -> Router {
    router(service).layer(axum::middleware::from_fn_with_state(metrics, measured))
}

async fn measured(
    State(metrics): State<Metrics>,
    route: Option<MatchedPath>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let operation = metrics::http_operation(request.method().as_str(), route.as_ref().map(MatchedPath::as_str));
    metrics.measure(metrics::FUNCTION_API, &operation, next.run(request)).await
}

/// The API's routes under [`PREFIX`]; unknown paths under it answer a 404 problem.
pub fn router(service: OrderService) -> Router {
    let routes = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .route("/menu", get(menu))
        .route("/orders", get(list_orders).post(create_order))
        .route("/orders/{id}", get(get_order))
        .route("/orders/{id}/confirm", post(confirm_order))
        .route("/orders/{id}/cancel", post(cancel_order))
        .route("/activity", get(list_activity))
        .route("/me", delete(erase_me))
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        .fallback(|| async { Problem::not_found() })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::new(service));
    Router::new().nest(PREFIX, routes)
}

type Api = State<Arc<OrderService>>;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// The signed-in caller, from the bearer token; a missing or refused token is the 401 problem.
/// Extracted before the body, so a bad token is reported before a bad body, as before.
struct Caller(UserId);

impl FromRequestParts<Arc<OrderService>> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, service: &Arc<OrderService>) -> Result<Self, Problem> {
        Ok(Caller(service.authenticate(bearer(&parts.headers)).await?))
    }
}

/// An id in the path; a malformed one is as unknown as a missing one.
fn order_id(raw: &str) -> Result<OrderId, Problem> {
    raw.parse().map_err(|_| Problem::order_not_found())
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], OPENAPI_JSON).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MenuQuery {
    currency: Option<String>,
}

/// The menu with its prices in one currency (`?currency=USD|GBP|CAD|AUD|INR|EUR`, USD without it). Public, as a
/// pizzeria's menu is: it holds nothing of anyone's.
async fn menu(query: Result<Query<MenuQuery>, QueryRejection>) -> Result<Json<MenuView>, Problem> {
    let Query(query) = query.map_err(|e| Problem::invalid_query("query", e.body_text()))?;
    let currency = match query.currency.as_deref() {
        None => Currency::DEFAULT,
        Some(raw) => Currency::parse(raw).map_err(|e| Problem::invalid_query("currency", e.to_string()))?,
    };
    Ok(Json(MenuView::of(Menu::builtin(), currency)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

async fn list_orders(
    State(service): Api,
    Caller(user): Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<OrderList>, Problem> {
    let Query(query) = query.map_err(|e| Problem::invalid_query("query", e.body_text()))?;
    let limit = page_limit(query.limit.as_deref())?;
    let after = match query.cursor.as_deref() {
        None => None,
        Some(raw) => {
            Some(raw.parse::<OrderId>().map_err(|_| Problem::invalid_query("cursor", "not a cursor from this API"))?)
        }
    };
    let page = service.list_orders(&user, PageRequest { limit, after }).await?;
    Ok(Json(OrderList::of(&page, service.now())))
}

async fn get_order(
    State(service): Api,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, Problem> {
    let order = service.get_order(&user, &order_id(&id)?).await?;
    Ok(Json(OrderView::of(&order, service.now())))
}

async fn create_order(
    State(service): Api,
    Caller(user): Caller,
    NewOrderBody(pizza, currency): NewOrderBody,
) -> Result<Response, Problem> {
    let placed = service
        .place_priced_order(&user, pizza, currency, Source::Api)
        .await
        .map_err(|e| Problem::of_service_error(e, service.now()))?;
    let location = format!("{PREFIX}/orders/{}", placed.order.id);
    let created = CreatedOrder::of(&placed, service.now());
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn confirm_order(
    State(service): Api,
    Caller(user): Caller,
    Path(id): Path<String>,
    body: Result<ConfirmationBody, Problem>,
) -> Result<Json<OrderView>, Problem> {
    // An unknown id is reported before a bad body, as it always was.
    let id = order_id(&id)?;
    let ConfirmationBody(code) = body?;
    let now = service.now();
    let outcome = service.authorize_order(&user, &id, &code, Source::Api).await;
    let outcome = outcome.map_err(|e| Problem::of_service_error(e, now))?;
    metrics::note_outcome(Outcome::of_check(&outcome));
    match outcome {
        AuthorizeOutcome::Confirmed(order) => Ok(Json(OrderView::of(&order, service.now()))),
        AuthorizeOutcome::WrongCode { account: IfWrong::Paused { until, .. }, .. }
        | AuthorizeOutcome::Locked { account: IfWrong::Paused { until, .. }, .. } => {
            Err(Problem::paused(now.seconds_until(until).max(1), true))
        }
        AuthorizeOutcome::WrongCode { account: IfWrong::Locked, .. }
        | AuthorizeOutcome::Locked { account: IfWrong::Locked, .. } => Err(Problem::account_locked(true)),
        AuthorizeOutcome::WrongCode { tries_left, .. } => Err(Problem::wrong_code(tries_left)),
        AuthorizeOutcome::Locked { .. } => Err(Problem::locked()),
        AuthorizeOutcome::Expired(_) => Err(Problem::expired()),
        AuthorizeOutcome::NoPendingOrder => Err(Problem::order_not_found()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /activity`: the caller's record of step-ups, newest first.
async fn list_activity(
    State(service): Api,
    Caller(user): Caller,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Result<Json<ActivityList>, Problem> {
    let Query(query) = query.map_err(|e| Problem::invalid_query("query", e.body_text()))?;
    let limit = page_limit(query.limit.as_deref())?;
    let after = match query.cursor.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<ActivityId>().map_err(|_| Problem::invalid_query("cursor", "not a cursor from this API"))?,
        ),
    };
    let page = service.activity(&user, limit, after).await?;
    Ok(Json(ActivityList::of(&page)))
}

/// `DELETE /me`: erases everything Pod holds about the caller (the right to erasure), keeping
/// only the entry that says when. 204 whether or not anything was left: it is idempotent.
async fn erase_me(State(service): Api, Caller(user): Caller) -> Result<StatusCode, Problem> {
    service.erase_user_data(&user, Source::Api).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `limit` of a list: 1 to [`PageRequest::MAX_LIMIT`], [`DEFAULT_PAGE_SIZE`] when absent.
fn page_limit(raw: Option<&str>) -> Result<u32, Problem> {
    match raw {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=PageRequest::MAX_LIMIT).contains(n))
            .ok_or_else(|| Problem::invalid_query("limit", format!("expected 1 to {}", PageRequest::MAX_LIMIT))),
    }
}

async fn cancel_order(
    State(service): Api,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, Problem> {
    let order = service.cancel_order(&user, &order_id(&id)?).await?;
    Ok(Json(OrderView::of(&order, service.now())))
}
