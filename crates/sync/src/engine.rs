//! The engine: state, and one function from an input to the actions it calls for.

use std::collections::{BTreeMap, BTreeSet};

use diplomatie_protocol::{Content, ContentKind, DeviceId, EnvelopeId, SpaceId};

use crate::backoff::{Backoff, Jitter};
use crate::seq_set::SeqSet;
use crate::state::{self, Key, OutboxRow, SpaceRow, SubscriptionRow, SyncError};
use crate::types::{
    Action, Config, Cursor, DropReason, Entry, Event, Input, Outgoing, PushOutcome, Refusal, Time,
    TransportId, Write, is_snapshot,
};

/// The sync engine of one device. See the crate documentation for the model.
#[derive(Debug)]
pub struct Engine {
    config: Config,
    device: DeviceId,
    jitter: Jitter,
    now: Time,
    spaces: BTreeMap<SpaceId, SpaceState>,
    /// Outbox entries by insertion order.
    outbox: BTreeMap<u64, Item>,
    order_of: BTreeMap<EnvelopeId, u64>,
    next_order: u64,
    transports: BTreeMap<TransportId, TransportState>,
    applied: BTreeMap<(SpaceId, DeviceId), SeqSet>,
    /// Envelopes handed to the driver by [`Action::Apply`], not answered yet.
    applying: BTreeMap<EnvelopeId, Applying>,
    applying_seqs: BTreeSet<(SpaceId, DeviceId, u64)>,
    // What the input being handled produced.
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    actions: Vec<Action>,
    shown_pending: Option<usize>,
    asked_wake: Option<Time>,
}

#[derive(Debug)]
struct SpaceState {
    row: SpaceRow,
    /// A snapshot was asked for since the count last reset (not persisted: asked again after
    /// a restart if still due).
    snapshot_asked: bool,
}

#[derive(Debug)]
struct Item {
    entry: Outgoing,
    /// The transports it has yet to reach.
    pending: BTreeSet<TransportId>,
}

#[derive(Debug, Default)]
struct TransportState {
    online: bool,
    /// The batch pushed and not answered yet: at most one per transport.
    pushing: Option<BTreeSet<EnvelopeId>>,
    push_backoff: Backoff,
    subscriptions: BTreeMap<SpaceId, Subscription>,
    /// Spaces whose writes go this way though their log is not read ([`Input::Route`]).
    routes: BTreeSet<SpaceId>,
}

#[derive(Debug, Default)]
struct Subscription {
    cursor: Cursor,
    /// A pull is due (news, a page short of the head, coming online).
    wanted: bool,
    /// A pull is out, or its page is being applied.
    pulling: bool,
    page: Option<Page>,
    backoff: Backoff,
    /// Envelopes settled since this catch-up began.
    done: u64,
    /// Where the transport last said the log ends ([`Input::News`]), while it is reachable.
    head: Option<Cursor>,
}

#[derive(Debug)]
struct Page {
    /// The cursor the page was asked after.
    after: Cursor,
    slots: Vec<Slot>,
    next: Cursor,
    head: Cursor,
    remaining: Option<u64>,
}

#[derive(Debug)]
struct Slot {
    id: Option<EnvelopeId>,
    position: Cursor,
    state: SlotState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotState {
    /// Handed to the driver to apply.
    Waiting,
    /// Applied or dropped: the cursor may pass it.
    Settled,
    /// To be tried again: the cursor stops before it.
    Later,
}

#[derive(Debug)]
struct Applying {
    transport: TransportId,
    space: SpaceId,
    sender: DeviceId,
    seq: u64,
    kind: ContentKind,
}

impl Engine {
    /// A new device's engine: nothing written, nothing subscribed, every transport offline.
    /// `seed` drives the backoff's jitter (give each device its own random seed; tests give a
    /// fixed one).
    pub fn new(config: Config, device: DeviceId, seed: u64) -> Engine {
        Engine {
            config,
            device,
            jitter: Jitter::new(seed),
            now: Time::default(),
            spaces: BTreeMap::new(),
            outbox: BTreeMap::new(),
            order_of: BTreeMap::new(),
            next_order: 0,
            transports: BTreeMap::new(),
            applied: BTreeMap::new(),
            applying: BTreeMap::new(),
            applying_seqs: BTreeSet::new(),
            writes: BTreeMap::new(),
            actions: Vec::new(),
            shown_pending: None,
            asked_wake: None,
        }
    }

