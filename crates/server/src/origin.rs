//! The one check that a form post comes from this site's own pages (cross-site request
//! forgery), with the two policies the site needs.

use axum::http::HeaderMap;

/// How much a form must prove about where it was posted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginPolicy {
    /// The office's forms (`/admin`): the browser must show the post is same-origin.
    Strict,
    /// The public survey form: also a post the browser marks as user-initiated
    /// (`Sec-Fetch-Site: none`), and one from a browser too old to send `Origin` at all
    /// (there is nothing to tell from, and a refusal would only lose a response).
    Lenient,
}

/// Whether `headers` show a post made from this site's own pages: by `Sec-Fetch-Site` where
/// the browser sends it, else by `Origin` naming the `Host`.
pub fn is_from_this_site(headers: &HeaderMap, policy: OriginPolicy) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin" || (policy == OriginPolicy::Lenient && site == "none");
    }
    match (get("origin"), get("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        (None, _) => policy == OriginPolicy::Lenient,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_sites_own_pages_may_post() {
        use OriginPolicy::{Lenient, Strict};
        for policy in [Strict, Lenient] {
            assert!(is_from_this_site(
                &headers(&[("sec-fetch-site", "same-origin")]),
                policy
            ));
            assert!(!is_from_this_site(
                &headers(&[("sec-fetch-site", "cross-site")]),
                policy
            ));
            assert!(!is_from_this_site(
                &headers(&[("sec-fetch-site", "same-site")]),
                policy
            ));
            assert!(is_from_this_site(
                &headers(&[
                    ("origin", "https://survei.example.go.id"),
                    ("host", "survei.example.go.id")
                ]),
                policy
            ));
            assert!(!is_from_this_site(
                &headers(&[
                    ("origin", "https://evil.example"),
                    ("host", "survei.example.go.id")
                ]),
                policy
            ));
        }
        assert!(
            is_from_this_site(&headers(&[]), Lenient),
            "a browser that sends neither"
        );
        assert!(!is_from_this_site(&headers(&[]), Strict));
        assert!(is_from_this_site(
            &headers(&[("sec-fetch-site", "none")]),
            Lenient
        ));
        assert!(!is_from_this_site(
            &headers(&[("sec-fetch-site", "none")]),
            Strict
        ));
    }
}
