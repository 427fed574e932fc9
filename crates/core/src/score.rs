//! The official IKM scoring of PermenPAN-RB 14/2017: NRR per element, NI, IKM, mutu and kinerja.
//!
//! Weights default to the exact 1/9. Published reports print 0.111, which turns an all-4
//! unit into 99.90 and can move a unit across a grade boundary, so it is only an explicit mode.

use crate::element::{Element, Lang};
use crate::json::{self, Value};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How each element's NRR is weighted into NI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weights {
    /// The exact 1/9 the regulation defines.
    #[default]
    Exact,
    /// The rounded 0.111 printed in published spreadsheets, to reproduce them.
    Legacy0111,
}

impl Weights {
    /// Every weighting with its one name, used on the command line, in URLs, in JSON and in
    /// reports alike.
    pub const ALL: [(&'static str, Weights); 2] =
        [("exact", Weights::Exact), ("0.111", Weights::Legacy0111)];

    /// What a wrong name is told to use instead.
    pub const EXPECTED: &'static str = "`exact` or `0.111`";

    /// Weights in JSON: one of the names in [`Weights::ALL`].
    pub fn from_value(value: &Value) -> Result<Weights, json::Error> {
        value.one_of(&Weights::ALL, Weights::EXPECTED)
    }

    /// The factor each NRR is multiplied by.
    pub fn factor(self) -> f64 {
        match self {
            Weights::Exact => 1.0 / 9.0,
            Weights::Legacy0111 => 0.111,
        }
    }

    /// The name of these weights (see [`Weights::ALL`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Weights::Exact => Weights::ALL[0].0,
            Weights::Legacy0111 => Weights::ALL[1].0,
        }
    }

    /// What the command line's recap says about these weights.
    pub fn described(self) -> &'static str {
        match self {
            Weights::Exact => "exact 1/9",
            Weights::Legacy0111 => "0.111 (spreadsheet compatibility)",
        }
    }

    /// The weight as reports print it: `1/9` or `0,111` (Indonesian decimal comma).
    pub fn printed(self) -> &'static str {
        match self {
            Weights::Exact => "1/9",
            Weights::Legacy0111 => "0,111",
        }
    }
}

impl Serialize for Weights {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl FromStr for Weights {
    type Err = String;
    /// The same names as JSON, nothing else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Weights::ALL
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, w)| *w)
            .ok_or_else(|| format!("unknown weights `{s}`: use {}", Weights::EXPECTED))
    }
}

/// Service quality grade (*mutu pelayanan*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    /// The regulation's grade table: each grade with the lowest IKM (in hundredths, 8831 =
    /// 88.31) that earns it, best first. D starts at the IKM's floor, 25.00.
    pub const LOWER_BOUNDS: [(Grade, i64); 4] = [
        (Grade::A, 8831),
        (Grade::B, 7661),
        (Grade::C, 6500),
        (Grade::D, 2500),
    ];

    /// The grade of an IKM already rounded to hundredths (8831 = 88.31), lower bounds inclusive.
    pub fn from_ikm_hundredths(hundredths: i64) -> Grade {
        Grade::LOWER_BOUNDS
            .iter()
            .find(|(_, low)| hundredths >= *low)
            .map_or(Grade::D, |(grade, _)| *grade)
    }

    /// The grade of one element's NRR (1.00 … 4.00) on the same table: the NI column of the
    /// regulation is the IKM column divided by 25, so an NRR is graded as NRR × 25.
    pub fn of_nrr(nrr: f64) -> Grade {
        Grade::from_ikm_hundredths(round_hundredths(nrr * 25.0))
    }

    /// This grade's IKM range in hundredths, both ends included (A: 8831 ..= 10000), from
    /// [`Grade::LOWER_BOUNDS`]: each grade ends one hundredth below the next better one.
    pub fn ikm_range(self) -> (i64, i64) {
        let mut high = 10_000;
        for (grade, low) in Grade::LOWER_BOUNDS {
            if grade == self {
                return (low, high);
            }
            high = low - 1;
        }
        (2_500, high)
    }

    /// The rule as one line, in the report's language: `A ≥ 88,31, B ≥ 76,61, C ≥ 65,00,
    /// D < 65,00` (decimal comma in Indonesian).
    pub fn thresholds(lang: Lang) -> String {
        let number = |hundredths: i64| {
            let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
            match lang {
                Lang::Id => text.replace('.', ","),
                Lang::En => text,
            }
        };
        let mut parts: Vec<String> = Vec::new();
        let mut last = 2_500;
        for (grade, low) in Grade::LOWER_BOUNDS {
            if grade == Grade::D {
                parts.push(format!("D < {}", number(last)));
            } else {
                parts.push(format!("{grade} ≥ {}", number(low)));
                last = low;
            }
        }
        parts.join(", ")
    }

    /// The lowest IKM of this grade as a number (88.31).
    pub fn lower_bound(self) -> f64 {
        Grade::LOWER_BOUNDS
            .iter()
            .find(|(g, _)| *g == self)
            .map_or(25.0, |(_, low)| *low as f64 / 100.0)
    }

    /// The unit's performance (*kinerja unit pelayanan*) for this grade.
    pub fn kinerja(self) -> &'static str {
        match self {
            Grade::A => "Sangat Baik",
            Grade::B => "Baik",
            Grade::C => "Kurang Baik",
            Grade::D => "Tidak Baik",
        }
    }

    /// The performance in English, for the English report.
    pub fn kinerja_en(self) -> &'static str {
        match self {
            Grade::A => "Very good",
            Grade::B => "Good",
            Grade::C => "Poor",
            Grade::D => "Very poor",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        })
    }
}