    /// The engine as it was, from every row its [`Action::Persist`]s wrote (in any order).
    /// Every transport starts offline; nothing is in flight, so unanswered pushes go again
    /// with the same ids and sequence numbers, and unsettled pages are pulled again.
    pub fn restore(
        config: Config,
        device: DeviceId,
        seed: u64,
        rows: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>,
    ) -> Result<Engine, SyncError> {
        let restored = state::restore(rows)?;
        let mut engine = Engine::new(config, device, seed);
        for (space, row) in restored.spaces {
            engine.spaces.insert(
                space,
                SpaceState {
                    row,
                    snapshot_asked: false,
                },
            );
        }
        for (id, row) in restored.outbox {
            let space = engine.space(row.space);
            space.row.next_seq = space.row.next_seq.max(row.seq.saturating_add(1));
            engine.next_order = engine.next_order.max(row.order.saturating_add(1));
            engine.order_of.insert(id, row.order);
            let content = row.content()?;
            engine.outbox.insert(
                row.order,
                Item {
                    entry: Outgoing {
                        id,
                        space: row.space,
                        sender: device,
                        seq: row.seq,
                        content,
                        created: row.created,
                    },
                    pending: BTreeSet::new(),
                },
            );
        }
        for (transport, id) in restored.pending {
            if let Some(item) = engine
                .order_of
                .get(&id)
                .and_then(|order| engine.outbox.get_mut(order))
            {
                item.pending.insert(transport);
            }
        }
        for ((transport, space), row) in restored.subscriptions {
            engine
                .transports
                .entry(transport)
                .or_default()
                .subscriptions
                .insert(
                    space,
                    Subscription {
                        cursor: row.cursor,
                        ..Subscription::default()
                    },
                );
        }
        engine.applied = restored.applied;
        Ok(engine)
    }

    /// Handles one input at time `now` and returns what to do, [`Action::Persist`] first.
    /// Time never goes back: an earlier `now` than a previous call's counts as that one.
    pub fn handle(&mut self, now: Time, input: Input) -> Vec<Action> {
        self.now = self.now.max(now);
        match input {
            Input::Write { id, space, content } => self.write(id, space, content),
            Input::Subscribe { space, transport } => self.subscribe(space, transport),
            Input::Unsubscribe { space, transport } => self.unsubscribe(space, transport),
            Input::Route { space, transport } => self.route(space, transport),
            Input::Online { transport } => self.online(transport),
            Input::Offline { transport } => {
                let state = self.transports.entry(transport).or_default();
                for sub in state.subscriptions.values_mut() {
                    sub.head = None;
                }
                if state.online {
                    state.online = false;
                    self.event(Event::Offline { transport });
                }
            }
            Input::Tick => {}
            Input::News {
                transport,
                space,
                head,
            } => {
                if let Some(sub) = self.subscription(transport, space) {
                    if sub.cursor != head {
                        sub.wanted = true;
                    }
                    sub.head = Some(head);
                }
            }
            Input::Page {
                transport,
                space,
                entries,
                next,
                head,
                remaining,
            } => self.page(transport, space, entries, next, head, remaining),
            Input::PullFailed {
                transport, space, ..
            } => self.pull_failed(transport, space),
            Input::Pushed { transport, results } => self.pushed(transport, results),
            Input::PushFailed { transport, .. } => {
                let (base, cap) = (self.config.backoff_base_ms, self.config.backoff_cap_ms);
                let state = self.transports.entry(transport).or_default();
                if state.pushing.take().is_some() {
                    state
                        .push_backoff
                        .fail(self.now, base, cap, &mut self.jitter);
                }
            }
            Input::Applied { id } => self.applied(id),
            Input::Refused { id, refusal } => self.refused(id, refusal),
        }
        self.pump();
        self.finish()
    }

    /// Local writes not yet delivered everywhere they go.
    pub fn pending_count(&self) -> usize {
        self.outbox.len()
    }

