//! `ikm demo-data`: example responses for an empty database, so `make run` shows the office's
//! whole cycle (recaps, IPK, per service, trend) on the first start. Deterministic: the same
//! day gives the same data.

use crate::api::{store_submission, App};
use crate::store::Store;
use ikm_core::period::Period;
use ikm_core::questionnaire::{Choice, Education, Gender, Module, Occupation};
use ikm_core::submission::Respondent;
use ikm_core::time::{format_rfc3339, Date};
use ikm_core::{Element, Lang, OfficeConfig, Submission};

/// SplitMix64: a tiny, well-known generator; demo data needs no cryptographic randomness.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// How likely each element is to score 4, 3, 2 (in percent; the rest scores 1): waiting time
/// and facilities are the weak spots, as in many passport offices.
const ODDS: [(u64, u64, u64); 9] = [
    (45, 45, 8),
    (40, 48, 10),
    (25, 45, 25),
    (55, 38, 6),
    (45, 45, 8),
    (50, 42, 7),
    (55, 38, 6),
    (28, 47, 22),
    (35, 47, 15),
];

const SUGGESTIONS: [&str; 8] = [
    "Antrean pagi terlalu panjang, mohon tambah petugas loket.",
    "Petugas ramah dan sigap, terima kasih.",
    "Ruang tunggu panas, mohon AC diperbaiki.",
    "Informasi persyaratan di website sudah jelas.",
    "Parkir sempit saat jam sibuk.",
    "Proses foto dan wawancara cepat.",
    "Mohon disediakan kursi lebih banyak di ruang tunggu.",
    "Pelayanan di TPI pelabuhan cepat dan tertib.",
];

/// What was added.
pub struct Seeded {
    pub responses: u64,
    pub months: Vec<Period>,
}

/// Adds `per_month` responses (fewer for the month in progress) to each of the `months`
/// months up to `today`, with module answers where the office enabled them, and each month's
/// population. Refuses a database that already holds responses: demo data never mixes with
/// real answers.
pub async fn seed(
    store: &Store,
    config: &OfficeConfig,
    today: Date,
    months: u32,
    per_month: u32,
) -> Result<Seeded, String> {
    let existing = store.count().await.map_err(|e| e.to_string())?;
    if existing > 0 {
        return Err(format!(
            "the database already holds {existing} responses; demo data goes into an empty database only"
        ));
    }
    let mut app = App::new(store.clone(), config.clone(), None);
    app.now = crate::api::system_now;
    let mut random = Random(
        u64::from(today.year.unsigned_abs()) * 10_000
            + u64::from(today.month) * 100
            + u64::from(today.day),
    );
    let offset = config.offset();
    let mut added = 0;
    let mut seeded_months = Vec::new();
    for back in (0..months).rev() {
        let first = today.first_of_month().add_months(-(back as i32));
        let last_day = if back == 0 {
            today.day
        } else {
            first.last_of_month().day
        };
        let count = if back == 0 {
            u64::from(per_month) * u64::from(last_day) / u64::from(first.last_of_month().day)
        } else {
            u64::from(per_month)
        };
        for _ in 0..count {
            let day = 1 + random.below(u64::from(last_day)) as u8;
            let date = Date::new(first.year, first.month, day).unwrap_or(first);
            // Office hours, 08:00–15:59 local time.
            let at = offset.start_of(date) + 8 * 3600 + random.below(8 * 3600) as i64;
            let submission = response(&mut random, config, &format_rfc3339(at));
            let _stored = store_submission(&app, submission, crate::proof::Sender::Trusted)
                .await
                .map_err(|e| format!("storing a demo response failed: {e:?}"))?;
            added += 1;
        }
        let month = Period::month_of(first);
        let population = 600 + random.below(400);
        store
            .set_population(
                month,
                None,
                population,
                crate::api::system_now(),
                crate::store::Actor::new(crate::accounts::CLI_ACTOR, ""),
            )
            .await
            .map_err(|e| e.to_string())?;
        seeded_months.push(month);
    }
    Ok(Seeded {
        responses: added,
        months: seeded_months,
    })
}

/// One of `items` at random; None when there are none.
fn pick<'a, T>(random: &mut Random, items: &'a [T]) -> Option<&'a T> {
    items.get(random.below(items.len() as u64) as usize)
}

/// One plausible response submitted at `at`.
fn response(random: &mut Random, config: &OfficeConfig, at: &str) -> Submission {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&random.next().to_le_bytes());
    bytes[8..].copy_from_slice(&random.next().to_le_bytes());
    let mut s = Submission::blank(if random.below(10) == 0 {
        Lang::En
    } else {
        Lang::Id
    });
    s.id = Submission::id_from_random_bytes(bytes);
    s.submitted_at = at.to_string();
    s.unit = config.unit.clone();
    let service = pick(random, &config.services).map(|c| c.id.clone());
    let counters: Vec<_> = config
        .counters
        .iter()
        .filter(|c| c.service.is_none() || c.service == service)
        .collect();
    s.counter = pick(random, &counters).map(|c| c.id.clone());
    s.service = service;
    s.respondent = Respondent {
        gender: pick(random, Gender::ALL).copied(),
        age: Some(u32::from(config.min_age) + random.below(45) as u32),
        education: pick(random, Education::ALL).copied(),
        occupation: pick(random, Occupation::ALL.get(..5).unwrap_or_default()).copied(),
        occupation_other: None,
    };
    for (e, (four, three, two)) in Element::ALL.into_iter().zip(ODDS) {
        let roll = random.below(100);
        let score = if roll < four {
            4
        } else if roll < four + three {
            3
        } else if roll < four + three + two {
            2
        } else {
            1
        };
        s.answers.set(e, Some(score));
    }
    for module in Module::ALL {
        if let Some(settings) = config.modules.get(module) {
            let top = u64::from(settings.scale);
            let scores = s.module_mut(module).get_or_insert_with(Default::default);
            for statement in module.statements() {
                // Mostly agreeing: the top two points, sometimes the third.
                let score = top - random.below(3).min(random.below(3));
                scores.insert(statement.key, score as u8);
            }
        }
    }
    if random.below(4) == 0 {
        s.suggestion = pick(random, &SUGGESTIONS).map(|t| t.to_string());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::validate::validate;

    #[test]
    fn every_demo_response_is_valid_for_the_example_office() {
        let config =
            OfficeConfig::from_json(include_str!("../../../examples/office.json")).unwrap();
        let mut random = Random(7);
        for _ in 0..500 {
            let s = response(&mut random, &config, "2026-11-02T03:00:00Z");
            assert_eq!(validate(&s, &config), vec![], "{s:?}");
            if let Some(counter) = s.counter.as_deref().and_then(|c| config.counter(c)) {
                assert!(counter
                    .service
                    .as_deref()
                    .is_none_or(|only| Some(only) == s.service.as_deref()));
            }
        }
    }
}
