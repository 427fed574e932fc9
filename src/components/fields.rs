//! Form fields as view functions: radio groups, the labelled controls, the profile section, the suggestion.

use crate::components::{dom_id, error_id, error_text, join_classes, on_change, on_input};
use crate::state::{Action, ChoiceField, SurveyState, TextField};
use ikm_core::i18n::{chars_left, ui};
use ikm_core::questionnaire::{Choice, Education, Gender, Occupation};
use ikm_core::submission::MAX_SUGGESTION_CHARS;
use ikm_core::validate::{field, MAX_AGE};
use ikm_core::{Lang, Text};
use yew::prelude::*;

/// A question answered with one option: a `fieldset` whose `legend` is the question, one radio per
/// option in order 1 → n, the message under the legend tied by `aria-describedby`.
pub struct ChoiceGroup<'a> {
    pub path: &'a str,
    pub legend: &'a str,
    pub options: Vec<&'static str>,
    pub selected: Option<usize>,
    pub field: ChoiceField,
    pub class: &'static str,
}

/// Renders a [`ChoiceGroup`] for the current state.
pub fn choice_group(
    group: ChoiceGroup<'_>,
    state: &SurveyState,
    dispatch: &Callback<Action>,
) -> Html {
    let id = dom_id(group.path);
    let message_id = error_id(group.path);
    let error = error_text(state.error_for(group.path), state.setup.lang);
    let invalid = error.is_some().then_some("true");
    html! {
        <fieldset class={join_classes(&["ikm-group", group.class, invalid.map_or("", |_| "ikm-invalid")])}
            aria-invalid={invalid} aria-describedby={invalid.map(|_| message_id.clone())}>
            <legend>{ group.legend.to_string() }</legend>
            if let Some(message) = error {
                <p class="ikm-error" id={message_id.clone()}>{ message }</p>
            }
            <div class="ikm-options">
                { for group.options.iter().enumerate().map(|(i, label)| {
                    let dispatch = dispatch.clone();
                    let choice = group.field;
                    html! {
                        <label class="ikm-option">
                            <input type="radio" name={id.clone()} value={(i + 1).to_string()}
                                id={(i == 0).then(|| id.clone())}
                                checked={group.selected == Some(i)} aria-invalid={invalid}
                                onchange={Callback::from(move |_| dispatch.emit(Action::Choose(choice, i)))} />
                            <span>{ *label }</span>
                        </label>
                    }
                }) }
            </div>
        </fieldset>
    }
}

/// A label, the field's error message if any, and the control, which gets its
/// `aria-invalid` value and the message id for `aria-describedby` (both None when valid).
fn labelled(
    state: &SurveyState,
    path: &str,
    label: String,
    control: &dyn Fn(Option<&'static str>, Option<String>) -> Html,
) -> Html {
    let error = error_text(state.error_for(path), state.setup.lang);
    let invalid = error.is_some().then_some("true");
    let describedby = invalid.map(|_| error_id(path));
    html! {
        <div class={if invalid.is_some() { "ikm-field ikm-invalid" } else { "ikm-field" }}>
            <label for={dom_id(path)}>{ label }</label>
            if let Some(message) = error {
                <p class="ikm-error" id={error_id(path)}>{ message }</p>
            }
            { control(invalid, describedby) }
        </div>
    }
}

/// A choice from a drop-down list: a placeholder first, then `(value, label)` options.
struct SelectField<'a> {
    path: &'static str,
    label: Text,
    placeholder: Text,
    options: Vec<(&'a str, &'a str)>,
    chosen: &'a str,
    field: TextField,
}

/// Renders a [`SelectField`] inside its label and error message.
fn select_field(select: SelectField<'_>, state: &SurveyState, dispatch: &Callback<Action>) -> Html {
    let lang = state.setup.lang;
    let control = |invalid: Option<&'static str>, described: Option<String>| {
        html! {
            <select id={dom_id(select.path)} aria-invalid={invalid} aria-describedby={described}
                onchange={on_change(dispatch, select.field)}>
                <option value="" selected={select.chosen.is_empty()}>{ select.placeholder.get(lang) }</option>
                { for select.options.iter().map(|(value, label)| html! {
                    <option value={value.to_string()} selected={*value == select.chosen}>{ label.to_string() }</option>
                }) }
            </select>
        }
    };
    labelled(state, select.path, select.label.get(lang).into(), &control)
}

fn labels<C: Choice>(lang: Lang) -> Vec<&'static str> {
    C::ALL.iter().map(|c| c.label().get(lang)).collect()
}

fn index_of<C: Choice + PartialEq>(value: Option<C>) -> Option<usize> {
    value.and_then(|v| C::ALL.iter().position(|c| *c == v))
}