    /// Where this device stands in `space`'s log on `transport`, if it syncs it there.
    pub fn cursor(&self, transport: TransportId, space: SpaceId) -> Option<&Cursor> {
        self.transports
            .get(&transport)?
            .subscriptions
            .get(&space)
            .map(|sub| &sub.cursor)
    }

    /// Whether the engine thinks `transport` is reachable.
    pub fn is_online(&self, transport: TransportId) -> bool {
        self.transports
            .get(&transport)
            .is_some_and(|state| state.online)
    }

    /// The outbox, oldest first (plaintext: never log it).
    pub fn outbox(&self) -> impl Iterator<Item = &Outgoing> {
        self.outbox.values().map(|item| &item.entry)
    }

    /// Whether the envelope `seq` of `sender` in `space` was applied.
    pub fn has_applied(&self, space: SpaceId, sender: DeviceId, seq: u64) -> bool {
        self.applied
            .get(&(space, sender))
            .is_some_and(|set| set.contains(seq))
    }

    /// The whole durable state as rows, as [`Action::Persist`] wrote them: what
    /// [`Engine::restore`] takes (for exports and tests).
    pub fn rows(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut rows = Vec::new();
        for (space, state) in &self.spaces {
            rows.push((Key::Space(*space).encode(), state::encode_value(&state.row)));
        }
        for (order, item) in &self.outbox {
            let entry = &item.entry;
            rows.push((
                Key::Outbox(entry.id).encode(),
                state::encode_value(&OutboxRow::new(*order, entry)),
            ));
            for transport in &item.pending {
                rows.push((
                    Key::Pending(*transport, entry.id).encode(),
                    state::encode_value(&()),
                ));
            }
        }
        for (transport, state) in &self.transports {
            for (space, sub) in &state.subscriptions {
                rows.push((
                    Key::Subscription(*transport, *space).encode(),
                    state::encode_value(&SubscriptionRow {
                        cursor: sub.cursor.clone(),
                    }),
                ));
            }
        }
        for ((space, sender), set) in &self.applied {
            rows.push((
                Key::Applied(*space, *sender).encode(),
                state::encode_value(set),
            ));
        }
        rows.sort();
        rows
    }

    // Inputs.

    fn write(&mut self, id: EnvelopeId, space: SpaceId, content: Content) {
        if self.order_of.contains_key(&id) {
            return;
        }
        let state = self.space(space);
        let seq = state.row.next_seq;
        state.row.next_seq = seq.saturating_add(1);
        Self::count_for_snapshot(state, content.kind);
        let row = state.row.clone();
        self.put(Key::Space(space), &row);

        let pending: BTreeSet<TransportId> = self
            .transports
            .iter()
            .filter(|(_, state)| {
                state.subscriptions.contains_key(&space) || state.routes.contains(&space)
            })
            .map(|(transport, _)| *transport)
            .collect();
        let order = self.next_order;
        self.next_order = order.saturating_add(1);
        let entry = Outgoing {
            id,
            space,
            sender: self.device,
            seq,
            content,
            created: self.now,
        };
        self.put(Key::Outbox(id), &OutboxRow::new(order, &entry));
        for transport in &pending {
            self.put(Key::Pending(*transport, id), &());
        }
        self.order_of.insert(id, order);
        self.outbox.insert(order, Item { entry, pending });
        self.maybe_snapshot(space);
    }

    fn subscribe(&mut self, space: SpaceId, transport: TransportId) {
        let state = self.transports.entry(transport).or_default();
        if state.subscriptions.contains_key(&space) {
            return;
        }
        state.subscriptions.insert(
            space,
            Subscription {
                wanted: true,
                ..Subscription::default()
            },
        );
        self.put(
            Key::Subscription(transport, space),
            &SubscriptionRow {
                cursor: Cursor::start(),
            },
        );
        self.send_waiting(space, transport);
    }

    fn route(&mut self, space: SpaceId, transport: TransportId) {
        let state = self.transports.entry(transport).or_default();
        if state.routes.insert(space) {
            self.send_waiting(space, transport);
        }
    }

    /// What is waiting to be sent in `space` goes through `transport` too.
    fn send_waiting(&mut self, space: SpaceId, transport: TransportId) {
        let mut routed = Vec::new();
        for item in self.outbox.values_mut() {
            if item.entry.space == space && item.pending.insert(transport) {
                routed.push(item.entry.id);
            }
        }
        for id in routed {
            self.put(Key::Pending(transport, id), &());
        }
    }

