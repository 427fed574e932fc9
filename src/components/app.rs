//! The root component: loads the office configuration, runs the reducer, and performs the
//! effects each transition returns. Follow-ups (an effect's outcome, news from the outbox)
//! come back as queued messages; nothing here calls the reducer from inside an effect.
//!
//! One struct component rather than function components with hooks, on purpose: every hook
//! instance monomorphises Yew's hook machinery for its closure and state types, which cost
//! about 8 KiB gzip of wasm for the dozen hooks the widget needs.

use crate::browser::{
    current_page, dispatch_event, load_config, new_id, now_ms, now_rfc3339, post_submission, sleep,
};
use crate::components::notices::{focus_by_id, notice};
use crate::components::{dom_id, survey, Msg};
use crate::options::{resolve_lang, resolve_setup, ConfigLoadError, MountOptions, Page};
use crate::outbox_driver;
use crate::state::{Action, Announcement, Focus, SurveyState, Work};
use ikm_core::i18n::ui;
use ikm_core::OfficeConfig;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub options: MountOptions,
    /// The custom element (or mount target) that events are dispatched from.
    pub host: HtmlElement,
    /// Set when the survey replaces a form the server rendered.
    pub takeover: Option<TakeOver>,
}

/// A server-rendered form being taken over: its response id, and whom to tell once the
/// survey is rendered (the page then replays the respondent's answers and swaps it in).
#[derive(PartialEq)]
pub struct TakeOver {
    pub id: String,
    pub ready: js_sys::Function,
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

/// The mounted widget.
pub struct App {
    stage: Stage,
    endpoint: AttrValue,
    /// The page's query string and languages, read once at mount.
    page: Page,
    /// Pending and rejected entries in the device's outbox, for the staff view.
    outbox_counts: (usize, usize),
    subscription: u32,
    root: NodeRef,
    /// Focus to move once the next render is in the DOM.
    focus: Option<Focus>,
    /// Whether the configured accent colour is on the form's root yet.
    themed: bool,
    /// Whether a takeover's `ready` was called (once the survey is first rendered).
    took_over: bool,
    /// Whether a kiosk's one-second clock runs.
    clock: bool,
    /// One question per screen: the page's own title, which each screen's name precedes.
    #[cfg(feature = "steps")]
    page_title: Option<String>,
}

impl App {
    fn ready(&self, ctx: &Context<Self>, config: OfficeConfig) -> Stage {
        let setup = resolve_setup(&ctx.props().options, &self.page, config);
        let id = match &ctx.props().takeover {
            // The same response as the server rendered, so a form posted there and here is one.
            Some(takeover) if !takeover.id.is_empty() => takeover.id.clone(),
            _ => new_id(),
        };
        let state = SurveyState::new(setup, id);
        // One question per screen is in the build made for it (feature `steps`) only, which
        // the module loads only for surveys that ask for it (the server's build renders both).
        #[cfg(feature = "steps")]
        let state = if cfg!(not(feature = "ssr"))
            || crate::options::wants_steps(&ctx.props().options, &self.page)
        {
            state.in_steps()
        } else {
            state
        };
        Stage::Ready(state)
    }

    /// Starts the kiosk's clock once the survey is a kiosk (it never stops being one): each
    /// tick asks for the next, a second later, through the same future plumbing as the rest.
    fn start_clock(&mut self, ctx: &Context<Self>) {
        let kiosk = matches!(&self.stage, Stage::Ready(s) if s.kiosk.is_some());
        if kiosk && !self.clock {
            self.clock = true;
            next_tick(ctx);
        }
    }

    /// Applies one intent and runs the effects the transition returns.
    fn act(&mut self, ctx: &Context<Self>, action: Action) {
        let Stage::Ready(state) = &mut self.stage else {
            return;
        };
        let effects = state.apply(action);
        let state = &*state;
        if let Some(work) = effects.work {
            run(ctx, &self.endpoint, state, work);
        }
        if let Some(announcement) = effects.announce {
            let (name, code) = match announcement {
                Announcement::Submitted => ("ikm-submitted", None),
                Announcement::Failed(code) => ("ikm-error", Some(code)),
            };
            dispatch_event(&ctx.props().host, name, Some(&state.draft.id), code);
        }
        // Focus moves once the new screen is in the DOM (see `rendered`).
        if effects.focus.is_some() {
            self.focus = effects.focus;
        }
    }

