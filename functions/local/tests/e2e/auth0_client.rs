//! The local identity provider over real HTTP: first driven by Pod's
//! production Auth0 client, then checked at the protocol level (OAuth flows,
//! errors, discovery).

use axum::Router;
use pod_local::idp::{DevUser, IdpClient, IdpConfig, LocalIdp, TokenAlgorithm};
use pod_shared::auth0::{Auth0Client, IdTokenValidator, JwksKeys};
use pod_shared::config::{Auth0Endpoint, Auth0Settings, ManagementClient};
use pod_shared::domain::{Code, Destination, EmailAddress, PhoneNumber, UserId};
use pod_shared::ports::{CodeChannel, CodeCheck, IdentityError, IdentityProvider, UserProfile};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpListener;

const CLIENT_ID: &str = "pod-local-test-client";
const CLIENT_SECRET: &str = "a-local-test-client-secret-of-32-bytes+";
const MGMT_CLIENT_ID: &str = "pod-local-test-management";
const MGMT_CLIENT_SECRET: &str = "a-local-test-management-secret-32-bytes";
const API_ID: &str = "https://pod.localtest.me";
const API_SIGNING_KEY: &[u8] = b"a-local-test-api-signing-key-of-32-bytes";
const ANA_PHONE: &str = "+14155550121";
const BEN_EMAIL: &str = "ben@example.com";
/// Long codes, so that two codes in a row practically never coincide.
const OTP_LENGTH: usize = 8;
const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

fn test_users() -> Vec<DevUser> {
    vec![
        DevUser {
            username: "ana".into(),
            password: "pizza-ana-1".into(),
            email: "ana@example.com".into(),
            phone_number: Some(ANA_PHONE.into()),
            email_verified: None,
            phone_verified: None,
        },
        DevUser {
            username: "ben".into(),
            password: "pizza-ben-1".into(),
            email: BEN_EMAIL.into(),
            phone_number: None,
            email_verified: None,
            phone_verified: None,
        },
        // The seed's setup at its weakest: a phone the user typed into user_metadata, an unverified email.
        DevUser {
            username: "cy".into(),
            password: "pizza-cy-1".into(),
            email: "cy@example.com".into(),
            phone_number: Some("+14155550177".into()),
            email_verified: Some(false),
            phone_verified: Some(false),
        },
    ]
}

/// A local identity provider served on a free port, mounted at `/auth0`.
struct TestIdp {
    idp: LocalIdp,
    /// `http://127.0.0.1:PORT/auth0`
    base: String,
    /// Does not follow redirects, so that tests see them.
    http: reqwest::Client,
    /// How the tenant signs ID tokens, and so how its production client checks them.
    id_token_algorithm: TokenAlgorithm,
}

async fn start_idp() -> TestIdp {
    start_idp_signing(TokenAlgorithm::Hs256).await
}

/// A tenant whose application's ID tokens are signed with `id_token_algorithm`.
async fn start_idp_signing(id_token_algorithm: TokenAlgorithm) -> TestIdp {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/auth0", listener.local_addr().unwrap());
    let idp = LocalIdp::new(IdpConfig {
        issuer: format!("{base}/"),
        api_id: API_ID.into(),
        api_signing_key: API_SIGNING_KEY.to_vec(),
        access_token_algorithm: TokenAlgorithm::Hs256,
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        management_client: IdpClient { id: MGMT_CLIENT_ID.into(), secret: MGMT_CLIENT_SECRET.into() },
        id_token_algorithm,
        otp_length: OTP_LENGTH,
        users: test_users(),
    });
    let app = Router::new().nest("/auth0", idp.router());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestIdp { idp, base, http, id_token_algorithm }
}

fn production_client(base: &str, timeout: Duration) -> Auth0Client {
    production_client_checking(base, timeout, TokenAlgorithm::Hs256)
}

fn production_client_checking(base: &str, timeout: Duration, id_token_algorithm: TokenAlgorithm) -> Auth0Client {
    Auth0Client::new(production_settings(base, timeout, id_token_algorithm)).unwrap()
}

