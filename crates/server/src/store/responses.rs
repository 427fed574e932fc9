//! Responses: storing one (with its per-day counts, in the same transaction) and reading them
//! back for the export and the suggestions list.

use super::error::{StoreError, StoreErrorKind};
use super::sql::{count_columns, element_columns, key_text, Sql};
use super::writer::{WriteContext, WriteJob};
use super::{Filter, Snapshot};
use ikm_core::profile::age_band;
use ikm_core::questionnaire::{Choice, Module};
use ikm_core::{Element, Submission};
use sqlx::{AnyConnection, Row};

/// What storing a response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    /// A new row.
    Stored,
    /// This id was stored before with the same body: an idempotent replay.
    AlreadyStored,
    /// This id was stored before with a different body.
    Conflict,
    /// The response's service code was used by another response: nothing was stored.
    CodeUsed,
    /// The response's proof of work was used before: nothing was stored.
    ProofUsed,
}

/// A validated response with the server's own timestamps.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub submission: Submission,
    /// The canonical JSON of `submission`.
    pub body: String,
    pub submitted_at: i64,
    pub received_at: i64,
    pub period_at: i64,
    /// The keyed digest of the valid service code it came with (the code itself is not
    /// stored); None for an unverified response.
    pub code_digest: Option<String>,
    /// The solved proof-of-work challenge it came with, accepted once.
    pub proof: Option<crate::proof::Solved>,
}

/// One stored response for export.
pub struct StoredRow {
    pub submission: Submission,
    pub received_at: i64,
    /// Sent with a valid service code.
    pub verified: bool,
    /// Left out of the recap in review; None while it counts.
    pub excluded: Option<Exclusion>,
}

/// Why, by whom and when a response was left out of the recap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub reason: String,
    pub by: String,
    pub at: i64,
}

impl Exclusion {
    /// The exclusion in columns `i..i+3` (reason, by, at) of a row; None when not excluded.
    pub(crate) fn read(row: &sqlx::any::AnyRow, i: usize) -> Result<Option<Exclusion>, StoreError> {
        let reason: Option<String> = row.try_get(i)?;
        let Some(reason) = reason else {
            return Ok(None);
        };
        Ok(Some(Exclusion {
            reason,
            by: row.try_get::<Option<String>, _>(i + 1)?.unwrap_or_default(),
            at: row.try_get::<Option<i64>, _>(i + 2)?.unwrap_or_default(),
        }))
    }
}

/// One suggestion a respondent wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The response's id.
    pub id: String,
    /// The instant that decides its period.
    pub at: i64,
    pub service: String,
    pub text: String,
    /// Staff marked it as a complaint that needs an answer.
    pub complaint: bool,
    /// Staff approved it for the waiting-room screen.
    pub on_tv: bool,
}

/// The write storing one response once per id.
pub(crate) struct InsertResponse(pub(crate) Box<NewResponse>);

impl WriteJob for InsertResponse {
    type Reply = Insert;

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        ctx: &WriteContext,
    ) -> Result<Insert, StoreError> {
        let r = &self.0;
        if let Some(digest) = &r.code_digest {
            if let Some(known) = stored_body(conn, &r.submission.id).await? {
                return Ok(replay(&known, r));
            }
            if !use_code(conn, &r.submission, digest).await? {
                // Another replica may just have committed this very response with its code.
                return Ok(match stored_body(conn, &r.submission.id).await? {
                    Some(known) => replay(&known, r),
                    None => Insert::CodeUsed,
                });
            }
        }
        if let Some(proof) = &r.proof {
            if let Some(known) = stored_body(conn, &r.submission.id).await? {
                return Ok(replay(&known, r));
            }
            if !use_proof(conn, proof, r.received_at).await? {
                return Ok(Insert::ProofUsed);
            }
        }
        let seq = next_response_number(conn).await?;
        let done = insert_row(r, seq)?.execute(&mut *conn).await?;
        if done.rows_affected() == 0 {
            // This id is stored already; its number stays unused (numbers order, not count).
            let known = stored_body(conn, &r.submission.id)
                .await?
                .unwrap_or_default();
            return Ok(replay(&known, r));
        }
        let key = DayKey::of(&r.submission, r.period_at, ctx);
        add_to_counts(conn, &r.submission, &key, 1).await?;
        adjust_module_counts(conn, &r.submission, &key, 1).await?;
        store_module_answers(conn, &r.submission).await?;
        Ok(Insert::Stored)
    }
}

