//! The `ikm` collector and tools as a library, so tests drive them directly.

pub mod cli;
pub mod csv_scores;
pub mod recap_text;
