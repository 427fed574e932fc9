//! What an endpoint's reply means for a submission: stored, refused for good, or try again later.

use crate::validate::FieldError;
use serde::Serialize;

/// The body of a 422 reply: every invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReply {
    pub errors: Vec<FieldError>,
}

impl ErrorReply {
    /// Reads a 422 body `{"errors":[{"field","code","limit"?}]}`; other fields are ignored,
    /// unknown codes kept as [`crate::ErrorCode::Other`]. None when the body is not such a reply.
    pub fn from_json(text: &str) -> Option<ErrorReply> {
        let value = crate::json::parse(text).ok()?;
        let mut reply = ErrorReply { errors: Vec::new() };
        crate::json::read_object!(value, |v| {
            "errors" (required) => reply.errors = v.list(FieldError::from_value)?,
        }, ignore)
        .ok()?;
        Some(reply)
    }
}

/// The meaning of one POST attempt's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx other than 200: stored now.
    Stored,
    /// 200: this `id` was already stored (an idempotent replay, not an error).
    AlreadyStored,
    /// 422: the answers break a rule; the fields say which.
    Invalid(Vec<FieldError>),
    /// 400 or 413: the endpoint will never take this body; keep it, do not retry.
    Refused { status: u16 },
    /// 408, 429, 5xx, another status or no answer: try again, not before `retry_after_secs` if given.
    RetryLater {
        status: Option<u16>,
        retry_after_secs: Option<u32>,
    },
}

impl Outcome {
    /// Classifies a reply; `status` None means no reply at all (offline, DNS, CORS, timeout).
    pub fn classify(
        status: Option<u16>,
        retry_after: Option<&str>,
        errors: Option<ErrorReply>,
    ) -> Outcome {
        match status {
            Some(200) => Outcome::AlreadyStored,
            Some(s @ 200..=299) if s != 200 => Outcome::Stored,
            // 409 with field errors: the service code was used by another response; nothing
            // was stored, the answers stay with the respondent (docs/codes.md).
            Some(409) if errors.as_ref().is_some_and(|e| !e.errors.is_empty()) => {
                Outcome::Invalid(errors.map(|e| e.errors).unwrap_or_default())
            }
            // 409: this id is stored with another body (an edit after a lost acknowledgement);
            // the respondent's one response is counted, so it is delivered.
            Some(409) => Outcome::AlreadyStored,
            Some(422) => Outcome::Invalid(errors.map(|e| e.errors).unwrap_or_default()),
            Some(s @ (400 | 413)) => Outcome::Refused { status: s },
            status => Outcome::RetryLater {
                status,
                retry_after_secs: retry_after.and_then(parse_retry_after),
            },
        }
    }

    /// Whether the endpoint now holds the response.
    pub fn is_delivered(&self) -> bool {
        matches!(self, Outcome::Stored | Outcome::AlreadyStored)
    }

    /// Whether sending again can never succeed (the entry must be kept as rejected).
    pub fn is_permanent_failure(&self) -> bool {
        matches!(self, Outcome::Invalid(_) | Outcome::Refused { .. })
    }
}

/// `Retry-After` in delta-seconds; HTTP dates are ignored (the backoff applies instead).
fn parse_retry_after(value: &str) -> Option<u32> {
    value.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::ErrorCode;

    #[test]
    fn statuses_map_to_the_contract() {
        assert_eq!(Outcome::classify(Some(201), None, None), Outcome::Stored);
        assert_eq!(Outcome::classify(Some(204), None, None), Outcome::Stored);
        assert_eq!(
            Outcome::classify(Some(200), None, None),
            Outcome::AlreadyStored
        );
        assert_eq!(
            Outcome::classify(Some(409), None, None),
            Outcome::AlreadyStored
        );
        assert_eq!(
            Outcome::classify(Some(413), None, None),
            Outcome::Refused { status: 413 }
        );
        assert_eq!(
            Outcome::classify(Some(400), None, None),
            Outcome::Refused { status: 400 }
        );
        assert_eq!(
            Outcome::classify(Some(429), Some(" 30 "), None),
            Outcome::RetryLater {
                status: Some(429),
                retry_after_secs: Some(30)
            }
        );
        assert_eq!(
            Outcome::classify(Some(503), Some("Wed, 21 Oct 2026 07:28:00 GMT"), None),
            Outcome::RetryLater {
                status: Some(503),
                retry_after_secs: None
            }
        );
        assert_eq!(
            Outcome::classify(None, None, None),
            Outcome::RetryLater {
                status: None,
                retry_after_secs: None
            }
        );
        assert!(
            Outcome::classify(Some(408), None, None).eq(&Outcome::RetryLater {
                status: Some(408),
                retry_after_secs: None
            })
        );
    }

    #[test]
    fn a_422_carries_its_field_errors() {
        let reply = ErrorReply::from_json(
            r#"{"errors":[{"field":"answers.waktu","code":"required"},
                {"field":"respondent.age","code":"too_young","limit":17,"hint":"x"}],"status":422}"#,
        )
        .unwrap();
        assert_eq!(
            reply.errors[1],
            FieldError {
                field: "respondent.age".into(),
                code: ErrorCode::TooYoung,
                limit: Some(17)
            }
        );
        assert_eq!(ErrorReply::from_json("<html>Bad gateway</html>"), None);
        assert_eq!(ErrorReply::from_json(r#"{"error":"invalid"}"#), None);
        assert_eq!(
            ErrorReply::from_json(r#"{"errors":[{"code":"required"}]}"#),
            None
        );
        let used = ErrorReply::from_json(
            r#"{"error":"code_used","errors":[{"field":"code","code":"code_used"}]}"#,
        );
        assert_eq!(
            Outcome::classify(Some(409), None, used),
            Outcome::Invalid(vec![FieldError::new("code", ErrorCode::CodeUsed)]),
            "a used service code is refused, not delivered"
        );
        let outcome = Outcome::classify(Some(422), None, Some(reply));
        assert!(outcome.is_permanent_failure());
        match outcome {
            Outcome::Invalid(errors) => assert_eq!(errors[0].code, ErrorCode::Required),
            other => panic!("{other:?}"),
        }
    }
}
