//! The widget in a real browser (headless Chromium via wasm-bindgen-test): DOM, validation,
//! accessibility (axe-core), posting to a real local endpoint, QR pre-fill and config errors.
//!
//! Needs the test endpoint of `tests/support/endpoint.py` on `IKM_TEST_ENDPOINT`
//! (default http://127.0.0.1:18931); `make test` starts it.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ikm_core::i18n::{message, ui};
use ikm_core::questionnaire::STANDARD;
use ikm_core::validate::{validate, ErrorCode, FieldError};
use ikm_core::{Element, Lang, OfficeConfig, Submission};
use ikm_survey::mount::{mount, MountHandle};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element as DomElement, Event, EventInit, HtmlElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const ENDPOINT: &str = match option_env!("IKM_TEST_ENDPOINT") {
    Some(url) => url,
    None => "http://127.0.0.1:18931",
};
const CSS: &str = include_str!("../styles/ikm-survey.css");
const AXE: &str = include_str!("../node_modules/axe-core/axe.min.js");

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// A widget mounted into a fresh host element, with its stylesheet, removed on drop.
struct Widget {
    host: HtmlElement,
    handle: MountHandle,
}

impl Widget {
    /// Mounts on an empty outbox: each test starts with nothing saved on this origin.
    async fn mount(options: &[(&str, &str)]) -> Widget {
        ikm_survey::outbox_driver::discard_all().await;
        Widget::mount_on_this_device(options).await
    }

    /// Mounts with whatever this device already holds.
    async fn mount_on_this_device(options: &[(&str, &str)]) -> Widget {
        let host: HtmlElement = document()
            .create_element("div")
            .unwrap()
            .dyn_into()
            .unwrap();
        document().body().unwrap().append_child(&host).unwrap();
        let object = Object::new();
        for (key, value) in options {
            Reflect::set(&object, &(*key).into(), &(*value).into()).unwrap();
        }
        let handle = mount(host.clone(), object.into()).unwrap();
        let style = document().create_element("style").unwrap();
        style.set_text_content(Some(CSS));
        host.shadow_root().unwrap().append_child(&style).unwrap();
        let widget = Widget { host, handle };
        widget.settle().await;
        widget
    }

    fn root(&self) -> ShadowRoot {
        self.host.shadow_root().expect("open shadow root")
    }

    fn find(&self, selector: &str) -> Option<DomElement> {
        self.root().query_selector(selector).unwrap()
    }

    fn get(&self, selector: &str) -> DomElement {
        self.find(selector)
            .unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    fn all(&self, selector: &str) -> Vec<DomElement> {
        let list = self.root().query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into().ok())
            .collect()
    }

    fn text(&self, selector: &str) -> String {
        self.get(selector).text_content().unwrap_or_default()
    }

    async fn settle(&self) {
        for _ in 0..3 {
            sleep(15).await;
        }
    }

    async fn wait_for(&self, what: &str, ready: impl Fn(&Widget) -> bool) {
        for _ in 0..750 {
            if ready(self) {
                return;
            }
            sleep(20).await;
        }
        panic!(
            "timed out waiting for {what}; the widget shows: {}",
            self.root().inner_html()
        );
    }

    async fn click(&self, selector: &str) {
        self.get(selector)
            .dyn_into::<HtmlElement>()
            .unwrap()
            .click();
        self.settle().await;
    }

    /// Sets a control's value and fires the event a user's typing or picking would.
    async fn set(&self, selector: &str, value: &str, event: &str) {
        let control = self.get(selector);
        Reflect::set(&control, &"value".into(), &value.into()).unwrap();
        let init = EventInit::new();
        init.set_bubbles(true);
        control
            .dispatch_event(&Event::new_with_event_init_dict(event, &init).unwrap())
            .unwrap();
        self.settle().await;
    }

    async fn answer(&self, element: Element, score: u8) {
        self.click(&format!(
            "input[name='answers.{}'][value='{score}']",
            element.key()
        ))
        .await;
    }

