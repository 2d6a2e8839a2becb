//! What the templates show: page structs (askama) and the views of orders,
//! profiles, the activity record and voice ordering's state they render.
//! Contacts appear masked only; codes never.

use askama::Template;
use axum::http::header::{ACCEPT_LANGUAGE, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use pod_shared::domain::{
    ActivityEvent, ActivityKind, BudgetPolicy, BudgetState, Destination, MaskedDestination, Order, OrderStatus,
    PhoneEnrollment, Timestamp,
};
use pod_shared::i18n::{self, Locale};
use pod_shared::ports::UserProfile;

tokio::task_local! {
    /// The language the page being answered is in: the request's `Accept-Language`.
    static LOCALE: Locale;
}

/// Answers `request` in the language its `Accept-Language` asks for (English or German; English
/// when neither), and says that the answer varies by it.
pub async fn in_request_locale(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let asked = request.headers().get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    let locale = Locale::for_accept_language(asked);
    let mut response = LOCALE.scope(locale, next.run(request)).await;
    response.headers_mut().append(VARY, HeaderValue::from_static("accept-language"));
    response
}

/// The language of the page being answered (en-US outside a request).
pub fn locale() -> Locale {
    LOCALE.try_with(|locale| *locale).unwrap_or(Locale::DEFAULT)
}

/// Message `id` of `web.ftl` in the page's language, plain text (the template escapes it).
pub fn t(id: &str) -> String {
    i18n::plain(locale(), id)
}

/// Message `id` with `args`, in the page's language, plain text.
pub fn ta(id: &str, args: &[(&str, i18n::Arg)]) -> String {
    i18n::text(locale(), id, args)
}

/// `text` safe inside HTML text and attribute values.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a moment goes in a sentence that carries `<time>` elements: a mark no message holds.
fn time_mark(index: usize) -> String {
    format!("\u{E000}{index}\u{E001}")
}

/// Message `id` with `args` and the moments `times` (each a `<time>` element the page's script
/// shows in the reader's time zone), as markup for `|safe`: the message and its arguments are
/// escaped like any text, and only the `<time>` elements Pod builds are markup.
pub fn with_times(id: &str, args: &[(&str, i18n::Arg)], times: &[(&str, &TimeView)]) -> String {
    let mut all: Vec<(&str, i18n::Arg)> = args.to_vec();
    all.extend(times.iter().enumerate().map(|(index, (name, _))| (*name, time_mark(index).into())));
    let mut markup = escaped(&ta(id, &all));
    for (index, (_, time)) in times.iter().enumerate() {
        markup = markup.replace(&time_mark(index), &time.markup());
    }
    markup
}

/// The site navigation: which page is current, and the sign-out form's token when signed in;
/// and the page's language, whose words the templates ask it for.
pub struct Nav {
    /// `home`, `orders`, `activity`, `security`, `profile`, `policy` or empty.
    pub current: &'static str,
    /// Present when signed in: the session's CSRF token for the sign-out form.
    pub csrf_token: Option<String>,
    pub locale: Locale,
}

impl Nav {
    pub fn new(current: &'static str, csrf_token: Option<&str>) -> Self {
        Self { current, csrf_token: csrf_token.map(str::to_string), locale: locale() }
    }

    /// Message `id` of `shared/locales/<locale>/web.ftl` (escaped by the template like any text).
    /// An id ending in `-html` is trusted markup with no arguments, for `|safe`.
    pub fn t(&self, id: &str) -> String {
        i18n::plain(self.locale, id)
    }

    /// The page's language for `<html lang>`: "en" or "de".
    pub fn lang(&self) -> &'static str {
        self.locale.language()
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub nav: Nav,
}

#[derive(Template)]
#[template(path = "policy.html")]
pub struct PolicyPage {
    pub nav: Nav,
}

/// The erasure's confirmation step: what will be deleted, and the form that deletes it.
#[derive(Template)]
#[template(path = "erase.html")]
pub struct ErasePage {
    pub nav: Nav,
}

/// After the erasure: done, and signed out.
#[derive(Template)]
#[template(path = "erased.html")]
pub struct ErasedPage {
    pub nav: Nav,
    /// How many stored items went (0: nothing was left).
    pub deleted: usize,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub nav: Nav,
    pub profile: ProfileView,
}

#[derive(Template)]
#[template(path = "orders.html")]
pub struct OrdersPage {
    pub nav: Nav,
    pub table: OrdersTable,
    /// The next (older) page's link, if there is one.
    pub older: Option<String>,
    /// Whether this page is the newest orders, which update live.
    pub live: bool,
}

/// The orders table alone, as `GET /pod/app/orders/live` serves it to the page's script.
#[derive(Template)]
#[template(path = "orders_table.html")]
pub struct OrdersTable {
    pub rows: Vec<OrderView>,
}

impl OrdersTable {
    /// Message `id` in the page's language (the table is also served alone, without a nav).
    pub fn t(&self, id: &str) -> String {
        t(id)
    }
}

#[derive(Template)]
#[template(path = "order.html")]
pub struct OrderPage {
    pub nav: Nav,
    pub order: OrderView,
}

#[derive(Template)]
#[template(path = "activity.html")]
pub struct ActivityPage {
    pub nav: Nav,
    pub rows: Vec<ActivityRow>,
    /// The next (older) page's link, if there is one.
    pub older: Option<String>,
    /// Whether this is the newest page (not one reached by "Older").
    pub newest: bool,
}

/// One entry of the activity record as the page shows it.
pub struct ActivityRow {
    pub when: TimeView,
    /// The line of text in the page's language ([`describe`]; in English as the domain describes it):
    /// masked contacts, no codes.
    /// A pause ends the line with `until`, shown like every other moment on the page.
    pub what: String,
    /// Until when a pause lasted.
    pub until: Option<TimeView>,
    /// The kind's stable name (`wrong_code`, …), for styles and tests.
    pub kind: &'static str,
    /// `voice`, `api` or `web`.
    pub from: &'static str,
    /// Where it came from, in words: "Alexa", "API", "Web".
    pub from_label: String,
    /// The order's page, when the entry is about one.
    pub order_href: Option<String>,
}

impl ActivityRow {
    pub fn of(event: &ActivityEvent) -> Self {
        let (what, until) = match &event.what {
            ActivityKind::VoiceOrderingPaused { until } => (t("web-activity-paused-until"), Some(TimeView::of(*until))),
            other => (describe(other), None),
        };
        Self {
            when: TimeView::of(event.at),
            what,
            until,
            kind: event.what.name(),
            from: event.source.name(),
            from_label: t(match event.source {
                pod_shared::domain::Source::Voice => "web-source-voice",
                pod_shared::domain::Source::Api => "web-source-api",
                pod_shared::domain::Source::Web => "web-source-web",
            }),
            order_href: event.order_id.map(|id| format!("{}/orders/{id}", crate::PREFIX)),
        }
    }
}

/// An entry of the activity record in words, in the page's language: masked contacts, no codes.
fn describe(kind: &ActivityKind) -> String {
    use pod_shared::domain::CodePurpose;
    let to = |to: &MaskedDestination| masked_destination(to).into();
    match kind {
        ActivityKind::CodeSent { to: sent, purpose: CodePurpose::Order, .. } => {
            ta("web-activity-order-code-sent", &[("to", to(sent))])
        }
        ActivityKind::CodeSent { to: sent, purpose: CodePurpose::Enrollment, .. } => {
            ta("web-activity-verification-code-sent", &[("to", to(sent))])
        }
        ActivityKind::WrongCode => t("web-activity-wrong-code"),
        ActivityKind::Confirmed => t("web-activity-confirmed"),
        ActivityKind::OrderLocked => t("web-activity-order-locked"),
        ActivityKind::VoiceOrderingPaused { until } => {
            ta("web-activity-paused", &[("until", TimeView::of(*until).text.into())])
        }
        ActivityKind::VoiceOrderingLocked => t("web-activity-voice-locked"),
        ActivityKind::VoiceOrderingUnlocked => t("web-activity-voice-unlocked"),
        ActivityKind::ContactVerified { to: verified } => ta("web-activity-contact-verified", &[("to", to(verified))]),
        ActivityKind::ContactChanged { from, to: changed } => {
            ta("web-activity-contact-changed", &[("from", to(from)), ("to", to(changed))])
        }
        ActivityKind::AlexaAccountLinked => t("web-activity-alexa-linked"),
        ActivityKind::AlexaSkillEnabled => t("web-activity-skill-enabled"),
        ActivityKind::AlexaPermissionsChanged => t("web-activity-permissions-changed"),
    }
}

#[derive(Template)]
#[template(path = "security.html")]
pub struct SecurityPage {
    pub nav: Nav,
    pub voice: VoiceOrderingView,
    pub contact: ContactView,
}

/// The Security page's "Where codes go": where codes go now, the phone waiting for
/// its code, and what became of the last form. Contacts masked; never a code.
pub struct ContactView {
    /// "your phone ending in 42", "your email b•••@example.com"; `None` if codes go nowhere.
    pub codes_go_to: Option<String>,
    /// Whether codes go to a phone verified with Pod (the form then changes it).
    pub enrolled: bool,
    /// The phone waiting for its code, if any.
    pub pending: Option<PendingEnrollmentView>,
    /// Good news, after a redirect: the phone now receives codes.
    pub notice: Option<String>,
    /// What went wrong, not about one field (or about the code form when it is gone).
    pub problem: Option<String>,
    /// What is wrong with the phone number typed.
    pub phone_error: Option<String>,
    /// What is wrong with the code typed.
    pub code_error: Option<String>,
}

impl ContactView {
    /// "Codes go to your phone ending in 42 (verified with Pod)." or why they go nowhere.
    pub fn codes_go_to_sentence(&self) -> String {
        match &self.codes_go_to {
            Some(destination) if self.enrolled => ta("web-codes-go-to-enrolled", &[("to", destination.clone().into())]),
            Some(destination) => ta("web-codes-go-to", &[("to", destination.clone().into())]),
            None => t("web-codes-go-nowhere"),
        }
    }
}

impl PendingEnrollmentView {
    /// "We sent a code to the phone ending in 42; it expires at …": markup for `|safe`.
    pub fn sentence(&self) -> String {
        let args = [("to", self.sent_to.clone().into()), ("left", self.expires_in.clone().into())];
        with_times("web-enrollment-sent", &args, &[("expires", &self.expires)])
    }

    /// "3 tries left."
    pub fn tries(&self) -> String {
        ta("web-tries-left", &[("n", self.tries_left.into())])
    }
}

/// A phone waiting for its enrollment code.
pub struct PendingEnrollmentView {
    /// "phone ending in 42".
    pub sent_to: String,
    pub expires: TimeView,
    /// "in 5 minutes".
    pub expires_in: String,
    pub tries_left: u32,
}

/// A one-shot message carried across a redirect to the Security page, by key
/// (`?note=…`): never user text, a number or a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactNote {
    /// A phone was verified; codes went nowhere before.
    Verified,
    /// A phone was verified; the contact codes went to before was told.
    Changed,
    /// A phone was verified; the contact codes went to before could not be told.
    ChangedNotTold,
}

