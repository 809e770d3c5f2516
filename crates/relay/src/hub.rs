//! The sockets of `GET /v1/news`, by device and by space: what each socket is to send is put
//! in its queue here, and its own task (`news.rs`) writes it out.
//!
//! # Ordering
//!
//! The changes that decide who hears what (a push, a commit, a space created) call the hub
//! while they still hold the database's connection, right after their transaction: so the
//! hub sees them in the order the database took them. A socket registers the same way, with
//! the heads it reads from the database ([`Hub::register`]): it is sent everything after those
//! heads and nothing before. A device removed from a space by a commit is unsubscribed before
//! the commit's answer is sent: nothing pushed after the commit reaches its sockets (frames
//! already queued for it, of envelopes pushed while it was a member, may still go out).
//!
//! # What a socket is sent
//!
//! - a news socket: `{"space","head","epoch"}` (text) whenever one of its spaces moves: a push,
//!   a commit, its device joining the space;
//! - a live socket (`?live=true`): the same for commits and joins, and for each push to one of
//!   its spaces by another device, one binary frame: the space's 16-byte id, then the
//!   [`EnvelopePage`] (postcard, as a pull answers) of the envelopes the push added, with
//!   their relay seqs (`next` empty, `head` the last of them). The device that pushed is not
//!   sent its own envelopes: the push's answer gives their seqs.
//!
//! # Backpressure
//!
//! Queuing never waits: a socket's queue holds at most [`QUEUE_BYTES`] of frames. A frame that
//! would take it past that is not queued, nor is anything else for that socket until it has
//! written out what it holds; then it reads its spaces' heads afresh, under the database's
//! connection again, and sends them (as on connect): each head past what the device has says
//! what to pull (`GET /v1/spaces/{space}/envelopes?after=SEQ`), and live frames resume after
//! those heads. A slow or stalled socket so holds at most [`QUEUE_BYTES`] (and its write
//! times out after 10 s: it is closed), and never delays the others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::ws::Utf8Bytes;
use diplomatie_protocol::relay::{EnvelopePage, News, SpaceSummary};
use diplomatie_protocol::{DeviceId, SpaceId};
use serde::Serialize;
use tokio::sync::mpsc;

/// The most bytes of frames one socket may have waiting to be written.
pub const QUEUE_BYTES: usize = 4 * 1024 * 1024;

/// What a socket's task is to do next.
#[derive(Debug, Clone)]
pub enum Frame {
    /// A `News` as JSON: a text frame.
    News(Utf8Bytes),
    /// A space's id then an `EnvelopePage`: a binary frame.
    Envelopes(Bytes),
    /// The device joined this space (told after the fact, without its head): read its
    /// summary, then send it as news.
    Joined(SpaceId),
    /// The queue overflowed and what came after was dropped: read the heads afresh.
    Behind,
}

impl Frame {
    /// The bytes it holds, counted against the socket's queue.
    fn size(&self) -> usize {
        match self {
            Self::News(text) => text.len(),
            Self::Envelopes(bytes) => bytes.len(),
            Self::Joined(_) | Self::Behind => 0,
        }
    }
}

/// A `News` of `summary`, as the text frame it is sent as.
pub fn news(summary: &SpaceSummary) -> Utf8Bytes {
    let news = News {
        space: summary.space,
        head: summary.head,
        epoch: summary.epoch,
    };
    Utf8Bytes::from(serde_json::to_string(&news).unwrap_or_default())
}

/// An [`EnvelopePage`] borrowed: postcard writes it as the same bytes.
#[derive(Serialize)]
struct PageRef<'a> {
    envelopes: &'a [(u64, Vec<u8>)],
    next: Option<u64>,
    head: u64,
}

