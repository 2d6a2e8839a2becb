//! Alexa request verification, each rule failing on its own. The tests make
//! their own CA and an RSA signing certificate (rcgen), serve the chain from
//! 127.0.0.1, and trust it through the test-only settings.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use pod_shared::alexa::{AlexaVerifier, CHAIN_CACHE_ENTRIES, MAX_CHAIN_BYTES, Rejection, VerifierSettings};
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

/// Serves on 127.0.0.1, counting fetches: `chains[i]` at `/echo.api/{i}.pem` and at
/// `/echo.api/{i}-{anything}.pem` (many URLs, one chain); `moved.pem` redirects to `0.pem`;
/// `huge.pem` is 1 MiB with its length announced; `slow-{anything}.pem` is chain 0 after 2 s.
async fn serve(chains: Vec<String>) -> Served {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let fetches = Arc::new(AtomicUsize::new(0));
    let state = (Arc::new(chains), fetches.clone());
    let app = Router::new()
        .route(
            "/echo.api/{file}",
            get(
                |State((chains, fetches)): State<(Arc<Vec<String>>, Arc<AtomicUsize>)>,
                 axum::extract::Path(file): axum::extract::Path<String>| async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    let name = file.trim_end_matches(".pem");
                    match name {
                        "moved" => return (StatusCode::FOUND, [(header::LOCATION, "/echo.api/0.pem")]).into_response(),
                        "huge" => return (StatusCode::OK, "x".repeat(1 << 20)).into_response(),
                        _ => {}
                    }
                    if name.starts_with("slow-") {
                        tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
                    }
                    let index = name.strip_prefix("slow-").map_or(name, |_| "0");
                    let index: usize = index.split('-').next().unwrap_or_default().parse().unwrap_or(usize::MAX);
                    match chains.get(index) {
                        Some(pem) => (StatusCode::OK, pem.clone()).into_response(),
                        None => StatusCode::NOT_FOUND.into_response(),
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

/// A server that answers any request with a body that does not end (no length announced, up to
/// 256 MiB), counting the bytes it managed to send before the client hung up.
async fn serve_endless() -> Served {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sent = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let prefix = format!("http://{}/echo.api/", listener.local_addr().unwrap());
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-pem-file\r\nconnection: close\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let block = [b'A'; 16 * 1024];
                for _ in 0..(256 * 1024 * 1024 / block.len()) {
                    if socket.write_all(&block).await.is_err() {
                        return;
                    }
                    counter.fetch_add(block.len(), Ordering::SeqCst);
                }
            });
        }
    });
    Served { prefix, fetches: sent }
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

#[tokio::test]
async fn a_chain_url_with_a_query_or_a_fragment_is_refused_without_a_fetch() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let base = url(&s, 0);
    for bad in [format!("{base}?v=1"), format!("{base}?"), format!("{base}#part"), format!("{base}#")] {
        let result = check(&v, Some(&bad), Some(&sign(&body)), &body).await;
        assert!(matches!(result, Err(Rejection::BadCertUrl(_))), "{bad}: {result:?}");
    }
    let credentials = base.replace("http://", "http://user:pw@");
    assert!(matches!(check(&v, Some(&credentials), Some(&sign(&body)), &body).await, Err(Rejection::BadCertUrl(_))));
    assert_eq!(s.served.fetches.load(Ordering::SeqCst), 0);
    assert_eq!(v.chain_cache_stats().entries, 0);
}

#[tokio::test]
async fn the_chain_cache_is_keyed_by_the_normalised_url() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let prefix = &s.served.prefix;
    for spelling in [format!("{prefix}0.pem"), format!("{prefix}./0.pem"), format!("{prefix}x/../0.pem")] {
        assert_eq!(check(&v, Some(&spelling), Some(&sign(&body)), &body).await, Ok(()), "{spelling}");
    }
    assert_eq!(s.served.fetches.load(Ordering::SeqCst), 1, "one chain, one fetch, however the URL is spelt");
    assert_eq!(v.chain_cache_stats().entries, 1);
    let escaping = format!("{prefix}../elsewhere/0.pem");
    assert!(matches!(check(&v, Some(&escaping), Some(&sign(&body)), &body).await, Err(Rejection::BadCertUrl(_))));
}

