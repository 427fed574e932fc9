//! One question per screen as a view: the screen shown, the step count, a way back, and the
//! review before sending with a button to change each answer. Every screen is a real form;
//! rendered on the server it carries the other screens' answers in hidden fields, so without
//! JavaScript each post holds the whole response and the collector only renders the next
//! screen.

use crate::components::fields::{profile_section, suggestion_box};
use crate::components::notices::error_summary;
#[cfg(feature = "ssr")]
use crate::components::survey::status_text;
use crate::components::survey::{module_section, question_group, send_row};
use crate::components::Msg;
use crate::state::{Action, SurveyState};
use crate::steps::{self, Flow, Move, Position, Step};
use ikm_core::form;
use ikm_core::i18n::{step_of, ui};
use ikm_core::questionnaire::{answer_label, scale_labels, Choice, STANDARD};
use yew::prelude::*;

/// The form for the screen `flow` is on.
pub fn body(state: &SurveyState, flow: Flow, dispatch: &Callback<Msg>, root: &NodeRef) -> Html {
    let lang = state.setup.lang;
    let all = steps::steps(&state.setup);
    let on_submit = dispatch.reform(|e: SubmitEvent| {
        e.prevent_default();
        Msg::Submit
    });
    let shown = match flow.position {
        Position::Step(i) => all.get(i).copied(),
        Position::Review => None,
    };
    // Everything answered elsewhere travels along, so a post without JavaScript is whole. Only
    // the server's copy needs it: the widget sends the answers it holds itself.
    let mut hidden = Vec::new();
    #[cfg(feature = "ssr")]
    for (name, value) in form::fields_of(&state.draft) {
        if shown.is_none_or(|step| !step.owns(&name)) {
            hidden.push(html! { <input type="hidden" {name} {value} /> });
        }
    }
    for (name, value) in flow.fields() {
        hidden.push(html! { <input type="hidden" {name} {value} /> });
    }
    // A move the collector refused as too fast (429) comes back as the same question screen,
    // saying so; only the server renders it, so the phone's build carries none of it.
    #[cfg(feature = "ssr")]
    if let (Position::Step(_), Some(message)) = (flow.position, status_text(&state.phase)) {
        hidden.push(html! { <p class="ikm-error" role="alert">{ message.get(lang) }</p> });
    }
    let mover = |to: Move| {
        dispatch.reform(move |e: MouseEvent| {
            e.prevent_default();
            Msg::Act(Action::Step(to))
        })
    };
    let back = |label: ikm_core::Text| {
        html! {
            <button type="submit" class="ikm-link ikm-back" name={steps::MOVE} value={Move::Back.code()}
                formnovalidate=true onclick={mover(Move::Back)}>{ label.get(lang) }</button>
        }
    };
    // A screen reached by moving gets focus on its heading (also after a post without
    // JavaScript, where the page loads anew); the first screen leaves focus where it is.
    let autofocus = flow != Flow::START;
    let content = match (flow.position, shown) {
        (Position::Step(i), Some(step)) => {
            let next_label = if flow.from_review {
                ui::TO_REVIEW
            } else {
                ui::NEXT
            };
            html! {
                <>
                    <h3 id="ikm-step-title" class="ikm-step-title" tabindex="-1" {autofocus}>
                        <span class="ikm-step-count">{ step_of(i + 1, all.len(), lang) }</span>
                        { step.title(lang) }
                    </h3>
                    { error_summary(&state.errors, lang, root) }
                    { screen(state, dispatch, step) }
                    // Next first: Enter in a field presses the form's first button.
                    <div class="ikm-step-nav">
                        <button type="submit" class="ikm-button ikm-next" name={steps::MOVE} value={Move::Next.code()}
                            onclick={mover(Move::Next)}>{ next_label.get(lang) }</button>
                        if i > 0 {
                            { back(ui::BACK) }
                        }
                    </div>
                </>
            }
        }
        _ => html! {
            <>
                <h3 id="ikm-step-title" class="ikm-step-title" tabindex="-1" {autofocus}>{ ui::REVIEW.get(lang) }</h3>
                { error_summary(&state.errors, lang, root) }
                <p class="ikm-note">{ ui::REVIEW_HINT.get(lang) }</p>
                { review(state, &all, &mover) }
                { send_row(state) }
                <div class="ikm-step-nav">{ back(ui::BACK) }</div>
            </>
        },
    };
    html! {
        <form key={state.draft.id.clone()} class="ikm-form" method="post" novalidate=true onsubmit={on_submit}
            aria-label={ui::TITLE.get(lang)} autocomplete={state.kiosk.as_ref().map(|_| "off")} data-steps="">
            <input type="hidden" name={form::ID} value={state.draft.id.clone()} />
            <input type="hidden" name={form::LANG} value={lang.code()} />
            { for hidden }
            { content }
        </form>
    }
}

