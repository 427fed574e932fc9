//! The respondent-profile distribution reports show beside the scores.

use crate::questionnaire::{Choice, Education, Gender, Occupation};
use crate::submission::Respondent;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

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
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (code, n) in &self.0 {
            map.serialize_entry(code, n)?;
        }
        map.end()
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
        assert_eq!(v["education"].as_object().unwrap().len(), 7);
        assert_eq!(age_band(65), "65+");
        assert_eq!(age_band(24), "<25");
    }
}
