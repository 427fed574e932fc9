//! The `ikm` collector and tools as a library, so tests drive them directly.

pub mod account_cli;
pub mod accounts;
pub mod admin;
pub mod api;
pub mod audit_page;
pub mod auth;
pub mod charts;
pub mod cli;
pub mod csv_export;
pub mod csv_scores;
pub mod demo;
pub mod error;
pub mod laporan;
pub mod login;
pub mod office_api;
pub mod origin;
pub mod proxy;
pub mod public;
pub mod qr;
pub mod rate_limit;
pub mod recap_text;
pub mod report;
pub mod serve;
pub mod store;
pub mod survey_page;
pub mod tls;
