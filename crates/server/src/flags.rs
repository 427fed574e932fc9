//! Suspicious patterns in a period's responses (docs/review.md): bursts from one counter, runs
//! of identical answers, responses outside service hours, more responses than service users.
//! A flag says why and lists the responses; it changes no figure (an admin decides, in review).

use crate::store::ReviewRow;
use ikm_core::config::ReviewConfig;
use ikm_core::period::Period;
use ikm_core::time::{format_rfc3339, Date, UtcOffset};
use ikm_core::Lang;
use serde::Serialize;

/// What a flag found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagKind {
    /// `count` responses from one counter within `minutes`.
    Burst { count: usize, minutes: u32 },
    /// `count` consecutive responses with the same answers and profile.
    IdenticalRun { count: usize },
    /// `count` responses on `day` outside the service hours.
    OutsideHours { count: usize, day: Date },
    /// More responses in `month` than the service users recorded for it.
    OverPopulation {
        month: Period,
        respondents: u64,
        population: u64,
    },
}

/// One flag: what, where, when, and which responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    /// The counter of a burst (None: responses without a counter, or not about one counter).
    pub counter: Option<String>,
    pub responses: Vec<String>,
    /// How many of them are excluded already.
    pub excluded: usize,
    /// The first and last response's instant (None for a month-level flag).
    pub span: Option<(i64, i64)>,
}

impl FlagKind {
    /// The published name.
    pub fn key(&self) -> &'static str {
        match self {
            FlagKind::Burst { .. } => "burst",
            FlagKind::IdenticalRun { .. } => "identical_run",
            FlagKind::OutsideHours { .. } => "outside_hours",
            FlagKind::OverPopulation { .. } => "over_population",
        }
    }
}

impl Flag {
    /// Why it was raised, in a sentence.
    pub fn why(&self, lang: Lang) -> String {
        let counter = self.counter.as_deref();
        match (&self.kind, lang) {
            (FlagKind::Burst { count, minutes }, Lang::Id) => format!(
                "{count} respons dari {} dalam {minutes} menit.",
                counter.map_or("tautan tanpa loket".into(), |c| format!("loket {c}"))
            ),
            (FlagKind::Burst { count, minutes }, Lang::En) => format!(
                "{count} responses from {} within {minutes} minutes.",
                counter.map_or("the link without a counter".into(), |c| format!(
                    "counter {c}"
                ))
            ),
            (FlagKind::IdenticalRun { count }, Lang::Id) => format!(
                "{count} respons berturut-turut dengan jawaban dan profil yang sama persis."
            ),
            (FlagKind::IdenticalRun { count }, Lang::En) => {
                format!("{count} consecutive responses with exactly the same answers and profile.")
            }
            (FlagKind::OutsideHours { count, day }, Lang::Id) => {
                format!("{count} respons pada {day} di luar jam pelayanan.")
            }
            (FlagKind::OutsideHours { count, day }, Lang::En) => {
                format!("{count} responses on {day} outside the service hours.")
            }
            (
                FlagKind::OverPopulation {
                    month,
                    respondents,
                    population,
                },
                Lang::Id,
            ) => format!(
                "{respondents} respons pada {}, lebih banyak dari {population} penerima layanan yang tercatat.",
                month.label(Lang::Id)
            ),
            (
                FlagKind::OverPopulation {
                    month,
                    respondents,
                    population,
                },
                Lang::En,
            ) => format!(
                "{respondents} responses in {}, more than the {population} service users recorded.",
                month.label(Lang::En)
            ),
        }
    }

    /// The flag as reports publish it.
    pub fn view(&self, lang: Lang) -> FlagView {
        FlagView {
            kind: self.kind.key(),
            why: self.why(lang),
            counter: self.counter.clone(),
            from: self.span.map(|(from, _)| format_rfc3339(from)),
            to: self.span.map(|(_, to)| format_rfc3339(to)),
            responses: self.responses.clone(),
            excluded: self.excluded,
        }
    }
}

/// A flag in a report: `kind`, a sentence, and the responses it is about.
#[derive(Debug, Clone, Serialize)]
pub struct FlagView {
    pub kind: &'static str,
    pub why: String,
    pub counter: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub responses: Vec<String>,
    pub excluded: usize,
}