/// The binary frame of envelopes `fresh` (relay seq, bytes), just added to `space`.
pub fn envelopes_frame(space: SpaceId, fresh: &[(u64, Vec<u8>)]) -> Bytes {
    let page = PageRef {
        envelopes: fresh,
        next: None,
        head: fresh.last().map_or(0, |(seq, _)| *seq),
    };
    let size: usize = fresh.iter().map(|(_, b)| b.len() + 16).sum();
    let mut frame = Vec::with_capacity(space.0.len() + size + 16);
    frame.extend_from_slice(&space.0);
    // Writing to a vector does not fail.
    let frame = postcard::to_extend(&page, frame).unwrap_or_default();
    Bytes::from(frame)
}

/// Reads a binary frame of envelopes: its space and its page.
pub fn read_envelopes_frame(frame: &[u8]) -> Option<(SpaceId, EnvelopePage)> {
    let (id, body) = frame.split_at_checked(16)?;
    let space = SpaceId(id.try_into().ok()?);
    Some((space, EnvelopePage::decode(body).ok()?))
}

/// What the hub and a socket's task share.
#[derive(Debug, Default)]
struct Counters {
    /// The bytes of the frames queued and not yet written.
    queued: AtomicUsize,
    /// The queue overflowed: nothing is queued until the task has read the heads afresh.
    behind: AtomicBool,
}

#[derive(Debug)]
struct Socket {
    id: u64,
    device: DeviceId,
    live: bool,
    queue: mpsc::UnboundedSender<Frame>,
    counters: Arc<Counters>,
}

impl Socket {
    /// Queues `frame` unless the socket is behind or the frame would take it past
    /// [`QUEUE_BYTES`], in which case the socket is behind from now on. Never waits.
    fn offer(&self, frame: Frame) {
        let counters = &self.counters;
        if counters.behind.load(Ordering::Acquire) {
            return;
        }
        let size = frame.size();
        let queued = counters.queued.fetch_add(size, Ordering::AcqRel) + size;
        if queued > QUEUE_BYTES {
            counters.queued.fetch_sub(size, Ordering::AcqRel);
            counters.behind.store(true, Ordering::Release);
            tracing::info!(device = %self.device, socket = self.id, "news socket behind: its frames are dropped until it reads the heads afresh");
            let _ = self.queue.send(Frame::Behind);
            return;
        }
        // A socket whose task has ended is unregistered just after: nothing to do.
        let _ = self.queue.send(frame);
    }
}

/// A socket's end: the frames to write, in order.
#[derive(Debug)]
pub struct Outbox {
    pub id: u64,
    frames: mpsc::UnboundedReceiver<Frame>,
    counters: Arc<Counters>,
}

impl Outbox {
    /// The next frame to write (`None` once the hub has dropped the socket).
    pub async fn next(&mut self) -> Option<Frame> {
        self.frames.recv().await
    }

    /// A frame taken from the queue has been written (or given up): its bytes are free.
    pub fn written(&self, frame: &Frame) {
        self.counters
            .queued
            .fetch_sub(frame.size(), Ordering::AcqRel);
    }

    /// What lets the socket queue again, once it has read its heads afresh.
    pub fn resume(&self) -> Resume {
        Resume(Arc::clone(&self.counters))
    }
}

/// Lets a socket that fell behind queue again: called under the database's connection, with
/// the heads read afresh there.
#[derive(Debug)]
pub struct Resume(Arc<Counters>);

impl Resume {
    pub fn now(self) {
        self.0.behind.store(false, Ordering::Release);
    }
}

#[derive(Debug, Default)]
struct Registry {
    next_id: u64,
    by_device: HashMap<DeviceId, Vec<Arc<Socket>>>,
    by_space: HashMap<SpaceId, Vec<Arc<Socket>>>,
    /// The spaces each socket is subscribed to, by socket id.
    spaces: HashMap<u64, Vec<SpaceId>>,
}

impl Registry {
    fn subscribe(&mut self, socket: &Arc<Socket>, space: SpaceId) {
        let spaces = self.spaces.entry(socket.id).or_default();
        if spaces.contains(&space) {
            return;
        }
        spaces.push(space);
        self.by_space
            .entry(space)
            .or_default()
            .push(Arc::clone(socket));
    }

