//! Command-line interface of the `ikm` binary.

use crate::csv_scores::score_csv;
use crate::recap_text::render_recap;
use clap::{Parser, Subcommand};
use ikm_core::Weights;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;

/// IKM (Indeks Kepuasan Masyarakat) tools: score survey data, run the collector.
#[derive(Debug, Parser)]
#[command(name = "ikm", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the IKM recap of a CSV file with one response per row.
    ///
    /// Columns are named by the nine element keys (persyaratan … pengaduan) or U1 … U9 in
    /// form order (U8 = sarana, U9 = pengaduan); other columns are ignored; `,` or `;`
    /// delimiters; an empty cell is a skipped element.
    Score {
        /// The CSV file, or `-` for standard input.
        file: PathBuf,
        /// Element weights: `exact` (1/9, the default) or `0.111` to reproduce published spreadsheets.
        #[arg(long, default_value = "exact", value_parser = parse_weights)]
        weights: Weights,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn parse_weights(s: &str) -> Result<Weights, String> {
    s.parse()
}

/// Runs one command; errors are printed by `main` with a non-zero exit.
pub fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::Score {
            file,
            weights,
            json,
        } => {
            let input: Box<dyn Read> = if file.as_os_str() == "-" {
                Box::new(io::stdin().lock())
            } else {
                let f = File::open(&file)
                    .map_err(|e| format!("cannot open {}: {e}", file.display()))?;
                Box::new(f)
            };
            let tally = score_csv(BufReader::with_capacity(1 << 16, input))?;
            let recap = tally.recap(weights);
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &recap)?;
                writeln!(out)?;
            } else {
                out.write_all(render_recap(&recap).as_bytes())?;
            }
            if let Some(first) = recap.unanswered().first() {
                return Err(format!(
                    "no response answered `{}`, so NI and IKM cannot be computed",
                    first.key()
                )
                .into());
            }
            Ok(())
        }
    }
}
