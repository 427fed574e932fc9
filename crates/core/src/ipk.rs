//! The recap of the Zona Integritas perception modules (SPKP, SPAK): the IPK figures, kept
//! apart from the IKM, each on its module's own scale (4 or 6 points).

use crate::questionnaire::Module;
use crate::submission::Scores;
use serde::{Serialize, Serializer};

/// Highest scale a module can be configured with.
pub const MAX_SCALE: usize = 6;

/// How many answers of each score (1 … 6) every statement of one module got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleTally {
    pub module: Module,
    /// Responses that answered at least one statement of the module.
    pub respondents: u64,
    /// Per statement in form order: answers scoring 1, 2, … 6.
    pub counts: Vec<[u64; MAX_SCALE]>,
}

impl ModuleTally {
    /// An empty tally for `module`.
    pub fn new(module: Module) -> ModuleTally {
        ModuleTally {
            module,
            respondents: 0,
            counts: vec![[0; MAX_SCALE]; module.statements().len()],
        }
    }

    /// Counts one response's answers; unknown statements and scores outside 1 … 6 (never in
    /// validated data) are ignored.
    pub fn add(&mut self, scores: &Scores) {
        let mut counted = false;
        for key in scores.keys() {
            let score = scores.get(key).map_or(0, usize::from);
            if let Some(i) = self.index_of(key) {
                let cell = score
                    .checked_sub(1)
                    .and_then(|s| self.counts.get_mut(i)?.get_mut(s));
                if let (true, Some(cell)) = ((1..=MAX_SCALE).contains(&score), cell) {
                    *cell += 1;
                    counted = true;
                }
            }
        }
        self.respondents += u64::from(counted);
    }

    /// Adds `n` answers scoring `score` to statement `key` (a database row); false when the
    /// statement or score is not one of this module's.
    pub fn add_count(&mut self, key: &str, score: u8, n: u64) -> bool {
        match (self.index_of(key), usize::from(score)) {
            (Some(i), s @ 1..=MAX_SCALE) => {
                match self.counts.get_mut(i).and_then(|row| row.get_mut(s - 1)) {
                    Some(cell) => {
                        *cell += n;
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        }
    }

    /// Takes away a part of these answers (the late arrivals of a closed period).
    pub fn subtract(&mut self, part: &ModuleTally) {
        self.respondents = self.respondents.saturating_sub(part.respondents);
        for (mine, theirs) in self.counts.iter_mut().zip(&part.counts) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a = a.saturating_sub(*b);
            }
        }
    }

    fn index_of(&self, key: &str) -> Option<usize> {
        self.module.statements().iter().position(|s| s.key == key)
    }

    /// The recap on a `scale`-point scale.
    pub fn recap(&self, scale: u8) -> ModuleRecap {
        let items: Vec<(&'static str, Option<f64>)> = self
            .module
            .statements()
            .iter()
            .zip(&self.counts)
            .map(|(statement, counts)| {
                let answered: u64 = counts.iter().sum();
                let sum: u64 = (1..).zip(counts).map(|(s, n)| s * n).sum();
                (
                    statement.key,
                    (answered > 0).then(|| sum as f64 / answered as f64),
                )
            })
            .collect();
        let means: Vec<f64> = items.iter().filter_map(|(_, m)| *m).collect();
        let index = (means.len() == items.len() && !means.is_empty())
            .then(|| means.iter().sum::<f64>() / means.len() as f64);
        ModuleRecap {
            scale,
            respondents: self.respondents,
            items: Items(items),
            index,
        }
    }
}

/// One module's figures, as reports show them (`modules.spkp`, `modules.spak`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleRecap {
    /// Points on the module's scale: every mean is between 1 and this.
    pub scale: u8,
    /// Responses that answered the module.
    pub respondents: u64,
    /// Statement key → the mean of its answers; null where nobody answered.
    pub items: Items,
    /// The mean of the item means, on the module's own scale; null unless every item has
    /// answers (like the IKM, an index over a missing item would mislead).
    pub index: Option<f64>,
}

/// Statement key → mean, a JSON object in form order.
#[derive(Debug, Clone, PartialEq)]
pub struct Items(pub Vec<(&'static str, Option<f64>)>);

impl Serialize for Items {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::serialize_pairs(self.0.iter().map(|(key, mean)| (key, mean)), serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(pairs: &[(&str, u8)]) -> Scores {
        pairs.iter().copied().collect()
    }

    #[test]
    fn index_is_the_mean_of_the_item_means_on_the_modules_scale() {
        // The README's worked example: two respondents on the 4-point SPAK.
        let mut t = ModuleTally::new(Module::Spak);
        let keys: Vec<&str> = Module::Spak.statements().iter().map(|s| s.key).collect();
        t.add(&keys.iter().map(|k| (*k, 4u8)).collect());
        t.add(
            &keys
                .iter()
                .enumerate()
                .map(|(i, k)| (*k, if i == 0 { 2 } else { 3 }))
                .collect(),
        );
        let r = t.recap(4);
        assert_eq!(r.respondents, 2);
        assert_eq!(r.items.0[0], (keys[0], Some(3.0)));
        assert_eq!(r.items.0[1], (keys[1], Some(3.5)));
        // (3.0 + 3.5 × 4) / 5 = 3.4
        assert!((r.index.unwrap() - 3.4).abs() < 1e-12);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["scale"], 4);
        assert_eq!(v["items"][keys[1]], 3.5);
    }

    #[test]
    fn a_statement_nobody_answered_leaves_no_index() {
        let mut t = ModuleTally::new(Module::Spkp);
        t.add(&scores(&[("informasi", 6), ("unknown", 2)]));
        t.add(&scores(&[]));
        let r = t.recap(6);
        assert_eq!(r.respondents, 1, "an empty answer set is not a respondent");
        assert_eq!(r.items.0[0].1, Some(6.0));
        assert_eq!(r.items.0[1].1, None);
        assert_eq!(r.index, None);
        assert!(!t.add_count("informasi", 7, 1));
        assert!(!t.add_count("nope", 2, 1));
        assert!(t.add_count("persyaratan", 5, 2));
    }
}
