//! Delivering Pod's own codes: Amazon SNS for SMS, Amazon SES (v2) for email,
//! through the real AWS SDK clients (endpoints from the standard AWS settings,
//! so `AWS_ENDPOINT_URL_SNS` / `AWS_ENDPOINT_URL_SESV2` point them at a local server).

use crate::domain::Destination;
use crate::ports::{DeliveryError, MessageSender};
use crate::round_trips::{Remote, track};
use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination as EmailDestination, EmailContent, Message};
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::MessageAttributeValue;

const SUBJECT: &str = "Your Pizza on Demand code";

pub struct AwsMessageSender {
    sns: aws_sdk_sns::Client,
    ses: aws_sdk_sesv2::Client,
    from_address: String,
}

fn failed<E: ProvideErrorMetadata>(service: &str, error: &E) -> DeliveryError {
    DeliveryError(format!("{service}: {}", error.code().unwrap_or("unknown error")))
}

impl AwsMessageSender {
    pub fn new(sns: aws_sdk_sns::Client, ses: aws_sdk_sesv2::Client, from_address: impl Into<String>) -> Self {
        Self { sns, ses, from_address: from_address.into() }
    }

    /// Clients from the standard AWS settings (region, credentials, endpoint overrides).
    pub async fn from_environment(from_address: &str) -> Self {
        Self::from_settings(from_address, |name| std::env::var(name).ok())
    }

    /// As [`Self::from_environment`], reading the settings through `lookup` ([`crate::aws`]).
    pub fn from_settings(from_address: &str, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let sns = aws_sdk_sns::Client::new(&crate::aws::sdk_config_from(crate::aws::Service::Sns, &lookup));
        let ses = aws_sdk_sesv2::Client::new(&crate::aws::sdk_config_from(crate::aws::Service::SesV2, &lookup));
        Self::new(sns, ses, from_address)
    }
}

#[async_trait]
impl MessageSender for AwsMessageSender {
    async fn deliver(&self, destination: &Destination, text: &str) -> Result<(), DeliveryError> {
        match destination {
            Destination::Sms(phone) => {
                let transactional =
                    MessageAttributeValue::builder().data_type("String").string_value("Transactional").build();
                let transactional = transactional.map_err(|e| DeliveryError(e.to_string()))?;
                let publish = self
                    .sns
                    .publish()
                    .phone_number(phone.as_str())
                    .message(text)
                    .message_attributes("AWS.SNS.SMS.SMSType", transactional)
                    .send();
                track(Remote::Delivery, "sns_publish", publish).await.map_err(|e| failed("SNS", &e))?;
            }
            Destination::Email(email) => {
                let content = |data: &str| Content::builder().data(data).charset("UTF-8").build();
                let subject = content(SUBJECT).map_err(|e| DeliveryError(e.to_string()))?;
                let body = content(text).map_err(|e| DeliveryError(e.to_string()))?;
                let message = Message::builder().subject(subject).body(Body::builder().text(body).build()).build();
                let send = self
                    .ses
                    .send_email()
                    .from_email_address(&self.from_address)
                    .destination(EmailDestination::builder().to_addresses(email.as_str()).build())
                    .content(EmailContent::builder().simple(message).build())
                    .send();
                track(Remote::Delivery, "ses_send_email", send).await.map_err(|e| failed("SES", &e))?;
            }
        }
        tracing::info!(to = %destination.masked(), "code delivered");
        Ok(())
    }
}
