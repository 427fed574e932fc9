//! Command-line interface of the `ikm` binary.

use crate::account_cli::{add_user, create_token, list_users, remove_user, ScopeArgs};
use crate::accounts::Role;
use crate::auth::admin_token_from_env;
use crate::codes::CodeSecret;
use crate::csv_scores::score_csv;
use crate::param::ParamValue;
use crate::qr::{Paper, SurveyUrl};
use crate::recap_text::render_recap;
use crate::serve::{load_config, load_deployment, serve, zones_of, Deadlines, ServeOptions};
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
        /// Element weights.
        #[arg(long, value_enum, default_value = "exact")]
        weights: WeightsArg,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },

    /// Run the collector: stores submissions exactly once and serves reports, the widget and the demo page.
    ///
    /// Reports (/api/v1/report, /api/v1/responses.csv, /admin) need `IKM_ADMIN_TOKEN` as a bearer
    /// token (or as the HTTP Basic password); without the variable the server only listens on loopback.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        database: Database,
        /// The office configuration (JSON); the same file the widget loads. Built-in defaults if absent.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Folder with the built widget and demo page (`make dist`).
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// An origin allowed to POST from another site (repeatable), e.g. https://imigrasi.example.go.id; `*` allows any.
        #[arg(long = "cors-origin")]
        cors_origins: Vec<String>,
        /// Submissions per minute per client; 0 turns the limit off. Clients are told apart without storing IPs.
        #[arg(long, default_value_t = 120)]
        rate_limit: u32,
        /// Submissions a client may send at once before the per-minute rate applies.
        #[arg(long, default_value_t = 60)]
        rate_burst: u32,
        /// Most connections open at once; further clients wait until one closes.
        #[arg(long, default_value_t = crate::serve::DEFAULT_MAX_CONNECTIONS)]
        max_connections: usize,
        /// Serve HTTPS with this PEM certificate chain (with --tls-key); reloaded on SIGHUP.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// A reverse proxy (address or CIDR, repeatable) whose Forwarded / X-Forwarded-For
        /// headers name the real client; from anywhere else those headers are ignored.
        #[arg(long = "trusted-proxy", value_parser = crate::proxy::parse_trusted)]
        trusted_proxies: Vec<ipnet::IpNet>,
    },
    /// Fill an empty database with example responses (the last few months, with populations),
    /// to try `/admin`, the formal report and the public page. Refuses a database with responses.
    DemoData {
        #[command(flatten)]
        database: Database,
        /// The office configuration (JSON); built-in defaults if absent.
        #[arg(long)]
        config: Option<PathBuf>,
        /// With a deployment file of many units: the unit to add responses for.
        #[arg(long)]
        unit: Option<String>,
        /// How many months, ending with the current one.
        #[arg(long, default_value_t = 4)]
        months: u32,
        /// Responses in each full month.
        #[arg(long, default_value_t = 120)]
        per_month: u32,
    },
    /// Write the QR posters: one HTML page per counter and service (A4 or A5), the QR code of
    /// each as SVG, and `index.html` with every poster for printing in one go.
    Qr {
        /// The office configuration (JSON) with its services and counters.
        #[arg(long)]
        config: Option<PathBuf>,
        /// With a deployment file of many units: the unit whose posters to make.
        #[arg(long)]
        unit: Option<String>,
        /// The survey's public address, e.g. https://survei.example.go.id (default: the
        /// configuration's `survey_url`).
        #[arg(long)]
        url: Option<String>,
        /// Folder to write into (created when missing).
        #[arg(long, default_value = "posters")]
        out: PathBuf,
        /// Paper size.
        #[arg(long, value_enum, default_value_t = Paper::A4)]
        paper: Paper,
    },
    /// Print the plain survey form of a configuration as a static HTML fragment, for an office
    /// website whose endpoint is not `ikm serve`: save it next to the widget and point
    /// `<ikm-survey prerender="…">` at it, so the form shows before the wasm arrives. Run it
    /// again whenever the configuration changes.
    Form {
        /// The office configuration (JSON).
        #[arg(long)]
        config: Option<PathBuf>,
        /// With a deployment file of many units: the unit whose form to print.
        #[arg(long)]
        unit: Option<String>,
        /// The file to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Mint single-use service codes and write a printable sheet of ticket-sized slips (QR code,
    /// the code to type, one line of instructions). Needs `IKM_CODE_SECRET`, the same as
    /// `ikm serve`'s; serials come from the database, so batches never repeat one.
    Codes {
        /// With a deployment file of many units: the unit the codes are for.
        #[arg(long)]
        unit: Option<String>,
        /// The service the codes are for (its id in the configuration).
        #[arg(long)]
        service: String,
        /// How many codes (1 to 1000).
        #[arg(long)]
        count: u32,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
        /// The day the codes are issued, YYYY-MM-DD (default: today in the unit's time zone).
        #[arg(long)]
        day: Option<String>,
        /// The office configuration or deployment file (JSON).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The unit's survey address the codes link to (default: its `survey_url`).
        #[arg(long)]
        url: Option<String>,
        /// Who mints, for the audit trail.
        #[arg(long, default_value = "cli")]
        by: String,
        #[command(flatten)]
        database: Database,
    },
    /// Print a unit's code key (64 hex digits), derived from `IKM_CODE_SECRET`, for a queue
    /// machine that mints codes offline (docs/codes.md). Treat it as a password.
    CodeKey {
        /// With a deployment file of many units: the unit whose key to print.
        #[arg(long)]
        unit: Option<String>,
        /// The office configuration or deployment file (JSON).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Personal accounts for /admin and the API: add, remove, list.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens of an account (`Authorization: Bearer`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check an office configuration file; errors name the exact JSON path.
    CheckConfig {
        /// The configuration file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account; the password (at least 12 characters) is read from standard input.
    Add {
        /// Account name: a-z, 0-9, `.`, `_`, `-`.
        name: String,
        /// viewer: reads reports, exports and the audit log; admin: also changes records.
        #[arg(long, value_enum)]
        role: Role,
        #[command(flatten)]
        scope: ScopeArgs,
        #[command(flatten)]
        database: Database,
    },
    /// Remove an account with its API tokens and sessions.
    Remove {
        name: String,
        #[command(flatten)]
        database: Database,
    },
    /// List the accounts.
    List {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an account and print it once (only its digest is stored).
    Create {
        name: String,
        #[command(flatten)]
        database: Database,
    },
}

/// Where the responses are stored; the same flag for every command that opens the database.
#[derive(Debug, clap::Args)]
pub struct Database {
    /// Database URL: `sqlite://PATH` (created when missing) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DB[?sslmode=require|verify-full&sslrootcert=FILE]`.
    /// Prefer the environment variable for a URL with a password: the process list shows flags.
    #[arg(
        long,
        env = "IKM_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://ikm.db"
    )]
    db: String,
}

/// `IKM_CODE_SECRET`, which the code commands cannot do without.
fn code_secret() -> Result<CodeSecret, String> {
    CodeSecret::from_env(std::env::var("IKM_CODE_SECRET").ok())?.ok_or_else(|| {
        "set IKM_CODE_SECRET (the same value as ikm serve's; at least 32 characters)".to_string()
    })
}

/// Logs to standard error, filtered by `RUST_LOG` (default: warnings and errors).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The element weights as a command-line choice, named as [`Weights::ALL`] names them (the
/// core has no clap, so the choice list is built here from that one table).
#[derive(Debug, Clone, Copy)]
pub struct WeightsArg(pub Weights);

impl clap::ValueEnum for WeightsArg {
    fn value_variants<'a>() -> &'a [Self] {
        const VARIANTS: [WeightsArg; 2] =
            [WeightsArg(Weights::ALL[0].1), WeightsArg(Weights::ALL[1].1)];
        &VARIANTS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (name, _) = Weights::ALL.iter().find(|(_, w)| *w == self.0)?;
        let help = match self.0 {
            Weights::Exact => "1/9, as the regulation defines (default)",
            Weights::Legacy0111 => "0.111, to reproduce published spreadsheets",
        };
        Some(clap::builder::PossibleValue::new(*name).help(help))
    }
}

/// Prints one line on standard output; a closed pipe (`ikm … | head`) is an error to return,
/// not a panic.
fn say(line: std::fmt::Arguments<'_>) -> io::Result<()> {
    writeln!(io::stdout().lock(), "{line}")
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
            let recap = tally.recap(weights.0);
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
        Command::Serve {
            addr,
            database: Database { db },
            config,
            dist,
            cors_origins,
            rate_limit,
            rate_burst,
            max_connections,
            tls_cert,
            tls_key,
            trusted_proxies,
        } => {
            init_logging();
            let admin_token = admin_token_from_env(std::env::var("IKM_ADMIN_TOKEN").ok())?;
            let options = ServeOptions {
                addr,
                db,
                config,
                dist,
                cors_origins,
                rate_per_minute: rate_limit,
                rate_burst,
                admin_token,
                max_connections,
                deadlines: Deadlines::default(),
                tls: tls_cert.zip(tls_key),
                trusted_proxies,
                code_secret: CodeSecret::from_env(std::env::var("IKM_CODE_SECRET").ok())?,
            };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(serve(options))?;
            Ok(())
        }
        Command::Codes {
            unit,
            service,
            count,
            out,
            day,
            config: config_file,
            url,
            by,
            database: Database { db },
        } => {
            let secret = code_secret()?;
            let config = load_config(config_file.as_deref(), unit.as_deref())?;
            let site = crate::api::Site::new(config);
            let url = url.or_else(|| site.config.survey_url.clone()).ok_or(
                "give --url, the unit's survey address (or set `survey_url` in the configuration)",
            )?;
            let now = crate::api::system_now();
            let day = match day {
                None => site.config.offset().local_date(now),
                Some(text) => ikm_core::time::Date::parse(&text)
                    .ok_or_else(|| format!("--day must be a date YYYY-MM-DD, got `{text}`"))?,
            };
            let request = crate::codes_api::MintRequest::check(&site, &service, day, count)?;
            let zones = zones_of(&load_deployment(config_file.as_deref())?);
            let runtime = tokio::runtime::Runtime::new()?;
            let codes = runtime.block_on(async {
                let store = crate::store::Store::open_zones(&db, zones)
                    .await
                    .map_err(|e| e.to_string())?;
                let by = crate::store::Actor::new(&by, site.key());
                let minted = crate::codes_api::mint(&store, &secret, &request, &url, now, by).await;
                store.close().await;
                minted.map_err(|e| match e {
                    crate::error::ApiError::Store(e) => e.to_string(),
                    other => other.sentence(),
                })
            })?;
            let page = crate::codes_api::slips_page(
                &site.config,
                request.service().as_str(),
                day,
                &codes,
            )?;
            std::fs::write(&out, page.into_string())
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            let (Some(first), Some(last)) = (codes.first(), codes.last()) else {
                return Err("no codes were minted".into());
            };
            say(format_args!(
                "wrote {} codes (serials {}–{}, issued {day}, valid until {}) to {}",
                codes.len(),
                first.serial,
                last.serial,
                crate::codes_api::valid_until(&site.config, day),
                out.display()
            ))?;
            Ok(())
        }
        Command::CodeKey {
            unit,
            config: config_file,
        } => {
            let secret = code_secret()?;
            let config = load_config(config_file.as_deref(), unit.as_deref())?;
            let site = crate::api::Site::new(config);
            say(format_args!("{}", secret.unit_key(site.key()).to_hex()))?;
            Ok(())
        }
        Command::DemoData {
            database: Database { db },
            config: config_file,
            unit,
            months,
            per_month,
        } => {
            let config = load_config(config_file.as_deref(), unit.as_deref())?;
            let zones = zones_of(&load_deployment(config_file.as_deref())?);
            let runtime = tokio::runtime::Runtime::new()?;
            let seeded = runtime.block_on(async {
                let store = crate::store::Store::open_zones(&db, zones)
                    .await
                    .map_err(|e| e.to_string())?;
                let today = config.offset().local_date(crate::api::system_now());
                let seeded = crate::demo::seed(&store, &config, today, months, per_month).await;
                store.close().await;
                seeded
            })?;
            let (first, last) = (seeded.months.first(), seeded.months.last());
            say(format_args!(
                "{}: added {} example responses for {} to {} and each month's population; delete the database to start empty",
                crate::store::redact_url(&db),
                seeded.responses,
                first.map(|p| p.label(ikm_core::Lang::En)).unwrap_or_default(),
                last.map(|p| p.label(ikm_core::Lang::En)).unwrap_or_default(),
            ))?;
            Ok(())
        }
        Command::Form { config, unit, out } => {
            let config = load_config(config.as_deref(), unit.as_deref())?;
            let fragment = crate::survey_page::static_fragment(config)? + "\n";
            match out {
                Some(path) => std::fs::write(&path, fragment)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
                None => io::stdout().lock().write_all(fragment.as_bytes())?,
            }
            Ok(())
        }
        Command::Qr {
            config,
            unit,
            url,
            out,
            paper,
        } => {
            let config = load_config(config.as_deref(), unit.as_deref())?;
            let url = url.or_else(|| config.survey_url.clone()).ok_or(
                "give the survey's public address with --url https://… (or `survey_url` in the configuration)",
            )?;
            if SurveyUrl::from_text(&url).is_none() {
                return Err(format!("--url must be {}, got `{url}`", SurveyUrl::EXPECTED).into());
            }
            let written = crate::qr::write_posters(&config, &url, paper, &out)?;
            say(format_args!(
                "{}: {written} posters for {} (index.html prints them all on {})",
                out.display(),
                url,
                paper.key().to_uppercase()
            ))?;
            Ok(())
        }
        Command::User { command } => {
            let runtime = tokio::runtime::Runtime::new()?;
            let printed = runtime.block_on(async {
                match command {
                    UserCommand::Add {
                        name,
                        role,
                        scope,
                        database: Database { db },
                    } => add_user(&db, &name, role, &scope, io::stdin().lock()).await,
                    UserCommand::Remove {
                        name,
                        database: Database { db },
                    } => remove_user(&db, &name).await,
                    UserCommand::List {
                        database: Database { db },
                    } => list_users(&db).await,
                }
            })?;
            say(format_args!("{printed}"))?;
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    name,
                    database: Database { db },
                },
        } => {
            let runtime = tokio::runtime::Runtime::new()?;
            let token = runtime.block_on(create_token(&db, &name))?;
            say(format_args!("{token}"))?;
            Ok(())
        }
        Command::CheckConfig { file } => {
            let deployment = load_deployment(Some(&file))?;
            if deployment.is_multi_unit() {
                let zones: std::collections::BTreeSet<String> = deployment
                    .units
                    .iter()
                    .map(|u| u.time_zone.to_string())
                    .collect();
                say(format_args!(
                    "{}: valid deployment ({} units, {} regions, time zones {})",
                    file.display(),
                    deployment.units.len(),
                    deployment.regions.len(),
                    zones.into_iter().collect::<Vec<_>>().join(", ")
                ))?;
                return Ok(());
            }
            let config = load_config(Some(&file), None)?;
            let modules: Vec<String> = ikm_core::questionnaire::Module::ALL
                .iter()
                .filter_map(|m| {
                    config
                        .modules
                        .get(*m)
                        .map(|c| format!("{} 1–{}", m.short_name(), c.scale))
                })
                .collect();
            say(format_args!(
                "{}: valid ({} services, {} counters, {}, {} rated items, minimum age {}, time zone {})",
                file.display(),
                config.services.len(),
                config.counters.len(),
                if modules.is_empty() { "no IPK modules".to_string() } else { modules.join(", ") },
                config.rated_items(),
                config.min_age,
                config.time_zone
            ))?;
            Ok(())
        }
    }
}