/// How many answers of each score (1–4) each element got; exact integers, so the order of
/// responses never matters. Sums and averages derive from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreTally {
    /// Number of responses counted.
    pub respondents: u64,
    /// Per element in form order: answers scoring 1, 2, 3, 4.
    pub counts: [[u64; 4]; 9],
}

impl ScoreTally {
    /// Counts one response; `None` is a skipped element, left out of that element's average.
    /// Scores outside 1–4 (never in validated data) are ignored.
    pub fn add(&mut self, scores: &[Option<u8>; 9]) {
        self.respondents += 1;
        for (counts, score) in self.counts.iter_mut().zip(scores) {
            if let Some(s @ 1..=4) = score {
                if let Some(n) = counts.get_mut(usize::from(*s) - 1) {
                    *n += 1;
                }
            }
        }
    }

    /// Combines two tallies, e.g. from days, services or database partitions.
    pub fn merge(&mut self, other: &ScoreTally) {
        self.respondents += other.respondents;
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }

    /// Takes away a part of these responses (counted in `part`), e.g. the late arrivals of a
    /// closed period; never below zero.
    pub fn subtract(&mut self, part: &ScoreTally) {
        self.respondents = self.respondents.saturating_sub(part.respondents);
        for (mine, theirs) in self.counts.iter_mut().zip(&part.counts) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a = a.saturating_sub(*b);
            }
        }
    }

    /// Responses that answered `element`.
    pub fn answered(&self, element: Element) -> u64 {
        element.of(&self.counts).iter().sum()
    }

    /// The sum of `element`'s scores.
    pub fn sum(&self, element: Element) -> u64 {
        (1..)
            .zip(element.of(&self.counts))
            .map(|(s, n)| s * n)
            .sum()
    }

    /// The recap for these responses.
    pub fn recap(&self, weights: Weights) -> Recap {
        let nrr = PerElement(Element::ALL.map(|e| {
            let answered = self.answered(e);
            (answered > 0).then(|| self.sum(e) as f64 / answered as f64)
        }));
        let ni = nrr
            .0
            .iter()
            .try_fold(0.0, |acc, v| v.map(|v| acc + v * weights.factor()));
        let ikm = ni.map(|ni| ni * 25.0);
        let mutu = ikm.map(|ikm| Grade::from_ikm_hundredths(round_hundredths(ikm)));
        Recap {
            respondents: self.respondents,
            weights,
            nrr,
            answered: PerElement(Element::ALL.map(|e| self.answered(e))),
            distribution: PerElement(self.counts),
            element_mutu: PerElement(nrr.0.map(|v| v.map(Grade::of_nrr))),
            ni,
            ikm,
            mutu,
            kinerja: mutu.map(Grade::kinerja),
            lowest: lowest(&nrr),
        }
    }
}

/// How many of the lowest-scoring elements a recap flags for follow-up, at least.
pub const LOWEST_FLAGGED: usize = 3;

