//! The office configuration (one JSON file shared by widget and collector), with errors that name the path.

use crate::element::{Lang, LocalText};
use crate::json::{self, Value};
#[cfg(not(target_arch = "wasm32"))]
pub use crate::lexicon::{SuggestionTheme, SuggestionsConfig};
use crate::questionnaire::Module;
use crate::score::Weights;
use crate::time::{TimeZone, UtcOffset};
use serde::Serialize;
use std::fmt;

/// Minimum respondent age unless configured: younger applicants are represented by a guardian.
pub const DEFAULT_MIN_AGE: u8 = 17;

/// The office name when no configuration gives one (a file must name its office).
pub const DEFAULT_OFFICE_NAME: &str = "Unit Pelayanan Publik";

/// What an office configures; every field but `office_name` has a default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeConfig {
    /// Shown at the top of the form and on reports.
    pub office_name: String,
    /// The unit id sent with every response (e.g. `kanim-bengkulu`); any unit if absent.
    pub unit: Option<String>,
    /// Services respondents choose from (*jenis layanan*), in display order.
    pub services: Vec<ServiceOption>,
    /// The counters (*loket*) where respondents are served, for QR posters and reports.
    pub counters: Vec<CounterOption>,
    /// Youngest age accepted on the form.
    pub min_age: u8,
    /// Optional Zona Integritas modules.
    pub modules: Modules,
    /// Language when neither the embedding page nor the QR link chooses one.
    pub default_lang: Option<Lang>,
    /// Weights for reports unless a request asks otherwise.
    pub weights: Weights,
    /// The office's time zone; decides which day and month a response belongs to.
    pub time_zone: TimeZone,
    /// Look of the widget.
    pub theme: Theme,
    /// The survey's public address (`https://survei.example.go.id`), which QR posters encode.
    pub survey_url: Option<String>,
    /// How a kiosk (a shared tablet) behaves: timings and the attract screen. Kiosk mode is
    /// switched on per device (`<ikm-survey kiosk>`, `?kiosk=1`) or here with `enabled`.
    pub kiosk: KioskConfig,
    /// Where a respondent can make a complaint that gets an answer (SP4N-LAPOR!, the office's
    /// own channel); offered on the thank-you screen when set.
    pub complaint: Option<Complaint>,
    /// Service codes on queue tickets (`docs/codes.md`): how long one stays valid and whether
    /// a response needs one.
    pub codes: CodesConfig,
    /// What the collector flags for review (`docs/review.md`); only the collector reads it.
    pub review: ReviewConfig,
    /// A self-hosted proof of work for responses sent without a service code
    /// (`docs/review.md`); off by default, read by the collector only.
    pub proof_of_work: ProofOfWorkConfig,
    /// The waiting-room screen `/tv` (`docs/tv.md`): off unless enabled, read by the
    /// collector only (not even a field in the widget's build).
    #[cfg(not(target_arch = "wasm32"))]
    pub tv: TvConfig,
    /// How the collector's hosted page asks the questions: all on one page (`form`, the
    /// default) or one per screen (`steps`); a page's `?mode=` overrides it. Read by the
    /// collector only.
    #[cfg(not(target_arch = "wasm32"))]
    pub mode: SurveyMode,
    /// How recaps sum up the suggestions (`docs/suggestions.md`): the lexicon of themes;
    /// read by the collector only (not even a field in the widget's build).
    #[cfg(not(target_arch = "wasm32"))]
    pub suggestions: SuggestionsConfig,
}

/// One long page, or one question per screen (for small phones and large text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SurveyMode {
    #[default]
    Form,
    Steps,
}

impl SurveyMode {
    /// The words that name a mode, in the configuration and in a page's `?mode=`.
    const WORDS: [(&'static str, SurveyMode); 2] =
        [("form", SurveyMode::Form), ("steps", SurveyMode::Steps)];

    /// `form` or `steps`, as in the configuration.
    #[cfg(not(target_arch = "wasm32"))]
    fn from_value(value: &Value) -> Result<SurveyMode, json::Error> {
        value.one_of(&SurveyMode::WORDS, "`form` or `steps`")
    }

    /// The mode a page's `?mode=` names; None for any other word.
    pub fn from_code(code: &str) -> Option<SurveyMode> {
        let code = code.trim();
        SurveyMode::WORDS
            .iter()
            .find(|(word, _)| word.eq_ignore_ascii_case(code))
            .map(|(_, mode)| *mode)
    }
}

/// The waiting-room screen's settings; it shows this month's running figures to anyone in
/// the room, so an office turns it on deliberately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TvConfig {
    pub enabled: bool,
    /// How often the screen fetches fresh figures.
    pub refresh_secs: u32,
    /// Whether it also shows, in turn, this month's suggestions staff approved for it.
    pub suggestions: bool,
}

impl Default for TvConfig {
    fn default() -> Self {
        TvConfig {
            enabled: false,
            refresh_secs: 60,
            suggestions: false,
        }
    }
}

impl TvConfig {
    #[cfg(not(target_arch = "wasm32"))]
    fn from_value(value: &Value) -> Result<TvConfig, json::Error> {
        let mut t = TvConfig::default();
        json::read_object!(value, |v| {
            "enabled" => t.enabled = v.bool()?,
            "refresh_secs" => t.refresh_secs = v.u32()?,
            "suggestions" => t.suggestions = v.bool()?,
        })?;
        Ok(t)
    }
}

/// The proof-of-work settings; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofOfWorkConfig {
    pub enabled: bool,
    /// The secret number of a challenge is at most this: a device tries half of it on average.
    pub max_number: u32,
    /// Networks whose devices never pay it (CIDR, e.g. the office LAN with the kiosks).
    pub exempt_networks: Vec<String>,
}