fn production_settings(base: &str, timeout: Duration, id_token_algorithm: TokenAlgorithm) -> Auth0Settings {
    Auth0Settings {
        endpoint: Auth0Endpoint::parse(base).unwrap(),
        token_algorithm: pod_shared::config::TokenAlgorithm::Hs256,
        api_id: API_ID.into(),
        api_signing_key: String::from_utf8(API_SIGNING_KEY.to_vec()).unwrap().into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        management: Some(ManagementClient {
            client_id: MGMT_CLIENT_ID.into(),
            client_secret: MGMT_CLIENT_SECRET.into(),
        }),
        id_token_algorithm,
        timeout,
        profile_cache: Duration::ZERO,
    }
}

impl TestIdp {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn client(&self) -> Auth0Client {
        production_client_checking(&self.base, Duration::from_secs(5), self.id_token_algorithm)
    }

    fn client_settings(&self) -> Auth0Settings {
        production_settings(&self.base, Duration::from_secs(5), self.id_token_algorithm)
    }

    fn user_id(&self, username: &str) -> UserId {
        UserId::parse(self.idp.user_id_of(username).unwrap()).unwrap()
    }

    async fn profile(&self, username: &str) -> UserProfile {
        self.client().profile(&self.user_id(username)).await.unwrap()
    }

    /// The code of the latest outbox message.
    fn latest_code(&self) -> Code {
        Code::parse(&self.idp.outbox().last().unwrap().code).unwrap()
    }

    async fn post_token(&self, body: Value) -> (StatusCode, Value) {
        let response = self.http.post(self.url("/oauth/token")).json(&body).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn password_tokens(&self, username: &str, password: &str, scope: &str) -> Value {
        let (status, tokens) = self
            .post_token(json!({
                "grant_type": "password",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "username": username,
                "password": password,
                "audience": API_ID,
                "scope": scope,
            }))
            .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        tokens
    }

    async fn management_token(&self) -> String {
        let (status, tokens) = self
            .post_token(json!({
                "grant_type": "client_credentials",
                "client_id": MGMT_CLIENT_ID,
                "client_secret": MGMT_CLIENT_SECRET,
                "audience": format!("{}/api/v2/", self.base),
            }))
            .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        tokens["access_token"].as_str().unwrap().to_string()
    }

    async fn management_user(&self, user_id: &str) -> (StatusCode, Value) {
        let path = format!("/api/v2/users/{}", urlencoding::encode(user_id));
        let response = self.http.get(self.url(&path)).bearer_auth(self.management_token().await).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }
}

fn sms(phone: &str) -> Destination {
    Destination::Sms(PhoneNumber::parse(phone).unwrap())
}

/// A code that differs from `code` in its first digit.
fn wrong(code: &Code) -> Code {
    let digits = code.expose();
    let first = digits.as_bytes()[0] - b'0';
    Code::parse(&format!("{}{}", (first + 1) % 10, &digits[1..])).unwrap()
}

// ---------------------------------------------------------------- the production client

#[tokio::test]
async fn the_client_authenticates_a_password_grant_access_token() {
    let idp = start_idp().await;
    let tokens = idp.password_tokens("ana", "pizza-ana-1", "openid").await;
    let access_token = tokens["access_token"].as_str().unwrap();
    assert_eq!(idp.client().authenticate(access_token).await.unwrap(), idp.user_id("ana"));
    assert!(idp.client().authenticate(&format!("{access_token}x")).await.is_err());
}

#[tokio::test]
async fn profiles_carry_the_phone_from_user_metadata_and_the_email() {
    let idp = start_idp().await;
    let ana = idp.profile("ana").await;
    assert_eq!(ana.user_id, idp.user_id("ana"));
    assert_eq!(ana.phone, Some(PhoneNumber::parse(ANA_PHONE).unwrap()));
    assert_eq!(ana.email, Some(EmailAddress::parse("ana@example.com").unwrap()));
    let ben = idp.profile("ben").await;
    assert_eq!(ben.phone, None);
    assert_eq!(ben.email, Some(EmailAddress::parse(BEN_EMAIL).unwrap()));
}

#[tokio::test]
async fn only_verified_contacts_get_codes() {
    let idp = start_idp().await;
    let ana = idp.profile("ana").await;
    assert!(ana.phone_verified && ana.email_verified, "missing flags mean verified, as the dev users file says");
    assert_eq!(ana.code_destination(), Some(sms(ANA_PHONE)));
    let cy = idp.profile("cy").await;
    assert_eq!(cy.phone.as_ref().map(PhoneNumber::as_str), Some("+14155550177"), "user_metadata is read");
    assert!(!cy.phone_verified, "a phone only in user_metadata is never verified");
    assert!(!cy.email_verified);
    assert_eq!(cy.code_destination(), None, "no code goes to an unverified contact");
    let enrolled = UserProfile { enrolled_phone: Some(PhoneNumber::parse("+14155550178").unwrap()), ..cy };
    assert_eq!(enrolled.code_destination(), Some(sms("+14155550178")), "a phone enrolled with Pod is verified");
}

#[tokio::test]
async fn a_linked_passwordless_identity_claims_nothing_verified_and_a_changed_phone_replaces_it() {
    let idp = start_idp().await;
    let client = idp.client();
    let ben = idp.profile("ben").await;
    client.send_code(&ben, &ben.code_destination().unwrap()).await.unwrap();
    let (_, record) = idp.management_user(ben.user_id.as_str()).await;
    assert_eq!(record["email_verified"], true, "the primary keeps its own flag");
    assert_eq!(record["identities"][1]["profileData"]["email"], BEN_EMAIL);

    // The phone Ana enrolls replaces the SMS identity of her old number.
    let ana = idp.profile("ana").await;
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    client.send_code(&ana, &sms("+14155550179")).await.unwrap();
    let (_, record) = idp.management_user(ana.user_id.as_str()).await;
    let sms_identities: Vec<&Value> =
        record["identities"].as_array().unwrap().iter().filter(|i| i["connection"] == "sms").collect();
    assert_eq!(sms_identities.len(), 1, "{record}");
    assert_eq!(sms_identities[0]["profileData"]["phone_number"], "+14155550179");
    assert_eq!(client.verify_code(&ana, &sms("+14155550179"), &idp.latest_code()).await, Ok(CodeCheck::Accepted));
}

#[tokio::test]
async fn a_code_the_provider_calls_expired_is_expired_not_wrong() {
    let idp = start_idp().await;
    let client = idp.client();
    let ana = idp.profile("ana").await;
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    let code = idp.latest_code();
    idp.idp.expire_sent_codes();
    assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &code).await, Ok(CodeCheck::Expired));
}

