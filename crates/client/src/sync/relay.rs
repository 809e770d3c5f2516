//! The relay, as this device talks to it: blocking HTTP (the services are blocking), rustls
//! on ring for `https://` addresses. Envelopes and MLS messages go as postcard bodies, small
//! control messages as JSON (`diplomatie_protocol::relay`).
//!
//! A session is opened on first use (a fresh challenge signed by the device) and opened again
//! when the relay says it expired. The session token is a secret: never logged.
//!
//! A device being linked has no session yet: [`RelayClient::anonymous`] makes a client for
//! what it does without one (write slots `b` and `d` of a link mailbox, read `a` and `c`).

use std::time::Duration;

use diplomatie_crypto::{Context, SigningKey};
use diplomatie_protocol::relay::{
    ChallengeRequest, ChallengeResponse, CommitAccepted, CommitPage, CommitUpload,
    CreateSpaceRequest, DepositKeys, EnrolRequest, EnvelopePage, ErrorBody, KeyPackageUpload,
    KeyPackagesStored, LinkInvite, LinkOpened, LinkSlot, OwnDevice, PushBatch, PushOutcome,
    PushResponse, SessionRequest, SessionResponse, SpaceSummary, SpacesResponse, WelcomePage,
};
use diplomatie_protocol::{DeviceCertificate, DeviceId, SpaceId};

use crate::ClientError;

/// The most bytes of one answer read (a page of envelopes is at most about 8 MiB).
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the relay answered a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitAnswer {
    /// The commit is the one of its epoch: the space is at this epoch now.
    Accepted(u64),
    /// Another commit won the epoch: the space is at this epoch; process its commits first.
    Conflict(u64),
}

/// A connection to one relay, as one device.
pub struct RelayClient {
    agent: ureq::Agent,
    base: String,
    device: DeviceId,
    key: SigningKey,
    token: Option<String>,
    /// When the token expires, in Unix seconds (a margin taken off).
    token_expires: u64,
    /// Made by [`RelayClient::anonymous`]: no device, so no session.
    anonymous: bool,
}

impl std::fmt::Debug for RelayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayClient")
            .field("base", &self.base)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Checks a relay's address: `http://` or `https://`, a host, no query; the trailing slash
/// dropped.
pub fn check_url(url: &str) -> Result<String, ClientError> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            ClientError::Relay(format!(
                "'{url}' is not a relay's address: give it whole, as https://relay.example or http://127.0.0.1:PORT"
            ))
        })?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(ClientError::Relay(format!(
            "'{url}' is not a relay's address: give it whole, as https://relay.example"
        )));
    }
    Ok(url.to_owned())
}

#[derive(Clone)]
enum Body<'a> {
    None,
    /// JSON, serialised.
    Json(Vec<u8>),
    Bytes(&'a [u8]),
}

impl RelayClient {
    pub fn new(url: &str, device: DeviceId, key: SigningKey) -> Result<RelayClient, ClientError> {
        let base = check_url(url)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .build()
            .into();
        Ok(RelayClient {
            agent,
            base,
            device,
            key,
            token: None,
            token_expires: 0,
            anonymous: false,
        })
    }

    /// A client of the relay at `url` without a device, for what the relay takes without a
    /// session: a device being linked writes slots `b` and `d` of the link mailbox and reads
    /// `a` and `c` with it ([`RelayClient::put_link_slot`], [`RelayClient::get_link_slot`]).
    /// Whatever needs a session fails with an error saying so.
    pub fn anonymous(url: &str) -> Result<RelayClient, ClientError> {
        let mut client = Self::new(url, DeviceId([0; 16]), SigningKey::generate()?)?;
        client.anonymous = true;
        Ok(client)
    }

    /// Uses a session token kept from an earlier sync, while it is valid (`expires`, Unix
    /// seconds): a sync then opens no session, unless the relay says it expired.
    pub(crate) fn resume(&mut self, token: String, expires: u64) {
        if expires > unix_now() {
            self.token = Some(token);
            self.token_expires = expires;
        }
    }