#[tokio::test]
async fn a_chain_that_fails_its_checks_is_never_cached() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    for index in [1, 2, 3] {
        assert!(check(&v, Some(&url(&s, index)), Some(&sign(&body)), &body).await.is_err());
    }
    assert_eq!(v.chain_cache_stats().entries, 0, "misnamed, expired and untrusted chains are not kept");
    assert!(check(&v, Some(&url(&s, 1)), Some(&sign(&body)), &body).await.is_err());
    assert_eq!(s.served.fetches.load(Ordering::SeqCst), 4);
}

/// Many distinct chain URLs (as an attacker may post): the cache and its memory stay bounded,
/// failing chains take no place in it, and requests whose chain is cached cost no fetch.
#[tokio::test]
async fn many_distinct_chain_urls_keep_the_cache_bounded_and_cached_chains_are_not_fetched_again() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let signature = sign(&body);
    let fetches = || s.served.fetches.load(Ordering::SeqCst);
    let good = url(&s, 0);
    assert_eq!(check(&v, Some(&good), Some(&signature), &body).await, Ok(()));
    assert_eq!(fetches(), 1);

    for i in 0..200 {
        let misnamed = format!("{}1-{i}.pem", s.served.prefix);
        assert_eq!(check(&v, Some(&misnamed), Some(&signature), &body).await, Err(Rejection::WrongCertificateName));
        assert_eq!(v.chain_cache_stats().entries, 1, "a failing chain is not cached");
    }
    assert_eq!(fetches(), 201);
    let mut tampered = body.clone();
    tampered.push(b' ');
    assert_eq!(check(&v, Some(&good), Some(&signature), &tampered).await, Err(Rejection::BadSignature));
    assert_eq!(check(&v, Some(&good), None, &body).await, Err(Rejection::MissingHeader("Signature-256")));
    assert_eq!(check(&v, Some(&good), Some(""), &body).await, Err(Rejection::BadSignature));
    assert_eq!(check(&v, Some(&good), Some(&signature), &body).await, Ok(()));
    assert_eq!(fetches(), 201, "the cached chain was used, not fetched again");

    let many: Vec<String> = (0..200).map(|i| format!("{}0-{i}.pem", s.served.prefix)).collect();
    let mut largest = 0;
    for chain_url in &many {
        assert_eq!(check(&v, Some(chain_url), Some(&signature), &body).await, Ok(()));
        let stats = v.chain_cache_stats();
        assert!(stats.entries <= CHAIN_CACHE_ENTRIES, "{stats:?}");
        largest = largest.max(stats.bytes);
    }
    assert!(largest <= CHAIN_CACHE_ENTRIES * (MAX_CHAIN_BYTES + 1024), "{largest} bytes cached");
    assert_eq!(v.chain_cache_stats().entries, CHAIN_CACHE_ENTRIES);
    assert_eq!(fetches(), 401);

    // The last few are cached: forged and unsigned requests naming them are refused without a fetch.
    let cached = &many[many.len() - CHAIN_CACHE_ENTRIES..];
    for chain_url in cached {
        assert_eq!(check(&v, Some(chain_url), Some(&signature), &tampered).await, Err(Rejection::BadSignature));
        assert_eq!(check(&v, Some(chain_url), Some("AAAA"), &body).await, Err(Rejection::BadSignature));
        assert_eq!(check(&v, Some(chain_url), None, &body).await, Err(Rejection::MissingHeader("Signature-256")));
    }
    assert_eq!(fetches(), 401);

    // Least recently used goes first: touch the oldest cached, add one, and the next oldest went.
    assert_eq!(check(&v, Some(&cached[0]), Some(&signature), &body).await, Ok(()));
    assert_eq!(check(&v, Some(&many[0]), Some(&signature), &body).await, Ok(()));
    assert_eq!(fetches(), 402, "the evicted first URL was fetched again");
    assert_eq!(check(&v, Some(&cached[0]), Some(&signature), &body).await, Ok(()));
    assert_eq!(fetches(), 402, "the recently used one stayed");
    assert_eq!(check(&v, Some(&cached[1]), Some(&signature), &body).await, Ok(()));
    assert_eq!(fetches(), 403, "the least recently used one went");
}