    /// What the outbox holds now (here or changed by another tab or the service worker):
    /// counts for the staff view, and the entry of the current response, which the reducer
    /// judges.
    fn outbox_read(&mut self, ctx: &Context<Self>, outbox: ikm_core::outbox::Outbox) {
        self.outbox_counts = (outbox.pending(), outbox.rejected());
        if let Stage::Ready(state) = &self.stage {
            let id = &state.draft.id;
            let entry = outbox.entries.into_iter().find(|e| &e.id == id);
            ctx.link()
                .send_message(Msg::Act(Action::OutboxChanged(entry.map(Box::new))));
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let options = &ctx.props().options;
        let endpoint = options.endpoint.clone().filter(|e| !e.trim().is_empty());
        // Delivers anything left from earlier visits, and follows other tabs' sending.
        let subscription = outbox_driver::subscribe(ctx.link().callback(|()| Msg::OutboxChanged));
        outbox_driver::kick(false);
        ctx.link().send_message(Msg::OutboxChanged);
        let mut app = App {
            stage: Stage::Loading,
            endpoint: endpoint.clone().unwrap_or_default().into(),
            page: current_page(),
            outbox_counts: (0, 0),
            subscription,
            root: NodeRef::default(),
            focus: None,
            themed: false,
            took_over: false,
            clock: false,
            #[cfg(feature = "steps")]
            page_title: None,
        };
        app.stage = match (&endpoint, &options.config) {
            (None, _) => {
                dispatch_event(&ctx.props().host, "ikm-error", None, Some("config"));
                Stage::NoEndpoint
            }
            // The page carries the configuration: no request needed.
            (Some(_), _) if options.config_json.is_some() => {
                let text = options.config_json.as_deref().unwrap_or_default();
                match OfficeConfig::from_json(text) {
                    Ok(config) => app.ready(ctx, config),
                    Err(e) => Stage::Failed(ConfigLoadError::Invalid(e.to_string())),
                }
            }
            (Some(_), Some(url)) => {
                let url = url.clone();
                spawn(ctx, async move {
                    Msg::ConfigLoaded(Box::new(load_config(&url).await))
                });
                Stage::Loading
            }
            (Some(_), None) => app.ready(ctx, OfficeConfig::default()),
        };
        app.start_clock(ctx);
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::ConfigLoaded(loaded) => match *loaded {
                Ok(config) => {
                    self.stage = self.ready(ctx, config);
                    self.start_clock(ctx);
                }
                Err(error) => {
                    dispatch_event(&ctx.props().host, "ikm-error", None, Some("config"));
                    self.stage = Stage::Failed(error);
                }
            },
            Msg::Act(action) => self.act(ctx, action),
            // The edge supplies what the reducer must not fetch itself: the time, a new id.
            Msg::Submit => self.act(ctx, Action::Submit { at: now_rfc3339() }),
            Msg::SendWithoutCode => self.act(ctx, Action::SendWithoutCode { at: now_rfc3339() }),
            Msg::StartNew => self.act(ctx, Action::NewResponse { id: new_id() }),
            Msg::OutboxChanged => spawn(ctx, async {
                Msg::OutboxRead(Box::new(outbox_driver::load().await))
            }),
            Msg::OutboxRead(outbox) => self.outbox_read(ctx, *outbox),
            Msg::Tick => {
                next_tick(ctx);
                self.act(ctx, Action::Tick { now_ms: now_ms() })
            }
            Msg::Activity(start) => self.act(
                ctx,
                Action::Activity {
                    now_ms: now_ms(),
                    start,
                },
            ),
            Msg::StaffTap => self.act(ctx, Action::StaffTap { now_ms: now_ms() }),
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let options = &ctx.props().options;
        let lang = resolve_lang(options, &self.page, None);
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
                let dispatch = ctx.link().callback(|msg: Msg| msg);
                survey::view(state, &dispatch, &self.root, self.outbox_counts)
            }
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, _first_render: bool) {
        let Stage::Ready(state) = &self.stage else {
            return;
        };
        if let (Some(takeover), false) = (&ctx.props().takeover, self.took_over) {
            self.took_over = true;
            let _ = takeover.ready.call0(&wasm_bindgen::JsValue::NULL);
        }
        #[cfg(feature = "steps")]
        name_the_screen(&mut self.page_title, state);
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
        if let Some(target) = self.focus.take() {
            let id = match target {
                Focus::FirstError => state
                    .errors
                    .first()
                    .map_or("ikm-status".into(), |e| dom_id(&e.field)),
                Focus::Status => "ikm-status".into(),
                Focus::DoneTitle => "ikm-done-title".into(),
                Focus::Start => match state.kiosk.as_ref().map(|k| k.screen) {
                    Some(crate::kiosk::Screen::Attract) => "ikm-start".into(),
                    _ => "ikm-title".into(),
                },
                Focus::Prompt => "ikm-still-there".into(),
                #[cfg(feature = "steps")]
                Focus::StepTitle => "ikm-step-title".into(),
            };
            if !focus_by_id(&self.root, &id) {
                focus_by_id(&self.root, "ikm-status");
            }
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        outbox_driver::unsubscribe(self.subscription);
    }
}

/// Performs one piece of work for the current response; its outcome comes back later as a
/// message, never by calling the reducer from here.
fn run(ctx: &Context<App>, endpoint: &AttrValue, state: &SurveyState, work: Work) {
    match work {
        Work::Save => {
            let endpoint = endpoint.clone();
            let submission = state.draft.clone();
            spawn(ctx, async move {
                let saved = outbox_driver::save(&endpoint, &submission).await.is_ok();
                Msg::Act(if saved {
                    Action::Saved
                } else {
                    Action::SaveFailed
                })
            });
        }
        Work::Post => {
            let endpoint = endpoint.clone();
            let submission = state.draft.clone();
            spawn(ctx, async move {
                let outcome = post_submission(&endpoint, &submission, false).await;
                Msg::Act(Action::Delivered(outcome))
            });
        }
        Work::Deliver => outbox_driver::kick(false),
        Work::Export => wasm_bindgen_futures::spawn_local(async {
            let _ = outbox_driver::export().await;
        }),
        Work::Reset => ctx.link().send_message(Msg::StartNew),
    }
}

/// The kiosk clock's next tick, a second from now.
fn next_tick(ctx: &Context<App>) {
    spawn(ctx, async {
        let _ = wasm_bindgen_futures::JsFuture::from(sleep(1000)).await;
        Msg::Tick
    });
}

/// Runs `work` and hands its message to the component. Boxed, so every future the widget
/// starts shares one instantiation of Yew's future plumbing.
fn spawn(ctx: &Context<App>, work: impl std::future::Future<Output = Msg> + 'static) {
    let work: std::pin::Pin<Box<dyn std::future::Future<Output = Msg>>> = Box::pin(work);
    ctx.link().send_future(work);
}

/// One question per screen: the page's title names the screen shown ("Langkah 3 dari 13:
/// Prosedur — …"), as the collector's page does without JavaScript; the end screens and the
/// one-page form leave the page's own title.
#[cfg(feature = "steps")]
fn name_the_screen(page_title: &mut Option<String>, state: &SurveyState) {
    use crate::steps::{title, Position};
    if state.flow.is_none() && page_title.is_none() {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let base = page_title.get_or_insert_with(|| {
        // The collector's page already names its first screen.
        let first = format!("{} — ", title(&state.setup, Position::Step(0)));
        let current = document.title();
        current
            .strip_prefix(&first)
            .map_or(current.clone(), String::from)
    });
    let wanted = match (state.flow, state.done_screen()) {
        (Some(flow), None) => format!("{} — {base}", title(&state.setup, flow.position)),
        _ => base.clone(),
    };
    if document.title() != wanted {
        document.set_title(&wanted);
    }
}
