//! The survey rendered on the server, by the same view functions the widget runs in the
//! browser (Yew's server-side rendering): the collector's hosted page shows the complete form
//! as HTML before any script arrives, and the form posts without JavaScript.

use crate::components::{survey, Msg};
use crate::state::SurveyState;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct StaticSurveyProps {
    state: SurveyState,
}

/// The survey screen for a state that does not change: on the server there is nothing to run.
#[function_component]
fn StaticSurvey(props: &StaticSurveyProps) -> Html {
    let dispatch = Callback::from(|_: Msg| ());
    survey::view(&props.state, &dispatch, &NodeRef::default(), (0, 0))
}

/// The HTML of the survey screen for `state`: the form (with its errors, if a submit was
/// tried) or the end-of-survey screen. Plain HTML without hydration markers: when the widget
/// takes over, it reads the form's values and renders its own copy in its place.
pub fn render(state: SurveyState) -> String {
    let renderer =
        yew::LocalServerRenderer::<StaticSurvey>::with_props(StaticSurveyProps { state })
            .hydratable(false);
    futures::executor::block_on(renderer.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, ChoiceField, Setup, TextField};
    use ikm_core::{Lang, OfficeConfig};
    use std::rc::Rc;

    fn state(lang: Lang) -> SurveyState {
        let setup = Setup {
            config: Rc::new(OfficeConfig::default()),
            lang,
            unit: None,
            fixed_service: Some("paspor-baru".into()),
            counter: Some("loket-2".into()),
            code: None,
            kiosk: None,
        };
        SurveyState::new(setup, "6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40".into())
    }

    #[test]
    fn the_whole_form_is_plain_html_that_posts_without_javascript() {
        let html = render(state(Lang::Id));
        assert!(html.contains(r#"<form method="post""#), "{html}");
        let id = r#"<input value="6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40" type="hidden" name="id">"#;
        assert!(html.contains(id));
        for element in ikm_core::Element::ALL {
            for score in 1..=4 {
                let radio = format!(
                    r#"<input value="{score}" type="radio" name="answers.{}""#,
                    element.key()
                );
                assert!(html.contains(&radio), "{radio}");
            }
        }
        assert!(html.contains(r#"<input value="P" type="radio" name="respondent.gender">"#));
        assert!(html.contains(r#"name="respondent.age""#));
        assert!(html.contains("Bagaimana pendapat Saudara tentang kesesuaian persyaratan"));
        assert!(html.contains(r#"href="?lang=en&amp;layanan=paspor-baru&amp;loket=loket-2""#));
        assert!(!html.contains("<!--<["), "no hydration markers");
    }

    #[test]
    fn a_refused_post_comes_back_with_its_answers_and_every_problem_next_to_its_field() {
        let mut s = state(Lang::En);
        for action in [
            Action::Choose(ChoiceField::Answer(ikm_core::Element::Waktu), 2),
            Action::SetText(TextField::Education, "SMA".into()),
            Action::SetText(TextField::Suggestion, "Antrean <cepat> & rapi".into()),
            Action::Submit {
                at: "2026-11-30T01:00:00Z".into(),
            },
        ] {
            s.apply(action);
        }
        let html = render(s);
        assert!(html.contains("Please fix 11 problems:"), "{html}");
        assert!(html.contains(r#"id="ikm-respondent-age-error""#));
        assert!(html.contains("Enter your age in years."));
        // What was answered stays answered, escaped where it is text.
        assert!(
            html.contains(r#"<input value="3" checked type="radio" name="answers.waktu">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<option value="SMA" selected="selected">"#),
            "{html}"
        );
        assert!(
            html.contains("Antrean &lt;cepat&gt; &amp; rapi</textarea>"),
            "{html}"
        );
    }
}
