//! The relay's HTTP API, as both sides see it: requests, responses and the error body.
//!
//! Small control messages are JSON, with ids, keys, challenges and signatures as lowercase
//! hex. What carries envelopes or commits is postcard behind `application/octet-stream`, so
//! that the bytes on the wire stay close to the envelopes' own size:
//!
//! - a push (`POST /v1/spaces/{space}/envelopes` and `/deposits`) sends a [`PushBatch`] and
//!   gets back a JSON [`PushResponse`], one [`PushOutcome`] per envelope, in order;
//! - a pull (`GET /v1/spaces/{space}/envelopes?after=SEQ&limit=N`) gets an [`EnvelopePage`];
//! - `GET /v1/spaces/{space}/commits?after=E` gets a [`CommitPage`].
//!
//! Every refusal of a whole request is an HTTP status with an [`ErrorBody`].

use serde::{Deserialize, Serialize};

use crate::envelope::SpaceId;
use crate::{DeviceId, ProtocolError};

/// The most envelopes a pull returns at once (and the default `limit`).
pub const MAX_PAGE_ENVELOPES: u32 = 1000;

/// What a device sends to enrol with the relay: the one-time token its operator gave, and the
/// device's certificate (its identity key vouching for its signing key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub token: String,
    #[serde(with = "hex_bytes")]
    pub certificate: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    #[serde(with = "hex_device")]
    pub device: DeviceId,
}

/// Asks for a challenge to sign, the first half of opening a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRequest {
    #[serde(with = "hex_device")]
    pub device: DeviceId,
}

/// A single-use challenge: the device signs it under `Context::RelayAuth`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeResponse {
    #[serde(with = "hex_bytes")]
    pub challenge: Vec<u8>,
    pub expires_in_seconds: u64,
}

/// The signed challenge, exchanged for a session token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRequest {
    #[serde(with = "hex_device")]
    pub device: DeviceId,
    #[serde(with = "hex_bytes")]
    pub challenge: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
}

/// A session token, sent afterwards as `Authorization: Bearer <token>`. It is a secret: never
/// log it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    pub token: String,
    pub expires_in_seconds: u64,
}

impl std::fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionResponse")
            .field("token", &"<redacted>")
            .field("expires_in_seconds", &self.expires_in_seconds)
            .finish()
    }
}

/// Creates a space; its first member is the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSpaceRequest {
    #[serde(with = "hex_space")]
    pub space: SpaceId,
}

/// Adds an enrolled device to a space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddMemberRequest {
    #[serde(with = "hex_device")]
    pub device: DeviceId,
}

/// A space as the relay knows it: the last sequence number of its log and its epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceSummary {
    #[serde(with = "hex_space")]
    pub space: SpaceId,
    pub head: u64,
    pub epoch: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpacesResponse {
    pub spaces: Vec<SpaceSummary>,
}

/// A batch of envelopes to push, each exactly as sealed (postcard `Vec<Vec<u8>>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushBatch(pub Vec<Vec<u8>>);

impl PushBatch {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("batch of envelopes", bytes)
    }
}

/// What the relay did with each envelope of a batch, in the batch's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub outcomes: Vec<PushOutcome>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum PushOutcome {
    /// Stored at `seq` in the space's log; `duplicate` when it was already there (a push is
    /// idempotent by envelope id).
    Accepted { seq: u64, duplicate: bool },
    /// Not stored; the message says what to do.
    Refused {
        reason: RefusalReason,
        message: String,
    },
}

/// Why one envelope of a batch was not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// Not an envelope, or one of an unknown format.
    Malformed,
    /// Larger than the relay takes.
    TooLarge,
    /// Its header names another space than the one pushed to.
    WrongSpace,
    /// Its header names another device than the session's.
    WrongSender,
    /// Its signature does not match the sender's enrolled key.
    BadSignature,
    /// Sealed under an epoch the space has left: process its commits, then seal again.
    StaleEpoch,
    /// Sealed under an epoch the space has not reached.
    FutureEpoch,
    /// Another envelope with the same id is already in the log.
    IdTaken,
}

