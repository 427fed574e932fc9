//! Form fields as view functions: radio groups, the labelled controls, the profile section, the suggestion.

use crate::components::Msg;
use crate::components::{dom_id, error_id, error_text, on_change, on_input};
use crate::state::{Action, ChoiceField, SurveyState, TextField};
use ikm_core::i18n::{chars_left, ui};
use ikm_core::questionnaire::{Choice, Education, Gender, Occupation};
use ikm_core::submission::{MAX_OCCUPATION_OTHER_CHARS, MAX_SUGGESTION_CHARS};
use ikm_core::validate::{field, MAX_AGE};
use ikm_core::Text;
use yew::prelude::*;

/// A question answered with one option: a `fieldset` whose `legend` is the question, one radio per
/// option in order 1 → n, the message under the legend tied by `aria-describedby`.
pub struct ChoiceGroup<'a> {
    pub path: &'a str,
    pub legend: &'a str,
    pub options: &'a [Text],
    /// What option `i` posts in a plain form: a score (`"3"`) or a code (`"P"`).
    pub value_of: fn(usize) -> &'static str,
    pub selected: Option<usize>,
    pub field: ChoiceField,
    /// `data-kind` for the stylesheet: `question` (numbered), `inline` (options side by side).
    pub kind: Option<&'static str>,
}

/// Renders a [`ChoiceGroup`] for the current state.
pub fn choice_group(group: ChoiceGroup<'_>, state: &SurveyState, dispatch: &Callback<Msg>) -> Html {
    let id = dom_id(group.path);
    let message_id = error_id(group.path);
    let error = error_text(state.error_for(group.path), state.setup.lang);
    let invalid = error.is_some().then_some("true");
    let lang = state.setup.lang;
    // Loops rather than `{ for iter.map(..) }`: each iterator type instantiates its own
    // collecting code in the wasm, while a Vec<Html> shares one.
    let mut options = Vec::with_capacity(group.options.len());
    for (i, label) in group.options.iter().enumerate() {
        let dispatch = dispatch.clone();
        let choice = group.field;
        let value = (group.value_of)(i);
        options.push(html! {
            <label class="ikm-option">
                <input type="radio" name={group.path.to_string()} value={value}
                    id={(i == 0).then(|| id.clone())}
                    checked={group.selected == Some(i)} aria-invalid={invalid}
                    onchange={Callback::from(move |_| dispatch.emit(Msg::Act(Action::Choose(choice, i))))} />
                <span>{ label.get(lang) }</span>
            </label>
        });
    }
    html! {
        <fieldset class="ikm-group" data-kind={group.kind} data-invalid={invalid}
            aria-invalid={invalid} aria-describedby={invalid.map(|_| message_id.clone())}>
            <legend>{ group.legend.to_string() }</legend>
            if let Some(message) = error {
                <p class="ikm-error" id={message_id.clone()}>{ message }</p>
            }
            <div class="ikm-options">{ for options }</div>
        </fieldset>
    }
}

/// What a [`text_field`] holds: a drop-down list, a one-line input or the suggestion box.
enum Control<'a> {
    /// A placeholder first, then `(value, label)` options.
    Select {
        placeholder: Text,
        options: Vec<(&'a str, &'a str)>,
        chosen: &'a str,
    },
    /// `<input>` of `kind` (`number`, `text`); numbers get `min`/`max`, texts a `maxlength`.
    Input {
        kind: &'static str,
        value: String,
        min: Option<u32>,
        max: Option<u32>,
        maxlength: Option<usize>,
    },
    /// The suggestion's textarea, with its personal-data warning and character counter.
    Suggestion { value: String, left: usize },
}

