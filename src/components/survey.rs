//! The survey screen as a view function: the questionnaire, or the end-of-survey screen.

use crate::components::fields::{choice_group, score_value, ChoiceGroup};
use crate::components::notices::{kiosk_staff, language_switch, staff_view, thank_you};
use crate::components::Msg;
use crate::kiosk::Screen;
use crate::state::{ChoiceField, Failure, Phase, SurveyState};
use ikm_core::i18n::ui;
use ikm_core::questionnaire::{scale_labels, Module};
use ikm_core::validate::field;
use yew::prelude::*;

/// Renders `state`; `root` is the node focus and theming work in, `outbox` the staff view's
/// (pending, rejected) counts.
pub fn view(
    state: &SurveyState,
    dispatch: &Callback<Msg>,
    root: &NodeRef,
    outbox: (usize, usize),
) -> Html {
    let lang = state.setup.lang;
    let office = &state.setup.config.office_name;
    // Links that reload the page keep the one-question-per-screen mode.
    #[cfg(feature = "steps")]
    let also = state.flow.map_or("", |_| crate::steps::QUERY);
    #[cfg(not(feature = "steps"))]
    let also = "";
    let kiosk = state.kiosk.as_ref();
    // On a kiosk, five quick taps on the office name open the staff view.
    let on_office = kiosk.map(|_| dispatch.reform(|_: MouseEvent| Msg::StaffTap));
    let header = html! {
        <header class="ikm-header">
            <div class="ikm-topline">
                if !office.is_empty() {
                    <p class="ikm-office" onclick={on_office}>{ office.clone() }</p>
                }
                { language_switch(&state.setup, also, dispatch) }
            </div>
            <h2 class="ikm-title" id="ikm-title" tabindex="-1">{ ui::TITLE.get(lang) }</h2>
        </header>
    };
    let staff = match kiosk {
        None => staff_view(outbox.0, outbox.1, lang, dispatch),
        Some(k) => kiosk_staff(k, outbox, lang, dispatch),
    };
    // Any touch on a kiosk counts as someone being there (so does any change of an answer).
    let on_touch = kiosk.map(|_| dispatch.reform(|_: PointerEvent| Msg::Activity(false)));
    // One root for every screen: the attract screen, the end of the survey, or the form.
    let body = if kiosk.is_some_and(|k| k.screen == Screen::Attract) {
        html! {
            <div class="ikm-attract">
                <button type="button" class="ikm-button ikm-start" id="ikm-start" onclick={dispatch.reform(|_: MouseEvent| Msg::Activity(true))}>
                    { ui::TOUCH_TO_START.get(lang) }
                </button>
            </div>
        }
    } else if let Some(screen) = state.done_screen() {
        let on_new = dispatch.reform(|e: MouseEvent| {
            e.prevent_default();
            Msg::StartNew
        });
        html! {
            <>
                { thank_you(screen, &state.setup, also, on_new) }
                if let Some(k) = kiosk {
                    <p class="ikm-countdown">{ ikm_core::i18n::fresh_form_in(k.seconds_to_fresh_form(), lang) }</p>
                }
            </>
        }
    } else {
        form_body(state, dispatch, root)
    };
    let prompt = match kiosk.map(|k| (k, k.screen)) {
        Some((k, Screen::StillThere { until_ms })) => html! {
            <div class="ikm-prompt" role="alertdialog" aria-modal="true" aria-labelledby="ikm-prompt-title" aria-describedby="ikm-prompt-body">
                <h3 id="ikm-prompt-title">{ ui::STILL_THERE.get(lang) }</h3>
                <p id="ikm-prompt-body">{ ikm_core::i18n::clearing_in(k.seconds_left(until_ms), lang) }</p>
                <button type="button" class="ikm-button" id="ikm-still-there" onclick={dispatch.reform(|_: MouseEvent| Msg::Activity(false))}>{ ui::CONTINUE.get(lang) }</button>
                <button type="button" class="ikm-button ikm-secondary" onclick={dispatch.reform(|_: MouseEvent| Msg::StartNew)}>{ ui::START_OVER.get(lang) }</button>
            </div>
        },
        _ => html! {},
    };

    html! {
        <div class="ikm" data-kiosk={kiosk.map(|_| "")} lang={lang.code()} ref={root.clone()} onpointerdown={on_touch}>
            { prompt }
            { header }
            { body }
            { staff }
        </div>
    }
}

