//! Parity with serde_json, type by type: for arbitrary values of every type the survey reads or
//! writes as JSON, `ikm_json` writes exactly the bytes serde_json writes, and each type's
//! reader (declared from one field table) reads serde_json's text back to the same value.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ikm_core::config::{
    Complaint, CounterOption, KioskConfig, ModuleConfig, Modules, ReviewConfig, ServiceHours,
    ServiceOption, Theme,
};
use ikm_core::delivery::ErrorReply;
use ikm_core::element::LocalText;
use ikm_core::json;
use ikm_core::outbox::{Entry, Rejection, MAX_ATTEMPTS, MAX_TIME_MS};
use ikm_core::questionnaire::{Choice, Education, Gender, Occupation};
use ikm_core::submission::{Answers, Respondent, Scores};
use ikm_core::validate::ErrorCode;
use ikm_core::{FieldError, Lang, OfficeConfig, Submission, Weights};
use proptest::prelude::*;
use serde::Serialize;

/// Writes `value` both ways and checks the bytes agree; returns serde_json's text.
fn same_bytes<T: Serialize>(value: &T) -> String {
    let theirs = serde_json::to_string(value).unwrap();
    assert_eq!(json::to_string(value).unwrap(), theirs);
    theirs
}

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

fn choice<C: Choice + std::fmt::Debug>() -> impl Strategy<Value = Option<C>> {
    prop::option::of(prop::sample::select(C::ALL.to_vec()))
}

fn lang() -> impl Strategy<Value = Lang> {
    prop_oneof![Just(Lang::Id), Just(Lang::En)]
}

fn scores() -> impl Strategy<Value = Option<Scores>> {
    prop::option::of(
        prop::collection::vec(("[a-z]{1,12}", any::<u8>()), 0..8)
            .prop_map(|pairs| pairs.into_iter().collect::<Scores>()),
    )
}

fn submission() -> impl Strategy<Value = Submission> {
    let respondent = (
        choice::<Gender>(),
        prop::option::of(any::<u32>()),
        choice::<Education>(),
        choice::<Occupation>(),
        prop::option::of(text()),
    )
        .prop_map(
            |(gender, age, education, occupation, occupation_other)| Respondent {
                gender,
                age,
                education,
                occupation,
                occupation_other,
            },
        );
    let answers = prop::array::uniform9(prop::option::of(any::<u8>())).prop_map(Answers);
    (
        (text(), text(), text(), text(), lang()),
        (
            prop::option::of(text()),
            prop::option::of(text()),
            prop::option::of(text()),
            prop::option::of(text()),
        ),
        respondent,
        answers,
        (prop::option::of(text()), scores(), scores()),
    )
        .prop_map(
            |(
                (id, schema, survey, submitted_at, lang),
                (unit, service, counter, code),
                respondent,
                answers,
                (suggestion, spkp, spak),
            )| {
                Submission {
                    id,
                    schema,
                    survey,
                    submitted_at,
                    lang,
                    unit,
                    service,
                    counter,
                    code,
                    respondent,
                    answers,
                    suggestion,
                    spkp,
                    spak,
                }
            },
        )
}

fn field_error() -> impl Strategy<Value = FieldError> {
    (
        text(),
        prop::sample::select(ErrorCode::ALL.to_vec()),
        prop::option::of(any::<u32>()),
    )
        .prop_map(|(field, code, limit)| FieldError { field, code, limit })
}

fn time() -> impl Strategy<Value = i64> {
    0..=MAX_TIME_MS
}

fn entry() -> impl Strategy<Value = Entry> {
    let rejection = (
        any::<u16>(),
        prop::collection::vec(field_error(), 0..4),
        time(),
    )
        .prop_map(|(status, errors, at)| Rejection { status, errors, at });
    (
        (text(), text(), text()),
        (time(), 0..=MAX_ATTEMPTS, time(), prop::option::of(time())),
        prop::option::of(rejection),
        prop::option::of(text()),
    )
        .prop_map(
            |(
                (id, endpoint, body),
                (saved_at, attempts, next_attempt_at, sending_until),
                rejected,
                last_error,
            )| Entry {
                id,
                endpoint,
                body,
                saved_at,
                attempts,
                next_attempt_at,
                sending_until,
                rejected,
                last_error,
            },
        )
}