/// A label, the field's error message if any, and the control, which gets `aria-invalid` and
/// `aria-describedby` (its message, and for the suggestion its warning and counter). One
/// function for every control, with no closures: each would be its own code in the wasm.
fn text_field(
    state: &SurveyState,
    dispatch: &Callback<Msg>,
    path: &str,
    label: String,
    field: TextField,
    control: Control<'_>,
) -> Html {
    let lang = state.setup.lang;
    let error = error_text(state.error_for(path), lang);
    let invalid = error.is_some().then_some("true");
    let id = dom_id(path);
    let message_id = error_id(path);
    let mut described = invalid.map(|_| message_id.clone());
    let control = match control {
        Control::Select {
            placeholder,
            options,
            chosen,
        } => {
            let mut items = vec![html! {
                <option value="" selected={chosen.is_empty()}>{ placeholder.get(lang) }</option>
            }];
            for (value, label) in options {
                items.push(html! {
                    <option value={value.to_string()} selected={value == chosen}>{ label.to_string() }</option>
                });
            }
            html! {
                <select id={id.clone()} name={path.to_string()} aria-invalid={invalid} aria-describedby={described}
                    onchange={on_change(dispatch, field)}>
                    { for items }
                </select>
            }
        }
        Control::Input {
            kind,
            value,
            min,
            max,
            maxlength,
        } => html! {
            <input type={kind} inputmode={(kind == "number").then_some("numeric")} id={id.clone()} name={path.to_string()}
                min={min.map(|m| m.to_string())}
                max={max.map(|m| m.to_string())} maxlength={maxlength.map(|m| m.to_string())}
                autocomplete="off" value={value} aria-invalid={invalid} aria-describedby={described}
                oninput={on_input(dispatch, field)} />
        },
        Control::Suggestion { value, left } => {
            let hint_id = format!("{id}-hint");
            let count_id = format!("{id}-count");
            let all = described.take().map_or(String::new(), |m| m + " ");
            html! {
                <>
                    <p class="ikm-hint" id={hint_id.clone()}>{ ui::SUGGESTION_WARNING.get(lang) }</p>
                    <textarea id={id.clone()} name={path.to_string()} rows="4" maxlength={MAX_SUGGESTION_CHARS.to_string()} value={value}
                        aria-invalid={invalid} aria-describedby={format!("{all}{hint_id} {count_id}")}
                        oninput={on_input(dispatch, field)} />
                    <p class="ikm-count" id={count_id} aria-live="polite">{ chars_left(left, lang) }</p>
                </>
            }
        }
    };
    html! {
        <div class="ikm-field" data-invalid={invalid}>
            <label for={id}>{ label }</label>
            if let Some(message) = error {
                <p class="ikm-error" id={message_id}>{ message }</p>
            }
            { control }
        </div>
    }
}

/// The queue ticket's service code, shown and posted when the link carried one. If the
/// collector refused it (used, expired, unknown), its message and a button that sends the
/// same answers without it: a plain submit button, so it works without JavaScript too.
fn code_field(state: &SurveyState, dispatch: &Callback<Msg>) -> Html {
    let Some(code) = &state.draft.code else {
        return html! {};
    };
    let lang = state.setup.lang;
    let error = error_text(state.error_for(field::CODE), lang);
    let invalid = error.is_some().then_some("true");
    let message_id = error_id(field::CODE);
    // The reducer sends at once: the button is gone after this click, and a submit button
    // removed from the page submits nothing (the HTML activation rules).
    let onclick = dispatch.reform(|e: MouseEvent| {
        e.prevent_default();
        Msg::SendWithoutCode
    });
    html! {
        <div class="ikm-field" data-invalid={invalid}>
            { fixed(ui::CODE.get(lang), ikm_core::codes::grouped(code)) }
            <input type="hidden" name={field::CODE} value={code.clone()} />
            if let Some(message) = error {
                <p class="ikm-error" id={message_id.clone()}>{ message }</p>
                <button type="submit" class="ikm-secondary" id={dom_id(field::CODE)}
                    name={ikm_core::form::WITHOUT_CODE} value="1" aria-describedby={message_id} {onclick}>
                    { ui::SEND_WITHOUT_CODE.get(lang) }
                </button>
            }
        </div>
    }
}

/// A value the page fixed (service, counter), shown instead of asked.
fn fixed(label: &str, value: String) -> Html {
    html! { <p class="ikm-fixed"><span class="ikm-fixed-label">{ label.to_string() }{ ": " }</span>{ value }</p> }
}

fn labels<C: Choice>() -> Vec<Text> {
    C::ALL.iter().map(|c| c.label()).collect()
}

/// What option `i` of a score question posts: `"1"` for the first, and so on.
pub fn score_value(i: usize) -> &'static str {
    ["1", "2", "3", "4", "5", "6"]
        .get(i)
        .copied()
        .unwrap_or_default()
}

/// What option `i` of a choice question posts: its code.
fn code_value<C: Choice>(i: usize) -> &'static str {
    C::ALL.get(i).map_or("", |c| c.code())
}

fn index_of<C: Choice + PartialEq>(value: Option<C>) -> Option<usize> {
    value.and_then(|v| C::ALL.iter().position(|c| *c == v))
}

