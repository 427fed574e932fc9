//! The form's state and its pure reducer: an intent in, the next state and the effects it
//! calls for out. No DOM, no storage, no network, no clock: the component runs the effects
//! and feeds their outcomes back as further intents (see `docs/architecture.md`).

use crate::kiosk::{Due, Kiosk, KioskSettings};
#[cfg(feature = "steps")]
use crate::steps::{self, Flow, Move, Position};
use ikm_core::delivery::Outcome;
use ikm_core::form;
use ikm_core::outbox::Entry;
use ikm_core::questionnaire::{Choice, Education, Gender, Module, Occupation};
use ikm_core::submission::Scores;
use ikm_core::validate::{field, validate_answers, ErrorCode, FieldError};
use ikm_core::{Element, Lang, OfficeConfig, Submission};
use std::rc::Rc;

/// Where the respondent is in the flow. Each phase holds only what it means; "saved on the
/// device" is a phase of its own, not a flag beside one.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Filling in the form.
    Editing,
    /// Valid; being written to the device's outbox (no resubmitting meanwhile).
    Saving,
    /// The device could not keep it (storage blocked or full): sent directly, answers stay
    /// on screen until the endpoint answers.
    Posting,
    /// Saved on the device; the outbox's first attempt is under way (*Tersimpan*).
    Saved,
    /// Saved on the device; the endpoint could not be reached yet, the outbox keeps trying.
    Queued,
    /// The endpoint holds the response: the thank-you screen.
    Sent,
    /// The endpoint refused it, or (sent directly) could not be reached; answers stay on screen.
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
    /// 400, 413 or 415: the endpoint refuses this body.
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
    /// The queue ticket's service code (`?kode=`), sent with the response.
    pub code: Option<String>,
    /// Kiosk mode (a shared tablet) and its settings; None on a respondent's own device.
    pub kiosk: Option<KioskSettings>,
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
    pub phase: Phase,
    /// The kiosk's screens and timers, which outlive each response.
    pub kiosk: Option<Kiosk>,
    /// One question per screen, and which one; None: the whole form on one page.
    #[cfg(feature = "steps")]
    pub flow: Option<Flow>,
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

/// An intent: the respondent's, or the outcome of an effect coming back.
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
    /// [`Work::Save`] worked: the response is in the device's outbox.
    Saved,
    /// [`Work::Save`] failed: the device cannot keep the response.
    SaveFailed,
    /// The endpoint's answer to a [`Work::Post`].
    Delivered(Outcome),
    /// What the device's outbox now holds for this response (None: it left, delivered).
    OutboxChanged(Option<Box<Entry>>),
    /// Start over with a fresh response; `id` is a new UUID v4 from the edge.
    NewResponse {
        id: String,
    },
    /// Staff asked for the device's waiting responses as a file.
    ExportQueue,
    /// Kiosk: the clock, reported by the edge every second.
    Tick {
        now_ms: u64,
    },
    /// Kiosk: a touch on the widget (answers "Masih di sini?"); `start`: the attract
    /// screen's button.
    Activity {
        now_ms: u64,
        start: bool,
    },
    /// Kiosk: a tap on the office name (five quick ones open the staff view).
    StaffTap {
        now_ms: u64,
    },
    /// Kiosk: close the staff view.
    StaffClose,
    /// Send this response without the service code the collector refused (used, expired,
    /// unknown): the answers stay, the response counts as unverified.
    SendWithoutCode {
        at: String,
    },
    /// One question per screen: on, back, or to a screen from the review.
    #[cfg(feature = "steps")]
    Step(Move),
}

/// Where focus goes after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The first control of the first field with a problem (`errors[0]`).
    FirstError,
    /// The status line under the form (a failure message).
    Status,
    /// The heading of the end-of-survey screen.
    DoneTitle,
    /// The top of a fresh form.
    Start,
    /// The kiosk's "Masih di sini?" prompt.
    Prompt,
    /// One question per screen: the heading of the screen just shown.
    #[cfg(feature = "steps")]
    StepTitle,
}

/// An event the widget dispatches on its host element for the embedding page, about the
/// current response (its id goes in the event's detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announcement {
    /// `ikm-submitted`: the endpoint holds the response.
    Submitted,
    /// `ikm-error` with a code: `network`, `invalid` or `refused`.
    Failed(&'static str),
}

/// Work a transition calls for, performed by the component at the edge; each reports back
/// as the [`Action`] named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Write the current response (the state's `draft`, complete and valid) to the device's
    /// outbox; then [`Action::Saved`] or [`Action::SaveFailed`].
    Save,
    /// Send the current response directly (the device cannot keep it); then [`Action::Delivered`].
    Post,
    /// Start a delivery pass of the outbox now; it reports through [`Action::OutboxChanged`].
    Deliver,
    /// Offer the device's waiting and refused responses as a JSON file.
    Export,
    /// Kiosk: wipe everything of this respondent and start a fresh response (the edge answers
    /// with [`Action::NewResponse`] and a new id).
    Reset,
}

