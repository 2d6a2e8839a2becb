//! The pages: home, policy, profile, orders (and their live fragment), one order,
//! activity, security (its unlock form and the phone enrollment forms), and the error pages.

use crate::WebApp;
use crate::auth::{CsrfForm, FormCheck, MaybeSignedIn, SignedIn, sign_in_then};
use crate::session::Session;
use crate::views::{
    ActivityPage, ActivityRow, ContactFeedback, ContactNote, ContactView, ErasePage, ErasedPage, ErrorPage, HomePage,
    Link, Nav, OrderPage, OrderView, OrdersPage, OrdersTable, PolicyPage, ProfilePage, ProfileView, SecurityPage,
    TimeView, VoiceOrderingView, render, t, ta,
};
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use pod_shared::domain::{
    ActivityId, Blocked, BudgetState, Code, EnrollmentError, IfWrong, OrderId, PhoneNumber, Source, UserId,
};
use pod_shared::i18n::Arg;
use pod_shared::metrics::{self, Outcome};
use pod_shared::ports::PageRequest;
use pod_shared::service::{EnrollmentOutcome, ServiceError};
use serde::Deserialize;
use std::str::FromStr;

/// Orders per page of "my orders".
const ORDERS_PER_PAGE: u32 = 20;
/// Entries per page of the activity record.
const ACTIVITY_PER_PAGE: u32 = 20;
/// The security page, where its forms send the browser back to.
const SECURITY_PATH: &str = "/pod/app/security";
/// Where the enrollment forms send the browser back to: the Security page at "Where codes go".
const CONTACT_PATH: &str = "/pod/app/security#contact";
/// The largest form body the web app reads (its forms send well under 1 KiB); larger is a 413.
pub const MAX_FORM_BYTES: usize = 4 * 1024;

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
            metrics::note_outcome(Outcome::of_error(&error));
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
        return bad_page_link(nav, Link::new(format!("{}/orders", crate::PREFIX), "web-link-newest-orders"));
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
        return (StatusCode::UNAUTHORIZED, t("web-live-signed-out")).into_response();
    };
    match orders_table(&app, &session.user, None).await {
        Ok((table, _)) => render(StatusCode::OK, &table),
        Err(error) => {
            metrics::note_outcome(Outcome::of_error(&error));
            tracing::error!(%error, "live orders unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, t("web-live-unavailable")).into_response()
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
        return bad_page_link(nav, Link::new(format!("{}/activity", crate::PREFIX), "web-link-newest-activity"));
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

/// The Security page's query: `?note=<key>`, a one-shot message after a redirect
/// (one of [`ContactNote`]'s keys; anything else is ignored).
#[derive(Deserialize)]
pub struct SecurityQuery {
    note: Option<String>,
}

/// `GET /pod/app/security`: whether voice ordering is open, paused or locked, and
/// the form that unlocks it when it is not open; where codes go, and the forms that
/// verify a phone number for them.
pub async fn security(
    State(app): State<WebApp>,
    SignedIn(session): SignedIn,
    query: Result<Query<SecurityQuery>, QueryRejection>,
) -> Response {
    let note = query.ok().and_then(|Query(q)| q.note).and_then(|key| ContactNote::from_key(&key));
    security_page(&app, &session, StatusCode::OK, note, None).await
}

/// The Security page as it stands now, with `status`, the redirect's `note` and the
/// answer to the form just sent.
async fn security_page(
    app: &WebApp,
    session: &Session,
    status: StatusCode,
    note: Option<ContactNote>,
    feedback: Option<ContactFeedback>,
) -> Response {
    let nav = security_nav(session);
    let user = &session.user;
    let service = app.service();
    let (voice, profile, pending) =
        tokio::join!(voice_ordering(app, user), service.user_profile(user), service.pending_enrollment(user));
    let loaded = voice.and_then(|voice| Ok((voice, profile?, pending?)));
    match loaded {
        Ok((state, profile, pending)) => {
            let voice = VoiceOrderingView::of(state, service.budget_policy());
            let contact = ContactView::of(&profile, pending.as_ref(), service.now(), note, feedback);
            render(status, &SecurityPage { nav, voice, contact })
        }
        Err(error) => service_failure(nav, error),
    }
}

fn security_nav(session: &Session) -> Nav {
    Nav::new("security", Some(&session.csrf_token))
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
        let back = Link::new(SECURITY_PATH.to_string(), "web-link-security");
        let message = t("web-error-unlock-refused");
        return error_page(StatusCode::FORBIDDEN, nav, "web-error-unlock-refused-title", message, Some(back));
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

/// `GET /pod/app/security/erase`: the erasure's confirmation step, which says what goes.
pub async fn erase(SignedIn(session): SignedIn) -> Response {
    render(StatusCode::OK, &ErasePage { nav: Nav::new("security", Some(&session.csrf_token)) })
}

/// `POST /pod/app/security/erase`: deletes everything Pod keeps about the signed-in user
/// (their web sessions too, so this one ends: the cookie goes as well) if the form carries
/// the session's token (and, when the browser says where it came from, that is this web
/// app), then says it is done. Deleting again finds nothing left and says the same.
pub async fn erase_confirmed(
    State(app): State<WebApp>,
    jar: axum_extra::extract::cookie::PrivateCookieJar,
    signed_in: MaybeSignedIn,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    const ERASE_PATH: &str = "/pod/app/security/erase";
    let Some(session) = signed_in.0 else { return sign_in_then(ERASE_PATH).into_response() };
    let nav = security_nav(&session);
    let check = FormCheck::of(&app, &session, &headers, &form);
    if !check.passed() {
        tracing::warn!(same_origin = check.same_origin, token_matches = check.token_matches, "erasure refused");
        let back = Link::new(ERASE_PATH.to_string(), "web-link-erase");
        let message = t("web-error-erase-refused");
        return error_page(StatusCode::FORBIDDEN, nav, "web-error-request-refused-title", message, Some(back));
    }
    match app.service().erase_user_data(&session.user, Source::Web).await {
        Ok(report) => {
            let page = render(StatusCode::OK, &ErasedPage { nav: Nav::new("", None), deleted: report.deleted });
            (app.cookies().without_session(jar), page).into_response()
        }
        Err(error) => service_failure(nav, error),
    }
}

/// The phone enrollment form: the session's token and the number to verify.
#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    phone: String,
}

/// The enrollment code form: the session's token and the code sent to the phone.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

/// `POST /pod/app/security/phone`: sends a code to the number typed, which takes codes
/// once that code comes back (`/security/phone/confirm`); then back to the Security page
/// at "Where codes go", which shows the number waiting for its code. CSRF- and Origin-checked like unlocking.
/// A number that is not one is the Security page again (400), with nothing sent or stored.
pub async fn start_enrollment(
    State(app): State<WebApp>,
    signed_in: MaybeSignedIn,
    headers: HeaderMap,
    form: Result<Form<PhoneForm>, FormRejection>,
) -> Response {
    let Some(session) = signed_in.0 else { return sign_in_then(SECURITY_PATH).into_response() };
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(security_nav(&session), &rejection),
    };
    if let Some(refused) = refuse_foreign_form(&app, &session, &headers, &form.csrf_token, Step::Send) {
        return refused;
    }
    let phone = match parse_phone(&form.phone) {
        Ok(phone) => phone,
        Err(message) => {
            let feedback = Some(ContactFeedback::Phone(message));
            return security_page(&app, &session, StatusCode::BAD_REQUEST, None, feedback).await;
        }
    };
    let started = app.service().start_phone_enrollment(&session.user, phone.clone(), Source::Web).await;
    match started {
        Ok(_) => Redirect::to(CONTACT_PATH).into_response(),
        Err(error) => {
            let logged = scrubbed(&error.to_string(), phone.as_str().trim_start_matches('+'));
            match enrollment_refused(error, Step::Send) {
                Ok((status, feedback)) => {
                    tracing::warn!(error = logged, status = status.as_u16(), "enrollment not started");
                    security_page(&app, &session, status, None, Some(feedback)).await
                }
                Err(_) => {
                    tracing::error!(error = logged, "enrollment could not be started");
                    unavailable(security_nav(&session))
                }
            }
        }
    }
}

/// `POST /pod/app/security/phone/confirm`: the code sent to the phone being verified.
/// The right one makes that phone the one codes go to (back to the Security page,
/// which says so); a wrong one is the page again with the tries left. CSRF- and
/// Origin-checked; a code that is not one is the page again (400), nothing checked.
pub async fn confirm_enrollment(
    State(app): State<WebApp>,
    signed_in: MaybeSignedIn,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let Some(session) = signed_in.0 else { return sign_in_then(SECURITY_PATH).into_response() };
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(security_nav(&session), &rejection),
    };
    if let Some(refused) = refuse_foreign_form(&app, &session, &headers, &form.csrf_token, Step::Check) {
        return refused;
    }
    let code = match parse_code(&form.code) {
        Ok(code) => code,
        Err(message) => {
            let feedback = Some(ContactFeedback::Code(message));
            return security_page(&app, &session, StatusCode::BAD_REQUEST, None, feedback).await;
        }
    };
    match app.service().confirm_phone_enrollment(&session.user, &code, Source::Web).await {
        Ok(EnrollmentOutcome::Verified { previous, previous_told, .. }) => {
            let note = match (previous, previous_told) {
                (None, _) => ContactNote::Verified,
                (Some(_), true) => ContactNote::Changed,
                (Some(_), false) => ContactNote::ChangedNotTold,
            };
            Redirect::to(&format!("{SECURITY_PATH}?note={}#contact", note.key())).into_response()
        }
        Ok(EnrollmentOutcome::WrongCode { tries_left, account }) => {
            metrics::note_outcome(Outcome::of_wrong_code(&account));
            let feedback = Some(ContactFeedback::Code(wrong_code_message(tries_left, account)));
            security_page(&app, &session, StatusCode::OK, None, feedback).await
        }
        Err(error) => {
            let logged = scrubbed(&error.to_string(), code.expose());
            match enrollment_refused(error, Step::Check) {
                Ok((status, feedback)) => {
                    tracing::warn!(error = logged, status = status.as_u16(), "enrollment code not checked");
                    security_page(&app, &session, status, None, Some(feedback)).await
                }
                Err(_) => {
                    tracing::error!(error = logged, "enrollment code could not be checked");
                    unavailable(security_nav(&session))
                }
            }
        }
    }
}

/// The 403 page for a state-changing form that did not come from Pod's own page
/// (wrong or missing token, or another origin), or `None` when it did.
fn refuse_foreign_form(
    app: &WebApp,
    session: &Session,
    headers: &HeaderMap,
    token: &str,
    what: Step,
) -> Option<Response> {
    let check = FormCheck::of_token(app, session, headers, Some(token));
    if check.passed() {
        return None;
    }
    let (what, id) = match what {
        Step::Send => ("phone number", "web-error-phone-form-refused"),
        Step::Check => ("code", "web-error-code-form-refused"),
    };
    tracing::warn!(same_origin = check.same_origin, token_matches = check.token_matches, what, "form refused");
    let back = Link::new(SECURITY_PATH.to_string(), "web-link-security");
    let nav = security_nav(session);
    Some(error_page(StatusCode::FORBIDDEN, nav, "web-error-request-refused-title", t(id), Some(back)))
}

/// A form body that could not be read: too large (413) or not a form (400). Nothing happened.
fn unreadable_form(nav: Nav, rejection: &FormRejection) -> Response {
    let back = Some(Link::new(SECURITY_PATH.to_string(), "web-link-security"));
    let status = rejection.status();
    // Only the status: the rejection's text may quote what was sent.
    tracing::warn!(status = status.as_u16(), "form body refused");
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let message = t("web-error-form-too-large");
        error_page(StatusCode::PAYLOAD_TOO_LARGE, nav, "web-error-form-too-large-title", message, back)
    } else {
        let message = t("web-error-form-unreadable");
        error_page(StatusCode::BAD_REQUEST, nav, "web-error-form-unreadable-title", message, back)
    }
}