    /// The session token and when it expires, to keep for the next sync (a secret: the
    /// profile keeps it in its encrypted store).
    pub(crate) fn session(&self) -> Option<(&str, u64)> {
        self.token
            .as_deref()
            .filter(|_| self.token_expires > unix_now())
            .map(|t| (t, self.token_expires))
    }

    /// The start of a sync: key packages held, welcomes, spaces, commits past `spaces`'s
    /// epochs, in one round trip.
    pub fn start(
        &mut self,
        spaces: &[(SpaceId, u64)],
    ) -> Result<diplomatie_protocol::relay::Start, ClientError> {
        let body = diplomatie_protocol::relay::StartRequest {
            spaces: spaces.to_vec(),
        }
        .encode();
        let bytes = self.authed("POST", "/v1/start", Body::Bytes(&body))?;
        Ok(diplomatie_protocol::relay::Start::decode(&bytes)?)
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    /// One request; the status and the body of the answer. A network failure is
    /// [`ClientError::RelayUnreachable`]: offline is the normal state.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Body<'_>,
        auth: bool,
    ) -> Result<(u16, Vec<u8>), ClientError> {
        let url = format!("{}{path}", self.base);
        let request = ureq::http::Request::builder().method(method).uri(&url);
        let request = match (&self.token, auth) {
            (Some(token), true) => request.header("authorization", format!("Bearer {token}")),
            _ => request,
        };
        let unreachable = |e: ureq::Error| {
            tracing::debug!(error = %e, "relay request failed");
            ClientError::RelayUnreachable(self.base.clone())
        };
        let response = match body {
            Body::None => self.agent.run(
                request
                    .body(())
                    .map_err(|e| ClientError::Relay(e.to_string()))?,
            ),
            Body::Json(value) => self.agent.run(
                request
                    .header("content-type", "application/json")
                    .body(value)
                    .map_err(|e| ClientError::Relay(e.to_string()))?,
            ),
            Body::Bytes(bytes) => self.agent.run(
                request
                    .header("content-type", "application/octet-stream")
                    .body(bytes.to_vec())
                    .map_err(|e| ClientError::Relay(e.to_string()))?,
            ),
        }
        .map_err(unreachable)?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(unreachable)?;
        Ok((status, bytes))
    }

    /// A request in the session (opened, or opened again once if it expired); a refusal is
    /// an error with the relay's message.
    fn authed(&mut self, method: &str, path: &str, body: Body<'_>) -> Result<Vec<u8>, ClientError> {
        let (status, bytes) = self.authed_call(method, path, body)?;
        if (200..300).contains(&status) {
            Ok(bytes)
        } else {
            Err(refusal(status, &bytes))
        }
    }

    /// A request in the session (opened, or opened again once if it expired); the status and
    /// the body of the answer.
    fn authed_call(
        &mut self,
        method: &str,
        path: &str,
        body: Body<'_>,
    ) -> Result<(u16, Vec<u8>), ClientError> {
        if self.token.is_none() {
            self.open_session()?;
        }
        let (mut status, mut bytes) = self.call(method, path, body.clone(), true)?;
        if status == 401 {
            self.open_session()?;
            (status, bytes) = self.call(method, path, body, true)?;
        }
        Ok((status, bytes))
    }

    /// Enrols this device with a one-time token from the relay's operator.
    pub fn enrol(&self, token: &str, certificate: &DeviceCertificate) -> Result<(), ClientError> {
        let request = EnrolRequest {
            token: token.trim().to_owned(),
            certificate: certificate.bytes().to_vec(),
        };
        let (status, bytes) = self.call("POST", "/v1/enrol", Body::Json(json(&request)?), false)?;
        match status {
            200..=299 => Ok(()),
            _ => Err(refusal(status, &bytes)),
        }
    }

