//! The web app in a real browser: headless Chromium driven through chromedriver
//! (WebDriver, with `fantoccini`) against the local stack. Ana signs in through
//! the identity provider's form, orders by voice (the recorded Alexa events),
//! watches the order appear and turn confirmed without a reload, and signs out.
//! In a second stack, wrong codes said to Alexa pause her voice ordering; she
//! unlocks it on the Security page, sees the pause and the unlock in her
//! Activity, and orders by voice again. In a third, Ben (email only) verifies a phone
//! number on the Security page with the code texted to it; his email is told, and
//! Alexa's next code goes to the phone. In a fourth, Ana deletes her data from the Security page.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/install-chromium.sh);
//! without them the test fails and says so. Screenshots go to build/screenshots/:
//! the orders page (pending, confirmed, and confirmed on a phone-sized window),
//! the Security page while paused, the Activity page after the unlock, and the
//! Security page waiting for a phone's code and after it, and the erasure's confirmation and done pages.

use crate::helpers::{TestStack, repo_root};
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The longest wait for anything the page should show by itself.
const PATIENCE: Duration = Duration::from_secs(10);
/// A phone-sized window (CSS pixels).
const PHONE: (u32, u32) = (390, 844);

/// Fails, rather than skips, when the browser is not installed.
fn require_browser() {
    for binary in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(binary).exists(),
            "{binary} is missing: run scripts/install-chromium.sh (as root) to install chromium and chromium-driver"
        );
    }
}

/// chromedriver on a free port, in its own process group; dropping it (also when
/// the test panics) kills that group, so chromedriver and the Chromium it started go.
struct ChromeDriver {
    process: Child,
    url: String,
    log: PathBuf,
    /// Chromium's fresh profile (`--user-data-dir`), removed after the processes.
    profile: tempfile::TempDir,
}