    async fn fill_valid_form(&self) {
        if self.find("#ikm-service").is_some() {
            self.set("#ikm-service", "paspor-baru", "change").await;
        }
        self.click("input[name='respondent.gender'][value='P']")
            .await;
        self.set("#ikm-respondent-age", "34", "input").await;
        self.set("#ikm-respondent-education", "D4-S1", "change")
            .await;
        self.click("input[name='respondent.occupation'][value='SWASTA']")
            .await;
        for (i, element) in Element::ALL.into_iter().enumerate() {
            self.answer(element, if i % 2 == 0 { 4 } else { 3 }).await;
        }
        self.set(
            "#ikm-suggestion",
            "Antrean cepat, \"terima kasih\"; tambah kursi.",
            "input",
        )
        .await;
    }

    fn active_id(&self) -> String {
        self.root()
            .active_element()
            .map(|e| e.id())
            .unwrap_or_default()
    }

    /// Runs axe-core on the widget and returns the WCAG 2.0/2.1 A and AA violations, described.
    async fn axe_violations(&self) -> Vec<String> {
        if Reflect::get(&web_sys::window().unwrap(), &"axe".into())
            .unwrap()
            .is_undefined()
        {
            js_sys::Function::new_no_args(AXE)
                .call0(&JsValue::NULL)
                .unwrap();
        }
        let axe = Reflect::get(&web_sys::window().unwrap(), &"axe".into()).unwrap();
        let run: js_sys::Function = Reflect::get(&axe, &"run".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        let options = js_sys::JSON::parse(
            r#"{"runOnly":{"type":"tag","values":["wcag2a","wcag2aa","wcag21a","wcag21aa"]},"resultTypes":["violations"]}"#,
        )
        .unwrap();
        let promise: js_sys::Promise = run
            .call2(&axe, &self.host, &options)
            .unwrap()
            .dyn_into()
            .unwrap();
        let results = JsFuture::from(promise).await.unwrap();
        let violations: js_sys::Array = Reflect::get(&results, &"violations".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        violations
            .iter()
            .map(|v| {
                let get = |k: &str| Reflect::get(&v, &k.into()).unwrap();
                let nodes: js_sys::Array = get("nodes").dyn_into().unwrap();
                let targets: Vec<String> = nodes
                    .iter()
                    .map(|n| {
                        js_sys::JSON::stringify(&Reflect::get(&n, &"target".into()).unwrap())
                            .unwrap()
                            .into()
                    })
                    .collect();
                format!(
                    "{}: {} at {}",
                    get("id").as_string().unwrap(),
                    get("help").as_string().unwrap(),
                    targets.join(", ")
                )
            })
            .collect()
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        self.handle.destroy();
        self.host.remove();
    }
}

fn endpoint(path: &str) -> String {
    format!("{ENDPOINT}{path}")
}

async fn fetch_json(url: &str) -> JsValue {
    let response: web_sys::Response =
        JsFuture::from(web_sys::window().unwrap().fetch_with_str(url))
            .await
            .unwrap()
            .dyn_into()
            .unwrap();
    JsFuture::from(response.json().unwrap()).await.unwrap()
}

fn prop(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &key.into()).unwrap()
    })
}

#[wasm_bindgen_test]
async fn renders_the_nine_official_questions_in_form_order() {
    let w = Widget::mount(&[("endpoint", &endpoint("/api/v1/responses")), ("lang", "id")]).await;
    let groups = w.all("fieldset[data-kind=question]");
    assert_eq!(groups.len(), 9);
    for (group, question) in groups.iter().zip(STANDARD.questions.iter()) {
        let legend = group
            .query_selector("legend")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        assert_eq!(legend, question.text.id);
        let labels: Vec<String> = (0..4)
            .map(|i| {
                let label = group
                    .query_selector_all("label.ikm-option span")
                    .unwrap()
                    .item(i)
                    .unwrap();
                label.text_content().unwrap()
            })
            .collect();
        let official: Vec<&str> = question.answers.iter().map(|a| a.id).collect();
        assert_eq!(labels, official, "answers of {}", question.element.key());
        assert_eq!(
            group
                .query_selector_all("input[type=radio]")
                .unwrap()
                .length(),
            4
        );
    }
    // U8 is sarana and U9 pengaduan, as on the paper form.
    assert!(groups[7]
        .query_selector("input[name='answers.sarana']")
        .unwrap()
        .is_some());
    assert!(groups[8]
        .query_selector("input[name='answers.pengaduan']")
        .unwrap()
        .is_some());
    for label in [
        "Jenis kelamin",
        "Usia",
        "Pendidikan",
        "Pekerjaan",
        "Jenis layanan",
    ] {
        assert!(
            w.host
                .shadow_root()
                .unwrap()
                .text_content()
                .unwrap_or_default()
                .contains(label),
            "{label}"
        );
    }
    assert_eq!(w.text("button[type=submit]").trim(), "Kirim");
    assert!(w.text(".ikm-progress").contains("0 dari 14"));
}

