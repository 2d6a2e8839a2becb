//! Delivering Pod's own codes through the real AWS SDK clients (SNS for SMS,
//! SES v2 for email) against the AWS-compatible server `make test` starts (moto).

use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use pod_shared::delivery::AwsMessageSender;
use pod_shared::domain::{Destination, EmailAddress, PhoneNumber};
use pod_shared::ports::MessageSender;

fn endpoint() -> String {
    std::env::var("POD_TEST_DYNAMODB_ENDPOINT")
        .expect("needs the local AWS-compatible server: run `make test` or `scripts/with-moto.sh cargo test`")
}

fn clients() -> (aws_sdk_sns::Client, aws_sdk_sesv2::Client) {
    let credentials = Credentials::new("test", "test", None, None, "pod-tests");
    let sns = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials.clone())
        .endpoint_url(endpoint())
        .build();
    let ses = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(endpoint())
        .build();
    (aws_sdk_sns::Client::from_conf(sns), aws_sdk_sesv2::Client::from_conf(ses))
}

const TEXT: &str = "4217 confirms 1 large pizza, pepperoni — Pizza on Demand. Expires in 5 min.";

#[tokio::test]
async fn an_sms_goes_through_sns() {
    let (sns, ses) = clients();
    let sender = AwsMessageSender::new(sns, ses, "pod@example.com");
    let phone = Destination::Sms(PhoneNumber::parse("+14155550121").unwrap());
    sender.deliver(&phone, TEXT).await.expect("SNS accepts the SMS");
}

#[tokio::test]
async fn an_email_goes_through_ses_from_a_verified_sender_only() {
    let (sns, ses) = clients();
    ses.create_email_identity().email_identity("codes@pod.example.com").send().await.unwrap();
    let to = Destination::Email(EmailAddress::parse("ana@example.com").unwrap());
    let verified = AwsMessageSender::new(sns.clone(), ses.clone(), "codes@pod.example.com");
    verified.deliver(&to, TEXT).await.expect("SES sends from a verified identity");
    let unverified = AwsMessageSender::new(sns, ses, "someone@elsewhere.example.com");
    let refused = unverified.deliver(&to, TEXT).await.unwrap_err();
    assert!(refused.0.starts_with("SES: "), "{refused}");
}

#[tokio::test]
async fn the_senders_settings_come_as_lambda_sets_them_with_each_services_endpoint() {
    let (_, ses) = clients();
    ses.create_email_identity().email_identity("settings@pod.example.com").send().await.unwrap();
    let endpoint = endpoint();
    let settings = std::collections::HashMap::from([
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_SESSION_TOKEN", "a-role-session".to_string()),
        ("AWS_ENDPOINT_URL_SNS", endpoint.clone()),
        ("AWS_ENDPOINT_URL_SESV2", endpoint),
    ]);
    let sender = AwsMessageSender::from_settings("settings@pod.example.com", |name| settings.get(name).cloned());
    let phone = Destination::Sms(PhoneNumber::parse("+14155550121").unwrap());
    sender.deliver(&phone, TEXT).await.expect("SNS, at its own endpoint");
    let to = Destination::Email(EmailAddress::parse("ana@example.com").unwrap());
    sender.deliver(&to, TEXT).await.expect("SES v2, at its own endpoint");

    let nowhere = std::collections::HashMap::from([
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_string()),
    ]);
    let unreachable = AwsMessageSender::from_settings("settings@pod.example.com", |name| nowhere.get(name).cloned());
    assert!(unreachable.deliver(&phone, TEXT).await.is_err(), "the global endpoint is used when a service has none");
}