/// The elements to act on: the [`LOWEST_FLAGGED`] lowest NRRs and every element tied with the
/// last of them, lowest first. A tie is never broken by form order: an element as low as one
/// that is flagged is flagged too.
fn lowest(nrr: &PerElement<Option<f64>>) -> Vec<Element> {
    let mut ranked: Vec<(Element, f64)> = Element::ALL
        .into_iter()
        .filter_map(|e| nrr.get(e).map(|v| (e, v)))
        .collect();
    // Stable: tied elements keep form order among themselves, for a steady listing.
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    let Some(&(_, cut)) = ranked.get(LOWEST_FLAGGED - 1).or(ranked.last()) else {
        return Vec::new();
    };
    ranked
        .into_iter()
        .take_while(|(_, v)| *v <= cut)
        .map(|(e, _)| e)
        .collect()
}

/// The plain mean of several units' IKM (a region's second reading beside the pooled one);
/// None for no units.
pub fn mean_ikm(ikms: &[f64]) -> Option<f64> {
    (!ikms.is_empty()).then(|| ikms.iter().sum::<f64>() / ikms.len() as f64)
}

/// Rounds an IKM to hundredths as an integer (88.305 → 8831), the precision grades apply to.
pub fn round_hundredths(ikm: f64) -> i64 {
    // A tiny nudge absorbs binary error (e.g. 88.30499999 for a true 88.305) before rounding.
    ((ikm * 100.0) + 1e-9).round() as i64
}

/// One value per element, serialized as a JSON object keyed by element key in form order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerElement<T>(pub [T; 9]);

impl<T> PerElement<T> {
    /// The value for `element`.
    pub fn get(&self, element: Element) -> &T {
        element.of(&self.0)
    }
}

impl<T: Serialize> Serialize for PerElement<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(9))?;
        for e in Element::ALL {
            map.serialize_entry(e.key(), e.of(&self.0))?;
        }
        map.end()
    }
}

/// The recap of a set of responses, as reports and `ikm score` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recap {
    pub respondents: u64,
    pub weights: Weights,
    /// Average score per element (*nilai rata-rata*); null where nobody answered.
    pub nrr: PerElement<Option<f64>>,
    /// Responses that answered each element.
    pub answered: PerElement<u64>,
    /// Per element, how many answers scored 1, 2, 3 and 4.
    pub distribution: PerElement<[u64; 4]>,
    /// Per element, the grade of its NRR on the regulation's table (the NI column).
    pub element_mutu: PerElement<Option<Grade>>,
    /// Weighted sum of NRRs (1.00 … 4.00); null unless every element has answers.
    pub ni: Option<f64>,
    /// NI × 25 (25.00 … 100.00), unrounded.
    pub ikm: Option<f64>,
    pub mutu: Option<Grade>,
    pub kinerja: Option<&'static str>,
    /// The elements to act on: the three lowest NRRs and every element tied with the third,
    /// lowest first.
    pub lowest: Vec<Element>,
}

impl Recap {
    /// The IKM rounded to 2 decimals, as published.
    pub fn ikm_rounded(&self) -> Option<f64> {
        self.ikm.map(|v| round_hundredths(v) as f64 / 100.0)
    }

