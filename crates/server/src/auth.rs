//! Who is asking, and may they: `Authorization: Bearer` with `IKM_ADMIN_TOKEN` or an account's
//! API token, HTTP Basic with an account's name and password (or the admin token as password),
//! or a browser session cookie from `/login`. Handlers take [`Viewer`] to read and [`Editor`]
//! to change; both check the role and the unit. Failed logins are throttled per client and
//! recorded in the audit trail.

use crate::accounts::{
    check_name, decoy_hash, digest, verify_password, Account, Role, Scope, ADMIN_TOKEN_ACTOR,
    LOCAL_ACTOR, TOKEN_PREFIX,
};
use crate::api::{App, Shared};
use crate::error::ApiError;
use crate::param::Param;
use crate::store::{Actor, AuditAction, SessionOwner};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use ikm_core::config::Slug;

/// Shortest admin token accepted at start: long enough that guessing it is hopeless.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Checks `IKM_ADMIN_TOKEN` as given in the environment: surrounding whitespace is not part of
/// it, and a short token is refused so the server never starts with a guessable one.
pub fn admin_token_from_env(value: Option<String>) -> Result<Option<String>, String> {
    let Some(token) = value
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    if token.chars().count() < MIN_TOKEN_CHARS {
        return Err(format!(
            "IKM_ADMIN_TOKEN is {} characters long; use at least {MIN_TOKEN_CHARS} \
             (for example the output of `openssl rand -hex 16`)",
            token.chars().count()
        ));
    }
    Ok(Some(token))
}

/// Whether the `Authorization` header value carries the admin token. The scheme is
/// case-insensitive (`bearer`, `BASIC`), as HTTP says.
pub fn authorised(header: Option<&str>, token: &str) -> bool {
    match header.map(presented) {
        Some(
            Presented::Bearer(presented)
            | Presented::Basic {
                password: presented,
                ..
            },
        ) => constant_time_eq(presented.as_bytes(), token.as_bytes()),
        _ => false,
    }
}

/// Compares without an early exit, so timing does not reveal how much of the token matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who is asking, once their credentials checked out: the name the audit trail records,
/// the role and the units it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub actor: String,
    pub role: Role,
    pub scope: Scope,
    /// The browser session it came with (its digest), for logout.
    pub session: Option<String>,
}

impl Caller {
    /// `IKM_ADMIN_TOKEN`, or the open loopback server: an admin of every unit.
    fn superuser(actor: &str) -> Caller {
        Caller {
            actor: actor.into(),
            role: Role::Admin,
            scope: Scope::All,
            session: None,
        }
    }

    fn account(account: Account, session: Option<String>) -> Caller {
        Caller {
            actor: account.name,
            role: account.role,
            scope: account.scope,
            session,
        }
    }

    /// Whether this caller may read `unit`'s reports, exports and audit log.
    pub fn may_read(&self, app: &App, unit: &str) -> bool {
        self.scope.covers(unit, app.regions())
    }

    /// Whether this caller may change `unit`'s records.
    pub fn may_change(&self, app: &App, unit: &str) -> bool {
        self.role == Role::Admin && self.may_read(app, unit)
    }

    /// This caller acting for `unit`, as the audit trail records it.
    pub fn acting_for(&self, unit: &str) -> Actor {
        Actor::new(&self.actor, unit)
    }
}

/// The cookie carrying a browser session.
pub const SESSION_COOKIE: &str = "ikm_session";

/// The session cookie's value in the request, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// What the `Authorization` header presents.
enum Presented {
    Bearer(String),
    Basic { name: String, password: String },
    Unreadable,
}

fn presented(header: &str) -> Presented {
    let Some((scheme, credentials)) = header.trim().split_once(' ') else {
        return Presented::Unreadable;
    };
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Presented::Bearer(credentials.to_string());
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Presented::Unreadable;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credentials)
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&decoded).into_owned();
    match text.split_once(':') {
        Some((name, password)) => Presented::Basic {
            name: name.to_string(),
            password: password.to_string(),
        },
        None => Presented::Unreadable,
    }
}

/// Checks an account's password off the async threads (Argon2 takes tens of milliseconds);
/// an unknown name costs as much as a wrong password.
pub async fn check_account_password(
    app: &App,
    name: &str,
    password: &str,
) -> Result<Option<Account>, ApiError> {
    let found = if check_name(name).is_ok() {
        app.store.account_with_password(name).await?
    } else {
        None
    };
    let password = password.to_string();
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), hash),
        None => (None, decoy_hash().to_string()),
    };
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    Ok(account.filter(|_| matches))
}