/// The number typed, or what is wrong with it.
fn parse_phone(raw: &str) -> Result<PhoneNumber, String> {
    if raw.trim().is_empty() {
        return Err(t("web-phone-missing"));
    }
    PhoneNumber::parse(raw).map_err(|_| t("web-phone-invalid"))
}

/// The code typed, or what is wrong with it.
fn parse_code(raw: &str) -> Result<Code, String> {
    if raw.trim().is_empty() {
        return Err(t("web-code-missing"));
    }
    Code::parse(raw).map_err(|_| t("web-code-invalid"))
}

/// `text` with every occurrence of `secret` (a number's digits, a code) blanked out, for the log.
fn scrubbed(text: &str, secret: &str) -> String {
    if secret.is_empty() { text.to_string() } else { text.replace(secret, "[redacted]") }
}

/// The enrollment step a refusal (or a refused form) is about: sending a code, or checking one.
#[derive(Clone, Copy)]
enum Step {
    Send,
    Check,
}

/// How the Security page answers a refused enrollment step: a status and what it says.
/// `Err` for failures that are the unavailable page.
fn enrollment_refused(error: ServiceError, step: Step) -> Result<(StatusCode, ContactFeedback), ServiceError> {
    metrics::note_outcome(Outcome::of_error(&error));
    // Which of each message's two endings: "so no code was sent" or "so the code was not checked".
    let step_arg = || {
        (
            "step",
            Arg::from(match step {
                Step::Send => "send",
                Step::Check => "check",
            }),
        )
    };
    let (status, text) = match error {
        ServiceError::Blocked(Blocked::Paused { until }) => (
            StatusCode::TOO_MANY_REQUESTS,
            ta("web-enrollment-paused", &[step_arg(), ("until", TimeView::of(until).text.into())]),
        ),
        ServiceError::Blocked(Blocked::Locked) => (StatusCode::LOCKED, ta("web-enrollment-locked", &[step_arg()])),
        ServiceError::TooManyCodes { retry_after_seconds } => (
            StatusCode::TOO_MANY_REQUESTS,
            ta("web-enrollment-too-many-codes", &[step_arg(), ("minutes", minutes(retry_after_seconds).into())]),
        ),
        ServiceError::Enrollment(EnrollmentError::NotPending) => {
            (StatusCode::CONFLICT, t("web-enrollment-not-pending"))
        }
        ServiceError::Enrollment(EnrollmentError::Expired) => (StatusCode::CONFLICT, t("web-enrollment-expired")),
        ServiceError::Enrollment(EnrollmentError::AttemptsExhausted) => {
            (StatusCode::CONFLICT, t("web-enrollment-attempts-exhausted"))
        }
        ServiceError::Delivery(_) | ServiceError::Identity(_) | ServiceError::Store(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, ta("web-enrollment-unavailable", &[step_arg()]))
        }
        other => return Err(other),
    };
    Ok((status, ContactFeedback::General(text)))
}