#[wasm_bindgen_test]
async fn submitting_a_blank_form_marks_every_problem_and_focuses_the_first() {
    let w = Widget::mount(&[("endpoint", &endpoint("/api/v1/responses")), ("lang", "id")]).await;
    let posts_before = posts_so_far().await;
    w.click("button[type=submit]").await;
    let items = w.all(".ikm-summary li");
    assert_eq!(
        items.len(),
        14,
        "summary lists service, 4 profile fields and 9 questions"
    );
    assert_eq!(
        w.active_id(),
        "ikm-service",
        "focus moves to the first problem"
    );

    let group = w.get("fieldset:has(input[name='answers.waktu'])");
    assert_eq!(group.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = group.get_attribute("aria-describedby").unwrap();
    let message = w.get(&format!("#{described}")).text_content().unwrap();
    let expected = message_for("answers.waktu", ErrorCode::Required, None);
    assert_eq!(message, expected);
    let age = w.get("#ikm-respondent-age");
    assert_eq!(age.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        age.get_attribute("aria-describedby").as_deref(),
        Some("ikm-respondent-age-error")
    );

    // Messages clear as the respondent fixes them, and new rules apply at once.
    w.answer(Element::Waktu, 3).await;
    assert!(w
        .find("fieldset:has(input[name='answers.waktu']) .ikm-error")
        .is_none());
    assert_eq!(w.all(".ikm-summary li").len(), 13);
    w.set("#ikm-respondent-age", "15", "input").await;
    assert_eq!(
        w.text("#ikm-respondent-age-error"),
        message_for("respondent.age", ErrorCode::TooYoung, Some(17))
    );

    // Nothing was sent while anything is invalid, and nothing was saved to send later.
    w.click("button[type=submit]").await;
    w.settle().await;
    assert_eq!(
        posts_so_far().await,
        posts_before,
        "no POST reached the endpoint"
    );
    assert_eq!(
        saved_outbox().await.entries.len(),
        0,
        "nothing waits on the device"
    );
}

/// How many POSTs the test endpoint has recorded (tests run one at a time).
async fn posts_so_far() -> f64 {
    fetch_json(&endpoint("/count")).await.as_f64().unwrap()
}

/// Every POST the test endpoint recorded for response `id`: (path, body).
async fn posts_of(id: &str) -> Vec<(String, String)> {
    let posts = fetch_json(&endpoint(&format!("/posts?id={id}"))).await;
    js_sys::Array::from(&posts)
        .iter()
        .map(|p| {
            (
                prop(&p, "path").as_string().unwrap(),
                prop(&p, "body").as_string().unwrap(),
            )
        })
        .collect()
}

fn message_for(field: &str, code: ErrorCode, limit: Option<u32>) -> String {
    message(
        &FieldError {
            field: field.into(),
            code,
            limit,
        },
        Lang::Id,
    )
}

#[wasm_bindgen_test]
async fn a_valid_response_reaches_the_endpoint_once_with_its_idempotency_key() {
    let w = Widget::mount(&[
        ("endpoint", &endpoint("/api/v1/responses")),
        ("lang", "id"),
        ("unit", "kanim-bengkulu"),
        ("counter", "loket-1"),
    ])
    .await;
    let submitted = std::rc::Rc::new(std::cell::RefCell::new(None::<String>));
    let seen = submitted.clone();
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::CustomEvent)>::new(
        move |e: web_sys::CustomEvent| {
            *seen.borrow_mut() = prop(&e.detail(), "id").as_string();
        },
    );
    document()
        .add_event_listener_with_callback("ikm-submitted", listener.as_ref().unchecked_ref())
        .unwrap();

    w.fill_valid_form().await;
    assert!(w.text(".ikm-progress").contains("14 dari 14"));
    // Two quick clicks: the second must not send again.
    w.get("button[type=submit]")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    w.get("button[type=submit]")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    w.wait_for("the thank-you screen", |w| {
        w.find(".ikm-done[data-state=sent]").is_some()
    })
    .await;
    assert_eq!(w.text(".ikm-done h2"), "Terima kasih");
    assert_eq!(w.active_id(), "ikm-done-title");
    assert!(
        w.find(".ikm-staff").is_none(),
        "nothing is left on the device"
    );

    let last = fetch_json(&endpoint("/last")).await;
    assert_eq!(
        prop(&last, "path").as_string().as_deref(),
        Some("/api/v1/responses")
    );
    assert_eq!(
        prop(&last, "headers.content-type").as_string().as_deref(),
        Some("application/json")
    );
    let body: Submission =
        Submission::from_json(&prop(&last, "body").as_string().unwrap()).unwrap();
    assert_eq!(
        prop(&last, "headers.idempotency-key").as_string(),
        Some(body.id.clone())
    );
    assert_eq!(
        validate(&body, &OfficeConfig::default()),
        vec![],
        "the payload passes core validation"
    );
    let mut expected = Submission::blank(Lang::Id);
    expected.id = body.id.clone();
    expected.submitted_at = body.submitted_at.clone();
    expected.unit = Some("kanim-bengkulu".into());
    expected.service = Some("paspor-baru".into());
    expected.counter = Some("loket-1".into());
    expected.respondent = ikm_core::submission::Respondent::from_json(
        r#"{"gender":"P","age":34,"education":"D4-S1","occupation":"SWASTA"}"#,
    )
    .unwrap();
    for (i, element) in Element::ALL.into_iter().enumerate() {
        expected
            .answers
            .set(element, Some(if i % 2 == 0 { 4 } else { 3 }));
    }
    expected.suggestion = Some("Antrean cepat, \"terima kasih\"; tambah kursi.".into());
    assert_eq!(body, expected);
    assert_eq!(
        submitted.borrow().as_deref(),
        Some(body.id.as_str()),
        "ikm-submitted carries the id"
    );
    document()
        .remove_event_listener_with_callback("ikm-submitted", listener.as_ref().unchecked_ref())
        .unwrap();

    // Two clicks, one response: exactly one POST carried this id.
    assert_eq!(posts_of(&body.id).await.len(), 1, "sent once");
    w.click(".ikm-done a").await;
    assert!(w.find(".ikm-done").is_none());
    assert_eq!(
        w.all("fieldset[data-kind=question] input:checked").len(),
        0,
        "a new response starts empty"
    );
}

