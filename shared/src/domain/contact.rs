use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("a phone number must be in E.164 form: '+' then 8 to 15 digits")]
    BadPhoneNumber,
    #[error("an email address must look like name@example.com (at most 254 characters)")]
    BadEmailAddress,
}

/// A phone number in E.164 form (`+14155550121`), as Auth0's SMS connection wants it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let compact: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
        let digits = compact.strip_prefix('+').ok_or(ContactError::BadPhoneNumber)?;
        let ok =
            (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        if ok { Ok(Self(compact)) } else { Err(ContactError::BadPhoneNumber) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last two digits, all that Pod ever shows or logs of a number.
    pub fn last_two_digits(&self) -> String {
        self.0[self.0.len() - 2..].to_string()
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber(…{})", self.last_two_digits())
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ContactError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

/// An email address, checked for shape (one `@`, a dotted domain, no spaces).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let raw = raw.trim();
        let (local, domain) = raw.split_once('@').ok_or(ContactError::BadEmailAddress)?;
        let ok = raw.len() <= 254
            && !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok { Ok(Self(raw.to_string())) } else { Err(ContactError::BadEmailAddress) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    fn first_char(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({}•••@{})", self.first_char(), self.domain())
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ContactError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

/// How a one-time code travels: Auth0's passwordless connections `sms` and `email`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    /// The Auth0 passwordless connection (and OTP grant realm) name.
    pub fn connection(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// Where a code goes: the full address, used only to send and verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Sms(PhoneNumber),
    Email(EmailAddress),
}

impl Destination {
    pub fn channel(&self) -> Channel {
        match self {
            Destination::Sms(_) => Channel::Sms,
            Destination::Email(_) => Channel::Email,
        }
    }

    pub fn address(&self) -> &str {
        match self {
            Destination::Sms(phone) => phone.as_str(),
            Destination::Email(email) => email.as_str(),
        }
    }

    pub fn masked(&self) -> MaskedDestination {
        match self {
            Destination::Sms(phone) => MaskedDestination::Phone { last_digits: phone.last_two_digits() },
            Destination::Email(email) => {
                MaskedDestination::Email { first_char: email.first_char(), domain: email.domain().to_string() }
            }
        }
    }
}

/// The contacts the identity provider vouched for when the user last signed in to the web app
/// (the ID token's `email`, `email_verified`, `phone_number`, `phone_verified` claims). The web
/// app reads profiles from these, so it needs no Management API credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInContacts {
    pub user_id: super::UserId,
    pub email: Option<EmailAddress>,
    pub email_verified: bool,
    pub phone: Option<PhoneNumber>,
    pub phone_verified: bool,
    /// When the ID token was issued; an older sign-in never replaces a newer one.
    pub signed_in_at: super::Timestamp,
}

impl SignInContacts {
    /// A flag counts only beside the contact it is about.
    pub fn new(
        user_id: super::UserId,
        email: Option<EmailAddress>,
        email_verified: bool,
        phone: Option<PhoneNumber>,
        phone_verified: bool,
        signed_in_at: super::Timestamp,
    ) -> Self {
        let email_verified = email_verified && email.is_some();
        let phone_verified = phone_verified && phone.is_some();
        Self { user_id, email, email_verified, phone, phone_verified, signed_in_at }
    }
}

/// What may be shown, spoken, stored and logged about a destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum MaskedDestination {
    Phone { last_digits: String },
    Email { first_char: char, domain: String },
}

impl fmt::Display for MaskedDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaskedDestination::Phone { last_digits } => write!(f, "phone ending in {last_digits}"),
            MaskedDestination::Email { first_char, domain } => {
                write!(f, "email {first_char}•••@{domain}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_must_be_e164() {
        assert_eq!(PhoneNumber::parse("+1 415-555-0121").unwrap().as_str(), "+14155550121");
        for bad in ["4155550121", "+0123456789", "+12", "+1415555012a", "", "+1234567890123456"] {
            assert_eq!(PhoneNumber::parse(bad), Err(ContactError::BadPhoneNumber), "{bad}");
        }
    }

    #[test]
    fn emails_need_a_plausible_shape() {
        assert!(EmailAddress::parse("ana@example.com").is_ok());
        for bad in ["ana", "@example.com", "ana@example", "ana@@example.com", "a na@example.com", "ana@example.com."] {
            assert_eq!(EmailAddress::parse(bad), Err(ContactError::BadEmailAddress), "{bad}");
        }
    }

    #[test]
    fn masking_reveals_only_last_digits_or_first_letter_and_domain() {
        let sms = Destination::Sms(PhoneNumber::parse("+14155550121").unwrap());
        assert_eq!(sms.masked().to_string(), "phone ending in 21");
        assert_eq!(sms.channel(), Channel::Sms);
        let email = Destination::Email(EmailAddress::parse("ana@example.com").unwrap());
        assert_eq!(email.masked().to_string(), "email a•••@example.com");
        assert!(!format!("{email:?}").contains("ana@"));
        assert!(!format!("{sms:?}").contains("555"));
    }
}