#[tokio::test]
async fn an_unknown_user_is_unknown() {
    let idp = start_idp().await;
    let nobody = UserId::parse("auth0|000000000000000000000000").unwrap();
    assert_eq!(idp.client().profile(&nobody).await, Err(IdentityError::UnknownUser));
}

#[tokio::test]
async fn sending_a_code_creates_and_links_the_sms_identity_once() {
    let idp = start_idp().await;
    let client = idp.client();
    let ana = idp.profile("ana").await;
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();

    let (status, record) = idp.management_user(ana.user_id.as_str()).await;
    assert_eq!(status, StatusCode::OK);
    let connections: Vec<&str> =
        record["identities"].as_array().unwrap().iter().map(|i| i["connection"].as_str().unwrap()).collect();
    assert_eq!(connections, ["Username-Password-Authentication", "sms"]);

    let outbox = idp.idp.outbox();
    assert_eq!(outbox.len(), 2);
    let latest = outbox.last().unwrap();
    assert_eq!((latest.channel.as_str(), latest.destination.as_str()), ("sms", ANA_PHONE));
    assert_eq!(latest.code.len(), OTP_LENGTH);
    assert!(latest.code.bytes().all(|b| b.is_ascii_digit()));
    assert!(latest.text.contains(&latest.code), "{}", latest.text);
}

#[tokio::test]
async fn a_right_code_is_accepted_once_and_a_wrong_one_rejected() {
    let idp = start_idp().await;
    let client = idp.client();
    let ana = idp.profile("ana").await;
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    let code = idp.latest_code();

    assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &wrong(&code)).await, Ok(CodeCheck::Rejected));
    assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &code).await, Ok(CodeCheck::Accepted));
    assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &code).await, Ok(CodeCheck::Rejected), "used up");
}

#[tokio::test]
async fn only_the_latest_code_counts_and_three_wrong_attempts_void_it() {
    let idp = start_idp().await;
    let client = idp.client();
    let ana = idp.profile("ana").await;
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    let first = idp.latest_code();
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    let second = idp.latest_code();
    assert_ne!(first, second);
    assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &first).await, Ok(CodeCheck::Rejected));
    for _ in 0..2 {
        assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &wrong(&second)).await, Ok(CodeCheck::Rejected));
    }
    assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &second).await, Ok(CodeCheck::Rejected), "voided");
}

