//! The relay's HTTP API, as both sides see it: requests, responses and the error body.
//!
//! Small control messages are JSON, with ids, keys, challenges and signatures as lowercase
//! hex. What carries envelopes or commits is postcard behind `application/octet-stream`, so
//! that the bytes on the wire stay close to the envelopes' own size:
//!
//! - a push (`POST /v1/spaces/{space}/envelopes` and `/deposits`) sends a [`PushBatch`] and
//!   gets back a JSON [`PushResponse`], one [`PushOutcome`] per envelope, in order;
//! - a pull (`GET /v1/spaces/{space}/envelopes?after=SEQ&limit=N`) gets an [`EnvelopePage`];
//! - `GET /v1/spaces/{space}/commits?after=E` gets a [`CommitPage`];
//! - a commit (`POST /v1/spaces/{space}/commits?epoch=E`) sends a [`CommitUpload`];
//! - `GET /v1/welcomes` gets a [`WelcomePage`];
//! - `PUT /v1/spaces/{space}/deposit-key` sends a member's [`crate::DepositKey`] as its own
//!   bytes, and `GET /v1/spaces/{space}/deposit-key` gets the [`DepositKeys`] published at
//!   the space's latest epoch;
//! - `POST /v1/keypackages` sends a [`KeyPackageUpload`] and gets back a JSON
//!   [`KeyPackagesStored`];
//! - a link mailbox's slots (`PUT` and `GET /v1/links/{link}/{slot}`, see [`LinkSlot`]) carry
//!   the devices' bytes as they are, while `POST /v1/links` answers a JSON [`LinkOpened`],
//!   `POST /v1/links/{link}/invite` a [`LinkInvite`] and `GET /v1/devices/mine` a list of
//!   [`OwnDevice`].
//!
//! MLS messages inside these (group infos, commits, welcomes, key packages) are TLS-encoded as
//! RFC 9420 defines them; the relay reads them with openmls.
//!
//! Every refusal of a whole request is an HTTP status with an [`ErrorBody`].

use serde::{Deserialize, Serialize};

use crate::envelope::SpaceId;
use crate::{DeviceId, ProtocolError};

/// The most envelopes a pull returns at once (and the default `limit`).
pub const MAX_PAGE_ENVELOPES: u32 = 1000;

/// The most key packages the relay keeps for one device; an upload beyond is refused.
pub const MAX_KEY_PACKAGES_PER_DEVICE: u32 = 100;

/// The most welcomes one `GET /v1/welcomes` returns.
pub const MAX_PAGE_WELCOMES: u32 = 100;

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

/// Creates a space from its MLS group (JSON, `POST /v1/spaces`).
///
/// `group_info` is the group's GroupInfo with the ratchet tree in its extensions, as the MLS
/// message (TLS-encoded `MLSMessage`) that openmls's
/// `MlsGroup::export_group_info(crypto, signer, true)` gives. The group's id is the space's id;
/// its signer is the caller's device; every leaf is an enrolled device (its credential a basic
/// credential holding the 16-byte device id, its signature key the device's enrolled key). The
/// space starts at the group's epoch, and its members are the group's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSpaceRequest {
    #[serde(with = "hex_space")]
    pub space: SpaceId,
    #[serde(with = "hex_bytes")]
    pub group_info: Vec<u8>,
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
    /// A deposit sealed to a deposit key older than the space's last removal of a member (the
    /// removed member knew it): fetch the space's current deposit key, then seal again.
    StaleDepositKey,
    /// Another envelope with the same id is already in the log.
    IdTaken,
    /// A deposit pushed as a member's envelope, or the reverse.
    WrongRoute,
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

/// The body of `POST /v1/spaces/{space}/commits?epoch=E` (postcard): the commit, an MLS public
/// message (TLS-encoded `MLSMessage`) made at epoch E by the session's device, and the welcome
/// (TLS-encoded `MLSMessage`) of the devices it adds, if it adds any. The relay puts the
/// welcome in the inbox of each device the commit adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitUpload {
    pub commit: Vec<u8>,
    pub welcome: Option<Vec<u8>>,
}

impl CommitUpload {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("commit upload", bytes)
    }
}

/// An accepted commit: the space's new epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitAccepted {
    pub epoch: u64,
}

/// A welcome waiting for a device: it joins `space` at `epoch` (the epoch of the commit that
/// added it, plus one). `id` names it for `DELETE /v1/welcomes/{id}` once processed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeRecord {
    pub id: u64,
    pub space: SpaceId,
    pub epoch: u64,
    pub bytes: Vec<u8>,
}

/// The session device's pending welcomes, oldest first (`GET /v1/welcomes`, postcard); at most
/// [`MAX_PAGE_WELCOMES`]: delete the ones processed to see the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomePage {
    pub welcomes: Vec<WelcomeRecord>,
}

impl WelcomePage {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("page of welcomes", bytes)
    }
}

/// The start of a sync (`POST /v1/start`, postcard): the spaces the device holds, each with
/// the epoch it is at, so that one round trip brings what it needs before reading the logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartRequest {
    pub spaces: Vec<(SpaceId, u64)>,
}

