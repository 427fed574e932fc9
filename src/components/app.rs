//! The root component: loads the office configuration, runs the form's reducer and performs
//! its effects (saving, sending, events, focus) after each transition.
//!
//! One struct component rather than function components with hooks, on purpose: every hook
//! instance monomorphises Yew's hook machinery for its closure and state types, which cost
//! about 8 KiB gzip of wasm for the dozen hooks the widget needs. `SurveyState::apply` stays
//! the pure reducer; `update` is the edge that runs effects, as `use_effect_with` would.

use crate::browser::{
    browser_lang, dispatch_event, load_config, new_id, post_submission, query_param,
    ConfigLoadError,
};
use crate::components::notices::{focus_by_id, notice};
use crate::components::{dom_id, survey};
use crate::delivery;
use crate::mount::MountOptions;
use crate::state::{Action, Failure, Phase, Setup, SurveyState};
use ikm_core::config::is_slug;
use ikm_core::i18n::ui;
use ikm_core::{Lang, OfficeConfig};
use std::rc::Rc;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub options: MountOptions,
    /// The custom element (or mount target) that events are dispatched from.
    pub host: HtmlElement,
}

/// What the widget can show before and after the office configuration is known.
// One per widget, mostly Ready: boxing the survey would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Stage {
    /// No `endpoint`: nothing could be sent, so the form is not shown.
    NoEndpoint,
    Loading,
    Failed(ConfigLoadError),
    Ready(SurveyState),
}

/// What reaches the component: the configuration, a respondent's or delivery's intent, or
/// word that the device's outbox changed (here or in another tab).
pub enum Msg {
    ConfigLoaded(Result<OfficeConfig, ConfigLoadError>),
    Act(Action),
    OutboxChanged,
}

/// The mounted widget.
pub struct App {
    stage: Stage,
    endpoint: AttrValue,
    /// Pending and rejected entries in the device's outbox, for the staff view.
    outbox_counts: (usize, usize),
    subscription: u32,
    root: NodeRef,
    /// The last `focus_request` acted on, so focus moves once per request.
    focused: u32,
    /// Whether the configured accent colour is on the form's root yet.
    themed: bool,
}

/// Language: the QR link's `lang`, then the attribute, then the office default, then the browser, then Indonesian.
fn resolve_lang(options: &MountOptions, config: Option<&OfficeConfig>) -> Lang {
    query_param("lang")
        .and_then(|c| Lang::from_code(&c))
        .or_else(|| options.lang.as_deref().and_then(Lang::from_code))
        .or_else(|| config.and_then(|c| c.default_lang))
        .or_else(browser_lang)
        .unwrap_or_default()
}

/// What the page fixes: the QR link (`layanan`, `loket`) wins over the attributes; unknown values are ignored.
fn resolve_setup(options: &MountOptions, config: OfficeConfig) -> Setup {
    let fixed_service = query_param("layanan")
        .or_else(|| options.service.clone())
        .filter(|id| config.service(id).is_some());
    let counter = query_param("loket")
        .or_else(|| options.counter.clone())
        .filter(|c| is_slug(c));
    let unit = options.unit.clone().filter(|u| is_slug(u));
    Setup {
        lang: resolve_lang(options, Some(&config)),
        config: Rc::new(config),
        unit,
        fixed_service,
        counter,
    }
}

impl App {
    fn ready(ctx: &Context<Self>, config: OfficeConfig) -> Stage {
        let setup = resolve_setup(&ctx.props().options, config);
        Stage::Ready(SurveyState::new(setup, new_id()))
    }

    /// Applies one intent, then runs what the transition calls for.
    fn act(&mut self, ctx: &Context<Self>, action: Action) {
        // The reducer takes the state by value; `Loading` holds its place for this instant.
        let stage = std::mem::replace(&mut self.stage, Stage::Loading);
        let Stage::Ready(state) = stage else {
            self.stage = stage;
            return;
        };
        let (attempt, phase, saved) = (state.send_attempt, state.phase.clone(), state.saved);
        let state = state.apply(action);
        let send = state.send_attempt != attempt && state.phase == Phase::Sending;
        self.stage = Stage::Ready(state);
        if send {
            self.deliver(ctx);
        }
        let Stage::Ready(state) = &self.stage else {
            return;
        };
        if state.phase != phase {
            announce(&ctx.props().host, state);
        }
        if state.phase != phase || state.saved != saved {
            self.observe_outbox(ctx);
        }
    }

    /// Saves the response in the device's outbox first, then lets the outbox deliver it.
    /// Where the device cannot keep it (storage blocked or full), sends it directly instead.
    fn deliver(&mut self, ctx: &Context<Self>) {
        let Stage::Ready(state) = &self.stage else {
            return;
        };
        match delivery::save(&self.endpoint, &state.draft) {
            Ok(()) => {
                self.act(ctx, Action::Saved);
                delivery::kick();
            }
            Err(_) => {
                let endpoint = self.endpoint.clone();
                let submission = state.draft.clone();
                spawn(ctx, async move {
                    let outcome = post_submission(&endpoint, &submission, false).await;
                    Msg::Act(Action::Delivered(outcome))
                });
            }
        }
    }

