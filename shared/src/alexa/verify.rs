//! Verifying that a request really comes from Alexa, as the Alexa Skills Kit
//! requires of an HTTPS (web service) endpoint, and that it is for this skill.
//!
//! HTTPS: the `SignatureCertChainUrl` must be `https://s3.amazonaws.com/echo.api/…`
//! (port 443 if any, path checked after normalisation, no query, fragment or
//! credentials); the chain is fetched (no redirects followed, at most 64 KiB
//! read), checked up to a trusted root at the time of the request, and its
//! leaf must name `echo-api.amazon.com`; only then is it cached, keyed by the
//! normalised URL, until its leaf expires, in a small least-recently-used
//! cache (no lock is held while a chain downloads). The `Signature-256`
//! header is an RSA PKCS#1 v1.5 SHA-256 signature over the exact body bytes;
//! `request.timestamp` is within 150 seconds. Both modes: when a skill id is
//! configured, the request's application id must match.
//! All crypto is `rustls-webpki` (aws-lc-rs); certificates are read with `x509-parser`.
//!
//! A [`Rejection`] says which rule failed, for the log; callers are shown only
//! a generic reason (see the skill's HTTP answer).

use super::RequestEnvelope;
use crate::domain::Timestamp;
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How far `request.timestamp` may be from now.
pub const MAX_REQUEST_AGE: Duration = Duration::from_secs(150);
/// A certificate chain download stops (and is refused) past this many bytes.
pub const MAX_CHAIN_BYTES: usize = 64 * 1024;
/// How many verified certificate chains are kept (least recently used leaves first).
/// Alexa signs with one chain at a time; a few cover a rotation.
pub const CHAIN_CACHE_ENTRIES: usize = 4;
const _: () = assert!(CHAIN_CACHE_ENTRIES > 0, "the cache evicts to make room for one");
const SIGNING_CERT_NAME: &str = "echo-api.amazon.com";
const CERT_HOST: &str = "s3.amazonaws.com";
const CERT_PATH_PREFIX: &str = "/echo.api/";
/// How much of a refused URL a rejection quotes (for the log).
const QUOTED_URL_CHARS: usize = 200;
/// RSA signatures of 2048 to 8192 bits; anything else is refused before a chain is fetched.
const SIGNATURE_BYTES: std::ops::RangeInclusive<usize> = 256..=1024;

/// Why a request was refused: for the log only (callers get a generic answer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    #[error("the certificate chain URL is not Amazon's: {0}")]
    BadCertUrl(String),
    #[error("the certificate chain could not be fetched: {0}")]
    ChainUnavailable(String),
    #[error("the certificate chain is not valid: {0}")]
    BadChain(String),
    #[error("the signing certificate is not for echo-api.amazon.com")]
    WrongCertificateName,
    #[error("the signature does not match the body")]
    BadSignature,
    #[error("the request timestamp is missing or more than 150 seconds from now")]
    StaleTimestamp,
    #[error("the request is for another skill")]
    WrongSkill,
    #[error("the body is not an Alexa request: {0}")]
    Malformed(String),
}

/// What the verifier trusts and checks.
#[derive(Clone)]
pub struct VerifierSettings {
    /// Check signatures, chains and timestamps (HTTPS endpoints must).
    pub verify_signature: bool,
    /// Refuse requests for any other skill (`ALEXA_SKILL_ID`), if set.
    pub skill_id: Option<String>,
    /// Roots the signing chain must lead to (Mozilla's, from `webpki-roots`, in production).
    pub trust_anchors: Vec<TrustAnchor<'static>>,
    /// Tests only: also accept chain URLs starting with this (e.g. `http://127.0.0.1:PORT/echo.api/`).
    /// Such URLs are still normalised and refused with a query, a fragment or credentials.
    pub test_chain_url_prefix: Option<String>,
}

impl VerifierSettings {
    /// Production trust: Mozilla's roots, Amazon's chain URLs only.
    pub fn production(verify_signature: bool, skill_id: Option<String>) -> Self {
        Self {
            verify_signature,
            skill_id,
            trust_anchors: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            test_chain_url_prefix: None,
        }
    }
}

