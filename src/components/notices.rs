//! Small screens: the load problem notice, the thank-you screen, the language switch and the error summary.

use crate::components::dom_id;
use crate::components::Msg;
use crate::state::{Action, DoneScreen};
use ikm_core::i18n::{error_summary as summary_title, field_label, message, ui, LANGUAGE_NAMES};
use ikm_core::validate::FieldError;
use ikm_core::Lang;
use web_sys::HtmlElement;
use yew::prelude::*;

/// A problem that stops the survey from loading, in words instead of an empty box.
pub fn notice(title: &str, detail: &str, hint: &str) -> Html {
    html! {
        <div class="ikm-notice" role="alert">
            <h2 class="ikm-notice-title">{ title.to_string() }</h2>
            <p>{ detail.to_string() }</p>
            <p>{ hint.to_string() }</p>
        </div>
    }
}

/// *Tersimpan* or *Terima kasih*, with a way to start a new response (kiosks).
pub fn thank_you(screen: DoneScreen, lang: Lang, on_new_response: Callback<MouseEvent>) -> Html {
    let (class, title, body) = match screen {
        DoneScreen::Saved => ("ikm-done ikm-saved", ui::SAVED, ui::SAVED_BODY),
        DoneScreen::Queued => ("ikm-done ikm-queued", ui::SAVED, ui::QUEUED_BODY),
        DoneScreen::Sent => ("ikm-done ikm-sent", ui::THANKS, ui::THANKS_BODY),
    };
    html! {
        <div {class} role="status">
            <h2 id="ikm-done-title" tabindex="-1">{ title.get(lang) }</h2>
            <p>{ body.get(lang) }</p>
            <button type="button" class="ikm-button" onclick={on_new_response}>{ ui::NEW_RESPONSE.get(lang) }</button>
        </div>
    }
}

/// The staff view for kiosks: how many answers this device still holds, and their export.
pub fn staff_view(pending: usize, rejected: usize, lang: Lang, dispatch: &Callback<Msg>) -> Html {
    if pending + rejected == 0 {
        return html! {};
    }
    let on_export = dispatch.reform(|_: MouseEvent| Msg::Act(Action::ExportQueue));
    html! {
        <details class="ikm-staff">
            <summary>{ ikm_core::i18n::outbox_summary(pending, rejected, lang) }</summary>
            <p>{ ui::STAFF_HINT.get(lang) }</p>
            <button type="button" class="ikm-button ikm-export" onclick={on_export}>{ ui::EXPORT.get(lang) }</button>
        </details>
    }
}

/// Two toggle buttons, each labelled in its own language.
pub fn language_switch(lang: Lang, dispatch: &Callback<Msg>) -> Html {
    let mut buttons = Vec::with_capacity(LANGUAGE_NAMES.len());
    for (option, name) in LANGUAGE_NAMES {
        let dispatch = dispatch.clone();
        buttons.push(html! {
            <button type="button" lang={option.code()}
                aria-pressed={if option == lang { "true" } else { "false" }}
                onclick={Callback::from(move |_| dispatch.emit(Msg::Act(Action::SetLang(option))))}>
                { name.get(option) }
            </button>
        });
    }
    html! {
        <div class="ikm-lang" role="group" aria-label={ui::LANGUAGE.get(lang)}>{ for buttons }</div>
    }
}

/// "Ada 3 isian yang perlu diperbaiki:" and one link per problem, each focusing its field.
pub fn error_summary(errors: &[FieldError], lang: Lang, root: &NodeRef) -> Html {
    if errors.is_empty() {
        return html! {};
    }
    let mut items = Vec::with_capacity(errors.len());
    for e in errors {
        let id = dom_id(&e.field);
        let root = root.clone();
        let target = id.clone();
        // Fragment links do not reach into a shadow root, so focus by hand.
        let onclick = Callback::from(move |ev: MouseEvent| {
            ev.prevent_default();
            focus_by_id(&root, &target);
        });
        items.push(html! {
            <li><a href={format!("#{id}")} {onclick}>
                { field_label(&e.field, lang) }{ ": " }{ message(e, lang) }
            </a></li>
        });
    }
    html! {
        <div class="ikm-summary" role="alert" aria-labelledby="ikm-summary-title">
            <h3 id="ikm-summary-title">{ summary_title(errors.len(), lang) }</h3>
            <ul>{ for items }</ul>
        </div>
    }
}

/// Focuses the element with `id` inside the widget; returns whether one was found.
pub fn focus_by_id(root: &NodeRef, id: &str) -> bool {
    let found = root
        .cast::<web_sys::Element>()
        .and_then(|r| r.query_selector(&format!("#{id}")).ok().flatten())
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(el).ok());
    found.is_some_and(|el| el.focus().is_ok())
}