    fn unsubscribe(&mut self, space: SpaceId, transport: TransportId) {
        let Some(state) = self.transports.get_mut(&transport) else {
            return;
        };
        if state.subscriptions.remove(&space).is_none() {
            return;
        }
        self.delete(Key::Subscription(transport, space));
        // Entries left with nowhere to go wait for the space's next subscription.
        let mut unrouted = Vec::new();
        for item in self.outbox.values_mut() {
            if item.entry.space == space && item.pending.remove(&transport) {
                unrouted.push(item.entry.id);
            }
        }
        for id in unrouted {
            self.delete(Key::Pending(transport, id));
        }
    }

    fn online(&mut self, transport: TransportId) {
        let state = self.transports.entry(transport).or_default();
        if state.online {
            return;
        }
        state.online = true;
        // Retry at once what failed while unreachable; the failure counts stay, so a
        // flapping link still backs off. A log the transport said ends where this device
        // stopped reading is not read again.
        state.push_backoff.until = None;
        for sub in state.subscriptions.values_mut() {
            sub.wanted = sub.head.as_ref() != Some(&sub.cursor);
            sub.backoff.until = None;
        }
        self.event(Event::Online { transport });
    }

    fn page(
        &mut self,
        transport: TransportId,
        space: SpaceId,
        entries: Vec<Entry>,
        next: Cursor,
        head: Cursor,
        remaining: Option<u64>,
    ) {
        let Some(sub) = self.subscription(transport, space) else {
            return;
        };
        if !sub.pulling || sub.page.is_some() {
            // Not an answer to a pull in flight: stale, ignore it.
            return;
        }
        sub.page = Some(Page {
            after: sub.cursor.clone(),
            slots: Vec::with_capacity(entries.len()),
            next,
            head,
            remaining,
        });
        for entry in entries {
            let slot = self.receive(transport, space, entry);
            if let Some(page) = self
                .subscription(transport, space)
                .and_then(|sub| sub.page.as_mut())
            {
                page.slots.push(slot);
            }
        }
        self.progress(transport, space);
        self.settle(transport, space);
    }

    /// Decides what to do with one received entry: apply it, drop it, or try it later.
    fn receive(&mut self, transport: TransportId, space: SpaceId, entry: Entry) -> Slot {
        let (position, header, content) = match entry {
            Entry::Opened {
                position,
                header,
                content,
            } => (position, header, content),
            Entry::Unopened {
                position,
                id,
                refusal,
            } => {
                let state = match refusal {
                    Refusal::Invalid { reason } => {
                        self.actions.push(Action::Drop {
                            transport,
                            space,
                            id,
                            reason: DropReason::Invalid { reason },
                        });
                        SlotState::Settled
                    }
                    Refusal::Later { .. } => SlotState::Later,
                };
                return Slot {
                    id,
                    position,
                    state,
                };
            }
        };
        let id = header.id;
        let settled = |engine: &mut Engine, reason| {
            engine.actions.push(Action::Drop {
                transport,
                space,
                id: Some(id),
                reason,
            });
            Slot {
                id: Some(id),
                position: position.clone(),
                state: SlotState::Settled,
            }
        };
        if header.space != space {
            let reason = "its header names another space than its log".to_owned();
            return settled(self, DropReason::Invalid { reason });
        }
        if header.sender == self.device {
            let state = self.space(space);
            if header.seq < state.row.next_seq {
                return settled(self, DropReason::Own);
            }
            // Written by this device before its state was lost (a restored backup): apply it,
            // and never give its number to a new write.
            state.row.next_seq = header.seq.saturating_add(1);
            let row = state.row.clone();
            self.put(Key::Space(space), &row);
        }
        if self.has_applied(space, header.sender, header.seq) {
            return settled(self, DropReason::AlreadyApplied);
        }
        let key = (space, header.sender, header.seq);
        if self.applying.contains_key(&id) || self.applying_seqs.contains(&key) {
            return settled(self, DropReason::BeingApplied);
        }
        self.applying.insert(
            id,
            Applying {
                transport,
                space,
                sender: header.sender,
                seq: header.seq,
                kind: content.kind,
            },
        );
        self.applying_seqs.insert(key);
        self.actions.push(Action::Apply {
            transport,
            header,
            content,
        });
        Slot {
            id: Some(id),
            position,
            state: SlotState::Waiting,
        }
    }

