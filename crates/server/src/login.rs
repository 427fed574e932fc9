//! `/login` and `/logout`: personal accounts in the browser. A login starts a session kept in
//! the database (so any replica serves it) and sets a cookie that is `HttpOnly`,
//! `SameSite=Strict` and, over HTTPS, `Secure`. Both forms are taken from this site's own
//! pages only; failed logins are throttled per client and recorded.

use crate::accounts::{digest, random_secret, ADMIN_TOKEN_ACTOR, SESSION_SECONDS};
use crate::api::Shared;
use crate::auth::{
    check_account_password, constant_time_eq, login_failed, login_key, session_cookie,
    SESSION_COOKIE,
};
use crate::charts::document;
use crate::error::ApiError;
use crate::origin::{is_from_this_site, OriginPolicy};
use crate::store::{Actor, ADMIN_TOKEN_OWNER};
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use ikm_core::Lang;
use maud::{html, Markup};
use std::collections::HashMap;

/// Where a login may send the browser afterwards: one of our own admin pages, nothing else.
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| {
        n.starts_with("/admin")
            && !n.contains("//")
            && !n.contains('\\')
            && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .unwrap_or("/admin")
    .to_string()
}

/// The redirect to the login page, coming back to `next` afterwards.
pub fn to_login(next: &str) -> Response {
    let next = safe_next(Some(next));
    let query: String = url_encode(&next);
    no_store(Redirect::to(&format!("/login?next={query}")).into_response())
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

fn login_page(next: &str, message: Option<&str>) -> Markup {
    let body = html! {
        main.login {
            h1 { "Masuk " span lang="en" { "(Log in)" } }
            p { "Rekapitulasi IKM dan rencana tindak lanjut untuk petugas kantor." }
            @if let Some(message) = message {
                p.error role="alert" { (message) }
            }
            form method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label { "Nama akun " span lang="en" { "(account)" }
                    input type="text" name="name" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64";
                }
                label { "Kata sandi " span lang="en" { "(password)" }
                    input type="password" name="password" autocomplete="current-password" required;
                }
                button type="submit" { "Masuk" }
            }
            p.hint { "Kantor tanpa akun pribadi: kosongkan nama dan isi kata sandi dengan IKM_ADMIN_TOKEN." }
        }
    };
    document(Lang::Id, "Masuk — IKM", "/admin/style.css", body)
}

fn page(status: StatusCode, markup: Markup) -> Response {
    no_store((status, markup).into_response())
}

/// `/login`'s query: where to go once logged in.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LoginQuery {
    pub next: Option<String>,
}

/// `GET /login[?next=/admin…]`; a query it cannot read is the plain login page.
pub async fn get_login(
    query: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = safe_next(query.ok().and_then(|Query(q)| q.next).as_deref());
    page(StatusCode::OK, login_page(&next, None))
}

/// The session cookie for `secret`; `max_age` 0 removes it.
fn session_cookie_header(secure: bool, secret: &str, max_age: i64) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `POST /login` with `name`, `password` and `next`: a session and back to `next`, or the
/// form again with what went wrong (401), or 429 while the client is throttled.
pub async fn post_login(State(app): State<Shared>, request: Request) -> Result<Response, ApiError> {
    if !is_from_this_site(request.headers(), OriginPolicy::Strict) {
        return Err(ApiError::Forbidden(
            "the login form is accepted from this site's own pages only".into(),
        ));
    }
    let (parts, body) = request.into_parts();
    let key = login_key(&parts, &app);
    let secure = app.is_https(&parts.extensions, &parts.headers);
    let Form(fields) =
        Form::<HashMap<String, String>>::from_request(Request::from_parts(parts, body), &app)
            .await
            .map_err(|rejection| ApiError::UnreadableBody {
                status: rejection.status(),
                detail: rejection.body_text(),
            })?;
    let next = safe_next(fields.get("next").map(String::as_str));
    if let Err(retry_after) = app.logins.admit(key) {
        let mut response = page(
            StatusCode::TOO_MANY_REQUESTS,
            login_page(
                &next,
                Some("Terlalu banyak percobaan yang gagal. Coba lagi beberapa menit lagi."),
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return Ok(response);
    }
    let name = fields.get("name").map_or("", |n| n.trim());
    let password = fields.get("password").map_or("", String::as_str);
    let now = (app.now)();
    let owner = if name.is_empty() {
        app.admin_token
            .as_deref()
            .filter(|t| constant_time_eq(t.as_bytes(), password.as_bytes()))
            .and_then(|_| app.admin_token_key())
            .map(|key| {
                (
                    format!("{ADMIN_TOKEN_OWNER}{key}"),
                    Actor::new(ADMIN_TOKEN_ACTOR, ""),
                )
            })
    } else {
        check_account_password(&app, name, password)
            .await?
            .map(|account| {
                let by = Actor::new(&account.name, account.scope.home_unit());
                (account.name, by)
            })
    };
    let Some((owner, by)) = owner else {
        login_failed(&app, key, name).await?;
        return Ok(page(
            StatusCode::UNAUTHORIZED,
            login_page(&next, Some("Nama akun atau kata sandi salah.")),
        ));
    };
    let secret = random_secret();
    app.store
        .create_session(digest(&secret), owner, by, now, now + SESSION_SECONDS)
        .await?;
    let mut response = no_store(Redirect::to(&next).into_response());
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie_header(secure, &secret, SESSION_SECONDS),
    );
    Ok(response)
}

/// `POST /logout`: ends the session (recorded) and removes the cookie.
pub async fn post_logout(
    State(app): State<Shared>,
    request: Request,
) -> Result<Response, ApiError> {
    if !is_from_this_site(request.headers(), OriginPolicy::Strict) {
        return Err(ApiError::Forbidden(
            "the logout form is accepted from this site's own pages only".into(),
        ));
    }
    let secure = app.is_https(request.extensions(), request.headers());
    if let Some(cookie) = session_cookie(request.headers()) {
        let id_hash = digest(&cookie);
        let owner = app.store.session_owner(&id_hash, (app.now)()).await?;
        let by = match owner {
            Some(crate::store::SessionOwner::Account(a)) => {
                Actor::new(&a.name, a.scope.home_unit())
            }
            _ => Actor::new(ADMIN_TOKEN_ACTOR, ""),
        };
        app.store.end_session(id_hash, by, (app.now)()).await?;
    }
    let mut response = no_store(Redirect::to("/login").into_response());
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie_header(secure, "", 0));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_returns_only_to_our_own_admin_pages() {
        assert_eq!(
            safe_next(Some("/admin?period=2026-11")),
            "/admin?period=2026-11"
        );
        assert_eq!(safe_next(Some("/admin/audit")), "/admin/audit");
        for bad in [
            "https://evil.example/admin",
            "//evil.example",
            "/admin//evil",
            "/hasil",
            "/admin\\x",
            "/admin x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad}");
        }
        assert_eq!(safe_next(None), "/admin");
        assert_eq!(
            to_login("/admin?period=2026-11").headers()[header::LOCATION],
            "/login?next=/admin%3Fperiod%3D2026-11"
        );
    }
}
