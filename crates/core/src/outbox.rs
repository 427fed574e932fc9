//! The delivery outbox: responses saved on the device until an endpoint has them.
//!
//! Pure state and transitions; the widget persists it (localStorage) and drives it with real
//! time and HTTP. Invariants: an entry leaves only after a 2xx (or 409) from its endpoint;
//! a permanent refusal (400/413/422) keeps it as rejected for staff to export; nothing
//! expires. With an endpoint that deduplicates by id, every response is stored exactly once.

use crate::delivery::Outcome;
use crate::json::{self, Value};
use crate::validate::FieldError;
use serde::Serialize;

/// First retry delay; doubles per attempt.
pub const BASE_BACKOFF_MS: i64 = 2_000;
/// Longest delay between attempts without a `Retry-After`.
pub const MAX_BACKOFF_MS: i64 = 5 * 60 * 1000;
/// Longest `Retry-After` honoured (an hour), so a wrong header cannot park answers for days.
pub const MAX_RETRY_AFTER_MS: i64 = 60 * 60 * 1000;
/// How long an attempt in flight keeps other senders off an entry (when no lock API exists).
pub const LEASE_MS: i64 = 30_000;
/// Most attempts a stored entry may claim: one every five minutes for about ten years. More
/// means the entry was tampered with; it is set aside like any unreadable entry.
pub const MAX_ATTEMPTS: u32 = 1_000_000;
/// Latest time (Unix ms, the end of year 9999) a stored entry may carry.
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// One saved response waiting for (or refused by) its endpoint. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The response id (also the `Idempotency-Key`).
    pub id: String,
    pub endpoint: String,
    /// The exact JSON body to POST, fixed when saved so every attempt sends the same bytes.
    pub body: String,
    pub saved_at: i64,
    pub attempts: u32,
    pub next_attempt_at: i64,
    /// An attempt is in flight until this time (a lease), or None.
    pub sending_until: Option<i64>,
    /// Set when the endpoint refused the body for good.
    pub rejected: Option<Rejection>,
    /// Why the last attempt failed, for the staff view.
    pub last_error: Option<String>,
}

/// A permanent refusal: the status and, for 422, the field errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub status: u16,
    pub errors: Vec<FieldError>,
    pub at: i64,
}

/// All saved entries, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outbox {
    pub entries: Vec<Entry>,
}

impl Entry {
    /// An entry as stored on the device (written with [`crate::json::to_string`]). Fields this
    /// version does not know are ignored, so a newer widget's entries still get delivered.
    pub fn from_json(text: &str) -> Result<Entry, json::Error> {
        Entry::from_value(&json::parse(text)?)
    }

    fn from_value(value: &Value) -> Result<Entry, json::Error> {
        let mut e = Entry {
            id: String::new(),
            endpoint: String::new(),
            body: String::new(),
            saved_at: 0,
            attempts: 0,
            next_attempt_at: 0,
            sending_until: None,
            rejected: None,
            last_error: None,
        };
        json::read_object!(value, |v| {
            "id" (required) => e.id = v.string()?,
            "endpoint" (required) => e.endpoint = v.string()?,
            "body" (required) => e.body = v.string()?,
            "saved_at" (required) => e.saved_at = time_ms(v)?,
            "attempts" (required) => e.attempts = v.int_in(0, MAX_ATTEMPTS.into())? as u32,
            "next_attempt_at" (required) => e.next_attempt_at = time_ms(v)?,
            "sending_until" => e.sending_until = Some(time_ms(v)?),
            "rejected" => e.rejected = Some(Rejection::from_value(v)?),
            "last_error" => e.last_error = Some(v.string()?),
        }, ignore)?;
        Ok(e)
    }
}

impl Rejection {
    fn from_value(value: &Value) -> Result<Rejection, json::Error> {
        let mut r = Rejection {
            status: 0,
            errors: Vec::new(),
            at: 0,
        };
        json::read_object!(value, |v| {
            "status" (required) => r.status = v.u16()?,
            "errors" (required) => r.errors = v.list(FieldError::from_value)?,
            "at" (required) => r.at = time_ms(v)?,
        }, ignore)?;
        Ok(r)
    }
}

