//! Verifying that a request really comes from Alexa, as the Alexa Skills Kit
//! requires of an HTTPS (web service) endpoint, and that it is for this skill.
//!
//! HTTPS: the `SignatureCertChainUrl` must be `https://s3.amazonaws.com/echo.api/…`
//! (port 443 if any, path checked after normalisation); the chain is fetched,
//! cached by URL until its leaf expires, checked up to a trusted root at the
//! time of the request, and its leaf must name `echo-api.amazon.com`; the
//! `Signature-256` header is an RSA PKCS#1 v1.5 SHA-256 signature over the
//! exact body bytes; `request.timestamp` is within 150 seconds. Both modes:
//! when a skill id is configured, the request's application id must match.
//! All crypto is `rustls-webpki` (aws-lc-rs); certificates are read with `x509-parser`.

use super::RequestEnvelope;
use crate::domain::Timestamp;
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::Mutex;

/// How far `request.timestamp` may be from now.
pub const MAX_REQUEST_AGE: Duration = Duration::from_secs(150);
const SIGNING_CERT_NAME: &str = "echo-api.amazon.com";
const CERT_HOST: &str = "s3.amazonaws.com";
const CERT_PATH_PREFIX: &str = "/echo.api/";
const MAX_CHAIN_BYTES: usize = 64 * 1024;

/// Why a request was refused (answered with HTTP 400 and logged).
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

struct CachedChain {
    certificates: Vec<CertificateDer<'static>>,
    not_after: i64,
}

/// Verifies Alexa requests; build once per process (it caches certificate chains).
pub struct AlexaVerifier {
    settings: VerifierSettings,
    http: reqwest::Client,
    chains: Mutex<HashMap<String, CachedChain>>,
}

/// Checks a `SignatureCertChainUrl` as the Alexa Skills Kit requires; returns the normalised URL.
pub fn check_cert_url(raw: &str) -> Result<url::Url, Rejection> {
    let bad = |why: &str| Rejection::BadCertUrl(format!("{why}: {raw}"));
    let url = url::Url::parse(raw.trim()).map_err(|_| bad("not a URL"))?;
    if url.scheme() != "https" {
        return Err(bad("the scheme must be https"));
    }
    if !url.host_str().is_some_and(|h| h.eq_ignore_ascii_case(CERT_HOST)) {
        return Err(bad("the host must be s3.amazonaws.com"));
    }
    if url.port().is_some_and(|p| p != 443) {
        return Err(bad("the port must be 443"));
    }
    // `Url::parse` has already resolved `.` and `..` segments.
    if !url.path().starts_with(CERT_PATH_PREFIX) {
        return Err(bad("the path must start with /echo.api/"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("no credentials allowed"));
    }
    Ok(url)
}

impl AlexaVerifier {
    pub fn new(settings: VerifierSettings) -> Self {
        let http = crate::https::client_builder()
            .timeout(Duration::from_secs(3))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { settings, http, chains: Mutex::new(HashMap::new()) }
    }

    pub fn verifies_signatures(&self) -> bool {
        self.settings.verify_signature
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

    async fn check_signature(
        &self,
        chain_url: &str,
        signature: &str,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), Rejection> {
        let certificates = self.chain(chain_url, now).await?;
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
        let signature =
            base64::engine::general_purpose::STANDARD.decode(signature.trim()).map_err(|_| Rejection::BadSignature)?;
        leaf.verify_signature(webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256, body, &signature)
            .map_err(|_| Rejection::BadSignature)
    }

    /// The chain at `raw_url`, from the cache while its leaf is valid, else fetched.
    async fn chain(&self, raw_url: &str, now: Timestamp) -> Result<Vec<CertificateDer<'static>>, Rejection> {
        let url = match &self.settings.test_chain_url_prefix {
            Some(prefix) if raw_url.starts_with(prefix.as_str()) => raw_url.to_string(),
            _ => check_cert_url(raw_url)?.to_string(),
        };
        let mut chains = self.chains.lock().await;
        if let Some(cached) = chains.get(&url).filter(|c| now.unix_seconds() < c.not_after) {
            return Ok(cached.certificates.clone());
        }
        let response =
            self.http.get(&url).send().await.map_err(|e| Rejection::ChainUnavailable(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(Rejection::ChainUnavailable(format!("HTTP {}", response.status())));
        }
        let pem = response.bytes().await.map_err(|e| Rejection::ChainUnavailable(e.without_url().to_string()))?;
        if pem.len() > MAX_CHAIN_BYTES {
            return Err(Rejection::ChainUnavailable("the chain is too large".into()));
        }
        let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|e| Rejection::BadChain(format!("not PEM: {e:?}")))?;
        let leaf = certificates.first().ok_or_else(|| Rejection::BadChain("no certificate".into()))?;
        let (_, parsed) = x509_parser::parse_x509_certificate(leaf.as_ref())
            .map_err(|e| Rejection::BadChain(format!("unreadable leaf: {e}")))?;
        let not_after = parsed.validity().not_after.timestamp();
        chains.insert(url, CachedChain { certificates: certificates.clone(), not_after });
        Ok(certificates)
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
            "https://user:pw@s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "",
            "not a url",
        ] {
            assert!(matches!(check_cert_url(bad), Err(Rejection::BadCertUrl(_))), "{bad}");
        }
    }
}
