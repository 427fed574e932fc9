//! The survey form: owns the reducer; sends, focuses and dispatches DOM events as effects.

use crate::browser::{dispatch_event, new_id, now_rfc3339, post_submission};
use crate::components::dom_id;
use crate::components::fields::{choice_group, profile_section, suggestion_box, ChoiceGroup};
use crate::components::notices::{
    error_summary, focus_by_id, language_switch, staff_view, thank_you, DoneScreen,
};
use crate::delivery;
use crate::state::{Action, ChoiceField, Failure, Phase, Setup, SurveyState};
use ikm_core::i18n::{progress, ui};
use ikm_core::questionnaire::{scale_labels, Module, STANDARD};
use ikm_core::validate::field;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SurveyProps {
    pub setup: Setup,
    pub endpoint: AttrValue,
    /// The custom element (or mount target) that events are dispatched from.
    pub host: HtmlElement,
}

impl Reducible for SurveyState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Rc::unwrap_or_clone(self).apply(action))
    }
}

/// The questionnaire, then the thank-you screen once stored.
#[function_component]
pub fn Survey(props: &SurveyProps) -> Html {
    let state = {
        let setup = props.setup.clone();
        use_reducer(move || SurveyState::new(setup, new_id()))
    };
    let root = use_node_ref();
    let dispatch: Callback<Action> = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action| dispatcher.dispatch(action))
    };
    use_sending(&state, &props.endpoint);
    let (pending, rejected) = use_outbox(&state);
    use_events(&state, &props.host);
    use_focus(&state, &root);
    {
        let root = root.clone();
        use_effect_with(state.setup.config.theme.accent.clone(), move |accent| {
            if let (Some(accent), Some(el)) = (accent, root.cast::<HtmlElement>()) {
                // CSSOM, not a style attribute: allowed under `style-src 'self'`.
                let _ = el.style().set_property("--ikm-accent", accent);
            }
        });
    }

    let lang = state.setup.lang;
    let office = &state.setup.config.office_name;
    let header = html! {
        <header class="ikm-header">
            <div class="ikm-topline">
                if !office.is_empty() {
                    <p class="ikm-office">{ office.clone() }</p>
                }
                { language_switch(lang, &dispatch) }
            </div>
            <h2 class="ikm-title">{ ui::TITLE.get(lang) }</h2>
        </header>
    };

    let staff = staff_view(pending, rejected, lang);
    let done = match (&state.phase, state.saved) {
        (Phase::Sent, _) => Some(DoneScreen::Sent),
        (Phase::Queued, _) => Some(DoneScreen::Queued),
        (Phase::Sending, true) => Some(DoneScreen::Saved),
        _ => None,
    };
    if let Some(screen) = done {
        let on_new = dispatch.reform(|_: MouseEvent| Action::NewResponse { id: new_id() });
        return html! {
            <div class="ikm" lang={lang.code()} ref={root}>
                { header }
                { thank_you(screen, lang, on_new) }
                { staff }
            </div>
        };
    }

    let on_submit = dispatch.reform(|e: SubmitEvent| {
        e.prevent_default();
        Action::Submit { at: now_rfc3339() }
    });
    let (answered, total) = state.progress();
    let questions = STANDARD.questions.iter().map(|q| {
        let path = field::answer(q.element);
        let group = ChoiceGroup {
            path: &path,
            legend: q.text.get(lang),
            options: q.answers.iter().map(|a| a.get(lang)).collect(),
            selected: state
                .draft
                .answers
                .get(q.element)
                .map(|v| usize::from(v).saturating_sub(1)),
            field: ChoiceField::Answer(q.element),
            class: "ikm-question",
        };
        choice_group(group, &state, &dispatch)
    });
    let modules = Module::ALL.iter().filter_map(|m| Some((*m, state.setup.config.modules.get(*m)?))).map(|(module, settings)| {
        let given = match module {
            Module::Spkp => &state.draft.spkp,
            Module::Spak => &state.draft.spak,
        };
        let heading = format!("ikm-h-{}", module.key());
        html! {
            <section class="ikm-section" aria-labelledby={heading.clone()}>
                <h3 id={heading}>{ module.title().get(lang) }</h3>
                { for module.statements().iter().map(|st| {
                    let path = field::statement(module, st.key);
                    let group = ChoiceGroup {
                        path: &path,
                        legend: st.text.get(lang),
                        options: scale_labels(settings.scale).iter().map(|t| t.get(lang)).collect(),
                        selected: given.as_ref().and_then(|a| a.get(st.key)).map(|v| usize::from(v).saturating_sub(1)),
                        field: ChoiceField::Statement(module, st.key),
                        class: "ikm-question",
                    };
                    choice_group(group, &state, &dispatch)
                }) }
            </section>
        }
    });
    let status = match &state.phase {
        Phase::Failed(Failure::Temporary { .. }) => Some(ui::SEND_FAILED),
        Phase::Failed(Failure::Invalid | Failure::Refused { .. }) => Some(ui::SEND_REJECTED),
        _ => None,
    };
    let sending = state.phase == Phase::Sending;
    let button_label = match &state.phase {
        Phase::Sending => ui::SENDING,
        Phase::Failed(Failure::Temporary { .. }) => ui::RETRY,
        _ => ui::SUBMIT,
    };

    html! {
        <div class="ikm" lang={lang.code()} ref={root.clone()}>
            { header }
            <p class="ikm-purpose">{ ui::PURPOSE.get(lang) }</p>
            <p class="ikm-privacy">{ ui::PRIVACY.get(lang) }</p>
            <form class="ikm-form" novalidate=true onsubmit={on_submit} aria-label={ui::TITLE.get(lang)}>
                { error_summary(&state.errors, lang, &root) }
                <p class="ikm-note">{ ui::REQUIRED_NOTE.get(lang) }</p>
                <div class="ikm-progress">
                    <span id="ikm-progress-label">{ progress(answered, total, lang) }</span>
                    <progress max={total.to_string()} value={answered.to_string()} aria-labelledby="ikm-progress-label"></progress>
                </div>
                { profile_section(&state, &dispatch) }
                <section class="ikm-section" aria-labelledby="ikm-h-questions">
                    <h3 id="ikm-h-questions">{ ui::QUESTIONS.get(lang) }</h3>
                    { for questions }
                </section>
                { for modules }
                { suggestion_box(&state, &dispatch) }
                <div id="ikm-status" class="ikm-status" tabindex="-1" role="status">
                    if let Some(message) = status {
                        <p class="ikm-error">{ message.get(lang) }</p>
                    }
                </div>
                <button type="submit" class="ikm-button ikm-submit" aria-disabled={sending.then_some("true")}>
                    { button_label.get(lang) }
                </button>
            </form>
            { staff }
        </div>
    }
}