/// A stored time: Unix milliseconds from 1970 to the end of year 9999.
fn time_ms(value: &Value) -> Result<i64, json::Error> {
    value.int_in(0, MAX_TIME_MS)
}

/// The delay before attempt `attempts + 1`: exponential with "equal jitter" (half fixed,
/// half random by `jitter` in 0..1), capped; a `Retry-After` is a lower bound.
pub fn backoff_ms(attempts: u32, retry_after_secs: Option<u32>, jitter: f64) -> i64 {
    let exponent = attempts.saturating_sub(1).min(20);
    let full = (BASE_BACKOFF_MS << exponent).min(MAX_BACKOFF_MS);
    let jittered = full / 2 + (full as f64 / 2.0 * jitter.clamp(0.0, 1.0)) as i64;
    let floor = retry_after_secs.map_or(0, |s| (i64::from(s) * 1000).min(MAX_RETRY_AFTER_MS));
    jittered.max(floor)
}

impl Outbox {
    /// Saves a response before its first attempt; saving a pending id again changes nothing,
    /// while a rejected one is replaced (the respondent corrected the answers it was refused for).
    pub fn save(&mut self, id: String, endpoint: String, body: String, now: i64) -> bool {
        if let Some(index) = self.entries.iter().position(|e| e.id == id) {
            if self
                .entries
                .get(index)
                .is_some_and(|e| e.rejected.is_none())
            {
                return false;
            }
            self.entries.remove(index);
        }
        self.entries.push(Entry {
            id,
            endpoint,
            body,
            saved_at: now,
            attempts: 0,
            next_attempt_at: now,
            sending_until: None,
            rejected: None,
            last_error: None,
        });
        true
    }