/// The effects of one transition, as data: at most one piece of work, one focus move and
/// one event for the page. Slots rather than a list: no transition can ask for two focus
/// moves, and the wasm carries no list-building code per transition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Effects {
    pub work: Option<Work>,
    /// Where focus goes once the screen is rendered.
    pub focus: Option<Focus>,
    pub announce: Option<Announcement>,
}

impl Effects {
    /// No effect at all.
    pub const NONE: Effects = Effects {
        work: None,
        focus: None,
        announce: None,
    };

    fn work(work: Work) -> Effects {
        Effects {
            work: Some(work),
            ..Effects::NONE
        }
    }

    fn focus(focus: Focus) -> Effects {
        Effects {
            focus: Some(focus),
            ..Effects::NONE
        }
    }
}

impl SurveyState {
    /// A blank form with a fresh response id.
    pub fn new(setup: Setup, id: String) -> SurveyState {
        let draft = blank_draft(&setup, id);
        SurveyState {
            draft,
            age_text: String::new(),
            errors: Vec::new(),
            attempted: false,
            phase: Phase::Editing,
            kiosk: setup.kiosk.clone().map(Kiosk::new),
            setup,
            #[cfg(feature = "steps")]
            flow: None,
        }
    }

    /// The same form asked one question per screen, from the first.
    #[cfg(feature = "steps")]
    pub fn in_steps(mut self) -> SurveyState {
        self.flow = Some(Flow::START);
        self
    }

    /// The form as the respondent left a server-rendered copy of it: its response id and
    /// every control's value (`name`, `value`), read through the same mapping the collector
    /// uses for a post without JavaScript. Errors show only once a submit is tried.
    pub fn restored(setup: Setup, fields: &[(String, String)]) -> SurveyState {
        let mut state = SurveyState::new(setup, String::new());
        for (name, value) in fields {
            if form::apply_field(&mut state.draft, name, value) && name == field::AGE {
                state.age_text = value.clone();
            }
        }
        // The page's language and fixed service win over what the copy said.
        state.draft.lang = state.setup.lang;
        if let Some(service) = &state.setup.fixed_service {
            state.draft.service = Some(service.clone());
        }
        // A copy shown one question per screen says which screen it was.
        #[cfg(feature = "steps")]
        {
            state.flow = Flow::from_fields(fields);
        }
        state
    }

    /// Whether the respondent may still change the answers.
    fn editable(&self) -> bool {
        matches!(self.phase, Phase::Editing | Phase::Failed(_))
    }

    /// Moves to the state after `action` and returns what must happen because of it. Pure:
    /// the state and the effects depend on nothing but the state before and the action.
    pub fn apply(&mut self, action: Action) -> Effects {
        match action {
            Action::SetLang(lang) => {
                self.setup.lang = lang;
                self.draft.lang = lang;
                Effects::NONE
            }
            Action::Choose(field, index) if self.editable() => {
                self.choose(field, index);
                self.changed();
                Effects::NONE
            }
            Action::SetText(field, text) if self.editable() => {
                self.set_text(field, text);
                self.changed();
                Effects::NONE
            }
            Action::Submit { at } if self.editable() => self.submit(at),
            Action::Saved if self.phase == Phase::Saving => {
                self.phase = Phase::Saved;
                Effects {
                    work: Some(Work::Deliver),
                    ..Effects::focus(Focus::DoneTitle)
                }
            }
            Action::SaveFailed if self.phase == Phase::Saving => {
                self.phase = Phase::Posting;
                Effects::work(Work::Post)
            }
            Action::Delivered(outcome) if self.phase == Phase::Posting => self.answered(outcome),
            Action::OutboxChanged(entry) if matches!(self.phase, Phase::Saved | Phase::Queued) => {
                self.outbox_changed(entry.as_deref())
            }
            Action::NewResponse { id } => {
                let kiosk = self.kiosk.take();
                #[cfg(feature = "steps")]
                let flow = self.flow.map(|_| Flow::START);
                *self = SurveyState::new(self.setup.clone(), id);
                #[cfg(feature = "steps")]
                {
                    self.flow = flow;
                }
                if let Some(mut kiosk) = kiosk {
                    kiosk.reset();
                    self.kiosk = Some(kiosk);
                }
                Effects::focus(Focus::Start)
            }
            Action::ExportQueue => Effects::work(Work::Export),
            Action::Tick { now_ms } => {
                let (done, touched, busy) =
                    (self.done_screen().is_some(), self.touched(), self.sending());
                match self
                    .kiosk
                    .as_mut()
                    .map(|k| k.tick(now_ms, done, touched, busy))
                {
                    Some(Due::Reset) => Effects::work(Work::Reset),
                    Some(Due::Prompt) => Effects::focus(Focus::Prompt),
                    _ => Effects::NONE,
                }
            }
            Action::Activity { now_ms, start } => {
                match self.kiosk.as_mut().map(|k| k.activity(now_ms, start)) {
                    Some(true) => Effects::focus(Focus::Start),
                    _ => Effects::NONE,
                }
            }
            Action::StaffTap { now_ms } => {
                if let Some(k) = self.kiosk.as_mut() {
                    k.staff_tap(now_ms);
                }
                Effects::NONE
            }
            Action::SendWithoutCode { at } if self.editable() => {
                self.draft.code = None;
                self.errors.retain(|e| e.field != field::CODE);
                // One question per screen: the button sends, from whichever screen it is on.
                #[cfg(feature = "steps")]
                if let Some(flow) = self.flow.as_mut() {
                    flow.position = Position::Review;
                }
                self.submit(at)
            }
            #[cfg(feature = "steps")]
            Action::Step(to) if self.editable() => self.step(to),
            Action::StaffClose => {
                if let Some(k) = self.kiosk.as_mut() {
                    k.staff_open = false;
                }
                Effects::NONE
            }
            // Late or out-of-place intents (a second click while saving, an old answer)
            // change nothing.
            _ => Effects::NONE,
        }
    }