/// The flags over `rows` (one unit's responses in time order, excluded ones too), in the
/// unit's time zone `offset`.
pub fn find_flags(rows: &[ReviewRow], review: &ReviewConfig, offset: UtcOffset) -> Vec<Flag> {
    let mut flags = bursts(rows, review);
    flags.extend(identical_runs(rows, review));
    flags.extend(outside_hours(rows, review, offset));
    flags
}

fn flag(kind: FlagKind, counter: Option<String>, group: &[&ReviewRow]) -> Flag {
    let span = match (group.first(), group.last()) {
        (Some(first), Some(last)) => Some((first.at, last.at)),
        _ => None,
    };
    Flag {
        kind,
        counter,
        responses: group.iter().map(|r| r.id.clone()).collect(),
        excluded: group.iter().filter(|r| r.excluded.is_some()).count(),
        span,
    }
}

/// At least `burst_responses` responses of one counter within `burst_minutes`; overlapping
/// windows are one burst.
fn bursts(rows: &[ReviewRow], review: &ReviewConfig) -> Vec<Flag> {
    let window = i64::from(review.burst_minutes) * 60;
    let needed = usize::try_from(review.burst_responses).unwrap_or(usize::MAX);
    let mut counters: Vec<Option<&str>> = rows.iter().map(|r| r.counter.as_deref()).collect();
    counters.sort();
    counters.dedup();
    let mut flags = Vec::new();
    for counter in counters {
        let group: Vec<&ReviewRow> = rows
            .iter()
            .filter(|r| r.counter.as_deref() == counter)
            .collect();
        let mut in_burst = vec![false; group.len()];
        let mut start = 0;
        for end in 0..group.len() {
            let end_at = group.get(end).map_or(0, |r| r.at);
            while group.get(start).is_some_and(|r| end_at - r.at > window) {
                start += 1;
            }
            if end + 1 - start >= needed {
                for slot in in_burst.iter_mut().take(end + 1).skip(start) {
                    *slot = true;
                }
            }
        }
        let mut current: Vec<&ReviewRow> = Vec::new();
        for (row, marked) in group.iter().zip(&in_burst) {
            let joins = current
                .last()
                .is_some_and(|last| row.at - last.at <= window);
            if !*marked || !joins {
                push_burst(&mut flags, &mut current, counter, review);
            }
            if *marked {
                current.push(row);
            }
        }
        push_burst(&mut flags, &mut current, counter, review);
    }
    flags
}

fn push_burst(
    flags: &mut Vec<Flag>,
    current: &mut Vec<&ReviewRow>,
    counter: Option<&str>,
    review: &ReviewConfig,
) {
    if current.len() >= usize::try_from(review.burst_responses).unwrap_or(usize::MAX) {
        let kind = FlagKind::Burst {
            count: current.len(),
            minutes: review.burst_minutes,
        };
        flags.push(flag(kind, counter.map(String::from), current));
    }
    current.clear();
}

/// At least `identical_run` consecutive responses (in answering order, any counter) of one
/// service with the same nine answers and the same profile.
fn identical_runs(rows: &[ReviewRow], review: &ReviewConfig) -> Vec<Flag> {
    let needed = usize::try_from(review.identical_run).unwrap_or(usize::MAX);
    let mut flags = Vec::new();
    let mut run: Vec<&ReviewRow> = Vec::new();
    let mut close = |run: &mut Vec<&ReviewRow>| {
        if run.len() >= needed {
            let kind = FlagKind::IdenticalRun { count: run.len() };
            let counter = run.first().and_then(|r| r.counter.clone());
            let one_counter = run.iter().all(|r| r.counter == counter);
            flags.push(flag(kind, counter.filter(|_| one_counter), run));
        }
        run.clear();
    };
    for row in rows {
        let same = run
            .last()
            .is_some_and(|last| last.answers == row.answers && last.service == row.service);
        if !same {
            close(&mut run);
        }
        run.push(row);
    }
    close(&mut run);
    flags
}