impl ContactNote {
    pub fn key(self) -> &'static str {
        match self {
            ContactNote::Verified => "phone-verified",
            ContactNote::Changed => "phone-changed",
            ContactNote::ChangedNotTold => "phone-changed-not-told",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [ContactNote::Verified, ContactNote::Changed, ContactNote::ChangedNotTold]
            .into_iter()
            .find(|note| note.key() == key)
    }
}

/// What the last enrollment form did, in words, and which field it is about.
pub enum ContactFeedback {
    Phone(String),
    Code(String),
    General(String),
}

impl ContactView {
    /// `note`: the message carried by the redirect, `feedback`: the answer to the form just sent.
    pub fn of(
        profile: &UserProfile,
        pending: Option<&PhoneEnrollment>,
        now: Timestamp,
        note: Option<ContactNote>,
        feedback: Option<ContactFeedback>,
    ) -> Self {
        let pending = pending.map(|enrollment| PendingEnrollmentView {
            sent_to: masked_destination(&Destination::Sms(enrollment.phone.clone()).masked()),
            expires: TimeView::clock(enrollment.expires_at),
            expires_in: time_left(now, enrollment.expires_at),
            tries_left: enrollment.attempts_left(),
        });
        let enrolled = profile.enrolled_phone.as_ref().map(|phone| Destination::Sms(phone.clone()).masked());
        // The note speaks of the enrolled phone; without one (it cannot be) it says nothing.
        let notice = enrolled.as_ref().zip(note).map(|(phone, note)| {
            let id = match note {
                ContactNote::Verified => "web-contact-verified",
                ContactNote::Changed => "web-contact-changed-told",
                ContactNote::ChangedNotTold => "web-contact-changed-not-told",
            };
            ta(id, &[("phone", masked_destination(phone).into())])
        });
        let (mut problem, mut phone_error, mut code_error) = (None, None, None);
        match feedback {
            Some(ContactFeedback::Phone(text)) => phone_error = Some(text),
            // With no code form left to show it beside, it is said above the phone form.
            Some(ContactFeedback::Code(text)) if pending.is_some() => code_error = Some(text),
            Some(ContactFeedback::Code(text) | ContactFeedback::General(text)) => problem = Some(text),
            None => {}
        }
        Self {
            codes_go_to: profile.code_destination().map(|destination| your(&destination.masked())),
            enrolled: enrolled.is_some(),
            pending,
            notice,
            problem,
            phone_error,
            code_error,
        }
    }
}

