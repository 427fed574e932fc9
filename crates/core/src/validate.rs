//! Response validation: one function used by the widget before sending and by the collector on receipt.

use crate::config::{is_slug, OfficeConfig};
use crate::element::Element;
use crate::questionnaire::{Choice, Education, Gender, Module, Occupation, STANDARD_ID};
use crate::submission::{Scores, Submission, MAX_OCCUPATION_OTHER_CHARS, MAX_SUGGESTION_CHARS};
use serde::Serialize;

/// Why a field is invalid; stable codes on the wire, localised only at the edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Nothing was given where an answer is needed.
    Required,
    /// A value outside the closed list of choices.
    InvalidChoice,
    /// A number outside its range (scores, age).
    OutOfRange,
    /// Younger than the configured minimum age.
    TooYoung,
    /// Text longer than allowed.
    TooLong,
    /// Text in the wrong shape (id, timestamp).
    InvalidFormat,
    /// A key the questionnaire does not have.
    Unknown,
    /// Answers for a module the office has not enabled.
    NotEnabled,
    /// Free text with a control character (anything but a tab or a line break).
    InvalidCharacter,
    /// A service code that is mistyped, forged, or issued for another unit or service.
    InvalidCode,
    /// A service code past its validity (`codes.expiry_days` after its day).
    CodeExpired,
    /// A service code another response was already sent with (409).
    CodeUsed,
    /// Any code this version does not know (from a newer server); shown as a generic problem.
    Other,
}

impl ErrorCode {
    /// Every code this version knows, in documentation order.
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::Required,
        ErrorCode::InvalidChoice,
        ErrorCode::OutOfRange,
        ErrorCode::TooYoung,
        ErrorCode::TooLong,
        ErrorCode::InvalidFormat,
        ErrorCode::Unknown,
        ErrorCode::NotEnabled,
        ErrorCode::InvalidCharacter,
        ErrorCode::InvalidCode,
        ErrorCode::CodeExpired,
        ErrorCode::CodeUsed,
    ];

    /// The wire code, e.g. `too_young` (equal to its serde form).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::InvalidChoice => "invalid_choice",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::TooYoung => "too_young",
            ErrorCode::TooLong => "too_long",
            ErrorCode::InvalidFormat => "invalid_format",
            ErrorCode::Unknown => "unknown",
            ErrorCode::NotEnabled => "not_enabled",
            ErrorCode::InvalidCharacter => "invalid_character",
            ErrorCode::InvalidCode => "invalid_code",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::CodeUsed => "code_used",
            ErrorCode::Other => "other",
        }
    }

    /// The code for a wire string; codes from a newer server become [`ErrorCode::Other`].
    pub fn from_code(code: &str) -> ErrorCode {
        ErrorCode::ALL
            .into_iter()
            .find(|c| c.as_str() == code)
            .unwrap_or(ErrorCode::Other)
    }
}

/// One invalid field: `field` is a dotted path such as `answers.waktu` or `respondent.age`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    /// The bound that was crossed (minimum age, maximum length, top of the scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl FieldError {
    /// `{"field", "code", "limit"?}` as an endpoint's 422 reply lists it; unknown codes are kept as [`ErrorCode::Other`].
    pub fn from_value(value: &crate::json::Value) -> Result<FieldError, crate::json::Error> {
        let mut e = FieldError::new(String::new(), ErrorCode::Other);
        crate::json::read_object!(value, |v| {
            "field" (required) => e.field = v.string()?,
            "code" (required) => e.code = ErrorCode::from_code(v.str()?),
            "limit" => e.limit = Some(v.u32()?),
        }, ignore)?;
        Ok(e)
    }

    /// A problem with `field`, for checks made outside this module (the collector's `unit`).
    pub fn new(field: impl Into<String>, code: ErrorCode) -> FieldError {
        FieldError {
            field: field.into(),
            code,
            limit: None,
        }
    }

    fn with_limit(field: impl Into<String>, code: ErrorCode, limit: u32) -> FieldError {
        FieldError {
            field: field.into(),
            code,
            limit: Some(limit),
        }
    }
}