    fn unsubscribe(&mut self, id: u64, space: SpaceId) {
        if let Some(spaces) = self.spaces.get_mut(&id) {
            spaces.retain(|s| *s != space);
        }
        if let Some(sockets) = self.by_space.get_mut(&space) {
            sockets.retain(|s| s.id != id);
            if sockets.is_empty() {
                self.by_space.remove(&space);
            }
        }
    }
}

/// Every open news socket, by device and by space.
#[derive(Debug, Default)]
pub struct Hub {
    registry: Mutex<Registry>,
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        // Nothing here panics while holding the lock; if it did, the maps are still whole.
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a socket of `device` subscribed to `spaces`. Call it under the database's
    /// connection, with `spaces` read there: the socket is sent what changes after.
    pub fn register(&self, device: DeviceId, live: bool, spaces: &[SpaceId]) -> Outbox {
        let (queue, frames) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let mut registry = self.lock();
        registry.next_id += 1;
        let socket = Arc::new(Socket {
            id: registry.next_id,
            device,
            live,
            queue,
            counters: Arc::clone(&counters),
        });
        registry
            .by_device
            .entry(device)
            .or_default()
            .push(Arc::clone(&socket));
        registry.spaces.insert(socket.id, Vec::new());
        for &space in spaces {
            registry.subscribe(&socket, space);
        }
        Outbox {
            id: socket.id,
            frames,
            counters,
        }
    }

    /// The socket `id` has closed.
    pub fn unregister(&self, id: u64) {
        let mut registry = self.lock();
        let spaces = registry.spaces.remove(&id).unwrap_or_default();
        for space in spaces {
            registry.unsubscribe(id, space);
        }
        registry.by_device.retain(|_, sockets| {
            sockets.retain(|s| s.id != id);
            !sockets.is_empty()
        });
    }

    /// A push added `fresh` (relay seq, bytes) to `summary.space` (now at `summary`): the
    /// news sockets of its members are told its head, the live ones of other devices than
    /// `sender` are sent the envelopes.
    pub fn pushed(&self, summary: &SpaceSummary, sender: DeviceId, fresh: &[(u64, Vec<u8>)]) {
        let registry = self.lock();
        let Some(sockets) = registry.by_space.get(&summary.space) else {
            return;
        };
        let (mut text, mut binary) = (None, None);
        for socket in sockets {
            if !socket.live {
                let text = text.get_or_insert_with(|| news(summary));
                socket.offer(Frame::News(text.clone()));
            } else if socket.device != sender && !fresh.is_empty() {
                let binary = binary.get_or_insert_with(|| envelopes_frame(summary.space, fresh));
                socket.offer(Frame::Envelopes(binary.clone()));
            }
        }
    }

    /// A space moved (a commit, its epoch): every socket subscribed to it is told its head.
    pub fn moved(&self, summary: &SpaceSummary) {
        let registry = self.lock();
        let Some(sockets) = registry.by_space.get(&summary.space) else {
            return;
        };
        let text = news(summary);
        for socket in sockets {
            socket.offer(Frame::News(text.clone()));
        }
    }

    /// `devices` became members of `summary.space`: their sockets subscribe to it and are
    /// told its head.
    pub fn joined(&self, summary: &SpaceSummary, devices: &[DeviceId]) {
        let mut registry = self.lock();
        let text = news(summary);
        for device in devices {
            let sockets = registry.by_device.get(device).cloned().unwrap_or_default();
            for socket in sockets {
                registry.subscribe(&socket, summary.space);
                socket.offer(Frame::News(text.clone()));
            }
        }
    }

    /// `device` became a member of `space`, told after the fact: its sockets subscribe, and
    /// each reads the space's head itself.
    pub fn joined_later(&self, space: SpaceId, device: DeviceId) {
        let mut registry = self.lock();
        let sockets = registry.by_device.get(&device).cloned().unwrap_or_default();
        for socket in sockets {
            registry.subscribe(&socket, space);
            socket.offer(Frame::Joined(space));
        }
    }

