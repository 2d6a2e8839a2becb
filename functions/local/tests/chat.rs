//! `pod-local chat` plays the seed's conversation from a script.

use pod_local::LocalStack;
use pod_local::chat::Chat;
use pod_shared::alexa::InteractionModel;
use std::path::Path;

#[tokio::test]
async fn the_chat_plays_the_seed_conversation() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let dir = tempfile::tempdir().unwrap();
    let vars = pod_local::private_settings(manifest, dir.path()).unwrap();
    let stack = LocalStack::start(|name| vars.get(name).cloned()).await.unwrap();
    let model_path = root.join("alexa-model/interactionModels/custom/en-US.json");
    let model_json = serde_json::from_str(&std::fs::read_to_string(model_path).unwrap()).unwrap();
    let model = InteractionModel::from_json(&model_json).unwrap();
    let token = stack.idp().linked_access_token("ana").unwrap();
    let script = std::fs::read(root.join("scripts/seed-conversation.chat")).unwrap();

    let mut out = Vec::new();
    Chat::new(&stack.base_url(), &token, &model).run(&script[..], &mut out, false).await.unwrap();
    let transcript = String::from_utf8(out).unwrap();
    for expected in [
        "you> open pizza on demand",
        "alexa> Welcome to Pizza on Demand",
        "(GetMeSomePizzaIntent Size=large Toppings=mushrooms+onions)",
        "alexa> Your large pizza with mushrooms and onions is waiting for confirmation",
        "your phone ending in 21",
        "outbox> sms to +14155550121: Your Pizza on Demand code is",
        "(AuthorizePizzaOrderIntent Code=",
        "alexa> Order confirmed!",
        "card> Pizza on Demand: Order confirmed!",
        "(AMAZON.HelpIntent)",
        "alexa> Okay. Goodbye!",
    ] {
        assert!(transcript.contains(expected), "missing '{expected}' in:\n{transcript}");
    }
    stack.stop().await;
}