/// Marks a service code used at the response's unit; false when it was used before.
async fn use_code(
    conn: &mut AnyConnection,
    s: &Submission,
    digest: &str,
) -> Result<bool, StoreError> {
    let mut sql = Sql::new("INSERT INTO used_codes (unit, digest) VALUES (");
    sql.bind(key_text(s.unit.as_deref()))
        .push(", ")
        .bind(digest.to_string())
        .push(") ON CONFLICT (unit, digest) DO NOTHING");
    Ok(sql.query()?.execute(&mut *conn).await?.rows_affected() == 1)
}

/// Marks a proof-of-work challenge used (and forgets those expired); false when it was used.
async fn use_proof(
    conn: &mut AnyConnection,
    proof: &crate::proof::Solved,
    now: i64,
) -> Result<bool, StoreError> {
    let mut sql = Sql::new("DELETE FROM used_proofs WHERE expires < ");
    sql.bind(now);
    sql.query()?.execute(&mut *conn).await?;
    let mut sql = Sql::new("INSERT INTO used_proofs (challenge, expires) VALUES (");
    sql.bind(proof.challenge.clone())
        .push(", ")
        .bind(proof.expires)
        .push(") ON CONFLICT (challenge) DO NOTHING");
    Ok(sql.query()?.execute(&mut *conn).await?.rows_affected() == 1)
}

/// A replay is the same body under the same id; anything else under that id is a conflict.
fn replay(stored: &str, r: &NewResponse) -> Insert {
    if stored == r.body {
        Insert::AlreadyStored
    } else {
        Insert::Conflict
    }
}

/// A stored body read back; a row that is no valid payload is a data error.
pub(crate) fn stored_submission(body: &str) -> Result<Submission, StoreError> {
    Submission::from_json(body).map_err(|e| {
        StoreError::new(
            StoreErrorKind::Data,
            format!("stored response is not valid JSON: {e}"),
        )
    })
}