/// Records a failed login and counts it against the client.
pub async fn login_failed(app: &App, key: u64, name: &str) -> Result<(), ApiError> {
    app.logins.failed(key);
    // Only a well-formed name is recorded: whatever else was typed may be a password.
    let shown = if check_name(name).is_ok() { name } else { "-" };
    // Filed under the account's unit when it names one, so its office sees the attempts.
    let unit = match check_name(name) {
        Ok(()) => app
            .store
            .account_with_password(name)
            .await?
            .map(|(account, _)| account.scope.home_unit().to_string()),
        Err(_) => None,
    };
    app.store
        .record_event(
            Actor::new(shown, unit.as_deref().unwrap_or_default()),
            AuditAction::LoginFailed,
            shown,
            (app.now)(),
        )
        .await?;
    Ok(())
}

/// The anonymous key the login throttle counts this request under.
pub fn login_key(parts: &Parts, app: &App) -> u64 {
    app.client_keys
        .key(app.client_ip(&parts.extensions, &parts.headers))
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Caller, ApiError> {
        let is_page = parts.uri.path().starts_with("/admin");
        // Browsers show a login prompt for Basic; API clients are told to send Bearer.
        let challenge = if is_page {
            "Basic realm=\"IKM admin\""
        } else {
            "Bearer"
        };
        let key = login_key(parts, app);
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if let Some(header) = header {
            app.logins
                .admit(key)
                .map_err(|retry_after| ApiError::LoginThrottled { retry_after })?;
            let admin_token = app.admin_token.as_deref();
            let (caller, name) = match presented(&header) {
                Presented::Bearer(token) => {
                    if admin_token.is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
                    {
                        (Some(Caller::superuser(ADMIN_TOKEN_ACTOR)), String::new())
                    } else if token.starts_with(TOKEN_PREFIX) {
                        let account = app.store.account_by_token(&digest(&token)).await?;
                        (account.map(|a| Caller::account(a, None)), String::new())
                    } else {
                        (None, String::new())
                    }
                }
                Presented::Basic { name, password } => {
                    if admin_token
                        .is_some_and(|t| constant_time_eq(t.as_bytes(), password.as_bytes()))
                    {
                        (Some(Caller::superuser(ADMIN_TOKEN_ACTOR)), name)
                    } else {
                        let account = check_account_password(app, &name, &password).await?;
                        (account.map(|a| Caller::account(a, None)), name)
                    }
                }
                Presented::Unreadable => (None, String::new()),
            };
            if let Some(caller) = caller {
                return Ok(caller);
            }
            login_failed(app, key, &name).await?;
            return Err(ApiError::Unauthorized { challenge });
        }
        if let Some(cookie) = session_cookie(&parts.headers) {
            let id_hash = digest(&cookie);
            match app.store.session_owner(&id_hash, (app.now)()).await? {
                Some(SessionOwner::Account(account)) => {
                    return Ok(Caller::account(account, Some(id_hash)));
                }
                Some(SessionOwner::AdminToken(which))
                    if app.admin_token_key().as_ref() == Some(&which) =>
                {
                    let mut caller = Caller::superuser(ADMIN_TOKEN_ACTOR);
                    caller.session = Some(id_hash);
                    return Ok(caller);
                }
                _ => {}
            }
        }
        if app.admin_token.is_none() && !app.store.has_accounts().await? {
            return Ok(Caller::superuser(LOCAL_ACTOR));
        }
        let wants_html = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if is_page && wants_html && parts.method == axum::http::Method::GET {
            let next = parts
                .uri
                .path_and_query()
                .map_or("/admin", |p| p.as_str())
                .to_string();
            return Err(ApiError::LoginRequired { next });
        }
        Err(ApiError::Unauthorized { challenge })
    }
}

/// What a request is about, as its query names it (`unit=`, `region=`, `all=1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// One unit, by the key its records are kept under.
    Unit(String),
    Region(String),
    All,
}

/// The `unit`, `region` and `all` parameters of a request's query string, typed as they are
/// read (other names are the handler's). A name given twice is a 400: which unit was meant?
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Named {
    unit: Param<Slug>,
    region: Param<Slug>,
    all: Option<String>,
}

impl Named {
    /// Reads the request's query string: a unit or region that is not even an id is a 400
    /// naming it (one that is an id but not configured is the lookup's 404).
    fn of(parts: &Parts) -> Result<Named, ApiError> {
        let named = axum::extract::Query::<Named>::try_from_uri(&parts.uri)
            .map(|q| q.0)
            .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
        named.unit.checked("unit").map_err(ApiError::BadRequest)?;
        named
            .region
            .checked("region")
            .map_err(ApiError::BadRequest)?;
        Ok(named)
    }

