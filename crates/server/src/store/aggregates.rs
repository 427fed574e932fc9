//! The sums a recap is made of: scores, profile, services and counters per office-local day
//! from the per-day tables, and the same sums over the late arrivals of a closed period
//! straight from `responses`.

use super::error::StoreError;
use super::sql::{
    age_band_sql, count, counted_scores, fold_months, from_key_text, local_day_sql, read_tally,
    summed_counts, Sql,
};
use super::Snapshot;
use ikm_core::config::Slug;
use ikm_core::ipk::ModuleTally;
use ikm_core::profile::{ProfileDistribution, NO_COUNTER};
use ikm_core::questionnaire::Module;
use ikm_core::time::{Date, UtcOffset};
use ikm_core::ScoreTally;
use sqlx::Row;
use std::collections::BTreeMap;

/// Which responses a report or export covers: those of the office-local days `from..=to`,
/// with optional equalities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub from: Date,
    pub to: Date,
    /// The unit's key: set from the configuration (`App::unit_request`), not from the query.
    pub unit: Option<String>,
    pub service: Option<Slug>,
    pub counter: Option<Slug>,
}

impl Filter {
    /// Every response of the days `from..=to`.
    pub fn days(from: Date, to: Date) -> Filter {
        Filter {
            from,
            to,
            unit: None,
            service: None,
            counter: None,
        }
    }

    /// Appends the conditions over `responses`, whose rows carry an instant: the responses
    /// a recap counts (those not excluded in review, as in the per-day tables).
    pub(crate) fn push_instants(&self, sql: &mut Sql, offset: UtcOffset) {
        self.push_instants_all(sql, offset);
        sql.push(" AND excluded_reason IS NULL");
    }

    /// The same conditions, excluded responses included (the export, the review).
    pub(crate) fn push_instants_all(&self, sql: &mut Sql, offset: UtcOffset) {
        let (start, end) = offset.span(self.from, self.to);
        sql.push("period_at >= ")
            .bind(start)
            .push(" AND period_at < ")
            .bind(end);
        self.push_equalities(sql);
    }

    /// Appends the conditions over a per-day table, whose rows carry a day number.
    pub(crate) fn push_days(&self, sql: &mut Sql) {
        sql.push("day >= ")
            .bind(self.from.days_since_epoch())
            .push(" AND day <= ")
            .bind(self.to.days_since_epoch());
        self.push_equalities(sql);
    }

    fn push_equalities(&self, sql: &mut Sql) {
        for (column, value) in [
            ("unit", self.unit.as_deref()),
            ("service", self.service.as_ref().map(Slug::as_str)),
            ("counter", self.counter.as_ref().map(Slug::as_str)),
        ] {
            if let Some(v) = value {
                sql.push(" AND ")
                    .push(column)
                    .push(" = ")
                    .bind(v.to_string());
            }
        }
    }
}

/// Which responses a late-arrival query counts: those stored after number `last_seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredAfter(pub i64);

/// Everything a recap needs, summed by the database in one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub tally: ScoreTally,
    pub profile: ProfileDistribution,
    /// Score counts per service id.
    pub per_service: BTreeMap<String, ScoreTally>,
    /// Responses per service id.
    pub services: BTreeMap<String, u64>,
    /// Responses per counter ([`NO_COUNTER`] for none).
    pub counters: BTreeMap<String, u64>,
}

impl Aggregate {
    fn empty() -> Aggregate {
        Aggregate {
            tally: ScoreTally::default(),
            profile: ProfileDistribution::new(),
            per_service: BTreeMap::new(),
            services: BTreeMap::new(),
            counters: BTreeMap::new(),
        }
    }

    /// Adds one aggregate row: a profile combination of `service` and `counter` and its tally.
    fn add_row(
        &mut self,
        service: String,
        counter: Option<String>,
        profile: [&str; 4],
        tally: &ScoreTally,
    ) {
        let n = tally.respondents;
        self.tally.merge(tally);
        let [gender, age, education, occupation] = profile;
        self.profile.gender.add(gender, n);
        self.profile.age.add(age, n);
        self.profile.education.add(education, n);
        self.profile.occupation.add(occupation, n);
        *self.services.entry(service.clone()).or_insert(0) += n;
        self.per_service.entry(service).or_default().merge(tally);
        let counter = counter.unwrap_or_else(|| NO_COUNTER.to_string());
        *self.counters.entry(counter).or_insert(0) += n;
    }