    fn applied(&mut self, id: EnvelopeId) {
        let Some(applying) = self.applying.remove(&id) else {
            return;
        };
        let Applying {
            transport,
            space,
            sender,
            seq,
            kind,
        } = applying;
        self.applying_seqs.remove(&(space, sender, seq));
        let set = self.applied.entry((space, sender)).or_default();
        set.insert(seq);
        let set = set.clone();
        self.put(Key::Applied(space, sender), &set);

        let own = sender == self.device;
        let state = self.space(space);
        if own {
            state.row.next_seq = state.row.next_seq.max(seq.saturating_add(1));
        }
        Self::count_for_snapshot(state, kind);
        let row = state.row.clone();
        self.put(Key::Space(space), &row);
        self.maybe_snapshot(space);

        self.mark(transport, space, id, SlotState::Settled);
        self.settle(transport, space);
    }

    fn refused(&mut self, id: EnvelopeId, refusal: Refusal) {
        let Some(applying) = self.applying.remove(&id) else {
            return;
        };
        let (transport, space) = (applying.transport, applying.space);
        self.applying_seqs
            .remove(&(space, applying.sender, applying.seq));
        let state = match refusal {
            Refusal::Invalid { reason } => {
                self.actions.push(Action::Drop {
                    transport,
                    space,
                    id: Some(id),
                    reason: DropReason::Invalid { reason },
                });
                SlotState::Settled
            }
            Refusal::Later { .. } => SlotState::Later,
        };
        self.mark(transport, space, id, state);
        self.settle(transport, space);
    }

    fn pull_failed(&mut self, transport: TransportId, space: SpaceId) {
        let (base, cap) = (self.config.backoff_base_ms, self.config.backoff_cap_ms);
        let now = self.now;
        let Some(state) = self.transports.get_mut(&transport) else {
            return;
        };
        let Some(sub) = state.subscriptions.get_mut(&space) else {
            return;
        };
        if sub.pulling && sub.page.is_none() {
            sub.pulling = false;
            sub.wanted = true;
            sub.backoff.fail(now, base, cap, &mut self.jitter);
        }
    }

    fn pushed(&mut self, transport: TransportId, results: Vec<(EnvelopeId, PushOutcome)>) {
        let Some(batch) = self
            .transports
            .get_mut(&transport)
            .and_then(|state| state.pushing.take())
        else {
            return;
        };
        let results: BTreeMap<EnvelopeId, PushOutcome> = results.into_iter().collect();
        let mut failed = false;
        for id in batch {
            match results.get(&id) {
                Some(PushOutcome::Accepted) => self.delivered(transport, id, None),
                Some(PushOutcome::Refused {
                    retryable: false,
                    reason,
                }) => self.delivered(transport, id, Some(reason.clone())),
                Some(PushOutcome::Refused {
                    retryable: true, ..
                })
                | None => failed = true,
            }
        }
        let (base, cap) = (self.config.backoff_base_ms, self.config.backoff_cap_ms);
        if let Some(state) = self.transports.get_mut(&transport) {
            if failed {
                state
                    .push_backoff
                    .fail(self.now, base, cap, &mut self.jitter);
            } else {
                state.push_backoff.succeed();
            }
        }
    }

    /// The entry reached the transport (or was refused by it for good).
    fn delivered(&mut self, transport: TransportId, id: EnvelopeId, rejection: Option<String>) {
        let Some(&order) = self.order_of.get(&id) else {
            return;
        };
        let Some(item) = self.outbox.get_mut(&order) else {
            return;
        };
        if !item.pending.remove(&transport) {
            return;
        }
        let done = item.pending.is_empty();
        self.delete(Key::Pending(transport, id));
        if done {
            self.outbox.remove(&order);
            self.order_of.remove(&id);
            self.delete(Key::Outbox(id));
        }
        self.event(match rejection {
            None => Event::Delivered { transport, id },
            Some(reason) => Event::Rejected {
                transport,
                id,
                reason,
            },
        });
    }

    // The page being applied.

