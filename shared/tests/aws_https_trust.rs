//! The AWS SDK clients Pod builds (`pod_shared::aws::sdk_config`) trust Amazon Trust Services'
//! roots only, compiled in: never the system's certificate store, which the SDK's default HTTPS
//! client reads at every cold start.
//!
//! A local HTTPS server answers DynamoDB's `ListTables` with a certificate from a local CA, and
//! `SSL_CERT_FILE` names that CA, so that anything reading the system's store trusts the server.
//! The control: the SDK's default client, on the same settings, reaches it. Pod's client refuses
//! the handshake and the server serves nothing. One test in this binary: the variables are the
//! process's, and the SDK reads the store once per process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pod_shared::aws::{Service, sdk_config_from};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A CA (its PEM) and a `localhost` certificate it signed, with the certificate's key.
fn local_ca_and_server_certificate() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server =
        CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&server_key, &issuer).unwrap();
    (ca.pem(), server.der().clone(), PrivateKeyDer::Pkcs8(server_key.serialize_der().into()))
}

/// Serves every connection's one request with an empty `ListTables` answer; counts the requests
/// it read (a refused handshake reads none). Returns the port.
fn serve_list_tables(
    certificate: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    served: Arc<AtomicUsize>,
) -> u16 {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (config, served) = (config.clone(), served.clone());
            std::thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else { return };
                let mut tls = BufReader::new(rustls::StreamOwned::new(connection, stream));
                let mut content_length = 0;
                loop {
                    let mut line = String::new();
                    if tls.read_line(&mut line).unwrap_or(0) == 0 {
                        return; // the handshake was refused, or the client went away
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        content_length = value.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; content_length];
                if tls.read_exact(&mut body).is_err() {
                    return;
                }
                served.fetch_add(1, Ordering::SeqCst);
                let answer = br#"{"TableNames":[]}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\r\n",
                    answer.len()
                );
                let stream = tls.get_mut();
                let _ = stream
                    .write_all(head.as_bytes())
                    .and_then(|()| stream.write_all(answer))
                    .and_then(|()| stream.flush());
            });
        }
    });
    port
}

#[test]
fn the_aws_clients_refuse_a_server_that_only_the_systems_certificate_store_trusts() {
    let (ca_pem, certificate, key) = local_ca_and_server_certificate();
    let store = tempfile::tempdir().unwrap();
    let ca_file = store.path().join("local-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    // SAFETY: the only test of this binary sets these before it starts any thread.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", &ca_file);
        std::env::set_var("SSL_CERT_DIR", store.path());
    }
    let served = Arc::new(AtomicUsize::new(0));
    let port = serve_list_tables(certificate, key, served.clone());

    let settings = [
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "secret".to_string()),
        ("AWS_ENDPOINT_URL_DYNAMODB", format!("https://localhost:{port}")),
    ];
    let pods =
        sdk_config_from(Service::DynamoDb, |name| settings.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()));
    assert!(pods.http_client().is_some(), "Pod's settings carry Pod's HTTPS client");
    let mut sdks_default = pods.to_builder();
    sdks_default.set_http_client(None);
    let sdks_default = sdks_default.build();
    let client = |config: &aws_types::SdkConfig| {
        let config = aws_sdk_dynamodb::config::Builder::from(config)
            .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    };

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let control = client(&sdks_default).list_tables().send().await;
        assert!(control.is_ok(), "the SDK's default trusts the system's store: {control:?}");
        assert_eq!(served.load(Ordering::SeqCst), 1);

        let refused = client(&pods).list_tables().send().await.expect_err("Pod's client must refuse the server");
        let detail = format!("{:?}", aws_sdk_dynamodb::error::DisplayErrorContext(&refused));
        assert!(
            matches!(refused, aws_sdk_dynamodb::error::SdkError::DispatchFailure(_)),
            "refused before any request: {detail}"
        );
        assert!(detail.to_lowercase().contains("certificate"), "for the certificate: {detail}");
        assert_eq!(served.load(Ordering::SeqCst), 1, "Pod's client sent nothing");
    });
}
