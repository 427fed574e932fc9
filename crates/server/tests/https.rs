//! `ikm serve --tls-cert --tls-key` as an operator runs it: the real binary serving HTTPS with
//! HSTS, HTTP/2 by ALPN, and a certificate swapped on SIGHUP without dropping a connection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl is installed");
    assert!(status.success(), "openssl {args:?}");
}

/// A test CA and two server certificates (`first`, `second`) for localhost and 127.0.0.1.
fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=ikm test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ],
    );
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    for name in ["first", "second"] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                &format!("/CN=localhost/O={name}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "san.ext",
                "-out",
                &format!("{name}.crt"),
            ],
        );
    }
}

struct Server {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ikm(dir: &Path, cert: &str, key: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ikm"));
    c.env_remove("IKM_ADMIN_TOKEN")
        .env_remove("IKM_DATABASE_URL")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .arg("--db")
        .arg(format!("sqlite://{}/ikm.db", dir.display()))
        .arg("--tls-cert")
        .arg(dir.join(cert))
        .arg("--tls-key")
        .arg(dir.join(key));
    c
}

fn start(dir: &Path) -> Server {
    let mut child = ikm(dir, "live.crt", "live.key")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (send, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let port = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("the server starts");
        if let Some(rest) = line.strip_prefix("ikm serve: survey    https://127.0.0.1:") {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    Server { child, port, lines }
}

async fn connect(dir: &Path, port: u16, alpn: &[&[u8]]) -> TlsStream<TcpStream> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(dir.join("ca.crt")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut config = ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap()
}

/// One HTTP/1.1 request on a kept-alive connection; the response head and body as text.
async fn get(stream: &mut TlsStream<TcpStream>, path: &str) -> String {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buffer = vec![0u8; 16384];
    let mut text = String::new();
    while !(text.contains("\r\n\r\n") && text.ends_with("ok")) {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "connection closed after {text:?}");
        text.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    text
}

fn peer_certificate(stream: &TlsStream<TcpStream>) -> Vec<u8> {
    stream.get_ref().1.peer_certificates().unwrap()[0].to_vec()
}

fn der(path: PathBuf) -> Vec<u8> {
    CertificateDer::from_pem_file(path).unwrap().to_vec()
}

#[tokio::test]
async fn https_with_hsts_http2_and_a_certificate_reloaded_on_sighup() {
    let dir = std::env::temp_dir().join(format!("ikm-https-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    certificates(&dir);
    let copy = |from: &str, to: &str| std::fs::copy(dir.join(from), dir.join(to)).unwrap();

    // A key that is not the certificate's stops the start with a clear message.
    let out = ikm(&dir, "first.crt", "second.key").output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not belong to --tls-cert"), "{err}");

    copy("first.crt", "live.crt");
    copy("first.key", "live.key");
    let server = start(&dir);

    let mut kept = connect(&dir, server.port, &[b"http/1.1"]).await;
    assert_eq!(peer_certificate(&kept), der(dir.join("first.crt")));
    let reply = get(&mut kept, "/healthz").await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{reply}"
    );

    // HTTP/2 by ALPN: the server answers the client preface with its SETTINGS frame.
    let mut h2 = connect(&dir, server.port, &[b"h2", b"http/1.1"]).await;
    assert_eq!(h2.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut frame = [0u8; 9];
    tokio::time::timeout(Duration::from_secs(10), h2.read_exact(&mut frame))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(frame[3], 0x4, "a SETTINGS frame: {frame:?}");

    // The renewed certificate is served after SIGHUP; the open connection goes on.
    copy("second.crt", "live.crt");
    copy("second.key", "live.key");
    let pid = i32::try_from(server.child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    let reloaded = (0..50).any(|_| {
        server
            .lines
            .recv_timeout(Duration::from_millis(200))
            .is_ok_and(|l| l.contains("TLS certificate reloaded"))
    });
    assert!(reloaded, "the server reports the reload");
    let fresh = connect(&dir, server.port, &[b"http/1.1"]).await;
    assert_eq!(peer_certificate(&fresh), der(dir.join("second.crt")));
    let reply = get(&mut kept, "/healthz").await;
    assert!(
        reply.starts_with("HTTP/1.1 200"),
        "the connection opened before the reload still works: {reply}"
    );

    // A broken file on reload keeps the certificate served so far.
    std::fs::write(dir.join("live.crt"), "not a certificate").unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let still = connect(&dir, server.port, &[b"http/1.1"]).await;
    assert_eq!(peer_certificate(&still), der(dir.join("second.crt")));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
