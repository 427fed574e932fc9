//! The respondent-profile distribution reports show beside the scores.

use crate::config::OfficeConfig;
use crate::element::{Lang, Text};
use crate::questionnaire::{Choice, Education, Gender, Occupation};
use crate::submission::Respondent;
use serde::{Serialize, Serializer};

/// The counter key of responses that name no counter, in recaps and their JSON.
pub const NO_COUNTER: &str = "-";
/// Age bands of the report, as (label, lowest age); each band runs to the next one's lowest age.
pub const AGE_BANDS: [(&str, u32); 6] = [
    ("<25", 0),
    ("25-34", 25),
    ("35-44", 35),
    ("45-54", 45),
    ("55-64", 55),
    ("65+", 65),
];

/// Counts of respondents per profile value, every category present (zeros included) in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileDistribution {
    pub gender: Counts,
    pub age: Counts,
    pub education: Counts,
    pub occupation: Counts,
}

/// Category code → count, in a fixed order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub Vec<(&'static str, u64)>);

impl Counts {
    fn of(codes: impl IntoIterator<Item = &'static str>) -> Counts {
        Counts(codes.into_iter().map(|c| (c, 0)).collect())
    }

    /// Adds `n` to the count of `code`; unknown codes are ignored.
    pub fn add(&mut self, code: &str, n: u64) {
        if let Some(slot) = self.0.iter_mut().find(|(c, _)| *c == code) {
            slot.1 += n;
        }
    }

    /// Takes `other`'s counts away from these, never below zero.
    pub fn subtract(&mut self, other: &Counts) {
        for (code, n) in &other.0 {
            if let Some(slot) = self.0.iter_mut().find(|(c, _)| c == code) {
                slot.1 = slot.1.saturating_sub(*n);
            }
        }
    }

    /// The count of `code`.
    pub fn get(&self, code: &str) -> u64 {
        self.0
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(0, |(_, n)| *n)
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::serialize_pairs(self.0.iter().map(|(code, n)| (code, n)), serializer)
    }
}

/// The printed name of each age band.
fn age_band_label(band: &str) -> Text {
    match band {
        "<25" => Text::new("Di bawah 25 tahun", "Under 25"),
        "25-34" => Text::new("25–34 tahun", "25–34"),
        "35-44" => Text::new("35–44 tahun", "35–44"),
        "45-54" => Text::new("45–54 tahun", "45–54"),
        "55-64" => Text::new("55–64 tahun", "55–64"),
        _ => Text::new("65 tahun ke atas", "65 and over"),
    }
}

/// One row of a profile table: a category with its name in both languages, its count and
/// its share of the respondents in percent (one decimal; null when there are none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub code: String,
    pub label: Label,
    pub count: u64,
    pub percent: Option<f64>,
}

/// A name in Indonesian and English (the Indonesian one where no English is configured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub id: String,
    pub en: String,
}

impl Label {
    /// The name in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

impl From<Text> for Label {
    fn from(text: Text) -> Label {
        Label {
            id: text.id.into(),
            en: text.en.into(),
        }
    }
}

impl From<&crate::element::LocalText> for Label {
    fn from(text: &crate::element::LocalText) -> Label {
        Label {
            id: text.id.clone(),
            en: text.get(Lang::En).to_string(),
        }
    }
}

/// The profile as reports print it: every table with names and percentages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileTables {
    pub gender: Vec<Share>,
    pub age: Vec<Share>,
    pub education: Vec<Share>,
    pub occupation: Vec<Share>,
    /// Per configured service (then any other id stored), by the configured name.
    pub service: Vec<Share>,
    /// Per counter (`-`: none given).
    pub counter: Vec<Share>,
}

/// `count` of `total` in percent, one decimal.
pub fn percent(count: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| (count as f64 * 1000.0 / total as f64).round() / 10.0)
}

fn share(code: &str, label: Label, count: u64, total: u64) -> Share {
    Share {
        code: code.to_string(),
        label,
        count,
        percent: percent(count, total),
    }
}

fn shares_of<C: Choice>(counts: &Counts, total: u64) -> Vec<Share> {
    C::ALL
        .iter()
        .map(|c| share(c.code(), c.label().into(), counts.get(c.code()), total))
        .collect()
}

/// Rows for ids counted in `counts`: the configured ones in configured order first (zeros
/// included), then any other stored id under its own code.
fn configured_shares<'a>(
    counts: &std::collections::BTreeMap<String, u64>,
    configured: impl Iterator<Item = (&'a str, Label)>,
    total: u64,
) -> Vec<Share> {
    let mut rows: Vec<Share> = configured
        .map(|(id, label)| share(id, label, counts.get(id).copied().unwrap_or(0), total))
        .collect();
    for (id, n) in counts {
        if !rows.iter().any(|r| r.code == *id) {
            let label = if id == NO_COUNTER {
                Text::new("Tanpa loket", "No counter").into()
            } else {
                Label {
                    id: id.clone(),
                    en: id.clone(),
                }
            };
            rows.push(share(id, label, *n, total));
        }
    }
    rows
}