    /// Takes away a part of these responses (the late ones of a closed period): counts are
    /// exact integers and the part was read in the same snapshot, so what remains is exactly
    /// the aggregate without them.
    pub fn subtract(&mut self, part: &Aggregate) {
        self.tally.subtract(&part.tally);
        self.profile.subtract(&part.profile);
        for (service, tally) in &part.per_service {
            if let Some(mine) = self.per_service.get_mut(service) {
                mine.subtract(tally);
            }
        }
        for (mine, theirs) in [
            (&mut self.services, &part.services),
            (&mut self.counters, &part.counters),
        ] {
            for (key, n) in theirs {
                if let Some(m) = mine.get_mut(key) {
                    *m = m.saturating_sub(*n);
                }
            }
        }
    }
}

/// The select list and grouping of an aggregate: service, counter, the four profile columns,
/// respondents and every element's score counts. Over `daily_counts` they are sums of
/// stored counts; over `responses` they are counted (the rule that makes a `daily_counts`
/// row from a response, in SQL: also what a rebuild inserts).
pub(crate) enum AggregateSource {
    DailyCounts,
    Responses,
}

impl AggregateSource {
    /// `SELECT … FROM table WHERE` (the caller appends the conditions and then [`Self::group_by`]).
    pub(crate) fn select(&self) -> String {
        match self {
            AggregateSource::DailyCounts => format!(
                "SELECT service, counter, gender, age_band, education, occupation, \
                 CAST(SUM(respondents) AS BIGINT), {} FROM daily_counts WHERE ",
                summed_counts()
            ),
            AggregateSource::Responses => format!(
                "SELECT service, COALESCE(counter, ''), gender, {}, education, occupation, \
                 COUNT(*), {} FROM responses WHERE ",
                age_band_sql(),
                counted_scores()
            ),
        }
    }

    pub(crate) fn group_by(&self) -> &'static str {
        " GROUP BY 1, 2, 3, 4, 5, 6"
    }
}

impl Snapshot {
    /// Scores, profile and counts per service and counter for the responses in `filter`,
    /// summed from `daily_counts` (a few rows per day) rather than from every response.
    pub async fn aggregate(&mut self, filter: &Filter) -> Result<Aggregate, StoreError> {
        let source = AggregateSource::DailyCounts;
        let mut sql = Sql::new(&source.select());
        filter.push_days(&mut sql);
        sql.push(source.group_by());
        self.fold_aggregate(sql).await
    }

    /// The same aggregate over only the responses in `filter` stored after `after` (the late
    /// arrivals of a closed period), counted from `responses` itself.
    pub async fn aggregate_after(
        &mut self,
        filter: &Filter,
        after: StoredAfter,
    ) -> Result<Aggregate, StoreError> {
        let source = AggregateSource::Responses;
        let mut sql = Sql::new(&source.select());
        filter.push_instants(&mut sql, self.offset());
        sql.push(" AND seq > ")
            .bind(after.0)
            .push(source.group_by());
        self.fold_aggregate(sql).await
    }

    async fn fold_aggregate(&mut self, sql: Sql) -> Result<Aggregate, StoreError> {
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        let mut total = Aggregate::empty();
        for row in &rows {
            let text = |i: usize| row.try_get::<String, _>(i);
            let tally = read_tally(row, 6)?;
            let profile = [text(2)?, text(3)?, text(4)?, text(5)?];
            let [gender, age, education, occupation] = &profile;
            total.add_row(
                text(0)?,
                from_key_text(text(1)?),
                [gender, age, education, occupation],
                &tally,
            );
        }
        Ok(total)
    }

