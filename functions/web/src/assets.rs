//! The style sheet and the orders pages' script, compiled into the binary and
//! served from `/pod/app/static/…` (no CDN, no build step).

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// How long browsers may reuse an asset without asking again.
const ASSET_CACHE_CONTROL: &str = "public, max-age=300";

/// `GET /pod/app/static/{file}`.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (content_type, body) = match file.as_str() {
        "pod.css" => ("text/css; charset=utf-8", include_str!("../static/pod.css")),
        "orders.js" => ("text/javascript; charset=utf-8", include_str!("../static/orders.js")),
        _ => return crate::pages::not_found_page(crate::views::Nav::new("", None)),
    };
    ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, ASSET_CACHE_CONTROL)], body).into_response()
}
