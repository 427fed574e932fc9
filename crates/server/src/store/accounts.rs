//! Accounts, API tokens and browser sessions in the database, so every replica serves every
//! request. Each change is one job that also appends its audit event.

use super::audit::{record, Actor, AuditAction};
use super::error::{StoreError, StoreErrorKind};
use super::sql::Sql;
use super::writer::{WriteContext, WriteJob};
use super::Store;
use crate::accounts::{Account, Role, Scope};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Who a valid session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOwner {
    Account(Account),
    /// Logged in with `IKM_ADMIN_TOKEN`; the text is which token (a digest prefix).
    AdminToken(String),
}

fn account_json(account: &Account) -> serde_json::Value {
    json!({ "role": account.role.as_str(), "scope": account.scope.key() })
}

/// Adds an account; answers false when the name is taken.
pub(crate) struct AddUser {
    pub(crate) account: Account,
    pub(crate) password_hash: String,
    pub(crate) by: Actor,
}

impl WriteJob for AddUser {
    type Reply = bool;

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<bool, StoreError> {
        let a = &self.account;
        let mut sql =
            Sql::new("INSERT INTO users (name, role, scope, password_hash, created_at) VALUES (");
        sql.bind_list([
            a.name.clone(),
            a.role.as_str().to_string(),
            a.scope.key(),
            self.password_hash.clone(),
        ])
        .push(", ")
        .bind(a.created_at)
        .push(") ON CONFLICT (name) DO NOTHING");
        if sql.query()?.execute(&mut *conn).await?.rows_affected() == 0 {
            return Ok(false);
        }
        let by = Actor::new(&self.by.name, a.scope.home_unit());
        record(
            conn,
            &by,
            AuditAction::UserAdd,
            &a.name,
            None,
            Some(account_json(a)),
            a.created_at,
        )
        .await?;
        Ok(true)
    }
}

/// Removes an account with its tokens and sessions; answers false when there was none.
pub(crate) struct RemoveUser {
    pub(crate) name: String,
    pub(crate) by: Actor,
    pub(crate) at: i64,
}

impl WriteJob for RemoveUser {
    type Reply = bool;

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<bool, StoreError> {
        let Some(account) = account_on(conn, &self.name).await? else {
            return Ok(false);
        };
        for table in ["api_tokens", "sessions"] {
            let mut sql = Sql::new(&format!("DELETE FROM {table} WHERE user_name = "));
            sql.bind(self.name.clone());
            sql.query()?.execute(&mut *conn).await?;
        }
        let mut sql = Sql::new("DELETE FROM users WHERE name = ");
        sql.bind(self.name.clone());
        sql.query()?.execute(&mut *conn).await?;
        let by = Actor::new(&self.by.name, account.scope.home_unit());
        record(
            conn,
            &by,
            AuditAction::UserRemove,
            &self.name,
            Some(account_json(&account)),
            None,
            self.at,
        )
        .await?;
        Ok(true)
    }
}

/// Stores a new API token's digest for an account; answers false when there is no such account.
pub(crate) struct CreateToken {
    pub(crate) user: String,
    pub(crate) token_hash: String,
    pub(crate) by: Actor,
    pub(crate) at: i64,
}

impl WriteJob for CreateToken {
    type Reply = bool;

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<bool, StoreError> {
        let Some(account) = account_on(conn, &self.user).await? else {
            return Ok(false);
        };
        let mut sql =
            Sql::new("INSERT INTO api_tokens (token_hash, user_name, created_at) VALUES (");
        sql.bind_list([self.token_hash.clone(), self.user.clone()])
            .push(", ")
            .bind(self.at)
            .push(")");
        sql.query()?.execute(&mut *conn).await?;
        let by = Actor::new(&self.by.name, account.scope.home_unit());
        // The digest's first characters tell tokens apart in the trail; the token is never kept.
        let shown = self.token_hash.get(..12).unwrap_or_default();
        record(
            conn,
            &by,
            AuditAction::TokenCreate,
            &self.user,
            None,
            Some(json!({ "token_sha256_prefix": shown })),
            self.at,
        )
        .await?;
        Ok(true)
    }
}