#[wasm_bindgen_test]
async fn a_422_maps_server_errors_onto_fields_and_keeps_the_answers() {
    let w = Widget::mount(&[("endpoint", &endpoint("/reject")), ("lang", "en")]).await;
    w.fill_valid_form().await;
    w.click("button[type=submit]").await;
    w.wait_for("the server's errors", |w| w.find(".ikm-summary").is_some())
        .await;
    let group = w.get("fieldset:has(input[name='answers.sarana'])");
    assert_eq!(group.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        w.all("fieldset[data-kind=question] input:checked").len(),
        9,
        "answers stay on screen"
    );
    assert_eq!(w.active_id(), "ikm-answers-sarana");
}

async fn saved_outbox() -> ikm_core::outbox::Outbox {
    ikm_survey::outbox_driver::load().await
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_leaves_the_response_saved_on_the_device() {
    let w = Widget::mount(&[("endpoint", &endpoint("/unavailable")), ("lang", "en")]).await;
    w.fill_valid_form().await;
    w.click("button[type=submit]").await;
    assert!(
        w.find(".ikm-done").is_some(),
        "the respondent sees at once that the answers are saved"
    );
    assert_eq!(w.text(".ikm-done h2"), ui::SAVED.en);
    w.wait_for("the queued notice", |w| {
        w.find(".ikm-done[data-state=queued]").is_some()
    })
    .await;
    assert_eq!(w.text(".ikm-done p"), ui::QUEUED_BODY.en);
    assert_eq!(w.active_id(), "ikm-done-title");
    let outbox = saved_outbox().await;
    assert_eq!(outbox.pending(), 1);
    let entry = &outbox.entries[0];
    assert!(entry.attempts >= 1, "tried once");
    assert!(
        entry.next_attempt_at > js_sys::Date::now() as i64 + 20_000,
        "Retry-After: 30 is honoured"
    );
    let body = Submission::from_json(&entry.body).unwrap();
    assert_eq!(body.respondent.age, Some(34));
    assert_eq!(
        w.text(".ikm-staff summary"),
        "On this device: 1 waiting to be sent, 0 refused by the server"
    );
    assert_eq!(
        w.axe_violations().await,
        Vec::<String>::new(),
        "queued screen with the staff view"
    );
}

#[wasm_bindgen_test]
async fn a_queued_response_goes_out_by_itself_once_the_endpoint_recovers() {
    let w = Widget::mount(&[("endpoint", &endpoint("/flaky")), ("lang", "id")]).await;
    w.fill_valid_form().await;
    w.click("button[type=submit]").await;
    w.wait_for("the queued notice", |w| {
        w.find(".ikm-done[data-state=queued]").is_some()
    })
    .await;
    let id = saved_outbox().await.entries[0].id.clone();
    w.wait_for("automatic delivery", |w| {
        w.find(".ikm-done[data-state=sent]").is_some()
    })
    .await;
    assert_eq!(
        saved_outbox().await.entries.len(),
        0,
        "delivered entries leave the device"
    );
    // Refused twice (503), stored the third time: three POSTs, all this response, unchanged.
    let posts = posts_of(&id).await;
    assert_eq!(posts.len(), 3, "{posts:?}");
    assert!(posts
        .iter()
        .all(|(path, body)| path == "/flaky" && body == &posts[0].1));
    let body = Submission::from_json(&posts[0].1).unwrap();
    assert_eq!(body.id, id);
    assert_eq!(
        validate(&body, &OfficeConfig::default()),
        vec![],
        "a complete response"
    );
    assert_eq!(body.answers.answered(), 9);
}

#[wasm_bindgen_test]
async fn a_qr_link_prefills_and_locks_service_counter_and_language() {
    let history = web_sys::window().unwrap().history().unwrap();
    let original = web_sys::window().unwrap().location().href().unwrap();
    history
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some("?layanan=izin-tinggal&loket=loket-3&lang=en"),
        )
        .unwrap();
    let w = Widget::mount(&[("endpoint", &endpoint("/api/v1/responses")), ("lang", "id")]).await;
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&original))
        .unwrap();

    assert!(
        w.find("#ikm-service").is_none(),
        "no service choice when the QR link fixes it"
    );
    let fixed: Vec<String> = w
        .all(".ikm-fixed")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(
        fixed,
        vec![
            "Service used: Stay permit".to_string(),
            "Counter: loket-3".to_string()
        ]
    );
    assert_eq!(w.text("button[type=submit]").trim(), "Send");
    assert!(w.text(".ikm-progress").contains("0 of 13"));
    assert_eq!(w.get(".ikm").get_attribute("lang").as_deref(), Some("en"));
}