    /// The scores of the verified responses in `filter` (sent with a valid service code),
    /// counted from `responses`; with `upto`, only those stored up to it (a closed period's).
    pub async fn verified_tally(
        &mut self,
        filter: &Filter,
        upto: Option<StoredAfter>,
    ) -> Result<ScoreTally, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT COUNT(*), {} FROM responses WHERE ",
            counted_scores()
        ));
        filter.push_instants(&mut sql, self.offset());
        sql.push(" AND verified = 1");
        if let Some(upto) = upto {
            sql.push(" AND seq <= ").bind(upto.0);
        }
        // Grouped, so no verified response is no row (rather than sums of NULL).
        sql.push(" GROUP BY verified");
        match sql.query()?.fetch_optional(self.conn()).await? {
            Some(row) => read_tally(&row, 0),
            None => Ok(ScoreTally::default()),
        }
    }

    /// How many responses in `filter` were stored after `after`.
    pub async fn count_after(
        &mut self,
        filter: &Filter,
        after: StoredAfter,
    ) -> Result<u64, StoreError> {
        let mut sql = Sql::new("SELECT COUNT(*) FROM responses WHERE ");
        filter.push_instants(&mut sql, self.offset());
        sql.push(" AND seq > ").bind(after.0);
        let row = sql.query()?.fetch_one(self.conn()).await?;
        count(&row, 0)
    }

    /// The SPKP/SPAK answers of the responses in `filter`, one tally per module: summed from
    /// the per-day module tables, or with `after`, only the responses stored after it (the
    /// late arrivals of a closed period, few), counted from `module_answers` itself.
    pub async fn module_tallies(
        &mut self,
        filter: &Filter,
        after: Option<StoredAfter>,
    ) -> Result<Vec<ModuleTally>, StoreError> {
        let (answers, respondents) = match after {
            None => {
                let mut answers = Sql::new(
                    "SELECT module, item, score, CAST(SUM(answers) AS BIGINT) FROM daily_module_counts WHERE ",
                );
                filter.push_days(&mut answers);
                answers.push(" GROUP BY module, item, score");
                let mut respondents = Sql::new(
                    "SELECT module, CAST(SUM(respondents) AS BIGINT) FROM daily_module_respondents WHERE ",
                );
                filter.push_days(&mut respondents);
                respondents.push(" GROUP BY module");
                (answers, respondents)
            }
            Some(after) => {
                let late = |select: &str, group: &str| {
                    let mut sql = Sql::new(select);
                    sql.push(
                        " FROM module_answers m JOIN responses ON responses.id = m.response_id WHERE ",
                    );
                    filter.push_instants(&mut sql, self.offset());
                    sql.push(" AND seq > ").bind(after.0).push(group);
                    sql
                };
                (
                    late(
                        "SELECT m.module, m.item, m.score, COUNT(*)",
                        " GROUP BY m.module, m.item, m.score",
                    ),
                    late(
                        "SELECT m.module, COUNT(DISTINCT m.response_id)",
                        " GROUP BY m.module",
                    ),
                )
            }
        };
        let mut tallies: Vec<ModuleTally> = Module::ALL.into_iter().map(ModuleTally::new).collect();
        let tally_of = |tallies: &mut Vec<ModuleTally>, module: &str| {
            tallies.iter_mut().position(|t| t.module.key() == module)
        };
        for row in answers.query()?.fetch_all(self.conn()).await? {
            let module: String = row.try_get(0)?;
            let item: String = row.try_get(1)?;
            let score: i16 = row.try_get(2)?;
            let n = count(&row, 3)?;
            if let Some(t) = tally_of(&mut tallies, &module).and_then(|i| tallies.get_mut(i)) {
                t.add_count(&item, u8::try_from(score).unwrap_or(0), n);
            }
        }
        for row in respondents.query()?.fetch_all(self.conn()).await? {
            let module: String = row.try_get(0)?;
            let n = count(&row, 1)?;
            if let Some(t) = tally_of(&mut tallies, &module).and_then(|i| tallies.get_mut(i)) {
                t.respondents += n;
            }
        }
        Ok(tallies)
    }

    /// Score tallies per office-local month of the days in `filter` (for a trend), in one
    /// query: the days' counts, folded into months here.
    pub async fn monthly(
        &mut self,
        filter: &Filter,
    ) -> Result<Vec<(Date, ScoreTally)>, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT day, CAST(SUM(respondents) AS BIGINT), {} FROM daily_counts WHERE ",
            summed_counts()
        ));
        filter.push_days(&mut sql);
        sql.push(" GROUP BY day ORDER BY day");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        fold_months(&rows)
    }

    /// The late arrivals of closed months, as tallies per office-local month, in one query:
    /// the responses in `filter` of one of the `closed` months stored after that month's
    /// `last_seq`.
    pub async fn monthly_after(
        &mut self,
        filter: &Filter,
        closed: &[(Date, StoredAfter)],
    ) -> Result<Vec<(Date, ScoreTally)>, StoreError> {
        if closed.is_empty() {
            return Ok(Vec::new());
        }
        let offset = self.offset();
        let mut sql = Sql::new(&format!(
            "SELECT {}, COUNT(*), {} FROM responses WHERE ",
            local_day_sql("period_at", offset),
            counted_scores()
        ));
        filter.push_instants(&mut sql, offset);
        sql.push(" AND (");
        for (i, (month, after)) in closed.iter().enumerate() {
            let (start, end) = offset.span(*month, month.last_of_month());
            sql.push(if i == 0 { "(" } else { " OR (" })
                .push("period_at >= ")
                .bind(start)
                .push(" AND period_at < ")
                .bind(end)
                .push(" AND seq > ")
                .bind(after.0)
                .push(")");
        }
        sql.push(") GROUP BY 1 ORDER BY 1");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        fold_months(&rows)
    }
}