fn local_text() -> impl Strategy<Value = LocalText> {
    (text(), prop::option::of(text())).prop_map(|(id, en)| LocalText { id, en })
}

fn module() -> impl Strategy<Value = Option<ModuleConfig>> {
    prop::option::of(any::<u8>().prop_map(|scale| ModuleConfig { scale }))
}

fn kiosk() -> impl Strategy<Value = KioskConfig> {
    (
        any::<bool>(),
        (any::<u16>(), any::<u16>(), any::<u16>()),
        any::<bool>(),
    )
        .prop_map(
            |(enabled, (reset_after_send_secs, idle_secs, prompt_secs), attract)| KioskConfig {
                enabled,
                reset_after_send_secs,
                idle_secs,
                prompt_secs,
                attract,
            },
        )
}

fn review() -> impl Strategy<Value = ReviewConfig> {
    let hours = prop::option::of(
        (
            prop::collection::vec(1u8..=7, 1..7),
            0u16..1440,
            0u16..1440,
            any::<u16>(),
        )
            .prop_map(|(days, open, close, grace_minutes)| ServiceHours {
                days,
                open,
                close,
                grace_minutes,
            }),
    );
    (any::<u32>(), any::<u32>(), any::<u32>(), hours).prop_map(
        |(burst_responses, burst_minutes, identical_run, service_hours)| ReviewConfig {
            burst_responses,
            burst_minutes,
            identical_run,
            service_hours,
        },
    )
}

fn office_config() -> impl Strategy<Value = OfficeConfig> {
    let services = prop::collection::vec(
        (text(), local_text()).prop_map(|(id, label)| ServiceOption { id, label }),
        0..5,
    );
    let counters = prop::collection::vec(
        (text(), local_text(), prop::option::of(text()))
            .prop_map(|(id, label, service)| CounterOption { id, label, service }),
        0..3,
    );
    let complaint =
        prop::option::of((text(), local_text()).prop_map(|(url, label)| Complaint { url, label }));
    (
        (text(), prop::option::of(text()), services, any::<u8>()),
        (module(), module(), prop::option::of(lang())),
        (
            prop_oneof![Just(Weights::Exact), Just(Weights::Legacy0111)],
            text(),
            prop::option::of(text()),
        ),
        (counters, complaint, prop::option::of(text()), kiosk()),
        review(),
    )
        .prop_map(
            |(
                (office_name, unit, services, min_age),
                (spkp, spak, default_lang),
                (weights, time_zone, accent),
                (counters, complaint, survey_url, kiosk),
                review,
            )| OfficeConfig {
                office_name,
                unit,
                services,
                counters,
                complaint,
                survey_url,
                kiosk,
                min_age,
                modules: Modules { spkp, spak },
                default_lang,
                weights,
                time_zone: ikm_core::time::TimeZone::parse(&time_zone)
                    .unwrap_or_else(ikm_core::time::TimeZone::wib),
                theme: Theme { accent },
                codes: Default::default(),
                review,
                proof_of_work: Default::default(),
                tv: Default::default(),
                mode: Default::default(),
                suggestions: Default::default(),
            },
        )
}

proptest! {
    #[test]
    fn submissions(s in submission()) {
        let text = same_bytes(&s);
        prop_assert_eq!(Submission::from_json(&text).unwrap(), s);
    }

    #[test]
    fn outbox_entries(e in entry()) {
        let text = same_bytes(&e);
        prop_assert_eq!(Entry::from_json(&text).unwrap(), e);
    }

    #[test]
    fn error_replies(errors in prop::collection::vec(field_error(), 0..6)) {
        let reply = ErrorReply { errors };
        let text = same_bytes(&reply);
        prop_assert_eq!(ErrorReply::from_json(&text).unwrap(), reply);
    }

    #[test]
    fn office_configurations(c in office_config()) {
        let text = same_bytes(&c);
        let back = OfficeConfig::from_value(&json::parse(&text).unwrap()).unwrap();
        prop_assert_eq!(back, c);
    }
}

#[test]
fn the_documented_example_is_read_and_written_like_serde_json() {
    let text = include_str!("../../../docs/example-submission.json");
    let s = Submission::from_json(text).unwrap();
    same_bytes(&s);
    let ours: serde_json::Value = serde_json::from_str(&json::to_string(&s).unwrap()).unwrap();
    let original: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(ours, original);
}
