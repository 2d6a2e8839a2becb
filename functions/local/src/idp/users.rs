//! The tenant's users: database users from the dev users file, passwordless
//! users created through the Management API, and the links between them.

use super::secrets;
use pod_shared::domain::{Channel, ContactError, EmailAddress, PhoneNumber};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use subtle::ConstantTimeEq;

/// Auth0's default database connection, which holds the dev users.
const DATABASE_CONNECTION: &str = "Username-Password-Authentication";
/// Hex characters in the random part of a user id, as in Auth0's ids.
const USER_ID_HEX_LEN: usize = 24;

/// A database user for development, as listed in the dev users file
/// (a JSON array of these objects).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevUser {
    /// What the user types to sign in (the email address works too).
    pub username: String,
    /// A plain-text password: these users exist on developers' machines only.
    pub password: String,
    /// The user's email address.
    pub email: String,
    /// An E.164 phone number, kept in `user_metadata.phone_number` as the seed does; when
    /// verified also at the root (`phone_number` with `phone_verified`), as Auth0 keeps an SMS user's.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Whether the email address is verified (Auth0's `email_verified`); missing means true.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Whether the phone number is verified (Auth0's root `phone_verified`); missing means true.
    /// An unverified phone lives only in `user_metadata`, where the user edits it themselves.
    #[serde(default)]
    pub phone_verified: Option<bool>,
}

impl fmt::Debug for DevUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("phone_number", &self.phone_number)
            .field("email_verified", &self.email_verified)
            .field("phone_verified", &self.phone_verified)
            .finish_non_exhaustive()
    }
}

/// Reads and checks a dev users file: usernames and emails must be unique,
/// emails and phone numbers well-formed (they are returned normalized).
pub fn load_dev_users(path: &Path) -> Result<Vec<DevUser>, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the dev users file {shown}: {e}"))?;
    let users: Vec<DevUser> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown} is not a JSON array of {{username, password, email, phone_number?, email_verified?, \
             phone_verified?}} objects: {e}"
        )
    })?;
    check_dev_users(users).map_err(|problem| format!("{shown}: {problem}"))
}

fn check_dev_users(users: Vec<DevUser>) -> Result<Vec<DevUser>, String> {
    let mut usernames = HashSet::new();
    let mut emails = HashSet::new();
    users
        .into_iter()
        .map(|user| {
            let user = check_dev_user(user)?;
            if !usernames.insert(user.username.clone()) {
                return Err(format!("the username '{}' appears more than once", user.username));
            }
            if !emails.insert(user.email.to_lowercase()) {
                return Err(format!("the email address of '{}' belongs to another user too", user.username));
            }
            Ok(user)
        })
        .collect()
}

fn check_dev_user(user: DevUser) -> Result<DevUser, String> {
    let username = user.username.trim().to_string();
    if username.is_empty() || username.chars().any(char::is_whitespace) {
        return Err(format!("the username '{username}' must be non-empty and without spaces"));
    }
    if user.password.is_empty() {
        return Err(format!("user '{username}' has an empty password"));
    }
    let email = EmailAddress::parse(&user.email).map_err(|e| format!("user '{username}': {e}"))?;
    let phone_number = user
        .phone_number
        .map(|raw| PhoneNumber::parse(&raw).map_err(|e| format!("user '{username}': {e}")))
        .transpose()?;
    Ok(DevUser {
        username,
        password: user.password,
        email: email.into(),
        phone_number: phone_number.map(String::from),
        email_verified: user.email_verified,
        phone_verified: user.phone_verified,
    })
}

/// The stable id part of a dev user: the first 24 hex characters of
/// sha256("pod-dev-user:" + username), so ids survive restarts.
fn dev_user_id(username: &str) -> String {
    let digest = Sha256::digest(format!("pod-dev-user:{username}").as_bytes());
    let mut id = secrets::hex(&digest);
    id.truncate(USER_ID_HEX_LEN);
    id
}

/// The passwordless connection called `name`, if it is one.
pub(super) fn passwordless_connection(name: &str) -> Option<Channel> {
    match name {
        "sms" => Some(Channel::Sms),
        "email" => Some(Channel::Email),
        _ => None,
    }
}

/// The one spelling of a phone number (E.164) or email address (lowercase)
/// under which passwordless identities are stored and looked up.
pub(super) fn normalize_address(channel: Channel, raw: &str) -> Result<String, ContactError> {
    match channel {
        Channel::Sms => PhoneNumber::parse(raw).map(String::from),
        Channel::Email => EmailAddress::parse(raw).map(|email| email.as_str().to_lowercase()),
    }
}

