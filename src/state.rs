//! The form's state and its pure reducer: user intents in, next state out; no DOM, no I/O.

use ikm_core::delivery::Outcome;
use ikm_core::outbox::Entry;
use ikm_core::questionnaire::{Choice, Education, Gender, Module, Occupation};
use ikm_core::submission::Scores;
use ikm_core::validate::{validate_answers, FieldError};
use ikm_core::{Element, Lang, OfficeConfig, Submission};
use std::rc::Rc;

/// Where the respondent is in the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Filling in the form.
    Editing,
    /// Valid and handed to delivery (saved on the device when `saved`); submits are ignored.
    Sending,
    /// Saved on the device; the endpoint was unreachable, so the outbox sends it later by itself.
    Queued,
    /// The endpoint holds the response: show the thank-you screen.
    Sent,
    /// The last attempt failed; answers stay on screen.
    Failed(Failure),
}

/// Which end-of-survey screen to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoneScreen {
    /// Saved on the device; the first attempt is under way.
    Saved,
    /// Saved on the device; the endpoint could not be reached yet, the outbox keeps trying.
    Queued,
    /// The endpoint has it.
    Sent,
}

/// Why the last attempt failed, for the message shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer, 5xx, 429 or similar: trying again later may work.
    Temporary {
        status: Option<u16>,
        retry_after_secs: Option<u32>,
    },
    /// 422: the server's errors are shown on the fields.
    Invalid,
    /// 400 or 413: the endpoint refuses this body.
    Refused { status: u16 },
}

/// What the embedding fixed before the respondent starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    pub config: Rc<OfficeConfig>,
    pub lang: Lang,
    pub unit: Option<String>,
    /// Service fixed by the QR link or attribute; the respondent does not choose it.
    pub fixed_service: Option<String>,
    pub counter: Option<String>,
}

/// The whole form state.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyState {
    pub setup: Setup,
    pub draft: Submission,
    /// The age box's text as typed, so a half-typed value is not lost on re-render.
    pub age_text: String,
    /// Problems currently shown; recomputed on every change once a submit was tried.
    pub errors: Vec<FieldError>,
    pub attempted: bool,
    /// The current response is in the device's outbox: it survives reloads and goes out by itself.
    pub saved: bool,
    pub phase: Phase,
    /// Bumped whenever focus must move to the first problem (or the result screen).
    pub focus_request: u32,
    /// Bumped for each send attempt, so the sending effect runs once per attempt.
    pub send_attempt: u32,
}

/// A question answered by picking one of its listed options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceField {
    Gender,
    Occupation,
    /// One of the nine elements; option `i` scores `i + 1`.
    Answer(Element),
    /// A perception-module statement; option `i` scores `i + 1`.
    Statement(Module, &'static str),
}

/// A field the respondent types into or picks from a list by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Service,
    Age,
    /// The education code (`SMA`), or empty for none.
    Education,
    OccupationOther,
    Suggestion,
}

/// A respondent's intent.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetLang(Lang),
    /// Picks option `index` (0-based, in display order) of a choice question.
    Choose(ChoiceField, usize),
    /// Sets a text-like field to what the control now holds.
    SetText(TextField, String),
    /// Press *Kirim*; `at` is the current time (RFC 3339), supplied by the edge.
    Submit {
        at: String,
    },
    /// The response was written to the device's outbox before any attempt.
    Saved,
    /// The endpoint's answer to the attempt in flight.
    Delivered(Outcome),
    /// Start over after the thank-you screen; `id` is a fresh UUID v4.
    NewResponse {
        id: String,
    },
}

impl SurveyState {
    /// A blank form with a fresh response id.
    pub fn new(setup: Setup, id: String) -> SurveyState {
        let draft = blank_draft(&setup, id);
        SurveyState {
            setup,
            draft,
            age_text: String::new(),
            errors: Vec::new(),
            attempted: false,
            saved: false,
            phase: Phase::Editing,
            focus_request: 0,
            send_attempt: 0,
        }
    }