#[tokio::test]
async fn a_code_for_anas_phone_does_not_prove_ben() {
    let idp = start_idp().await;
    let client = idp.client();
    let ana = idp.profile("ana").await;
    let ben = idp.profile("ben").await;
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    let code = idp.latest_code();
    assert_eq!(client.verify_code(&ben, &sms(ANA_PHONE), &code).await, Ok(CodeCheck::Rejected));
}

#[tokio::test]
async fn email_codes_work_for_a_user_without_a_phone() {
    let idp = start_idp().await;
    let client = idp.client();
    let ben = idp.profile("ben").await;
    let destination = ben.code_destination().unwrap();
    assert_eq!(destination, Destination::Email(EmailAddress::parse(BEN_EMAIL).unwrap()));
    client.send_code(&ben, &destination).await.unwrap();
    let latest = idp.idp.outbox().last().cloned().unwrap();
    assert_eq!((latest.channel.as_str(), latest.destination.as_str()), ("email", BEN_EMAIL));
    assert_eq!(client.verify_code(&ben, &destination, &idp.latest_code()).await, Ok(CodeCheck::Accepted));
}

#[tokio::test]
async fn an_identity_provider_that_is_down_is_unreachable() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/auth0", closed.local_addr().unwrap());
    drop(closed);
    let client = production_client(&base, Duration::from_millis(300));
    let user = UserId::parse("auth0|ana").unwrap();
    assert!(matches!(client.profile(&user).await, Err(IdentityError::Unreachable(_))));
}

#[tokio::test]
async fn an_identity_provider_that_never_answers_times_out() {
    // Connections complete in the kernel's backlog, but nobody ever reads or answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/auth0", silent.local_addr().unwrap());
    let client = production_client(&base, Duration::from_millis(300));
    let user = UserId::parse("auth0|ana").unwrap();
    assert_eq!(client.profile(&user).await, Err(IdentityError::Timeout));
}

// ---------------------------------------------------------------- the identity provider itself