type Chain = Arc<[CertificateDer<'static>]>;

struct CachedChain {
    /// The normalised chain URL.
    url: String,
    certificates: Chain,
    /// The leaf's `notAfter` (Unix seconds): the entry is dropped from then on.
    not_after: i64,
}

/// A few verified chains, least recently used first; a linear scan of so few is the cheapest map.
#[derive(Default)]
struct ChainCache {
    entries: Vec<CachedChain>,
}

impl ChainCache {
    /// The chain cached for `url` if its leaf is still valid at `now`, marked most recently used.
    fn get(&mut self, url: &str, now: i64) -> Option<Chain> {
        let index = self.entries.iter().position(|entry| entry.url == url)?;
        let entry = self.entries.remove(index);
        if now >= entry.not_after {
            return None;
        }
        let certificates = entry.certificates.clone();
        self.entries.push(entry);
        Some(certificates)
    }

    /// Adds (or replaces) `entry` as the most recently used, dropping the least recently used past the bound.
    fn insert(&mut self, entry: CachedChain) {
        self.entries.retain(|cached| cached.url != entry.url);
        while self.entries.len() >= CHAIN_CACHE_ENTRIES {
            self.entries.remove(0);
        }
        self.entries.push(entry);
    }

    fn stats(&self) -> ChainCacheStats {
        ChainCacheStats {
            entries: self.entries.len(),
            bytes: self
                .entries
                .iter()
                .map(|entry| entry.url.len() + entry.certificates.iter().map(|c| c.len()).sum::<usize>())
                .sum(),
        }
    }
}

/// What the certificate chain cache holds (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainCacheStats {
    /// Chains cached, at most [`CHAIN_CACHE_ENTRIES`].
    pub entries: usize,
    /// Their URLs' and certificates' bytes.
    pub bytes: usize,
}

/// Verifies Alexa requests; build once per process (it caches certificate chains).
pub struct AlexaVerifier {
    settings: VerifierSettings,
    http: reqwest::Client,
    /// Locked only to look up or insert, never across a download.
    chains: Mutex<ChainCache>,
}

/// A rejection of the chain URL `raw` for `why`, quoting (a bounded, escaped part of) it for the log.
fn bad_url(why: &str, raw: &str) -> Rejection {
    let quoted: String = raw.chars().take(QUOTED_URL_CHARS).collect();
    Rejection::BadCertUrl(format!("{why}: {quoted:?}"))
}

/// The rules every chain URL follows, Amazon's or a test server's.
fn check_url_parts(url: &url::Url, raw: &str) -> Result<(), Rejection> {
    if url.query().is_some() {
        return Err(bad_url("no query allowed", raw));
    }
    if url.fragment().is_some() {
        return Err(bad_url("no fragment allowed", raw));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad_url("no credentials allowed", raw));
    }
    Ok(())
}

/// Checks a `SignatureCertChainUrl` as the Alexa Skills Kit requires; returns the normalised URL
/// (scheme and host lowercased, default port dropped, `.` and `..` segments resolved).
pub fn check_cert_url(raw: &str) -> Result<url::Url, Rejection> {
    let url = url::Url::parse(raw.trim()).map_err(|_| bad_url("not a URL", raw))?;
    if url.scheme() != "https" {
        return Err(bad_url("the scheme must be https", raw));
    }
    if !url.host_str().is_some_and(|h| h.eq_ignore_ascii_case(CERT_HOST)) {
        return Err(bad_url("the host must be s3.amazonaws.com", raw));
    }
    if url.port().is_some_and(|p| p != 443) {
        return Err(bad_url("the port must be 443", raw));
    }
    // `Url::parse` has already resolved `.` and `..` segments.
    if !url.path().starts_with(CERT_PATH_PREFIX) {
        return Err(bad_url("the path must start with /echo.api/", raw));
    }
    check_url_parts(&url, raw)?;
    Ok(url)
}