/// Starts a browser session and records the login.
pub(crate) struct CreateSession {
    pub(crate) id_hash: String,
    /// The account name, or the admin-token owner key.
    pub(crate) owner: String,
    pub(crate) by: Actor,
    pub(crate) at: i64,
    pub(crate) expires_at: i64,
}

impl WriteJob for CreateSession {
    type Reply = ();

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<(), StoreError> {
        // Expired sessions go when a new one starts: the table never grows without bound.
        let mut sql = Sql::new("DELETE FROM sessions WHERE expires_at <= ");
        sql.bind(self.at);
        sql.query()?.execute(&mut *conn).await?;
        let mut sql =
            Sql::new("INSERT INTO sessions (id_hash, user_name, created_at, expires_at) VALUES (");
        sql.bind_list([self.id_hash.clone(), self.owner.clone()])
            .push(", ")
            .bind_list([self.at, self.expires_at])
            .push(")");
        sql.query()?.execute(&mut *conn).await?;
        record(
            conn,
            &self.by,
            AuditAction::LoginSuccess,
            &self.by.name,
            None,
            None,
            self.at,
        )
        .await
    }
}

/// Ends a browser session and records the logout (nothing when it had ended already).
pub(crate) struct EndSession {
    pub(crate) id_hash: String,
    pub(crate) by: Actor,
    pub(crate) at: i64,
}

impl WriteJob for EndSession {
    type Reply = ();

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<(), StoreError> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE id_hash = ");
        sql.bind(self.id_hash.clone());
        if sql.query()?.execute(&mut *conn).await?.rows_affected() == 0 {
            return Ok(());
        }
        record(
            conn,
            &self.by,
            AuditAction::Logout,
            &self.by.name,
            None,
            None,
            self.at,
        )
        .await
    }
}

const ACCOUNT_COLUMNS: &str = "SELECT name, role, scope, created_at FROM users";

fn read_account(row: &AnyRow) -> Result<Account, StoreError> {
    let bad = |what: &str, text: &str| {
        StoreError::new(
            StoreErrorKind::Data,
            format!("stored account {what} `{text}` is not valid"),
        )
    };
    let role: String = row.try_get(1)?;
    let scope: String = row.try_get(2)?;
    Ok(Account {
        name: row.try_get(0)?,
        role: Role::parse(&role).ok_or_else(|| bad("role", &role))?,
        scope: Scope::parse(&scope).ok_or_else(|| bad("scope", &scope))?,
        created_at: row.try_get(3)?,
    })
}

async fn account_on(conn: &mut AnyConnection, name: &str) -> Result<Option<Account>, StoreError> {
    let mut sql = Sql::new(ACCOUNT_COLUMNS);
    sql.push(" WHERE name = ").bind(name.to_string());
    let row = sql.query()?.fetch_optional(&mut *conn).await?;
    row.as_ref().map(read_account).transpose()
}

impl Store {
    /// Adds an account (false: the name is taken), recording who did.
    pub async fn add_user(
        &self,
        account: Account,
        password_hash: String,
        by: Actor,
    ) -> Result<bool, StoreError> {
        self.write(AddUser {
            account,
            password_hash,
            by,
        })
        .await
    }

    /// Removes an account, its tokens and sessions (false: there was none).
    pub async fn remove_user(&self, name: &str, by: Actor, at: i64) -> Result<bool, StoreError> {
        self.write(RemoveUser {
            name: name.into(),
            by,
            at,
        })
        .await
    }

    /// Stores a token's digest for `user` (false: no such account).
    pub async fn create_token(
        &self,
        user: &str,
        token_hash: String,
        by: Actor,
        at: i64,
    ) -> Result<bool, StoreError> {
        self.write(CreateToken {
            user: user.into(),
            token_hash,
            by,
            at,
        })
        .await
    }