/// The "about you" section: service (unless fixed), counter, gender, age, education, occupation.
pub fn profile_section(state: &SurveyState, dispatch: &Callback<Action>) -> Html {
    let lang = state.setup.lang;
    let r = &state.draft.respondent;
    let config = state.setup.config.as_ref();
    let fixed = |label: &str, value: String| {
        html! { <p class="ikm-fixed"><span class="ikm-fixed-label">{ label.to_string() }{ ": " }</span>{ value }</p> }
    };
    let service = match &state.setup.fixed_service {
        Some(id) => fixed(
            ui::SERVICE.get(lang),
            config
                .service(id)
                .map_or(id.as_str(), |s| s.label.get(lang))
                .to_string(),
        ),
        None => {
            let options = config
                .services
                .iter()
                .map(|s| (s.id.as_str(), s.label.get(lang)))
                .collect();
            let chosen = state.draft.service.as_deref().unwrap_or_default();
            let select = SelectField {
                path: field::SERVICE,
                label: ui::SERVICE,
                placeholder: ui::SERVICE_PLACEHOLDER,
                options,
                chosen,
                field: TextField::Service,
            };
            select_field(select, state, dispatch)
        }
    };
    let counter = state
        .draft
        .counter
        .clone()
        .map(|c| fixed(ui::COUNTER.get(lang), c));
    let age_label = format!("{} ({})", ui::AGE.get(lang), ui::AGE_UNIT.get(lang));
    let age = labelled(state, field::AGE, age_label, &|invalid, described| {
        html! {
            <input type="number" inputmode="numeric" id={dom_id(field::AGE)} class="ikm-age"
                min={config.min_age.to_string()} max={MAX_AGE.to_string()} autocomplete="off"
                value={state.age_text.clone()} aria-invalid={invalid} aria-describedby={described}
                oninput={on_input(dispatch, TextField::Age)} />
        }
    });
    let education = select_field(
        SelectField {
            path: field::EDUCATION,
            label: ui::EDUCATION,
            placeholder: ui::EDUCATION_PLACEHOLDER,
            options: Education::ALL
                .iter()
                .map(|e| (e.code(), e.label().get(lang)))
                .collect(),
            chosen: r.education.map_or("", |e| e.code()),
            field: TextField::Education,
        },
        state,
        dispatch,
    );
    let other = (r.occupation == Some(Occupation::LAINNYA)).then(|| {
        labelled(state, field::OCCUPATION_OTHER, ui::OCCUPATION_OTHER.get(lang).into(), &|invalid, described| html! {
            <input type="text" id={dom_id(field::OCCUPATION_OTHER)} maxlength="100" autocomplete="off"
                value={r.occupation_other.clone().unwrap_or_default()}
                aria-invalid={invalid} aria-describedby={described}
                oninput={on_input(dispatch, TextField::OccupationOther)} />
        })
    });
    let gender = ChoiceGroup {
        path: field::GENDER,
        legend: ui::GENDER.get(lang),
        options: labels::<Gender>(lang),
        selected: index_of(r.gender),
        field: ChoiceField::Gender,
        class: "ikm-inline",
    };
    let occupation = ChoiceGroup {
        path: field::OCCUPATION,
        legend: ui::OCCUPATION.get(lang),
        options: labels::<Occupation>(lang),
        selected: index_of(r.occupation),
        field: ChoiceField::Occupation,
        class: "",
    };
    html! {
        <section class="ikm-section" aria-labelledby="ikm-h-profile">
            <h3 id="ikm-h-profile">{ ui::PROFILE.get(lang) }</h3>
            { service }
            { for counter }
            { choice_group(gender, state, dispatch) }
            { age }
            { education }
            { choice_group(occupation, state, dispatch) }
            { for other }
        </section>
    }
}

/// The optional suggestion: a textarea limited to 1,000 characters, a personal-data warning and a polite counter.
pub fn suggestion_box(state: &SurveyState, dispatch: &Callback<Action>) -> Html {
    let lang = state.setup.lang;
    let text = state.draft.suggestion.clone().unwrap_or_default();
    let left = MAX_SUGGESTION_CHARS.saturating_sub(text.chars().count());
    let id = dom_id(field::SUGGESTION);
    let hint_id = format!("{id}-hint");
    let count_id = format!("{id}-count");
    let control = |invalid: Option<&'static str>, described: Option<String>| {
        html! {
            <>
                <p class="ikm-hint" id={hint_id.clone()}>{ ui::SUGGESTION_WARNING.get(lang) }</p>
                <textarea id={id.clone()} rows="4" maxlength={MAX_SUGGESTION_CHARS.to_string()} value={text.clone()}
                    aria-invalid={invalid} aria-describedby={format!("{} {hint_id} {count_id}", described.unwrap_or_default()).trim().to_string()}
                    oninput={on_input(dispatch, TextField::Suggestion)} />
                <p class="ikm-count" id={count_id.clone()} aria-live="polite">{ chars_left(left, lang) }</p>
            </>
        }
    };
    labelled(
        state,
        field::SUGGESTION,
        ui::SUGGESTION.get(lang).into(),
        &control,
    )
}