/// The query of an authorization request with PKCE (S256).
fn authorization_query(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", CLIENT_ID.into()),
        ("redirect_uri", REDIRECT_URI.into()),
        ("scope", "openid offline_access".into()),
        ("state", "st\"<ate>".into()),
        ("nonce", "n-0S6_WzA2Mj".into()),
        ("audience", API_ID.into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

/// RFC 7636 appendix B: this verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

impl TestIdp {
    async fn get_login_form(&self, query: &[(&str, String)]) -> reqwest::Response {
        let url = reqwest::Url::parse_with_params(&self.url("/authorize"), query).unwrap();
        self.http.get(url).send().await.unwrap()
    }

    /// Signs in through the login form; returns the authorization code.
    async fn authorization_code(&self) -> String {
        let mut form = authorization_query(CHALLENGE);
        form.push(("username", "ana".into()));
        form.push(("password", "pizza-ana-1".into()));
        let response = self.http.post(self.url("/authorize")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()[LOCATION].to_str().unwrap();
        let redirect = reqwest::Url::parse(location).unwrap();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        let param = |name: &str| redirect.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        assert_eq!(param("state").as_deref(), Some("st\"<ate>"));
        param("code").unwrap()
    }

    async fn exchange_code(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.post_token(json!({
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        }))
        .await
    }
}

#[tokio::test]
async fn the_login_form_has_the_fields_and_escapes_what_it_carries() {
    let idp = start_idp().await;
    let response = idp.get_login_form(&authorization_query(CHALLENGE)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    for expected in [r#"name="username""#, r#"name="password""#, r#"type="submit""#, r#"<label for="password">"#] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(html.contains(r#"name="state" value="st&quot;&lt;ate&gt;""#), "{html}");
    assert!(!html.contains("<ate>"));

    let mut bad_client = authorization_query(CHALLENGE);
    bad_client[1].1 = "someone-else".into();
    let response = idp.get_login_form(&bad_client).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let mut bad_redirect = authorization_query(CHALLENGE);
    bad_redirect[2].1 = "https://evil.example/cb".into();
    let response = idp.get_login_form(&bad_redirect).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_credentials_show_the_form_again_with_401() {
    let idp = start_idp().await;
    let mut form = authorization_query(CHALLENGE);
    form.push(("username", "ana".into()));
    form.push(("password", "not-her-password".into()));
    let response = idp.http.post(idp.url("/authorize")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"role="alert""#) && html.contains(r#"name="password""#), "{html}");
}

#[tokio::test]
async fn the_authorization_code_flow_checks_pkce_and_codes_work_once() {
    let idp = start_idp().await;

    let code = idp.authorization_code().await;
    let (status, error) = idp.exchange_code(&code, "a-wrong-verifier-a-wrong-verifier-a-wrong-ver").await;
    assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("invalid_grant")));

    let code = idp.authorization_code().await;
    let (status, tokens) = idp.exchange_code(&code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 86_400);
    assert!(tokens["refresh_token"].is_string());
    let ana = idp.user_id("ana");
    let access_token = tokens["access_token"].as_str().unwrap();
    assert_eq!(idp.client().authenticate(access_token).await.unwrap(), ana);
    let id_tokens = IdTokenValidator::hs256(CLIENT_SECRET.as_bytes(), &format!("{}/", idp.base), CLIENT_ID);
    let claims = id_tokens.validate(tokens["id_token"].as_str().unwrap(), Some("n-0S6_WzA2Mj")).await.unwrap();
    assert_eq!(claims.subject, ana);

    let (status, error) = idp.exchange_code(&code, VERIFIER).await;
    assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("invalid_grant")), "reused");
}

#[tokio::test]
async fn an_rs256_tenant_signs_id_tokens_with_the_key_it_publishes() {
    let idp = start_idp_signing(TokenAlgorithm::Rs256).await;
    let code = idp.authorization_code().await;
    let (status, tokens) = idp.exchange_code(&code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwks: Value = idp.http.get(idp.url("/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1), "{jwks}");
    assert_eq!(jwks["keys"][0]["kid"].as_str(), header.kid.as_deref());
    assert!(jwks["keys"][0].get("d").is_none(), "only the public half is published");
    let discovery: Value =
        idp.http.get(idp.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert_eq!(discovery["id_token_signing_alg_values_supported"], json!(["RS256"]));

    let issuer = format!("{}/", idp.base);
    let keys = JwksKeys::new(idp.url("/.well-known/jwks.json"), reqwest::Client::new());
    let rs256 = IdTokenValidator::rs256(std::sync::Arc::new(keys), &issuer, CLIENT_ID);
    let claims = rs256.validate(id_token, Some("n-0S6_WzA2Mj")).await.unwrap();
    assert_eq!(claims.subject, idp.user_id("ana"));
    assert_eq!((claims.email.as_deref(), claims.email_verified), (Some("ana@example.com"), true));
    assert_eq!((claims.phone_number.as_deref(), claims.phone_verified), (Some(ANA_PHONE), true));
    let hs256 = IdTokenValidator::hs256(CLIENT_SECRET.as_bytes(), &issuer, CLIENT_ID);
    assert!(hs256.validate(id_token, None).await.is_err(), "the client secret does not sign RS256 tokens");
}

#[tokio::test]
async fn passwordless_codes_are_checked_through_rs256_id_tokens() {
    let idp = start_idp_signing(TokenAlgorithm::Rs256).await;
    let client = idp.client();
    let ana = idp.profile("ana").await;
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    assert_eq!(client.verify_code(&ana, &sms(ANA_PHONE), &idp.latest_code()).await, Ok(CodeCheck::Accepted));

    // A client pinned to HS256 takes no RS256 token as proof, right code or not.
    let hs256 = production_client(&idp.base, Duration::from_secs(5));
    client.send_code(&ana, &sms(ANA_PHONE)).await.unwrap();
    let refused = hs256.verify_code(&ana, &sms(ANA_PHONE), &idp.latest_code()).await;
    assert!(matches!(refused, Err(IdentityError::BadResponse(_))), "{refused:?}");
}

#[tokio::test]
async fn refresh_tokens_renew_access() {
    let idp = start_idp().await;
    let tokens = idp.password_tokens("ben", "pizza-ben-1", "openid offline_access").await;
    let refresh = |token: &str| json!({"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": token});
    let (status, renewed) = idp.post_token(refresh(tokens["refresh_token"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let access_token = renewed["access_token"].as_str().unwrap();
    assert_eq!(idp.client().authenticate(access_token).await.unwrap(), idp.user_id("ben"));
    assert!(renewed["id_token"].is_string());

    let (status, error) = idp.post_token(refresh("not-a-refresh-token")).await;
    assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("invalid_grant")));
}

#[tokio::test]
async fn clients_authenticate_with_basic_or_body_credentials_and_a_wrong_secret_is_401() {
    let idp = start_idp().await;
    let form = [("grant_type", "password"), ("username", "ana"), ("password", "pizza-ana-1")];
    let response =
        idp.http.post(idp.url("/oauth/token")).basic_auth(CLIENT_ID, Some(CLIENT_SECRET)).form(&form).send().await;
    assert_eq!(response.unwrap().status(), StatusCode::OK);

    let response = idp.http.post(idp.url("/oauth/token")).basic_auth(CLIENT_ID, Some("wrong")).form(&form).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_client");

    let (status, _) = idp
        .post_token(json!({"grant_type": "password", "client_id": CLIENT_ID, "client_secret": "wrong",
            "username": "ana", "password": "pizza-ana-1"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_requests_get_auth0_style_errors() {
    let idp = start_idp().await;
    let malformed = idp
        .http
        .post(idp.url("/oauth/token"))
        .header("content-type", "application/json")
        .body("{\"grant_type\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json::<Value>().await.unwrap()["error"], "invalid_request");

    let credentials = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET});
    let with = |extra: Value| {
        let mut body = credentials.clone();
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let (status, error) = idp.post_token(with(json!({"grant_type": "implicit"}))).await;
    assert_eq!((status, error["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
    let (status, error) = idp.post_token(with(json!({"grant_type": "password", "password": "x"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error_description"], "Missing required parameter: username");
    let (status, error) =
        idp.post_token(with(json!({"grant_type": "client_credentials", "audience": "https://elsewhere/"}))).await;
    assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("access_denied")));

    let too_big = idp
        .http
        .post(idp.url("/oauth/token"))
        .header("content-type", "application/json")
        .body(vec![b' '; 65 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn passwordless_start_refuses_sign_ups_and_wrong_clients() {
    let idp = start_idp().await;
    let start = |phone: &str, secret: &str| json!({"client_id": CLIENT_ID, "client_secret": secret, "connection": "sms", "send": "code", "phone_number": phone});
    let response =
        idp.http.post(idp.url("/passwordless/start")).json(&start("+14155550199", CLIENT_SECRET)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "bad.connection");

    let response = idp.http.post(idp.url("/passwordless/start")).json(&start(ANA_PHONE, "wrong")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(idp.idp.outbox().is_empty());
}

#[tokio::test]
async fn the_management_api_needs_a_management_token() {
    let idp = start_idp().await;
    let ana = idp.user_id("ana");
    let path = format!("/api/v2/users/{}", urlencoding::encode(ana.as_str()));

    let response = idp.http.get(idp.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let error: Value = response.json().await.unwrap();
    assert_eq!((error["statusCode"].as_u64(), error["error"].as_str()), (Some(401), Some("Unauthorized")));

    let user_token = idp.password_tokens("ana", "pizza-ana-1", "openid").await;
    let response = idp.http.get(idp.url(&path)).bearer_auth(user_token["access_token"].as_str().unwrap()).send();
    assert_eq!(response.await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let (status, record) = idp.management_user(ana.as_str()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["user_id"], ana.as_str());
    assert_eq!(record["user_metadata"]["phone_number"], ANA_PHONE);
    let (status, error) = idp.management_user("auth0|nobody").await;
    assert_eq!((status, error["errorCode"].as_str()), (StatusCode::NOT_FOUND, Some("inexistent_user")));
    let token = idp.management_token().await;
    let response = idp.http.get(idp.url("/api/v2/users/%FF")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.json::<Value>().await.unwrap()["statusCode"], 400);
}

#[tokio::test]
async fn only_the_machine_to_machine_application_reaches_the_management_api() {
    let idp = start_idp().await;
    let audience = format!("{}/api/v2/", idp.base);
    // The login application has no client grant for the Management API.
    let (status, error) = idp
        .post_token(json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "audience": audience}))
        .await;
    assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("access_denied")), "{error}");
    // The machine-to-machine application has no user grants.
    let (status, error) = idp
        .post_token(json!({"grant_type": "password", "client_id": MGMT_CLIENT_ID,
            "client_secret": MGMT_CLIENT_SECRET, "username": "ana", "password": "pizza-ana-1"}))
        .await;
    assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("unauthorized_client")), "{error}");
    // Its token carries the scopes Pod uses, and the endpoints check them.
    let (status, tokens) = idp
        .post_token(json!({"grant_type": "client_credentials", "client_id": MGMT_CLIENT_ID,
            "client_secret": MGMT_CLIENT_SECRET, "audience": audience}))
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["scope"], "read:users create:users update:users");

    // Pod's client with the login application alone cannot read a profile.
    let login_only = Auth0Client::new(Auth0Settings { management: None, ..idp.client_settings() }).unwrap();
    let refused = login_only.profile(&idp.user_id("ana")).await.unwrap_err();
    assert!(refused.to_string().contains("MGMT_CLIENT_ID"), "{refused}");
    assert_eq!(idp.profile("ana").await.user_id, idp.user_id("ana"), "with its own application it can");
}

#[tokio::test]
async fn management_creates_and_links_passwordless_users() {
    let idp = start_idp().await;
    let token = idp.management_token().await;
    let create = |body: Value| idp.http.post(idp.url("/api/v2/users")).bearer_auth(&token).json(&body).send();

    let response = create(json!({"connection": "sms", "phone_number": "+14155550177"})).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let sms_id = created["user_id"].as_str().unwrap().to_string();
    assert!(sms_id.starts_with("sms|") && sms_id.len() == "sms|".len() + 24, "{sms_id}");
    let again = create(json!({"connection": "sms", "phone_number": "+1 415 555 0177"})).await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    for bad in [json!({"connection": "sms", "phone_number": "555"}), json!({"connection": "github"}), json!([1])] {
        assert_eq!(create(bad).await.unwrap().status(), StatusCode::BAD_REQUEST);
    }
    let malformed = idp.http.post(idp.url("/api/v2/users")).bearer_auth(&token).body("{").send().await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

    let ben = idp.user_id("ben");
    let link_path = format!("/api/v2/users/{}/identities", urlencoding::encode(ben.as_str()));
    let link = |body: Value| idp.http.post(idp.url(&link_path)).bearer_auth(&token).json(&body).send();
    let response = link(json!({"provider": "sms", "user_id": sms_id})).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let identities: Value = response.json().await.unwrap();
    assert_eq!(identities[1]["connection"], "sms");
    assert_eq!(format!("sms|{}", identities[1]["user_id"].as_str().unwrap()), sms_id);
    assert_eq!(idp.management_user(&sms_id).await.0, StatusCode::NOT_FOUND, "no longer a user of its own");
    assert_eq!(link(json!({"provider": "sms", "user_id": sms_id})).await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(link(json!({"provider": "sms", "user_id": "nobody"})).await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn userinfo_needs_a_valid_access_token() {
    let idp = start_idp().await;
    let tokens = idp.password_tokens("ana", "pizza-ana-1", "openid").await;
    let response =
        idp.http.get(idp.url("/userinfo")).bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let info: Value = response.json().await.unwrap();
    assert_eq!(info["sub"], idp.user_id("ana").as_str());
    assert_eq!((info["email"].as_str(), info["email_verified"].as_bool()), (Some("ana@example.com"), Some(true)));

    let response = idp.http.get(idp.url("/userinfo")).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn discovery_and_key_set_have_auth0_shape() {
    let idp = start_idp().await;
    let get_json = |path: &str| {
        let request = idp.http.get(idp.url(path));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let discovery = get_json("/.well-known/openid-configuration").await;
    let issuer = format!("{}/", idp.base);
    assert_eq!(discovery["issuer"], issuer);
    assert_eq!(discovery["authorization_endpoint"], format!("{issuer}authorize"));
    assert_eq!(discovery["token_endpoint"], format!("{issuer}oauth/token"));
    assert_eq!(discovery["userinfo_endpoint"], format!("{issuer}userinfo"));
    assert_eq!(discovery["jwks_uri"], format!("{issuer}.well-known/jwks.json"));
    assert_eq!(discovery["response_types_supported"], json!(["code"]));
    assert_eq!(discovery["id_token_signing_alg_values_supported"], json!(["HS256"]));
    assert_eq!(discovery["code_challenge_methods_supported"], json!(["S256", "plain"]));
    assert!(discovery["grant_types_supported"].as_array().unwrap().contains(&json!("authorization_code")));
    assert_eq!(get_json("/.well-known/jwks.json").await, json!({"keys": []}));

    let outbox = get_json("/outbox").await;
    assert_eq!(outbox, json!([]));
}