/// The "about you" section: service (unless fixed), counter, gender, age, education,
/// occupation; under its title unless a screen of its own names it (one question per screen).
pub fn profile_section(state: &SurveyState, dispatch: &Callback<Msg>, heading: bool) -> Html {
    let lang = state.setup.lang;
    let r = &state.draft.respondent;
    let config = state.setup.config.as_ref();
    let service = match &state.setup.fixed_service {
        Some(id) => fixed(
            ui::SERVICE.get(lang),
            config
                .service(id)
                .map_or(id.as_str(), |s| s.label.get(lang))
                .to_string(),
        ),
        None => {
            let mut options = Vec::with_capacity(config.services.len());
            for s in &config.services {
                options.push((s.id.as_str(), s.label.get(lang)));
            }
            let select = Control::Select {
                placeholder: ui::SERVICE_PLACEHOLDER,
                options,
                chosen: state.draft.service.as_deref().unwrap_or_default(),
            };
            let label = ui::SERVICE.get(lang).into();
            text_field(
                state,
                dispatch,
                field::SERVICE,
                label,
                TextField::Service,
                select,
            )
        }
    };
    let counter = state
        .draft
        .counter
        .clone()
        .map(|c| fixed(ui::COUNTER.get(lang), c));
    let age = Control::Input {
        kind: "number",
        value: state.age_text.clone(),
        min: Some(config.min_age.into()),
        max: Some(MAX_AGE),
        maxlength: None,
    };
    let age_label = format!("{} ({})", ui::AGE.get(lang), ui::AGE_UNIT.get(lang));
    let age = text_field(state, dispatch, field::AGE, age_label, TextField::Age, age);
    let mut educations = Vec::with_capacity(Education::ALL.len());
    for e in Education::ALL {
        educations.push((e.code(), e.label().get(lang)));
    }
    let education = Control::Select {
        placeholder: ui::EDUCATION_PLACEHOLDER,
        options: educations,
        chosen: r.education.map_or("", |e| e.code()),
    };
    let label = ui::EDUCATION.get(lang).into();
    let education = text_field(
        state,
        dispatch,
        field::EDUCATION,
        label,
        TextField::Education,
        education,
    );
    let other = (r.occupation == Some(Occupation::LAINNYA)).then(|| {
        let input = Control::Input {
            kind: "text",
            value: r.occupation_other.clone().unwrap_or_default(),
            min: None,
            max: None,
            maxlength: Some(MAX_OCCUPATION_OTHER_CHARS),
        };
        let label = ui::OCCUPATION_OTHER.get(lang).into();
        text_field(
            state,
            dispatch,
            field::OCCUPATION_OTHER,
            label,
            TextField::OccupationOther,
            input,
        )
    });
    let (genders, occupations) = (labels::<Gender>(), labels::<Occupation>());
    let gender = ChoiceGroup {
        path: field::GENDER,
        legend: ui::GENDER.get(lang),
        options: &genders,
        value_of: code_value::<Gender>,
        selected: index_of(r.gender),
        field: ChoiceField::Gender,
        kind: Some("inline"),
    };
    let occupation = ChoiceGroup {
        path: field::OCCUPATION,
        legend: ui::OCCUPATION.get(lang),
        options: &occupations,
        value_of: code_value::<Occupation>,
        selected: index_of(r.occupation),
        field: ChoiceField::Occupation,
        kind: None,
    };
    html! {
        <section class="ikm-section" aria-labelledby={if heading { "ikm-h-profile" } else { "ikm-step-title" }}>
            if heading {
                <h3 id="ikm-h-profile">{ ui::PROFILE.get(lang) }</h3>
            }
            { service }
            { for counter }
            { code_field(state, dispatch) }
            { choice_group(gender, state, dispatch) }
            { age }
            { education }
            { choice_group(occupation, state, dispatch) }
            { for other }
        </section>
    }
}

/// The optional suggestion: a textarea limited to 1,000 characters, a personal-data warning and a polite counter.
pub fn suggestion_box(state: &SurveyState, dispatch: &Callback<Msg>) -> Html {
    let lang = state.setup.lang;
    let value = state.draft.suggestion.clone().unwrap_or_default();
    let left = MAX_SUGGESTION_CHARS.saturating_sub(value.chars().count());
    let label = ui::SUGGESTION.get(lang).into();
    let control = Control::Suggestion { value, left };
    text_field(
        state,
        dispatch,
        field::SUGGESTION,
        label,
        TextField::Suggestion,
        control,
    )
}
