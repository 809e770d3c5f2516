//! A person's devices: linking a new device to this identity (on the device that holds the
//! profile, from the settings, and on the new one, from the first screen), listing them and
//! revoking one. The rules and the cryptography are the client's (`diplomatie_client`'s
//! `devices.rs`).
//!
//! **On the device that holds the profile**: [`offer_link`] opens a link mailbox at the relay
//! and returns its code (a line, its short part, a QR code of the line); [`await_link`] waits
//! for the new device and returns the four words it shows too, with the name it was given;
//! the person compares them, then [`confirm_link`] hands over what the new device needs (its
//! progress as [`LinkProgressEvent`]s) and syncs so that it leaves at once, or
//! [`refuse_link`] closes the mailbox, nothing handed over.
//!
//! **On the new device**, without a profile: [`start_link`] reads the code and returns the
//! words; once the person confirms, [`finish_link`] waits for the first device's handover,
//! makes the profile under the passphrase chosen and opens it as the app's session, as
//! creating a profile does; [`link_catch_up`] then syncs until the first device has added it
//! to the person's spaces, and once more for the whole history (its progress is the sync's
//! status, as for any catch-up).
//!
//! One link at a time ([`Linking`], in the app's state): what lies between two commands (the
//! code shown, the new device's request, the new device's side) is kept there, and let go by
//! [`cancel_link`], by a lock, or when another link starts. Every wait runs on the blocking
//! pool with a time limit, and looks at the mailbox from here every half second, so that a
//! cancel stops it within one look; the client's own waits are called only once what they
//! wait for is there.
//!
//! Nothing here logs a code, the words, a passphrase or a key.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use diplomatie_client::sync::RelayClient;
use diplomatie_client::{
    ClientError, DeviceView, LinkJoin, LinkOffer, LinkProgress, LinkRequest, MIN_PASSPHRASE_CHARS,
    Profile, QrModules,
};
use diplomatie_protocol::link::LinkCode;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::AppHandle;
use tauri_specta::Event;
use zeroize::Zeroizing;

use crate::command::{Shared, blocking, session_dto};
use crate::dto::*;
use crate::error::{CommandError, ErrorKind};
use crate::map;
use crate::sync::{not_joined, sync_locked};

/// How often a wait looks at the mailbox (the relay takes five looks a second per link).
const POLL: Duration = Duration::from_millis(500);
/// How long the code waits for the new device: the relay keeps a link mailbox 10 minutes.
const OFFER_WAIT: Duration = Duration::from_secs(600);
/// How long the new device waits for the first device's first message (written when the code
/// was made: it is there at once).
const START_WAIT: Duration = Duration::from_secs(60);
/// How long the new device waits for the person to confirm on the first device.
const HANDOVER_WAIT: Duration = Duration::from_secs(600);
/// The client's own waits, called once what they wait for is there.
const STEP_WAIT: Duration = Duration::from_secs(60);
/// How long the first device waits for the new one to be enrolled once it handed over.
const COMPLETE_WAIT: Duration = Duration::from_secs(180);
/// How long the new device waits for the first to add it to the person's spaces.
const SPACES_WAIT: Duration = Duration::from_secs(300);
/// The longest name of a device (the client's rule, checked here to point at the field).
const MAX_LABEL_CHARS: usize = 60;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One pending thing at a time, and a generation that every cancel moves on: a step started
/// under an older generation was cancelled.
#[derive(Debug)]
struct Slot<P> {
    pending: Mutex<Option<P>>,
    generation: AtomicU64,
}

/// The generation a step started under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ticket(u64);

impl<P> Default for Slot<P> {
    fn default() -> Self {
        Self {
            pending: Mutex::new(None),
            generation: AtomicU64::new(0),
        }
    }
}

impl<P> Slot<P> {
    fn ticket(&self) -> Ticket {
        Ticket(self.generation.load(Ordering::Acquire))
    }

    /// Whether nothing was cancelled since `ticket` was taken.
    fn current(&self, ticket: Ticket) -> bool {
        self.generation.load(Ordering::Acquire) == ticket.0
    }

    /// Cancels: a step under way is no longer current; what was pending is returned.
    fn cancel(&self) -> Option<P> {
        let mut pending = lock(&self.pending);
        self.generation.fetch_add(1, Ordering::AcqRel);
        pending.take()
    }