    /// `all=` with anything but `0` (or blank) asks for every unit.
    fn all(&self) -> bool {
        self.all
            .as_deref()
            .map(str::trim)
            .is_some_and(|v| !v.is_empty() && v != "0")
    }
}

/// The unit a caller acts on: the one named, else (with a single unit) the only one, else
/// the caller's own unit; then checked against the caller's scope (and role, to change).
pub fn unit_for(
    app: &App,
    caller: &Caller,
    unit: Option<&str>,
    change: bool,
) -> Result<String, ApiError> {
    let own = match &caller.scope {
        Scope::Unit(id) if unit.is_none() && app.is_multi_unit() => Some(id.as_str()),
        _ => None,
    };
    let key = app.site(unit.or(own))?.key().to_string();
    if change && !caller.may_change(app, &key) {
        return Err(ApiError::Forbidden(format!(
            "`{}` ({}) may not change unit `{key}`",
            caller.actor,
            caller.role.as_str(),
        )));
    }
    if !caller.may_read(app, &key) {
        return Err(ApiError::Forbidden(format!(
            "`{}` may not read unit `{key}`",
            caller.actor
        )));
    }
    Ok(key)
}

/// A caller who may read one unit's reports (any role whose scope covers it), with that unit.
#[derive(Debug, Clone)]
pub struct Viewer(pub Caller, pub String);

/// A caller who may change one unit's records (an admin whose scope covers it), with that unit.
#[derive(Debug, Clone)]
pub struct Editor(pub Caller, pub String);

/// A caller who may read what the query names: one unit, a region or every unit (without a
/// name: the only unit, else the caller's own scope).
#[derive(Debug, Clone)]
pub struct Reader(pub Caller, pub Subject);

impl FromRequestParts<Shared> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Viewer, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        let unit = unit_for(app, &caller, Named::of(parts)?.unit.as_sent(), false)?;
        Ok(Viewer(caller, unit))
    }
}

impl FromRequestParts<Shared> for Editor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Editor, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        let unit = unit_for(app, &caller, Named::of(parts)?.unit.as_sent(), true)?;
        Ok(Editor(caller, unit))
    }
}

impl FromRequestParts<Shared> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Reader, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        let named = Named::of(parts)?;
        let subject = match (named.unit.as_sent(), named.region.as_sent(), named.all()) {
            (Some(unit), _, _) => Subject::Unit(unit_for(app, &caller, Some(unit), false)?),
            (None, Some(region), _) => Subject::Region(app.region(region)?.id.clone()),
            (None, None, true) => Subject::All,
            (None, None, false) if !app.is_multi_unit() => {
                Subject::Unit(unit_for(app, &caller, None, false)?)
            }
            (None, None, false) => match &caller.scope {
                Scope::Unit(_) => Subject::Unit(unit_for(app, &caller, None, false)?),
                Scope::Region(id) => Subject::Region(app.region(id)?.id.clone()),
                Scope::All => Subject::All,
            },
        };
        let units: Vec<String> = match &subject {
            Subject::Unit(_) => Vec::new(),
            Subject::Region(id) => app.region(id)?.units.clone(),
            Subject::All => app.sites().map(|s| s.key().to_string()).collect(),
        };
        if let Some(outside) = units.iter().find(|u| !caller.may_read(app, u)) {
            return Err(ApiError::Forbidden(format!(
                "`{}` may not read unit `{outside}`, which this recap covers",
                caller.actor
            )));
        }
        Ok(Reader(caller, subject))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic_carry_the_token_in_any_case() {
        let token = "s3cret-s3cret-s3cret";
        assert!(authorised(Some(&format!("Bearer {token}")), token));
        assert!(authorised(Some(&format!("bearer {token}")), token));
        assert!(authorised(Some(&format!("BEARER  {token} ")), token));
        assert!(!authorised(Some("Bearer s3cret-s3cret-s3cre"), token));
        assert!(!authorised(None, token));
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("admin:{token}"));
        assert!(authorised(Some(&format!("Basic {basic}")), token));
        assert!(authorised(Some(&format!("basic {basic}")), token));
        assert!(!authorised(Some("Basic !!!"), token));
        assert!(!authorised(Some(&format!("Token {token}")), token));
        assert!(!authorised(Some("Bearer"), token));
    }

    #[test]
    fn tokens_are_trimmed_and_short_ones_refused() {
        assert_eq!(admin_token_from_env(None), Ok(None));
        assert_eq!(admin_token_from_env(Some("  \n".into())), Ok(None));
        assert_eq!(
            admin_token_from_env(Some(" 0123456789abcdef\n".into())),
            Ok(Some("0123456789abcdef".into()))
        );
        let e = admin_token_from_env(Some("short-token".into())).unwrap_err();
        assert!(e.contains("at least 16"), "{e}");
    }
}