#[wasm_bindgen_test]
async fn the_language_switch_changes_every_text() {
    let w = Widget::mount(&[("endpoint", &endpoint("/api/v1/responses")), ("lang", "id")]).await;
    w.click(".ikm-lang a[lang=en]").await;
    assert_eq!(
        w.get(".ikm-lang a[lang=en]")
            .get_attribute("aria-current")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        w.text("fieldset[data-kind=question] legend"),
        STANDARD.questions[0].text.en
    );
    assert_eq!(w.text("button[type=submit]").trim(), "Send");
}

/// The notice an English widget shows for the office config at `path` on the test endpoint.
async fn config_notice(path: &str) -> String {
    let w = Widget::mount(&[
        ("endpoint", &endpoint("/api/v1/responses")),
        ("config", &endpoint(path)),
        ("lang", "en"),
    ])
    .await;
    w.wait_for("the notice", |w| w.find(".ikm-notice").is_some())
        .await;
    w.text(".ikm-notice")
}

#[wasm_bindgen_test]
async fn configuration_problems_show_a_clear_message() {
    let w = Widget::mount(&[("lang", "en")]).await;
    assert!(
        w.text(".ikm-notice").contains("endpoint"),
        "missing endpoint: {}",
        w.text(".ikm-notice")
    );

    let notice = config_notice("/config/missing.json").await;
    assert!(notice.contains(ui::CONFIG_UNREACHABLE.en));
    assert!(notice.contains("404"));

    let notice = config_notice("/config/unknown-field.json").await;
    assert!(notice.contains(ui::CONFIG_INVALID.en));
    assert!(notice.contains("unknown field `colour`"), "{notice}");

    let notice = config_notice("/config/truncated.json").await;
    assert!(notice.contains("the text ends too early"), "{notice}");

    let w = Widget::mount(&[
        ("endpoint", &endpoint("/api/v1/responses")),
        ("config", &endpoint("/config/valid.json")),
        ("lang", "id"),
    ])
    .await;
    w.wait_for("the form", |w| w.find("form").is_some()).await;
    assert_eq!(w.text(".ikm-office"), "Kantor Uji");
    assert_eq!(
        w.all("#ikm-service option").len(),
        3,
        "placeholder plus the two configured services"
    );
    assert_eq!(
        w.all("fieldset:has(input[name^='spak.'])").len(),
        5,
        "the SPAK module is on"
    );
    assert_eq!(
        w.all("input[name='spak.pungli']").len(),
        6,
        "on a 6-point scale"
    );
    assert_eq!(
        w.get("#ikm-respondent-age").get_attribute("min").as_deref(),
        Some("18")
    );
}

