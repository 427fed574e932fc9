//! One question per screen (`mode=steps`), for small phones and large text: the screens a
//! survey has, where the respondent is among them, which screen each problem belongs to, and
//! how the position travels in a form post. The reducer (`state`) moves between screens, the
//! view (`components::steps`) shows one. Feature `steps`: the collector's hosted page uses it;
//! the phone's default wasm leaves it out to stay within its size budget.

use crate::state::Setup;
use ikm_core::i18n::{step_of, ui};
use ikm_core::questionnaire::Module;
use ikm_core::validate::FieldError;
use ikm_core::{Element, Lang};

/// What a link to the survey page adds to stay one question per screen.
pub const QUERY: &str = "&mode=steps";

/// What one screen asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The respondent and the service: a handful of short fields on one screen.
    Profile,
    /// One of the nine elements.
    Question(Element),
    /// An enabled perception module's statements (same scale, read together).
    Module(Module),
    /// The optional suggestion.
    Suggestion,
}

impl Step {
    /// The screen a field (a payload path) is asked on; anything not an answer, a module
    /// statement or the suggestion (service, code, respondent, unit) belongs to the profile.
    pub fn of(field: &str) -> Step {
        if let Some(element) = field.strip_prefix("answers.").and_then(Element::from_key) {
            return Step::Question(element);
        }
        if field == ikm_core::validate::field::SUGGESTION {
            return Step::Suggestion;
        }
        for module in Module::ALL {
            if field
                .strip_prefix(module.key())
                .is_some_and(|rest| rest.starts_with('.'))
            {
                return Step::Module(module);
            }
        }
        Step::Profile
    }

    /// Whether `field` is asked on this screen.
    pub fn owns(self, field: &str) -> bool {
        Step::of(field) == self
    }

    /// The screen's short name: its heading, the page title, the summary's row.
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Step::Profile => ui::PROFILE.get(lang),
            Step::Question(element) => element.name().get(lang),
            Step::Module(module) => module.title().get(lang),
            Step::Suggestion => ui::SUGGESTION_STEP.get(lang),
        }
    }
}

/// The screens of a survey with this setup, in order: the profile, the nine elements, each
/// enabled module, the suggestion (the review screen follows them, unnumbered).
pub fn steps(setup: &Setup) -> Vec<Step> {
    let mut steps = vec![Step::Profile];
    steps.extend(Element::ALL.map(Step::Question));
    for module in Module::ALL {
        if setup.config.modules.get(module).is_some() {
            steps.push(Step::Module(module));
        }
    }
    steps.push(Step::Suggestion);
    steps
}

/// Where the respondent is: on a numbered screen (0-based) or on the review before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Step(usize),
    Review,
}

/// The one-question-per-screen flow of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub position: Position,
    /// Came from the review to change an answer: moving on returns there.
    pub from_review: bool,
}

impl Flow {
    /// The first screen.
    pub const START: Flow = Flow {
        position: Position::Step(0),
        from_review: false,
    };

    /// The flow a post carries in its hidden fields ([`POSITION`], [`FROM_REVIEW`]); None
    /// when the post has none (a form of the one-page kind).
    pub fn from_fields(fields: &[(String, String)]) -> Option<Flow> {
        let value = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let position = match value(POSITION)? {
            "review" => Position::Review,
            index => Position::Step(index.trim().parse().unwrap_or(0)),
        };
        Some(Flow {
            position,
            from_review: value(FROM_REVIEW) == Some("1"),
        })
    }

    /// The hidden fields that carry this flow in a post.
    pub fn fields(self) -> [(&'static str, String); 2] {
        let position = match self.position {
            Position::Step(i) => i.to_string(),
            Position::Review => "review".to_string(),
        };
        [
            (POSITION, position),
            (
                FROM_REVIEW,
                if self.from_review { "1" } else { "" }.to_string(),
            ),
        ]
    }
}

/// A move the respondent asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// On to the next screen (or back to the review), once this screen's answers are valid.
    Next,
    /// To the screen before, answers kept as they are.
    Back,
    /// From the review to screen `i`, to change an answer.
    To(usize),
}

