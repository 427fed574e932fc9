//! Every way a request can fail, as one type that knows its HTTP reply.
//!
//! Handlers return `Result<_, ApiError>` and use `?`; the status, the JSON body
//! `{"error": code, "detail": text}` and headers such as `Retry-After` are decided here once.

use crate::store::{StoreError, StoreErrorKind};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::delivery::ErrorReply;
use ikm_core::{ErrorCode, FieldError};
use serde_json::json;

/// Seconds a client is asked to wait after a database failure (a full disk, a lost connection).
pub const STORE_RETRY_AFTER_SECS: u64 = 30;

/// Why a request was not served.
#[derive(Debug)]
pub enum ApiError {
    /// Too many requests from this client; wait this many seconds.
    RateLimited { retry_after: u64 },
    /// Too many failed logins from this client; wait this many seconds.
    LoginThrottled { retry_after: u64 },
    /// A POST whose body is not declared as JSON.
    UnsupportedMediaType,
    /// The body could not be read (too large, cut off).
    UnreadableBody { status: StatusCode, detail: String },
    /// Not an `ikm-response/1` document: bad JSON, unknown or duplicate field, wrong type.
    Malformed(String),
    /// The `id` is not a canonical lowercase UUID v4.
    InvalidId,
    /// A `schema` other than `ikm-response/1`.
    UnsupportedSchema,
    /// `Idempotency-Key` differs from the payload's `id`.
    IdempotencyKeyMismatch,
    /// The answers break the questionnaire's rules (422).
    Invalid(Vec<FieldError>),
    /// This id is stored with a different body.
    Conflict,
    /// The response's service code was already used by another response.
    CodeUsed,
    /// A response without a service code needs a solved proof of work: here is a challenge.
    ProofRequired {
        challenge: Box<crate::proof::Challenge>,
        detail: &'static str,
    },
    /// A change to a closed period's figures (an exclusion): reopen the period first.
    PeriodClosed(String),
    /// No or a wrong admin token; `challenge` is the `WWW-Authenticate` value.
    Unauthorized { challenge: &'static str },
    /// A browser page asked for without a login: off to `/login`, then back to `next`.
    LoginRequired { next: String },
    /// A report or export request with bad parameters.
    BadRequest(String),
    /// A well-formed office request whose values break a rule (a bad date, a negative count).
    Unprocessable(String),
    /// Nothing at this address.
    NotFound(String),
    /// Not allowed from where it came (an admin form posted from another site).
    Forbidden(String),
    /// The database failed; the client should try again later.
    Store(StoreError),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

/// An office request's JSON body whose fields break its shape: a 422 naming the field.
impl From<ikm_core::json::Error> for ApiError {
    fn from(e: ikm_core::json::Error) -> Self {
        ApiError::Unprocessable(if e.path.is_empty() {
            e.to_string()
        } else {
            format!("`{}`: {e}", e.path)
        })
    }
}

impl ApiError {
    /// The status, the stable code and a sentence for the client.
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many submissions; try again later".into(),
            ),
            ApiError::LoginThrottled { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "login_throttled",
                "too many failed logins from this client; try again later".into(),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the response with Content-Type: application/json".into(),
            ),
            ApiError::UnreadableBody { status, detail } => {
                (*status, "unreadable_body", detail.clone())
            }
            ApiError::Malformed(detail) => (StatusCode::BAD_REQUEST, "malformed", detail.clone()),
            ApiError::InvalidId => (
                StatusCode::BAD_REQUEST,
                "invalid_id",
                "`id` must be a UUID version 4 in lowercase with hyphens".into(),
            ),
            ApiError::UnsupportedSchema => (
                StatusCode::BAD_REQUEST,
                "unsupported_schema",
                format!("expected schema `{}`", ikm_core::submission::SCHEMA),
            ),
            ApiError::IdempotencyKeyMismatch => (
                StatusCode::BAD_REQUEST,
                "idempotency_key_mismatch",
                "Idempotency-Key must equal the payload's id".into(),
            ),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "the answers break a rule".into(),
            ),
            ApiError::Conflict => (
                StatusCode::CONFLICT,
                "conflict",
                "this id is already stored with different answers".into(),
            ),
            ApiError::CodeUsed => (
                StatusCode::CONFLICT,
                "code_used",
                "this service code was already used for another response".into(),
            ),
            ApiError::ProofRequired { detail, .. } => (
                StatusCode::PRECONDITION_REQUIRED,
                "proof_required",
                (*detail).to_string(),
            ),
            ApiError::PeriodClosed(detail) => {
                (StatusCode::CONFLICT, "period_closed", detail.clone())
            }
            ApiError::Unauthorized { .. } => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "log in, or send Authorization: Bearer with an API token or $IKM_ADMIN_TOKEN"
                    .into(),
            ),
            ApiError::LoginRequired { .. } => (
                StatusCode::SEE_OTHER,
                "login_required",
                "log in at /login".into(),
            ),
            ApiError::BadRequest(detail) => {
                (StatusCode::BAD_REQUEST, "bad_request", detail.clone())
            }
            ApiError::Unprocessable(detail) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid", detail.clone())
            }
            ApiError::NotFound(detail) => (StatusCode::NOT_FOUND, "not_found", detail.clone()),
            ApiError::Forbidden(detail) => (StatusCode::FORBIDDEN, "forbidden", detail.clone()),
            ApiError::Store(e) => (
                StatusCode::SERVICE_UNAVAILABLE,
                match e.kind {
                    StoreErrorKind::Full => "storage_full",
                    _ => "unavailable",
                },
                "the database is unavailable; try again later".into(),
            ),
        }
    }

    /// The sentence the client is told.
    pub fn sentence(&self) -> String {
        self.parts().2
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Store(e) = &self {
            // The database's words go to the log only: they can name paths and hosts.
            tracing::warn!(kind = ?e.kind, error = %e.detail, "request failed on the database");
        }
        if let ApiError::LoginRequired { next } = &self {
            return crate::login::to_login(next);
        }
        let (status, code, detail) = self.parts();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after } | ApiError::LoginThrottled { retry_after } => {
                Some(*retry_after)
            }
            ApiError::Store(_) => Some(STORE_RETRY_AFTER_SECS),
            _ => None,
        };
        let challenge = match &self {
            ApiError::Unauthorized { challenge } => Some(*challenge),
            _ => None,
        };
        let mut response = match self {
            ApiError::Invalid(errors) => (status, Json(ErrorReply { errors })).into_response(),
            // The field error too, so a widget shows it where it shows a 422's.
            ApiError::CodeUsed => (
                status,
                Json(json!({ "error": code, "detail": detail, "errors": [
                    FieldError::new(ikm_core::validate::field::CODE, ErrorCode::CodeUsed)
                ] })),
            )
                .into_response(),
            ApiError::ProofRequired { challenge, .. } => (
                status,
                Json(json!({ "error": code, "detail": detail, "challenge": *challenge })),
            )
                .into_response(),
            _ => (status, Json(json!({ "error": code, "detail": detail }))).into_response(),
        };
        let headers = response.headers_mut();
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(challenge) = challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}
