//! Tokens, challenges and the session a request carries.
//!
//! Invitation and session tokens are 32 random bytes shown as 64 hex digits; the relay keeps
//! only their SHA-256, so its database opens no session and enrols no device. Challenges are
//! 32 random bytes kept in memory for [`crate::Config::challenge_ttl`], used once, whatever
//! the outcome.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use diplomatie_crypto::{hex, random_bytes};
use diplomatie_protocol::DeviceId;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, Session};

/// Outstanding challenges beyond which new ones are refused until old ones expire.
const MAX_CHALLENGES: usize = 100_000;

/// A new random token and the hash the relay keeps of it.
pub fn new_token() -> Result<(String, [u8; 32]), ApiError> {
    let bytes: [u8; 32] =
        random_bytes().map_err(|_| ApiError::Internal("no randomness available".into()))?;
    Ok((hex::encode(&bytes), Sha256::digest(bytes).into()))
}

/// The hash of a token as given by a client; `None` if it is not one of ours in form.
pub fn hash_token(token: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(token.trim())?;
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    Some(Sha256::digest(bytes).into())
}

/// Unix seconds now.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[derive(Debug, Default)]
pub struct Challenges {
    open: Mutex<HashMap<[u8; 32], (DeviceId, Instant)>>,
}

impl Challenges {
    /// A fresh challenge for `device`, valid until `expires`.
    pub fn issue(
        &self,
        device: DeviceId,
        now: Instant,
        expires: Instant,
    ) -> Result<[u8; 32], ApiError> {
        let challenge: [u8; 32] =
            random_bytes().map_err(|_| ApiError::Internal("no randomness available".into()))?;
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.len() >= MAX_CHALLENGES {
            open.retain(|_, (_, until)| *until > now);
            if open.len() >= MAX_CHALLENGES {
                return Err(ApiError::RateLimited {
                    retry_after_seconds: 60,
                });
            }
        }
        open.insert(challenge, (device, expires));
        Ok(challenge)
    }

    /// Uses the challenge: true if it was issued to `device` and has not expired. Either way
    /// it cannot be used again.
    pub fn take(&self, challenge: &[u8], device: DeviceId, now: Instant) -> bool {
        let Ok(key) = <[u8; 32]>::try_from(challenge) else {
            return false;
        };
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        matches!(open.remove(&key), Some((d, until)) if d == device && until > now)
    }
}

/// Finds the open session a token names, then counts the request against its device's rate.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Session, ApiError> {
    let unauthorized = || {
        ApiError::Unauthorized(
            "no valid session: open one (POST /v1/auth/challenge, then /v1/auth/session) and send it as Authorization: Bearer <token>".into(),
        )
    };
    let hash = hash_token(token).ok_or_else(unauthorized)?;
    let session = state
        .db
        .call(move |conn| store::session(conn, hash, now()))
        .await?
        .ok_or_else(unauthorized)?;
    state
        .device_limit
        .take(&session.device, Instant::now())
        .map_err(|wait| ApiError::RateLimited {
            retry_after_seconds: wait.as_secs().saturating_add(1),
        })?;
    Ok(session)
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// A request made within a session.
#[derive(Debug, Clone, Copy)]
pub struct Authed(pub Session);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).unwrap_or_default().to_owned();
        authenticate(state, &token).await.map(Authed)
    }
}

/// A request made before any session (enrolment, challenges): rate-limited by address.
#[derive(Debug, Clone, Copy)]
pub struct Anonymous;

impl FromRequestParts<AppState> for Anonymous {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(ip) = ip {
            state
                .address_limit
                .take(&ip, Instant::now())
                .map_err(|wait| ApiError::RateLimited {
                    retry_after_seconds: wait.as_secs().saturating_add(1),
                })?;
        }
        Ok(Anonymous)
    }
}

/// A request body read whole, up to the relay's body limit: a body announced larger is
/// refused (413) before a byte of it is read, and one that turns out larger is refused as
/// soon as it passes the limit.
#[derive(Debug)]
pub struct Payload(pub Bytes);

impl FromRequest<AppState> for Payload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config.max_body_bytes;
        let too_large = || {
            ApiError::TooLarge(format!(
                "this request's body is larger than the relay takes ({limit} bytes): send fewer or smaller envelopes at a time"
            ))
        };
        let announced = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Err(too_large());
        }
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(Payload(bytes)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(too_large())
            }
            Err(_) => Err(ApiError::BadRequest(
                "the request's body could not be read: send it again".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_token_hashes_to_what_is_stored_and_nothing_else_does() {
        let (token, hash) = new_token().unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(hash_token(&token), Some(hash));
        assert_eq!(hash_token(&format!(" {token}\n")), Some(hash));
        assert_eq!(hash_token(&token.to_uppercase()), Some(hash));
        assert!(hash_token(&token[..62]).is_none());
        assert!(hash_token("not a token").is_none());
        assert_ne!(hash_token(&new_token().unwrap().0), Some(hash));
    }

    #[test]
    fn a_challenge_is_used_once_by_its_device_before_it_expires() {
        let challenges = Challenges::default();
        let t0 = Instant::now();
        let later = t0 + std::time::Duration::from_secs(60);
        let alice = DeviceId([1; 16]);
        let bob = DeviceId([2; 16]);
        let c = challenges.issue(alice, t0, later).unwrap();
        assert!(challenges.take(&c, alice, t0));
        assert!(!challenges.take(&c, alice, t0));
        let c = challenges.issue(alice, t0, later).unwrap();
        assert!(!challenges.take(&c, bob, t0));
        assert!(!challenges.take(&c, alice, t0), "a failed use spends it");
        let c = challenges.issue(alice, t0, later).unwrap();
        assert!(!challenges.take(&c, alice, later));
    }
}
