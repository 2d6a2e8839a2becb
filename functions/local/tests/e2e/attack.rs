//! The attack the guess budget stops, end to end over HTTP against the local stack:
//! someone at the speaker orders, guesses codes until the order locks, orders again,
//! and waits out every pause, with a send limit high enough that only the guess budget
//! stands in the way. Pauses are one second here (`ACCOUNT_PAUSE_SECONDS=1`) so the
//! test can wait them out; everything else is the checked-in `local.env`.

use crate::helpers::TestStack;
use serde_json::json;
use std::time::{Duration, Instant};

const ANA_PHONE: &str = "+14155550121";
/// A send limit high enough that only the guess budget stands in the way, and pauses of one second.
const SETTINGS: &[(&str, &str)] = &[("CODE_SENDS_PER_HOUR", "100"), ("ACCOUNT_PAUSE_SECONDS", "1")];

/// What the attack achieved.
#[derive(Debug)]
struct AttackFigures {
    orders_placed: usize,
    guesses_made: usize,
    codes_checked: u64,
    refused_while_blocked: usize,
    seconds_until_locked: f64,
}

async fn attack(stack: &TestStack) -> AttackFigures {
    let token = stack.token("ana", "pizza-ana-1").await;
    let started = Instant::now();
    let (mut orders_placed, mut guesses_made, mut refused_while_blocked) = (0, 0, 0);
    let mut warned = false;
    let mut guess = 0u32;
    'ordering: for _ in 0..60 {
        let codes_before = stack.outbox_to(ANA_PHONE).await.iter().filter(|m| m["code"] != "").count();
        let said = stack.order(&token).await;
        if !said.contains("I sent a code") {
            let codes_after = stack.outbox_to(ANA_PHONE).await.iter().filter(|m| m["code"] != "").count();
            assert_eq!(codes_after, codes_before, "no code is sent while voice ordering is blocked");
            refused_while_blocked += 1;
            if said.contains("locked") {
                break 'ordering;
            }
            assert!(said.contains("paused"), "{said}");
            tokio::time::sleep(Duration::from_millis(1100)).await;
            continue;
        }
        orders_placed += 1;
        warned |= said.contains("one more wrong code will lock voice ordering");
        for _ in 0..3 {
            guess += 1;
            guesses_made += 1;
            let said = stack.say("authorize-code.json", &token, &format!("{:04}", 7000 + guess)).await;
            warned |= said.contains("one more wrong code will lock voice ordering");
            if !said.contains("isn't right") || said.contains("voice ordering") {
                continue 'ordering;
            }
        }
    }
    assert!(warned, "the warning before the lock was spoken");
    AttackFigures {
        orders_placed,
        guesses_made,
        codes_checked: stack.idp().codes_checked(),
        refused_while_blocked,
        seconds_until_locked: started.elapsed().as_secs_f64(),
    }
}

async fn the_attack_ends_at_the_lock_and_the_owner_is_told(stack: TestStack, store: &str) {
    let figures = attack(&stack).await;
    println!(
        "attack on the {store} store: {} orders placed, {} guesses, {} codes checked, {} orders refused while \
         paused or locked, ordering locked after {:.1} s (pauses of 1 s; 53.25 h with the default pauses)",
        figures.orders_placed,
        figures.guesses_made,
        figures.codes_checked,
        figures.refused_while_blocked,
        figures.seconds_until_locked
    );
    assert_eq!(figures.refused_while_blocked, 6, "one order refused in each of five pauses, then the lock");
    let lock_after = stack.settings().budget.lock_after() as u64;
    assert!(figures.codes_checked <= lock_after, "at most {lock_after} codes checked: {figures:?}");
    assert_eq!(figures.codes_checked, lock_after, "the whole budget was used: {figures:?}");
    assert_eq!(figures.guesses_made as u64, figures.codes_checked, "every guess was checked once, none past the lock");

    let token = stack.token("ana", "pizza-ana-1").await;
    let notices: Vec<String> = stack
        .outbox_to(ANA_PHONE)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .filter(|t| t.contains("security notice"))
        .collect();
    assert_eq!(notices.len(), 6, "five pauses and the lock: {notices:?}");
    assert!(notices.iter().all(|t| t.contains("this is not a code") && t.contains("/pod/app/security")));
    assert!(notices.last().unwrap().contains("locked"));

    // The API obeys the same budget, and the record shows every step, masked.
    let (status, problem) = stack.api(reqwest::Method::POST, "/orders", &token, Some(json!({"size": "small"}))).await;
    assert_eq!((status, problem["type"].as_str()), (423, Some("urn:pod:problem:ordering-locked")));
    let (status, page) = stack.api(reqwest::Method::GET, "/activity?limit=100", &token, None).await;
    assert_eq!(status, 200);
    let kinds: Vec<&str> = page["activity"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "wrong_code").count() as u64, figures.codes_checked);
    assert_eq!(kinds.iter().filter(|k| **k == "code_sent").count(), figures.orders_placed);
    assert_eq!(kinds.iter().filter(|k| **k == "voice_ordering_paused").count(), 5);
    assert_eq!(kinds.first(), Some(&"voice_ordering_locked"));
    assert!(!page.to_string().contains(ANA_PHONE), "never the full number");
    stack.stop().await;
}

#[tokio::test]
async fn reordering_and_guessing_stops_at_the_lock_on_the_embedded_store() {
    let stack = TestStack::spawn(SETTINGS).await;
    the_attack_ends_at_the_lock_and_the_owner_is_told(stack, "embedded").await;
}

#[tokio::test]
async fn reordering_and_guessing_stops_at_the_lock_on_dynamodb() {
    let stack = TestStack::spawn_on_dynamodb("pod-orders-attack", SETTINGS).await;
    the_attack_ends_at_the_lock_and_the_owner_is_told(stack, "DynamoDB").await;
}