#[wasm_bindgen_test]
async fn axe_finds_no_wcag_21_aa_violations_on_any_screen() {
    let w = Widget::mount(&[("endpoint", &endpoint("/api/v1/responses")), ("lang", "id")]).await;
    assert_eq!(w.axe_violations().await, Vec::<String>::new(), "empty form");
    w.click("button[type=submit]").await;
    assert!(w.find(".ikm-summary").is_some());
    assert_eq!(
        w.axe_violations().await,
        Vec::<String>::new(),
        "form showing errors"
    );
    w.fill_valid_form().await;
    w.click("button[type=submit]").await;
    w.wait_for("the thank-you screen", |w| {
        w.find(".ikm-done[data-state=sent]").is_some()
    })
    .await;
    assert_eq!(
        w.axe_violations().await,
        Vec::<String>::new(),
        "thank-you screen"
    );
}

#[wasm_bindgen_test]
async fn responses_an_earlier_version_kept_in_local_storage_move_to_the_outbox_and_go_out() {
    // An entry exactly as the localStorage outbox (ikm-outbox/v1/<id>) of the earlier release kept it.
    let mut s = Submission::blank(Lang::Id);
    s.id = "0b6f3a1e-8c2d-4f5a-9b7e-1d2c3b4a5f60".into();
    let body = ikm_core::json::to_string(&s).unwrap();
    let legacy = format!(
        r#"{{"id":"{}","endpoint":"{}","body":{},"saved_at":1,"attempts":0,"next_attempt_at":0}}"#,
        s.id,
        endpoint("/api/v1/responses"),
        serde_json::to_string(&body).unwrap()
    );
    ikm_survey::outbox_driver::discard_all().await;
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let key = format!("ikm-outbox/v1/{}", s.id);
    storage.set_item(&key, &legacy).unwrap();
    let options = [
        ("endpoint", &*endpoint("/api/v1/responses")),
        ("lang", "en"),
    ];
    let w = Widget::mount_on_this_device(&options).await;
    w.wait_for("the old entry moved", |_| {
        storage.get_item(&key).unwrap().is_none()
    })
    .await;
    for _ in 0..250 {
        if !posts_of(&s.id).await.is_empty() {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(posts_of(&s.id).await.len(), 1, "sent once, unchanged");
    assert_eq!(posts_of(&s.id).await[0].1, body);
    assert!(saved_outbox().await.entries.iter().all(|e| e.id != s.id));
}
