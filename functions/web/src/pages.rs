//! The pages: home, policy, profile, orders (and their live fragment), one order,
//! and the error pages.

use crate::WebApp;
use crate::auth::{MaybeSignedIn, SignedIn};
use crate::views::{
    ErrorPage, HomePage, Link, Nav, OrderPage, OrderView, OrdersPage, OrdersTable, PolicyPage, ProfilePage,
    ProfileView, render,
};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pod_shared::domain::{OrderId, UserId};
use pod_shared::ports::PageRequest;
use pod_shared::service::ServiceError;
use serde::Deserialize;

/// Orders per page of "my orders".
const ORDERS_PER_PAGE: u32 = 20;

/// `GET /pod/app/`.
pub async fn home(signed_in: MaybeSignedIn) -> Response {
    render(StatusCode::OK, &HomePage { nav: signed_in.nav("home") })
}

/// `GET /pod/app/policy`: the account-linking privacy URL.
pub async fn policy(signed_in: MaybeSignedIn) -> Response {
    render(StatusCode::OK, &PolicyPage { nav: signed_in.nav("policy") })
}

/// `GET /pod/app/profile`: the contacts on file, masked.
pub async fn profile(State(app): State<WebApp>, SignedIn(session): SignedIn) -> Response {
    let nav = Nav::new("profile", Some(&session.csrf_token));
    match app.identity().profile(&session.user).await {
        Ok(profile) => render(StatusCode::OK, &ProfilePage { nav, profile: ProfileView::of(&profile) }),
        Err(error) => {
            tracing::error!(%error, "profile unavailable");
            unavailable(nav)
        }
    }
}

#[derive(Deserialize)]
pub struct OrdersQuery {
    after: Option<String>,
}

/// `GET /pod/app/orders`: the user's orders, newest first, twenty a page.
/// The newest page updates itself (see `static/live.js`).
pub async fn orders(
    State(app): State<WebApp>,
    SignedIn(session): SignedIn,
    query: Result<Query<OrdersQuery>, QueryRejection>,
) -> Response {
    let nav = Nav::new("orders", Some(&session.csrf_token));
    let after = match query.map(|Query(q)| q.after.map(|raw| raw.parse::<OrderId>())) {
        Ok(None) => None,
        Ok(Some(Ok(id))) => Some(id),
        Ok(Some(Err(_))) | Err(_) => return bad_page_link(nav),
    };
    match orders_table(&app, &session.user, after).await {
        Ok((table, next)) => {
            let older = next.map(|id| format!("{}/orders?after={id}", crate::PREFIX));
            render(StatusCode::OK, &OrdersPage { nav, table, older, live: after.is_none() })
        }
        Err(error) => service_failure(nav, error),
    }
}

/// `GET /pod/app/orders/live`: the newest orders' table alone, for the orders
/// page's script; 401 without a session (the script then stops and says so).
pub async fn live_orders(State(app): State<WebApp>, MaybeSignedIn(session): MaybeSignedIn) -> Response {
    let Some(session) = session else {
        return (StatusCode::UNAUTHORIZED, "Signed out.").into_response();
    };
    match orders_table(&app, &session.user, None).await {
        Ok((table, _)) => render(StatusCode::OK, &table),
        Err(error) => {
            tracing::error!(%error, "live orders unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "Orders are unavailable right now.").into_response()
        }
    }
}

/// One page of the user's orders as a table, and the cursor of the next page.
async fn orders_table(
    app: &WebApp,
    user: &UserId,
    after: Option<OrderId>,
) -> Result<(OrdersTable, Option<OrderId>), ServiceError> {
    let page = app.service().list_orders(user, PageRequest { after, ..PageRequest::first(ORDERS_PER_PAGE) }).await?;
    let now = app.service().now();
    let rows = page.orders.iter().map(|order| OrderView::of(order, now)).collect();
    Ok((OrdersTable { rows }, page.next))
}

/// `GET /pod/app/orders/{id}`: one of the user's orders; anyone else's, or none, is the same 404.
pub async fn order(State(app): State<WebApp>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Response {
    let nav = Nav::new("orders", Some(&session.csrf_token));
    let Ok(id) = id.parse::<OrderId>() else { return not_found_page(nav) };
    match app.service().get_order(&session.user, &id).await {
        Ok(order) => render(StatusCode::OK, &OrderPage { nav, order: OrderView::of(&order, app.service().now()) }),
        Err(error) => service_failure(nav, error),
    }
}

/// Unknown paths under `/pod/app`.
pub async fn not_found(signed_in: MaybeSignedIn) -> Response {
    not_found_page(signed_in.nav(""))
}

/// A known path asked for with the wrong method (e.g. `GET /pod/app/logout`).
pub async fn method_not_allowed(signed_in: MaybeSignedIn) -> Response {
    let message = "This page cannot be used that way.".to_string();
    error_page(StatusCode::METHOD_NOT_ALLOWED, signed_in.nav(""), "Not allowed", message, Some(home_link()))
}

pub fn not_found_page(nav: Nav) -> Response {
    let message = "There is no such page, or it is not yours to see.".to_string();
    error_page(StatusCode::NOT_FOUND, nav, "Not found", message, Some(home_link()))
}

fn bad_page_link(nav: Nav) -> Response {
    let next = Some(Link::new(format!("{}/orders", crate::PREFIX), "Your newest orders"));
    error_page(StatusCode::BAD_REQUEST, nav, "Bad link", "This page link is not valid.".into(), next)
}

fn service_failure(nav: Nav, error: ServiceError) -> Response {
    match error {
        ServiceError::OrderNotFound => not_found_page(nav),
        other => {
            tracing::error!(error = %other, "page unavailable");
            unavailable(nav)
        }
    }
}

fn unavailable(nav: Nav) -> Response {
    let message = "Pod cannot reach this information right now. Try again shortly.".to_string();
    error_page(StatusCode::SERVICE_UNAVAILABLE, nav, "Temporarily unavailable", message, None)
}

fn home_link() -> Link {
    Link::new(format!("{}/", crate::PREFIX), "Go to the home page")
}

/// A page saying what went wrong, with a way on.
pub fn error_page(status: StatusCode, nav: Nav, title: &'static str, message: String, next: Option<Link>) -> Response {
    render(status, &ErrorPage { nav, title, message, next })
}