/// Whether voice ordering is open, paused or locked, in words.
pub struct VoiceOrderingView {
    /// `open`, `paused` or `locked`, for styles and tests.
    pub state: &'static str,
    /// "Open", "Paused", "Locked".
    pub label: String,
    /// Consecutive wrong codes since the last right one.
    pub failures: u32,
    pub pause_after: u32,
    pub lock_after: u32,
    /// Wrong codes left before ordering locks.
    pub before_lock: u32,
    /// Until when ordering is paused.
    pub paused_until: Option<TimeView>,
    /// Since when ordering is locked.
    pub locked_since: Option<TimeView>,
}

impl VoiceOrderingView {
    pub fn of(state: BudgetState, policy: &BudgetPolicy) -> Self {
        let view = |state, label, failures: u32| Self {
            state,
            label: t(label),
            failures,
            pause_after: policy.pause_after(),
            lock_after: policy.lock_after(),
            before_lock: policy.lock_after().saturating_sub(failures),
            paused_until: None,
            locked_since: None,
        };
        match state {
            BudgetState::Open { failures } => view("open", "web-voice-open", failures),
            BudgetState::Paused { until, failures } => {
                Self { paused_until: Some(TimeView::of(until)), ..view("paused", "web-voice-paused", failures) }
            }
            BudgetState::Locked { since } => Self {
                locked_since: Some(TimeView::of(since)),
                ..view("locked", "web-voice-locked", policy.lock_after())
            },
        }
    }