    /// Takes what is pending when it is what the step `wanted` (else leaves it).
    fn take_if(&self, wanted: impl FnOnce(&P) -> bool) -> Option<P> {
        let mut pending = lock(&self.pending);
        if pending.as_ref().is_some_and(wanted) {
            pending.take()
        } else {
            None
        }
    }

    /// Keeps `next` for the next step when nothing was cancelled since `ticket`; otherwise
    /// gives it back. What it replaces (nothing, normally) is returned.
    fn keep(&self, ticket: Ticket, next: P) -> Result<Option<P>, P> {
        let mut pending = lock(&self.pending);
        if self.current(ticket) {
            Ok(pending.replace(next))
        } else {
            Err(next)
        }
    }
}

/// What a link keeps between two commands.
enum Pending {
    /// The code shown, and a client of this device at the relay to look at the mailbox.
    Offered {
        offer: LinkOffer,
        relay: RelayClient,
    },
    /// The new device answered; the person compares the words.
    Request(LinkRequest),
    /// The new device's side: the words shown, the person's confirmation awaited.
    Join { join: LinkJoin, code: LinkCode },
}

/// The link under way, if any (in the app's state: the new device has no session).
#[derive(Default)]
pub struct Linking {
    slot: Slot<Box<Pending>>,
}

impl std::fmt::Debug for Linking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linking")
            .field("pending", &lock(&self.slot.pending).is_some())
            .finish()
    }
}

impl Linking {
    /// Ends the link under way: a wait stops at its next look, a code shown is closed at the
    /// relay, a request refused (on a thread of their own: a cancel or a lock never waits for
    /// the network).
    pub fn cancel(&self) {
        if let Some(pending) = self.slot.cancel() {
            release(pending);
        }
    }

    /// Takes what is pending when it is what the step `wanted` (else leaves it).
    fn take_if(&self, wanted: impl FnOnce(&Pending) -> bool) -> Option<Pending> {
        self.slot.take_if(|p| wanted(p)).map(|p| *p)
    }

    /// Keeps `next` for the next step, unless the link was cancelled since `ticket`.
    fn keep(&self, ticket: Ticket, next: Pending) -> Result<(), CommandError> {
        match self.slot.keep(ticket, Box::new(next)) {
            Ok(replaced) => {
                if let Some(replaced) = replaced {
                    release(replaced);
                }
                Ok(())
            }
            Err(stale) => {
                release(stale);
                Err(cancelled())
            }
        }
    }

    /// Sleeps `pause`, waking early when the link is cancelled.
    fn pause(&self, ticket: Ticket, pause: Duration) {
        let until = Instant::now() + pause;
        while self.slot.current(ticket) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100).min(pause));
        }
    }

    /// Looks at `slot` of `mailbox` until it holds something (`Ok`), the link is cancelled, or
    /// `limit` passes.
    fn wait_for_slot(
        &self,
        ticket: Ticket,
        relay: &mut RelayClient,
        mailbox: &str,
        slot: char,
        limit: Duration,
    ) -> Result<(), CommandError> {
        let until = Instant::now() + limit;
        loop {
            if !self.slot.current(ticket) {
                return Err(cancelled());
            }
            if relay.get_link_slot(mailbox, slot)?.is_some() {
                return Ok(());
            }
            if Instant::now() >= until {
                return Err(timed_out(limit));
            }
            self.pause(ticket, POLL);
        }
    }
}

/// Lets go of what a link kept: the mailbox closed, the request refused.
fn release(pending: Box<Pending>) {
    match *pending {
        Pending::Offered { offer, mut relay } => {
            let mailbox = offer.code().mailbox.clone();
            drop(offer);
            tauri::async_runtime::spawn_blocking(move || {
                let _ = relay.close_link(&mailbox);
            });
        }
        Pending::Request(request) => {
            tauri::async_runtime::spawn_blocking(move || request.refuse());
        }
        Pending::Join { .. } => {}
    }
}

fn cancelled() -> CommandError {
    CommandError::new(ErrorKind::LinkCancelled, "the link was cancelled")
}

fn no_link() -> CommandError {
    CommandError::new(
        ErrorKind::NoLink,
        "no link is under way at this step: start linking again",
    )
}

fn timed_out(limit: Duration) -> CommandError {
    let minutes = limit.as_secs().div_ceil(60);
    CommandError::new(
        ErrorKind::LinkTimeout,
        format!("the other device did not answer within {minutes} min: start linking again"),
    )
    .with_detail(minutes.to_string())
}