/// Field paths, shared so the widget can attach messages to the right input.
pub mod field {
    pub const SERVICE: &str = "service";
    pub const GENDER: &str = "respondent.gender";
    pub const AGE: &str = "respondent.age";
    pub const EDUCATION: &str = "respondent.education";
    pub const OCCUPATION: &str = "respondent.occupation";
    pub const OCCUPATION_OTHER: &str = "respondent.occupation_other";
    pub const SUGGESTION: &str = "suggestion";
    pub const CODE: &str = "code";

    /// The path of an element's answer, e.g. `answers.waktu`.
    pub fn answer(element: crate::element::Element) -> String {
        format!("answers.{}", element.key())
    }

    /// The path of a module statement's answer, e.g. `spak.pungli`.
    pub fn statement(module: crate::questionnaire::Module, key: &str) -> String {
        format!("{}.{}", module.key(), key)
    }
}

/// Oldest plausible respondent age.
pub const MAX_AGE: u32 = 120;

/// Every problem with a response under `config`, in form order; empty means valid. The
/// collector runs this on every submission.
pub fn validate(sub: &Submission, config: &OfficeConfig) -> Vec<FieldError> {
    let mut errors = Vec::new();
    validate_stamp(sub, &mut errors);
    errors.extend(validate_answers(sub, config));
    errors
}

/// Every problem with what the respondent and the page decided (unit, service, counter,
/// profile, answers, modules, suggestion), in form order. The widget runs this as the form
/// changes; it leaves out the id, survey and timestamp the device itself stamps on a response.
pub fn validate_answers(sub: &Submission, config: &OfficeConfig) -> Vec<FieldError> {
    let mut errors = Vec::new();
    validate_setup(sub, config, &mut errors);
    validate_respondent(sub, config, &mut errors);
    for e in Element::ALL {
        match sub.answers.get(e) {
            None => errors.push(FieldError::new(field::answer(e), ErrorCode::Required)),
            Some(s) if !(1..=4).contains(&s) => errors.push(FieldError::with_limit(
                field::answer(e),
                ErrorCode::OutOfRange,
                4,
            )),
            Some(_) => {}
        }
    }
    for module in Module::ALL {
        validate_module(module, sub.module(module), config, &mut errors);
    }
    if let Some(text) = &sub.suggestion {
        check_text(text, field::SUGGESTION, MAX_SUGGESTION_CHARS, &mut errors);
    }
    errors
}

/// Whether free text holds only printable characters, tabs and line breaks (LF or CRLF).
/// Any other control character (a NUL byte, an escape, a lone CR) is refused: databases and
/// spreadsheets treat them differently, and PostgreSQL cannot store a NUL at all.
pub fn is_clean_text(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !c.is_control(),
        };
        if !allowed {
            return false;
        }
    }
    true
}

/// Free text: clean characters and at most `max` characters (not bytes).
fn check_text(text: &str, path: &str, max: usize, errors: &mut Vec<FieldError>) {
    if !is_clean_text(text) {
        errors.push(FieldError::new(path, ErrorCode::InvalidCharacter));
    } else if text.chars().count() > max {
        errors.push(FieldError::with_limit(path, ErrorCode::TooLong, max as u32));
    }
}

/// Id, survey and timestamp: what the device stamps on a response when it is sent.
fn validate_stamp(sub: &Submission, errors: &mut Vec<FieldError>) {
    if !crate::submission::is_canonical_id(&sub.id) {
        errors.push(FieldError::new("id", ErrorCode::InvalidFormat));
    }
    if sub.survey != STANDARD_ID {
        errors.push(FieldError::new("survey", ErrorCode::Unknown));
    }
    if crate::time::parse_rfc3339(&sub.submitted_at).is_none() {
        errors.push(FieldError::new("submitted_at", ErrorCode::InvalidFormat));
    }
}