    /// Where voice ordering stands, in a sentence (markup for `|safe`: its moment is a `<time>`).
    pub fn summary(&self) -> String {
        let counts = [
            ("failures", self.failures.into()),
            ("left", self.before_lock.into()),
            ("pause", self.pause_after.into()),
            ("lock", self.lock_after.into()),
        ];
        if let Some(until) = &self.paused_until {
            with_times("web-voice-paused-summary", &counts, &[("until", until)])
        } else if let Some(since) = &self.locked_since {
            with_times("web-voice-locked-summary", &counts, &[("since", since)])
        } else if self.failures == 0 {
            escaped(&t("web-voice-open-clean"))
        } else {
            escaped(&ta("web-voice-open-summary", &counts))
        }
    }

    /// How wrong codes pause and lock voice ordering (shown while it is open).
    pub fn rules(&self) -> String {
        ta("web-voice-rules", &[("pause", self.pause_after.into()), ("lock", self.lock_after.into())])
    }

    /// Whether the owner may unlock (paused or locked).
    pub fn blocked(&self) -> bool {
        self.state != "open"
    }
}

/// Every page that says something went wrong.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub nav: Nav,
    pub title: String,
    pub message: String,
    /// A way on.
    pub next: Option<Link>,
}

/// A link: where to, and its text.
pub struct Link {
    pub href: String,
    pub text: String,
}

impl Link {
    /// A link to `href` whose text is message `text_id` in the page's language.
    pub fn new(href: String, text_id: &str) -> Self {
        Self { href, text: t(text_id) }
    }
}

/// Renders `page` with `status`; a template that fails to render is a 500 (and a log line).
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, t("web-error-our-side")).into_response()
        }
    }
}

/// A moment, for a `<time>` element: machine-readable and as people read it in the page's
/// language (UTC; the page's script shows it in the reader's own time zone).
pub struct TimeView {
    pub iso: String,
    pub text: String,
    /// The time of day alone (for moments minutes away): the script shows no date either.
    pub time_only: bool,
}

impl TimeView {
    /// Date and time: "25 Nov 2025, 06:40 UTC", "25. November 2025, 06:40 UTC".
    pub fn of(at: Timestamp) -> Self {
        let text = Self::utc(at).map(|t| {
            let args = [
                ("day", t.day().into()),
                ("month", u8::from(t.month()).into()),
                ("year", t.year().into()),
                ("time", format!("{:02}:{:02}", t.hour(), t.minute()).into()),
            ];
            ta("web-date-time", &args)
        });
        Self { text: text.unwrap_or_else(|| at.to_rfc3339()), iso: at.to_rfc3339(), time_only: false }
    }

    /// The time of day alone, for moments minutes away: "06:45 UTC".
    pub fn clock(at: Timestamp) -> Self {
        let text =
            Self::utc(at).map(|t| ta("web-clock", &[("time", format!("{:02}:{:02}", t.hour(), t.minute()).into())]));
        Self { text: text.unwrap_or_else(|| at.to_rfc3339()), iso: at.to_rfc3339(), time_only: true }
    }

    fn utc(at: Timestamp) -> Option<time::OffsetDateTime> {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.unix_millis()) * 1_000_000).ok()
    }

    /// The `<time>` element, for a sentence built by [`with_times`].
    pub fn markup(&self) -> String {
        let only = if self.time_only { " data-time-only" } else { "" };
        format!(r#"<time datetime="{}"{only}>{}</time>"#, escaped(&self.iso), escaped(&self.text))
    }
}

/// An order as the pages show it.
pub struct OrderView {
    pub id: String,
    /// "Large pizza with pepperoni and mushrooms".
    pub description: String,
    pub size: String,
    /// "pepperoni, mushrooms", or "cheese only".
    pub toppings: String,
    /// The status name (`pending`, `confirmed`, …), for styles and the page's script.
    pub status: &'static str,
    /// The status in words.
    pub status_label: String,
    pub placed: TimeView,
    pub updated: TimeView,
    /// What became of the confirmation code, in words.
    pub code_note: String,
    /// Where the code went, when the order waits for it.
    pub pending: Option<PendingCode>,
    /// "$17.50", "£14.00"; "not recorded" for an order placed before orders had prices.
    pub total: String,
    /// Who is paid ("Pizza on Demand"), when the order has a price.
    pub payee: Option<String>,
    /// The priced lines: ("Large pizza", "$14.00"), ("Pepperoni", "$1.75"), …
    pub lines: Vec<PricedLine>,
}

/// One line of an order's bill, as the order page lists it.
pub struct PricedLine {
    pub description: String,
    pub price: String,
}

/// The code a pending order waits for: where it went and until when it counts.
pub struct PendingCode {
    /// "phone ending in 21", "email a•••@example.com".
    pub sent_to: String,
    pub expires: TimeView,
    /// "in 4 minutes", "in less than a minute".
    pub expires_in: String,
    pub tries_left: u32,
}