/// An enabled perception module's statements, under its title unless a screen of its own
/// names it already (one question per screen); nothing for a module the office left off.
pub fn module_section(
    state: &SurveyState,
    dispatch: &Callback<Msg>,
    module: Module,
    heading: bool,
) -> Html {
    let lang = state.setup.lang;
    let Some(settings) = state.setup.config.modules.get(module) else {
        return html! {};
    };
    let given = state.draft.module(module);
    let mut statements = Vec::with_capacity(module.statements().len());
    for st in module.statements() {
        let path = field::statement(module, st.key);
        let group = ChoiceGroup {
            path: &path,
            legend: st.text.get(lang),
            options: scale_labels(settings.scale),
            value_of: score_value,
            selected: given
                .and_then(|a| a.get(st.key))
                .map(|v| usize::from(v).saturating_sub(1)),
            field: ChoiceField::Statement(module, st.key),
            kind: Some("question"),
        };
        statements.push(choice_group(group, state, dispatch));
    }
    let id = format!("ikm-h-{}", module.key());
    let labelled_by = if heading {
        id.clone()
    } else {
        "ikm-step-title".into()
    };
    html! {
        <section class="ikm-section" aria-labelledby={labelled_by}>
            if heading {
                <h3 {id}>{ module.title().get(lang) }</h3>
            }
            { for statements }
        </section>
    }
}

/// One of the nine elements' questions, its four answers as radios.
pub fn question_group(
    state: &SurveyState,
    dispatch: &Callback<Msg>,
    q: &ikm_core::questionnaire::Question,
) -> Html {
    let path = field::answer(q.element);
    let group = ChoiceGroup {
        path: &path,
        legend: q.text.get(state.setup.lang),
        options: &q.answers,
        value_of: score_value,
        selected: state
            .draft
            .answers
            .get(q.element)
            .map(|v| usize::from(v).saturating_sub(1)),
        field: ChoiceField::Answer(q.element),
        kind: Some("question"),
    };
    choice_group(group, state, dispatch)
}

/// What the status line under the form says after a failed send, if anything.
pub fn status_text(phase: &Phase) -> Option<ikm_core::Text> {
    match phase {
        // Only the server-rendered form answers its own posts with a 429 page.
        #[cfg(feature = "ssr")]
        Phase::Failed(Failure::Temporary {
            status: Some(429), ..
        }) => Some(ui::TOO_MANY_REQUESTS),
        Phase::Failed(Failure::Temporary { .. }) => Some(ui::SEND_FAILED),
        Phase::Failed(Failure::Refused { status: 409 }) => Some(ui::ALREADY_SENT_CHANGED),
        // Only the server-rendered form without JavaScript meets a 428 (the widget solves the
        // proof of work), so the phone's build leaves the message out.
        #[cfg(feature = "ssr")]
        Phase::Failed(Failure::Refused { status: 428 }) => Some(ui::NEEDS_SCRIPT),
        Phase::Failed(Failure::Invalid | Failure::Refused { .. }) => Some(ui::SEND_REJECTED),
        _ => None,
    }
}

