//! Behind a reverse proxy every request comes from the proxy's address. Only from the
//! addresses given with `--trusted-proxy CIDR` are `Forwarded` (RFC 7239) and
//! `X-Forwarded-For` / `X-Forwarded-Proto` believed; the client they name is then what the
//! submission limit and the login throttle count. From anywhere else they are ignored, so a
//! client cannot pick its own key by sending the header itself.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// Reads a `--trusted-proxy` value: a CIDR range (`10.0.0.0/8`) or one address.
pub fn parse_trusted(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            format!("--trusted-proxy `{text}` is not an address or CIDR range (e.g. 10.0.0.0/8)")
        })
}

fn trusted(address: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|net| net.contains(&address))
}

/// One `for=` node or `X-Forwarded-For` entry as an address (`"[2001:db8::1]:4711"`,
/// `192.0.2.1:80`, `2001:db8::1`); None for `unknown`, obfuscated names and garbage.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    if let Ok(address) = node.parse() {
        return Some(address);
    }
    // IPv4 with a port.
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok()
}

/// The hops the proxies report, nearest last: every `for=` of `Forwarded`, or else
/// `X-Forwarded-For`; each None where an entry is not an address.
fn reported_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(key, _)| key.eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| node_address(value))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .flat_map(|v| v.split(','))
        .map(node_address)
        .collect()
}

/// The client a request comes from: `peer` itself unless it is a trusted proxy; then the
/// nearest reported hop that is not one (an entry that is not an address stops the walk at
/// the last trusted hop).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let mut client = peer;
    for hop in reported_hops(headers).into_iter().rev() {
        let Some(hop) = hop else {
            return client;
        };
        client = hop;
        if !trusted(hop, proxies) {
            return hop;
        }
    }
    client
}

/// Whether a trusted proxy says the client used HTTPS (`Forwarded: proto=https` or
/// `X-Forwarded-Proto: https`, the nearest hop's word).
pub fn forwarded_https(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> bool {
    if !trusted(peer, proxies) {
        return false;
    }
    let last = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .map(|v| v.trim().to_string())
    };
    if let Some(element) = last("forwarded") {
        return element
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(k, v)| {
                k.eq_ignore_ascii_case("proto") && v.trim_matches('"').eq_ignore_ascii_case("https")
            });
    }
    last("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxies = [
            parse_trusted("10.0.0.0/8").unwrap(),
            parse_trusted("192.0.2.7").unwrap(),
        ];
        let xff = headers(&[("x-forwarded-for", "203.0.113.5, 10.1.1.1")]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &xff, &proxies),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_address(ip("198.51.100.9"), &xff, &proxies),
            ip("198.51.100.9"),
            "an untrusted peer's header is ignored"
        );
        // A client's own forged entry to the left of the real one changes nothing.
        let forged = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.5")]);
        assert_eq!(
            client_address(ip("192.0.2.7"), &forged, &proxies),
            ip("203.0.113.5")
        );
        let rfc = headers(&[(
            "forwarded",
            r#"for=198.51.100.1;proto=http, for="[2001:db8:cafe::17]:4711";proto=https"#,
        )]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &rfc, &proxies),
            ip("2001:db8:cafe::17")
        );
        assert!(forwarded_https(ip("10.0.0.2"), &rfc, &proxies));
        assert!(!forwarded_https(ip("198.51.100.9"), &rfc, &proxies));
        let v4port = headers(&[("forwarded", "for=203.0.113.9:5050")]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &v4port, &proxies),
            ip("203.0.113.9")
        );
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &unknown, &proxies),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &HeaderMap::new(), &proxies),
            ip("10.0.0.2")
        );
        assert!(forwarded_https(
            ip("10.0.0.2"),
            &headers(&[("x-forwarded-proto", "https")]),
            &proxies
        ));
        assert!(parse_trusted("10.0.0.0/33").is_err());
        assert!(parse_trusted("proxy.local").unwrap_err().contains("CIDR"));
        assert!(parse_trusted("::1").is_ok());
    }
}