/// Unit, service and counter: what the page (QR link, attributes) or the respondent chose.
fn validate_setup(sub: &Submission, config: &OfficeConfig, errors: &mut Vec<FieldError>) {
    match (&config.unit, &sub.unit) {
        (Some(expected), Some(unit)) if unit != expected => {
            errors.push(FieldError::new("unit", ErrorCode::InvalidChoice))
        }
        (_, Some(unit)) if !is_slug(unit) => {
            errors.push(FieldError::new("unit", ErrorCode::InvalidFormat))
        }
        _ => {}
    }
    match &sub.service {
        None => errors.push(FieldError::new(field::SERVICE, ErrorCode::Required)),
        Some(s) if s.is_empty() => {
            errors.push(FieldError::new(field::SERVICE, ErrorCode::Required))
        }
        Some(s) if config.service(s).is_none() => {
            errors.push(FieldError::new(field::SERVICE, ErrorCode::InvalidChoice))
        }
        Some(_) => {}
    }
    if let Some(counter) = &sub.counter {
        if !is_slug(counter) {
            errors.push(FieldError::new("counter", ErrorCode::InvalidFormat));
        }
    }
    validate_code(sub, config, errors);
}

/// A service code must read as one (its check character right) and be issued for the service
/// the response is about; its MAC and age are the collector's to check, with the unit's key.
fn validate_code(sub: &Submission, config: &OfficeConfig, errors: &mut Vec<FieldError>) {
    let Some(text) = &sub.code else {
        if config.codes.required {
            errors.push(FieldError::new(field::CODE, ErrorCode::Required));
        }
        return;
    };
    let issued_for = crate::codes::Code::parse(text)
        .ok()
        .and_then(|code| config.services.get(code.fields.service));
    let fits = match (issued_for, &sub.service) {
        (Some(issued), Some(service)) => &issued.id == service,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if !fits {
        errors.push(FieldError::new(field::CODE, ErrorCode::InvalidCode));
    }
}

fn validate_respondent(sub: &Submission, config: &OfficeConfig, errors: &mut Vec<FieldError>) {
    let r = &sub.respondent;
    check_choice(r.gender, Gender::Invalid, field::GENDER, errors);
    match r.age {
        None => errors.push(FieldError::new(field::AGE, ErrorCode::Required)),
        Some(age) if age < u32::from(config.min_age) => errors.push(FieldError::with_limit(
            field::AGE,
            ErrorCode::TooYoung,
            u32::from(config.min_age),
        )),
        Some(age) if age > MAX_AGE => errors.push(FieldError::with_limit(
            field::AGE,
            ErrorCode::OutOfRange,
            MAX_AGE,
        )),
        Some(_) => {}
    }
    check_choice(r.education, Education::Invalid, field::EDUCATION, errors);
    check_choice(r.occupation, Occupation::Invalid, field::OCCUPATION, errors);
    if let Some(other) = &r.occupation_other {
        if r.occupation != Some(Occupation::LAINNYA) {
            errors.push(FieldError::new(
                field::OCCUPATION_OTHER,
                ErrorCode::NotEnabled,
            ));
        } else {
            check_text(
                other,
                field::OCCUPATION_OTHER,
                MAX_OCCUPATION_OTHER_CHARS,
                errors,
            );
        }
    }
}

fn check_choice<C: Choice + PartialEq>(
    value: Option<C>,
    invalid: C,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    match value {
        None => errors.push(FieldError::new(path, ErrorCode::Required)),
        Some(v) if v == invalid => errors.push(FieldError::new(path, ErrorCode::InvalidChoice)),
        Some(_) => {}
    }
}

fn validate_module(
    module: Module,
    answers: Option<&Scores>,
    config: &OfficeConfig,
    errors: &mut Vec<FieldError>,
) {
    let Some(settings) = config.modules.get(module) else {
        if answers.is_some() {
            errors.push(FieldError::new(module.key(), ErrorCode::NotEnabled));
        }
        return;
    };
    let empty = Scores::default();
    let answers = answers.unwrap_or(&empty);
    for statement in module.statements() {
        let path = field::statement(module, statement.key);
        match answers.get(statement.key) {
            None => errors.push(FieldError::new(path, ErrorCode::Required)),
            Some(s) if !(1..=settings.scale).contains(&s) => errors.push(FieldError::with_limit(
                path,
                ErrorCode::OutOfRange,
                u32::from(settings.scale),
            )),
            Some(_) => {}
        }
    }
    for key in answers.keys() {
        if !module.statements().iter().any(|s| s.key == key) {
            errors.push(FieldError::new(
                field::statement(module, key),
                ErrorCode::Unknown,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModuleConfig;

    fn example() -> Submission {
        Submission::from_json(include_str!("../../../docs/example-submission.json")).unwrap()
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, ErrorCode)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn the_documented_example_is_valid() {
        assert_eq!(validate(&example(), &OfficeConfig::default()), vec![]);
    }

    #[test]
    fn a_blank_form_lists_every_required_field_in_form_order() {
        let errors = validate(
            &Submission::blank(crate::Lang::Id),
            &OfficeConfig::default(),
        );
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields[..3], ["id", "submitted_at", "service"]);
        assert_eq!(
            fields[3..7],
            [
                field::GENDER,
                field::AGE,
                field::EDUCATION,
                field::OCCUPATION
            ]
        );
        assert_eq!(fields[7], "answers.persyaratan");
        assert_eq!(fields[15], "answers.pengaduan");
        assert_eq!(fields.len(), 16);
        let answers = validate_answers(
            &Submission::blank(crate::Lang::Id),
            &OfficeConfig::default(),
        );
        assert_eq!(
            answers[..],
            errors[2..],
            "the widget's check is the collector's without the device's stamp"
        );
    }

    #[test]
    fn scores_outside_1_to_4_are_out_of_range() {
        let mut s = example();
        s.answers.set(Element::Sarana, Some(5));
        s.answers.set(Element::Waktu, Some(0));
        assert_eq!(
            codes(&validate(&s, &OfficeConfig::default())),
            vec![
                ("answers.waktu", ErrorCode::OutOfRange),
                ("answers.sarana", ErrorCode::OutOfRange)
            ]
        );
    }

    #[test]
    fn age_below_the_configured_minimum_is_too_young() {
        let mut s = example();
        s.respondent.age = Some(16);
        let errors = validate(&s, &OfficeConfig::default());
        assert_eq!(
            errors,
            vec![FieldError::with_limit(field::AGE, ErrorCode::TooYoung, 17)]
        );
        let config = OfficeConfig {
            min_age: 15,
            ..OfficeConfig::default()
        };
        assert_eq!(validate(&s, &config), vec![]);
        s.respondent.age = Some(121);
        assert_eq!(
            codes(&validate(&s, &config)),
            vec![(field::AGE, ErrorCode::OutOfRange)]
        );
    }

    #[test]
    fn suggestion_is_limited_to_1000_characters_not_bytes() {
        let mut s = example();
        s.suggestion = Some("é".repeat(1000));
        assert_eq!(validate(&s, &OfficeConfig::default()), vec![]);
        s.suggestion = Some("a".repeat(1001));
        assert_eq!(
            codes(&validate(&s, &OfficeConfig::default())),
            vec![(field::SUGGESTION, ErrorCode::TooLong)]
        );
    }

    #[test]
    fn free_text_refuses_control_characters_but_keeps_tabs_and_line_breaks() {
        let mut s = example();
        s.suggestion = Some("Baris satu\r\nbaris dua\n\tberindentasi".into());
        s.respondent.occupation = Some(Occupation::LAINNYA);
        s.respondent.occupation_other = Some("Nelayan 🐟".into());
        assert_eq!(validate(&s, &OfficeConfig::default()), vec![]);
        for bad in [
            "a\0b",
            "bell\u{7}",
            "esc\u{1b}[31m",
            "lone\rcr",
            "c1\u{85}",
            "del\u{7f}",
        ] {
            s.suggestion = Some(bad.into());
            s.respondent.occupation_other = Some(bad.into());
            assert_eq!(
                codes(&validate(&s, &OfficeConfig::default())),
                vec![
                    (field::OCCUPATION_OTHER, ErrorCode::InvalidCharacter),
                    (field::SUGGESTION, ErrorCode::InvalidCharacter)
                ],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn services_units_and_ids_are_checked_against_the_office() {
        let mut s = example();
        s.service = Some("visa-kunjungan".into());
        s.id = "not-a-uuid".into();
        let config = OfficeConfig {
            unit: Some("kanim-jakarta".into()),
            ..OfficeConfig::default()
        };
        assert_eq!(
            codes(&validate(&s, &config)),
            vec![
                ("id", ErrorCode::InvalidFormat),
                ("unit", ErrorCode::InvalidChoice),
                ("service", ErrorCode::InvalidChoice)
            ]
        );
        // A UUID of another version, or another spelling of a v4, is not accepted either.
        for other in [
            "6f1c9a52-3b7e-1d2a-9c1e-2f8b7a6d5e40",
            "6F1C9A52-3B7E-4D2A-9C1E-2F8B7A6D5E40",
            "6f1c9a523b7e4d2a9c1e2f8b7a6d5e40",
            "{6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40}",
            "urn:uuid:6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40",
            "6f1c9a52-3b7e-4d2a-7c1e-2f8b7a6d5e40",
        ] {
            s.id = other.into();
            assert!(
                codes(&validate(&s, &OfficeConfig::default()))
                    .contains(&("id", ErrorCode::InvalidFormat)),
                "{other}"
            );
        }
    }

    #[test]
    fn occupation_other_only_with_lainnya() {
        let mut s = example();
        s.respondent.occupation_other = Some("Nelayan".into());
        assert_eq!(
            codes(&validate(&s, &OfficeConfig::default())),
            vec![(field::OCCUPATION_OTHER, ErrorCode::NotEnabled)]
        );
        s.respondent.occupation = Some(Occupation::LAINNYA);
        assert_eq!(validate(&s, &OfficeConfig::default()), vec![]);
    }

    #[test]
    fn modules_are_required_when_enabled_and_refused_when_not() {
        let mut s = example();
        let mut config = OfficeConfig::default();
        config.modules.spak = Some(ModuleConfig { scale: 6 });
        let errors = validate(&s, &config);
        assert_eq!(errors.len(), 5);
        assert!(errors
            .iter()
            .all(|e| e.code == ErrorCode::Required && e.field.starts_with("spak.")));

        let mut spak: Scores = Module::Spak
            .statements()
            .iter()
            .map(|st| (st.key, 6))
            .collect();
        s.spak = Some(spak.clone());
        assert_eq!(validate(&s, &config), vec![]);
        spak.insert("pungli", 7);
        spak.insert("suap", 1);
        s.spak = Some(spak);
        assert_eq!(
            codes(&validate(&s, &config)),
            vec![
                ("spak.pungli", ErrorCode::OutOfRange),
                ("spak.suap", ErrorCode::Unknown)
            ]
        );
        assert_eq!(
            codes(&validate(&s, &OfficeConfig::default())),
            vec![("spak", ErrorCode::NotEnabled)]
        );
    }

    #[test]
    fn wire_codes_match_serde() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(ErrorCode::from_code(code.as_str()), code);
        }
        assert_eq!(ErrorCode::from_code("brand_new"), ErrorCode::Other);
    }

    #[test]
    fn unknown_codes_from_a_newer_server_still_parse() {
        let value = crate::json::parse(r#"{"field":"answers.waktu","code":"brand_new"}"#);
        let e = FieldError::from_value(&value.unwrap()).unwrap();
        assert_eq!(e.code, ErrorCode::Other);
    }
}
