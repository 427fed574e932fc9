//! Kiosk mode for a shared tablet, as pure state: when the thank-you screen gives way to a
//! fresh form, when an abandoned form asks "Masih di sini?" and is then wiped, the attract
//! screen, and the staff gesture. Time comes in as data (`now_ms` of a tick or a touch), so
//! every rule is tested natively with a clock the test controls.

use ikm_core::config::KioskConfig;

/// Taps on the office name that open the staff view.
pub const STAFF_TAPS: u8 = 5;
/// Within this many milliseconds of the first tap.
pub const STAFF_TAP_WINDOW_MS: u64 = 3_000;

/// The kiosk's timings in milliseconds, and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskSettings {
    pub reset_after_send_ms: u64,
    pub idle_ms: u64,
    pub prompt_ms: u64,
    pub attract: bool,
}

impl From<&KioskConfig> for KioskSettings {
    fn from(c: &KioskConfig) -> KioskSettings {
        KioskSettings {
            reset_after_send_ms: u64::from(c.reset_after_send_secs) * 1000,
            idle_ms: u64::from(c.idle_secs) * 1000,
            prompt_ms: u64::from(c.prompt_secs) * 1000,
            attract: c.attract,
        }
    }
}

/// What the kiosk shows over (or instead of) the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The survey itself.
    Survey,
    /// "Sentuh untuk mulai": nobody is answering.
    Attract,
    /// "Masih di sini?": a partly filled form was left; wiped at `until_ms`.
    StillThere { until_ms: u64 },
}

/// Whether staff may see the staff view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staff {
    Locked,
    /// The gesture was made and a PIN is configured: asking for it (`wrong`: a wrong PIN was typed).
    AskingPin {
        wrong: bool,
    },
    Open,
}

/// A kiosk's running state; it outlives each response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kiosk {
    pub settings: KioskSettings,
    pub screen: Screen,
    /// The latest time the edge reported.
    pub now_ms: u64,
    /// The last touch or key on the widget; None until the next tick after a reset.
    pub last_activity_ms: Option<u64>,
    /// When the end-of-survey screen first showed.
    pub done_at_ms: Option<u64>,
    /// Taps on the office name so far, and when the first was.
    taps: (u8, u64),
    /// Whether staff opened the staff view (hidden from respondents).
    pub staff_open: bool,
    /// The respondent changed an answer since the last tick (counts as activity then).
    pub answered: bool,
}

/// What a tick asks of the survey around the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Nothing,
    /// Wipe the form and start a fresh response.
    Reset,
    /// "Masih di sini?" just appeared: move focus to it.
    Prompt,
}

impl Kiosk {
    pub fn new(settings: KioskSettings) -> Kiosk {
        Kiosk {
            screen: Screen::Survey,
            now_ms: 0,
            last_activity_ms: None,
            done_at_ms: None,
            taps: (0, 0),
            staff_open: false,
            answered: false,
            settings,
        }
    }

    /// The state for the next respondent: the attract screen (when on), the staff view locked.
    pub fn reset(&mut self) {
        self.screen = if self.settings.attract {
            Screen::Attract
        } else {
            Screen::Survey
        };
        self.last_activity_ms = None;
        self.done_at_ms = None;
        self.taps = (0, 0);
        self.staff_open = false;
        self.answered = false;
    }

    /// The clock moved to `now_ms`. `done`: the end-of-survey screen is showing; `touched`:
    /// the form holds an answer; `busy`: a send is under way (nothing is wiped meanwhile).
    pub fn tick(&mut self, now_ms: u64, done: bool, touched: bool, busy: bool) -> Due {
        self.now_ms = now_ms;
        if std::mem::take(&mut self.answered) {
            self.last_activity_ms = Some(now_ms);
        }
        let last = *self.last_activity_ms.get_or_insert(now_ms);
        if done {
            let shown = *self.done_at_ms.get_or_insert(now_ms);
            return if now_ms.saturating_sub(shown) >= self.settings.reset_after_send_ms {
                Due::Reset
            } else {
                Due::Nothing
            };
        }
        if busy {
            return Due::Nothing;
        }
        let idle = now_ms.saturating_sub(last) >= self.settings.idle_ms;
        match self.screen {
            Screen::StillThere { until_ms } if now_ms >= until_ms => Due::Reset,
            Screen::Survey if idle && touched => {
                self.screen = Screen::StillThere {
                    until_ms: now_ms + self.settings.prompt_ms,
                };
                Due::Prompt
            }
            Screen::Survey if idle && self.settings.attract => {
                self.screen = Screen::Attract;
                Due::Nothing
            }
            _ => Due::Nothing,
        }
    }

    /// A touch on the widget (`start`: on the attract screen's button): the respondent is
    /// here. Answers "Masih di sini?"; only the button leaves the attract screen, so the
    /// touch that lands on it is not lost on a screen that vanished under it. Returns whether
    /// the survey came back from the attract screen (focus then goes to its start).
    pub fn activity(&mut self, now_ms: u64, start: bool) -> bool {
        self.now_ms = now_ms.max(self.now_ms);
        self.last_activity_ms = Some(self.now_ms);
        match self.screen {
            Screen::Attract if !start => false,
            Screen::Attract => {
                self.screen = Screen::Survey;
                true
            }
            _ => {
                self.screen = Screen::Survey;
                false
            }
        }
    }