/// What a wrong enrollment code did: the tries left, and whether it paused or locked voice ordering.
fn wrong_code_message(tries_left: u32, account: IfWrong) -> String {
    let tries = match tries_left {
        0 => t("web-wrong-code-last-try"),
        n => ta("web-tries-left", &[("n", n.into())]),
    };
    let account = match account {
        IfWrong::Open => String::new(),
        IfWrong::Paused { until, .. } => {
            format!(" {}", ta("web-wrong-code-paused", &[("until", TimeView::of(until).text.into())]))
        }
        IfWrong::Locked => format!(" {}", t("web-wrong-code-locked")),
    };
    format!("{} {tries}{account}", t("web-wrong-code"))
}

/// "1 minute", "12 minutes" (rounded up).
fn minutes(seconds: u64) -> String {
    ta("web-minutes", &[("n", seconds.div_ceil(60).max(1).into())])
}

/// Unknown paths under `/pod/app`.
pub async fn not_found(signed_in: MaybeSignedIn) -> Response {
    not_found_page(signed_in.nav(""))
}

/// A known path asked for with the wrong method (e.g. `GET /pod/app/logout`).
pub async fn method_not_allowed(signed_in: MaybeSignedIn) -> Response {
    let message = t("web-error-not-allowed");
    let nav = signed_in.nav("");
    error_page(StatusCode::METHOD_NOT_ALLOWED, nav, "web-error-not-allowed-title", message, Some(home_link()))
}