impl ChromeDriver {
    async fn start() -> Self {
        let work = tempfile::tempdir().expect("a temporary directory");
        let port = free_port();
        let log = work.path().join("chromedriver.log");
        let output = File::create(&log).expect("a log file");
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(output.try_clone().expect("a log file"))
            .stderr(output)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}; run scripts/install-chromium.sh"));
        let driver = Self { process, url: format!("http://127.0.0.1:{port}"), log, profile: work };
        driver.wait_until_ready().await;
        driver
    }

    async fn wait_until_ready(&self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Ok(response) = http.get(format!("{}/status", self.url)).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not become ready:\n{}", self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A WebDriver session in headless Chromium with a fresh profile.
    async fn browser(&self) -> Client {
        let profile = format!("--user-data-dir={}", self.profile.path().join("profile").display());
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            profile.as_str(),
        ];
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        // English, whatever the machine's locale: the pages answer in the Accept-Language's language.
        let prefs = json!({"intl.accept_languages": "en-US,en"});
        let options = json!({"binary": CHROMIUM, "args": args, "prefs": prefs});
        capabilities.insert("goog:chromeOptions".into(), options);
        ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session: {e}\n{}", self.log_text()))
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole group (its id is chromedriver's): chromedriver and the browser it started.
        if let Ok(group) = i32::try_from(self.process.id()) {
            // SAFETY: kill(2) with a negative id signals that process group and touches no memory.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// Orders by voice as the owner of `token`, then gives wrong codes (three per order, then orders
/// again) until Alexa says voice ordering is paused; returns how many wrong codes that took.
async fn wrong_codes_until_paused(stack: &TestStack, token: &str) -> u32 {
    let mut wrong_codes = 0;
    for _ in 0..5 {
        let said = stack.order(token).await;
        assert!(said.contains("I sent a code"), "{said}");
        let right = stack.last_code().await;
        let wrong = if right == "0000" { "1111" } else { "0000" };
        for _ in 0..3 {
            let said = stack.say("authorize-code.json", token, wrong).await;
            wrong_codes += 1;
            if said.contains("paused voice ordering") {
                return wrong_codes;
            }
            assert!(said.contains("That code isn") || said.contains("locked this order"), "{said}");
            if said.contains("locked this order") {
                break;
            }
        }
    }
    panic!("voice ordering did not pause after {wrong_codes} wrong codes")
}

/// Waits (up to [`PATIENCE`]) until the page's path is `path`.
async fn wait_for_path(browser: &Client, path: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let url = browser.current_url().await.expect("the current URL");
        if url.path() == path {
            return;
        }
        assert!(Instant::now() < deadline, "expected to reach {path}, still on {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for(browser: &Client, css: &str) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear within {PATIENCE:?}: {e}"))
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

/// Waits (up to [`PATIENCE`]) until the element at `css` shows `text`.
async fn wait_for_text(browser: &Client, css: &str, text: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && element.text().await.is_ok_and(|shown| shown.contains(text))
        {
            return;
        }
        assert!(Instant::now() < deadline, "{css} did not show {text:?} within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs Ana in through the identity provider's form, from the home page; she lands on her orders.
async fn sign_in_as_ana(browser: &Client, base: &str) {
    sign_in_as(browser, base, "ana", "pizza-ana-1").await;
}

/// Signs a dev user in through the identity provider's form, from the home page; they land on their orders.
async fn sign_in_as(browser: &Client, base: &str, username: &str, password: &str) {
    browser.goto(&format!("{base}/pod/app/")).await.unwrap();
    assert_eq!(text_of(browser, "h1").await, "Pizza on Demand");
    browser.find(Locator::Css("#sign-in")).await.unwrap().click().await.unwrap();
    wait_for(browser, "#username").await.send_keys(username).await.unwrap();
    browser.find(Locator::Css("#password")).await.unwrap().send_keys(password).await.unwrap();
    browser.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(browser, "/pod/app/orders").await;
}

async fn save_screenshot(browser: &Client, name: &str) {
    let dir = repo_root().join("build/screenshots");
    std::fs::create_dir_all(&dir).expect("build/screenshots can be created");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join(name), png).expect("the screenshot is written");
}

#[tokio::test]
async fn ana_signs_in_and_watches_her_order_get_confirmed_live() {
    require_browser();
    let stack = TestStack::spawn(&[]).await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser().await;
    let base = stack.base_url();

    // Signed out: the home page offers to sign in; the identity provider's form takes Ana's password.
    // Back on Pod, signed in, on her (empty) orders.
    sign_in_as_ana(&browser, &base).await;
    assert_eq!(text_of(&browser, "h1").await, "My orders");
    assert!(text_of(&browser, "#orders").await.contains("No orders yet"));
    wait_for(&browser, "form.sign-out button").await;
    assert!(text_of(&browser, "#live-hint").await.contains("updates by itself"), "the script runs");
    // Chromium asks for English, and the page is in English.
    let languages = browser.execute("return [navigator.language, document.documentElement.lang];", vec![]).await;
    assert_eq!(languages.unwrap(), json!(["en-US", "en"]));
    browser.execute("window.podSamePage = true;", vec![]).await.unwrap();

    // An order by voice shows up by itself, pending, with where the code went.
    let ana = stack.token("ana", "pizza-ana-1").await;
    let said = stack.order(&ana).await;
    assert!(said.contains("waiting for confirmation"), "{said}");
    let row = wait_for(&browser, r#"tr[data-status="pending"]"#).await;
    let text = row.text().await.unwrap();
    assert!(text.contains("Large pizza with pepperoni and mushrooms"), "{text}");
    assert!(text.contains("phone ending in 21"), "{text}");
    assert_eq!(
        text_of(&browser, r#"tr[data-status="pending"] td.total"#).await,
        "$17.50",
        "the total, in dollars (en-US)"
    );
    save_screenshot(&browser, "orders-pending.png").await;

    // The code, said back: the same row turns confirmed, still without a reload.
    let said = stack.say("authorize-code.json", &ana, &stack.last_code().await).await;
    assert!(said.contains("Order confirmed"), "{said}");
    let row = wait_for(&browser, r#"tr[data-status="confirmed"]"#).await;
    assert!(row.text().await.unwrap().contains("Confirmed"));
    assert!(text_of(&browser, "#live-status").await.contains("Confirmed"), "announced to screen readers");
    let same_page = browser.execute("return window.podSamePage === true;", vec![]).await.unwrap();
    assert_eq!(same_page, Value::Bool(true), "the page was not reloaded");
    save_screenshot(&browser, "orders.png").await;

    // The same page on a phone-sized window.
    browser.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let width = browser.execute("return document.documentElement.clientWidth;", vec![]).await.unwrap();
    assert!(width.as_u64().is_some_and(|w| w <= u64::from(PHONE.0)), "{width}");
    let overflow = browser
        .execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(overflow, Value::Bool(false), "nothing sticks out sideways on a phone");
    save_screenshot(&browser, "orders-phone.png").await;
    browser.set_window_size(1280, 900).await.unwrap();

    // Signing out ends the session, and the identity provider's too (through its logout, back
    // home): home offers to sign in again, orders need a sign-in, and "Sign in" asks for the
    // password again instead of coming straight back signed in.
    browser.find(Locator::Css("form.sign-out button")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/pod/app/").await;
    wait_for(&browser, "#sign-in").await;
    assert!(browser.find(Locator::Css("form.sign-out")).await.is_err());
    browser.goto(&format!("{base}/pod/app/orders")).await.unwrap();
    wait_for_path(&browser, "/auth0/authorize").await;
    wait_for(&browser, "#password").await;
    browser.goto(&format!("{base}/pod/app/")).await.unwrap();
    browser.find(Locator::Css("#sign-in")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/auth0/authorize").await;
    wait_for(&browser, "#password").await;

    browser.close().await.unwrap();
    drop(driver);
    stack.stop().await;
}

#[tokio::test]
async fn ana_unlocks_voice_ordering_after_wrong_codes_paused_it() {
    require_browser();
    let stack = TestStack::spawn(&[]).await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser().await;
    let base = stack.base_url();

    // Someone at Ana's speaker guesses codes until Alexa pauses voice ordering; then nothing goes out.
    let ana = stack.token("ana", "pizza-ana-1").await;
    let wrong_codes = wrong_codes_until_paused(&stack, &ana).await;
    assert_eq!(wrong_codes, stack.settings().budget.pause_after(), "paused at the threshold");
    let said = stack.order(&ana).await;
    assert!(said.contains("Voice ordering is paused"), "{said}");

    // Ana signs in and opens Security from the navigation: paused, with the unlock button.
    sign_in_as_ana(&browser, &base).await;
    browser.find(Locator::Css(r#"nav a[href="/pod/app/security"]"#)).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/pod/app/security").await;
    assert_eq!(text_of(&browser, "h1").await, "Security");
    let current = browser.find(Locator::Css(r#"nav a[aria-current="page"]"#)).await.unwrap();
    assert_eq!(current.text().await.unwrap(), "Security");
    assert_eq!(text_of(&browser, "#voice-ordering-state").await, "Paused");
    assert!(text_of(&browser, "#voice-ordering").await.contains("Voice ordering is paused until"));
    assert!(text_of(&browser, "#contact h2").await.contains("Where codes go"));
    save_screenshot(&browser, "security-paused.png").await;

    // The button unlocks it; back on Security, voice ordering is open again.
    browser.find(Locator::Css("form.unlock button")).await.unwrap().click().await.unwrap();
    wait_for_text(&browser, "#voice-ordering-state", "Open").await;
    assert_eq!(browser.current_url().await.unwrap().path(), "/pod/app/security");
    assert!(text_of(&browser, "#voice-ordering").await.contains("No wrong codes since the last right one."));
    assert!(browser.find(Locator::Css("form.unlock")).await.is_err(), "nothing left to unlock");

    // Activity, from the Security page: the unlock (from the web) above the pause (from voice).
    browser.find(Locator::LinkText("See your activity")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/pod/app/activity").await;
    let unlocked = wait_for(&browser, r#"tr[data-kind="voice_ordering_unlocked"]"#).await.text().await.unwrap();
    assert!(unlocked.contains("Voice ordering unlocked") && unlocked.contains("web"), "{unlocked}");
    let paused = text_of(&browser, r#"tr[data-kind="voice_ordering_paused"]"#).await;
    assert!(paused.contains("Voice ordering paused until") && paused.contains("voice"), "{paused}");
    let kinds = browser
        .execute("return Array.from(document.querySelectorAll('tr[data-kind]'), row => row.dataset.kind);", vec![])
        .await
        .unwrap();
    let kinds: Vec<String> = serde_json::from_value(kinds).unwrap();
    assert_eq!(kinds[..2], ["voice_ordering_unlocked", "voice_ordering_paused"], "newest first: {kinds:?}");
    assert_eq!(kinds.iter().filter(|kind| *kind == "wrong_code").count(), wrong_codes as usize);
    let page = text_of(&browser, "main").await;
    assert!(!page.contains("+14155550121") && !page.contains("4155550121"), "no full phone number");
    save_screenshot(&browser, "activity.png").await;

    // Ordering by voice works again, code and all.
    let said = stack.order(&ana).await;
    assert!(said.contains("I sent a code"), "{said}");
    let said = stack.say("authorize-code.json", &ana, &stack.last_code().await).await;
    assert!(said.contains("Order confirmed"), "{said}");

    browser.close().await.unwrap();
    drop(driver);
    stack.stop().await;
}

#[tokio::test]
async fn ben_verifies_a_phone_and_alexa_sends_his_next_code_there() {
    const PHONE: &str = "+14155550142";
    require_browser();
    let stack = TestStack::spawn(&[]).await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser().await;
    let base = stack.base_url();

    // Ben has only his email; the Security page says codes go there, and offers to add a phone.
    sign_in_as(&browser, &base, "ben", "pizza-ben-1").await;
    browser.find(Locator::Css(r#"nav a[href="/pod/app/security"]"#)).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/pod/app/security").await;
    assert_eq!(text_of(&browser, "#codes-go-to").await, "Codes go to your email b•••@example.com.");
    let label = text_of(&browser, r#"label[for="enrollment-phone"]"#).await;
    assert_eq!(label, "Add a phone number for codes");

    // He types the number; Pod texts it a code and the page waits for it.
    let field = browser.find(Locator::Css("#enrollment-phone")).await.unwrap();
    assert_eq!(field.attr("type").await.unwrap().as_deref(), Some("tel"));
    assert_eq!(field.attr("autocomplete").await.unwrap().as_deref(), Some("tel"));
    field.send_keys(PHONE).await.unwrap();
    browser.find(Locator::Css("form.enroll-phone button")).await.unwrap().click().await.unwrap();
    wait_for_text(&browser, "#enrollment-pending", "We sent a code to the phone ending in 42; it expires at").await;
    assert_eq!(browser.current_url().await.unwrap().path(), "/pod/app/security");
    assert!(text_of(&browser, "#enrollment-pending").await.contains("3 tries left."));
    assert!(!text_of(&browser, "main").await.contains("4155550142"), "no full phone number");
    save_screenshot(&browser, "security-phone-pending.png").await;

    // The code from the text message to that number, typed in: codes go to the phone now.
    let texted = stack.idp().outbox_newest(Some(PHONE), 1);
    let code = texted.first().expect("a code texted to the new number").code.clone();
    // The web app holds no Management API application, so with Auth0 order codes it sends Pod's own
    // enrollment code (at least 6 digits) through the notices' delivery.
    assert_eq!(code.len(), stack.settings().challenge.code_length.max(6), "{texted:?}");
    browser.find(Locator::Css("#enrollment-code")).await.unwrap().send_keys(&code).await.unwrap();
    browser.find(Locator::Css("form.enroll-code button")).await.unwrap().click().await.unwrap();
    wait_for_text(&browser, "#contact-notice", "Done: the phone ending in 42 now receives your codes.").await;
    assert!(text_of(&browser, "#contact-notice").await.contains("We told your previous contact"));
    let now_to = text_of(&browser, "#codes-go-to").await;
    assert_eq!(now_to, "Codes go to your phone ending in 42 (verified with Pod).");
    assert!(browser.find(Locator::Css("#enrollment-code")).await.is_err(), "no code awaited any more");
    let page = text_of(&browser, "main").await;
    assert!(!page.contains("4155550142") && !page.contains(&code), "no full phone number, no code");
    save_screenshot(&browser, "security-phone-verified.png").await;

    // His email, where codes went before, was told, and told that this is no code.
    let told = stack.idp().outbox_newest(Some("ben@example.com"), 1);
    let notice = &told.first().expect("a notice to Ben's email").text;
    assert!(notice.contains("this is not a code") && notice.contains("phone ending in 42"), "{notice}");

    // The profile and the activity say the same, masked.
    browser.find(Locator::Css(r#"nav a[href="/pod/app/profile"]"#)).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/pod/app/profile").await;
    let profile = text_of(&browser, "main").await;
    assert!(profile.contains("ending in 42 (verified with Pod)") && !profile.contains("4155550142"), "{profile}");
    browser.goto(&format!("{base}/pod/app/activity")).await.unwrap();
    let changed = wait_for(&browser, r#"tr[data-kind="contact_changed"]"#).await.text().await.unwrap();
    assert!(changed.contains("Contact changed from email b•••@example.com to phone ending in 42"), "{changed}");

    // Alexa's next code goes to the phone, and it confirms the order.
    let ben = stack.token("ben", "pizza-ben-1").await;
    let said = stack.order(&ben).await;
    assert!(said.contains("I sent a code to your phone ending in"), "{said}");
    assert!(said.contains(">42<"), "{said}");
    let sent = stack.idp().outbox();
    let order_code = sent.last().expect("the order's code");
    assert_eq!(order_code.destination, PHONE);
    let said = stack.say("authorize-code.json", &ben, &order_code.code).await;
    assert!(said.contains("Order confirmed"), "{said}");

    browser.close().await.unwrap();
    drop(driver);
    stack.stop().await;
}

#[tokio::test]
async fn ana_deletes_her_data_from_the_security_page() {
    require_browser();
    let stack = TestStack::spawn(&[]).await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser().await;
    let base = stack.base_url();

    // An order by voice, confirmed; Ana sees it.
    let ana = stack.token("ana", "pizza-ana-1").await;
    assert!(stack.order(&ana).await.contains("I sent a code"));
    assert!(stack.say("authorize-code.json", &ana, &stack.last_code().await).await.contains("Order confirmed"));
    sign_in_as_ana(&browser, &base).await;
    wait_for(&browser, r#"tr[data-status="confirmed"]"#).await;

    // Security → Delete my data: a page that says what goes, and asks.
    browser.goto(&format!("{base}/pod/app/security")).await.unwrap();
    browser.find(Locator::Css("#erase-link")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/pod/app/security/erase").await;
    assert_eq!(text_of(&browser, "h1").await, "Delete my data");
    assert!(text_of(&browser, "#erase-what").await.contains("your orders"));
    save_screenshot(&browser, "erase-confirm.png").await;

    // The button deletes everything and signs her out; the page says so.
    browser.find(Locator::Css("form.erase button")).await.unwrap().click().await.unwrap();
    wait_for_text(&browser, "h1", "Your data is deleted").await;
    assert!(browser.find(Locator::Css("form.sign-out")).await.is_err(), "signed out");
    save_screenshot(&browser, "erased.png").await;
    assert!(stack.orders(&ana).await.is_empty(), "the API finds no orders");
    // Her sign-in with the identity provider is its own: signing in again starts afresh, with no orders.
    browser.goto(&format!("{base}/pod/app/orders")).await.unwrap();
    wait_for_path(&browser, "/pod/app/orders").await;
    wait_for_text(&browser, "#orders", "No orders yet").await;

    browser.close().await.unwrap();
    drop(driver);
    stack.stop().await;
}