    /// Opens a session: the relay's challenge, signed by this device.
    pub fn open_session(&mut self) -> Result<(), ClientError> {
        if self.anonymous {
            return Err(ClientError::Relay(
                "this needs a session of an enrolled device, and this relay client has no device: use the profile's own".into(),
            ));
        }
        let request = ChallengeRequest {
            device: self.device,
        };
        let (status, bytes) = self.call(
            "POST",
            "/v1/auth/challenge",
            Body::Json(json(&request)?),
            false,
        )?;
        if !(200..300).contains(&status) {
            return Err(refusal(status, &bytes));
        }
        let challenge: ChallengeResponse = parse_json(&bytes)?;
        let signature = self.key.sign_as(Context::RelayAuth, &challenge.challenge);
        let request = SessionRequest {
            device: self.device,
            challenge: challenge.challenge,
            signature: signature.to_vec(),
        };
        let (status, bytes) = self.call(
            "POST",
            "/v1/auth/session",
            Body::Json(json(&request)?),
            false,
        )?;
        if !(200..300).contains(&status) {
            return Err(refusal(status, &bytes));
        }
        let session: SessionResponse = parse_json(&bytes)?;
        self.token = Some(session.token);
        // A minute's margin, so that a kept token is not used as it expires.
        self.token_expires = unix_now()
            .saturating_add(session.expires_in_seconds)
            .saturating_sub(60);
        Ok(())
    }

    /// Makes space `space` known to the relay from its group's public state.
    pub fn create_space(&mut self, space: SpaceId, group_info: Vec<u8>) -> Result<(), ClientError> {
        let request = CreateSpaceRequest { space, group_info };
        self.authed("POST", "/v1/spaces", Body::Json(json(&request)?))?;
        Ok(())
    }

    /// The spaces this device is a member of at the relay.
    pub fn spaces(&mut self) -> Result<Vec<SpaceSummary>, ClientError> {
        let bytes = self.authed("GET", "/v1/spaces", Body::None)?;
        Ok(parse_json::<SpacesResponse>(&bytes)?.spaces)
    }

    /// Pushes sealed envelopes to `space`'s log: one outcome an envelope, in order.
    pub fn push(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        self.push_to(space, "envelopes", envelopes)
    }

    /// Deposits a batch into `space`, a space this device need not be a member of.
    pub fn deposit(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        self.push_to(space, "deposits", envelopes)
    }

    /// The deposit keys `space`'s members published for its latest epoch (each a
    /// [`diplomatie_protocol::DepositKey`]'s bytes, to decode and check against its signer's
    /// certificate before sealing to it); empty when none is published, for instance just
    /// after a member was removed, until a member publishes the new epoch's.
    pub fn deposit_keys(&mut self, space: SpaceId) -> Result<Vec<Vec<u8>>, ClientError> {
        let bytes = self.authed(
            "GET",
            &format!("/v1/spaces/{}/deposit-key", space.hex()),
            Body::None,
        )?;
        Ok(DepositKeys::decode(&bytes)?.keys)
    }

    /// Publishes `key`, this device's [`diplomatie_protocol::DepositKey`] of `space` (its
    /// bytes), which must be of the space's current epoch at the relay. If the space has moved
    /// on, the relay keeps nothing and this is [`ClientError::RelayConflict`] with the
    /// space's epoch: process its commits, then publish the key of that epoch.
    pub fn publish_deposit_key(&mut self, space: SpaceId, key: Vec<u8>) -> Result<(), ClientError> {
        self.authed(
            "PUT",
            &format!("/v1/spaces/{}/deposit-key", space.hex()),
            Body::Bytes(&key),
        )?;
        Ok(())
    }

    fn push_to(
        &mut self,
        space: SpaceId,
        route: &str,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        let count = envelopes.len();
        let body = PushBatch(envelopes).encode();
        let bytes = self.authed(
            "POST",
            &format!("/v1/spaces/{}/{route}", space.hex()),
            Body::Bytes(&body),
        )?;
        let outcomes = parse_json::<PushResponse>(&bytes)?.outcomes;
        if outcomes.len() != count {
            return Err(ClientError::Relay(
                "the relay answered a push with another number of outcomes".into(),
            ));
        }
        Ok(outcomes)
    }

    /// A page of `space`'s log after relay sequence number `after`.
    pub fn pull(&mut self, space: SpaceId, after: u64) -> Result<EnvelopePage, ClientError> {
        let bytes = self.authed(
            "GET",
            &format!("/v1/spaces/{}/envelopes?after={after}", space.hex()),
            Body::None,
        )?;
        Ok(EnvelopePage::decode(&bytes)?)
    }