pub fn not_found_page(nav: Nav) -> Response {
    let message = t("web-error-not-found");
    error_page(StatusCode::NOT_FOUND, nav, "web-error-not-found-title", message, Some(home_link()))
}

/// A paged list's `?after=` that is not one of its cursors; `newest` leads to the first page.
fn bad_page_link(nav: Nav, newest: Link) -> Response {
    error_page(StatusCode::BAD_REQUEST, nav, "web-error-bad-link-title", t("web-error-bad-link"), Some(newest))
}

fn service_failure(nav: Nav, error: ServiceError) -> Response {
    match error {
        ServiceError::OrderNotFound => not_found_page(nav),
        other => {
            metrics::note_outcome(Outcome::of_error(&other));
            tracing::error!(error = %other, "page unavailable");
            unavailable(nav)
        }
    }
}

fn unavailable(nav: Nav) -> Response {
    let message = t("web-error-unavailable");
    error_page(StatusCode::SERVICE_UNAVAILABLE, nav, "web-error-unavailable-title", message, None)
}

fn home_link() -> Link {
    Link::new(format!("{}/", crate::PREFIX), "web-link-home")
}

/// A page saying what went wrong (its title: message `title_id`), with a way on.
pub fn error_page(status: StatusCode, nav: Nav, title_id: &str, message: String, next: Option<Link>) -> Response {
    render(status, &ErrorPage { nav, title: t(title_id), message, next })
}