    fn mark(&mut self, transport: TransportId, space: SpaceId, id: EnvelopeId, to: SlotState) {
        let Some(page) = self
            .subscription(transport, space)
            .and_then(|sub| sub.page.as_mut())
        else {
            return;
        };
        if let Some(slot) = page
            .slots
            .iter_mut()
            .find(|slot| slot.id == Some(id) && slot.state == SlotState::Waiting)
        {
            slot.state = to;
        }
    }

    /// Once no envelope of the page is waiting to be applied: moves the cursor past every
    /// settled envelope up to the first one to try later, and decides what to pull next.
    fn settle(&mut self, transport: TransportId, space: SpaceId) {
        let (base, cap) = (self.config.backoff_base_ms, self.config.backoff_cap_ms);
        let now = self.now;
        let Some(sub) = self
            .transports
            .get_mut(&transport)
            .and_then(|state| state.subscriptions.get_mut(&space))
        else {
            return;
        };
        let Some(page) = sub.page.as_ref() else {
            return;
        };
        if page
            .slots
            .iter()
            .any(|slot| slot.state == SlotState::Waiting)
        {
            return;
        }
        let mut cursor = None;
        let mut later = false;
        let mut settled: u64 = 0;
        for slot in &page.slots {
            match slot.state {
                SlotState::Settled => {
                    settled += 1;
                    if !later {
                        cursor = Some(slot.position.clone());
                    }
                }
                SlotState::Later | SlotState::Waiting => later = true,
            }
        }
        if !later {
            cursor = Some(page.next.clone());
        }
        // An empty page that does not move is the end, whatever the head says.
        let stuck = page.slots.is_empty() && page.next == page.after;
        let caught_up = !later && (page.next == page.head || stuck);
        let remaining = page.remaining;
        sub.page = None;
        sub.pulling = false;
        sub.done = sub.done.saturating_add(settled);
        if later {
            sub.wanted = true;
            sub.backoff.fail(now, base, cap, &mut self.jitter);
        } else {
            sub.backoff.succeed();
            if !caught_up {
                sub.wanted = true;
            }
        }
        let moved = cursor.filter(|cursor| *cursor != sub.cursor);
        if let Some(cursor) = &moved {
            sub.cursor = cursor.clone();
        }
        let done = sub.done;
        if caught_up {
            sub.done = 0;
        }
        if let Some(cursor) = moved {
            self.put(
                Key::Subscription(transport, space),
                &SubscriptionRow { cursor },
            );
        }
        self.event(Event::Progress {
            transport,
            space,
            done,
            total: if caught_up {
                Some(done)
            } else {
                remaining.map(|remaining| done.saturating_add(remaining))
            },
        });
        if caught_up {
            self.event(Event::Synced {
                transport,
                space,
                at: now,
            });
        }
    }

    fn progress(&mut self, transport: TransportId, space: SpaceId) {
        let Some(sub) = self.subscription(transport, space) else {
            return;
        };
        let Some(page) = sub.page.as_ref() else {
            return;
        };
        let in_page = u64::try_from(page.slots.len()).unwrap_or(u64::MAX);
        let event = Event::Progress {
            transport,
            space,
            done: sub.done,
            total: page
                .remaining
                .map(|remaining| sub.done.saturating_add(in_page).saturating_add(remaining)),
        };
        self.event(event);
    }

    // What to start now.

    fn pump(&mut self) {
        let transports: Vec<TransportId> = self.transports.keys().copied().collect();
        for transport in transports {
            self.pump_push(transport);
            self.pump_pulls(transport);
        }
    }

    fn pump_push(&mut self, transport: TransportId) {
        let now = self.now;
        let Some(state) = self.transports.get_mut(&transport) else {
            return;
        };
        if !state.online || state.pushing.is_some() || !state.push_backoff.ready(now) {
            return;
        }
        let max_count = self.config.max_batch_count.max(1);
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        // Oldest first, without skipping: a sender's envelopes reach a transport in order.
        for item in self.outbox.values() {
            if !item.pending.contains(&transport) {
                continue;
            }
            let size = item.entry.content.body.len();
            if !batch.is_empty()
                && (batch.len() >= max_count
                    || bytes.saturating_add(size) > self.config.max_batch_bytes)
            {
                break;
            }
            bytes = bytes.saturating_add(size);
            batch.push(item.entry.clone());
        }
        if batch.is_empty() {
            return;
        }
        state.push_backoff.until = None;
        state.pushing = Some(batch.iter().map(|entry| entry.id).collect());
        self.actions.push(Action::Push { transport, batch });
    }