/// One way of signing in, as Auth0 lists it in a user's `identities`.
enum Identity {
    Database { user_id: String, username: String, email: String, password: String },
    Passwordless { channel: Channel, user_id: String, address: String },
}

impl Identity {
    fn connection(&self) -> &'static str {
        match self {
            Identity::Database { .. } => DATABASE_CONNECTION,
            Identity::Passwordless { channel, .. } => channel.connection(),
        }
    }

    fn provider(&self) -> &'static str {
        match self {
            Identity::Database { .. } => "auth0",
            Identity::Passwordless { channel, .. } => channel.connection(),
        }
    }

    /// The id without the provider prefix.
    fn bare_id(&self) -> &str {
        match self {
            Identity::Database { user_id, .. } | Identity::Passwordless { user_id, .. } => user_id,
        }
    }

    /// `provider|id`, the user id this identity had (or has) on its own.
    fn user_id(&self) -> String {
        format!("{}|{}", self.provider(), self.bare_id())
    }

    /// Whether this is the database identity signed in as `login` (username or email).
    fn signs_in_as(&self, login: &str) -> bool {
        matches!(self, Identity::Database { username, email, .. } if username == login || email.eq_ignore_ascii_case(login))
    }

    fn has_password(&self, given: &str) -> bool {
        matches!(self, Identity::Database { password, .. } if bool::from(password.as_bytes().ct_eq(given.as_bytes())))
    }

    fn is_passwordless(&self, wanted_channel: Channel, wanted_address: &str) -> bool {
        matches!(self, Identity::Passwordless { channel, address, .. } if *channel == wanted_channel && address == wanted_address)
    }

    /// As Auth0 lists it; a passwordless identity carries its address in `profileData`.
    fn to_json(&self) -> Value {
        let mut identity = json!({
            "connection": self.connection(),
            "provider": self.provider(),
            "user_id": self.bare_id(),
            "isSocial": false,
        });
        if let Identity::Passwordless { channel, address, .. } = self {
            let field = match channel {
                Channel::Sms => "phone_number",
                Channel::Email => "email",
            };
            identity["profileData"] = json!({ field: address });
        }
        identity
    }
}

/// The root attributes of a user.
struct Profile {
    name: String,
    email: Option<String>,
    email_verified: bool,
    /// The root `phone_number` (with `phone_verified`), as Auth0 keeps an SMS user's.
    phone_number: Option<String>,
    phone_verified: bool,
    user_metadata: Map<String, Value>,
}

/// A user as the Management API shows it: its own identity, the identities
/// linked to it, and its profile.
pub(super) struct UserRecord {
    own: Identity,
    linked: Vec<Identity>,
    profile: Profile,
}

impl UserRecord {
    fn from_dev_user(user: &DevUser) -> Self {
        let own = Identity::Database {
            user_id: dev_user_id(&user.username),
            username: user.username.clone(),
            email: user.email.clone(),
            password: user.password.clone(),
        };
        let user_metadata = user.phone_number.iter().map(|phone| ("phone_number".to_string(), json!(phone))).collect();
        let phone_verified = user.phone_verified.unwrap_or(true);
        let profile = Profile {
            name: user.username.clone(),
            email: Some(user.email.clone()),
            email_verified: user.email_verified.unwrap_or(true),
            phone_number: user.phone_number.clone().filter(|_| phone_verified),
            phone_verified: phone_verified && user.phone_number.is_some(),
            user_metadata,
        };
        Self { own, linked: Vec::new(), profile }
    }

    fn new_passwordless(channel: Channel, address: String, verified: bool) -> Self {
        let profile = Profile {
            name: address.clone(),
            email: (channel == Channel::Email).then(|| address.clone()),
            email_verified: verified && channel == Channel::Email,
            phone_number: (channel == Channel::Sms).then(|| address.clone()),
            phone_verified: verified && channel == Channel::Sms,
            user_metadata: Map::new(),
        };
        let own = Identity::Passwordless { channel, user_id: secrets::random_hex(USER_ID_HEX_LEN / 2), address };
        Self { own, linked: Vec::new(), profile }
    }

    /// An identity unlinked from its primary: a user of its own again, nothing verified.
    fn from_unlinked(identity: Identity) -> Self {
        let (channel, address) = match &identity {
            Identity::Passwordless { channel, address, .. } => (Some(*channel), address.clone()),
            Identity::Database { email, .. } => (None, email.clone()),
        };
        let profile = Profile {
            name: address.clone(),
            email: (channel != Some(Channel::Sms)).then(|| address.clone()),
            email_verified: false,
            phone_number: (channel == Some(Channel::Sms)).then_some(address),
            phone_verified: false,
            user_metadata: Map::new(),
        };
        Self { own: identity, linked: Vec::new(), profile }
    }