/// The status line and the send button, as the form's last lines.
pub fn send_row(state: &SurveyState) -> Html {
    let lang = state.setup.lang;
    let sending = state.sending();
    let button_label = match &state.phase {
        Phase::Saving | Phase::Posting => ui::SENDING,
        Phase::Failed(Failure::Temporary { .. }) => ui::RETRY,
        _ => ui::SUBMIT,
    };
    html! {
        <>
            <div id="ikm-status" class="ikm-status" tabindex="-1" role="status">
                if let Some(message) = status_text(&state.phase) {
                    <p class="ikm-error">{ message.get(lang) }</p>
                }
            </div>
            <button type="submit" class="ikm-button ikm-submit" aria-disabled={sending.then_some("true")}>
                { button_label.get(lang) }
            </button>
        </>
    }
}

/// The questionnaire itself: one question per screen where the survey asks so, otherwise
/// the whole form on one page.
fn form_body(state: &SurveyState, dispatch: &Callback<Msg>, root: &NodeRef) -> Html {
    #[cfg(feature = "steps")]
    if let Some(flow) = state.flow {
        return crate::components::steps::body(state, flow, dispatch, root);
    }
    one_page(state, dispatch, root)
}

/// The steps wasm carries no one-page form: the module routes each survey to the build for
/// its mode, and this build starts every survey on its first screen (`App::ready`).
#[cfg(all(feature = "steps", not(feature = "ssr")))]
fn one_page(state: &SurveyState, dispatch: &Callback<Msg>, root: &NodeRef) -> Html {
    crate::components::steps::body(state, crate::steps::Flow::START, dispatch, root)
}

/// The whole questionnaire on one page: intro, form, status and the send button.
#[cfg(any(not(feature = "steps"), feature = "ssr"))]
fn one_page(state: &SurveyState, dispatch: &Callback<Msg>, root: &NodeRef) -> Html {
    use crate::components::fields::{profile_section, suggestion_box};
    use crate::components::notices::error_summary;
    use ikm_core::{form, i18n::progress, questionnaire::STANDARD};
    let lang = state.setup.lang;
    let kiosk = state.kiosk.as_ref();
    let on_submit = dispatch.reform(|e: SubmitEvent| {
        e.prevent_default();
        Msg::Submit
    });
    let (answered, total) = state.progress();
    // Loops rather than `{ for iter.map(..) }`: see `choice_group`.
    let mut questions = Vec::with_capacity(STANDARD.questions.len());
    for q in &STANDARD.questions {
        questions.push(question_group(state, dispatch, q));
    }
    let mut modules = Vec::new();
    for module in Module::ALL {
        modules.push(module_section(state, dispatch, module, true));
    }
    html! {
        <>
            <p class="ikm-purpose">{ ikm_core::i18n::purpose(lang, state.setup.config.rated_items()) }</p>
            <p class="ikm-privacy">{ ui::PRIVACY.get(lang) }</p>
            // A real form: without JavaScript it posts to the page it is on (the collector's
            // survey page reads it); with JavaScript the widget handles the submit.
            // Keyed by the response: a fresh response is a fresh form, no control carried over.
            // A kiosk also keeps the browser from suggesting what earlier respondents typed.
            <form key={state.draft.id.clone()} class="ikm-form" method="post" novalidate=true onsubmit={on_submit} aria-label={ui::TITLE.get(lang)}
                autocomplete={kiosk.map(|_| "off")}>
                <input type="hidden" name={form::ID} value={state.draft.id.clone()} />
                <input type="hidden" name={form::LANG} value={lang.code()} />
                { error_summary(&state.errors, lang, root) }
                <p class="ikm-note">{ ui::REQUIRED_NOTE.get(lang) }</p>
                <div class="ikm-progress">
                    <span id="ikm-progress-label">{ progress(answered, total, lang) }</span>
                    <progress max={total.to_string()} value={answered.to_string()} aria-labelledby="ikm-progress-label"></progress>
                </div>
                { profile_section(state, dispatch, true) }
                <section class="ikm-section" aria-labelledby="ikm-h-questions">
                    <h3 id="ikm-h-questions">{ ui::QUESTIONS.get(lang) }</h3>
                    { for questions }
                </section>
                { for modules }
                { suggestion_box(state, dispatch) }
                { send_row(state) }
            </form>
        </>
    }
}
