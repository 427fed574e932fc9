//! `ikm user add|remove|list` and `ikm token create`: accounts are managed on the server's
//! machine, straight in the database; every change is recorded in the audit trail as `cli`.

use crate::accounts::{
    check_name, check_password, digest, hash_password, new_token, Account, AccountError, Role,
    Scope, CLI_ACTOR,
};
use crate::store::{redact_url, Actor, Store};
use std::io::Read;

/// Which units a new account covers: exactly one of the three flags.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct ScopeArgs {
    /// The one unit (office) the account covers.
    #[arg(long)]
    unit: Option<String>,
    /// The region (Kanwil) whose units the account covers, as named in the deployment file.
    #[arg(long)]
    region: Option<String>,
    /// Every unit of the deployment.
    #[arg(long)]
    all: bool,
}

impl ScopeArgs {
    fn scope(&self) -> Result<Scope, String> {
        let id_ok = |id: &str| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        match (&self.unit, &self.region, self.all) {
            (Some(unit), None, false) if id_ok(unit) => Ok(Scope::Unit(unit.clone())),
            (None, Some(region), false) if id_ok(region) => Ok(Scope::Region(region.clone())),
            (None, None, true) => Ok(Scope::All),
            _ => Err("give one of --unit ID, --region ID or --all, with an id of letters, digits, `-`, `_` or `.`".into()),
        }
    }
}

/// The password typed or piped on standard input: its first line, without the line ending.
pub fn password_from(mut input: impl Read) -> Result<String, String> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let first = text.lines().next().unwrap_or_default().to_string();
    check_password(&first).map_err(|e| e.to_string())?;
    Ok(first)
}

fn now() -> i64 {
    crate::api::system_now()
}

fn cli_actor() -> Actor {
    Actor::new(CLI_ACTOR, "")
}

async fn open(db: &str) -> Result<Store, String> {
    Store::open_for_accounts(db)
        .await
        .map_err(|e| format!("{}: {e}", redact_url(db)))
}

/// `ikm user add NAME --role R (--unit|--region|--all)`, password on standard input.
pub async fn add_user(
    db: &str,
    name: &str,
    role: Role,
    scope: &ScopeArgs,
    input: impl Read,
) -> Result<String, String> {
    check_name(name).map_err(|e| e.to_string())?;
    let scope = scope.scope()?;
    let password = password_from(input)?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| e.to_string())??;
    let store = open(db).await?;
    let account = Account {
        name: name.into(),
        role,
        scope: scope.clone(),
        created_at: now(),
    };
    let added = store.add_user(account, hash, cli_actor()).await;
    store.close().await;
    if !added.map_err(|e| e.to_string())? {
        return Err(AccountError::Exists(name.into()).to_string());
    }
    Ok(format!("added {name}: {} of {scope}", role.as_str()))
}

/// `ikm user remove NAME`: the account, its tokens and sessions.
pub async fn remove_user(db: &str, name: &str) -> Result<String, String> {
    let store = open(db).await?;
    let removed = store.remove_user(name, cli_actor(), now()).await;
    store.close().await;
    if !removed.map_err(|e| e.to_string())? {
        return Err(AccountError::Unknown(name.into()).to_string());
    }
    Ok(format!("removed {name} with its tokens and sessions"))
}

/// `ikm user list`: one line per account.
pub async fn list_users(db: &str) -> Result<String, String> {
    let store = open(db).await?;
    let accounts = store.accounts().await;
    store.close().await;
    let accounts = accounts.map_err(|e| e.to_string())?;
    if accounts.is_empty() {
        return Ok("no accounts (IKM_ADMIN_TOKEN is the only way in)".into());
    }
    let width = accounts
        .iter()
        .map(|(a, _)| a.name.len())
        .max()
        .unwrap_or(4);
    let mut out = format!(
        "{:width$}  {:6}  {:24}  tokens  created\n",
        "name", "role", "scope"
    );
    for (a, tokens) in &accounts {
        out.push_str(&format!(
            "{:width$}  {:6}  {:24}  {tokens:>6}  {}\n",
            a.name,
            a.role.as_str(),
            a.scope.key(),
            ikm_core::time::format_rfc3339(a.created_at)
        ));
    }
    Ok(out.trim_end().to_string())
}

/// `ikm token create NAME`: a new API token, printed once (only its digest is stored).
pub async fn create_token(db: &str, name: &str) -> Result<String, String> {
    let store = open(db).await?;
    let token = new_token();
    let created = store
        .create_token(name, digest(&token), cli_actor(), now())
        .await;
    store.close().await;
    if !created.map_err(|e| e.to_string())? {
        return Err(AccountError::Unknown(name.into()).to_string());
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_the_first_line_of_standard_input() {
        assert_eq!(
            password_from("correct horse battery\n".as_bytes()),
            Ok("correct horse battery".into())
        );
        assert_eq!(
            password_from("correct horse battery\r\nignored".as_bytes()),
            Ok("correct horse battery".into())
        );
        let short = password_from("short\n".as_bytes()).unwrap_err();
        assert!(short.contains("at least 12"), "{short}");
        assert!(password_from("".as_bytes()).is_err());
    }
}
