//! Alexa request verification, each rule failing on its own. The tests make
//! their own CA and an RSA signing certificate (rcgen), serve the chain from
//! 127.0.0.1, and trust it through the test-only settings.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use pod_shared::alexa::{AlexaVerifier, Rejection, VerifierSettings};
use pod_shared::domain::Timestamp;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, PKCS_RSA_SHA256,
};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const RSA_KEY: &str = include_str!("fixtures/test-rsa-private.pem");
const SKILL: &str = "amzn1.ask.skill.pod-test";
const NOW: i64 = 1_800_000_000;

fn date(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

struct Ca {
    der: rustls_pki_types::CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

fn new_ca(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = date(NOW - 86_400 * 365);
    params.not_after = date(NOW + 86_400 * 365);
    let cert = params.self_signed(&key).unwrap();
    Ca { der: cert.der().clone(), issuer: Issuer::new(params, key) }
}

/// A leaf for `names`, valid from `from` to `until`, with the fixture RSA key, as PEM.
fn leaf(ca: &Ca, names: &[&str], from: i64, until: i64) -> String {
    let key = KeyPair::from_pem_and_sign_algo(RSA_KEY, &PKCS_RSA_SHA256).unwrap();
    let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("nobody"));
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = date(from);
    params.not_after = date(until);
    params.signed_by(&key, &ca.issuer).unwrap().pem()
}

fn sign(body: &[u8]) -> String {
    let der = rustls_pki_types::PrivateKeyDer::from_pem_slice(RSA_KEY.as_bytes()).unwrap();
    let key = ring::signature::RsaKeyPair::from_pkcs8(der.secret_der()).unwrap();
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), body, &mut signature).unwrap();
    base64::engine::general_purpose::STANDARD.encode(signature)
}

use rustls_pki_types::pem::PemObject;

struct Served {
    prefix: String,
    fetches: Arc<AtomicUsize>,
}

/// Serves `chains[i]` at `/echo.api/{i}.pem` on 127.0.0.1, counting fetches.
async fn serve(chains: Vec<String>) -> Served {
    let fetches = Arc::new(AtomicUsize::new(0));
    let state = (Arc::new(chains), fetches.clone());
    let app = Router::new()
        .route(
            "/echo.api/{file}",
            get(
                |State((chains, fetches)): State<(Arc<Vec<String>>, Arc<AtomicUsize>)>,
                 axum::extract::Path(file): axum::extract::Path<String>| async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    let index: usize = file.trim_end_matches(".pem").parse().unwrap_or(usize::MAX);
                    match chains.get(index) {
                        Some(pem) => (axum::http::StatusCode::OK, pem.clone()),
                        None => (axum::http::StatusCode::NOT_FOUND, String::new()),
                    }
                },
            ),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let prefix = format!("http://{}/echo.api/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Served { prefix, fetches }
}

fn verifier(ca: &Ca, served: &Served, skill: Option<&str>) -> AlexaVerifier {
    AlexaVerifier::new(VerifierSettings {
        verify_signature: true,
        skill_id: skill.map(str::to_string),
        trust_anchors: vec![webpki::anchor_from_trusted_cert(&ca.der).unwrap().to_owned()],
        test_chain_url_prefix: Some(served.prefix.clone()),
    })
}

fn body(timestamp: i64, skill: &str) -> Vec<u8> {
    let stamp = date(timestamp).format(&time::format_description::well_known::Rfc3339).unwrap();
    json!({"version": "1.0",
           "session": {"new": true, "sessionId": "s", "application": {"applicationId": skill}, "user": {"userId": "u"}},
           "context": {"System": {"application": {"applicationId": skill}, "user": {"userId": "u"}}},
           "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": stamp}})
    .to_string()
    .into_bytes()
}

async fn check(v: &AlexaVerifier, url: Option<&str>, signature: Option<&str>, body: &[u8]) -> Result<(), Rejection> {
    let header = |name: &str| match name {
        "signaturecertchainurl" => url,
        "signature-256" => signature,
        _ => None,
    };
    v.verify_https(header, body, Timestamp::from_unix_millis(NOW * 1000)).await.map(|_| ())
}

struct Setup {
    ca: Ca,
    served: Served,
}

/// Chains: 0 good, 1 wrong name, 2 expired, 3 from an untrusted CA.
async fn setup() -> Setup {
    let ca = new_ca("Pod Test Root");
    let stranger = new_ca("Someone Else");
    let chains = vec![
        leaf(&ca, &["echo-api.amazon.com"], NOW - 86_400, NOW + 86_400),
        leaf(&ca, &["evil.example.com"], NOW - 86_400, NOW + 86_400),
        leaf(&ca, &["echo-api.amazon.com"], NOW - 10 * 86_400, NOW - 86_400),
        leaf(&stranger, &["echo-api.amazon.com"], NOW - 86_400, NOW + 86_400),
    ];
    let served = serve(chains).await;
    Setup { ca, served }
}

