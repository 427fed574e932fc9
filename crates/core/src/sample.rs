//! Sample size by Krejcie & Morgan (1970), as the regulation allows.

/// The published Krejcie–Morgan sample size for a population of `population` service users.
///
/// Equals the formula `X²NP(1−P) / (d²(N−1) + X²P(1−P))` (X² = 3.841, P = 0.5, d = 0.05)
/// rounded to nearest, except that the table gives 384 from N = 100,000 on.
pub fn krejcie_morgan(population: u64) -> u64 {
    if population >= 100_000 {
        return 384;
    }
    let n = population as f64;
    let x2pq = 3.841 * 0.25;
    let s = x2pq * n / (0.0025 * (n - 1.0) + x2pq);
    s.round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_table() {
        let table = [
            (0, 0),
            (10, 10),
            (50, 44),
            (100, 80),
            (200, 132),
            (500, 217),
            (1_000, 278),
            (2_000, 322),
            (5_000, 357),
            (10_000, 370),
            (20_000, 377),
            (50_000, 381),
            (75_000, 382),
            (100_000, 384),
            (1_000_000, 384),
            (15, 14),
            (30, 28),
            (75, 63),
            (150, 108),
            (300, 169),
            (400, 196),
            (750, 254),
            (1_500, 306),
            (3_000, 341),
        ];
        for (n, s) in table {
            assert_eq!(krejcie_morgan(n), s, "N = {n}");
        }
    }

    #[test]
    fn never_more_than_the_population() {
        for n in 0..2_000 {
            assert!(krejcie_morgan(n) <= n);
        }
    }
}