impl Move {
    /// The move a post's [`MOVE`] button names: `next`, `back` or a screen's number.
    pub fn from_fields(fields: &[(String, String)]) -> Option<Move> {
        let (_, value) = fields.iter().find(|(n, _)| n == MOVE)?;
        match value.as_str() {
            "next" => Some(Move::Next),
            "back" => Some(Move::Back),
            index => index.parse().ok().map(Move::To),
        }
    }

    /// The value of the button that asks for this move.
    pub fn code(self) -> String {
        match self {
            Move::Next => "next".to_string(),
            Move::Back => "back".to_string(),
            Move::To(i) => i.to_string(),
        }
    }
}

/// The name of the buttons that move (their value is [`Move::code`]).
pub const MOVE: &str = "step";
/// The hidden field with the screen shown: its number or `review`.
pub const POSITION: &str = "step.at";
/// The hidden field saying the screen was reached from the review (`1`).
pub const FROM_REVIEW: &str = "step.review";

/// The problems among `errors` that are asked on `step`'s screen.
pub fn on_screen(errors: Vec<FieldError>, step: Step) -> Vec<FieldError> {
    errors.into_iter().filter(|e| step.owns(&e.field)).collect()
}

/// The page's title for a position: "Langkah 3 dari 11: Waktu Penyelesaian", or the review's.
pub fn title(setup: &Setup, position: Position) -> String {
    let steps = steps(setup);
    let lang = setup.lang;
    match position {
        Position::Step(i) => match steps.get(i) {
            Some(step) => format!(
                "{}: {}",
                step_of(i + 1, steps.len(), lang),
                step.title(lang)
            ),
            None => ui::REVIEW.get(lang).to_string(),
        },
        Position::Review => ui::REVIEW.get(lang).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::OfficeConfig;
    use std::rc::Rc;

    fn setup(config: OfficeConfig) -> Setup {
        Setup {
            config: Rc::new(config),
            lang: Lang::Id,
            unit: None,
            fixed_service: None,
            counter: None,
            code: None,
            kiosk: None,
        }
    }

    #[test]
    fn the_standard_survey_has_eleven_screens_and_each_module_adds_one() {
        let plain = steps(&setup(OfficeConfig::default()));
        assert_eq!(plain.len(), 11);
        assert_eq!(plain.first(), Some(&Step::Profile));
        assert_eq!(plain.get(3), Some(&Step::Question(Element::Waktu)));
        assert_eq!(plain.last(), Some(&Step::Suggestion));
        let config = OfficeConfig::from_json(
            r#"{"office_name":"X","modules":{"spkp":{"scale":6},"spak":{"scale":4}}}"#,
        )
        .unwrap();
        let with = steps(&setup(config));
        assert_eq!(with.len(), 13);
        assert_eq!(with.get(10), Some(&Step::Module(Module::Spkp)));
        assert_eq!(
            title(&setup(OfficeConfig::default()), Position::Step(3)),
            "Langkah 4 dari 11: Waktu Penyelesaian"
        );
    }

    #[test]
    fn every_field_belongs_to_the_screen_that_asks_it() {
        assert_eq!(Step::of("answers.biaya"), Step::Question(Element::Biaya));
        assert_eq!(Step::of("spak.pungli"), Step::Module(Module::Spak));
        assert_eq!(Step::of("suggestion"), Step::Suggestion);
        for profile in ["service", "code", "respondent.age", "unit", "answers.nope"] {
            assert_eq!(Step::of(profile), Step::Profile, "{profile}");
        }
        assert!(!Step::Profile.owns("spak.pungli"));
        assert!(Step::Module(Module::Spak).owns("spak.pungli"));
    }

    #[test]
    fn the_flow_and_the_moves_survive_a_form_post() {
        let post = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        for flow in [
            Flow::START,
            Flow {
                position: Position::Review,
                from_review: false,
            },
            Flow {
                position: Position::Step(7),
                from_review: true,
            },
        ] {
            let fields: Vec<(String, String)> = flow
                .fields()
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect();
            assert_eq!(Flow::from_fields(&fields), Some(flow));
        }
        assert_eq!(Flow::from_fields(&post(&[("id", "x")])), None);
        for m in [Move::Next, Move::Back, Move::To(4)] {
            assert_eq!(Move::from_fields(&post(&[(MOVE, &m.code())])), Some(m));
        }
        assert_eq!(Move::from_fields(&post(&[(MOVE, "sideways")])), None);
        assert_eq!(Move::from_fields(&post(&[])), None);
    }
}