    /// Ids of pending entries whose time has come; `respect_leases` skips entries another
    /// sender is working on (off when a cross-tab lock already guarantees one sender).
    pub fn due(&self, now: i64, respect_leases: bool) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.rejected.is_none() && e.next_attempt_at <= now)
            .filter(|e| !respect_leases || e.sending_until.is_none_or(|until| until <= now))
            .map(|e| e.id.clone())
            .collect()
    }

    /// Marks an attempt as started (lease, attempt count); the entry to send, if still pending.
    pub fn start_attempt(&mut self, id: &str, now: i64) -> Option<Entry> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.id == id && e.rejected.is_none())?;
        entry.attempts = entry.attempts.saturating_add(1);
        entry.sending_until = Some(now.saturating_add(LEASE_MS));
        Some(entry.clone())
    }

    /// Applies an attempt's outcome: delivered entries leave, refused ones stay as rejected,
    /// the rest wait for their next attempt.
    pub fn record(&mut self, id: &str, outcome: &Outcome, now: i64, jitter: f64) {
        let Some(index) = self.entries.iter().position(|e| e.id == id) else {
            return;
        };
        if outcome.is_delivered() {
            self.entries.remove(index);
            return;
        }
        let Some(entry) = self.entries.get_mut(index) else {
            return;
        };
        entry.sending_until = None;
        match outcome {
            Outcome::Invalid(errors) => {
                entry.rejected = Some(Rejection {
                    status: 422,
                    errors: errors.clone(),
                    at: now,
                });
            }
            Outcome::Refused { status } => {
                entry.rejected = Some(Rejection {
                    status: *status,
                    errors: Vec::new(),
                    at: now,
                });
            }
            Outcome::RetryLater {
                status,
                retry_after_secs,
            } => {
                entry.next_attempt_at =
                    now.saturating_add(backoff_ms(entry.attempts, *retry_after_secs, jitter));
                entry.last_error =
                    Some(status.map_or("no answer".to_string(), |s| format!("HTTP {s}")));
            }
            Outcome::Stored | Outcome::AlreadyStored => {}
        }
    }

    /// Makes every pending entry due now (the network came back, the page became visible).
    pub fn retry_now(&mut self, now: i64) {
        for e in self.entries.iter_mut().filter(|e| e.rejected.is_none()) {
            e.next_attempt_at = e.next_attempt_at.min(now);
        }
    }

    /// Entries still to be delivered.
    pub fn pending(&self) -> usize {
        self.entries.iter().filter(|e| e.rejected.is_none()).count()
    }

    /// Entries an endpoint refused for good.
    pub fn rejected(&self) -> usize {
        self.entries.iter().filter(|e| e.rejected.is_some()).count()
    }

    /// Whether `id` is still on the device (pending or rejected).
    pub fn contains(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id == id)
    }

    /// When the next pending entry becomes due, leases included (for the sender's timer).
    pub fn next_due(&self) -> Option<i64> {
        self.entries
            .iter()
            .filter(|e| e.rejected.is_none())
            .map(|e| e.next_attempt_at.max(e.sending_until.unwrap_or(i64::MIN)))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    fn outbox_with(ids: &[&str]) -> Outbox {
        let mut o = Outbox::default();
        for id in ids {
            o.save(
                id.to_string(),
                "/api".into(),
                format!("{{\"id\":\"{id}\"}}"),
                0,
            );
        }
        o
    }

    #[test]
    fn saving_twice_keeps_one_entry() {
        let mut o = outbox_with(&["a"]);
        assert!(!o.save("a".into(), "/api".into(), "{}".into(), 5));
        assert_eq!(o.entries.len(), 1);
    }

    #[test]
    fn a_corrected_response_replaces_its_rejected_entry() {
        let mut o = outbox_with(&["a"]);
        o.start_attempt("a", 0);
        o.record("a", &Outcome::Invalid(vec![]), 1, 0.5);
        assert!(o.save("a".into(), "/api".into(), "{\"fixed\":1}".into(), 2));
        assert_eq!((o.pending(), o.rejected()), (1, 0));
        assert_eq!(o.entries[0].body, "{\"fixed\":1}");
    }

    #[test]
    fn delivered_entries_leave_and_refused_ones_stay_rejected() {
        let mut o = outbox_with(&["a", "b", "c", "d"]);
        for id in ["a", "b", "c", "d"] {
            o.start_attempt(id, 0);
        }
        o.record("a", &Outcome::Stored, 1, 0.5);
        o.record("b", &Outcome::AlreadyStored, 1, 0.5);
        o.record("c", &Outcome::Invalid(vec![]), 1, 0.5);
        o.record("d", &Outcome::Refused { status: 413 }, 1, 0.5);
        assert_eq!(
            o.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["c", "d"]
        );
        assert_eq!((o.pending(), o.rejected()), (0, 2));
        assert!(
            o.due(i64::MAX, true).is_empty(),
            "rejected entries are never retried"
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_five_minutes_and_honours_retry_after() {
        assert_eq!(backoff_ms(1, None, 0.0), 1_000);
        assert_eq!(backoff_ms(1, None, 1.0), 2_000);
        assert_eq!(backoff_ms(3, None, 1.0), 8_000);
        assert_eq!(backoff_ms(30, None, 1.0), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(30, None, 0.0), MAX_BACKOFF_MS / 2);
        assert_eq!(backoff_ms(1, Some(30), 0.0), 30_000);
        assert_eq!(backoff_ms(1, Some(1_000_000), 0.0), MAX_RETRY_AFTER_MS);
    }

    #[test]
    fn a_failed_attempt_waits_and_leases_keep_other_senders_off() {
        let mut o = outbox_with(&["a"]);
        assert_eq!(o.due(0, true), vec!["a".to_string()]);
        o.start_attempt("a", 0);
        assert!(o.due(1, true).is_empty(), "in flight in another tab");
        assert_eq!(
            o.due(1, false),
            vec!["a".to_string()],
            "the lock holder may send anyway"
        );
        assert_eq!(
            o.due(LEASE_MS, true),
            vec!["a".to_string()],
            "a dead tab's lease expires"
        );
        assert_eq!(
            o.next_due(),
            Some(LEASE_MS),
            "the timer waits for the lease"
        );
        o.record(
            "a",
            &Outcome::RetryLater {
                status: Some(503),
                retry_after_secs: None,
            },
            10,
            1.0,
        );
        assert_eq!(o.next_due(), Some(10 + 2_000));
        assert_eq!(o.entries[0].last_error.as_deref(), Some("HTTP 503"));
        assert!(o.due(11, true).is_empty());
        o.retry_now(11);
        assert_eq!(o.due(11, true), vec!["a".to_string()]);
    }

    /// Writes and reads back every entry as the widget stores it.
    fn round_trip(o: &Outbox) -> Outbox {
        let entries = o
            .entries
            .iter()
            .map(|e| Entry::from_json(&crate::json::to_string(e).unwrap()).unwrap())
            .collect();
        Outbox { entries }
    }

    #[test]
    fn the_stored_form_is_stable_json() {
        let mut o = outbox_with(&["a", "b"]);
        o.start_attempt("b", 0);
        o.record(
            "b",
            &Outcome::Invalid(vec![FieldError {
                field: "answers.waktu".into(),
                code: crate::validate::ErrorCode::Required,
                limit: Some(4),
            }]),
            1,
            0.5,
        );
        o.start_attempt("a", 2);
        assert_eq!(round_trip(&o), o);
        let text = crate::json::to_string(&o.entries[0]).unwrap();
        assert_eq!(text, serde_json::to_string(&o.entries[0]).unwrap());
        assert!(
            text.starts_with(r#"{"id":"a","endpoint":"/api","body":"{\"id\":\"a\"}","#),
            "{text}"
        );
    }

    #[test]
    fn entries_from_a_newer_widget_are_read_and_damaged_ones_refused() {
        let newer = r#"{"id":"x","endpoint":"/e","body":"{}","saved_at":1,"attempts":0,
            "next_attempt_at":1,"priority":"high","rejected":{"status":422,"at":3,
            "errors":[{"field":"answers.waktu","code":"brand_new"}]}}"#;
        let e = Entry::from_json(newer).unwrap();
        assert_eq!(
            e.rejected.unwrap().errors[0].code,
            crate::validate::ErrorCode::Other
        );
        let err =
            Entry::from_json(r#"{"id":"x","endpoint":"/e","body":"{}","saved_at":1}"#).unwrap_err();
        assert_eq!(err.kind, crate::json::ErrorKind::MissingField("attempts"));
        assert!(Entry::from_json(r#"{"id":"x""#).is_err());
        assert!(Entry::from_json(r#"{"id":"x","endpoint":"/e","body":"{}","saved_at":1.5,"attempts":0,"next_attempt_at":1}"#).is_err());
    }

    #[test]
    fn a_tampered_entry_is_set_aside_and_extreme_values_never_wrap() {
        let stored = |attempts: &str, next: &str| {
            format!(
                r#"{{"id":"x","endpoint":"/e","body":"{{}}","saved_at":1,"attempts":{attempts},"next_attempt_at":{next}}}"#
            )
        };
        assert!(Entry::from_json(&stored("3", "5")).is_ok());
        for (attempts, next) in [
            ("4294967295", "5"),
            ("1000001", "5"),
            ("-1", "5"),
            ("3", "-5"),
            ("3", "9223372036854775807"),
        ] {
            let e = Entry::from_json(&stored(attempts, next)).unwrap_err();
            assert_eq!(e.kind, crate::json::ErrorKind::Number, "{attempts} {next}");
        }
        // Values at the limits, reached in memory, saturate instead of wrapping or panicking.
        let mut o = outbox_with(&["a"]);
        o.entries[0].attempts = u32::MAX;
        let entry = o.start_attempt("a", i64::MAX - 5).unwrap();
        assert_eq!(entry.attempts, u32::MAX);
        assert_eq!(entry.sending_until, Some(i64::MAX));
        let retry = Outcome::RetryLater {
            status: Some(503),
            retry_after_secs: Some(u32::MAX),
        };
        o.record("a", &retry, i64::MAX - 5, 1.0);
        assert_eq!(o.entries[0].next_attempt_at, i64::MAX);
    }

    /// What happens to one attempt on the way.
    #[derive(Debug, Clone, Copy)]
    enum Fate {
        /// Stored and acknowledged.
        Acked,
        /// Stored, but the answer never arrives (timeout, tab closed, connection reset).
        AckLost,
        /// Never reaches the endpoint.
        Dropped,
        /// 500 without storing.
        ServerError,
        /// 429 with Retry-After.
        Throttled,
    }

    #[derive(Debug, Clone)]
    enum Event {
        /// A respondent sends; `true` makes a body this endpoint refuses (422) on every attempt.
        Submit(bool),
        Start(usize),
        Finish(usize, Fate),
        Reload,
        Wait(i64),
    }

    fn fate() -> impl Strategy<Value = Fate> {
        prop_oneof![
            4 => Just(Fate::Acked),
            2 => Just(Fate::AckLost),
            2 => Just(Fate::Dropped),
            2 => Just(Fate::ServerError),
            1 => Just(Fate::Throttled),
        ]
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            2 => prop::bool::weighted(0.15).prop_map(Event::Submit),
            4 => (0usize..8).prop_map(Event::Start),
            4 => ((0usize..8), fate()).prop_map(|(i, f)| Event::Finish(i, f)),
            1 => Just(Event::Reload),
            2 => (0i64..400_000).prop_map(Event::Wait),
        ]
    }

    /// A deduplicating endpoint: stores the first body per id, and counts every request.
    #[derive(Default)]
    struct Endpoint {
        rows: HashMap<String, String>,
        requests: HashMap<String, usize>,
    }

    impl Endpoint {
        /// What a deterministic endpoint answers: the same body always gets the same judgement.
        fn store(&mut self, entry: &Entry) -> Outcome {
            *self.requests.entry(entry.id.clone()).or_default() += 1;
            if entry.body.contains("invalid") {
                return Outcome::Invalid(vec![]);
            }
            if self.rows.contains_key(&entry.id) {
                return Outcome::AlreadyStored;
            }
            self.rows.insert(entry.id.clone(), entry.body.clone());
            Outcome::Stored
        }
    }

    /// The widget's request timeout: an attempt ends (answer or not) before its lease does.
    const REQUEST_TIMEOUT_MS: i64 = 25_000;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Over any sequence of sends, answers, lost answers, failures, timeouts and reloads:
        /// no response is lost; the device never has two attempts of one response open at
        /// once, never sends a response again once it let go of it, and never sends a body
        /// other than the one saved; a reliable network then delivers everything.
        #[test]
        fn nothing_is_lost_and_nothing_is_sent_twice_at_once(events in prop::collection::vec(event(), 1..120)) {
            let mut device = Outbox::default();
            let mut endpoint = Endpoint::default();
            // Attempts under way, with when each started.
            let mut in_flight: Vec<(Entry, i64)> = Vec::new();
            let mut submitted: Vec<String> = Vec::new();
            let mut saved_bodies: HashMap<String, String> = HashMap::new();
            let mut let_go: HashSet<String> = HashSet::new();
            let mut invalid: HashSet<String> = HashSet::new();
            let mut now = 0i64;
            for event in events {
                match event {
                    Event::Submit(refused) => {
                        let id = format!("r{}", submitted.len());
                        let body = if refused { format!("{{\"id\":\"{id}\",\"invalid\":1}}") } else { format!("{{\"id\":\"{id}\"}}") };
                        saved_bodies.insert(id.clone(), body.clone());
                        device.save(id.clone(), "/api".into(), body, now);
                        if refused {
                            invalid.insert(id.clone());
                        }
                        submitted.push(id);
                    }
                    Event::Start(i) => {
                        let due = device.due(now, true);
                        if let Some(id) = due.get(i % due.len().max(1)) {
                            if let Some(entry) = device.start_attempt(id, now) {
                                prop_assert!(
                                    !in_flight.iter().any(|(e, _)| e.id == entry.id),
                                    "two attempts of {} open at once", entry.id
                                );
                                prop_assert!(!let_go.contains(&entry.id), "{} sent after it was let go", entry.id);
                                prop_assert_eq!(Some(&entry.body), saved_bodies.get(&entry.id));
                                in_flight.push((entry, now));
                            }
                        }
                    }
                    Event::Finish(i, fate) if !in_flight.is_empty() => {
                        let (entry, _) = in_flight.remove(i % in_flight.len());
                        let outcome = match fate {
                            Fate::Acked => endpoint.store(&entry),
                            Fate::AckLost => {
                                let _ = endpoint.store(&entry);
                                Outcome::RetryLater { status: None, retry_after_secs: None }
                            }
                            Fate::Dropped => Outcome::RetryLater { status: None, retry_after_secs: None },
                            Fate::ServerError => Outcome::RetryLater { status: Some(500), retry_after_secs: None },
                            Fate::Throttled => Outcome::RetryLater { status: Some(429), retry_after_secs: Some(60) },
                        };
                        device.record(&entry.id, &outcome, now, 0.5);
                    }
                    Event::Finish(..) => {}
                    Event::Reload => {
                        // The page dies: answers to requests in flight are never read. Some of
                        // those requests still reached the endpoint (keepalive), some did not.
                        for (k, (entry, _)) in in_flight.drain(..).enumerate() {
                            if k % 2 == 0 {
                                let _ = endpoint.store(&entry);
                            }
                        }
                        // The outbox is what was persisted; a round trip through JSON proves it.
                        device = round_trip(&device);
                    }
                    Event::Wait(ms) => {
                        now += ms;
                        // Attempts past the request timeout end without an answer; some of
                        // them reached the endpoint first.
                        let (ended, open): (Vec<_>, Vec<_>) = in_flight
                            .drain(..)
                            .partition(|(_, started)| now - started >= REQUEST_TIMEOUT_MS);
                        in_flight = open;
                        for (k, (entry, _)) in ended.into_iter().enumerate() {
                            if k % 2 == 0 {
                                let _ = endpoint.store(&entry);
                            }
                            let no_answer = Outcome::RetryLater { status: None, retry_after_secs: None };
                            device.record(&entry.id, &no_answer, now, 0.5);
                        }
                    }
                }
                for id in &submitted {
                    prop_assert!(device.contains(id) || endpoint.rows.contains_key(id), "{} was lost", id);
                    if !device.contains(id) {
                        let_go.insert(id.clone());
                    }
                }
            }
            // The network heals: the device drains its outbox.
            for _ in 0..1000 {
                now += MAX_RETRY_AFTER_MS + LEASE_MS;
                let due = device.due(now, true);
                if due.is_empty() {
                    break;
                }
                for id in due {
                    if let Some(entry) = device.start_attempt(&id, now) {
                        let outcome = endpoint.store(&entry);
                        device.record(&id, &outcome, now, 0.5);
                    }
                }
            }
            prop_assert_eq!(device.pending(), 0);
            for id in &submitted {
                let kept_as_rejected = device.entries.iter().any(|e| &e.id == id && e.rejected.is_some());
                prop_assert!(endpoint.rows.contains_key(id) != kept_as_rejected, "{} is stored xor kept as rejected", id);
                prop_assert_eq!(kept_as_rejected, invalid.contains(id), "{} is rejected exactly when the endpoint refuses it", id);
            }
            for id in &submitted {
                prop_assert!(endpoint.requests.get(id).copied().unwrap_or(0) >= 1, "{} reached the endpoint", id);
            }
        }
    }
}
