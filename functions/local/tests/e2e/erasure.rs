//! The right to erasure end to end: orders placed and confirmed by voice, then Alexa's
//! `SkillDisabled` event (recorded in `events/alexa`) sent to the stack's skill endpoint, as
//! Alexa sends it when the customer disables the skill; and `DELETE /pod/api/me`.

use crate::helpers::{TestStack, speech};

/// Ana links her account (Alexa's `SkillAccountLinked`, which tells Pod which Alexa account is
/// hers), orders by voice and confirms with the code.
async fn linked_and_ordered(stack: &TestStack) -> String {
    let token = stack.token("ana", "pizza-ana-1").await;
    let (status, answer) = stack.alexa("skill-account-linked.json", &token, "").await;
    assert_eq!((status, speech(&answer)), (200, String::new()), "an empty answer: {answer}");
    assert!(stack.order(&token).await.contains("large pizza with pepperoni"));
    let code = stack.last_code_for("+14155550121").await;
    assert!(stack.say("authorize-code.json", &token, &code).await.contains("Order confirmed"));
    assert_eq!(stack.orders(&token).await.len(), 1);
    token
}

async fn disabling_without_keeping_the_data_erases_it(stack: TestStack) {
    let token = linked_and_ordered(&stack).await;
    let (status, answer) = stack.alexa("skill-disabled-persisted.json", "", "").await;
    assert_eq!((status, speech(&answer)), (200, String::new()));
    assert_eq!(stack.orders(&token).await.len(), 1, "PERSISTED keeps the orders");

    let (status, answer) = stack.alexa("skill-disabled-not-persisted.json", "", "").await;
    assert_eq!((status, speech(&answer)), (200, String::new()), "{answer}");
    assert!(stack.orders(&token).await.is_empty(), "NOT_PERSISTED erases them");
    let (status, activity) = stack.api(reqwest::Method::GET, "/activity", &token, None).await;
    assert_eq!((status, activity["activity"].as_array().map(Vec::len)), (200, Some(0)));

    // Alexa may deliver it again: nothing left, the same empty answer.
    let (status, _) = stack.alexa("skill-disabled-not-persisted.json", "", "").await;
    assert_eq!(status, 200);
    // Ana can order again, as a new user.
    assert!(stack.order(&token).await.contains("large pizza with pepperoni"));
    assert_eq!(stack.orders(&token).await.len(), 1);
    stack.stop().await;
}

#[tokio::test]
async fn skill_disabled_without_keeping_the_data_erases_the_users_orders_on_the_embedded_store() {
    disabling_without_keeping_the_data_erases_it(TestStack::spawn(&[]).await).await;
}

#[tokio::test]
async fn skill_disabled_without_keeping_the_data_erases_the_users_orders_on_dynamodb() {
    disabling_without_keeping_the_data_erases_it(TestStack::spawn_on_dynamodb("pod-orders-erasure", &[]).await).await;
}

#[tokio::test]
async fn delete_me_erases_the_callers_data_and_no_one_elses() {
    let stack = TestStack::spawn(&[]).await;
    let ana = linked_and_ordered(&stack).await;
    let ben = stack.token("ben", "pizza-ben-1").await;
    assert!(stack.order(&ben).await.contains("large pizza with pepperoni"));
    for _ in 0..2 {
        let (status, body) = stack.api(reqwest::Method::DELETE, "/me", &ana, None).await;
        assert_eq!((status, body), (204, serde_json::Value::Null));
        assert!(stack.orders(&ana).await.is_empty());
    }
    assert_eq!(stack.orders(&ben).await.len(), 1);
    stack.stop().await;
}