    /// The state after `action`.
    pub fn apply(mut self, action: Action) -> SurveyState {
        let locked = matches!(self.phase, Phase::Sending | Phase::Queued | Phase::Sent);
        let allowed = matches!(
            action,
            Action::SetLang(_) | Action::Saved | Action::Delivered(_) | Action::NewResponse { .. }
        );
        if locked && !allowed {
            return self;
        }
        match action {
            Action::SetLang(lang) => {
                self.setup.lang = lang;
                self.draft.lang = lang;
            }
            Action::Choose(field, index) => self.choose(field, index),
            Action::SetText(field, text) => self.set_text(field, text),
            Action::Submit { at } => return self.submit(at),
            Action::Saved => {
                if self.phase == Phase::Sending && !self.saved {
                    self.saved = true;
                    self.focus_request += 1;
                }
                return self;
            }
            Action::Delivered(outcome) => return self.delivered(outcome),
            Action::NewResponse { id } => return SurveyState::new(self.setup, id),
        }
        if self.attempted {
            self.errors = validate_answers(&self.draft, &self.setup.config);
        }
        if matches!(self.phase, Phase::Failed(_)) && self.errors.is_empty() {
            self.phase = Phase::Editing;
        }
        self
    }

    fn choose(&mut self, field: ChoiceField, index: usize) {
        let score = u8::try_from(index + 1).ok();
        let r = &mut self.draft.respondent;
        match field {
            ChoiceField::Gender => r.gender = Gender::ALL.get(index).copied().or(r.gender),
            ChoiceField::Occupation => {
                if let Some(o) = Occupation::ALL.get(index).copied() {
                    r.occupation = Some(o);
                    if o != Occupation::LAINNYA {
                        r.occupation_other = None;
                    }
                }
            }
            ChoiceField::Answer(element) if index < 4 => self.draft.answers.set(element, score),
            ChoiceField::Statement(module, key) => {
                let scale = self
                    .setup
                    .config
                    .modules
                    .get(module)
                    .map_or(0, |m| usize::from(m.scale));
                if let (true, Some(score)) = (index < scale, score) {
                    let answers = match module {
                        Module::Spkp => &mut self.draft.spkp,
                        Module::Spak => &mut self.draft.spak,
                    };
                    answers
                        .get_or_insert_with(Scores::default)
                        .insert(key, score);
                }
            }
            ChoiceField::Answer(_) => {}
        }
    }

    fn set_text(&mut self, field: TextField, text: String) {
        let r = &mut self.draft.respondent;
        match field {
            TextField::Service => self.draft.service = non_blank(text),
            TextField::Age => {
                r.age = text.trim().parse().ok();
                self.age_text = text;
            }
            TextField::Education => r.education = Education::from_code(&text),
            TextField::OccupationOther => r.occupation_other = non_blank(text),
            TextField::Suggestion => self.draft.suggestion = non_blank(text),
        }
    }

    fn submit(mut self, at: String) -> SurveyState {
        if self.draft.submitted_at.is_empty() || self.phase == Phase::Editing {
            self.draft.submitted_at = at;
        }
        self.attempted = true;
        self.errors = validate_answers(&self.draft, &self.setup.config);
        if self.errors.is_empty() {
            self.phase = Phase::Sending;
            self.send_attempt += 1;
        } else {
            self.phase = Phase::Editing;
            self.focus_request += 1;
        }
        self
    }

    fn delivered(mut self, outcome: Outcome) -> SurveyState {
        if !matches!(self.phase, Phase::Sending | Phase::Queued) {
            return self;
        }
        if self.saved && matches!(outcome, Outcome::RetryLater { .. }) {
            // Nothing to do for the respondent: the outbox keeps trying.
            self.phase = Phase::Queued;
            return self;
        }
        self.phase = match outcome {
            Outcome::Stored | Outcome::AlreadyStored => Phase::Sent,
            Outcome::Invalid(errors) => {
                self.errors = errors;
                Phase::Failed(Failure::Invalid)
            }
            Outcome::Refused { status } => Phase::Failed(Failure::Refused { status }),
            Outcome::RetryLater {
                status,
                retry_after_secs,
            } => Phase::Failed(Failure::Temporary {
                status,
                retry_after_secs,
            }),
        };
        self.focus_request += 1;
        self
    }