    /// Elements nobody answered, which keep NI and IKM from being computed.
    pub fn unanswered(&self) -> Vec<Element> {
        Element::ALL
            .into_iter()
            .filter(|e| self.nrr.get(*e).is_none())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_grade_table_is_written_from_its_lower_bounds() {
        assert_eq!(Grade::A.ikm_range(), (8831, 10_000));
        assert_eq!(Grade::B.ikm_range(), (7661, 8830));
        assert_eq!(Grade::D.ikm_range(), (2500, 6499));
        assert_eq!(
            Grade::thresholds(Lang::Id),
            "A ≥ 88,31, B ≥ 76,61, C ≥ 65,00, D < 65,00"
        );
        assert_eq!(
            Grade::thresholds(Lang::En),
            "A ≥ 88.31, B ≥ 76.61, C ≥ 65.00, D < 65.00"
        );
    }

    use super::*;
    use proptest::prelude::*;

    fn tally(rows: &[[u8; 9]]) -> ScoreTally {
        let mut t = ScoreTally::default();
        for r in rows {
            t.add(&r.map(Some));
        }
        t
    }

    #[test]
    fn all_fours_score_exactly_100_and_99_90_in_legacy_mode() {
        let t = tally(&[[4; 9], [4; 9]]);
        let exact = t.recap(Weights::Exact);
        assert_eq!(exact.ikm_rounded(), Some(100.0));
        assert_eq!(exact.mutu, Some(Grade::A));
        assert_eq!(exact.kinerja, Some("Sangat Baik"));
        let legacy = t.recap(Weights::Legacy0111);
        assert_eq!(legacy.ikm_rounded(), Some(99.9));
        assert!((legacy.ni.unwrap() - 3.996).abs() < 1e-12);
    }

    #[test]
    fn grade_boundaries_are_lower_bounds_on_the_rounded_ikm() {
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(64.99)),
            Grade::D
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(65.00)),
            Grade::C
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(76.60)),
            Grade::C
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(76.61)),
            Grade::B
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(88.30)),
            Grade::B
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(88.31)),
            Grade::A
        );
        // 88.305 rounds up to 88.31 → A; 88.3049 rounds down → B.
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(88.305)),
            Grade::A
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(88.3049)),
            Grade::B
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(64.994)),
            Grade::D
        );
        assert_eq!(
            Grade::from_ikm_hundredths(round_hundredths(64.995)),
            Grade::C
        );
    }

    #[test]
    fn elements_are_graded_on_the_ni_column_of_the_same_table() {
        // The regulation's NI bounds: 3.5324 A, 3.0644 B, 2.60 C.
        assert_eq!(Grade::of_nrr(3.5324), Grade::A);
        assert_eq!(Grade::of_nrr(3.532), Grade::B);
        assert_eq!(Grade::of_nrr(3.0644), Grade::B);
        assert_eq!(Grade::of_nrr(3.064), Grade::C);
        assert_eq!(Grade::of_nrr(2.60), Grade::C);
        assert_eq!(Grade::of_nrr(2.5996), Grade::D);
        assert_eq!(Grade::of_nrr(4.0), Grade::A);
        assert_eq!(Grade::A.lower_bound(), 88.31);
        assert_eq!(Grade::D.lower_bound(), 25.0);
    }

    #[test]
    fn boundary_from_real_responses() {
        // 100 respondents; element sums chosen so IKM = 25 * (sum / 900) lands on 65.00 exactly.
        // 40 responses of all 2 and 60 of all 3 → NI 2.6 → IKM 65.00 → C.
        let mut t = ScoreTally::default();
        for i in 0..100 {
            let mut row = [3u8; 9];
            if i < 40 {
                row = [2; 9];
            }
            t.add(&row.map(Some));
        }
        let r = t.recap(Weights::Exact);
        assert_eq!(r.ikm_rounded(), Some(65.0));
        assert_eq!(r.mutu, Some(Grade::C));
        // One point fewer in total: 2339/900*25 = 64.97 → D.
        let mut t2 = t;
        // One answer of 3 becomes a 2: 2339/900 × 25 = 64.97.
        t2.counts[0][2] -= 1;
        t2.counts[0][1] += 1;
        assert_eq!(t2.recap(Weights::Exact).mutu, Some(Grade::D));
    }

    #[test]
    fn skipped_elements_leave_that_average_only() {
        let mut t = ScoreTally::default();
        t.add(&[
            Some(4),
            None,
            Some(4),
            Some(4),
            Some(4),
            Some(4),
            Some(4),
            Some(4),
            Some(4),
        ]);
        t.add(&[
            Some(2),
            Some(3),
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            Some(2),
        ]);
        let r = t.recap(Weights::Exact);
        assert_eq!(r.respondents, 2);
        assert_eq!(*r.nrr.get(Element::Prosedur), Some(3.0));
        assert_eq!(*r.answered.get(Element::Prosedur), 1);
        assert_eq!(*r.nrr.get(Element::Persyaratan), Some(3.0));
        assert_eq!(r.ikm_rounded(), Some(75.0));
    }

    #[test]
    fn nobody_answering_an_element_gives_no_ikm() {
        let mut t = ScoreTally::default();
        t.add(&[
            Some(4),
            None,
            Some(4),
            Some(4),
            Some(4),
            Some(4),
            Some(4),
            Some(4),
            Some(4),
        ]);
        let r = t.recap(Weights::Exact);
        assert_eq!(r.ikm, None);
        assert_eq!(r.mutu, None);
        assert_eq!(r.unanswered(), vec![Element::Prosedur]);
        assert_eq!(ScoreTally::default().recap(Weights::Exact).ikm, None);
    }

    #[test]
    fn lowest_elements_are_flagged_lowest_first() {
        let r = tally(&[[4, 4, 1, 4, 4, 2, 4, 3, 4]]).recap(Weights::Exact);
        assert_eq!(
            r.lowest,
            vec![Element::Waktu, Element::Kompetensi, Element::Sarana]
        );
    }

    #[test]
    fn every_element_tied_with_the_third_lowest_is_flagged_too() {
        // U2 lowest, then U1, U4 and U7 tied: all four are to act on, never cut by form order.
        let r = tally(&[[3, 2, 4, 3, 4, 4, 3, 4, 4], [3, 3, 4, 3, 4, 4, 3, 4, 4]])
            .recap(Weights::Exact);
        assert_eq!(
            r.lowest,
            vec![
                Element::Prosedur,
                Element::Persyaratan,
                Element::Biaya,
                Element::Perilaku
            ]
        );
        // Fewer than three elements answered: all of them.
        let mut t = ScoreTally::default();
        t.add(&[Some(2), Some(3), None, None, None, None, None, None, None]);
        assert_eq!(
            t.recap(Weights::Exact).lowest,
            vec![Element::Persyaratan, Element::Prosedur]
        );
        assert_eq!(ScoreTally::default().recap(Weights::Exact).lowest, vec![]);
    }

    #[test]
    fn the_distribution_and_a_grade_per_element_come_with_every_recap() {
        let r = tally(&[[4, 1, 3, 3, 4, 4, 4, 4, 4], [4, 2, 3, 2, 4, 4, 4, 4, 3]])
            .recap(Weights::Exact);
        assert_eq!(*r.distribution.get(Element::Prosedur), [1, 1, 0, 0]);
        assert_eq!(*r.distribution.get(Element::Biaya), [0, 1, 1, 0]);
        assert_eq!(*r.element_mutu.get(Element::Persyaratan), Some(Grade::A));
        assert_eq!(
            *r.element_mutu.get(Element::Prosedur),
            Some(Grade::D),
            "NRR 1.5"
        );
        assert_eq!(
            *r.element_mutu.get(Element::Waktu),
            Some(Grade::C),
            "NRR 3.0"
        );
        assert_eq!(
            *r.element_mutu.get(Element::Pengaduan),
            Some(Grade::B),
            "NRR 3.5 × 25 = 87.50"
        );
    }

    #[test]
    fn weights_have_one_name_everywhere() {
        for (name, w) in Weights::ALL {
            assert_eq!(w.as_str(), name);
            assert_eq!(name.parse::<Weights>(), Ok(w));
            let value = json::parse(&format!("\"{name}\"")).unwrap();
            assert_eq!(Weights::from_value(&value), Ok(w));
            assert_eq!(serde_json::to_value(w).unwrap(), name);
        }
        assert!(
            "1/9".parse::<Weights>().is_err(),
            "no name the JSON reader lacks"
        );
        assert!(Weights::from_value(&json::parse("\"1/9\"").unwrap()).is_err());
    }

    #[test]
    fn json_keys_nrr_by_element() {
        let r = tally(&[[3; 9]]).recap(Weights::Exact);
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["nrr"]["pengaduan"], 3.0);
        assert_eq!(v["mutu"], "C");
        assert_eq!(v["weights"], "exact");
        assert_eq!(v["ikm"], 75.0);
    }

    fn rows() -> impl Strategy<Value = Vec<[u8; 9]>> {
        prop::collection::vec(prop::array::uniform9(1u8..=4), 1..200)
    }

    proptest! {
        #[test]
        fn ikm_stays_within_25_and_100(rows in rows()) {
            let ikm = tally(&rows).recap(Weights::Exact).ikm.unwrap();
            prop_assert!((25.0 - 1e-9..=100.0 + 1e-9).contains(&ikm));
        }

        #[test]
        fn reordering_responses_changes_nothing(mut rows in rows(), seed in any::<u64>()) {
            let before = tally(&rows).recap(Weights::Exact);
            let n = rows.len();
            rows.rotate_left((seed as usize) % n);
            rows.reverse();
            prop_assert_eq!(tally(&rows).recap(Weights::Exact), before);
        }

        #[test]
        fn subtracting_a_part_leaves_exactly_the_rest(rows in rows(), cut in any::<prop::sample::Index>()) {
            let cut = cut.index(rows.len() + 1);
            let mut whole = tally(&rows);
            whole.subtract(&tally(&rows[cut..]));
            prop_assert_eq!(whole, tally(&rows[..cut]));
        }

        #[test]
        fn all_answers_equal_s_give_exactly_25_s(s in 1u8..=4, n in 1usize..100) {
            let r = tally(&vec![[s; 9]; n]).recap(Weights::Exact);
            prop_assert_eq!(r.ikm_rounded(), Some(25.0 * f64::from(s)));
            prop_assert_eq!(round_hundredths(r.ikm.unwrap()), 2500 * i64::from(s));
        }
    }
}