/// The name the new device is given, or the form's error.
fn label_arg(raw: &str) -> Result<String, CommandError> {
    let label = raw.trim();
    if label.is_empty() {
        return Err(CommandError::missing("linkLabel"));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(CommandError::new(
            ErrorKind::InvalidValue,
            format!("name this device in a few words (at most {MAX_LABEL_CHARS} characters)"),
        )
        .with_field("linkLabel")
        .with_detail(MAX_LABEL_CHARS.to_string()));
    }
    Ok(label.to_owned())
}

/// The code the new device was given, or the form's error.
fn code_arg(raw: &str) -> Result<LinkCode, CommandError> {
    if raw.trim().is_empty() {
        return Err(CommandError::missing("linkCode"));
    }
    LinkCode::parse(raw).map_err(|e| {
        CommandError::new(ErrorKind::InvalidLinkCode, e.to_string()).with_field("linkCode")
    })
}

/// A refusal while reading the code, pointed at the code: the relay it names cannot be
/// reached, the link is gone or was used, its first message does not read.
fn at_code(e: ClientError) -> CommandError {
    match e {
        ClientError::Relay(_) | ClientError::RelayUnreachable(_) => {
            CommandError::from(e).with_field("linkCode")
        }
        ClientError::Protocol(_) => {
            CommandError::new(ErrorKind::InvalidLinkCode, e.to_string()).with_field("linkCode")
        }
        other => other.into(),
    }
}

/// The device the page names by the hex digits of its id (at least 8): never by its name,
/// which two devices may share.
fn device_arg(raw: &str) -> Result<String, CommandError> {
    let hex = raw.trim();
    if hex.len() < 8 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CommandError::new(
            ErrorKind::NotFound,
            "name the device by the hex digits of its id",
        ));
    }
    Ok(hex.to_owned())
}

/// The code's line as a QR code, drawn by the page as a card's is.
fn link_qr(line: &str) -> Result<QrDto, CommandError> {
    let code = qrcode::QrCode::with_error_correction_level(line, qrcode::EcLevel::M)
        .map_err(|e| CommandError::internal(format!("the code does not fit a QR code ({e})")))?;
    Ok(map::qr(&QrModules {
        width: code.width(),
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    }))
}