/// A page of a space's log: `(relay seq, envelope bytes)` in order; `next` is the `after` to
/// ask for the following page, if there is one; `head` is the log's last seq.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopePage {
    pub envelopes: Vec<(u64, Vec<u8>)>,
    pub next: Option<u64>,
    pub head: u64,
}

impl EnvelopePage {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("page of envelopes", bytes)
    }
}

/// A handshake message the relay ordered: made at `epoch`, it moved the space to `epoch + 1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRecord {
    pub epoch: u64,
    pub sender: DeviceId,
    pub bytes: Vec<u8>,
}

/// The commits that take a space past epoch `after`, in order, and the space's epoch now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitPage {
    pub commits: Vec<CommitRecord>,
    pub next: Option<u64>,
    pub epoch: u64,
}

impl CommitPage {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("page of commits", bytes)
    }
}

/// An accepted commit: the space's new epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitAccepted {
    pub epoch: u64,
}

/// What the relay's WebSocket (`GET /v1/news`) says: a space of the device's has `head` as
/// its last seq and is at `epoch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct News {
    #[serde(with = "hex_space")]
    pub space: SpaceId,
    pub head: u64,
    pub epoch: u64,
}

/// The body of every refused request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorKind,
    /// What happened and what to do, in a sentence.
    pub message: String,
    /// On a `conflict` over a commit: the space's current epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// 400: the request is malformed.
    BadRequest,
    /// 401: no session, or an expired or unknown one, or a failed challenge.
    Unauthorized,
    /// 403: the session's device may not do this (not a member; a bad invitation).
    Forbidden,
    /// 404: no such space or device.
    NotFound,
    /// 409: already exists, or a commit lost the race for its epoch.
    Conflict,
    /// 413: the body or an envelope is larger than the relay takes.
    TooLarge,
    /// 429: too many requests; wait `Retry-After` seconds.
    RateLimited,
    /// 507: the space's storage quota is reached.
    QuotaExceeded,
    /// 500 or 503: the relay failed; try again later.
    Internal,
}

fn decode_all<T: for<'a> Deserialize<'a>>(
    what: &'static str,
    bytes: &[u8],
) -> Result<T, ProtocolError> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        _ => Err(ProtocolError::Malformed { what }),
    }
}

/// Bytes as lowercase hex in JSON.
mod hex_bytes {
    use diplomatie_crypto::hex;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        hex::decode(&text).ok_or_else(|| D::Error::custom("expected hexadecimal"))
    }
}

/// A device id as its 32 hex digits in JSON.
mod hex_device {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::DeviceId;

    pub fn serialize<S: Serializer>(id: &DeviceId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&id.hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DeviceId, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DeviceId::from_hex(&text).ok_or_else(|| D::Error::custom("expected a device id"))
    }
}

/// A space id as its 32 hex digits in JSON.
mod hex_space {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::envelope::SpaceId;

    pub fn serialize<S: Serializer>(id: &SpaceId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&id.hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SpaceId, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        SpaceId::from_hex(&text).ok_or_else(|| D::Error::custom("expected a space id"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn binary_pages_round_trip_and_refuse_trailing_bytes() {
        let page = EnvelopePage {
            envelopes: vec![(1, vec![9; 40]), (2, vec![])],
            next: Some(2),
            head: 7,
        };
        let bytes = page.encode();
        assert_eq!(EnvelopePage::decode(&bytes).unwrap(), page);
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(EnvelopePage::decode(&longer).is_err());
        let batch = PushBatch(vec![vec![1, 2, 3], vec![4]]);
        assert_eq!(PushBatch::decode(&batch.encode()).unwrap(), batch);
        // Close to the envelopes' own size: a length and a seq each.
        assert!(bytes.len() < 40 + 12);
    }
}