/// The controls of one screen.
fn screen(state: &SurveyState, dispatch: &Callback<Msg>, step: Step) -> Html {
    match step {
        Step::Profile => profile_section(state, dispatch, false),
        Step::Question(element) => question_group(state, dispatch, STANDARD.question(element)),
        Step::Module(module) => module_section(state, dispatch, module, false),
        Step::Suggestion => suggestion_box(state, dispatch),
    }
}

/// The review: each screen's answers in a row, with a button that goes back to change them.
fn review(state: &SurveyState, all: &[Step], mover: &dyn Fn(Move) -> Callback<MouseEvent>) -> Html {
    let lang = state.setup.lang;
    let mut rows = Vec::with_capacity(all.len());
    for (i, step) in all.iter().enumerate() {
        let title = step.title(lang);
        let answer = answers_of(state, *step);
        rows.push(html! {
            <div class="ikm-review-row">
                <dt>{ title }</dt>
                <dd>{ answer.unwrap_or_else(|| ui::NOT_ANSWERED.get(lang).to_string()) }</dd>
                <dd>
                    <button type="submit" class="ikm-link" name={steps::MOVE} value={Move::To(i).code()}
                        formnovalidate=true onclick={mover(Move::To(i))}>
                        { ui::CHANGE.get(lang) }<span class="ikm-visually-hidden">{ format!(": {title}") }</span>
                    </button>
                </dd>
            </div>
        });
    }
    html! { <dl class="ikm-review">{ for rows }</dl> }
}

/// What the respondent gave on a screen, in words; None when nothing was.
fn answers_of(state: &SurveyState, step: Step) -> Option<String> {
    let lang = state.setup.lang;
    let d = &state.draft;
    let mut parts: Vec<String> = Vec::new();
    match step {
        Step::Profile => {
            let r = &d.respondent;
            if let Some(id) = &d.service {
                let config = &state.setup.config;
                parts.push(
                    config
                        .service(id)
                        .map_or(id.as_str(), |s| s.label.get(lang))
                        .to_string(),
                );
            }
            parts.extend(r.gender.map(|g| g.label().get(lang).to_string()));
            parts.extend(r.age.map(|a| format!("{a} {}", ui::AGE_UNIT.get(lang))));
            parts.extend(r.education.map(|e| e.label().get(lang).to_string()));
            parts.extend(
                r.occupation_other
                    .clone()
                    .or_else(|| r.occupation.map(|o| o.label().get(lang).to_string())),
            );
        }
        Step::Question(element) => {
            parts.extend(
                d.answers
                    .get(element)
                    .and_then(|s| answer_label(element, s, lang))
                    .map(String::from),
            );
        }
        Step::Module(module) => {
            let scale = state
                .setup
                .config
                .modules
                .get(module)
                .map_or(0, |m| m.scale);
            for st in module.statements() {
                let label = d
                    .module(module)
                    .and_then(|a| a.get(st.key))
                    .and_then(|s| scale_labels(scale).get(usize::from(s).checked_sub(1)?))
                    .map_or(ui::NOT_ANSWERED.get(lang), |t| t.get(lang));
                parts.push(label.to_string());
            }
        }
        Step::Suggestion => parts.extend(d.suggestion.clone()),
    }
    // A loop, not `join`: the generic join is 0.9 KiB of code that only this line would use.
    let mut text = String::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if !text.is_empty() {
            text.push_str(" · ");
        }
        text.push_str(part);
    }
    (!text.is_empty()).then_some(text)
}
