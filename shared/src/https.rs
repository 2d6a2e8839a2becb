//! Every outbound HTTPS client of Pod (Auth0, Alexa's certificate chains, the
//! web app's token endpoint) trusts the Mozilla root certificates compiled into
//! the binary (`webpki-roots`), in one TLS configuration built once per process.
//!
//! `reqwest`'s default, the platform verifier, reads and parses every file in
//! the system's certificate directory each time a client is built: about 5 ms
//! of a Lambda cold start per client, measured by `make bench`.

use std::sync::{Arc, OnceLock};

static TLS: OnceLock<Option<rustls::ClientConfig>> = OnceLock::new();

fn tls_config() -> Option<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .inspect_err(|e| tracing::warn!(error = %e, "no TLS protocol versions; using the platform verifier"))
        .ok()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Some(config)
}

/// A `reqwest` client builder whose TLS trusts the compiled-in Mozilla roots.
pub fn client_builder() -> reqwest::ClientBuilder {
    match TLS.get_or_init(tls_config) {
        Some(config) => reqwest::Client::builder().tls_backend_preconfigured(config.clone()),
        None => reqwest::Client::builder(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_configuration_trusts_the_compiled_in_roots_and_offers_http2() {
        let config = TLS.get_or_init(tls_config).as_ref().expect("a TLS configuration");
        assert!(config.alpn_protocols.contains(&b"h2".to_vec()));
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 100);
        assert!(client_builder().build().is_ok());
    }
}