    /// After an answer changed: a kiosk counts it as activity, errors are checked again.
    fn changed(&mut self) {
        if let Some(k) = self.kiosk.as_mut() {
            k.answered = true;
        }
        self.revalidate();
    }

    /// Errors follow every change once a submit was tried; a fixed form leaves `Failed`.
    fn revalidate(&mut self) {
        if self.attempted {
            self.errors = self.problems();
        }
        if matches!(self.phase, Phase::Failed(_)) && self.errors.is_empty() {
            self.phase = Phase::Editing;
        }
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
                    self.draft
                        .module_mut(module)
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

    /// The problems shown: every one on a single page; one question per screen, those of
    /// the screen shown (all of them on the review).
    fn problems(&self) -> Vec<FieldError> {
        let errors = validate_answers(&self.draft, &self.setup.config);
        #[cfg(feature = "steps")]
        if let Some(Position::Step(i)) = self.flow.map(|f| f.position) {
            return match steps::steps(&self.setup).get(i) {
                Some(step) => steps::on_screen(errors, *step),
                None => errors,
            };
        }
        errors
    }

    /// One question per screen: a move. Moving on checks this screen's answers first and
    /// stays, showing them, if any is missing or wrong; going back keeps answers as they are.
    #[cfg(feature = "steps")]
    fn step(&mut self, to: Move) -> Effects {
        let Some(flow) = self.flow else {
            return Effects::NONE;
        };
        let last = steps::steps(&self.setup).len().saturating_sub(1);
        let position = match (to, flow.position) {
            (Move::Next, Position::Step(i)) => {
                self.attempted = true;
                self.errors = self.problems();
                if !self.errors.is_empty() {
                    return Effects::focus(Focus::FirstError);
                }
                if flow.from_review || i >= last {
                    Position::Review
                } else {
                    Position::Step(i + 1)
                }
            }
            (Move::Next, Position::Review) => Position::Review,
            (Move::Back, Position::Step(i)) => Position::Step(i.saturating_sub(1)),
            (Move::Back, Position::Review) => Position::Step(last),
            (Move::To(i), _) => Position::Step(i.min(last)),
        };
        self.flow = Some(Flow {
            position,
            from_review: position != Position::Review
                && (flow.from_review || matches!(to, Move::To(_))),
        });
        // A new screen starts clean; its problems show once the respondent moves on.
        self.attempted = false;
        self.errors.clear();
        Effects::focus(Focus::StepTitle)
    }

    /// One question per screen, once problems are known (a send refused here or by the
    /// endpoint): to the screen of the first, showing that screen's problems.
    #[cfg(feature = "steps")]
    fn show_first_problem(&mut self) {
        let (Some(flow), Some(first)) = (self.flow.as_mut(), self.errors.first()) else {
            return;
        };
        let all = steps::steps(&self.setup);
        let step = steps::Step::of(&first.field);
        let i = all.iter().position(|s| *s == step).unwrap_or(0);
        flow.position = Position::Step(i);
        flow.from_review = true;
        let errors = std::mem::take(&mut self.errors);
        self.errors = steps::on_screen(errors, step);
    }

    /// A valid form is saved on the device first; an invalid one shows its problems.
    fn submit(&mut self, at: String) -> Effects {
        // One question per screen: sending (Enter in a field) from a screen moves on.
        #[cfg(feature = "steps")]
        if matches!(self.flow.map(|f| f.position), Some(Position::Step(_))) {
            return self.step(Move::Next);
        }
        // A retry after a failure keeps the time the respondent first pressed send.
        if self.draft.submitted_at.is_empty() || self.phase == Phase::Editing {
            self.draft.submitted_at = at;
        }
        self.attempted = true;
        self.errors = validate_answers(&self.draft, &self.setup.config);
        if !self.errors.is_empty() {
            self.phase = Phase::Editing;
            #[cfg(feature = "steps")]
            self.show_first_problem();
            return Effects::focus(Focus::FirstError);
        }
        self.phase = Phase::Saving;
        Effects::work(Work::Save)
    }

    /// The endpoint's answer to a direct send (or the outbox's, once it gave up on one).
    fn answered(&mut self, outcome: Outcome) -> Effects {
        let (failure, focus, code) = match outcome {
            Outcome::Stored | Outcome::AlreadyStored => return self.sent(),
            Outcome::Invalid(errors) => {
                self.errors = errors;
                #[cfg(feature = "steps")]
                self.show_first_problem();
                (Failure::Invalid, Focus::FirstError, "invalid")
            }
            Outcome::Refused { status } => (Failure::Refused { status }, Focus::Status, "refused"),
            Outcome::RetryLater {
                status,
                retry_after_secs,
            } => (
                Failure::Temporary {
                    status,
                    retry_after_secs,
                },
                Focus::Status,
                "network",
            ),
        };
        self.phase = Phase::Failed(failure);
        Effects {
            announce: Some(Announcement::Failed(code)),
            ..Effects::focus(focus)
        }
    }

    fn sent(&mut self) -> Effects {
        self.phase = Phase::Sent;
        Effects {
            announce: Some(Announcement::Submitted),
            ..Effects::focus(Focus::DoneTitle)
        }
    }

    /// What the outbox's entry for this response means: gone is delivered, rejected is
    /// refused (the answers come back with the server's messages), tried and not in flight
    /// is queued.
    fn outbox_changed(&mut self, entry: Option<&Entry>) -> Effects {
        let Some(entry) = entry else {
            return self.sent();
        };
        match &entry.rejected {
            Some(r) if r.status == 422 => self.answered(Outcome::Invalid(r.errors.clone())),
            Some(r) => self.answered(Outcome::Refused { status: r.status }),
            None if entry.attempts > 0
                && entry.sending_until.is_none()
                && self.phase == Phase::Saved =>
            {
                self.phase = Phase::Queued;
                Effects::NONE
            }
            None => Effects::NONE,
        }
    }

    /// The end-of-survey screen, once the response is saved on the device or stored.
    pub fn done_screen(&self) -> Option<DoneScreen> {
        match self.phase {
            Phase::Saved => Some(DoneScreen::Saved),
            Phase::Queued => Some(DoneScreen::Queued),
            Phase::Sent => Some(DoneScreen::Sent),
            _ => None,
        }
    }

    /// Whether the respondent has put anything into this form: a kiosk asks before wiping a
    /// touched form, and lets an untouched one be.
    pub fn touched(&self) -> bool {
        let d = &self.draft;
        let r = &d.respondent;
        r.gender.is_some()
            || r.age.is_some()
            || r.education.is_some()
            || r.occupation.is_some()
            || r.occupation_other.is_some()
            || d.scores().iter().any(Option::is_some)
            || d.spkp.is_some()
            || d.spak.is_some()
            || d.suggestion.is_some()
            || d.service != self.setup.fixed_service
            || !self.age_text.is_empty()
    }

    /// Whether the staff view may show: always on a respondent's own device; on a kiosk only
    /// once staff opened it.
    pub fn staff_may_see(&self) -> bool {
        self.kiosk.as_ref().is_none_or(|k| k.staff_open)
    }

    /// Whether a send is under way (the button says so and ignores clicks).
    pub fn sending(&self) -> bool {
        matches!(self.phase, Phase::Saving | Phase::Posting)
    }

    /// The error shown for a field path, if any.
    pub fn error_for(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }

    /// (answered, total) of the questions a respondent must answer, for the progress
    /// indicator. The rule is validation's own: the questions a blank form (with this
    /// page's setup) is missing, and how many of those this response still misses.
    pub fn progress(&self) -> (usize, usize) {
        let missing = |draft: &Submission| {
            validate_answers(draft, &self.setup.config)
                .iter()
                .filter(|e| e.code == ErrorCode::Required)
                .count()
        };
        let total = missing(&blank_draft(&self.setup, String::new()));
        (total.saturating_sub(missing(&self.draft)), total)
    }
}

fn blank_draft(setup: &Setup, id: String) -> Submission {
    let mut draft = Submission::blank(setup.lang);
    draft.id = id;
    draft.unit = setup.unit.clone().or_else(|| setup.config.unit.clone());
    draft.service = setup.fixed_service.clone();
    draft.counter = setup.counter.clone();
    draft.code = setup.code.clone();
    draft
}

fn non_blank(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::outbox::Outbox;

    const ID: &str = "6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40";
    const AT: &str = "2026-11-30T01:00:00.000Z";

    fn setup(fixed_service: Option<&str>) -> Setup {
        Setup {
            config: Rc::new(OfficeConfig::default()),
            lang: Lang::Id,
            unit: Some("kanim-bengkulu".into()),
            fixed_service: fixed_service.map(String::from),
            counter: Some("loket-2".into()),
            code: None,
            kiosk: None,
        }
    }

    /// One transition, as a value: the state after `action` and its effects.
    fn step(mut s: SurveyState, action: Action) -> (SurveyState, Effects) {
        let effects = s.apply(action);
        (s, effects)
    }

    /// Applies intents that must call for no effect.
    fn quietly(mut s: SurveyState, actions: impl IntoIterator<Item = Action>) -> SurveyState {
        for action in actions {
            assert_eq!(
                s.apply(action),
                Effects::NONE,
                "editing calls for no effect"
            );
        }
        s
    }

    fn filled(fixed_service: Option<&str>) -> SurveyState {
        let s = SurveyState::new(setup(fixed_service), ID.into());
        let mut actions = vec![
            Action::Choose(ChoiceField::Gender, 1),
            Action::SetText(TextField::Age, "34".into()),
            Action::SetText(TextField::Education, "SMA".into()),
            Action::Choose(ChoiceField::Occupation, 3),
        ];
        actions.extend(Element::ALL.map(|e| Action::Choose(ChoiceField::Answer(e), 2)));
        let s = quietly(s, actions);
        assert_eq!(s.draft.respondent.gender, Some(Gender::P));
        assert_eq!(s.draft.respondent.education, Some(Education::SMA));
        assert_eq!(s.draft.respondent.occupation, Some(Occupation::SWASTA));
        s
    }

    fn submitted() -> SurveyState {
        let (s, effects) = step(
            filled(Some("paspor-baru")),
            Action::Submit { at: AT.into() },
        );
        assert_eq!(effects, Effects::work(Work::Save));
        s
    }

    #[test]
    fn a_used_code_keeps_the_answers_and_sends_them_without_it() {
        let code = ikm_core::codes::CodeFields {
            day: ikm_core::time::Date::parse("2026-12-05").unwrap(),
            service: 0,
            serial: 1,
        }
        .encode(&[3; 32])
        .unwrap();
        let mut s = SurveyState::new(
            Setup {
                code: Some(code.clone()),
                ..setup(Some("paspor-baru"))
            },
            ID.into(),
        );
        assert_eq!(
            s.draft.code.as_deref(),
            Some(code.as_str()),
            "carried with the response"
        );
        let filled = filled(Some("paspor-baru"));
        s.draft.respondent = filled.draft.respondent.clone();
        s.draft.answers = filled.draft.answers;
        let (s, effects) = step(s, Action::Submit { at: AT.into() });
        assert_eq!(effects, Effects::work(Work::Save));
        // Sent directly (as without an outbox): the collector answers 409 code_used.
        let (s, effects) = step(s, Action::SaveFailed);
        assert_eq!(effects.work, Some(Work::Post));
        let used = vec![FieldError::new(field::CODE, ErrorCode::CodeUsed)];
        let (s, _) = step(s, Action::Delivered(Outcome::Invalid(used.clone())));
        assert_eq!(
            (s.phase.clone(), s.errors.clone()),
            (Phase::Failed(Failure::Invalid), used)
        );
        assert_eq!(s.draft.answers, filled.draft.answers, "answers kept");
        let (s, effects) = step(s, Action::SendWithoutCode { at: AT.into() });
        assert_eq!(s.draft.code, None, "unverified");
        assert_eq!(effects, Effects::work(Work::Save), "sent again at once");
        assert_eq!(s.draft.id, ID, "the same response");
    }

    #[test]
    fn a_valid_submit_saves_then_delivers_from_the_outbox() {
        let s = submitted();
        assert_eq!(s.phase, Phase::Saving);
        assert_eq!(s.draft.submitted_at, AT);
        assert_eq!(s.draft.counter.as_deref(), Some("loket-2"));
        assert!(s.sending());
        let (again, effects) = step(
            s.clone(),
            Action::Submit {
                at: "2026-11-30T01:00:01.000Z".into(),
            },
        );
        assert_eq!(
            (again, effects),
            (s.clone(), Effects::NONE),
            "a second click does nothing"
        );
        let (s, effects) = step(s, Action::Saved);
        assert_eq!(s.phase, Phase::Saved);
        assert_eq!(s.done_screen(), Some(DoneScreen::Saved));
        assert_eq!(
            effects.work,
            Some(Work::Deliver),
            "the outbox takes it from here"
        );
        assert_eq!(effects.focus, Some(Focus::DoneTitle));
        let (s, effects) = step(s, Action::OutboxChanged(None));
        assert_eq!(s.phase, Phase::Sent);
        assert_eq!(
            effects,
            Effects {
                work: None,
                focus: Some(Focus::DoneTitle),
                announce: Some(Announcement::Submitted)
            }
        );
    }

    #[test]
    fn a_device_that_cannot_keep_the_answers_posts_them_directly() {
        let (s, effects) = step(submitted(), Action::SaveFailed);
        assert_eq!(s.phase, Phase::Posting);
        assert_eq!(effects, Effects::work(Work::Post));
        assert_eq!(s.done_screen(), None, "not saved: the form stays on screen");
        let (done, effects) = step(s, Action::Delivered(Outcome::Stored));
        assert_eq!(done.phase, Phase::Sent);
        assert_eq!(effects.announce, Some(Announcement::Submitted));
    }

    #[test]
    fn submitting_a_blank_form_shows_errors_and_clears_them_as_they_are_fixed() {
        let (s, effects) = step(
            SurveyState::new(setup(None), ID.into()),
            Action::Submit { at: AT.into() },
        );
        assert_eq!(s.phase, Phase::Editing);
        assert_eq!(effects, Effects::focus(Focus::FirstError));
        assert_eq!(s.errors.len(), 14);
        let s = quietly(
            s,
            [Action::SetText(TextField::Service, "paspor-baru".into())],
        );
        assert!(s.error_for("service").is_none());
        assert_eq!(s.errors.len(), 13);
        let s = quietly(s, [Action::SetText(TextField::Age, "15".into())]);
        assert_eq!(
            s.error_for("respondent.age").map(|e| e.code),
            Some(ErrorCode::TooYoung)
        );
    }

    #[test]
    fn a_direct_send_that_fails_keeps_answers_and_retries_with_the_same_id_and_time() {
        let (s, _) = step(submitted(), Action::SaveFailed);
        let (s, effects) = step(
            s,
            Action::Delivered(Outcome::RetryLater {
                status: None,
                retry_after_secs: None,
            }),
        );
        assert!(matches!(s.phase, Phase::Failed(Failure::Temporary { .. })));
        assert_eq!(
            effects,
            Effects {
                work: None,
                focus: Some(Focus::Status),
                announce: Some(Announcement::Failed("network"))
            }
        );
        let (retry, effects) = step(
            s,
            Action::Submit {
                at: "2026-11-30T02:00:00.000Z".into(),
            },
        );
        assert_eq!(retry.phase, Phase::Saving);
        assert_eq!(retry.draft.id, ID);
        assert_eq!(retry.draft.submitted_at, AT, "the first press's time");
        assert_eq!(effects, Effects::work(Work::Save), "saved again, same id");
    }

    #[test]
    fn a_refusal_from_the_outbox_brings_the_answers_back_with_the_servers_messages() {
        let (s, _) = step(submitted(), Action::Saved);
        let mut outbox = Outbox::default();
        outbox.save(ID.into(), "/api".into(), "{}".into(), 0);
        let entry = |o: &Outbox| Action::OutboxChanged(o.entries.first().cloned().map(Box::new));
        let (s, effects) = step(s, entry(&outbox));
        assert_eq!(
            (s.phase.clone(), effects),
            (Phase::Saved, Effects::NONE),
            "waiting: nothing changes"
        );

        outbox.start_attempt(ID, 0);
        let (s, effects) = step(s, entry(&outbox));
        assert_eq!(
            (s.phase.clone(), effects),
            (Phase::Saved, Effects::NONE),
            "in flight"
        );
        let retry = Outcome::RetryLater {
            status: Some(503),
            retry_after_secs: Some(30),
        };
        outbox.record(ID, &retry, 1, 0.5);
        let (queued, effects) = step(s, entry(&outbox));
        assert_eq!(
            (queued.phase.clone(), effects),
            (Phase::Queued, Effects::NONE)
        );
        assert_eq!(queued.done_screen(), Some(DoneScreen::Queued));
        let (same, effects) = step(queued.clone(), Action::Submit { at: AT.into() });
        assert_eq!(
            (same, effects),
            (queued.clone(), Effects::NONE),
            "nothing to resend by hand"
        );

        let errors = vec![FieldError {
            field: "answers.sarana".into(),
            code: ErrorCode::OutOfRange,
            limit: Some(4),
        }];
        outbox.start_attempt(ID, 2);
        outbox.record(ID, &Outcome::Invalid(errors.clone()), 3, 0.5);
        let (refused, effects) = step(queued, entry(&outbox));
        assert_eq!(refused.phase, Phase::Failed(Failure::Invalid));
        assert_eq!(refused.errors, errors);
        assert_eq!(
            refused.draft.answers.get(Element::Sarana),
            Some(3),
            "answers kept"
        );
        assert_eq!(
            effects,
            Effects {
                work: None,
                focus: Some(Focus::FirstError),
                announce: Some(Announcement::Failed("invalid"))
            }
        );
        // The respondent fixes nothing yet but may resubmit: saved again under the same id.
        let (again, effects) = step(refused, Action::Submit { at: AT.into() });
        assert_eq!(again.phase, Phase::Saving);
        assert_eq!(effects, Effects::work(Work::Save));
    }

    #[test]
    fn outbox_news_for_a_form_not_saved_changes_nothing() {
        let s = filled(None);
        let (same, effects) = step(s.clone(), Action::OutboxChanged(None));
        assert_eq!((same, effects), (s, Effects::NONE));
    }

    #[test]
    fn new_response_keeps_the_qr_setup_clears_answers_and_focuses_the_start() {
        let (s, _) = step(filled(Some("paspor-baru")), Action::SetLang(Lang::En));
        let (s, _) = step(s, Action::Submit { at: AT.into() });
        let (s, _) = step(s, Action::SaveFailed);
        let (s, _) = step(s, Action::Delivered(Outcome::AlreadyStored));
        let (next, effects) = step(
            s,
            Action::NewResponse {
                id: "b3d6f4a0-1c2e-4f5a-8b7c-9d0e1f2a3b4c".into(),
            },
        );
        assert_eq!(effects, Effects::focus(Focus::Start));
        assert_eq!(next.phase, Phase::Editing);
        assert_eq!(next.draft.service.as_deref(), Some("paspor-baru"));
        assert_eq!(next.draft.lang, Lang::En);
        assert_eq!(next.draft.answers.answered(), 0);
        assert_ne!(next.draft.id, ID);
    }

    #[test]
    fn a_server_rendered_form_is_taken_over_with_what_the_respondent_did_meanwhile() {
        let fields: Vec<(String, String)> = [
            ("id", ID),
            ("lang", "en"),
            ("respondent.gender", "P"),
            ("respondent.age", "3"),
            ("answers.waktu", "2"),
            ("service", "izin-tinggal"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let s = SurveyState::restored(setup(Some("paspor-baru")), &fields);
        assert_eq!(s.draft.id, ID, "the same response as the server rendered");
        assert_eq!(s.draft.respondent.gender, Some(Gender::P));
        assert_eq!(s.age_text, "3", "a half-typed age stays as typed");
        assert_eq!(s.draft.answers.get(Element::Waktu), Some(2));
        assert_eq!(s.draft.lang, Lang::Id, "the page's language");
        assert_eq!(
            s.draft.service.as_deref(),
            Some("paspor-baru"),
            "the QR link's service"
        );
        assert_eq!(s.draft.counter.as_deref(), Some("loket-2"));
        assert_eq!((s.phase.clone(), s.errors.len()), (Phase::Editing, 0));
    }

    #[test]
    fn export_is_an_effect_not_work_in_a_view() {
        let s = filled(None);
        assert_eq!(
            step(s.clone(), Action::ExportQueue),
            (s, Effects::work(Work::Export))
        );
    }

    #[test]
    fn out_of_range_choices_and_disabled_modules_change_nothing() {
        let s = SurveyState::new(setup(None), ID.into());
        let same = quietly(
            s.clone(),
            [
                Action::Choose(ChoiceField::Answer(Element::Waktu), 4),
                Action::Choose(ChoiceField::Gender, 7),
                Action::Choose(ChoiceField::Statement(Module::Spak, "pungli"), 0),
            ],
        );
        assert_eq!(same, s);
        let mut config = OfficeConfig::default();
        config.modules.spak = Some(ikm_core::config::ModuleConfig { scale: 6 });
        let s = SurveyState::new(
            Setup {
                config: Rc::new(config),
                ..setup(None)
            },
            ID.into(),
        );
        let s = quietly(
            s,
            [Action::Choose(
                ChoiceField::Statement(Module::Spak, "pungli"),
                5,
            )],
        );
        assert_eq!(s.draft.spak.as_ref().and_then(|m| m.get("pungli")), Some(6));
    }

    fn kiosk_setup() -> Setup {
        let mut config = OfficeConfig::default();
        config.kiosk.attract = true;
        Setup {
            kiosk: Some(KioskSettings::from(&config.kiosk)),
            config: Rc::new(config),
            ..setup(Some("paspor-baru"))
        }
    }

    #[test]
    fn a_kiosk_wipes_everything_of_the_last_respondent_and_keeps_its_own_state() {
        let mut s = SurveyState::new(kiosk_setup(), ID.into());
        assert!(!s.touched(), "a fixed service is not an answer");
        assert_eq!(s.apply(Action::Tick { now_ms: 0 }), Effects::NONE);
        s.apply(Action::SetLang(Lang::En));
        assert!(!s.touched(), "nor is the language");
        let text = "nama saya Budi".to_string();
        s.apply(Action::SetText(TextField::Suggestion, text));
        assert!(s.touched());
        let tick = |s: &mut SurveyState, now_ms| s.apply(Action::Tick { now_ms });
        assert_eq!(
            tick(&mut s, 1_000),
            Effects::NONE,
            "the answer was activity"
        );
        assert_eq!(tick(&mut s, 90_999), Effects::NONE);
        assert_eq!(tick(&mut s, 91_000), Effects::focus(Focus::Prompt));
        assert_eq!(tick(&mut s, 121_000), Effects::work(Work::Reset));
        s.apply(Action::NewResponse { id: "next".into() });
        assert_eq!(s.draft.suggestion, None);
        assert_eq!(s.draft.id, "next");
        assert!(!s.touched());
        let screen = s.kiosk.as_ref().map(|k| k.screen);
        assert_eq!(
            screen,
            Some(crate::kiosk::Screen::Attract),
            "the next respondent meets the attract screen"
        );
        let touch = Action::Activity {
            now_ms: 122_000,
            start: true,
        };
        assert_eq!(s.apply(touch), Effects::focus(Focus::Start));
    }

    #[test]
    fn a_kiosk_starts_a_fresh_form_after_the_thank_you_countdown() {
        let mut s = filled(Some("paspor-baru"));
        s.setup = kiosk_setup();
        s.kiosk = s.setup.kiosk.clone().map(Kiosk::new);
        s.apply(Action::Submit { at: AT.into() });
        s.apply(Action::Saved);
        assert!(s.done_screen().is_some());
        assert_eq!(s.apply(Action::Tick { now_ms: 5_000 }), Effects::NONE);
        assert_eq!(
            s.apply(Action::Tick { now_ms: 15_000 }),
            Effects::work(Work::Reset)
        );
        assert!(!s.staff_may_see(), "staff view hidden from respondents");
        for t in 0..5 {
            s.apply(Action::StaffTap {
                now_ms: 16_000 + t * 200,
            });
        }
        assert!(s.staff_may_see());
        s.apply(Action::StaffClose);
        assert!(!s.staff_may_see());
        let own_device = filled(None);
        assert!(own_device.staff_may_see() && own_device.kiosk.is_none());
    }

    #[test]
    fn progress_counts_exactly_what_validation_requires() {
        let s = SurveyState::new(setup(None), ID.into());
        assert_eq!(s.progress(), (0, 14));
        let s = filled(None);
        assert_eq!(s.progress(), (13, 14));
        // A fixed service is not a question on screen.
        assert_eq!(filled(Some("paspor-baru")).progress(), (13, 13));
        // With both modules, every statement counts: the same rule as validation's.
        let mut config = OfficeConfig::default();
        config.modules.spkp = Some(ikm_core::config::ModuleConfig { scale: 4 });
        config.modules.spak = Some(ikm_core::config::ModuleConfig { scale: 6 });
        let s = SurveyState::new(
            Setup {
                config: Rc::new(config.clone()),
                ..setup(None)
            },
            ID.into(),
        );
        let required = validate_answers(&s.draft, &config)
            .iter()
            .filter(|e| e.code == ErrorCode::Required)
            .count();
        assert_eq!(s.progress(), (0, required));
        assert_eq!(required, 14 + 8 + 5);
        let s = quietly(
            filled(None),
            [
                Action::Choose(ChoiceField::Occupation, 5),
                Action::SetText(TextField::OccupationOther, "Nelayan".into()),
            ],
        );
        assert_eq!(
            s.draft.respondent.occupation_other.as_deref(),
            Some("Nelayan")
        );
        let s = quietly(s, [Action::Choose(ChoiceField::Occupation, 0)]);
        assert_eq!(s.draft.respondent.occupation_other, None);
    }

    /// Where a flow stands, for the step tests.
    #[cfg(feature = "steps")]
    fn at(s: &SurveyState) -> Position {
        s.flow.expect("one question per screen").position
    }

    #[cfg(feature = "steps")]
    #[test]
    fn moving_on_from_a_screen_with_a_missing_answer_stays_and_shows_only_its_problems() {
        let mut s = SurveyState::new(setup(Some("paspor-baru")), ID.into()).in_steps();
        s.apply(Action::Choose(ChoiceField::Answer(Element::ALL[0]), 3));
        assert_eq!(
            s.apply(Action::Step(Move::Next)),
            Effects::focus(Focus::FirstError)
        );
        assert_eq!(at(&s), Position::Step(0));
        assert!(!s.errors.is_empty());
        assert!(
            s.errors.iter().all(|e| steps::Step::Profile.owns(&e.field)),
            "only the profile's problems: {:?}",
            s.errors
        );
        // The answer given on a later screen is kept while this one is fixed.
        assert_eq!(s.draft.answers.get(Element::ALL[0]), Some(4));
    }

    #[cfg(feature = "steps")]
    #[test]
    fn a_walk_to_the_review_and_back_keeps_every_answer_and_a_change_returns_to_the_review() {
        let mut s = filled(Some("paspor-baru")).in_steps();
        let answers = s.draft.clone();
        let screens = steps::steps(&s.setup).len();
        for i in 0..screens {
            assert_eq!(at(&s), Position::Step(i));
            assert_eq!(
                s.apply(Action::Step(Move::Next)),
                Effects::focus(Focus::StepTitle)
            );
        }
        assert_eq!(at(&s), Position::Review);
        s.apply(Action::Step(Move::Back));
        assert_eq!(at(&s), Position::Step(screens - 1));
        s.apply(Action::Step(Move::Back));
        assert_eq!(at(&s), Position::Step(screens - 2));
        assert_eq!(s.draft, answers, "going back changes no answer");
        s.apply(Action::Step(Move::To(3)));
        assert_eq!(at(&s), Position::Step(3));
        s.apply(Action::Choose(ChoiceField::Answer(Element::ALL[2]), 3));
        s.apply(Action::Step(Move::Next));
        assert_eq!(
            at(&s),
            Position::Review,
            "a change from the review returns there"
        );
        assert_eq!(s.draft.answers.get(Element::ALL[2]), Some(4));
        let (_, effects) = step(s, Action::Submit { at: AT.into() });
        assert_eq!(effects, Effects::work(Work::Save));
    }

    #[cfg(feature = "steps")]
    #[test]
    fn a_send_with_a_missing_answer_goes_to_its_screen() {
        let mut s = SurveyState::new(setup(Some("paspor-baru")), ID.into()).in_steps();
        let filled = filled(Some("paspor-baru"));
        s.draft = filled.draft.clone();
        s.age_text = filled.age_text.clone();
        s.draft.answers = Default::default();
        for e in Element::ALL.into_iter().filter(|e| *e != Element::ALL[4]) {
            s.apply(Action::Choose(ChoiceField::Answer(e), 2));
        }
        s.flow = Some(Flow {
            position: Position::Review,
            from_review: false,
        });
        assert_eq!(
            s.apply(Action::Submit { at: AT.into() }),
            Effects::focus(Focus::FirstError)
        );
        assert_eq!(at(&s), Position::Step(5), "the fifth element's screen");
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].field, field::answer(Element::ALL[4]));
        // Answering it and moving on returns to the review, ready to send.
        s.apply(Action::Choose(ChoiceField::Answer(Element::ALL[4]), 1));
        s.apply(Action::Step(Move::Next));
        assert_eq!(at(&s), Position::Review);
    }
}