fn url(setup: &Setup, index: usize) -> String {
    format!("{}{index}.pem", setup.served.prefix)
}

#[tokio::test]
async fn a_properly_signed_fresh_request_for_this_skill_passes_and_the_chain_is_cached() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, Some(SKILL));
    let body = body(NOW - 10, SKILL);
    assert_eq!(check(&v, Some(&url(&s, 0)), Some(&sign(&body)), &body).await, Ok(()));
    assert_eq!(check(&v, Some(&url(&s, 0)), Some(&sign(&body)), &body).await, Ok(()));
    assert_eq!(s.served.fetches.load(Ordering::SeqCst), 1, "the chain is fetched once and cached");
}

#[tokio::test]
async fn missing_headers_are_refused() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    assert_eq!(
        check(&v, None, Some(&sign(&body)), &body).await,
        Err(Rejection::MissingHeader("SignatureCertChainUrl"))
    );
    assert_eq!(check(&v, Some(&url(&s, 0)), None, &body).await, Err(Rejection::MissingHeader("Signature-256")));
}

#[tokio::test]
async fn a_chain_url_that_is_not_amazons_is_refused() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    for bad in ["", "https://evil.example.com/echo.api/0.pem", "http://s3.amazonaws.com/echo.api/0.pem"] {
        assert!(
            matches!(check(&v, Some(bad), Some(&sign(&body)), &body).await, Err(Rejection::BadCertUrl(_))),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_chain_is_refused() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let missing = format!("{}99.pem", s.served.prefix);
    assert!(matches!(check(&v, Some(&missing), Some(&sign(&body)), &body).await, Err(Rejection::ChainUnavailable(_))));
}

#[tokio::test]
async fn untrusted_expired_or_misnamed_certificates_are_refused() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let signature = sign(&body);
    assert_eq!(check(&v, Some(&url(&s, 1)), Some(&signature), &body).await, Err(Rejection::WrongCertificateName));
    assert!(
        matches!(check(&v, Some(&url(&s, 2)), Some(&signature), &body).await, Err(Rejection::BadChain(_))),
        "expired"
    );
    assert!(
        matches!(check(&v, Some(&url(&s, 3)), Some(&signature), &body).await, Err(Rejection::BadChain(_))),
        "untrusted"
    );
}

#[tokio::test]
async fn a_signature_over_other_bytes_or_garbage_is_refused() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let mut tampered = body.clone();
    tampered.push(b' ');
    assert_eq!(check(&v, Some(&url(&s, 0)), Some(&sign(&body)), &tampered).await, Err(Rejection::BadSignature));
    assert_eq!(check(&v, Some(&url(&s, 0)), Some("not base64!"), &body).await, Err(Rejection::BadSignature));
    assert_eq!(check(&v, Some(&url(&s, 0)), Some("AAAA"), &body).await, Err(Rejection::BadSignature));
}

#[tokio::test]
async fn timestamps_more_than_150_seconds_away_are_refused() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    for (offset, ok) in [(-150, true), (150, true), (-151, false), (151, false)] {
        let body = body(NOW + offset, SKILL);
        let result = check(&v, Some(&url(&s, 0)), Some(&sign(&body)), &body).await;
        assert_eq!(result.is_ok(), ok, "offset {offset}: {result:?}");
        if !ok {
            assert_eq!(result, Err(Rejection::StaleTimestamp));
        }
    }
}

#[tokio::test]
async fn another_skills_request_is_refused_in_both_modes() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, Some(SKILL));
    let body = body(NOW, "amzn1.ask.skill.someone-else");
    assert_eq!(check(&v, Some(&url(&s, 0)), Some(&sign(&body)), &body).await, Err(Rejection::WrongSkill));
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v.verify_direct(&event), Err(Rejection::WrongSkill));
    let mine: serde_json::Value = serde_json::from_slice(&self::body(NOW, SKILL)).unwrap();
    assert_eq!(v.verify_direct(&mine), Ok(()));
}

#[tokio::test]
async fn with_signature_checking_off_only_the_skill_id_is_checked() {
    let v = AlexaVerifier::new(VerifierSettings::production(false, Some(SKILL.into())));
    let body = body(NOW - 10_000, SKILL);
    assert_eq!(check(&v, None, None, &body).await, Ok(()));
    let other = self::body(NOW, "amzn1.ask.skill.other");
    assert_eq!(check(&v, None, None, &other).await, Err(Rejection::WrongSkill));
    assert!(matches!(check(&v, None, None, b"{not json").await, Err(Rejection::Malformed(_))));
}
