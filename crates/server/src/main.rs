//! The `ikm` binary: wires the command line to the library; all behaviour lives in `ikm_server`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ikm_server::cli::Cli::parse();
    match ikm_server::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ikm: {e}");
            ExitCode::FAILURE
        }
    }
}