fn words_dto(words: [&'static str; 4], label: &str) -> LinkWordsDto {
    LinkWordsDto {
        words: words.iter().map(|w| (*w).to_owned()).collect(),
        label: label.to_owned(),
    }
}

fn device_dto(d: &DeviceView) -> DeviceDto {
    DeviceDto {
        device: d.device.clone(),
        device_short: d.device.chars().take(8).collect(),
        label: d.label.clone(),
        this_device: d.this_device,
        certified: Some(d.certified.clone()).filter(|c| !c.is_empty()),
        last_seen: d.last_seen.clone(),
        revoked: d.revoked.clone(),
    }
}

fn count(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

/// This device's client at the relay its profile joined.
fn own_relay(profile: &Profile) -> Result<RelayClient, CommandError> {
    let url = profile.relay_url()?.ok_or_else(not_joined)?;
    Ok(RelayClient::new(
        &url,
        profile.own().device.device,
        profile.signing_key()?,
    )?)
}

/// Completing a link: `done` of `total` steps (the person's spaces, then the history).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct LinkProgressEvent {
    pub done: u32,
    pub total: u32,
}

/// Opens a link at the relay for a new device of this person: its code (valid once, 10
/// minutes), to give the new device; a link already under way is cancelled. Then
/// [`await_link`].
#[tauri::command]
#[specta::specta]
pub async fn offer_link(state: Shared<'_>) -> Result<LinkCodeDto, CommandError> {
    let session = state.unlocked()?;
    let state = Arc::clone(&state);
    blocking(move || {
        state.link.cancel();
        let ticket = state.link.slot.ticket();
        let relay = own_relay(&session.profile)?;
        let offer = session.profile.offer_link()?;
        let code = offer.code();
        let line = Zeroizing::new(code.to_line());
        let dto = LinkCodeDto {
            qr: link_qr(&line)?,
            line: line.to_string(),
            short: code.short(),
            relay: code.relay.clone(),
            valid_minutes: count(OFFER_WAIT.as_secs() / 60),
        };
        state.link.keep(ticket, Pending::Offered { offer, relay })?;
        tracing::info!("a link offered to a new device");
        Ok(dto)
    })
    .await
}

/// Waits (10 minutes at most, or until cancelled) for the new device to answer the code;
/// returns the four words it shows too, and the name it was given. A wrong code on the other
/// side is refused (`link_wrong_code`), nothing handed over. Then [`confirm_link`] or
/// [`refuse_link`].
#[tauri::command]
#[specta::specta]
pub async fn await_link(state: Shared<'_>) -> Result<LinkWordsDto, CommandError> {
    state.unlocked()?;
    let state = Arc::clone(&state);
    blocking(move || {
        let ticket = state.link.slot.ticket();
        let Some(Pending::Offered { offer, mut relay }) =
            state.link.take_if(|p| matches!(p, Pending::Offered { .. }))
        else {
            return Err(no_link());
        };
        let mailbox = offer.code().mailbox.clone();
        if let Err(e) = state
            .link
            .wait_for_slot(ticket, &mut relay, &mailbox, 'b', OFFER_WAIT)
        {
            let _ = relay.close_link(&mailbox);
            return Err(e);
        }
        let request = offer.wait(STEP_WAIT).map_err(|e| match e {
            ClientError::Link(_) => CommandError::new(ErrorKind::LinkWrongCode, e.to_string()),
            other => other.into(),
        })?;
        let words = words_dto(request.words(), request.label());
        state.link.keep(ticket, Pending::Request(request))?;
        Ok(words)
    })
    .await
}

/// The words matched: certifies the new device, hands it what it needs, adds it to every
/// space and shares every item with it (progress as `LinkProgressEvent`s), then syncs so that
/// it all leaves now.
#[tauri::command]
#[specta::specta]
pub async fn confirm_link(
    app: AppHandle,
    state: Shared<'_>,
) -> Result<LinkedDeviceDto, CommandError> {
    let session = state.unlocked()?;
    let state = Arc::clone(&state);
    blocking(move || {
        let Some(Pending::Request(request)) =
            state.link.take_if(|p| matches!(p, Pending::Request(_)))
        else {
            return Err(no_link());
        };
        let _one = session.sync.hold();
        let linked = session.profile.complete_link(
            request,
            COMPLETE_WAIT,
            &mut |p: &LinkProgress| {
                let event = LinkProgressEvent {
                    done: count(p.done),
                    total: count(p.total),
                };
                if let Err(e) = event.emit(&app) {
                    tracing::warn!(error = %e, "could not tell the interface a link's progress");
                }
            },
        )?;
        tracing::info!(
            spaces = linked.spaces,
            items = linked.items,
            "a device linked"
        );
        // A failure is in the sync's status; the next sync sends it all.
        let _ = sync_locked(&app, &session);
        Ok(LinkedDeviceDto {
            device: linked.device,
            label: linked.label,
            spaces: count(linked.spaces),
            items: count(linked.items),
        })
    })
    .await
}

/// The words differ (or the person changed their mind): the mailbox is closed, nothing
/// handed over.
#[tauri::command]
#[specta::specta]
pub async fn refuse_link(state: Shared<'_>) -> Result<(), CommandError> {
    state.link.cancel();
    tracing::info!("a link refused");
    Ok(())
}

/// Cancels the link under way, on either device: a wait stops within a second.
#[tauri::command]
#[specta::specta]
pub async fn cancel_link(state: Shared<'_>) -> Result<(), CommandError> {
    state.link.cancel();
    Ok(())
}

/// On a new device (no profile yet): reads `code`, the line the first device shows, and sends
/// this device's public keys under the name `label`; returns the four words the first device
/// shows too. Then [`finish_link`], or [`cancel_link`] when they differ.
#[tauri::command]
#[specta::specta]
pub async fn start_link(
    state: Shared<'_>,
    code: String,
    label: String,
) -> Result<LinkWordsDto, CommandError> {
    let state = Arc::clone(&state);
    let code = Zeroizing::new(code);
    blocking(move || {
        let parsed = code_arg(&code)?;
        let label = label_arg(&label)?;
        if Profile::exists(&state.profile_dir) {
            return Err(CommandError::new(
                ErrorKind::ProfileExists,
                "this device already holds a profile",
            ));
        }
        state.link.cancel();
        let ticket = state.link.slot.ticket();
        let join = LinkJoin::start(&code, &label, START_WAIT).map_err(at_code)?;
        let words = words_dto(join.words(), &label);
        state
            .link
            .keep(ticket, Pending::Join { join, code: parsed })?;
        Ok(words)
    })
    .await
}

/// The words matched, on the new device: waits (10 minutes at most, or until cancelled) for
/// the person to confirm on the first device, then makes this device's profile under
/// `passphrase` with what the first device handed over, enrols it with the relay, and opens it
/// as the app's session. Then [`link_catch_up`].
#[tauri::command]
#[specta::specta]
pub async fn finish_link(
    state: Shared<'_>,
    passphrase: String,
) -> Result<SessionDto, CommandError> {
    let state = Arc::clone(&state);
    let passphrase = Zeroizing::new(passphrase);
    blocking(move || {
        // Refused before anything is taken: the person corrects it and confirms again.
        if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(ClientError::WeakPassphrase {
                min: MIN_PASSPHRASE_CHARS,
            }
            .into());
        }
        let ticket = state.link.slot.ticket();
        let Some(Pending::Join { join, code }) =
            state.link.take_if(|p| matches!(p, Pending::Join { .. }))
        else {
            return Err(no_link());
        };
        let mut relay = RelayClient::anonymous(&code.relay)?;
        state
            .link
            .wait_for_slot(ticket, &mut relay, &code.mailbox, 'c', HANDOVER_WAIT)?;
        if !state.link.slot.current(ticket) {
            return Err(cancelled());
        }
        let profile = join.finish(&state.profile_dir, &passphrase, None, STEP_WAIT)?;
        tracing::info!("this device is linked to its person's identity");
        let session = state.open(profile)?;
        Ok(session_dto(&session))
    })
    .await
}