impl StartRequest {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("start of a sync", bytes)
    }
}

/// What a device needs at the start of a sync (postcard): how many of its key packages the
/// relay holds, its waiting welcomes, every space it is a member of (head and epoch), and for
/// each space of the request whose epoch the relay has passed, the commits since (a first
/// page; `next` says when more follow). The most spaces asked about at once:
/// [`MAX_START_SPACES`].
///
/// `removed` lists the spaces of the request that exist on the relay but of which the device
/// is not a member (any more), each once, in the request's order: a device removed from a
/// space cannot fetch the commit that removed it, so this is how it learns it was removed.
/// A space the relay does not know is in neither `spaces` nor `removed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Start {
    pub key_packages: u32,
    pub welcomes: Vec<WelcomeRecord>,
    pub spaces: Vec<SpaceSummary>,
    pub commits: Vec<(SpaceId, CommitPage)>,
    pub removed: Vec<SpaceId>,
}

/// The most spaces one start of a sync asks about.
pub const MAX_START_SPACES: usize = 1000;

impl Start {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("start of a sync", bytes)
    }
}

/// A space's published deposit keys (`GET /v1/spaces/{space}/deposit-key`, postcard): each a
/// [`crate::DepositKey`] as its own bytes, signed by a member device, all of the latest epoch
/// any member published one for (one per member that did), or none. Check each before use
/// ([`crate::DepositKey::verify`] against its signer's certificate): the relay checked them
/// against the signers' enrolled keys, but a depositor trusts only what it checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositKeys {
    pub keys: Vec<Vec<u8>>,
}

impl DepositKeys {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("list of deposit keys", bytes)
    }
}

/// Key packages of the session's device to publish (`POST /v1/keypackages`, postcard
/// `Vec<Vec<u8>>`), each a TLS-encoded MLS `KeyPackage` (not wrapped in an `MLSMessage`), as
/// `KeyPackage::tls_serialize_detached` gives it. Each is handed out once
/// (`GET /v1/devices/{device}/keypackage`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPackageUpload(pub Vec<Vec<u8>>);

impl KeyPackageUpload {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        decode_all("batch of key packages", bytes)
    }
}

/// The answer to a key package upload: how many of the batch were new (one uploaded again is
/// kept once), and how many the relay now holds for the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPackagesStored {
    pub added: u32,
    pub held: u32,
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

/// How long a link mailbox stays open, in seconds (`POST /v1/links`).
pub const LINK_TTL_SECONDS: u64 = 10 * 60;

/// The most link mailboxes one device may have open at once.
pub const MAX_OPEN_LINKS: u32 = 3;

/// The most bytes slot `c` of a link mailbox takes (the existing device's sealed hand-over).
pub const MAX_LINK_PAYLOAD_BYTES: usize = 1024 * 1024;

/// The most bytes slots `a`, `b` and `d` of a link mailbox take.
pub const MAX_LINK_MESSAGE_BYTES: usize = 64 * 1024;

/// One of a link mailbox's four slots, each written once, with at least one byte, at most
/// [`LinkSlot::max_bytes`] (`PUT /v1/links/{link}/{slot}`, `application/octet-stream`):
///
/// | slot | written by | read by |
/// |---|---|---|
/// | `a` | the owner's session | anyone who knows the link |
/// | `b` | anyone who knows the link | the owner's session |
/// | `c` | the owner's session | anyone who knows the link |
/// | `d` | anyone who knows the link | the owner's session |
///
/// The owner is the device that opened the mailbox; the other side is the new device, which
/// has no session yet. What the slots hold is the devices' business: the relay only carries
/// it (a PAKE's messages, then messages sealed under the key it agrees).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkSlot {
    A,
    B,
    C,
    D,
}

impl LinkSlot {
    pub const ALL: [LinkSlot; 4] = [LinkSlot::A, LinkSlot::B, LinkSlot::C, LinkSlot::D];

    /// The slot named by `a`, `b`, `c` or `d`.
    pub fn from_char(name: char) -> Option<Self> {
        match name {
            'a' => Some(Self::A),
            'b' => Some(Self::B),
            'c' => Some(Self::C),
            'd' => Some(Self::D),
            _ => None,
        }
    }

    /// The slot named by the text `a`, `b`, `c` or `d`.
    pub fn parse(name: &str) -> Option<Self> {
        let mut chars = name.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Self::from_char(c),
            _ => None,
        }
    }

    pub fn name(self) -> char {
        match self {
            Self::A => 'a',
            Self::B => 'b',
            Self::C => 'c',
            Self::D => 'd',
        }
    }

    /// Whether the owner's session writes it (`a`, `c`); the others are written without a
    /// session and read only by the owner's.
    pub fn owner_writes(self) -> bool {
        matches!(self, Self::A | Self::C)
    }

    /// The most bytes it takes: [`MAX_LINK_PAYLOAD_BYTES`] for `c`,
    /// [`MAX_LINK_MESSAGE_BYTES`] for the others.
    pub fn max_bytes(self) -> usize {
        match self {
            Self::C => MAX_LINK_PAYLOAD_BYTES,
            _ => MAX_LINK_MESSAGE_BYTES,
        }
    }
}