    /// `devices` are no longer members of `space`: their sockets hear nothing more of it.
    pub fn left(&self, space: SpaceId, devices: &[DeviceId]) {
        let mut registry = self.lock();
        for device in devices {
            let ids: Vec<u64> = registry
                .by_device
                .get(device)
                .map(|sockets| sockets.iter().map(|s| s.id).collect())
                .unwrap_or_default();
            for id in ids {
                registry.unsubscribe(id, space);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn summary(space: SpaceId, head: u64) -> SpaceSummary {
        SpaceSummary {
            space,
            head,
            epoch: 0,
        }
    }

    fn drain(outbox: &mut Outbox) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Ok(frame) = outbox.frames.try_recv() {
            outbox.written(&frame);
            out.push(frame);
        }
        out
    }

    #[test]
    fn a_push_goes_as_envelopes_to_live_sockets_of_other_devices_and_as_news_to_the_rest() {
        let hub = Hub::default();
        let space = SpaceId([1; 16]);
        let (alice, bruno, carla) = (DeviceId([1; 16]), DeviceId([2; 16]), DeviceId([3; 16]));
        let mut a = hub.register(alice, true, &[space]);
        let mut b = hub.register(bruno, true, &[space]);
        let mut c = hub.register(carla, false, &[space]);
        let mut stranger = hub.register(DeviceId([4; 16]), true, &[]);
        let fresh = vec![(7, b"seven".to_vec()), (8, b"eight".to_vec())];
        hub.pushed(&summary(space, 8), alice, &fresh);
        assert!(drain(&mut a).is_empty(), "the sender's own envelopes");
        let frames = drain(&mut b);
        let [Frame::Envelopes(bytes)] = frames.as_slice() else {
            panic!("{frames:?}")
        };
        let (read_space, page) = read_envelopes_frame(bytes).unwrap();
        assert_eq!(read_space, space);
        assert_eq!(page.envelopes, fresh);
        assert_eq!(page.head, 8);
        let frames = drain(&mut c);
        let [Frame::News(text)] = frames.as_slice() else {
            panic!("{frames:?}")
        };
        assert!(text.contains("\"head\":8"), "{text}");
        assert!(drain(&mut stranger).is_empty());

        // Removed, Bruno hears nothing more; unregistered, Carla neither.
        hub.left(space, &[bruno]);
        hub.unregister(c.id);
        hub.pushed(&summary(space, 9), alice, &[(9, b"nine".to_vec())]);
        assert!(drain(&mut b).is_empty());
        assert!(c.frames.try_recv().is_err());
        // Added again, at once.
        hub.joined(&summary(space, 9), &[bruno]);
        hub.pushed(&summary(space, 10), alice, &[(10, b"ten".to_vec())]);
        let frames = drain(&mut b);
        assert!(matches!(
            frames.as_slice(),
            [Frame::News(_), Frame::Envelopes(_)]
        ));
    }

    #[test]
    fn a_full_queue_drops_what_comes_after_until_the_socket_has_caught_up() {
        let hub = Hub::default();
        let space = SpaceId([1; 16]);
        let mut slow = hub.register(DeviceId([2; 16]), true, &[space]);
        let big = vec![0u8; QUEUE_BYTES / 3];
        for seq in 1..=5 {
            hub.pushed(
                &summary(space, seq),
                DeviceId([1; 16]),
                &[(seq, big.clone())],
            );
        }
        let frames = drain(&mut slow);
        // Two fit, the third did not: the socket is behind, the rest dropped.
        assert_eq!(frames.len(), 3, "{frames:?}");
        assert!(matches!(frames[2], Frame::Behind));
        assert_eq!(slow.counters.queued.load(Ordering::Acquire), 0);
        slow.resume().now();
        hub.pushed(&summary(space, 6), DeviceId([1; 16]), &[(6, big)]);
        assert!(matches!(drain(&mut slow).as_slice(), [Frame::Envelopes(_)]));
    }
}