impl OrderView {
    /// The order as it stands at `now` (a pending order past its code's expiry shows as expired).
    pub fn of(order: &Order, now: Timestamp) -> Self {
        let locale = locale();
        let status = order.status_at(now);
        let description = capitalized(&i18n::pizza(locale, &order.pizza));
        let toppings = i18n::toppings(locale, order.pizza.toppings.as_slice());
        // An order waiting for Alexa's voice PIN had no code sent: there is no code to tell of.
        let awaits_code = order.challenge.confirm_by == pod_shared::domain::ConfirmBy::Code;
        let pending = (status == OrderStatus::PendingConfirmation && awaits_code).then(|| PendingCode {
            sent_to: masked_destination(&order.challenge.destination),
            expires: TimeView::clock(order.challenge.expires_at),
            expires_in: time_left(now, order.challenge.expires_at),
            tries_left: order.challenge.attempts_left(),
        });
        Self {
            id: order.id.to_string(),
            description,
            size: i18n::size(locale, order.pizza.size),
            toppings: if toppings.is_empty() { t("web-cheese-only") } else { toppings.join(", ") },
            status: status.name(),
            status_label: t(status_label(status)),
            placed: TimeView::of(order.created_at),
            updated: TimeView::of(order.updated_at),
            code_note: t(code_note(status)),
            pending,
            total: order
                .bill
                .as_ref()
                .map_or_else(|| t("web-total-not-recorded"), |bill| i18n::money_written(locale, &bill.total())),
            payee: order.bill.as_ref().map(|bill| bill.payee().to_string()),
            lines: order
                .bill
                .iter()
                .flat_map(|bill| bill.priced_lines())
                .map(|(line, price)| PricedLine {
                    description: capitalized(&line_description(line)),
                    price: i18n::money_written(locale, &price),
                })
                .collect(),
        }
    }

    /// The pending code's note as markup (where it went, until when, the tries left), for `|safe`.
    pub fn pending_note(&self) -> Option<String> {
        self.pending.as_ref().map(|code| {
            let args = [
                ("to", code.sent_to.clone().into()),
                ("left", code.expires_in.clone().into()),
                ("n", code.tries_left.into()),
            ];
            with_times("web-code-sent", &args, &[("expires", &code.expires)])
        })
    }

    /// "$17.50 to Pizza on Demand".
    pub fn total_to(&self, payee: &str) -> String {
        ta("web-order-total-to", &[("total", self.total.clone().into()), ("payee", payee.to_string().into())])
    }

    /// The order's page.
    pub fn href(&self) -> String {
        format!("{}/orders/{}", crate::PREFIX, self.id)
    }
}

/// The message of a status in words.
fn status_label(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::PendingConfirmation => "web-status-pending",
        OrderStatus::Confirmed => "web-status-confirmed",
        OrderStatus::Cancelled => "web-status-cancelled",
        OrderStatus::Expired => "web-status-expired",
        OrderStatus::Locked => "web-status-locked",
    }
}

/// The message of what became of the code, by status.
fn code_note(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::PendingConfirmation => "web-code-note-pending",
        OrderStatus::Confirmed => "web-code-note-confirmed",
        OrderStatus::Cancelled => "web-code-note-cancelled",
        OrderStatus::Expired => "web-code-note-expired",
        OrderStatus::Locked => "web-code-note-locked",
    }
}

/// A line of the bill: "large pizza", "pepperoni" ("große Pizza", "Salami").
fn line_description(line: &pod_shared::domain::LineItem) -> String {
    match line {
        pod_shared::domain::LineItem::Pizza { size, .. } => ta("web-line-pizza", &[("size", size.name().into())]),
        pod_shared::domain::LineItem::Topping { topping, .. } => i18n::topping(locale(), *topping),
    }
}

/// "in 5 minutes", "in 1 minute" (to the nearest minute), or "in less than a minute".
fn time_left(now: Timestamp, until: Timestamp) -> String {
    match now.seconds_until(until) {
        0..60 => t("web-time-left-under-a-minute"),
        seconds => ta("web-time-left-minutes", &[("n", ((seconds + 30) / 60).into())]),
    }
}

/// "your phone ending in 21", "Ihre Telefonnummer mit Endziffern 21".
fn your(destination: &MaskedDestination) -> String {
    ta("web-your-contact", &[("contact", masked_destination(destination).into())])
}

