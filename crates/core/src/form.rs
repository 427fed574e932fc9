//! The survey as a plain HTML form: each control is named by its field's payload path
//! (`respondent.age`, `answers.waktu`, `spak.pungli`), so a form post and the JSON payload
//! mean the same thing. The collector reads a post made without JavaScript with this, and
//! the widget reads a server-rendered form it takes over with it: one mapping, two readers.

use crate::element::{Element, Lang};
use crate::questionnaire::{Choice, Education, Gender, Module, Occupation};
use crate::submission::{Scores, Submission};
use crate::validate::field;

/// The hidden field carrying the response id, so a post repeated by the back button or a
/// double tap is the same response.
pub const ID: &str = "id";
/// The hidden field carrying the language the form was answered in.
pub const LANG: &str = "lang";

/// The survey page's query parameter fixing the service (a QR link's `?layanan=`).
pub const SERVICE_PARAM: &str = "layanan";
/// The survey page's query parameter fixing the counter (`?loket=`).
pub const COUNTER_PARAM: &str = "loket";
/// The survey page's query parameter choosing the language (`?lang=en`).
pub const LANG_PARAM: &str = "lang";
/// The survey page's query parameter switching kiosk mode on (`?kiosk=1`).
pub const KIOSK_PARAM: &str = "kiosk";
/// The survey page's query parameter choosing one page or one question per screen
/// (`?mode=form|steps`, see [`crate::config::SurveyMode`]).
pub const MODE_PARAM: &str = "mode";
/// The survey page's query parameter carrying a queue ticket's service code (`?kode=`).
pub const CODE_PARAM: &str = "kode";

/// The submit button that sends a response without the service code the collector refused
/// (the hosted page without JavaScript posts it; the field list then drops `code`).
pub const WITHOUT_CODE: &str = "tanpa_kode";

/// A `?kode=` value worth carrying: one that reads as a service code (its check character
/// right), written canonically; anything else is dropped, never sent.
pub fn page_code(value: Option<&str>) -> Option<String> {
    let value = value?;
    crate::codes::Code::parse(value).ok()?;
    crate::codes::Code::canonical(value).ok()
}

/// The survey page's query string (`?lang=en&layanan=paspor-baru&loket=loket-2`, or empty):
/// what QR posters, short links and language links carry. Ids are checked slugs (letters,
/// digits, hyphens), so nothing needs escaping.
pub fn survey_query(lang: Option<Lang>, service: Option<&str>, counter: Option<&str>) -> String {
    let mut query = String::new();
    let pairs = [
        (LANG_PARAM, lang.map(Lang::code)),
        (SERVICE_PARAM, service),
        (COUNTER_PARAM, counter),
    ];
    for (name, value) in pairs {
        if let Some(value) = value {
            query.push(if query.is_empty() { '?' } else { '&' });
            query.push_str(name);
            query.push('=');
            query.push_str(value);
        }
    }
    query
}

/// Sets the field named `name` of `sub` to the control's `value`; returns whether the name is
/// a field of the survey (other controls, such as the submit button, are ignored). A value
/// that is not one of a choice's codes, or not a whole number for a score, is kept as an
/// invalid answer, so that validation explains it next to its field instead of dropping it.
pub fn apply_field(sub: &mut Submission, name: &str, value: &str) -> bool {
    let text = || (!value.trim().is_empty()).then(|| value.to_string());
    let r = &mut sub.respondent;
    match name {
        ID => sub.id = value.trim().to_string(),
        LANG => sub.lang = Lang::from_code(value).unwrap_or(sub.lang),
        field::SERVICE => sub.service = text(),
        field::GENDER => r.gender = choice::<Gender>(value),
        field::AGE => r.age = number(value).map(u32::from),
        field::EDUCATION => r.education = choice::<Education>(value),
        field::OCCUPATION => r.occupation = choice::<Occupation>(value),
        field::OCCUPATION_OTHER => r.occupation_other = text(),
        field::SUGGESTION => sub.suggestion = text(),
        field::CODE => sub.code = text(),
        WITHOUT_CODE => sub.code = None,
        _ => return apply_score(sub, name, value),
    }
    true
}

/// Every answer of `sub` as the form's (name, value) pairs, the inverse of [`apply_field`]:
/// what a form showing one question per screen carries in hidden fields for the others, so
/// each post holds the whole response.
pub fn fields_of(sub: &Submission) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            fields.push((name.to_string(), value));
        }
    };
    let r = &sub.respondent;
    put(field::SERVICE, sub.service.clone());
    put(field::CODE, sub.code.clone());
    put(field::GENDER, r.gender.map(code_of));
    put(field::AGE, r.age.map(|a| a.to_string()));
    put(field::EDUCATION, r.education.map(code_of));
    put(field::OCCUPATION, r.occupation.map(code_of));
    put(field::OCCUPATION_OTHER, r.occupation_other.clone());
    for e in Element::ALL {
        put(&field::answer(e), sub.answers.get(e).map(|s| s.to_string()));
    }
    for module in Module::ALL {
        if let Some(scores) = sub.module(module) {
            for key in scores.keys() {
                put(
                    &field::statement(module, key),
                    scores.get(key).map(|s| s.to_string()),
                );
            }
        }
    }
    put(field::SUGGESTION, sub.suggestion.clone());
    fields
}

/// A choice's code; an unknown one posts as `?`, which reads back as unknown again.
fn code_of<C: Choice>(choice: C) -> String {
    match choice.code() {
        "" => "?".to_string(),
        code => code.to_string(),
    }
}