#[tokio::test]
async fn a_redirect_from_the_chain_server_is_not_followed() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let moved = format!("{}moved.pem", s.served.prefix);
    let result = check(&v, Some(&moved), Some(&sign(&body)), &body).await;
    assert!(matches!(&result, Err(Rejection::ChainUnavailable(why)) if why.contains("302")), "{result:?}");
    assert_eq!(s.served.fetches.load(Ordering::SeqCst), 1, "the redirect's target was not fetched");
}

#[tokio::test]
async fn an_oversized_chain_is_refused() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let huge = format!("{}huge.pem", s.served.prefix);
    let result = check(&v, Some(&huge), Some(&sign(&body)), &body).await;
    assert!(matches!(&result, Err(Rejection::ChainUnavailable(why)) if why.contains("larger")), "{result:?}");
}

/// A body that never ends, with no length announced: reading stops past 64 KiB, long before the
/// download's time limit, instead of reading (and holding) everything first.
#[tokio::test]
async fn a_chain_download_stops_reading_past_64_kib() {
    let ca = new_ca("Pod Test Root");
    let endless = serve_endless().await;
    let v = verifier(&ca, &endless, None);
    let body = body(NOW, SKILL);
    let started = std::time::Instant::now();
    let result = check(&v, Some(&format!("{}endless.pem", endless.prefix)), Some(&sign(&body)), &body).await;
    assert!(matches!(&result, Err(Rejection::ChainUnavailable(why)) if why.contains("larger")), "{result:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let sent = endless.fetches.load(Ordering::SeqCst);
    assert!(sent < 32 * 1024 * 1024, "the server got {sent} bytes out before the client hung up");
}

/// The cache is not locked while a chain downloads: a request whose chain is cached is answered
/// while another request's chain is still on its way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_chain_download_does_not_hold_up_requests_with_a_cached_chain() {
    let s = setup().await;
    let v = Arc::new(verifier(&s.ca, &s.served, None));
    let body = body(NOW, SKILL);
    let signature = sign(&body);
    assert_eq!(check(&v, Some(&url(&s, 0)), Some(&signature), &body).await, Ok(()));
    let slow = {
        let (v, body, signature) = (v.clone(), body.clone(), signature.clone());
        let slow_url = format!("{}slow-1.pem", s.served.prefix);
        tokio::spawn(async move { check(&v, Some(&slow_url), Some(&signature), &body).await })
    };
    while s.served.fetches.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let started = std::time::Instant::now();
    assert_eq!(check(&v, Some(&url(&s, 0)), Some(&signature), &body).await, Ok(()));
    assert!(!slow.is_finished(), "answered while the other chain is still downloading");
    assert!(started.elapsed() < std::time::Duration::from_millis(1_500), "waited {:?}", started.elapsed());
    assert_eq!(slow.await.unwrap(), Ok(()));
}

#[tokio::test]
async fn a_signature_that_cannot_be_one_is_refused_before_any_fetch() {
    let s = setup().await;
    let v = verifier(&s.ca, &s.served, None);
    let body = body(NOW, SKILL);
    let short = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
    for garbage in ["", "   ", "not base64!", "AAAA", short.as_str()] {
        assert_eq!(check(&v, Some(&url(&s, 0)), Some(garbage), &body).await, Err(Rejection::BadSignature), "{garbage}");
    }
    assert_eq!(s.served.fetches.load(Ordering::SeqCst), 0, "no chain fetched for an impossible signature");
}
