//! Benchmark of the suggestions' summary (stemming, stop words, lexicon themes, recurring
//! words) that every recap, /admin and the formal report compute: 1,000 suggestions (a busy
//! office's month) and 20,000 (a year of a busy office, or a region's month), made of
//! real-looking Indonesian sentences, median of 5 runs each.
//!
//! `cargo bench -p ikm-server --bench suggestions`. Goal on a 2-core machine: < 100 ms for a
//! month, < 1 s for 20,000.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ikm_core::{Lang, OfficeConfig};
use ikm_server::suggestion_summary::{Lexicon, SuggestionText};
use std::time::{Duration, Instant};

/// Pieces respondents write, joined three at a time by a fixed pseudo-random walk.
const PIECES: [&str; 16] = [
    "antrean di loket terlalu panjang",
    "petugasnya ramah dan membantu",
    "ruang tunggu panas, AC tidak menyala",
    "biaya paspor sudah jelas di papan informasi",
    "pelayanan lebih cepat dari tahun lalu",
    "mohon ditambah kursi di ruang tunggu",
    "syarat dokumen membingungkan, tolong dijelaskan di website",
    "wawancara singkat dan jelas",
    "sistem antrean online sering error",
    "toilet kurang bersih",
    "petugas keamanan kurang sopan",
    "informasi jadwal pengambilan paspor tidak jelas",
    "parkir sempit",
    "terima kasih, sangat puas",
    "pengaduan lewat whatsapp tidak dibalas",
    "paspor selesai tepat waktu",
];

fn suggestions(n: usize) -> Vec<(String, String)> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % PIECES.len() as u64) as usize
    };
    (0..n)
        .map(|i| {
            let text = format!(
                "{}. {}, {}!",
                PIECES[next()],
                PIECES[next()],
                PIECES[next()]
            );
            (format!("00000000-0000-4000-8000-{i:012}"), text)
        })
        .collect()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let config = OfficeConfig::default();
    for n in [1_000, 20_000] {
        let owned = suggestions(n);
        let texts: Vec<SuggestionText<'_>> = owned
            .iter()
            .map(|(id, text)| SuggestionText { id, text })
            .collect();
        let mut runs = Vec::new();
        let mut themes = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let lexicon = Lexicon::new(&config.suggestions);
            let summary = lexicon.summarize(&texts, Lang::Id);
            runs.push(start.elapsed());
            assert_eq!(summary.total, n as u64);
            themes = summary.themes.len();
        }
        println!(
            "suggestions: {n} summed up in {:.1} ms (median of 5; {themes} themes)",
            median(runs).as_secs_f64() * 1000.0
        );
    }
}