impl Default for ProofOfWorkConfig {
    fn default() -> Self {
        ProofOfWorkConfig {
            enabled: false,
            max_number: 10_000,
            exempt_networks: Vec::new(),
        }
    }
}

impl ProofOfWorkConfig {
    /// Accepted but not read by the widget, like [`ReviewConfig`].
    #[cfg(target_arch = "wasm32")]
    fn from_value(_: &Value) -> Result<ProofOfWorkConfig, json::Error> {
        Ok(ProofOfWorkConfig::default())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn from_value(value: &Value) -> Result<ProofOfWorkConfig, json::Error> {
        let mut p = ProofOfWorkConfig::default();
        json::read_object!(value, |v| {
            "enabled" => p.enabled = v.bool()?,
            "max_number" => p.max_number = v.u32()?,
            "exempt_networks" => p.exempt_networks = v.list(Value::string)?,
        })?;
        Ok(p)
    }
}

/// The thresholds of the suspicious-pattern flags; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewConfig {
    /// A burst: at least this many responses from one counter …
    pub burst_responses: u32,
    /// … within this many minutes.
    pub burst_minutes: u32,
    /// A run: at least this many consecutive responses with the same answers and profile.
    pub identical_run: u32,
    /// When the unit serves; None: no out-of-hours flag.
    pub service_hours: Option<ServiceHours>,
}

/// The unit's service hours in its own time zone, and how long after closing a response
/// still counts as in hours (people answer after they were served).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceHours {
    /// ISO weekdays served, 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    /// Minutes after local midnight, written `HH:MM`.
    #[serde(serialize_with = "clock_text")]
    pub open: u16,
    #[serde(serialize_with = "clock_text")]
    pub close: u16,
    pub grace_minutes: u16,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            burst_responses: 10,
            burst_minutes: 10,
            identical_run: 4,
            service_hours: None,
        }
    }
}