/// The new device's first syncs: until the first device has added it to the person's spaces
/// (5 minutes at most, or until cancelled), then once more for the whole history, its progress
/// in the sync's status. An error leaves the profile open: the background sync goes on.
#[tauri::command]
#[specta::specta]
pub async fn link_catch_up(
    app: AppHandle,
    state: Shared<'_>,
) -> Result<LinkCaughtUpDto, CommandError> {
    let session = state.unlocked()?;
    let state = Arc::clone(&state);
    blocking(move || {
        let ticket = state.link.slot.ticket();
        let until = Instant::now() + SPACES_WAIT;
        loop {
            {
                let _one = session.sync.hold();
                sync_locked(&app, &session)?.ok_or_else(not_joined)?;
            }
            if !session.profile.spaces()?.is_empty() {
                break;
            }
            if !state.link.slot.current(ticket) {
                return Err(cancelled());
            }
            if Instant::now() >= until {
                return Err(timed_out(SPACES_WAIT));
            }
            state.link.pause(ticket, Duration::from_secs(1));
        }
        {
            let _one = session.sync.hold();
            sync_locked(&app, &session)?;
        }
        Ok(LinkCaughtUpDto {
            spaces: count(session.profile.spaces()?.len()),
            items: count(session.profile.item_count()?),
        })
    })
    .await
}

/// This person's devices: those the card lists, then those revoked, with when the relay last
/// saw each (when it can be asked).
#[tauri::command]
#[specta::specta]
pub async fn devices(state: Shared<'_>) -> Result<Vec<DeviceDto>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || Ok(session.profile.devices()?.iter().map(device_dto).collect())).await
}