async fn stored_body(conn: &mut AnyConnection, id: &str) -> Result<Option<String>, StoreError> {
    let mut sql = Sql::new("SELECT body FROM responses WHERE id = ");
    sql.bind(id.to_string());
    let row = sql.query()?.fetch_optional(&mut *conn).await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The next number in storing order. The sequence row stays locked until the transaction
/// ends, so on PostgreSQL two processes number their responses one after the other, and a
/// closing (which takes the same row) sees every response numbered before its own.
async fn next_response_number(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let last: i64 = sqlx::query_scalar(
        "UPDATE sequences SET last = last + 1 WHERE name = 'responses' RETURNING last",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(last)
}

/// The last number given, with the numbering row held until the transaction ends: nothing
/// can be numbered (and committed) meanwhile, by this process or another.
pub(crate) async fn hold_response_numbers(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let last: i64 = sqlx::query_scalar(
        "UPDATE sequences SET last = last WHERE name = 'responses' RETURNING last",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(last)
}

/// The `INSERT` of one response row, numbered `seq`.
fn insert_row(
    r: &NewResponse,
    seq: i64,
) -> Result<sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>, StoreError> {
    let s = &r.submission;
    let who = &s.respondent;
    let mut sql = Sql::new(&format!(
        "INSERT INTO responses (id, body, survey, unit, service, counter, lang, submitted_at, \
         received_at, period_at, gender, age, education, occupation, {}, suggestion, seq, verified) VALUES (",
        element_columns()
    ));
    sql.bind(s.id.clone())
        .push(", ")
        .bind(r.body.clone())
        .push(", ")
        .bind(s.survey.clone())
        .push(", ")
        .bind(s.unit.clone())
        .push(", ")
        .bind(s.service.clone().unwrap_or_default())
        .push(", ")
        .bind(s.counter.clone())
        .push(", ")
        .bind(s.lang.code())
        .push(", ")
        .bind_list([r.submitted_at, r.received_at, r.period_at])
        .push(", ")
        .bind(who.gender.map_or("", |g| g.code()))
        .push(", ")
        .bind(i64::from(who.age.unwrap_or_default()))
        .push(", ")
        .bind(who.education.map_or("", |e| e.code()))
        .push(", ")
        .bind(who.occupation.map_or("", |o| o.code()))
        .push(", ")
        .bind_list(
            Element::ALL
                .iter()
                .map(|e| i64::from(s.answers.get(*e).unwrap_or_default())),
        )
        .push(", ")
        .bind(s.suggestion.clone())
        .push(", ")
        .bind(seq)
        .push(", ")
        .bind(i16::from(r.code_digest.is_some()))
        .push(") ON CONFLICT (id) DO NOTHING");
    sql.query()
}

/// The day and report dimensions a new response is counted under in the per-day tables.
pub(crate) struct DayKey {
    day: i64,
    unit: String,
    service: String,
    counter: String,
}

impl DayKey {
    /// The key of response `s`, whose period is decided by the instant `period_at`.
    pub(crate) fn of(s: &Submission, period_at: i64, ctx: &WriteContext) -> DayKey {
        DayKey {
            day: ctx.zones.offset_of(s.unit.as_deref()).local_day(period_at),
            unit: key_text(s.unit.as_deref()),
            service: s.service.clone().unwrap_or_default(),
            counter: key_text(s.counter.as_deref()),
        }
    }

    /// Appends `day, unit, service, counter` as bound values.
    fn bind(&self, sql: &mut Sql) {
        sql.bind(self.day)
            .push(", ")
            .bind(self.unit.clone())
            .push(", ")
            .bind(self.service.clone())
            .push(", ")
            .bind(self.counter.clone());
    }
}

/// The key of a `daily_counts` row: an office-local day and one profile combination.
pub(crate) const DAILY_KEY: &str =
    "day, unit, service, counter, gender, age_band, education, occupation";

/// Adds a response to its day's counts (`delta` 1: newly stored or taken back into the
/// recap; -1: excluded from it), inside the caller's transaction.
pub(crate) async fn add_to_counts(
    conn: &mut AnyConnection,
    s: &Submission,
    key: &DayKey,
    delta: i64,
) -> Result<(), StoreError> {
    let who = &s.respondent;
    let columns = count_columns();
    let updates = columns
        .iter()
        .map(|c| format!("{c} = daily_counts.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = Sql::new(&format!(
        "INSERT INTO daily_counts ({DAILY_KEY}, respondents, {}) VALUES (",
        columns.join(", ")
    ));
    key.bind(&mut sql);
    sql.push(", ")
        .bind(who.gender.map_or("", |g| g.code()))
        .push(", ")
        .bind(age_band(who.age.unwrap_or_default()))
        .push(", ")
        .bind(who.education.map_or("", |e| e.code()))
        .push(", ")
        .bind(who.occupation.map_or("", |o| o.code()))
        .push(", ")
        .bind(delta)
        .push(", ")
        .bind_list(Element::ALL.iter().flat_map(|e| {
            let score = s.answers.get(*e).unwrap_or_default();
            (1..=4u8).map(move |k| if score == k { delta } else { 0 })
        }))
        .push(&format!(
            ") ON CONFLICT ({DAILY_KEY}) DO UPDATE SET respondents = daily_counts.respondents + excluded.respondents, {updates}"
        ));
    sql.query()?.execute(&mut *conn).await?;
    Ok(())
}

/// Adds a response's SPKP/SPAK answers to its day's module counts and respondents
/// (`delta` as for [`add_to_counts`]).
pub(crate) async fn adjust_module_counts(
    conn: &mut AnyConnection,
    s: &Submission,
    key: &DayKey,
    delta: i64,
) -> Result<(), StoreError> {
    for module in Module::ALL {
        let Some(scores) = s.module(module) else {
            continue;
        };
        let mut sql = Sql::new(
            "INSERT INTO daily_module_respondents (day, unit, service, counter, module, respondents) VALUES (",
        );
        key.bind(&mut sql);
        sql.push(", ").bind(module.key()).push(", ").bind(delta).push(
            ") ON CONFLICT (day, unit, service, counter, module) \
             DO UPDATE SET respondents = daily_module_respondents.respondents + excluded.respondents",
        );
        sql.query()?.execute(&mut *conn).await?;
        for item in scores.keys() {
            let score = i16::from(scores.get(item).unwrap_or_default());
            let mut sql = Sql::new(
                "INSERT INTO daily_module_counts (day, unit, service, counter, module, item, score, answers) VALUES (",
            );
            key.bind(&mut sql);
            sql.push(", ")
                .bind(module.key())
                .push(", ")
                .bind(item.to_string())
                .push(", ")
                .bind(score)
                .push(", ")
                .bind(delta)
                .push(
                    ") ON CONFLICT (day, unit, service, counter, module, item, score) \
                     DO UPDATE SET answers = daily_module_counts.answers + excluded.answers",
                );
            sql.query()?.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Stores a response's SPKP/SPAK answers, one row per statement.
pub(crate) async fn store_module_answers(
    conn: &mut AnyConnection,
    s: &Submission,
) -> Result<(), StoreError> {
    for module in Module::ALL {
        let Some(scores) = s.module(module) else {
            continue;
        };
        for item in scores.keys() {
            let score = i16::from(scores.get(item).unwrap_or_default());
            let mut sql =
                Sql::new("INSERT INTO module_answers (response_id, module, item, score) VALUES (");
            sql.bind(s.id.clone())
                .push(", ")
                .bind(module.key())
                .push(", ")
                .bind(item.to_string())
                .push(", ")
                .bind(score)
                .push(") ON CONFLICT (response_id, module, item) DO NOTHING");
            sql.query()?.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

impl Snapshot {
    /// The stored response with this id, if any.
    pub async fn response(&mut self, id: &str) -> Result<Option<Submission>, StoreError> {
        let Some(body) = stored_body(self.conn(), id).await? else {
            return Ok(None);
        };
        stored_submission(&body).map(Some)
    }

    /// The stored responses in `filter`, oldest first, for export.
    pub async fn rows(&mut self, filter: &Filter) -> Result<Vec<StoredRow>, StoreError> {
        let mut sql = Sql::new(
            "SELECT body, received_at, CAST(verified AS BIGINT), excluded_reason, excluded_by, excluded_at \
             FROM responses WHERE ",
        );
        filter.push_instants_all(&mut sql, self.offset());
        sql.push(" ORDER BY period_at, id");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter()
            .map(|row| {
                let body: String = row.try_get(0)?;
                let submission = stored_submission(&body)?;
                Ok(StoredRow {
                    submission,
                    received_at: row.try_get(1)?,
                    verified: row.try_get::<i64, _>(2)? == 1,
                    excluded: Exclusion::read(row, 3)?,
                })
            })
            .collect()
    }

    /// The newest suggestions in `filter` (of the responses counted), at most `limit`; with
    /// `upto`, only of the responses stored up to that number (a closed period's).
    pub async fn suggestions(
        &mut self,
        filter: &Filter,
        upto: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Suggestion>, StoreError> {
        self.suggestions_where(filter, upto, false, limit).await
    }

    /// The newest suggestions in `filter` staff approved for the waiting-room screen.
    pub async fn suggestions_on_tv(
        &mut self,
        filter: &Filter,
        limit: i64,
    ) -> Result<Vec<Suggestion>, StoreError> {
        self.suggestions_where(filter, None, true, limit).await
    }

    async fn suggestions_where(
        &mut self,
        filter: &Filter,
        upto: Option<i64>,
        on_tv_only: bool,
        limit: i64,
    ) -> Result<Vec<Suggestion>, StoreError> {
        let mut sql = Sql::new(
            "SELECT id, period_at, service, suggestion, CAST(suggestion_complaint AS BIGINT), \
             CAST(suggestion_on_tv AS BIGINT) FROM responses WHERE ",
        );
        filter.push_instants(&mut sql, self.offset());
        if let Some(last) = upto {
            sql.push(" AND seq <= ").bind(last);
        }
        if on_tv_only {
            sql.push(" AND suggestion_on_tv = 1");
        }
        sql.push(" AND suggestion IS NOT NULL ORDER BY period_at DESC, id LIMIT ")
            .bind(limit);
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter().map(suggestion_row).collect()
    }

    /// The texts of the suggestions `ids` of this snapshot's unit (those a follow-up action
    /// cites), by id; an id of another unit or without a suggestion is left out.
    pub async fn suggestion_texts(
        &mut self,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut texts = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(texts);
        }
        let mut sql = Sql::new("SELECT id, unit, suggestion FROM responses WHERE id IN (");
        sql.bind_list(ids.iter().cloned())
            .push(") AND suggestion IS NOT NULL");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        let own = self.unit.clone();
        for row in &rows {
            let unit: Option<String> = row.try_get(1)?;
            let unit = key_text(unit.as_deref());
            if unit == own || unit.is_empty() {
                texts.insert(row.try_get(0)?, row.try_get(2)?);
            }
        }
        Ok(texts)
    }
}

fn suggestion_row(r: &sqlx::any::AnyRow) -> Result<Suggestion, StoreError> {
    Ok(Suggestion {
        id: r.try_get(0)?,
        at: r.try_get(1)?,
        service: r.try_get(2)?,
        text: r.try_get(3)?,
        complaint: r.try_get::<i64, _>(4)? == 1,
        on_tv: r.try_get::<i64, _>(5)? == 1,
    })
}
