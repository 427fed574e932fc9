//! Small screens: the load problem notice, the thank-you screen, the language switch and the error summary.

use crate::components::dom_id;
use crate::components::Msg;
use crate::kiosk::Kiosk;
use crate::options::page_query;
use crate::state::{Action, DoneScreen, Setup};
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
/// `also` ends the new response's link (the one-question-per-screen mode it keeps).
pub fn thank_you(
    screen: DoneScreen,
    setup: &Setup,
    also: &str,
    on_new_response: Callback<MouseEvent>,
) -> Html {
    let lang = setup.lang;
    let (state, title, body) = match screen {
        DoneScreen::Saved => ("saved", ui::SAVED, ui::SAVED_BODY),
        DoneScreen::Queued => ("queued", ui::SAVED, ui::QUEUED_BODY),
        DoneScreen::Sent => ("sent", ui::THANKS, ui::THANKS_BODY),
    };
    html! {
        <div class="ikm-done" data-state={state} role="status">
            <h2 id="ikm-done-title" tabindex="-1">{ title.get(lang) }</h2>
            <p>{ body.get(lang) }</p>
            if let Some(complaint) = &setup.config.complaint {
                <p class="ikm-complaint">
                    <a href={complaint.url.clone()} rel="noopener" target="_blank">{ complaint.label.get(lang).to_string() }</a>
                </p>
            }
            // A link, so a page without JavaScript starts a new response too.
            <a class="ikm-button" href={page_query(setup, lang) + also} onclick={on_new_response}>{ ui::NEW_RESPONSE.get(lang) }</a>
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

/// The staff view on a kiosk: hidden from respondents until staff make the gesture (five
/// quick taps on the office name), then shown with a button that hides it again.
pub fn kiosk_staff(
    kiosk: &Kiosk,
    outbox: (usize, usize),
    lang: Lang,
    dispatch: &Callback<Msg>,
) -> Html {
    if !kiosk.staff_open {
        return html! {};
    }
    html! {
        <div class="ikm-staff-open">
            <p class="ikm-note">{ ikm_core::i18n::outbox_summary(outbox.0, outbox.1, lang) }</p>
            { staff_view(outbox.0, outbox.1, lang, dispatch) }
            <button type="button" class="ikm-button ikm-secondary" onclick={dispatch.reform(|_: MouseEvent| Msg::Act(Action::StaffClose))}>{ ui::CLOSE.get(lang) }</button>
        </div>
    }
}

/// One link per language, each labelled in its own language; the current one is marked.
/// Links rather than buttons, so the language can be switched without JavaScript too (the
/// link keeps the QR link's service and counter).
pub fn language_switch(setup: &Setup, also: &str, dispatch: &Callback<Msg>) -> Html {
    let lang = setup.lang;
    let mut links = Vec::with_capacity(LANGUAGE_NAMES.len());
    for (option, name) in LANGUAGE_NAMES {
        let onclick = dispatch.reform(move |e: MouseEvent| {
            e.prevent_default();
            Msg::Act(Action::SetLang(option))
        });
        links.push(html! {
            <a href={page_query(setup, option) + also} lang={option.code()} hreflang={option.code()}
                aria-current={(option == lang).then_some("true")} {onclick}>
                { name.get(option) }
            </a>
        });
    }
    html! {
        <nav class="ikm-lang" aria-label={ui::LANGUAGE.get(lang)}>{ for links }</nav>
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