    /// Sends a commit made at `epoch` (with the welcome of the devices it adds).
    pub fn commit(
        &mut self,
        space: SpaceId,
        epoch: u64,
        upload: &CommitUpload,
    ) -> Result<CommitAnswer, ClientError> {
        let body = upload.encode();
        match self.authed(
            "POST",
            &format!("/v1/spaces/{}/commits?epoch={epoch}", space.hex()),
            Body::Bytes(&body),
        ) {
            Ok(bytes) => Ok(CommitAnswer::Accepted(
                parse_json::<CommitAccepted>(&bytes)?.epoch,
            )),
            Err(ClientError::RelayConflict { epoch }) => Ok(CommitAnswer::Conflict(epoch)),
            Err(e) => Err(e),
        }
    }

    /// The commits that take `space` past epoch `after`.
    pub fn commits(&mut self, space: SpaceId, after: u64) -> Result<CommitPage, ClientError> {
        let bytes = self.authed(
            "GET",
            &format!("/v1/spaces/{}/commits?after={after}", space.hex()),
            Body::None,
        )?;
        Ok(CommitPage::decode(&bytes)?)
    }

    /// The welcomes waiting for this device.
    pub fn welcomes(&mut self) -> Result<WelcomePage, ClientError> {
        let bytes = self.authed("GET", "/v1/welcomes", Body::None)?;
        Ok(WelcomePage::decode(&bytes)?)
    }

    /// Forgets a welcome once processed.
    pub fn delete_welcome(&mut self, id: u64) -> Result<(), ClientError> {
        self.authed("DELETE", &format!("/v1/welcomes/{id}"), Body::None)?;
        Ok(())
    }

    /// Publishes key packages of this device.
    pub fn publish_key_packages(
        &mut self,
        packages: Vec<Vec<u8>>,
    ) -> Result<KeyPackagesStored, ClientError> {
        let body = KeyPackageUpload(packages).encode();
        let bytes = self.authed("POST", "/v1/keypackages", Body::Bytes(&body))?;
        parse_json(&bytes)
    }

    /// Opens a link mailbox owned by this device, open for ten minutes: its id goes in the
    /// code the new device is given. The relay keeps at most three open per device.
    pub fn open_link(&mut self) -> Result<LinkOpened, ClientError> {
        let bytes = self.authed("POST", "/v1/links", Body::None)?;
        parse_json(&bytes)
    }

    /// The one-time enrolment token of link mailbox `link` (this device's), for the new device
    /// to enrol with: valid until the link expires, for a certificate of this device's
    /// identity key only. A secret: hand it over sealed, never log it.
    pub fn link_invite(&mut self, link: &str) -> Result<String, ClientError> {
        let path = format!("/v1/links/{}/invite", link_path(link)?);
        let (_, bytes) = self.link_call("POST", &path, Body::None, true)?;
        Ok(parse_json::<LinkInvite>(&bytes)?.token)
    }

    /// Writes `bytes` to `slot` (`a` to `d`) of link mailbox `link`, once: `a` and `c` in
    /// this device's session (it opened the link), `b` and `d` without a session (the new
    /// device, with [`RelayClient::anonymous`]). A slot already written is an error saying the
    /// code was already used.
    pub fn put_link_slot(
        &mut self,
        link: &str,
        slot: char,
        bytes: Vec<u8>,
    ) -> Result<(), ClientError> {
        let slot = link_slot(slot)?;
        if bytes.is_empty() || bytes.len() > slot.max_bytes() {
            return Err(ClientError::Relay(format!(
                "a message through a link takes 1 to {} bytes in slot {}",
                slot.max_bytes(),
                slot.name()
            )));
        }
        let path = format!("/v1/links/{}/{}", link_path(link)?, slot.name());
        self.link_call("PUT", &path, Body::Bytes(&bytes), slot.owner_writes())?;
        Ok(())
    }

