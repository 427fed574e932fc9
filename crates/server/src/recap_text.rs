//! The plain-text recap table printed by `ikm score`.

use ikm_core::{Element, Recap};
use std::fmt::Write;

/// Renders a recap as an aligned table, lowest elements flagged, then NI, IKM, mutu and kinerja.
pub fn render_recap(recap: &Recap) -> String {
    let mut out = String::new();
    let weights = recap.weights.described();
    let _ = writeln!(
        out,
        "IKM recap: {} respondents, weights {weights}",
        recap.respondents
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<4} {:<42} {:>6} {:>4} {:>9}",
        "", "Unsur", "NRR", "Mutu", "Answered"
    );
    for e in Element::ALL {
        let nrr = recap
            .nrr
            .get(e)
            .map_or("-".to_string(), |v| format!("{v:.3}"));
        let flag = if recap.lowest.contains(&e) {
            "  <- lowest, follow up"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:<4} {:<42} {:>6} {:>4} {:>9}{flag}",
            e.form_label(),
            e.name().id,
            nrr,
            recap
                .element_mutu
                .get(e)
                .map_or("-".to_string(), |g| g.to_string()),
            recap.answered.get(e)
        );
    }
    let _ = writeln!(out);
    match (recap.ni, recap.ikm_rounded(), recap.mutu, recap.kinerja) {
        (Some(ni), Some(ikm), Some(mutu), Some(kinerja)) => {
            let _ = writeln!(out, "NI       {ni:.4}");
            let _ = writeln!(out, "IKM      {ikm:.2}");
            let _ = writeln!(out, "Mutu     {mutu}");
            let _ = writeln!(out, "Kinerja  {kinerja}");
        }
        _ => {
            let missing: Vec<&str> = recap.unanswered().iter().map(|e| e.key()).collect();
            let _ = writeln!(
                out,
                "NI, IKM: not computed; no answers for {}",
                missing.join(", ")
            );
        }
    }
    out
}