/// A link mailbox just opened (`POST /v1/links`): its id, 20 lowercase hex digits (10 random
/// bytes), and when it expires (Unix seconds), [`LINK_TTL_SECONDS`] after it opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkOpened {
    pub link: String,
    pub expires_at: i64,
}

/// A one-time enrolment token for the device being linked (`POST /v1/links/{link}/invite`),
/// used as an operator's token is (`POST /v1/enrol`), valid until the link expires, and only
/// for a certificate of the same identity key as the link's owner. It is a secret: never log
/// it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInvite {
    pub token: String,
}

impl std::fmt::Debug for LinkInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkInvite")
            .field("token", &"<redacted>")
            .finish()
    }
}

/// One of the devices enrolled under the session device's identity key
/// (`GET /v1/devices/mine`, a JSON list of these, oldest first). Times are Unix seconds;
/// `last_seen` is when the device last opened a session (its enrolment until then);
/// `revoked_at` is when a sibling revoked it, `null` while it is in use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnDevice {
    #[serde(with = "hex_device")]
    pub device: DeviceId,
    pub enrolled_at: i64,
    pub last_seen: i64,
    #[serde(default)]
    pub revoked_at: Option<i64>,
}

/// The body of every refused request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorKind,
    /// What happened and what to do, in a sentence.
    pub message: String,
    /// On a `conflict` over a commit or a deposit key: the space's current epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// 400: the request is malformed, or an MLS message in it does not hold (a commit that
    /// does not verify, is for another space or epoch, a key package that is not valid).
    BadRequest,
    /// 401: no session, or an expired or unknown one, or a failed challenge.
    Unauthorized,
    /// 403: the session's device may not do this (not a member; a bad invitation; a commit,
    /// group info or deposit key not its own; a device in a group that is not enrolled).
    Forbidden,
    /// 404: no such space, device, welcome, or no key package left for a device; a link
    /// mailbox unknown, expired or closed.
    NotFound,
    /// 409: already exists, or a commit lost the race for its epoch, or a deposit key is not
    /// of the space's current epoch; a link slot already written, a link's invitation already
    /// made, or too many links open.
    Conflict,
    /// 413: the body or an envelope is larger than the relay takes.
    TooLarge,
    /// 429: too many requests; wait `Retry-After` seconds.
    RateLimited,
    /// 507: the space's storage quota, or a device's number of key packages, is reached.
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
        let upload = CommitUpload {
            commit: vec![1; 30],
            welcome: Some(vec![2; 20]),
        };
        assert_eq!(CommitUpload::decode(&upload.encode()).unwrap(), upload);
        let mut longer = upload.encode();
        longer.push(0);
        assert!(CommitUpload::decode(&longer).is_err());
        let page = WelcomePage {
            welcomes: vec![WelcomeRecord {
                id: 3,
                space: SpaceId([4; 16]),
                epoch: 1,
                bytes: vec![5; 10],
            }],
        };
        assert_eq!(WelcomePage::decode(&page.encode()).unwrap(), page);
        let keys = DepositKeys {
            keys: vec![vec![7; 140], vec![8; 3]],
        };
        assert_eq!(DepositKeys::decode(&keys.encode()).unwrap(), keys);
        let mut longer = keys.encode();
        longer.push(0);
        assert!(DepositKeys::decode(&longer).is_err());
        assert_eq!(
            DepositKeys::decode(&DepositKeys::default().encode()).unwrap(),
            DepositKeys::default()
        );
        let start = Start {
            key_packages: 2,
            welcomes: vec![],
            spaces: vec![],
            commits: vec![],
            removed: vec![SpaceId([9; 16])],
        };
        assert_eq!(Start::decode(&start.encode()).unwrap(), start);
        let packages = KeyPackageUpload(vec![vec![6; 8]]);
        assert_eq!(
            KeyPackageUpload::decode(&packages.encode()).unwrap(),
            packages
        );
        // Close to the envelopes' own size: a length and a seq each.
        assert!(bytes.len() < 40 + 12);
    }

    #[test]
    fn link_slots_are_named_by_one_letter_with_their_writers_and_sizes() {
        for slot in LinkSlot::ALL {
            assert_eq!(LinkSlot::from_char(slot.name()), Some(slot));
            assert_eq!(LinkSlot::parse(&slot.name().to_string()), Some(slot));
        }
        for name in ["", "e", "A", "ab", "aa", " a"] {
            assert_eq!(LinkSlot::parse(name), None, "{name:?}");
        }
        let writers: Vec<bool> = LinkSlot::ALL.iter().map(|s| s.owner_writes()).collect();
        assert_eq!(writers, [true, false, true, false]);
        assert_eq!(LinkSlot::C.max_bytes(), MAX_LINK_PAYLOAD_BYTES);
        assert_eq!(LinkSlot::B.max_bytes(), MAX_LINK_MESSAGE_BYTES);
        let invite = LinkInvite {
            token: "secret".into(),
        };
        assert!(!format!("{invite:?}").contains("secret"));
    }
}