    fn pump_pulls(&mut self, transport: TransportId) {
        let now = self.now;
        let Some(state) = self.transports.get_mut(&transport) else {
            return;
        };
        if !state.online {
            return;
        }
        let mut in_flight = state
            .subscriptions
            .values()
            .filter(|sub| sub.pulling)
            .count();
        for (space, sub) in &mut state.subscriptions {
            if in_flight >= self.config.max_pulls_in_flight.max(1) {
                break;
            }
            if sub.pulling || !sub.wanted || !sub.backoff.ready(now) {
                continue;
            }
            sub.pulling = true;
            sub.wanted = false;
            sub.backoff.until = None;
            in_flight += 1;
            self.actions.push(Action::Pull {
                transport,
                space: *space,
                after: sub.cursor.clone(),
            });
        }
    }

    /// Collects the writes (first), the actions, the pending count if it changed and the
    /// next wake-up if it changed.
    fn finish(&mut self) -> Vec<Action> {
        let pending = self.outbox.len();
        if self.shown_pending != Some(pending) {
            self.shown_pending = Some(pending);
            self.event(Event::Pending { count: pending });
        }
        let wake = self.next_wake();
        if let Some(at) = wake
            && wake != self.asked_wake
        {
            self.actions.push(Action::WakeAt(at));
        }
        self.asked_wake = wake;

        let mut out = Vec::with_capacity(self.actions.len() + 1);
        if !self.writes.is_empty() {
            let writes = std::mem::take(&mut self.writes)
                .into_iter()
                .map(|(key, value)| match value {
                    Some(value) => Write::Put { key, value },
                    None => Write::Delete { key },
                })
                .collect();
            out.push(Action::Persist(writes));
        }
        out.append(&mut self.actions);
        out
    }

    /// The earliest retry the engine waits for, on reachable transports.
    pub fn next_wake(&self) -> Option<Time> {
        let now = self.now;
        self.transports
            .values()
            .filter(|state| state.online)
            .flat_map(|state| {
                let push = if state.pushing.is_none() {
                    state.push_backoff.wake(now)
                } else {
                    None
                };
                let pulls = state
                    .subscriptions
                    .values()
                    .filter(|sub| sub.wanted && !sub.pulling)
                    .filter_map(move |sub| sub.backoff.wake(now));
                push.into_iter().chain(pulls)
            })
            .min()
    }

    // Helpers.

    fn space(&mut self, space: SpaceId) -> &mut SpaceState {
        self.spaces.entry(space).or_insert_with(|| SpaceState {
            row: SpaceRow {
                next_seq: 1,
                since_snapshot: 0,
            },
            snapshot_asked: false,
        })
    }

    fn subscription(
        &mut self,
        transport: TransportId,
        space: SpaceId,
    ) -> Option<&mut Subscription> {
        self.transports
            .get_mut(&transport)?
            .subscriptions
            .get_mut(&space)
    }

    fn count_for_snapshot(state: &mut SpaceState, kind: ContentKind) {
        if is_snapshot(kind) {
            state.row.since_snapshot = 0;
            state.snapshot_asked = false;
        } else {
            state.row.since_snapshot = state.row.since_snapshot.saturating_add(1);
        }
    }

    fn maybe_snapshot(&mut self, space: SpaceId) {
        let every = self.config.snapshot_every;
        let state = self.space(space);
        if every > 0 && state.row.since_snapshot >= every && !state.snapshot_asked {
            state.snapshot_asked = true;
            self.actions.push(Action::Snapshot { space });
        }
    }

    fn put<T: serde::Serialize>(&mut self, key: Key, value: &T) {
        if let Write::Put { key, value } = state::put(key, value) {
            self.writes.insert(key, Some(value));
        }
    }

    fn delete(&mut self, key: Key) {
        self.writes.insert(key.encode(), None);
    }

    fn event(&mut self, event: Event) {
        self.actions.push(Action::Event(event));
    }
}
