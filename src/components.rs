//! The view: `App` owns state and effects; the rest are plain view functions that only render
//! state and dispatch intents (rules live in `ikm_core`).
//!
//! Stateless parts are functions rather than components on purpose: each Yew component type
//! monomorphises the whole component lifecycle, which costs kilobytes of wasm per type.
//!
//! Every `class` is a literal; state the stylesheet needs (invalid, kind of group, kiosk, which
//! end screen) is a `data-*` attribute. A `class` computed at run time goes through Yew's
//! `Classes`, an `IndexSet`, whose hash table cost 2.9 KiB gzip of the wasm.

#[cfg(target_arch = "wasm32")]
pub mod app;
pub mod fields;
pub mod notices;
#[cfg(feature = "steps")]
pub mod steps;
pub mod survey;

use crate::options::ConfigLoadError;
use crate::state::{Action, TextField};
use ikm_core::validate::FieldError;
use ikm_core::Lang;
use ikm_core::OfficeConfig;
use web_sys::HtmlInputElement;
use yew::{AttrValue, Callback, Event, InputEvent, TargetCast};

/// What reaches the component: the configuration, an intent, the two intents whose data the
/// edge supplies (the time of a submit, the id of a new response), or word that the device's
/// outbox changed (here or in another tab). Views only ever send these.
pub enum Msg {
    /// Boxed: the configuration is large, and every message is moved by value.
    ConfigLoaded(Box<Result<OfficeConfig, ConfigLoadError>>),
    Act(Action),
    Submit,
    /// The refused service code's button: the same answers again, without the code.
    SendWithoutCode,
    StartNew,
    OutboxChanged,
    /// What the device's outbox holds now (read after a change).
    OutboxRead(Box<ikm_core::outbox::Outbox>),
    /// Kiosk: the clock's second; the edge adds the time.
    Tick,
    /// Kiosk: a touch on the widget (`true`: the attract screen's button); the edge adds the time.
    Activity(bool),
    /// Kiosk: a tap on the office name; the edge adds the time.
    StaffTap,
}

/// The DOM id of a field's first focusable control, from its payload path (`answers.waktu` → `ikm-answers-waktu`).
pub fn dom_id(field: &str) -> String {
    let mut id = String::from("ikm-");
    id.extend(
        field
            .chars()
            .map(|c| if c == '.' || c == '_' { '-' } else { c }),
    );
    id
}

/// The DOM id of a field's error message, the target of its `aria-describedby`.
pub fn error_id(field: &str) -> String {
    format!("{}-error", dom_id(field))
}

/// The localised message for a field's error, if it has one.
pub fn error_text(error: Option<&FieldError>, lang: Lang) -> Option<AttrValue> {
    error.map(|e| AttrValue::from(ikm_core::i18n::message(e, lang)))
}

/// The `value` of the control an event came from (input, select and textarea all have one).
fn control_value<E: AsRef<web_sys::Event>>(event: &E) -> String {
    event
        .as_ref()
        .target_unchecked_into::<HtmlInputElement>()
        .value()
}

/// An `oninput` handler that reports the control's text for `field`.
pub fn on_input(dispatch: &Callback<Msg>, field: TextField) -> Callback<InputEvent> {
    let dispatch = dispatch.clone();
    Callback::from(move |e: InputEvent| {
        dispatch.emit(Msg::Act(Action::SetText(field, control_value(&e))))
    })
}

/// An `onchange` handler (selects) that reports the chosen value for `field`.
pub fn on_change(dispatch: &Callback<Msg>, field: TextField) -> Callback<Event> {
    let dispatch = dispatch.clone();
    Callback::from(move |e: Event| {
        dispatch.emit(Msg::Act(Action::SetText(field, control_value(&e))))
    })
}