    /// What the outbox's entry for the current response means for the form, if anything changed:
    /// gone means delivered; rejected means refused; tried and waiting means queued.
    pub fn observe(&self, entry: Option<&Entry>) -> Option<Action> {
        if !self.saved || !matches!(self.phase, Phase::Sending | Phase::Queued) {
            return None;
        }
        match entry {
            None => Some(Action::Delivered(Outcome::Stored)),
            Some(e) => match &e.rejected {
                Some(r) if r.status == 422 => {
                    Some(Action::Delivered(Outcome::Invalid(r.errors.clone())))
                }
                Some(r) => Some(Action::Delivered(Outcome::Refused { status: r.status })),
                None if e.attempts > 0
                    && e.sending_until.is_none()
                    && self.phase == Phase::Sending =>
                {
                    Some(Action::Delivered(Outcome::RetryLater {
                        status: None,
                        retry_after_secs: None,
                    }))
                }
                None => None,
            },
        }
    }

    /// The end-of-survey screen, once the response is saved on the device or stored.
    pub fn done_screen(&self) -> Option<DoneScreen> {
        match (&self.phase, self.saved) {
            (Phase::Sent, _) => Some(DoneScreen::Sent),
            (Phase::Queued, _) => Some(DoneScreen::Queued),
            (Phase::Sending, true) => Some(DoneScreen::Saved),
            _ => None,
        }
    }

    /// The error shown for a field path, if any.
    pub fn error_for(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }

    /// (answered, total) of the questions a respondent must answer, for the progress indicator.
    pub fn progress(&self) -> (usize, usize) {
        let d = &self.draft;
        let r = &d.respondent;
        let mut answered = [
            r.gender.is_some(),
            r.age.is_some(),
            r.education.is_some(),
            r.occupation.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
            + d.answers.answered();
        let mut total = 4 + Element::ALL.len();
        if self.setup.fixed_service.is_none() {
            total += 1;
            answered += usize::from(d.service.is_some());
        }
        for module in Module::ALL {
            if self.setup.config.modules.get(module).is_some() {
                let given = match module {
                    Module::Spkp => &d.spkp,
                    Module::Spak => &d.spak,
                };
                total += module.statements().len();
                answered += given.as_ref().map_or(0, |m| m.len());
            }
        }
        (answered.min(total), total)
    }
}

fn blank_draft(setup: &Setup, id: String) -> Submission {
    let mut draft = Submission::blank(setup.lang);
    draft.id = id;
    draft.unit = setup.unit.clone().or_else(|| setup.config.unit.clone());
    draft.service = setup.fixed_service.clone();
    draft.counter = setup.counter.clone();
    draft
}

fn non_blank(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::validate::ErrorCode;

    const ID: &str = "6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40";
    const AT: &str = "2026-11-30T01:00:00.000Z";

    fn setup(fixed_service: Option<&str>) -> Setup {
        Setup {
            config: Rc::new(OfficeConfig::default()),
            lang: Lang::Id,
            unit: Some("kanim-bengkulu".into()),
            fixed_service: fixed_service.map(String::from),
            counter: Some("loket-2".into()),
        }
    }

    fn filled(fixed_service: Option<&str>) -> SurveyState {
        let mut s = SurveyState::new(setup(fixed_service), ID.into());
        for action in [
            Action::Choose(ChoiceField::Gender, 1),
            Action::SetText(TextField::Age, "34".into()),
            Action::SetText(TextField::Education, "SMA".into()),
            Action::Choose(ChoiceField::Occupation, 3),
        ] {
            s = s.apply(action);
        }
        for e in Element::ALL {
            s = s.apply(Action::Choose(ChoiceField::Answer(e), 2));
        }
        assert_eq!(s.draft.respondent.gender, Some(Gender::P));
        assert_eq!(s.draft.respondent.education, Some(Education::SMA));
        assert_eq!(s.draft.respondent.occupation, Some(Occupation::SWASTA));
        s
    }

    #[test]
    fn a_complete_form_sends_once_and_ignores_a_second_click() {
        let s = filled(Some("paspor-baru")).apply(Action::Submit { at: AT.into() });
        assert_eq!(s.phase, Phase::Sending);
        assert_eq!(s.send_attempt, 1);
        assert_eq!(s.draft.submitted_at, AT);
        assert_eq!(s.draft.counter.as_deref(), Some("loket-2"));
        let again = s.clone().apply(Action::Submit {
            at: "2026-11-30T01:00:01.000Z".into(),
        });
        assert_eq!(again, s);
        assert_eq!(
            s.done_screen(),
            None,
            "not saved on the device: the form stays"
        );
        let done = s.apply(Action::Delivered(Outcome::Stored));
        assert_eq!(done.phase, Phase::Sent);
        assert_eq!(done.done_screen(), Some(DoneScreen::Sent));
    }

    #[test]
    fn submitting_a_blank_form_shows_errors_and_clears_them_as_they_are_fixed() {
        let s = SurveyState::new(setup(None), ID.into()).apply(Action::Submit { at: AT.into() });
        assert_eq!(s.phase, Phase::Editing);
        assert_eq!(s.focus_request, 1);
        assert_eq!(s.errors.len(), 14);
        assert_eq!(s.errors[0].field, "service");
        let s = s.apply(Action::SetText(TextField::Service, "paspor-baru".into()));
        assert!(s.error_for("service").is_none());
        assert_eq!(s.errors.len(), 13);
        let s = s.apply(Action::SetText(TextField::Age, "15".into()));
        assert_eq!(
            s.error_for("respondent.age").map(|e| e.code),
            Some(ErrorCode::TooYoung)
        );
    }

    #[test]
    fn a_422_maps_server_errors_onto_fields_and_keeps_answers() {
        let s = filled(Some("paspor-baru")).apply(Action::Submit { at: AT.into() });
        let errors = vec![FieldError {
            field: "answers.sarana".into(),
            code: ErrorCode::OutOfRange,
            limit: Some(4),
        }];
        let s = s.apply(Action::Delivered(Outcome::Invalid(errors)));
        assert_eq!(s.phase, Phase::Failed(Failure::Invalid));
        assert!(s.error_for("answers.sarana").is_some());
        assert_eq!(s.draft.answers.get(Element::Sarana), Some(3));
    }

    #[test]
    fn a_failed_attempt_keeps_answers_and_retries_with_the_same_id_and_time() {
        let s = filled(Some("paspor-baru")).apply(Action::Submit { at: AT.into() });
        let s = s.apply(Action::Delivered(Outcome::RetryLater {
            status: None,
            retry_after_secs: None,
        }));
        assert!(matches!(s.phase, Phase::Failed(Failure::Temporary { .. })));
        let retry = s.apply(Action::Submit {
            at: "2026-11-30T02:00:00.000Z".into(),
        });
        assert_eq!(retry.phase, Phase::Sending);
        assert_eq!(retry.send_attempt, 2);
        assert_eq!(retry.draft.id, ID);
        assert_eq!(retry.draft.submitted_at, AT);
    }

    #[test]
    fn a_saved_response_is_queued_not_failed_and_the_outbox_decides_the_rest() {
        let s = filled(Some("paspor-baru"))
            .apply(Action::Submit { at: AT.into() })
            .apply(Action::Saved);
        assert!(s.saved);
        assert_eq!(s.focus_request, 1, "focus moves to the saved notice");
        assert_eq!(s.done_screen(), Some(DoneScreen::Saved));
        let retry = Outcome::RetryLater {
            status: Some(503),
            retry_after_secs: Some(30),
        };
        let queued = s.clone().apply(Action::Delivered(retry));
        assert_eq!(queued.phase, Phase::Queued);
        assert_eq!(queued.done_screen(), Some(DoneScreen::Queued));
        assert_eq!(
            queued.clone().apply(Action::Submit { at: AT.into() }),
            queued,
            "nothing to resend by hand"
        );

        let mut outbox = ikm_core::outbox::Outbox::default();
        outbox.save(ID.into(), "/api".into(), "{}".into(), 0);
        assert_eq!(
            queued.observe(outbox.entries.first()),
            None,
            "waiting: nothing changes"
        );
        assert_eq!(
            queued.observe(None),
            Some(Action::Delivered(Outcome::Stored)),
            "gone: delivered"
        );
        assert_eq!(
            queued
                .clone()
                .apply(Action::Delivered(Outcome::Stored))
                .phase,
            Phase::Sent
        );

        outbox.start_attempt(ID, 0);
        outbox.record(
            ID,
            &Outcome::RetryLater {
                status: None,
                retry_after_secs: None,
            },
            1,
            0.5,
        );
        assert!(matches!(
            s.observe(outbox.entries.first()),
            Some(Action::Delivered(Outcome::RetryLater { .. }))
        ));
        let errors = vec![FieldError {
            field: "answers.sarana".into(),
            code: ErrorCode::OutOfRange,
            limit: Some(4),
        }];
        outbox.start_attempt(ID, 2);
        outbox.record(ID, &Outcome::Invalid(errors.clone()), 3, 0.5);
        assert_eq!(
            s.observe(outbox.entries.first()),
            Some(Action::Delivered(Outcome::Invalid(errors)))
        );
        assert_eq!(
            SurveyState::new(setup(None), ID.into()).observe(None),
            None,
            "nothing saved yet"
        );
    }

    #[test]
    fn new_response_keeps_the_qr_setup_and_clears_answers() {
        let s = filled(Some("paspor-baru")).apply(Action::SetLang(Lang::En));
        let s = s
            .apply(Action::Submit { at: AT.into() })
            .apply(Action::Delivered(Outcome::AlreadyStored));
        let next = s.apply(Action::NewResponse {
            id: "b3d6f4a0-1c2e-4f5a-8b7c-9d0e1f2a3b4c".into(),
        });
        assert_eq!(next.phase, Phase::Editing);
        assert_eq!(next.draft.service.as_deref(), Some("paspor-baru"));
        assert_eq!(next.draft.lang, Lang::En);
        assert_eq!(next.draft.answers.answered(), 0);
        assert_ne!(next.draft.id, ID);
    }

    #[test]
    fn out_of_range_choices_and_disabled_modules_change_nothing() {
        let s = SurveyState::new(setup(None), ID.into());
        let same = s
            .clone()
            .apply(Action::Choose(ChoiceField::Answer(Element::Waktu), 4))
            .apply(Action::Choose(ChoiceField::Gender, 7))
            .apply(Action::Choose(
                ChoiceField::Statement(Module::Spak, "pungli"),
                0,
            ));
        assert_eq!(same, s);
        let mut config = OfficeConfig::default();
        config.modules.spak = Some(ikm_core::config::ModuleConfig { scale: 6 });
        let s = SurveyState::new(
            Setup {
                config: Rc::new(config),
                ..setup(None)
            },
            ID.into(),
        )
        .apply(Action::Choose(
            ChoiceField::Statement(Module::Spak, "pungli"),
            5,
        ));
        assert_eq!(s.draft.spak.as_ref().and_then(|m| m.get("pungli")), Some(6));
    }

    #[test]
    fn progress_counts_required_items_and_other_occupation_is_cleared() {
        let s = SurveyState::new(setup(None), ID.into());
        assert_eq!(s.progress(), (0, 14));
        let s = filled(None);
        assert_eq!(s.progress(), (13, 14));
        let s = s
            .apply(Action::Choose(ChoiceField::Occupation, 5))
            .apply(Action::SetText(
                TextField::OccupationOther,
                "Nelayan".into(),
            ));
        assert_eq!(
            s.draft.respondent.occupation_other.as_deref(),
            Some("Nelayan")
        );
        let s = s.apply(Action::Choose(ChoiceField::Occupation, 0));
        assert_eq!(s.draft.respondent.occupation_other, None);
    }
}
