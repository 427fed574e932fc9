//! HTTPS for `ikm serve --tls-cert FILE --tls-key FILE`: rustls (no OpenSSL), HTTP/2 or
//! HTTP/1.1 chosen by ALPN, and the certificate reloaded from the same files on SIGHUP
//! (renewals from certbot or an internal CA) without dropping a connection: connections
//! already open keep the certificate they started with, new ones get the new one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The ALPN name a client that negotiated HTTP/2 shows.
pub const ALPN_H2: &[u8] = b"h2";

/// The certificate and key files, and the pair currently served from them.
#[derive(Debug)]
pub struct ReloadingCert {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadingCert {
    /// Loads the pair once; an unreadable file or a key that does not match is an error.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<ReloadingCert, String> {
        let provider = Arc::new(default_provider());
        let current = load_pair(&provider, cert_path, key_path)?;
        Ok(ReloadingCert {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            provider,
            current: RwLock::new(Arc::new(current)),
        })
    }

    /// Reads the files again; on any problem the certificate served so far stays.
    pub fn reload(&self) -> Result<(), String> {
        let fresh = load_pair(&self.provider, &self.cert_path, &self.key_path)?;
        let mut current = self
            .current
            .write()
            .map_err(|_| "the certificate lock is poisoned".to_string())?;
        *current = Arc::new(fresh);
        Ok(())
    }

    /// The TLS acceptor serving whatever pair is current, offering HTTP/2 and HTTP/1.1.
    pub fn acceptor(self: &Arc<Self>) -> Result<TlsAcceptor, String> {
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![ALPN_H2.to_vec(), b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|pair| pair.clone())
    }
}

fn load_pair(
    provider: &CryptoProvider,
    cert_path: &Path,
    key_path: &Path,
) -> Result<CertifiedKey, String> {
    let certs = CertificateDer::pem_file_iter(cert_path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("--tls-cert {}: {e}", cert_path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "--tls-cert {}: no PEM certificate in the file",
            cert_path.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .map_err(|e| format!("--tls-key {}: {e}", key_path.display()))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("--tls-key {}: {e}", key_path.display()))?;
    let pair = CertifiedKey::new(certs, signing);
    pair.keys_match().map_err(|e| {
        format!(
            "--tls-key {} does not belong to --tls-cert {}: {e}",
            key_path.display(),
            cert_path.display()
        )
    })?;
    Ok(pair)
}

/// Reloads `cert` on every SIGHUP until the process ends; failures are logged, never fatal.
pub fn reload_on_hangup(cert: Arc<ReloadingCert>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: the certificate is not reloaded");
            return;
        };
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match cert.reload() {
                    Ok(()) => {
                        tracing::warn!("SIGHUP: TLS certificate reloaded");
                        println!("ikm serve: TLS certificate reloaded");
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "SIGHUP: keeping the previous TLS certificate")
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(cert);
}