    /// What `slot` (`a` to `d`) of link mailbox `link` holds, `None` while it is empty: `a`
    /// and `c` without a session (the new device, with [`RelayClient::anonymous`]), `b` and
    /// `d` in this device's session (it opened the link).
    pub fn get_link_slot(
        &mut self,
        link: &str,
        slot: char,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let slot = link_slot(slot)?;
        let path = format!("/v1/links/{}/{}", link_path(link)?, slot.name());
        let (status, bytes) = self.link_call("GET", &path, Body::None, !slot.owner_writes())?;
        Ok((status != 204).then_some(bytes))
    }

    /// Closes link mailbox `link` (this device's): what its slots hold is deleted. A token it
    /// made stays valid until the link would have expired.
    pub fn close_link(&mut self, link: &str) -> Result<(), ClientError> {
        let path = format!("/v1/links/{}", link_path(link)?);
        self.link_call("DELETE", &path, Body::None, true)?;
        Ok(())
    }

    /// A request about a link mailbox, in the session if `session`; a refusal is an error
    /// saying what to do (start again, when the link is gone or a slot already written).
    fn link_call(
        &mut self,
        method: &str,
        path: &str,
        body: Body<'_>,
        session: bool,
    ) -> Result<(u16, Vec<u8>), ClientError> {
        let (status, bytes) = if session {
            self.authed_call(method, path, body)?
        } else {
            self.call(method, path, body, false)?
        };
        match status {
            200..=299 => Ok((status, bytes)),
            404 => Err(ClientError::Relay(
                "this link expired or does not exist: start linking again from the device that shows the code".into(),
            )),
            409 if method == "PUT" => Err(ClientError::Relay(
                "this linking code was already used: start linking again from the device that shows the code".into(),
            )),
            _ => Err(refusal(status, &bytes)),
        }
    }

    /// Revokes `device`, another device of this device's identity: the relay ends its
    /// sessions and refuses it from now on (revoking it again changes nothing). Its spaces
    /// are left to the members, who remove it with commits.
    pub fn revoke_device(&mut self, device: DeviceId) -> Result<(), ClientError> {
        self.authed(
            "POST",
            &format!("/v1/devices/{}/revoke", device.hex()),
            Body::None,
        )?;
        Ok(())
    }

    /// The devices enrolled at the relay under this device's identity key (this one among
    /// them), oldest first, with when each was last seen and, if it was, revoked.
    pub fn own_devices(&mut self) -> Result<Vec<OwnDevice>, ClientError> {
        let bytes = self.authed("GET", "/v1/devices/mine", Body::None)?;
        parse_json(&bytes)
    }

    /// Takes one key package of `device` (the relay hands each out once).
    pub fn key_package(&mut self, device: &DeviceId) -> Result<Vec<u8>, ClientError> {
        self.authed(
            "GET",
            &format!("/v1/devices/{}/keypackage", device.hex()),
            Body::None,
        )
    }
}

/// A link mailbox's id as it goes in a path: 20 hexadecimal digits.
fn link_path(link: &str) -> Result<&str, ClientError> {
    let link = link.trim();
    if link.len() == 20 && link.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(link)
    } else {
        Err(ClientError::Relay(
            "a link is 20 hexadecimal digits: check the code, or start linking again".into(),
        ))
    }
}

fn link_slot(slot: char) -> Result<LinkSlot, ClientError> {
    LinkSlot::from_char(slot)
        .ok_or_else(|| ClientError::Relay("a link's slot is a, b, c or d".into()))
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(value).map_err(|e| ClientError::Relay(e.to_string()))
}

fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(bytes).map_err(|_| {
        ClientError::Relay(
            "the relay's answer is unreadable: is this address a Diplomatie relay?".into(),
        )
    })
}

/// The relay's refusal as an error saying what to do.
fn refusal(status: u16, bytes: &[u8]) -> ClientError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) if status == 409 && body.epoch.is_some() => ClientError::RelayConflict {
            epoch: body.epoch.unwrap_or_default(),
        },
        Ok(body) => ClientError::Relay(format!("the relay refused ({status}): {}", body.message)),
        Err(_) => ClientError::Relay(format!(
            "the relay answered {status}{}",
            if bytes.is_empty() {
                String::new()
            } else {
                format!(" ({} bytes, not a Diplomatie relay's answer)", bytes.len())
            }
        )),
    }
}