impl ReviewConfig {
    /// The widget (wasm) accepts the collector's review settings without reading them: they
    /// are the collector's alone, and reading them would cost every phone a kilobyte.
    #[cfg(target_arch = "wasm32")]
    fn from_value(_: &Value) -> Result<ReviewConfig, json::Error> {
        Ok(ReviewConfig::default())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn from_value(value: &Value) -> Result<ReviewConfig, json::Error> {
        let mut r = ReviewConfig::default();
        json::read_object!(value, |v| {
            "burst_responses" => r.burst_responses = v.u32()?,
            "burst_minutes" => r.burst_minutes = v.u32()?,
            "identical_run" => r.identical_run = v.u32()?,
            "service_hours" => r.service_hours = Some(ServiceHours::from_value(v)?),
        })?;
        Ok(r)
    }

    #[cfg(target_arch = "wasm32")]
    fn check(&self) -> Result<(), ConfigError> {
        Ok(())
    }

    /// The thresholds in their ranges, the hours a real opening time.
    #[cfg(not(target_arch = "wasm32"))]
    fn check(&self) -> Result<(), ConfigError> {
        let review_error = |path: &str, reason: &str| {
            Err(ConfigError {
                path: path.into(),
                reason: reason.into(),
            })
        };
        if !(2..=10_000).contains(&self.burst_responses)
            || !(1..=1440).contains(&self.burst_minutes)
        {
            return review_error(
                "review",
                "a burst is 2 to 10000 responses within 1 to 1440 minutes",
            );
        }
        if self.identical_run < 2 {
            return review_error("review.identical_run", "must be at least 2");
        }
        if let Some(hours) = &self.service_hours {
            if hours.days.is_empty() || hours.days.iter().any(|d| !(1..=7).contains(d)) {
                return review_error(
                    "review.service_hours.days",
                    "ISO weekdays, 1 (Monday) to 7 (Sunday)",
                );
            }
            if hours.open >= hours.close {
                return review_error("review.service_hours.close", "must be after open");
            }
        }
        Ok(())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ServiceHours {
    fn from_value(value: &Value) -> Result<ServiceHours, json::Error> {
        let mut h = ServiceHours {
            days: vec![1, 2, 3, 4, 5],
            open: 8 * 60,
            close: 16 * 60,
            grace_minutes: 120,
        };
        json::read_object!(value, |v| {
            "days" => h.days = v.list(Value::u8)?,
            "open" => h.open = clock_minutes(v)?,
            "close" => h.close = clock_minutes(v)?,
            "grace_minutes" => h.grace_minutes = v.u16()?,
        })?;
        Ok(h)
    }
}

/// Minutes after midnight as `HH:MM`, the way the configuration writes them.
fn clock_text<S: serde::Serializer>(minutes: &u16, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{:02}:{:02}", minutes / 60, minutes % 60))
}

/// `HH:MM` as minutes after midnight.
#[cfg(not(target_arch = "wasm32"))]
fn clock_minutes(v: &Value) -> Result<u16, json::Error> {
    let text = v.str()?;
    let (h, m) = text.split_once(':').unwrap_or(("", ""));
    match (h.parse::<u16>(), m.parse::<u16>()) {
        (Ok(h), Ok(m)) if h < 24 && m < 60 && text.len() == 5 => Ok(h * 60 + m),
        _ => Err(json::Error::new(json::ErrorKind::InvalidType(
            "a time like 08:00",
        ))),
    }
}

/// Service-code settings; every field has a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodesConfig {
    /// Refuse responses without a code (kiosk responses included); off by default.
    pub required: bool,
    /// Days after its issue day a code is still accepted.
    pub expiry_days: u16,
}

impl Default for CodesConfig {
    fn default() -> Self {
        CodesConfig {
            required: false,
            expiry_days: 14,
        }
    }
}

impl CodesConfig {
    fn from_value(value: &Value) -> Result<CodesConfig, json::Error> {
        let mut c = CodesConfig::default();
        json::read_object!(value, |v| {
            "required" => c.required = v.bool()?,
            "expiry_days" => c.expiry_days = v.u16()?,
        })?;
        Ok(c)
    }
}

/// Kiosk settings; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskConfig {
    /// Every widget of this configuration is a kiosk (usually set per device instead).
    pub enabled: bool,
    /// Seconds the thank-you screen stays before a fresh form.
    pub reset_after_send_secs: u16,
    /// Seconds without a touch on a partly filled form before "Masih di sini?".
    pub idle_secs: u16,
    /// Seconds the "Masih di sini?" prompt counts down before the form is wiped.
    pub prompt_secs: u16,
    /// Show the attract screen ("Sentuh untuk mulai") while nobody is answering.
    pub attract: bool,
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig {
            enabled: false,
            reset_after_send_secs: 10,
            idle_secs: 90,
            prompt_secs: 30,
            attract: true,
        }
    }
}

impl KioskConfig {
    fn from_value(value: &Value) -> Result<KioskConfig, json::Error> {
        let mut k = KioskConfig::default();
        json::read_object!(value, |v| {
            "enabled" => k.enabled = v.bool()?,
            "reset_after_send_secs" => k.reset_after_send_secs = v.u16()?,
            "idle_secs" => k.idle_secs = v.u16()?,
            "prompt_secs" => k.prompt_secs = v.u16()?,
            "attract" => k.attract = v.bool()?,
        })?;
        Ok(k)
    }
}

/// A complaint channel: a link and what it is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Complaint {
    /// An `https://` (or `http://`) address.
    pub url: String,
    /// The link text, e.g. *Sampaikan pengaduan melalui SP4N-LAPOR!*.
    pub label: LocalText,
}

/// A service the office offers, with a stable id and a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceOption {
    pub id: String,
    pub label: LocalText,
}

/// A counter (*loket*): its id in QR links, its name, and the service it serves if only one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterOption {
    pub id: String,
    pub label: LocalText,
    /// When the counter serves one service, its QR link fixes that service too.
    pub service: Option<String>,
}

impl CounterOption {
    fn from_value(value: &Value) -> Result<CounterOption, json::Error> {
        let mut counter = CounterOption {
            id: String::new(),
            label: LocalText {
                id: String::new(),
                en: None,
            },
            service: None,
        };
        json::read_object!(value, |v| {
            "id" (required) => counter.id = v.string()?,
            "label" (required) => counter.label = LocalText::from_value(v)?,
            "service" => counter.service = Some(v.string()?),
        })?;
        Ok(counter)
    }
}

/// Which perception modules are on, each with its scale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Modules {
    pub spkp: Option<ModuleConfig>,
    pub spak: Option<ModuleConfig>,
}

impl Modules {
    /// The settings of `module` if it is enabled.
    pub fn get(&self, module: Module) -> Option<ModuleConfig> {
        match module {
            Module::Spkp => self.spkp,
            Module::Spak => self.spak,
        }
    }
}

/// Settings of one enabled module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModuleConfig {
    /// Points on the agreement scale: 4 or 6.
    pub scale: u8,
}