    /// Seconds left on a countdown ending at `until_ms`, rounded up.
    pub fn seconds_left(&self, until_ms: u64) -> u64 {
        until_ms.saturating_sub(self.now_ms).div_ceil(1000)
    }

    /// Seconds until the thank-you screen gives way to a fresh form.
    pub fn seconds_to_fresh_form(&self) -> u64 {
        let shown = self.done_at_ms.unwrap_or(self.now_ms);
        self.seconds_left(shown + self.settings.reset_after_send_ms)
    }

    /// A tap on the office name at `now_ms`: five within three seconds open the staff view
    /// (a gesture respondents do not make by chance; documented for staff).
    pub fn staff_tap(&mut self, now_ms: u64) {
        let (count, first) = self.taps;
        self.taps = if count == 0 || now_ms.saturating_sub(first) > STAFF_TAP_WINDOW_MS {
            (1, now_ms)
        } else {
            (count + 1, first)
        };
        if self.taps.0 >= STAFF_TAPS {
            self.taps = (0, 0);
            self.staff_open = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kiosk(attract: bool) -> Kiosk {
        Kiosk::new(KioskSettings {
            reset_after_send_ms: 10_000,
            idle_ms: 90_000,
            prompt_ms: 30_000,
            attract,
        })
    }

    #[test]
    fn the_thank_you_screen_gives_way_after_its_countdown() {
        let mut k = kiosk(false);
        assert_eq!(k.tick(1_000, true, true, false), Due::Nothing);
        assert_eq!(k.seconds_to_fresh_form(), 10);
        assert_eq!(k.tick(6_500, true, true, false), Due::Nothing);
        assert_eq!(k.seconds_to_fresh_form(), 5, "4.5 s left shows as 5");
        assert_eq!(k.tick(11_000, true, true, false), Due::Reset);
    }

    #[test]
    fn an_abandoned_form_asks_then_is_wiped_and_an_untouched_one_never_asks() {
        let mut k = kiosk(false);
        k.tick(0, false, true, false);
        assert_eq!(k.tick(89_999, false, true, false), Due::Nothing);
        assert_eq!(k.tick(90_000, false, true, false), Due::Prompt);
        assert_eq!(k.screen, Screen::StillThere { until_ms: 120_000 });
        assert_eq!(k.seconds_left(120_000), 30);
        assert_eq!(k.tick(119_000, false, true, false), Due::Nothing);
        assert_eq!(k.tick(120_000, false, true, false), Due::Reset);

        let mut untouched = kiosk(false);
        untouched.tick(0, false, false, false);
        assert_eq!(untouched.tick(500_000, false, false, false), Due::Nothing);
        assert_eq!(untouched.screen, Screen::Survey);
    }

    #[test]
    fn a_touch_answers_the_prompt_and_a_send_in_progress_is_never_wiped() {
        let mut k = kiosk(false);
        k.tick(0, false, true, false);
        k.tick(90_000, false, true, false);
        assert!(!k.activity(95_000, false));
        assert_eq!(k.screen, Screen::Survey);
        assert_eq!(
            k.tick(184_999, false, true, false),
            Due::Nothing,
            "idle counts from the touch"
        );
        let mut busy = kiosk(false);
        busy.tick(0, false, true, true);
        assert_eq!(busy.tick(1_000_000, false, true, true), Due::Nothing);
    }

    #[test]
    fn the_attract_screen_shows_while_idle_and_after_each_reset() {
        let mut k = kiosk(true);
        k.tick(0, false, false, false);
        k.tick(90_000, false, false, false);
        assert_eq!(k.screen, Screen::Attract);
        assert!(!k.activity(90_500, false), "a touch beside the button");
        assert_eq!(k.screen, Screen::Attract);
        assert!(
            k.activity(91_000, true),
            "back from the attract screen: focus to the start"
        );
        assert_eq!(k.screen, Screen::Survey);
        k.reset();
        assert_eq!(k.screen, Screen::Attract);
        assert_eq!(k.last_activity_ms, None);
    }

    #[test]
    fn an_answer_counts_as_activity_at_the_next_tick() {
        let mut k = kiosk(false);
        k.tick(0, false, true, false);
        k.answered = true;
        k.tick(80_000, false, true, false);
        assert_eq!(k.tick(169_999, false, true, false), Due::Nothing);
        assert_eq!(k.tick(170_000, false, true, false), Due::Prompt);
    }

    #[test]
    fn five_quick_taps_open_the_staff_view() {
        let mut k = kiosk(false);
        for t in [0, 400, 800, 1_200] {
            k.staff_tap(t);
        }
        assert!(!k.staff_open);
        k.staff_tap(1_600);
        assert!(k.staff_open);
        k.reset();
        assert!(!k.staff_open, "hidden again for the next respondent");

        let mut slow = kiosk(false);
        for t in [0, 1_000, 2_000, 3_000, 4_000] {
            slow.staff_tap(t);
        }
        assert!(!slow.staff_open, "too slow: the count starts again");
    }
}