/// A masked contact in a sentence: "phone ending in 21", "email a•••@example.com".
pub fn masked_destination(destination: &MaskedDestination) -> String {
    match destination {
        MaskedDestination::Phone { last_digits } => ta("web-contact-phone", &[("digits", last_digits.clone().into())]),
        MaskedDestination::Email { .. } => ta("web-contact-email", &[("email", masked(destination).into())]),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A profile as the profile page shows it: masked contacts.
pub struct ProfileView {
    /// "a•••@example.com".
    pub email: Option<String>,
    /// "ending in 21".
    pub phone: Option<String>,
    /// Where codes go: "your phone ending in 21"; `None` if there is nowhere to send one.
    pub codes_go_to: Option<String>,
}

impl ProfileView {
    pub fn of(profile: &UserProfile) -> Self {
        let unverified = |verified: bool, shown: String| {
            if verified { shown } else { ta("web-profile-not-verified", &[("contact", shown.into())]) }
        };
        let email = profile
            .email
            .as_ref()
            .map(|email| unverified(profile.email_verified, masked(&Destination::Email(email.clone()).masked())));
        let phone = match (&profile.enrolled_phone, &profile.phone) {
            (Some(enrolled), _) => {
                let shown = masked(&Destination::Sms(enrolled.clone()).masked());
                Some(ta("web-profile-verified-with-pod", &[("contact", shown.into())]))
            }
            (None, Some(phone)) => {
                Some(unverified(profile.phone_verified, masked(&Destination::Sms(phone.clone()).masked())))
            }
            (None, None) => None,
        };
        let codes_go_to = profile.code_destination().map(|destination| your(&destination.masked()));
        Self { email, phone, codes_go_to }
    }
}

/// The masked contact alone: "a•••@example.com" or "ending in 21".
fn masked(destination: &MaskedDestination) -> String {
    match destination {
        MaskedDestination::Phone { last_digits } => ta("web-ending-in", &[("digits", last_digits.clone().into())]),
        MaskedDestination::Email { first_char, domain } => format!("{first_char}•••@{domain}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pod_shared::domain::{
        ChallengePolicy, Channel, EmailAddress, PhoneNumber, Pizza, Size, Source, Topping, Toppings, UserId,
    };

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_millis(seconds * 1000)
    }

    fn order(toppings: Vec<Topping>) -> Order {
        Order::place(
            UserId::parse("auth0|ana").unwrap(),
            Pizza { size: Size::Large, toppings: Toppings::new(toppings).unwrap() },
            Channel::Sms,
            MaskedDestination::Phone { last_digits: "21".into() },
            ChallengePolicy::default(),
            at(1_764_052_800),
        )
    }

    #[test]
    fn a_pending_order_says_where_the_code_went_and_until_when() {
        let view = OrderView::of(&order(vec![Topping::Pepperoni, Topping::Mushrooms]), at(1_764_052_830));
        assert_eq!(view.description, "Large pizza with pepperoni and mushrooms");
        assert_eq!(view.toppings, "pepperoni, mushrooms");
        assert_eq!(view.status, "pending");
        assert_eq!(view.placed.text, "25 Nov 2025, 06:40 UTC");
        assert_eq!(view.placed.iso, "2025-11-25T06:40:00Z");
        let pending = view.pending.unwrap();
        assert_eq!(pending.sent_to, "phone ending in 21");
        assert_eq!(pending.expires.text, "06:45 UTC");
        assert_eq!(pending.expires_in, "in 5 minutes");
        assert_eq!(pending.tries_left, 3);
        assert_eq!(view.total, "$17.50");
        assert_eq!(view.payee.as_deref(), Some("Pizza on Demand"));
        let lines: Vec<(&str, &str)> = view.lines.iter().map(|l| (l.description.as_str(), l.price.as_str())).collect();
        assert_eq!(lines, [("Large pizza", "$14.00"), ("Pepperoni", "$1.75"), ("Mushrooms", "$1.75")]);
    }

    #[test]
    fn a_german_page_shows_the_order_in_german_with_german_dates_and_money() {
        let view = LOCALE.sync_scope(Locale::DeDe, || {
            OrderView::of(&order(vec![Topping::Pepperoni, Topping::Mushrooms]), at(1_764_052_830))
        });
        assert_eq!(view.description, "Große Pizza mit Salami und Champignons");
        assert_eq!((view.size.as_str(), view.toppings.as_str()), ("groß", "Salami, Champignons"));
        assert_eq!(view.status_label, "Wartet auf Ihren Code");
        assert_eq!(view.placed.text, "25. November 2025, 06:40 UTC");
        assert_eq!(view.total, "17,50 $");
        let lines: Vec<(&str, &str)> = view.lines.iter().map(|l| (l.description.as_str(), l.price.as_str())).collect();
        assert_eq!(lines, [("Große Pizza", "14,00 $"), ("Salami", "1,75 $"), ("Champignons", "1,75 $")]);
        let note = LOCALE.sync_scope(Locale::DeDe, || view.pending_note()).unwrap();
        assert_eq!(
            note,
            "Gesendet an Ihre Telefonnummer mit Endziffern 21. Gültig bis \
             <time datetime=\"2025-11-25T06:45:00Z\" data-time-only>06:45 UTC</time> (in 5 Minuten); noch 3 Versuche."
        );
        assert_eq!(LOCALE.sync_scope(Locale::DeDe, || time_left(at(0), at(60))), "in 1 Minute");
        let english = OrderView::of(&order(vec![]), at(1_764_052_830)).pending_note().unwrap();
        assert!(english.starts_with("Sent to your phone ending in 21. Expires at <time datetime="), "{english}");
        assert!(english.ends_with("</time> (in 5 minutes); 3 tries left."), "{english}");
    }

    #[test]
    fn a_sentence_with_times_escapes_its_words_and_builds_only_the_time_elements() {
        let time = TimeView::clock(at(300));
        let markup = with_times(
            "web-code-sent",
            &[("to", "<b>&".into()), ("left", "x".into()), ("n", 1.into())],
            &[("expires", &time)],
        );
        assert!(markup.starts_with("Sent to your &lt;b&gt;&amp;. Expires at <time datetime=\"1970-01-01T00:05:00Z\" data-time-only>00:05 UTC</time>"), "{markup}");
        assert!(markup.ends_with("1 try left."), "{markup}");
    }

    #[test]
    fn totals_show_in_the_orders_currency_and_an_unpriced_order_says_so() {
        let british = order(vec![Topping::Pepperoni, Topping::Mushrooms]).priced_in(pod_shared::domain::Currency::Gbp);
        let view = OrderView::of(&british, at(1_764_052_830));
        assert_eq!(view.total, "£14.00");
        assert_eq!(view.lines[0].price, "£11.00");
        let mut old = order(vec![]);
        old.bill = None;
        let view = OrderView::of(&old, at(1_764_052_830));
        assert_eq!(view.total, "not recorded");
        assert!(view.lines.is_empty() && view.payee.is_none());
    }

    #[test]
    fn a_pending_order_waiting_for_the_voice_pin_tells_of_no_code() {
        let view = OrderView::of(&order(vec![]).awaiting_voice_pin(), at(1_764_052_830));
        assert_eq!(view.status, "pending");
        assert!(view.pending.is_none(), "no code was sent for it");
    }

    #[test]
    fn a_pending_order_past_its_code_shows_as_expired() {
        let view = OrderView::of(&order(vec![]), at(1_764_052_800 + 300));
        assert_eq!(view.status, "expired");
        assert_eq!(view.toppings, "cheese only");
        assert!(view.pending.is_none());
    }

    #[test]
    fn time_left_counts_whole_minutes() {
        assert_eq!(time_left(at(0), at(59)), "in less than a minute");
        assert_eq!(time_left(at(0), at(60)), "in 1 minute");
        assert_eq!(time_left(at(0), at(89)), "in 1 minute");
        assert_eq!(time_left(at(0), at(90)), "in 2 minutes");
        assert_eq!(time_left(at(0), at(299)), "in 5 minutes");
        assert_eq!(time_left(at(10), at(0)), "in less than a minute");
    }

    #[test]
    fn profiles_show_masked_contacts_only() {
        let profile = UserProfile::verified(
            UserId::parse("auth0|ana").unwrap(),
            Some(EmailAddress::parse("ana@example.com").unwrap()),
            Some(PhoneNumber::parse("+14155550121").unwrap()),
        );
        let view = ProfileView::of(&profile);
        assert_eq!(view.email.as_deref(), Some("a•••@example.com"));
        assert_eq!(view.phone.as_deref(), Some("ending in 21"));
        assert_eq!(view.codes_go_to.as_deref(), Some("your phone ending in 21"));
        let unverified = UserProfile { email_verified: false, phone_verified: false, ..profile.clone() };
        let view = ProfileView::of(&unverified);
        assert_eq!(view.phone.as_deref(), Some("ending in 21 (not verified)"));
        assert!(view.codes_go_to.is_none(), "no code goes to an unverified contact");
        let nobody = UserProfile { email: None, phone: None, ..profile };
        assert!(ProfileView::of(&nobody).codes_go_to.is_none());
    }

    #[test]
    fn activity_rows_say_what_when_and_from_where() {
        let ana = UserId::parse("auth0|ana").unwrap();
        let sent = ActivityKind::CodeSent {
            channel: Channel::Sms,
            to: MaskedDestination::Phone { last_digits: "21".into() },
            purpose: pod_shared::domain::CodePurpose::Order,
        };
        let placed = order(vec![]);
        let row =
            ActivityRow::of(&ActivityEvent::new(&ana, at(1_764_052_800), Source::Voice, sent).for_order(placed.id));
        assert_eq!(row.what, "Order code sent to phone ending in 21");
        assert_eq!((row.kind, row.from), ("code_sent", "voice"));
        assert_eq!(row.when.text, "25 Nov 2025, 06:40 UTC");
        assert_eq!(row.order_href, Some(format!("/pod/app/orders/{}", placed.id)));
        assert!(row.until.is_none());

        let paused = ActivityKind::VoiceOrderingPaused { until: at(1_764_052_800 + 900) };
        let row = ActivityRow::of(&ActivityEvent::new(&ana, at(1_764_052_800), Source::Api, paused));
        assert_eq!(row.what, "Voice ordering paused until");
        assert_eq!(row.until.map(|t| t.text).as_deref(), Some("25 Nov 2025, 06:55 UTC"));
        assert_eq!((row.from, row.order_href), ("api", None));
    }

    #[test]
    fn a_german_page_describes_activity_and_profiles_in_german() {
        let ana = UserId::parse("auth0|ana").unwrap();
        let to = MaskedDestination::Phone { last_digits: "21".into() };
        let sent =
            ActivityKind::CodeSent { channel: Channel::Sms, to, purpose: pod_shared::domain::CodePurpose::Order };
        let row = LOCALE.sync_scope(Locale::DeDe, || {
            ActivityRow::of(&ActivityEvent::new(&ana, at(1_764_052_800), Source::Voice, sent))
        });
        assert_eq!(row.what, "Bestellcode gesendet an Telefonnummer mit Endziffern 21");
        assert_eq!((row.from, row.from_label.as_str()), ("voice", "Sprache"));
        assert_eq!(row.when.text, "25. November 2025, 06:40 UTC");
        let profile = UserProfile::verified(ana, None, Some(PhoneNumber::parse("+14155550121").unwrap()));
        let view = LOCALE.sync_scope(Locale::DeDe, || ProfileView::of(&profile));
        assert_eq!(view.phone.as_deref(), Some("endet auf 21"));
        assert_eq!(view.codes_go_to.as_deref(), Some("Ihre Telefonnummer mit Endziffern 21"));
        let unverified = UserProfile { phone_verified: false, ..profile };
        let view = LOCALE.sync_scope(Locale::DeDe, || ProfileView::of(&unverified));
        assert_eq!(view.phone.as_deref(), Some("endet auf 21 (nicht bestätigt)"));
    }

    #[test]
    fn every_activity_kind_reads_as_the_domain_describes_it_in_english() {
        let to = MaskedDestination::Email { first_char: 'b', domain: "example.com".into() };
        let from = MaskedDestination::Phone { last_digits: "42".into() };
        let kinds = [
            ActivityKind::CodeSent {
                channel: Channel::Email,
                to: to.clone(),
                purpose: pod_shared::domain::CodePurpose::Enrollment,
            },
            ActivityKind::WrongCode,
            ActivityKind::Confirmed,
            ActivityKind::OrderLocked,
            ActivityKind::VoiceOrderingLocked,
            ActivityKind::VoiceOrderingUnlocked,
            ActivityKind::ContactVerified { to: to.clone() },
            ActivityKind::ContactChanged { from, to },
            ActivityKind::AlexaAccountLinked,
            ActivityKind::AlexaSkillEnabled,
            ActivityKind::AlexaPermissionsChanged,
        ];
        for kind in kinds {
            assert_eq!(describe(&kind), kind.describe());
        }
    }

    #[test]
    fn where_codes_go_shows_masked_contacts_and_places_each_message() {
        let ben = UserProfile::verified(
            UserId::parse("auth0|ben").unwrap(),
            Some(EmailAddress::parse("ben@example.com").unwrap()),
            None,
        );
        let phone = PhoneNumber::parse("+14155550142").unwrap();
        let enrollment =
            PhoneEnrollment::start(ben.user_id.clone(), phone.clone(), std::time::Duration::from_secs(300), 3, at(0));
        let view = ContactView::of(&ben, Some(&enrollment), at(30), None, Some(ContactFeedback::Code("Wrong.".into())));
        assert_eq!(view.codes_go_to.as_deref(), Some("your email b•••@example.com"));
        assert!(!view.enrolled);
        let pending = view.pending.as_ref().unwrap();
        assert_eq!((pending.sent_to.as_str(), pending.tries_left), ("phone ending in 42", 3));
        assert_eq!((pending.expires.text.as_str(), pending.expires_in.as_str()), ("00:05 UTC", "in 5 minutes"));
        assert_eq!((view.code_error.as_deref(), view.problem.as_deref()), (Some("Wrong."), None));
        // No code form left: the code's message moves above the phone form.
        let view = ContactView::of(&ben, None, at(30), None, Some(ContactFeedback::Code("Start again.".into())));
        assert_eq!((view.code_error, view.problem.as_deref()), (None, Some("Start again.")));
        // A note speaks only of a phone verified with Pod.
        assert!(ContactView::of(&ben, None, at(30), Some(ContactNote::Verified), None).notice.is_none());
        let enrolled = UserProfile { enrolled_phone: Some(phone), ..ben };
        let view = ContactView::of(&enrolled, None, at(30), Some(ContactNote::Changed), None);
        assert!(view.enrolled);
        assert_eq!(view.codes_go_to.as_deref(), Some("your phone ending in 42"));
        assert!(view.notice.unwrap().starts_with("Done: the phone ending in 42 now receives your codes. We told"));
        for note in [ContactNote::Verified, ContactNote::Changed] {
            assert_eq!(ContactNote::from_key(note.key()), Some(note));
        }
        assert_eq!(ContactNote::from_key("<script>"), None);
    }

    #[test]
    fn voice_ordering_is_open_paused_or_locked() {
        let policy = BudgetPolicy::default();
        let open = VoiceOrderingView::of(BudgetState::Open { failures: 3 }, &policy);
        assert_eq!((open.state, open.failures, open.pause_after, open.lock_after), ("open", 3, 5, 10));
        assert!(!open.blocked());
        let paused = VoiceOrderingView::of(BudgetState::Paused { until: at(60), failures: 6 }, &policy);
        assert_eq!((paused.state, paused.before_lock), ("paused", 4));
        assert_eq!(paused.paused_until.as_ref().map(|t| t.iso.as_str()), Some("1970-01-01T00:01:00Z"));
        assert!(paused.blocked() && paused.locked_since.is_none());
        let locked = VoiceOrderingView::of(BudgetState::Locked { since: at(0) }, &policy);
        assert_eq!((locked.state, locked.label.as_str(), locked.before_lock), ("locked", "Locked", 0));
        assert!(locked.blocked() && locked.locked_since.is_some() && locked.paused_until.is_none());
    }
}
