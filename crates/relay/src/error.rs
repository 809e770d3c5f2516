//! Every refused request: an HTTP status and a JSON [`ErrorBody`] saying what to do.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use diplomatie_protocol::relay::{ErrorBody, ErrorKind};

use crate::db::DbError;

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    /// `epoch`: the space's current epoch, when a commit lost the race for its epoch.
    Conflict {
        message: String,
        epoch: Option<u64>,
    },
    TooLarge(String),
    RateLimited {
        retry_after_seconds: u64,
    },
    QuotaExceeded(String),
    /// Logged (it names no payload, token or key); the client is told to try again.
    Internal(String),
}

impl ApiError {
    pub fn not_member() -> Self {
        Self::Forbidden(
            "this device is not a member of this space: ask one of its members to add it".into(),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::QuotaExceeded(_) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(self) -> ErrorBody {
        let (error, message, epoch) = match self {
            Self::BadRequest(m) => (ErrorKind::BadRequest, m, None),
            Self::Unauthorized(m) => (ErrorKind::Unauthorized, m, None),
            Self::Forbidden(m) => (ErrorKind::Forbidden, m, None),
            Self::NotFound(m) => (ErrorKind::NotFound, m, None),
            Self::Conflict { message, epoch } => (ErrorKind::Conflict, message, epoch),
            Self::TooLarge(m) => (ErrorKind::TooLarge, m, None),
            Self::RateLimited {
                retry_after_seconds,
            } => (
                ErrorKind::RateLimited,
                format!("too many requests from this device: wait {retry_after_seconds} s"),
                None,
            ),
            Self::QuotaExceeded(m) => (ErrorKind::QuotaExceeded, m, None),
            Self::Internal(_) => (
                ErrorKind::Internal,
                "the relay failed to do this: try again later".into(),
                None,
            ),
        };
        ErrorBody {
            error,
            message,
            epoch,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(what) = &self {
            tracing::error!(error = %what, "request failed");
        }
        let status = self.status();
        let retry = match &self {
            Self::RateLimited {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        };
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Some(seconds) = retry {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(format!("database error: {e}"))
    }
}