/// Theme values, applied as CSS custom properties inside the widget's shadow root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Theme {
    /// Accent colour for buttons and focus (`#1f4e8c`); must keep 4.5:1 contrast with white.
    pub accent: Option<String>,
}

impl ServiceOption {
    fn from_value(value: &Value) -> Result<ServiceOption, json::Error> {
        let mut service = ServiceOption {
            id: String::new(),
            label: LocalText {
                id: String::new(),
                en: None,
            },
        };
        json::read_object!(value, |v| {
            "id" (required) => service.id = v.string()?,
            "label" (required) => service.label = LocalText::from_value(v)?,
        })?;
        Ok(service)
    }
}

impl Complaint {
    fn from_value(value: &Value) -> Result<Complaint, json::Error> {
        let mut complaint = Complaint {
            url: String::new(),
            label: LocalText {
                id: String::new(),
                en: None,
            },
        };
        json::read_object!(value, |v| {
            "url" (required) => complaint.url = v.string()?,
            "label" (required) => complaint.label = LocalText::from_value(v)?,
        })?;
        Ok(complaint)
    }
}

impl Modules {
    fn from_value(value: &Value) -> Result<Modules, json::Error> {
        let mut modules = Modules::default();
        json::read_object!(value, |v| {
            "spkp" => modules.spkp = Some(ModuleConfig::from_value(v)?),
            "spak" => modules.spak = Some(ModuleConfig::from_value(v)?),
        })?;
        Ok(modules)
    }
}

impl ModuleConfig {
    fn from_value(value: &Value) -> Result<ModuleConfig, json::Error> {
        let mut module = ModuleConfig { scale: 0 };
        json::read_object!(value, |v| { "scale" (required) => module.scale = v.u8()? })?;
        Ok(module)
    }
}

impl Theme {
    fn from_value(value: &Value) -> Result<Theme, json::Error> {
        let mut theme = Theme::default();
        json::read_object!(value, |v| { "accent" => theme.accent = Some(v.string()?) })?;
        Ok(theme)
    }
}

/// A configured time zone, refused when it is not one (no silent fallback to WIB).
fn time_zone_from(v: &Value) -> Result<TimeZone, json::Error> {
    let name = v.str()?;
    TimeZone::parse(name).ok_or_else(|| {
        json::Error::new(json::ErrorKind::InvalidValue(
            name.to_string(),
            TimeZone::EXPECTED,
        ))
    })
}

fn default_services() -> Vec<ServiceOption> {
    let s = |id: &str, label_id: &str, en: &str| ServiceOption {
        id: id.into(),
        label: LocalText {
            id: label_id.into(),
            en: Some(en.into()),
        },
    };
    vec![
        s("paspor-baru", "Paspor baru", "New passport"),
        s(
            "paspor-penggantian",
            "Penggantian paspor",
            "Passport replacement",
        ),
        s(
            "paspor-hilang-rusak",
            "Paspor hilang/rusak",
            "Lost or damaged passport",
        ),
        s("izin-tinggal", "Izin tinggal", "Stay permit"),
        s(
            "tpi-pelabuhan",
            "Pemeriksaan keimigrasian di TPI (pelabuhan)",
            "Immigration clearance at the seaport (TPI)",
        ),
    ]
}

impl Default for OfficeConfig {
    /// The defaults used when an office gives no file: the immigration services, WIB.
    fn default() -> Self {
        OfficeConfig {
            office_name: DEFAULT_OFFICE_NAME.into(),
            unit: None,
            services: default_services(),
            counters: Vec::new(),
            min_age: DEFAULT_MIN_AGE,
            modules: Modules::default(),
            default_lang: None,
            weights: Weights::Exact,
            time_zone: TimeZone::wib(),
            theme: Theme::default(),
            complaint: None,
            survey_url: None,
            kiosk: KioskConfig::default(),
            codes: CodesConfig::default(),
            review: ReviewConfig::default(),
            proof_of_work: ProofOfWorkConfig::default(),
            #[cfg(not(target_arch = "wasm32"))]
            tv: TvConfig::default(),
            #[cfg(not(target_arch = "wasm32"))]
            mode: SurveyMode::Form,
            #[cfg(not(target_arch = "wasm32"))]
            suggestions: SuggestionsConfig::default(),
        }
    }
}

/// A configuration problem: where (`services[1].id`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "at `{}`: {}", self.path, self.reason)
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<json::Error> for ConfigError {
    /// A field of the wrong type or name, at its path.
    fn from(e: json::Error) -> ConfigError {
        ConfigError {
            reason: e.to_string(),
            path: e.into_data().path,
        }
    }
}

/// Parses a configuration file's JSON; a syntax error names its line and column.
pub(crate) fn parse_config_json(text: &str) -> Result<Value, ConfigError> {
    json::parse(text).map_err(|e| {
        let (line, column) = e.line_column(text);
        ConfigError {
            path: String::new(),
            reason: format!("{e} at line {line}, column {column}"),
        }
    })
}

