//! The pages: home, policy, profile, orders (and their live fragment), one order,
//! activity, security (and its unlock form), and the error pages.

use crate::WebApp;
use crate::auth::{CsrfForm, FormCheck, MaybeSignedIn, SignedIn, sign_in_then};
use crate::views::{
    ActivityPage, ActivityRow, ErrorPage, HomePage, Link, Nav, OrderPage, OrderView, OrdersPage, OrdersTable,
    PolicyPage, ProfilePage, ProfileView, SecurityPage, VoiceOrderingView, render,
};
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use pod_shared::domain::{ActivityId, BudgetState, OrderId, Source, UserId};
use pod_shared::ports::PageRequest;
use pod_shared::service::ServiceError;
use serde::Deserialize;
use std::str::FromStr;

/// Orders per page of "my orders".
const ORDERS_PER_PAGE: u32 = 20;
/// Entries per page of the activity record.
const ACTIVITY_PER_PAGE: u32 = 20;
/// The security page, where the unlock form sends the browser back to.
const SECURITY_PATH: &str = "/pod/app/security";

/// `GET /pod/app/`.
pub async fn home(signed_in: MaybeSignedIn) -> Response {
    render(StatusCode::OK, &HomePage { nav: signed_in.nav("home") })
}

/// `GET /pod/app/policy`: the account-linking privacy URL.
pub async fn policy(signed_in: MaybeSignedIn) -> Response {
    render(StatusCode::OK, &PolicyPage { nav: signed_in.nav("policy") })
}

/// `GET /pod/app/profile`: the contacts on file and the phone verified with Pod, masked.
pub async fn profile(State(app): State<WebApp>, SignedIn(session): SignedIn) -> Response {
    let nav = Nav::new("profile", Some(&session.csrf_token));
    match app.service().user_profile(&session.user).await {
        Ok(profile) => render(StatusCode::OK, &ProfilePage { nav, profile: ProfileView::of(&profile) }),
        Err(error) => {
            tracing::error!(%error, "profile unavailable");
            unavailable(nav)
        }
    }
}

/// A paged list's query: `?after=<cursor>` for the page after that entry.
#[derive(Deserialize)]
pub struct PageQuery {
    after: Option<String>,
}

/// The cursor in a page's query: `Ok(None)` for the first page, `Err` for a link that is not valid.
fn cursor<T: FromStr>(query: Result<Query<PageQuery>, QueryRejection>) -> Result<Option<T>, ()> {
    match query.map(|Query(q)| q.after.map(|raw| raw.parse::<T>())) {
        Ok(None) => Ok(None),
        Ok(Some(Ok(id))) => Ok(Some(id)),
        Ok(Some(Err(_))) | Err(_) => Err(()),
    }
}

/// `GET /pod/app/orders`: the user's orders, newest first, twenty a page.
/// The newest page updates itself (see `static/live.js`).
pub async fn orders(
    State(app): State<WebApp>,
    SignedIn(session): SignedIn,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let nav = Nav::new("orders", Some(&session.csrf_token));
    let Ok(after) = cursor::<OrderId>(query) else {
        return bad_page_link(nav, Link::new(format!("{}/orders", crate::PREFIX), "Your newest orders"));
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

/// `GET /pod/app/activity`: the user's record of step-ups, newest first, twenty a page.
pub async fn activity(
    State(app): State<WebApp>,
    SignedIn(session): SignedIn,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let nav = Nav::new("activity", Some(&session.csrf_token));
    let Ok(after) = cursor::<ActivityId>(query) else {
        return bad_page_link(nav, Link::new(format!("{}/activity", crate::PREFIX), "Your newest activity"));
    };
    match app.service().activity(&session.user, ACTIVITY_PER_PAGE, after).await {
        Ok(page) => {
            let rows = page.events.iter().map(ActivityRow::of).collect();
            let older = page.next.map(|id| format!("{}/activity?after={id}", crate::PREFIX));
            render(StatusCode::OK, &ActivityPage { nav, rows, older, newest: after.is_none() })
        }
        Err(error) => service_failure(nav, error),
    }
}

/// `GET /pod/app/security`: whether voice ordering is open, paused or locked, and
/// the form that unlocks it when it is not open.
pub async fn security(State(app): State<WebApp>, SignedIn(session): SignedIn) -> Response {
    let nav = Nav::new("security", Some(&session.csrf_token));
    match voice_ordering(&app, &session.user).await {
        Ok(state) => {
            let voice = VoiceOrderingView::of(state, app.service().budget_policy());
            render(StatusCode::OK, &SecurityPage { nav, voice })
        }
        Err(error) => service_failure(nav, error),
    }
}

/// Where the user's voice ordering stands now.
async fn voice_ordering(app: &WebApp, user: &UserId) -> Result<BudgetState, ServiceError> {
    Ok(app.service().guess_budget(user).await?.state_at(app.service().now()))
}

/// `POST /pod/app/security/unlock`: the signed-in owner unlocks voice ordering, if
/// the form carries the session's token (and, when the browser says where the form
/// came from, that is this web app). Back to the security page either way it went.
/// Open voice ordering is left as it is (nothing to unlock, nothing recorded).
pub async fn unlock(
    State(app): State<WebApp>,
    signed_in: MaybeSignedIn,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    // Without a session, sign in and come back to the page the form is on.
    let Some(session) = signed_in.0 else { return sign_in_then(SECURITY_PATH).into_response() };
    let nav = Nav::new("security", Some(&session.csrf_token));
    let check = FormCheck::of(&app, &session, &headers, &form);
    if !check.passed() {
        tracing::warn!(same_origin = check.same_origin, token_matches = check.token_matches, "unlock refused");
        let message = "This unlock request did not come from Pod's own page, so nothing changed. \
                       Use the Unlock voice ordering button on the Security page."
            .to_string();
        let back = Link::new(SECURITY_PATH.to_string(), "Go to the Security page");
        return error_page(StatusCode::FORBIDDEN, nav, "Unlock refused", message, Some(back));
    }
    let unlocked = match voice_ordering(&app, &session.user).await {
        Ok(BudgetState::Open { .. }) => Ok(()),
        Ok(BudgetState::Paused { .. } | BudgetState::Locked { .. }) => {
            app.service().unlock_voice_ordering(&session.user, Source::Web).await.map(|_| ())
        }
        Err(error) => Err(error),
    };
    match unlocked {
        Ok(()) => Redirect::to(SECURITY_PATH).into_response(),
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

/// A paged list's `?after=` that is not one of its cursors; `newest` leads to the first page.
fn bad_page_link(nav: Nav, newest: Link) -> Response {
    error_page(StatusCode::BAD_REQUEST, nav, "Bad link", "This page link is not valid.".into(), Some(newest))
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