    /// Starts a session owned by `owner` (an account name or admin-token key), recording the login.
    pub async fn create_session(
        &self,
        id_hash: String,
        owner: String,
        by: Actor,
        at: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.write(CreateSession {
            id_hash,
            owner,
            by,
            at,
            expires_at,
        })
        .await
    }

    /// Ends a session, recording the logout.
    pub async fn end_session(&self, id_hash: String, by: Actor, at: i64) -> Result<(), StoreError> {
        self.write(EndSession { id_hash, by, at }).await
    }

    /// Records an event that changes nothing else (a failed login).
    pub async fn record_event(
        &self,
        by: Actor,
        action: AuditAction,
        target: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        self.write(super::audit::RecordEvent {
            by,
            action,
            target: target.into(),
            at,
        })
        .await
    }

    /// Every account with its number of API tokens, by name.
    pub async fn accounts(&self) -> Result<Vec<(Account, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.name, u.role, u.scope, u.created_at, \
             (SELECT COUNT(*) FROM api_tokens t WHERE t.user_name = u.name) \
             FROM users u ORDER BY u.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((read_account(row)?, super::sql::count(row, 4)?)))
            .collect()
    }

    /// Whether any account exists (then a server without `IKM_ADMIN_TOKEN` asks for a login).
    pub async fn has_accounts(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT name FROM users LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The account `name` with its password hash.
    pub async fn account_with_password(
        &self,
        name: &str,
    ) -> Result<Option<(Account, String)>, StoreError> {
        let mut sql = Sql::new("SELECT name, role, scope, created_at, password_hash FROM users");
        sql.push(" WHERE name = ").bind(name.to_string());
        let row = sql.query()?.fetch_optional(&self.pool).await?;
        row.map(|row| Ok((read_account(&row)?, row.try_get(4)?)))
            .transpose()
    }

    /// The account an API token (by its digest) belongs to.
    pub async fn account_by_token(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        let mut sql = Sql::new(
            "SELECT u.name, u.role, u.scope, u.created_at FROM api_tokens t \
             JOIN users u ON u.name = t.user_name WHERE t.token_hash = ",
        );
        sql.bind(token_hash.to_string());
        let row = sql.query()?.fetch_optional(&self.pool).await?;
        row.as_ref().map(read_account).transpose()
    }

    /// Who an unexpired session (by its digest) belongs to at `now`.
    pub async fn session_owner(
        &self,
        id_hash: &str,
        now: i64,
    ) -> Result<Option<SessionOwner>, StoreError> {
        let mut sql = Sql::new(
            "SELECT s.user_name, u.name, u.role, u.scope, u.created_at FROM sessions s \
             LEFT JOIN users u ON u.name = s.user_name WHERE s.id_hash = ",
        );
        sql.bind(id_hash.to_string())
            .push(" AND s.expires_at > ")
            .bind(now);
        let Some(row) = sql.query()?.fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let owner: String = row.try_get(0)?;
        if let Some(key) = owner.strip_prefix(ADMIN_TOKEN_OWNER) {
            return Ok(Some(SessionOwner::AdminToken(key.to_string())));
        }
        let Some(name) = row.try_get::<Option<String>, _>(1)? else {
            return Ok(None);
        };
        let role: String = row.try_get(2)?;
        let scope: String = row.try_get(3)?;
        let (Some(role), Some(scope)) = (Role::parse(&role), Scope::parse(&scope)) else {
            return Ok(None);
        };
        Ok(Some(SessionOwner::Account(Account {
            name,
            role,
            scope,
            created_at: row.try_get(4)?,
        })))
    }
}

/// How a session opened with `IKM_ADMIN_TOKEN` names its owner: this prefix and a digest
/// prefix of the token, so changing the token ends those sessions. No account name has a `:`.
pub const ADMIN_TOKEN_OWNER: &str = "IKM_ADMIN_TOKEN:";