/// Revokes one of this person's other devices (named by its id): the relay refuses it from
/// now on, it is removed from every space, and the card is shared again without it (at the
/// sync that follows).
#[tauri::command]
#[specta::specta]
pub async fn revoke_device(
    app: AppHandle,
    state: Shared<'_>,
    device: String,
) -> Result<DeviceDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let which = device_arg(&device)?;
        let _one = session.sync.hold();
        let revoked = session.profile.revoke_device(&which)?;
        tracing::info!("a device revoked");
        // The new card and the commits leave now; a failure is in the sync's status.
        let _ = sync_locked(&app, &session);
        Ok(device_dto(&revoked))
    })
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn a_step_cancelled_meanwhile_keeps_nothing() {
        let slot = Slot::<&str>::default();
        let ticket = slot.ticket();
        assert_eq!(slot.keep(ticket, "offered"), Ok(None));
        assert_eq!(slot.take_if(|_| true), Some("offered"));
        // A cancel while the step waits: what it brings back is handed back to be let go.
        assert_eq!(slot.cancel(), None);
        assert!(!slot.current(ticket));
        assert_eq!(slot.keep(ticket, "request"), Err("request"));
        assert_eq!(slot.take_if(|_| true), None);
    }

    #[test]
    fn a_step_takes_only_what_it_expects() {
        let slot = Slot::<&str>::default();
        slot.keep(slot.ticket(), "join").unwrap();
        let taken = slot.take_if(|p| *p == "request");
        assert_eq!(taken, None, "not a request");
        assert_eq!(
            slot.cancel(),
            Some("join"),
            "still pending, let go by a cancel"
        );
    }

    #[test]
    fn the_code_and_the_name_are_checked_at_their_fields() {
        let e = code_arg("  ").unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (ErrorKind::Missing, Some("linkCode"))
        );
        let e = code_arg("DIPLOMATIE:ALICE").unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (ErrorKind::InvalidLinkCode, Some("linkCode"))
        );
        let line = "DIPLOMATIE-LIEN:http://127.0.0.1:8080#0123456789abcdef0123-ABCDEFGH";
        let code = code_arg(&format!(" {line} ")).unwrap();
        assert_eq!(code.relay, "http://127.0.0.1:8080");
        assert_eq!(code.to_line(), line);

        assert_eq!(label_arg(" Portable ").unwrap(), "Portable");
        let e = label_arg(" ").unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (ErrorKind::Missing, Some("linkLabel"))
        );
        let e = label_arg(&"x".repeat(61)).unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref(), e.detail.as_deref()),
            (ErrorKind::InvalidValue, Some("linkLabel"), Some("60"))
        );
        assert!(label_arg(&"é".repeat(60)).is_ok(), "characters, not bytes");
    }

    #[test]
    fn the_relay_refusing_the_code_points_at_it() {
        let e = at_code(ClientError::Relay(
            "this link expired or does not exist".into(),
        ));
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (ErrorKind::RelayRefused, Some("linkCode"))
        );
        let e = at_code(ClientError::RelayUnreachable("http://127.0.0.1:9".into()));
        assert_eq!(
            (e.kind, e.field.as_deref(), e.detail.as_deref()),
            (
                ErrorKind::RelayUnreachable,
                Some("linkCode"),
                Some("http://127.0.0.1:9")
            )
        );
        let e = at_code(ClientError::Link("too late".into()));
        assert_eq!((e.kind, e.field), (ErrorKind::LinkRefused, None));
    }

    #[test]
    fn a_device_is_named_by_its_id_not_its_name() {
        assert_eq!(device_arg(" 0123abcd ").unwrap(), "0123abcd");
        for bad in ["Portable", "0123abc", ""] {
            assert_eq!(device_arg(bad).unwrap_err().kind, ErrorKind::NotFound);
        }
    }

    #[test]
    fn a_wait_says_how_long_it_waited() {
        let e = timed_out(Duration::from_secs(600));
        assert_eq!(
            (e.kind, e.detail.as_deref()),
            (ErrorKind::LinkTimeout, Some("10"))
        );
    }

    /// The QR code the page draws holds the code's line: read back by an independent reader.
    #[test]
    fn the_qr_code_holds_the_whole_line() {
        let line = "DIPLOMATIE-LIEN:https://relais.example.org:8443#0123456789abcdef0123-ABCDEFGH";
        let qr = link_qr(line).unwrap();
        let width = qr.width as usize;
        assert_eq!(qr.dark.len(), width * width);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(
            (width + 8) * 4,
            (width + 8) * 4,
            |x, y| {
                let (x, y) = ((x / 4).wrapping_sub(4), (y / 4).wrapping_sub(4));
                if x < width && y < width && qr.dark[y * width + x] {
                    0
                } else {
                    255
                }
            },
        );
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, line);
    }

    #[test]
    fn a_revoked_device_has_no_certificate_date() {
        let view = DeviceView {
            device: "0123456789abcdef0123456789abcdef".into(),
            label: Some("Portable".into()),
            this_device: false,
            certified: String::new(),
            last_seen: None,
            revoked: Some("2026-12-01T10:00:00Z".into()),
        };
        let dto = device_dto(&view);
        assert_eq!(dto.device_short, "01234567");
        assert_eq!(dto.certified, None);
        assert_eq!(dto.revoked.as_deref(), Some("2026-12-01T10:00:00Z"));
    }
}
