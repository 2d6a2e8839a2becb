//! One Alexa request delivered many times at once, on both stores, over HTTP: the
//! request acts once (one code in the outbox, one attempt used) and every delivery
//! gets the same answer.

use crate::helpers::{TestStack, repo_root, speech};
use pod_local::events::{self, Placeholders};
use serde_json::{Value, json};

const DELIVERIES: usize = 8;

/// `POST /pod/alexa` with `body`, `times` times at once; the answers.
async fn deliver_at_once(stack: &TestStack, body: &Value, times: usize) -> Vec<Value> {
    let mut deliveries = tokio::task::JoinSet::new();
    for _ in 0..times {
        let (http, url, body) = (stack.http().clone(), stack.url("/pod/alexa"), body.to_string());
        deliveries.spawn(async move {
            let response = http.post(url).body(body).send().await.expect("the stack answers");
            assert_eq!(response.status().as_u16(), 200, "Alexa always gets an answer");
            response.json::<Value>().await.expect("a JSON answer")
        });
    }
    deliveries.join_all().await
}

fn event(stack: &TestStack, name: &str, token: &str, code: &str) -> Value {
    let path = repo_root().join("events/alexa").join(name);
    let placeholders = Placeholders::new(token, code).with_api_endpoint(stack.local().directive_endpoint());
    events::render_file(&path, &placeholders).unwrap()
}

async fn one_request_acts_once(stack: TestStack) {
    let ana = stack.linked_token("ana");
    let answers = deliver_at_once(&stack, &event(&stack, "yes-to-the-recap.json", &ana, ""), DELIVERIES).await;
    assert!(speech(&answers[0]).contains("I sent a code"), "{}", speech(&answers[0]));
    assert!(answers.iter().all(|a| a == &answers[0]), "every delivery hears the first answer");
    assert_eq!(stack.outbox().await.len(), 1, "one code sent");
    assert_eq!(stack.local().directives().received().len(), 1, "one progressive response");
    assert_eq!(stack.orders(&ana).await.len(), 1, "one order stored");

    let code = stack.last_code().await;
    let wrong: String = code.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
    let answers = deliver_at_once(&stack, &event(&stack, "authorize-code.json", &ana, &wrong), DELIVERIES).await;
    assert!(speech(&answers[0]).contains("2 tries left"), "{}", speech(&answers[0]));
    assert!(answers.iter().all(|a| a == &answers[0]), "every delivery hears the first answer");
    let order = &stack.orders(&ana).await[0];
    assert_eq!(order["confirmation"]["attempts_left"], json!(2), "one attempt used");
    stack.stop().await;
}

#[tokio::test]
async fn one_request_delivered_many_times_at_once_acts_once_on_the_embedded_store() {
    one_request_acts_once(TestStack::spawn(&[]).await).await;
}

#[tokio::test]
async fn one_request_delivered_many_times_at_once_acts_once_on_dynamodb() {
    one_request_acts_once(TestStack::spawn_on_dynamodb("pod-orders-replays", &[]).await).await;
}