impl AlexaVerifier {
    pub fn new(settings: VerifierSettings) -> Self {
        let http = crate::https::client_builder()
            .timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "no configured HTTP client for certificate chains; using a plain one");
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(3))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap_or_default()
            });
        Self { settings, http, chains: Mutex::new(ChainCache::default()) }
    }

    pub fn verifies_signatures(&self) -> bool {
        self.settings.verify_signature
    }

    /// How many chains are cached, and their size.
    pub fn chain_cache_stats(&self) -> ChainCacheStats {
        self.cache().stats()
    }

    /// The cache, locked briefly (a panic elsewhere while it was held leaves it usable).
    fn cache(&self) -> MutexGuard<'_, ChainCache> {
        self.chains.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The whole check of an HTTPS request; `header` looks a header up by (lowercase) name.
    pub async fn verify_https<'h>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<RequestEnvelope, Rejection> {
        let raw: serde_json::Value = serde_json::from_slice(body).map_err(|e| Rejection::Malformed(e.to_string()))?;
        if self.settings.verify_signature {
            let chain_url = header("signaturecertchainurl").ok_or(Rejection::MissingHeader("SignatureCertChainUrl"))?;
            let signature = header("signature-256").ok_or(Rejection::MissingHeader("Signature-256"))?;
            self.check_signature(chain_url, signature, body, now).await?;
            check_timestamp(&raw, now)?;
        }
        self.check_skill(&raw)?;
        serde_json::from_value(raw).map_err(|e| Rejection::Malformed(e.to_string()))
    }

    /// The check of a direct (Lambda ARN) invocation: the skill id only; AWS permissions guard the rest.
    pub fn verify_direct(&self, event: &serde_json::Value) -> Result<(), Rejection> {
        self.check_skill(event)
    }

    fn check_skill(&self, raw: &serde_json::Value) -> Result<(), Rejection> {
        let Some(expected) = &self.settings.skill_id else { return Ok(()) };
        let from_context = raw.pointer("/context/System/application/applicationId").and_then(|v| v.as_str());
        let from_session = raw.pointer("/session/application/applicationId").and_then(|v| v.as_str());
        match from_context.or(from_session) {
            Some(id) if id == expected => Ok(()),
            _ => Err(Rejection::WrongSkill),
        }
    }

    /// The chain URL, normalised: Amazon's, or (tests) one under the test prefix.
    fn chain_url(&self, raw: &str) -> Result<url::Url, Rejection> {
        match &self.settings.test_chain_url_prefix {
            Some(prefix) if raw.starts_with(prefix.as_str()) => {
                let url = url::Url::parse(raw).map_err(|_| bad_url("not a URL", raw))?;
                if !url.as_str().starts_with(prefix.as_str()) {
                    return Err(bad_url("the normalised URL leaves the test prefix", raw));
                }
                check_url_parts(&url, raw)?;
                Ok(url)
            }
            _ => check_cert_url(raw),
        }
    }

    async fn check_signature(
        &self,
        chain_url: &str,
        signature: &str,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), Rejection> {
        // Everything that needs no download first: a bad URL or signature costs no fetch.
        let url = self.chain_url(chain_url)?;
        let signature =
            base64::engine::general_purpose::STANDARD.decode(signature.trim()).map_err(|_| Rejection::BadSignature)?;
        if !SIGNATURE_BYTES.contains(&signature.len()) {
            return Err(Rejection::BadSignature);
        }
        let cached = self.cache().get(url.as_str(), now.unix_seconds());
        let (certificates, fetched) = match cached {
            Some(certificates) => (certificates, None),
            None => {
                let (certificates, not_after) = self.fetch_chain(&url).await?;
                (certificates, Some(not_after))
            }
        };
        let leaf = self.trusted_leaf(&certificates, now)?;
        if let Some(not_after) = fetched {
            // Only a chain that passed the chain and name checks is kept.
            tracing::info!(url = %url, "alexa certificate chain verified and cached");
            let entry = CachedChain { url: url.to_string(), certificates: certificates.clone(), not_after };
            self.cache().insert(entry);
        }
        leaf.verify_signature(webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256, body, &signature)
            .map_err(|_| Rejection::BadSignature)
    }

    /// The leaf of `certificates`, once the chain leads to a trusted root at `now` and the leaf names Alexa.
    fn trusted_leaf<'c>(
        &self,
        certificates: &'c [CertificateDer<'static>],
        now: Timestamp,
    ) -> Result<webpki::EndEntityCert<'c>, Rejection> {
        let (leaf, intermediates) = certificates.split_first().ok_or_else(|| Rejection::BadChain("empty".into()))?;
        let leaf = webpki::EndEntityCert::try_from(leaf).map_err(|e| Rejection::BadChain(format!("{e:?}")))?;
        let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now.unix_seconds()).unwrap_or(0)));
        leaf.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.settings.trust_anchors,
            intermediates,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| Rejection::BadChain(format!("{e:?}")))?;
        let name = ServerName::try_from(SIGNING_CERT_NAME).map_err(|_| Rejection::WrongCertificateName)?;
        leaf.verify_is_valid_for_subject_name(&name).map_err(|_| Rejection::WrongCertificateName)?;
        Ok(leaf)
    }

    /// Downloads and parses the chain at `url`: its certificates and the leaf's `notAfter`.
    async fn fetch_chain(&self, url: &url::Url) -> Result<(Chain, i64), Rejection> {
        let pem = self.download(url).await?;
        let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|e| Rejection::BadChain(format!("not PEM: {e:?}")))?;
        let leaf = certificates.first().ok_or_else(|| Rejection::BadChain("no certificate".into()))?;
        let (_, parsed) = x509_parser::parse_x509_certificate(leaf.as_ref())
            .map_err(|e| Rejection::BadChain(format!("unreadable leaf: {e}")))?;
        let not_after = parsed.validity().not_after.timestamp();
        Ok((certificates.into(), not_after))
    }

    /// The body at `url`, following no redirect, read chunk by chunk and given up past [`MAX_CHAIN_BYTES`].
    async fn download(&self, url: &url::Url) -> Result<Vec<u8>, Rejection> {
        let unavailable = |e: reqwest::Error| Rejection::ChainUnavailable(e.without_url().to_string());
        let too_large = || Rejection::ChainUnavailable(format!("the chain is larger than {MAX_CHAIN_BYTES} bytes"));
        let mut response = self.http.get(url.clone()).send().await.map_err(unavailable)?;
        if !response.status().is_success() {
            // A redirect (3xx) lands here too: it is never followed.
            return Err(Rejection::ChainUnavailable(format!("HTTP {}", response.status())));
        }
        if response.content_length().is_some_and(|length| length > MAX_CHAIN_BYTES as u64) {
            return Err(too_large());
        }
        let mut pem = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
            if pem.len() + chunk.len() > MAX_CHAIN_BYTES {
                return Err(too_large());
            }
            pem.extend_from_slice(&chunk);
        }
        Ok(pem)
    }
}

