//! The web app under `/pod/app` (an axum router served by `lambda_http`).
//!
//! Minimal in the walking skeleton: the home page and the privacy policy
//! (the account-linking privacy URL). Login and "my orders" have their own issue.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;

/// Where the web app lives, in API Gateway and locally.
pub const PREFIX: &str = "/pod/app";

/// The web app's pages under [`PREFIX`]; unknown paths under it answer a 404 page.
pub fn router() -> Router {
    let pages = Router::new()
        .route("/", get(|| async { Redirect::permanent("/pod/app/") }))
        .route("/policy", get(policy))
        .fallback(not_found);
    Router::new().route("/pod/app/", get(home)).nest(PREFIX, pages)
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Pizza on Demand</title></head>\
         <body><header><a href=\"/pod/app/\">Pizza on Demand</a></header><main>{body}</main></body></html>"
    ))
}

async fn home() -> Html<String> {
    page(
        "Home",
        "<h1>Pizza on Demand</h1>\
         <p>Order pizza with your voice, safely. Pod sends a one-time code to your phone or email; \
         you say the code back to Alexa to confirm, so nobody near your speaker can order for you.</p>\
         <h2>Link the skill</h2><ol><li>Open the Alexa app and enable the <em>Pizza on Demand</em> skill.</li>\
         <li>Sign in when asked, to link your account.</li>\
         <li>Say: <q>Alexa, ask pizza on demand to get me a large pizza with pepperoni</q>.</li>\
         <li>Say the code you receive: <q>authorize order four two one seven</q>.</li></ol>\
         <p><a href=\"/pod/app/policy\">Privacy policy</a></p>",
    )
}

async fn policy() -> Html<String> {
    page(
        "Privacy policy",
        "<h1>Privacy policy</h1>\
         <p>Pizza on Demand keeps your orders (size, toppings, status and times) and uses the email address \
         and phone number in your account only to send you one-time confirmation codes. Codes are checked by \
         our identity provider and are never stored or logged by Pod. Where we show or log a contact, we show \
         only the last two digits of a phone number or the first letter and domain of an email address.</p>\
         <p>We do not sell or share your data. Unlink the skill in the Alexa app at any time.</p>",
    )
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, page("Not found", "<h1>Not found</h1><p><a href=\"/pod/app/\">Home</a></p>"))
}