/// Responses outside the configured service hours (after closing plus the grace period, or
/// on a day the unit does not serve), one flag per office-local day.
fn outside_hours(rows: &[ReviewRow], review: &ReviewConfig, offset: UtcOffset) -> Vec<Flag> {
    let Some(hours) = &review.service_hours else {
        return Vec::new();
    };
    let mut flags: Vec<Flag> = Vec::new();
    let mut day_rows: Vec<&ReviewRow> = Vec::new();
    let mut current_day: Option<Date> = None;
    let mut finish = |day: Option<Date>, group: &mut Vec<&ReviewRow>| {
        if let (Some(day), false) = (day, group.is_empty()) {
            let kind = FlagKind::OutsideHours {
                count: group.len(),
                day,
            };
            flags.push(flag(kind, None, group));
        }
        group.clear();
    };
    for row in rows {
        let local = row.at + i64::from(offset.minutes) * 60;
        let days = local.div_euclid(86_400);
        let minute = local.rem_euclid(86_400) / 60;
        // 1970-01-01 was a Thursday (ISO weekday 4).
        let weekday = (days + 3).rem_euclid(7) + 1;
        let served = hours.days.iter().any(|d| i64::from(*d) == weekday)
            && minute >= i64::from(hours.open)
            && minute <= i64::from(hours.close) + i64::from(hours.grace_minutes);
        if served {
            continue;
        }
        let day = Date::from_days_since_epoch(days);
        if current_day != Some(day) {
            finish(current_day, &mut day_rows);
            current_day = Some(day);
        }
        day_rows.push(row);
    }
    finish(current_day, &mut day_rows);
    flags
}