fn check_timestamp(raw: &serde_json::Value, now: Timestamp) -> Result<(), Rejection> {
    let stamp = raw.pointer("/request/timestamp").and_then(|v| v.as_str()).ok_or(Rejection::StaleTimestamp)?;
    let at = time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
        .map_err(|_| Rejection::StaleTimestamp)?;
    let age = (now.unix_seconds() - at.unix_timestamp()).unsigned_abs();
    if age > MAX_REQUEST_AGE.as_secs() { Err(Rejection::StaleTimestamp) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_amazons_certificate_urls_are_accepted() {
        for good in [
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            "HTTPS://s3.AmazonAWS.com/echo.api/echo-api-cert.pem",
        ] {
            assert!(check_cert_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://notamazon.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
            "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
            "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/.%2E/invalid.path/echo-api-cert.pem",
            "https://user:pw@s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?versionId=1",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#part",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#",
            "",
            "not a url",
        ] {
            assert!(matches!(check_cert_url(bad), Err(Rejection::BadCertUrl(_))), "{bad}");
        }
    }

    #[test]
    fn the_same_chain_url_written_differently_normalises_to_one_cache_key() {
        let key = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem";
        for spelling in [
            key,
            " https://s3.amazonaws.com/echo.api/echo-api-cert.pem ",
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/x/../echo-api-cert.pem",
        ] {
            assert_eq!(check_cert_url(spelling).unwrap().as_str(), key, "{spelling}");
        }
    }

    #[test]
    fn a_refused_url_is_quoted_bounded_and_escaped() {
        let raw = format!("https://evil.example/\n{}", "x".repeat(10_000));
        let Err(Rejection::BadCertUrl(detail)) = check_cert_url(&raw) else { panic!("refused") };
        assert!(detail.len() < QUOTED_URL_CHARS + 100, "{} bytes", detail.len());
        assert!(!detail.contains('\n'));
    }

    fn entry(url: &str, not_after: i64) -> CachedChain {
        CachedChain { url: url.into(), certificates: Arc::from(vec![CertificateDer::from(vec![0u8; 10])]), not_after }
    }

    #[test]
    fn the_chain_cache_keeps_the_most_recently_used_few_and_drops_expired_ones() {
        let mut cache = ChainCache::default();
        for i in 0..CHAIN_CACHE_ENTRIES {
            cache.insert(entry(&format!("u{i}"), 100));
        }
        assert!(cache.get("u0", 50).is_some(), "u0 is now the most recently used");
        cache.insert(entry("new", 100));
        assert_eq!(cache.stats().entries, CHAIN_CACHE_ENTRIES);
        assert!(cache.get("u1", 50).is_none(), "the least recently used went");
        assert!(cache.get("u0", 50).is_some());
        assert!(cache.get("new", 50).is_some());
        cache.insert(entry("new", 200));
        assert_eq!(cache.entries.iter().filter(|e| e.url == "new").count(), 1, "replaced, not duplicated");
        assert!(cache.get("u0", 100).is_none(), "expired at its notAfter");
        assert!(cache.get("u0", 50).is_none(), "and dropped");
        for i in 0..1_000 {
            cache.insert(entry(&format!("many{i}"), 100));
            assert!(cache.entries.len() <= CHAIN_CACHE_ENTRIES);
        }
    }
}