    /// Reads the outbox: counts for the staff view, and what became of the current response.
    fn observe_outbox(&mut self, ctx: &Context<Self>) {
        let outbox = delivery::load();
        self.outbox_counts = (outbox.pending(), outbox.rejected());
        if let Stage::Ready(state) = &self.stage {
            let entry = outbox.entries.iter().find(|e| e.id == state.draft.id);
            if let Some(action) = state.observe(entry) {
                self.act(ctx, action);
            }
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let options = &ctx.props().options;
        let endpoint = options.endpoint.clone().filter(|e| !e.trim().is_empty());
        let stage = match (&endpoint, &options.config) {
            (None, _) => {
                dispatch_event(&ctx.props().host, "ikm-error", None, Some("config"));
                Stage::NoEndpoint
            }
            (Some(_), Some(url)) => {
                let url = url.clone();
                spawn(
                    ctx,
                    async move { Msg::ConfigLoaded(load_config(&url).await) },
                );
                Stage::Loading
            }
            (Some(_), None) => App::ready(ctx, OfficeConfig::default()),
        };
        // Delivers anything left from earlier visits, and follows other tabs' sending.
        let subscription = delivery::subscribe(ctx.link().callback(|()| Msg::OutboxChanged));
        delivery::kick();
        let outbox = delivery::load();
        App {
            stage,
            endpoint: endpoint.unwrap_or_default().into(),
            outbox_counts: (outbox.pending(), outbox.rejected()),
            subscription,
            root: NodeRef::default(),
            focused: 0,
            themed: false,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::ConfigLoaded(Ok(config)) => self.stage = App::ready(ctx, config),
            Msg::ConfigLoaded(Err(error)) => {
                dispatch_event(&ctx.props().host, "ikm-error", None, Some("config"));
                self.stage = Stage::Failed(error);
            }
            Msg::Act(action) => self.act(ctx, action),
            Msg::OutboxChanged => self.observe_outbox(ctx),
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let options = &ctx.props().options;
        let lang = resolve_lang(options, None);
        let hint = ui::CONTACT_STAFF.get(lang);
        match &self.stage {
            Stage::NoEndpoint => notice(
                ui::LOAD_FAILED.get(lang),
                ui::MISSING_ENDPOINT.get(lang),
                hint,
            ),
            Stage::Loading => {
                html! { <p class="ikm-loading" role="status">{ ui::LOADING.get(lang) }</p> }
            }
            Stage::Failed(error) => {
                let (title, why) = match error {
                    ConfigLoadError::Unreachable(why) => (ui::CONFIG_UNREACHABLE, why),
                    ConfigLoadError::Invalid(why) => (ui::CONFIG_INVALID, why),
                };
                let url = options.config.as_deref().unwrap_or_default();
                notice(title.get(lang), &format!("{url}: {why}"), hint)
            }
            Stage::Ready(state) => {
                let dispatch = ctx.link().callback(Msg::Act);
                survey::view(state, &dispatch, &self.root, self.outbox_counts)
            }
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        let Stage::Ready(state) = &self.stage else {
            return;
        };
        if !self.themed {
            if let (Some(accent), Some(el)) = (
                &state.setup.config.theme.accent,
                self.root.cast::<HtmlElement>(),
            ) {
                // CSSOM, not a style attribute: allowed under `style-src 'self'`.
                let _ = el.style().set_property("--ikm-accent", accent);
            }
            self.themed = true;
        }
        if state.focus_request != self.focused {
            self.focused = state.focus_request;
            focus_for(state, &self.root);
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        delivery::unsubscribe(self.subscription);
    }
}

/// Runs `work` and hands its message to the component. Boxed, so every future the widget
/// starts shares one instantiation of Yew's future plumbing.
fn spawn(ctx: &Context<App>, work: impl std::future::Future<Output = Msg> + 'static) {
    let work: std::pin::Pin<Box<dyn std::future::Future<Output = Msg>>> = Box::pin(work);
    ctx.link().send_future(work);
}

/// Dispatches `ikm-submitted` / `ikm-error` from the host for the phase just entered.
fn announce(host: &HtmlElement, state: &SurveyState) {
    let id = state.draft.id.as_str();
    let code = match &state.phase {
        Phase::Sent => return dispatch_event(host, "ikm-submitted", Some(id), None),
        Phase::Failed(Failure::Temporary { .. }) => "network",
        Phase::Failed(Failure::Invalid) => "invalid",
        Phase::Failed(Failure::Refused { .. }) => "refused",
        _ => return,
    };
    dispatch_event(host, "ikm-error", Some(id), Some(code));
}

/// Moves focus to the first problem, the failure message or the end-of-survey heading.
fn focus_for(state: &SurveyState, root: &NodeRef) {
    let target = if state.done_screen().is_some() {
        "ikm-done-title".to_string()
    } else if let Some(first) = state.errors.first() {
        dom_id(&first.field)
    } else {
        "ikm-status".to_string()
    };
    if !focus_by_id(root, &target) {
        focus_by_id(root, "ikm-status");
    }
}