/// On each send: saves the response in the device's outbox first, then lets the outbox deliver
/// it. Where the device cannot keep it (storage blocked or full), sends directly instead.
#[hook]
fn use_sending(state: &UseReducerHandle<SurveyState>, endpoint: &AttrValue) {
    let state = state.clone();
    let endpoint = endpoint.clone();
    use_effect_with(state.send_attempt, move |attempt| {
        if *attempt > 0 && state.phase == Phase::Sending {
            let dispatcher = state.dispatcher();
            match delivery::save(&endpoint, &state.draft) {
                Ok(()) => {
                    dispatcher.dispatch(Action::Saved);
                    delivery::kick();
                }
                Err(_) => {
                    let submission = state.draft.clone();
                    spawn_local(async move {
                        let outcome = post_submission(&endpoint, &submission, false).await;
                        dispatcher.dispatch(Action::Delivered(outcome));
                    });
                }
            }
        }
    });
}

/// Follows the device's outbox (this tab's sender and other tabs'): counts for the staff view,
/// and what became of the current response. Also delivers anything left from earlier visits.
#[hook]
fn use_outbox(state: &UseReducerHandle<SurveyState>) -> (usize, usize) {
    let version = use_state(|| 0u32);
    let counts = use_state(|| (0usize, 0usize));
    {
        let version = version.clone();
        use_effect_with((), move |_| {
            let subscription =
                delivery::subscribe(Callback::from(move |_| version.set(*version + 1)));
            delivery::kick();
            move || delivery::unsubscribe(subscription)
        });
    }
    {
        let state = state.clone();
        let counts = counts.clone();
        use_effect_with((*version, state.phase.clone(), state.saved), move |_| {
            let outbox = delivery::load();
            counts.set((outbox.pending(), outbox.rejected()));
            let entry = outbox.entries.iter().find(|e| e.id == state.draft.id);
            if let Some(action) = state.observe(entry) {
                state.dispatch(action);
            }
        });
    }
    *counts
}

/// Dispatches `ikm-submitted` / `ikm-error` from the host when the phase changes.
#[hook]
fn use_events(state: &UseReducerHandle<SurveyState>, host: &HtmlElement) {
    let host = host.clone();
    let id = state.draft.id.clone();
    use_effect_with(state.phase.clone(), move |phase| match phase {
        Phase::Sent => dispatch_event(&host, "ikm-submitted", &[("id", &id)]),
        Phase::Failed(failure) => {
            let code = match failure {
                Failure::Temporary { .. } => "network",
                Failure::Invalid => "invalid",
                Failure::Refused { .. } => "refused",
            };
            dispatch_event(&host, "ikm-error", &[("code", code), ("id", &id)]);
        }
        _ => {}
    });
}

/// Moves focus to the first problem, the failure message or the thank-you heading on request.
#[hook]
fn use_focus(state: &UseReducerHandle<SurveyState>, root: &NodeRef) {
    let state = state.clone();
    let root = root.clone();
    use_effect_with(state.focus_request, move |request| {
        if *request > 0 {
            let done = matches!(state.phase, Phase::Sent | Phase::Queued)
                || (state.saved && state.phase == Phase::Sending);
            let target = match (done, state.errors.first()) {
                (true, _) => "ikm-done-title".to_string(),
                (false, Some(first)) => dom_id(&first.field),
                (false, None) => "ikm-status".to_string(),
            };
            if !focus_by_id(&root, &target) {
                focus_by_id(&root, "ikm-status");
            }
        }
    });
}