impl OfficeConfig {
    /// Reads and checks a configuration from JSON text; the widget and the server both use
    /// this, so they accept exactly the same files. Errors name the path of the problem.
    pub fn from_json(text: &str) -> Result<OfficeConfig, ConfigError> {
        let value = parse_config_json(text)?;
        let config = OfficeConfig::from_value(&value).map_err(ConfigError::from)?;
        config.check()?;
        Ok(config)
    }

    /// Reads the fields of a parsed configuration; every field but `office_name` may be left
    /// out, and a field this version does not know is an error (usually a typo).
    pub fn from_value(value: &Value) -> Result<OfficeConfig, json::Error> {
        let mut c = OfficeConfig::default();
        json::read_object!(value, |v| {
            "office_name" (required) => c.office_name = v.string()?,
            "unit" => c.unit = Some(v.string()?),
            "services" => c.services = v.list(ServiceOption::from_value)?,
            "counters" => c.counters = v.list(CounterOption::from_value)?,
            "min_age" => c.min_age = v.u8()?,
            "modules" => c.modules = Modules::from_value(v)?,
            "default_lang" => c.default_lang = Some(Lang::from_value(v)?),
            "weights" => c.weights = Weights::from_value(v)?,
            "time_zone" => c.time_zone = time_zone_from(v)?,
            "theme" => c.theme = Theme::from_value(v)?,
            "complaint" => c.complaint = Some(Complaint::from_value(v)?),
            "survey_url" => c.survey_url = Some(v.string()?),
            "kiosk" => c.kiosk = KioskConfig::from_value(v)?,
            "codes" => c.codes = CodesConfig::from_value(v)?,
            "review" => c.review = ReviewConfig::from_value(v)?,
            "proof_of_work" => c.proof_of_work = ProofOfWorkConfig::from_value(v)?,
            "tv" => c.read_tv(v)?,
            "mode" => c.read_mode(v)?,
            "suggestions" => c.read_suggestions(v)?,
        })?;
        Ok(c)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn read_tv(&mut self, v: &Value) -> Result<(), json::Error> {
        self.tv = TvConfig::from_value(v)?;
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn read_mode(&mut self, v: &Value) -> Result<(), json::Error> {
        self.mode = SurveyMode::from_value(v)?;
        Ok(())
    }

    /// Accepted and not read by the widget (the collector's hosted page).
    #[cfg(target_arch = "wasm32")]
    fn read_mode(&mut self, _: &Value) -> Result<(), json::Error> {
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn read_suggestions(&mut self, v: &Value) -> Result<(), json::Error> {
        self.suggestions = SuggestionsConfig::from_value(v)?;
        Ok(())
    }

    /// Accepted and not read by the widget (the collector's screen).
    #[cfg(target_arch = "wasm32")]
    fn read_tv(&mut self, _: &Value) -> Result<(), json::Error> {
        Ok(())
    }

    /// Accepted and not read by the widget (the collector's recaps).
    #[cfg(target_arch = "wasm32")]
    fn read_suggestions(&mut self, _: &Value) -> Result<(), json::Error> {
        Ok(())
    }

    /// Checks what types alone cannot: ids, ranges, scales, the time zone.
    pub fn check(&self) -> Result<(), ConfigError> {
        let err = |path: String, reason: &str| {
            Err(ConfigError {
                path,
                reason: reason.into(),
            })
        };
        if self.office_name.trim().is_empty() {
            return err("office_name".into(), "must not be empty");
        }
        if let Some(unit) = &self.unit {
            if !is_slug(unit) {
                return err("unit".into(), SLUG_RULE);
            }
        }
        if self.services.is_empty() {
            return err("services".into(), "list at least one service");
        }
        for (i, s) in self.services.iter().enumerate() {
            if !is_slug(&s.id) {
                return err(format!("services[{i}].id"), SLUG_RULE);
            }
            if self.services.iter().take(i).any(|o| o.id == s.id) {
                return err(format!("services[{i}].id"), "duplicate service id");
            }
            if s.label.id.trim().is_empty() {
                return err(format!("services[{i}].label.id"), "must not be empty");
            }
        }
        for (i, counter) in self.counters.iter().enumerate() {
            if !is_slug(&counter.id) {
                return err(format!("counters[{i}].id"), SLUG_RULE);
            }
            if self.counters.iter().take(i).any(|o| o.id == counter.id) {
                return err(format!("counters[{i}].id"), "duplicate counter id");
            }
            if counter.label.id.trim().is_empty() {
                return err(format!("counters[{i}].label.id"), "must not be empty");
            }
            if let Some(service) = &counter.service {
                if self.service(service).is_none() {
                    return err(
                        format!("counters[{i}].service"),
                        "not one of the configured services' ids",
                    );
                }
            }
        }
        if !(10..=100).contains(&self.min_age) {
            return err("min_age".into(), "must be between 10 and 100");
        }
        for module in Module::ALL {
            if let Some(m) = self.modules.get(module) {
                if m.scale != 4 && m.scale != 6 {
                    return err(format!("modules.{}.scale", module.key()), "must be 4 or 6");
                }
            }
        }
        if let Some(accent) = &self.theme.accent {
            if !is_hex_colour(accent) {
                return err("theme.accent".into(), "must be a hex colour like #1f4e8c");
            }
        }
        let kiosk = &self.kiosk;
        for (name, secs, low) in [
            ("reset_after_send_secs", kiosk.reset_after_send_secs, 3),
            ("idle_secs", kiosk.idle_secs, 15),
            ("prompt_secs", kiosk.prompt_secs, 5),
        ] {
            if !(low..=3600).contains(&secs) {
                return err(
                    format!("kiosk.{name}"),
                    "must be between a few seconds and 3600",
                );
            }
        }
        self.review.check()?;
        if !(100..=10_000_000).contains(&self.proof_of_work.max_number) {
            return err(
                "proof_of_work.max_number".into(),
                "must be between 100 and 10000000",
            );
        }
        #[cfg(not(target_arch = "wasm32"))]
        if !(10..=3600).contains(&self.tv.refresh_secs) {
            return err("tv.refresh_secs".into(), "must be between 10 and 3600");
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Err((path, reason)) = self.suggestions.check() {
            return err(path, reason);
        }
        if !(1..=366).contains(&self.codes.expiry_days) {
            return err("codes.expiry_days".into(), "must be between 1 and 366");
        }
        if self.services.len() > crate::codes::MAX_SERVICE + 1 {
            return err(
                "services".into(),
                "at most 64 services (a service code has room for 64)",
            );
        }
        if let Some(url) = &self.survey_url {
            if !is_web_address(url) {
                return err(
                    "survey_url".into(),
                    "must be a web address starting with https:// (or http://), without spaces",
                );
            }
        }
        if let Some(complaint) = &self.complaint {
            if !is_web_address(&complaint.url) {
                return err(
                    "complaint.url".into(),
                    "must be a web address starting with https:// (or http://), without spaces",
                );
            }
            if complaint.label.id.trim().is_empty() {
                return err("complaint.label.id".into(), "must not be empty");
            }
        }
        Ok(())
    }

    /// How many items the respondent rates: the nine elements and every statement of the
    /// enabled modules (the intro counts them, so it never promises less than the form asks).
    pub fn rated_items(&self) -> usize {
        Module::ALL
            .iter()
            .filter(|m| self.modules.get(**m).is_some())
            .map(|m| m.statements().len())
            .sum::<usize>()
            + crate::element::Element::ALL.len()
    }

    /// The office's UTC offset (checked by [`OfficeConfig::check`]; WIB if unreadable).
    pub fn offset(&self) -> UtcOffset {
        self.time_zone.offset()
    }

    /// The configured counter with this id.
    pub fn counter(&self, id: &str) -> Option<&CounterOption> {
        self.counters.iter().find(|c| c.id == id)
    }

    /// The configured service with this id.
    pub fn service(&self, id: &str) -> Option<&ServiceOption> {
        self.services.iter().find(|s| s.id == id)
    }
}

pub(crate) const SLUG_RULE: &str = "use 1–64 lowercase letters, digits and hyphens";

/// Ids in URLs and QR links: lowercase ASCII letters, digits and hyphens, 1–64 long.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An id checked to be a slug ([`is_slug`]) where it entered: a service or counter a request
/// filters on, so the code behind never meets an unchecked one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// `text` as an id, if it is one.
    pub fn parse(text: &str) -> Option<Slug> {
        is_slug(text).then(|| Slug(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A link a respondent may follow: http(s), a host, no spaces or quotes.
fn is_web_address(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && s.len() <= 500
            && r.chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '`'))
    })
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_only_made_from_an_id() {
        let slug = Slug::parse("paspor-baru").unwrap();
        assert_eq!(
            (slug.as_str(), slug.to_string()),
            ("paspor-baru", "paspor-baru".into())
        );
        for bad in [
            "",
            "Paspor Baru",
            "paspor_baru",
            &"a".repeat(65),
            "loket-2/",
        ] {
            assert_eq!(Slug::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn minimal_config_takes_defaults() {
        let c = OfficeConfig::from_json(r#"{"office_name":"Kanim Bengkulu"}"#).unwrap();
        assert_eq!(c.min_age, 17);
        assert_eq!(c.services.len(), 5);
        assert_eq!(
            c.services[4].id, "tpi-pelabuhan",
            "the seaport the office also serves"
        );
        assert_eq!(c.rated_items(), 9);
        assert_eq!(c.offset(), UtcOffset::WIB);
    }

    #[test]
    fn example_config_in_the_repo_is_valid() {
        let text = include_str!("../../../examples/office.json");
        let c = OfficeConfig::from_json(text).unwrap();
        assert_eq!(c.unit.as_deref(), Some("kanim-bengkulu"));
        assert_eq!(c.office_name, "Kantor Imigrasi Kelas I TPI Bengkulu");
        assert_eq!(c.services[0].id, "paspor-baru");
        assert_eq!(c.services[0].label.get(Lang::En), "New passport");
    }

    #[test]
    fn every_field_is_read_and_null_means_the_default() {
        let c = OfficeConfig::from_json(
            r##"{"office_name":"K","unit":"kanim-x","services":[{"id":"a","label":{"id":"A","en":"Ay"}}],
                "min_age":18,"modules":{"spkp":{"scale":6},"spak":null},"default_lang":"en",
                "weights":"0.111","time_zone":"Asia/Makassar","theme":{"accent":"#123456"}}"##,
        )
        .unwrap();
        assert_eq!(c.unit.as_deref(), Some("kanim-x"));
        assert_eq!(c.services.len(), 1);
        assert_eq!(c.min_age, 18);
        assert_eq!(c.modules.spkp, Some(ModuleConfig { scale: 6 }));
        assert_eq!(c.modules.spak, None);
        assert_eq!(c.default_lang, Some(Lang::En));
        assert_eq!(c.weights, Weights::Legacy0111);
        assert_eq!(c.time_zone.name(), "Asia/Makassar");
        assert_eq!(c.offset().minutes, 480);
        assert_eq!(c.theme.accent.as_deref(), Some("#123456"));
        let c = OfficeConfig::from_json(r#"{"office_name":"K","services":null,"min_age":null}"#)
            .unwrap();
        assert_eq!((c.services.len(), c.min_age), (5, DEFAULT_MIN_AGE));
        assert_eq!(c.complaint, None);
    }

    #[test]
    fn a_complaint_channel_is_a_checked_link_with_a_label() {
        let c = OfficeConfig::from_json(
            r#"{"office_name":"K","modules":{"spkp":{"scale":6},"spak":{"scale":4}},
                "complaint":{"url":"https://www.lapor.go.id","label":{"id":"Sampaikan pengaduan melalui SP4N-LAPOR!","en":"Make a complaint via SP4N-LAPOR!"}}}"#,
        )
        .unwrap();
        let complaint = c.complaint.clone().unwrap();
        assert_eq!(complaint.url, "https://www.lapor.go.id");
        assert_eq!(
            complaint.label.get(Lang::En),
            "Make a complaint via SP4N-LAPOR!"
        );
        assert_eq!(
            c.rated_items(),
            9 + 8 + 5,
            "the modules' statements are counted"
        );
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "www.lapor.go.id",
            "https://a b",
            "https://a\"><x",
        ] {
            let text = format!(
                r#"{{"office_name":"K","complaint":{{"url":{},"label":{{"id":"L"}}}}}}"#,
                serde_json::to_string(bad).unwrap()
            );
            let e = OfficeConfig::from_json(&text).unwrap_err();
            assert_eq!(e.path, "complaint.url", "{bad}");
        }
        let e = OfficeConfig::from_json(
            r#"{"office_name":"K","complaint":{"url":"https://x.id","label":{"id":" "}}}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "complaint.label.id");
    }

    #[test]
    fn kiosk_settings_have_defaults_and_limits() {
        let c = OfficeConfig::from_json(
            r#"{"office_name":"K","kiosk":{"idle_secs":60,"attract":false}}"#,
        )
        .unwrap();
        assert_eq!(c.kiosk.idle_secs, 60);
        assert_eq!(c.kiosk.reset_after_send_secs, 10);
        assert!(!c.kiosk.attract && !c.kiosk.enabled);
        for (kiosk, path) in [
            (r#"{"idle_secs":2}"#, "kiosk.idle_secs"),
            (r#"{"attract":"yes"}"#, "kiosk.attract"),
            (
                r#"{"reset_after_send_secs":0}"#,
                "kiosk.reset_after_send_secs",
            ),
        ] {
            let e = OfficeConfig::from_json(&format!(r#"{{"office_name":"K","kiosk":{kiosk}}}"#))
                .unwrap_err();
            assert_eq!(e.path, path, "{kiosk}");
        }
    }

    #[test]
    fn counters_are_checked_ids_that_may_fix_a_service() {
        let c = OfficeConfig::from_json(
            r#"{"office_name":"K","counters":[{"id":"loket-1","label":{"id":"Loket 1","en":"Counter 1"}},
                {"id":"tpi","label":{"id":"Pos TPI"},"service":"tpi-pelabuhan"}]}"#,
        )
        .unwrap();
        assert_eq!(
            c.counter("tpi").and_then(|k| k.service.as_deref()),
            Some("tpi-pelabuhan")
        );
        assert_eq!(
            c.counter("loket-1").map(|k| k.label.get(Lang::En)),
            Some("Counter 1")
        );
        for (counters, path) in [
            (r#"[{"id":"Loket 1","label":{"id":"L"}}]"#, "counters[0].id"),
            (
                r#"[{"id":"a","label":{"id":"L"}},{"id":"a","label":{"id":"M"}}]"#,
                "counters[1].id",
            ),
            (
                r#"[{"id":"a","label":{"id":"L"},"service":"visa"}]"#,
                "counters[0].service",
            ),
            (r#"[{"id":"a","label":{"id":""}}]"#, "counters[0].label.id"),
        ] {
            let e =
                OfficeConfig::from_json(&format!(r#"{{"office_name":"K","counters":{counters}}}"#))
                    .unwrap_err();
            assert_eq!(e.path, path, "{counters}");
        }
    }

    #[test]
    fn review_settings_are_read_and_checked() {
        let c = OfficeConfig::from_json(
            r#"{"office_name":"X","review":{"identical_run":3,"service_hours":{"open":"07:30","close":"15:00"}}}"#,
        )
        .unwrap();
        let hours = c.review.service_hours.as_ref().unwrap();
        assert_eq!(
            (
                hours.days.as_slice(),
                hours.open,
                hours.close,
                hours.grace_minutes
            ),
            (&[1, 2, 3, 4, 5][..], 450, 900, 120)
        );
        assert_eq!((c.review.identical_run, c.review.burst_responses), (3, 10));
        for (bad, path) in [
            (
                r#"{"service_hours":{"open":"7:30"}}"#,
                "review.service_hours.open",
            ),
            (
                r#"{"service_hours":{"open":"16:00","close":"08:00"}}"#,
                "review.service_hours.close",
            ),
            (
                r#"{"service_hours":{"days":[0]}}"#,
                "review.service_hours.days",
            ),
            (r#"{"identical_run":1}"#, "review.identical_run"),
        ] {
            let e = OfficeConfig::from_json(&format!(r#"{{"office_name":"X","review":{bad}}}"#))
                .unwrap_err();
            assert_eq!(e.path, path, "{bad}: {e}");
        }
    }

    #[test]
    fn errors_name_the_exact_path() {
        let e = OfficeConfig::from_json(r#"{"office_name":"X","services":[{"id":"a","label":{"id":"A"}},{"id":"b","label":{"id":"B","de":"x"}}]}"#).unwrap_err();
        assert_eq!(e.path, "services[1].label.de");
        assert!(e.reason.contains("unknown field `de`"), "{e}");

        let e = OfficeConfig::from_json(r#"{"office_name":"X","colour":"red"}"#).unwrap_err();
        assert!(e.reason.contains("unknown field `colour`"), "{e}");

        let e = OfficeConfig::from_json(r#"{"office_name":"X","min_age":"17"}"#).unwrap_err();
        assert_eq!(e.path, "min_age");

        let e = OfficeConfig::from_json(r#"{"office_name":"X","modules":{"spkp":{"scale":5}}}"#)
            .unwrap_err();
        assert_eq!(e.path, "modules.spkp.scale");

        let e = OfficeConfig::from_json(
            r#"{"office_name":"X","services":[{"id":"A B","label":{"id":"A"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "services[0].id");

        let e =
            OfficeConfig::from_json(r#"{"office_name":"X","time_zone":"Mars/Base"}"#).unwrap_err();
        assert_eq!(e.path, "time_zone");
        assert!(e.reason.contains("Asia/Makassar"), "{e}");

        let e = OfficeConfig::from_json(r#"{"office_name":"X"} trailing"#).unwrap_err();
        assert_eq!(e.to_string(), "not valid JSON at line 1, column 21");

        let e = OfficeConfig::from_json(r#"{"unit":"x"}"#).unwrap_err();
        assert_eq!(e.to_string(), "missing field `office_name`");

        let e = OfficeConfig::from_json(r#"{"office_name":"X","default_lang":"fr"}"#).unwrap_err();
        assert_eq!(e.path, "default_lang");
        assert!(e.reason.contains("`fr` is not allowed"), "{e}");

        let steps = OfficeConfig::from_json(r#"{"office_name":"X","mode":"steps"}"#).unwrap();
        assert_eq!(steps.mode, SurveyMode::Steps);
        assert_eq!(OfficeConfig::default().mode, SurveyMode::Form);
        assert_eq!(SurveyMode::from_code(" Steps "), Some(SurveyMode::Steps));
        assert_eq!(SurveyMode::from_code("form"), Some(SurveyMode::Form));
        assert_eq!(SurveyMode::from_code("wizard"), None);
        let e = OfficeConfig::from_json(r#"{"office_name":"X","mode":"wizard"}"#).unwrap_err();
        assert_eq!(e.path, "mode");
        assert!(e.reason.contains("`form` or `steps`"), "{e}");

        let e = OfficeConfig::from_json(r#"{"office_name":"X","min_age":300}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at `min_age`: expected a whole number in range"
        );
    }
}