    /// The user's id: its own identity's `provider|id`.
    pub fn user_id(&self) -> String {
        self.own.user_id()
    }

    fn identities(&self) -> impl Iterator<Item = &Identity> {
        std::iter::once(&self.own).chain(&self.linked)
    }

    /// The `identities` array of the Management API.
    pub fn identities_json(&self) -> Value {
        Value::Array(self.identities().map(Identity::to_json).collect())
    }

    /// The user as `GET /api/v2/users/{id}` shows it.
    pub fn to_json(&self) -> Value {
        let mut user = Value::Object(self.claims());
        user["user_id"] = json!(self.user_id());
        user["user_metadata"] = Value::Object(self.profile.user_metadata.clone());
        user["identities"] = self.identities_json();
        user
    }

    /// The OpenID Connect profile claims: name, email, email_verified, phone_number.
    pub fn claims(&self) -> Map<String, Value> {
        let profile = &self.profile;
        let mut claims = Map::new();
        claims.insert("name".into(), json!(profile.name));
        if let Some(email) = &profile.email {
            claims.insert("email".into(), json!(email));
            claims.insert("email_verified".into(), json!(profile.email_verified));
        }
        if let Some(phone) = &profile.phone_number {
            claims.insert("phone_number".into(), json!(phone));
            claims.insert("phone_verified".into(), json!(profile.phone_verified));
        }
        claims
    }
}

/// Why two users could not be linked.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LinkError {
    UnknownUser,
    AlreadyLinked,
    SameUser,
}

/// A passwordless identity with this address already exists.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct UserExists;

/// All users, by user id. Linked (secondary) users live inside their primary.
pub(super) struct Directory {
    users: BTreeMap<String, UserRecord>,
}

impl Directory {
    pub fn from_dev_users(dev_users: &[DevUser]) -> Self {
        let users = dev_users.iter().map(UserRecord::from_dev_user).map(|user| (user.user_id(), user)).collect();
        Self { users }
    }

    pub fn get(&self, user_id: &str) -> Option<&UserRecord> {
        self.users.get(user_id)
    }

    fn find(&self, matches: impl Fn(&Identity) -> bool) -> Option<&UserRecord> {
        self.users.values().find(|user| user.identities().any(&matches))
    }

    /// The id of the user with the database identity `username`.
    pub fn user_id_of_username(&self, username: &str) -> Option<String> {
        self.find(|identity| matches!(identity, Identity::Database { username: u, .. } if u == username))
            .map(UserRecord::user_id)
    }

    /// The id of the user whose database identity signs in as `login` with `password`.
    pub fn check_password(&self, login: &str, password: &str) -> Option<String> {
        let user = self.find(|identity| identity.signs_in_as(login))?;
        let identity = user.identities().find(|identity| identity.signs_in_as(login))?;
        identity.has_password(password).then(|| user.user_id())
    }

    /// The id of the (primary) user holding the passwordless identity for this
    /// normalized address: after linking, that is the primary user.
    pub fn passwordless_owner(&self, channel: Channel, address: &str) -> Option<String> {
        self.find(|identity| identity.is_passwordless(channel, address)).map(UserRecord::user_id)
    }

    /// Creates a user in a passwordless connection for a normalized address; `verified`
    /// is the `email_verified` or `phone_verified` the caller claims (Auth0's default: false).
    pub fn create_passwordless(
        &mut self,
        channel: Channel,
        address: String,
        verified: bool,
    ) -> Result<&UserRecord, UserExists> {
        if self.passwordless_owner(channel, &address).is_some() {
            return Err(UserExists);
        }
        let user = UserRecord::new_passwordless(channel, address, verified);
        Ok(self.users.entry(user.user_id()).or_insert(user))
    }

    /// Takes the linked identity `provider|bare_id` out of the primary user; it becomes
    /// a user of its own again (as Auth0's unlink does). Returns the primary's identities.
    pub fn unlink(&mut self, primary_id: &str, provider: &str, bare_id: &str) -> Result<Value, LinkError> {
        let primary = self.users.get_mut(primary_id).ok_or(LinkError::UnknownUser)?;
        let at = primary
            .linked
            .iter()
            .position(|identity| identity.provider() == provider && identity.bare_id() == bare_id)
            .ok_or(LinkError::UnknownUser)?;
        let identity = primary.linked.remove(at);
        let identities = primary.identities_json();
        let user = UserRecord::from_unlinked(identity);
        self.users.insert(user.user_id(), user);
        Ok(identities)
    }