/// A month with more counted responses than its recorded service users.
pub fn over_population(month: Period, respondents: u64, population: Option<u64>) -> Option<Flag> {
    let population = population?;
    (respondents > population).then(|| Flag {
        kind: FlagKind::OverPopulation {
            month,
            respondents,
            population,
        },
        counter: None,
        responses: Vec::new(),
        excluded: 0,
        span: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::config::ServiceHours;

    /// 2026-11-02 (a Monday) 08:00 WIB, in Unix seconds.
    const MONDAY_8: i64 = 1_793_581_200;

    fn row(n: usize, counter: Option<&str>, at: i64, answers: &str) -> ReviewRow {
        ReviewRow {
            id: format!("r{n}"),
            service: "paspor-baru".into(),
            counter: counter.map(String::from),
            at,
            answers: answers.into(),
            verified: false,
            excluded: None,
        }
    }

    fn ids(flag: &Flag) -> Vec<&str> {
        flag.responses.iter().map(String::as_str).collect()
    }

    #[test]
    fn the_test_instant_is_monday_eight_in_jakarta() {
        assert_eq!(
            UtcOffset::WIB.local_date(MONDAY_8),
            Date::parse("2026-11-02").unwrap()
        );
        assert_eq!(
            UtcOffset::WIB.local_date(MONDAY_8 - 1),
            Date::parse("2026-11-02").unwrap()
        );
    }

    #[test]
    fn a_burst_is_many_responses_of_one_counter_within_the_window() {
        let review = ReviewConfig {
            burst_responses: 4,
            burst_minutes: 10,
            ..ReviewConfig::default()
        };
        let mut rows = Vec::new();
        // Counter 1: one an hour (never a burst); counter 2: five within 8 minutes, then one
        // 3 hours later; the link without a counter: three within a minute (too few).
        for i in 0..5 {
            rows.push(row(
                i,
                Some("loket-1"),
                MONDAY_8 + i as i64 * 3600,
                &format!("{i}"),
            ));
            rows.push(row(
                10 + i,
                Some("loket-2"),
                MONDAY_8 + 600 + i as i64 * 120,
                &format!("{i}"),
            ));
        }
        rows.push(row(20, Some("loket-2"), MONDAY_8 + 4 * 3600, "x"));
        for i in 0..3 {
            rows.push(row(
                30 + i,
                None,
                MONDAY_8 + 7200 + i as i64 * 20,
                &format!("{i}"),
            ));
        }
        rows.sort_by_key(|r| r.at);
        let flags = bursts(&rows, &review);
        assert_eq!(flags.len(), 1, "{flags:?}");
        let flag = &flags[0];
        assert_eq!(
            flag.kind,
            FlagKind::Burst {
                count: 5,
                minutes: 10
            }
        );
        assert_eq!(flag.counter.as_deref(), Some("loket-2"));
        assert_eq!(ids(flag), ["r10", "r11", "r12", "r13", "r14"]);
        assert_eq!(flag.span, Some((MONDAY_8 + 600, MONDAY_8 + 600 + 480)));
        assert!(flag.why(Lang::Id).contains("loket loket-2 dalam 10 menit"));
    }

    #[test]
    fn two_bursts_of_one_counter_an_hour_apart_are_two_flags() {
        let review = ReviewConfig {
            burst_responses: 3,
            burst_minutes: 5,
            ..ReviewConfig::default()
        };
        let rows: Vec<ReviewRow> = (0..6)
            .map(|i| {
                let at = MONDAY_8 + (i as i64 / 3) * 3600 + (i as i64 % 3) * 30;
                row(i, Some("loket-1"), at, &format!("{i}"))
            })
            .collect();
        let flags = bursts(&rows, &review);
        assert_eq!(
            flags.iter().map(ids).collect::<Vec<_>>(),
            [["r0", "r1", "r2"], ["r3", "r4", "r5"]]
        );
    }

    #[test]
    fn a_run_of_identical_answers_is_flagged_and_a_break_ends_it() {
        let review = ReviewConfig {
            identical_run: 3,
            ..ReviewConfig::default()
        };
        let same = "444444444|L|30|SMA|SWASTA";
        let mut rows: Vec<ReviewRow> = (0..4)
            .map(|i| row(i, Some("loket-1"), MONDAY_8 + i as i64 * 900, same))
            .collect();
        rows.push(row(
            4,
            Some("loket-1"),
            MONDAY_8 + 4000,
            "444444443|L|30|SMA|SWASTA",
        ));
        rows.push(row(5, Some("loket-1"), MONDAY_8 + 5000, same));
        rows.push(row(6, Some("loket-2"), MONDAY_8 + 6000, same));
        let flags = identical_runs(&rows, &review);
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!(ids(&flags[0]), ["r0", "r1", "r2", "r3"]);
        assert_eq!(flags[0].kind, FlagKind::IdenticalRun { count: 4 });
        assert_eq!(flags[0].counter.as_deref(), Some("loket-1"));
        let mut excluded = rows[1].clone();
        excluded.excluded = Some(crate::store::Exclusion {
            reason: "uji".into(),
            by: "admin".into(),
            at: 0,
        });
        rows[1] = excluded;
        assert_eq!(
            identical_runs(&rows, &review)[0].excluded,
            1,
            "counts what review left out"
        );
    }

    #[test]
    fn responses_outside_the_hours_are_flagged_per_day() {
        let review = ReviewConfig {
            service_hours: Some(ServiceHours {
                days: vec![1, 2, 3, 4, 5],
                open: 8 * 60,
                close: 16 * 60,
                grace_minutes: 60,
            }),
            ..ReviewConfig::default()
        };
        let rows = vec![
            row(0, None, MONDAY_8 - 60, "a"), // Monday 07:59: before opening
            row(1, None, MONDAY_8, "b"),      // 08:00: open
            row(2, None, MONDAY_8 + 9 * 3600, "c"), // 17:00: closed, in the grace hour
            row(3, None, MONDAY_8 + 9 * 3600 + 60, "d"), // 17:01: after it
            row(4, None, MONDAY_8 + 5 * 86_400, "e"), // Saturday 08:00: not a service day
        ];
        let flags = outside_hours(&rows, &review, UtcOffset::WIB);
        assert_eq!(
            flags.iter().map(ids).collect::<Vec<_>>(),
            [vec!["r0", "r3"], vec!["r4"]]
        );
        assert_eq!(
            flags[1].kind,
            FlagKind::OutsideHours {
                count: 1,
                day: Date::parse("2026-11-07").unwrap()
            }
        );
        assert!(
            outside_hours(&rows, &ReviewConfig::default(), UtcOffset::WIB).is_empty(),
            "off unless configured"
        );
    }

    #[test]
    fn a_month_over_its_population_is_flagged() {
        let month = Period::parse("2026-11").unwrap();
        assert_eq!(
            over_population(month, 120, None),
            None,
            "no population recorded"
        );
        assert_eq!(over_population(month, 120, Some(120)), None);
        let flag = over_population(month, 121, Some(120)).unwrap();
        assert_eq!(
            flag.why(Lang::En),
            "121 responses in November 2026, more than the 120 service users recorded."
        );
    }
}