/// `answers.<element>` or `<module>.<statement>`: a score.
fn apply_score(sub: &mut Submission, name: &str, value: &str) -> bool {
    let score = number(value).map(|n| u8::try_from(n).unwrap_or(0));
    if let Some(key) = name.strip_prefix("answers.") {
        let Some(element) = Element::from_key(key) else {
            return false;
        };
        sub.answers.set(element, score);
        return true;
    }
    let mut found = None;
    for module in Module::ALL {
        if let Some(key) = name
            .strip_prefix(module.key())
            .and_then(|rest| rest.strip_prefix('.'))
        {
            found = Some((module, key));
        }
    }
    let Some((module, key)) = found else {
        return false;
    };
    if let Some(score) = score {
        sub.module_mut(module)
            .get_or_insert_with(Scores::default)
            .insert(key, score);
    }
    true
}

/// A code of a closed list; blank is no answer, anything else unknown an invalid one.
fn choice<C: Choice>(value: &str) -> Option<C> {
    let code = value.trim();
    (!code.is_empty()).then(|| C::from_code(code).unwrap_or(C::INVALID))
}

/// A whole number as typed; blank is no answer; anything else (a word, a fraction, a
/// number too large) is 0, which every range check refuses with a message.
fn number(value: &str) -> Option<u16> {
    let text = value.trim();
    (!text.is_empty()).then(|| text.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{validate, ErrorCode};
    use crate::OfficeConfig;

    #[test]
    fn the_hidden_fields_of_a_response_read_back_as_the_same_response() {
        let mut s = post(&[
            ("service", "paspor-baru"),
            ("respondent.gender", "P"),
            ("respondent.age", "41"),
            ("respondent.education", "S1"),
            ("respondent.occupation", "LAINNYA"),
            ("respondent.occupation_other", "Nelayan & petani"),
            ("answers.waktu", "2"),
            ("answers.biaya", "7"),
            ("spak.pungli", "3"),
            ("suggestion", "Antrean <lebih> rapi"),
            ("code", "K7QX-42"),
        ]);
        s.respondent.education = Some(Education::INVALID);
        let mut again = Submission::blank(Lang::Id);
        for (name, value) in fields_of(&s) {
            assert!(apply_field(&mut again, &name, &value), "{name}");
        }
        assert_eq!(again, s);
        assert!(fields_of(&Submission::blank(Lang::Id)).is_empty());
    }

    fn post(pairs: &[(&str, &str)]) -> Submission {
        let mut s = Submission::blank(Lang::Id);
        for (name, value) in pairs {
            apply_field(&mut s, name, value);
        }
        s
    }

    #[test]
    fn a_complete_form_post_is_the_same_response_as_the_json_payload() {
        let example =
            Submission::from_json(include_str!("../../../docs/example-submission.json")).unwrap();
        let mut pairs = vec![
            ("id", example.id.as_str()),
            ("lang", "id"),
            ("service", "paspor-baru"),
            ("respondent.gender", "P"),
            ("respondent.age", " 34 "),
            ("respondent.education", "D4-S1"),
            ("respondent.occupation", "SWASTA"),
            ("suggestion", example.suggestion.as_deref().unwrap()),
            ("kirim", ""),
        ];
        let scores: Vec<(String, String)> = Element::ALL
            .iter()
            .map(|e| {
                let score = example.answers.get(*e).unwrap().to_string();
                (field::answer(*e), score)
            })
            .collect();
        pairs.extend(scores.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut s = post(&pairs);
        s.submitted_at = example.submitted_at.clone();
        s.unit = example.unit.clone();
        s.counter = example.counter.clone();
        assert_eq!(s, example);
        assert_eq!(validate(&s, &OfficeConfig::default()), vec![]);
    }

    #[test]
    fn odd_values_become_answers_validation_explains() {
        let s = post(&[
            ("respondent.gender", "X"),
            ("respondent.age", "tiga puluh"),
            ("answers.waktu", "7"),
            ("answers.biaya", "300"),
            ("answers.sarana", ""),
            ("spak.pungli", "2"),
            ("answers.kecepatan", "3"),
        ]);
        assert_eq!(s.respondent.gender, Some(Gender::Invalid));
        assert_eq!(s.respondent.age, Some(0));
        assert_eq!(s.answers.get(Element::Waktu), Some(7));
        assert_eq!(s.answers.get(Element::Biaya), Some(0));
        assert_eq!(s.answers.get(Element::Sarana), None);
        assert_eq!(s.spak.as_ref().and_then(|m| m.get("pungli")), Some(2));
        let errors = validate(&s, &OfficeConfig::default());
        let code = |f: &str| errors.iter().find(|e| e.field == f).map(|e| e.code);
        assert_eq!(code("respondent.gender"), Some(ErrorCode::InvalidChoice));
        assert_eq!(code("respondent.age"), Some(ErrorCode::TooYoung));
        assert_eq!(code("answers.waktu"), Some(ErrorCode::OutOfRange));
        assert_eq!(code("answers.sarana"), Some(ErrorCode::Required));
        assert_eq!(code("spak"), Some(ErrorCode::NotEnabled));
        let mut other = Submission::blank(Lang::Id);
        assert!(!apply_field(&mut other, "kirim", ""), "not a field");
        assert!(
            !apply_field(&mut other, "answers.kecepatan", "3"),
            "not an element"
        );
    }
}