    /// Moves every identity of the secondary user into the primary user; the
    /// secondary user no longer exists on its own.
    pub fn link(&mut self, primary_id: &str, secondary_id: &str) -> Result<&UserRecord, LinkError> {
        if primary_id == secondary_id {
            return Err(LinkError::SameUser);
        }
        if !self.users.contains_key(primary_id) {
            return Err(LinkError::UnknownUser);
        }
        let Some(secondary) = self.users.remove(secondary_id) else {
            let linked_elsewhere = self.find(|identity| identity.user_id() == secondary_id).is_some();
            return Err(if linked_elsewhere { LinkError::AlreadyLinked } else { LinkError::UnknownUser });
        };
        let primary = self.users.get_mut(primary_id).ok_or(LinkError::UnknownUser)?;
        primary.linked.push(secondary.own);
        primary.linked.extend(secondary.linked);
        Ok(primary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn dev_user(username: &str, email: &str, phone: Option<&str>) -> DevUser {
        DevUser {
            username: username.into(),
            password: format!("pw-{username}"),
            email: email.into(),
            phone_number: phone.map(Into::into),
            email_verified: None,
            phone_verified: None,
        }
    }

    fn directory() -> Directory {
        Directory::from_dev_users(&[
            dev_user("ana", "ana@example.com", Some("+14155550121")),
            dev_user("ben", "ben@example.com", None),
        ])
    }

    fn load_text(text: &str) -> Result<Vec<DevUser>, String> {
        let mut file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        file.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        load_dev_users(file.path())
    }

    #[test]
    fn the_checked_in_dev_users_file_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dev-users.json");
        let users = load_dev_users(&path).unwrap();
        let ana = users.iter().find(|u| u.username == "ana").unwrap();
        assert_eq!(ana.password, "pizza-ana-1");
        assert_eq!(ana.email, "ana@example.com");
        assert_eq!(ana.phone_number.as_deref(), Some("+14155550121"));
        let ben = users.iter().find(|u| u.username == "ben").unwrap();
        assert_eq!(ben.phone_number, None);
    }

    #[test]
    fn bad_dev_users_files_are_refused_with_the_file_and_problem_named() {
        let cases = [
            ("[{]", "not a JSON array"),
            (r#"{"username":"ana"}"#, "not a JSON array"),
            (
                r#"[{"username":"ana","password":"p","email":"ana@example.com","phone":"+14155550121"}]"#,
                "unknown field",
            ),
            (r#"[{"username":"ana","password":"p","email":"ana"}]"#, "email address"),
            (r#"[{"username":"ana","password":"p","email":"a@example.com","phone_number":"555"}]"#, "E.164"),
            (r#"[{"username":"","password":"p","email":"a@example.com"}]"#, "non-empty"),
            (r#"[{"username":"ana","password":"","email":"a@example.com"}]"#, "empty password"),
            (
                r#"[{"username":"ana","password":"p","email":"a@example.com"},{"username":"ana","password":"q","email":"b@example.com"}]"#,
                "'ana' appears more than once",
            ),
            (
                r#"[{"username":"ana","password":"p","email":"a@example.com"},{"username":"bo","password":"q","email":"A@example.com"}]"#,
                "belongs to another user",
            ),
        ];
        for (text, expected) in cases {
            let error = load_text(text).err().unwrap_or_default();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(error.contains(".tmp"), "the file is named: {error}");
        }
        let missing = load_dev_users(Path::new("/no/such/dev-users.json")).err().unwrap_or_default();
        assert!(missing.contains("/no/such/dev-users.json"), "{missing}");
    }

    #[test]
    fn phone_numbers_are_normalized() {
        let users = load_text(
            r#"[{"username":"ana","password":"p","email":"ana@example.com","phone_number":"+1 415-555-0121"}]"#,
        )
        .unwrap();
        assert_eq!(users[0].phone_number.as_deref(), Some("+14155550121"));
    }

    #[test]
    fn dev_user_ids_are_stable() {
        let id = directory().user_id_of_username("ana").unwrap();
        assert_eq!(id, "auth0|878da2d34e55e5bef042e676", "sha256(\"pod-dev-user:ana\"), first 24 hex characters");
        assert_eq!(directory().user_id_of_username("ana").unwrap(), id);
        assert_eq!(directory().user_id_of_username("nobody"), None);
    }

    #[test]
    fn passwords_are_checked_by_username_or_email() {
        let directory = directory();
        let ana = directory.user_id_of_username("ana");
        assert_eq!(directory.check_password("ana", "pw-ana"), ana);
        assert_eq!(directory.check_password("ANA@example.com", "pw-ana"), ana);
        assert_eq!(directory.check_password("ana", "pw-ben"), None);
        assert_eq!(directory.check_password("nobody", "pw-ana"), None);
    }

    #[test]
    fn verified_flags_default_to_true_and_an_unverified_phone_stays_in_user_metadata() {
        let users = load_text(
            r#"[{"username":"cy","password":"p","email":"cy@example.com","phone_number":"+14155550199",
                 "email_verified":false,"phone_verified":false}]"#,
        )
        .unwrap();
        let cy = UserRecord::from_dev_user(&users[0]).to_json();
        assert_eq!(cy["email_verified"], false);
        assert_eq!(cy["user_metadata"]["phone_number"], "+14155550199");
        assert!(cy.get("phone_number").is_none() && cy.get("phone_verified").is_none(), "{cy}");
        let directory = directory();
        let ana = directory.get(&directory.user_id_of_username("ana").unwrap()).unwrap().to_json();
        assert_eq!((ana["email_verified"].clone(), ana["phone_verified"].clone()), (json!(true), json!(true)));
        assert_eq!(ana["phone_number"], "+14155550121", "a verified phone is at the root, as Auth0 keeps it");
    }

    #[test]
    fn dev_users_keep_their_phone_in_user_metadata() {
        let directory = directory();
        let ana = directory.get(&directory.user_id_of_username("ana").unwrap()).unwrap().to_json();
        assert_eq!(ana["user_metadata"]["phone_number"], "+14155550121");
        assert_eq!(ana["email"], "ana@example.com");
        assert_eq!(ana["identities"][0]["connection"], DATABASE_CONNECTION);
        assert_eq!(ana["identities"][0]["provider"], "auth0");
        assert_eq!(ana["identities"][0]["user_id"], dev_user_id("ana"));
    }

    #[test]
    fn linking_moves_the_secondary_into_the_primary() {
        let mut directory = directory();
        let ana = directory.user_id_of_username("ana").unwrap();
        let sms = directory.create_passwordless(Channel::Sms, "+14155550121".into(), false).unwrap().user_id();
        assert!(sms.starts_with("sms|"));
        assert_eq!(directory.passwordless_owner(Channel::Sms, "+14155550121"), Some(sms.clone()));
        assert_eq!(directory.create_passwordless(Channel::Sms, "+14155550121".into(), false).err(), Some(UserExists));

        let linked = directory.link(&ana, &sms).unwrap().identities_json();
        assert_eq!(linked[1]["connection"], "sms");
        assert!(directory.get(&sms).is_none());
        assert_eq!(directory.passwordless_owner(Channel::Sms, "+14155550121"), Some(ana.clone()));
        assert_eq!(directory.link(&ana, &sms).err(), Some(LinkError::AlreadyLinked));
        assert_eq!(directory.link(&ana, "sms|nobody").err(), Some(LinkError::UnknownUser));
        assert_eq!(directory.link("auth0|nobody", &ana).err(), Some(LinkError::UnknownUser));
        assert_eq!(directory.link(&ana, &ana).err(), Some(LinkError::SameUser));
        assert_eq!(linked[1]["profileData"]["phone_number"], "+14155550121");

        let bare = sms.trim_start_matches("sms|").to_string();
        let left = directory.unlink(&ana, "sms", &bare).unwrap();
        assert_eq!(left.as_array().unwrap().len(), 1, "only the database identity is left");
        assert_eq!(directory.passwordless_owner(Channel::Sms, "+14155550121"), Some(sms.clone()), "a user of its own");
        assert_eq!(directory.unlink(&ana, "sms", &bare).err(), Some(LinkError::UnknownUser));
    }

    #[test]
    fn addresses_are_normalized_per_channel() {
        assert_eq!(normalize_address(Channel::Sms, "+1 (415) 555-0121").unwrap(), "+14155550121");
        assert_eq!(normalize_address(Channel::Email, " Ana@Example.com ").unwrap(), "ana@example.com");
        assert!(normalize_address(Channel::Sms, "ana@example.com").is_err());
        assert!(normalize_address(Channel::Email, "+14155550121").is_err());
    }
}