impl ProfileTables {
    /// Names and percentages for a distribution of `respondents` and their counts per
    /// service and per counter, named as `config` names them.
    pub fn new(
        profile: &ProfileDistribution,
        services: &std::collections::BTreeMap<String, u64>,
        counters: &std::collections::BTreeMap<String, u64>,
        respondents: u64,
        config: &OfficeConfig,
    ) -> ProfileTables {
        ProfileTables {
            gender: shares_of::<Gender>(&profile.gender, respondents),
            age: AGE_BANDS
                .iter()
                .map(|(band, _)| {
                    share(
                        band,
                        age_band_label(band).into(),
                        profile.age.get(band),
                        respondents,
                    )
                })
                .collect(),
            education: shares_of::<Education>(&profile.education, respondents),
            occupation: shares_of::<Occupation>(&profile.occupation, respondents),
            service: configured_shares(
                services,
                config
                    .services
                    .iter()
                    .map(|s| (s.id.as_str(), (&s.label).into())),
                respondents,
            ),
            counter: configured_shares(
                counters,
                config
                    .counters
                    .iter()
                    .map(|c| (c.id.as_str(), (&c.label).into())),
                respondents,
            ),
        }
    }

    /// Every table with its title, in report order.
    pub fn titled(&self) -> [(Text, &[Share]); 6] {
        [
            (Text::new("Jenis kelamin", "Gender"), &self.gender),
            (Text::new("Usia", "Age"), &self.age),
            (
                Text::new("Pendidikan terakhir", "Education"),
                &self.education,
            ),
            (Text::new("Pekerjaan utama", "Occupation"), &self.occupation),
            (Text::new("Jenis layanan", "Service"), &self.service),
            (Text::new("Loket", "Counter"), &self.counter),
        ]
    }
}

/// The band label for an age.
pub fn age_band(age: u32) -> &'static str {
    AGE_BANDS
        .iter()
        .rev()
        .find(|(_, low)| age >= *low)
        .map_or(AGE_BANDS[0].0, |(label, _)| label)
}

impl ProfileDistribution {
    /// An empty distribution listing every category.
    pub fn new() -> ProfileDistribution {
        ProfileDistribution {
            gender: Counts::of(Gender::ALL.iter().map(|g| g.code())),
            age: Counts::of(AGE_BANDS.iter().map(|(label, _)| *label)),
            education: Counts::of(Education::ALL.iter().map(|e| e.code())),
            occupation: Counts::of(Occupation::ALL.iter().map(|o| o.code())),
        }
    }

    /// Takes away the respondents counted in `part`.
    pub fn subtract(&mut self, part: &ProfileDistribution) {
        self.gender.subtract(&part.gender);
        self.age.subtract(&part.age);
        self.education.subtract(&part.education);
        self.occupation.subtract(&part.occupation);
    }

    /// Counts one respondent.
    pub fn add(&mut self, r: &Respondent) {
        if let Some(g) = r.gender {
            self.gender.add(g.code(), 1);
        }
        if let Some(age) = r.age {
            self.age.add(age_band(age), 1);
        }
        if let Some(e) = r.education {
            self.education.add(e.code(), 1);
        }
        if let Some(o) = r.occupation {
            self.occupation.add(o.code(), 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_category_including_zeros() {
        let mut p = ProfileDistribution::new();
        let r = Respondent {
            gender: Some(Gender::P),
            age: Some(34),
            education: Some(Education::D4S1),
            occupation: Some(Occupation::SWASTA),
            occupation_other: None,
        };
        p.add(&r);
        p.add(&Respondent {
            age: Some(17),
            ..r.clone()
        });
        assert_eq!(p.gender.get("P"), 2);
        assert_eq!(p.gender.get("L"), 0);
        assert_eq!(p.age.get("25-34"), 1);
        assert_eq!(p.age.get("<25"), 1);
        assert_eq!(p.education.get("D4-S1"), 2);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["education"].as_object().unwrap().len(), 8);
        assert_eq!(age_band(65), "65+");
        assert_eq!(age_band(24), "<25");
    }

    #[test]
    fn tables_carry_names_in_both_languages_and_percentages() {
        let mut p = ProfileDistribution::new();
        let r = Respondent {
            gender: Some(Gender::P),
            age: Some(40),
            education: Some(Education::TidakTamatSd),
            occupation: Some(Occupation::SWASTA),
            occupation_other: None,
        };
        for _ in 0..2 {
            p.add(&r);
        }
        p.add(&Respondent {
            gender: Some(Gender::L),
            ..r.clone()
        });
        let services = [("paspor-baru".to_string(), 2), ("lama".to_string(), 1)].into();
        let counters = [("-".to_string(), 3)].into();
        let t = ProfileTables::new(&p, &services, &counters, 3, &OfficeConfig::default());
        assert_eq!(t.gender[1].label.id, "Perempuan");
        assert_eq!(t.gender[1].percent, Some(66.7));
        assert_eq!(t.gender[0].percent, Some(33.3));
        assert_eq!(t.education[0].code, "TIDAK-TAMAT-SD");
        assert_eq!(t.education[0].count, 3);
        assert_eq!(t.occupation[3].label.en, "Private employee");
        assert_eq!(t.service[0].label.id, "Paspor baru");
        assert_eq!(
            t.service.len(),
            6,
            "five configured services and one stored id no longer configured"
        );
        assert_eq!(t.service[5].code, "lama");
        assert_eq!(t.counter[0].label.id, "Tanpa loket");
        assert_eq!(t.age[2].label.en, "35–44");
        assert_eq!(percent(0, 0), None);
    }
}
