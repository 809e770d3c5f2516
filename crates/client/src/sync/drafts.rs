//! Drafts through spaces: a draft shared into a space travels to its members as the whole
//! automerge document (signed and sealed in an envelope like any content), and comes back
//! merged. Merging is idempotent, so a copy received twice, or one already merged, changes
//! nothing; every step of the clearance log inside is checked on each replica as it is from
//! the exchange folder (signatures, the circuit, the release against the text).
//!
//! Which drafts go where, and the heads each space was last sent, are kept in the profile's
//! encrypted settings (`sync.drafts`). At each sync, a draft whose heads moved since it was
//! last sent to a space is sent again; a draft received records the heads its sender had, so
//! that only what this replica adds goes back.

use std::collections::BTreeMap;

use diplomatie_protocol::{Content, ContentKind, EnvelopeId, SpaceId};
use diplomatie_sync::{Action, Input};

use super::now;
use crate::drafting::DraftDoc;
use crate::{ClientError, Profile};

/// The profile setting: draft id → space id (hex) → the heads last sent there.
const SHARED_DRAFTS: &str = "sync.drafts";

type Shared = BTreeMap<String, BTreeMap<String, Vec<String>>>;

impl Profile {
    fn shared_drafts(&self) -> Result<Shared, ClientError> {
        match self.store().get_meta(SHARED_DRAFTS)? {
            None => Ok(Shared::new()),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|_| {
                ClientError::Relay("the list of drafts shared in spaces is unreadable".into())
            }),
        }
    }

    fn save_shared_drafts(&self, shared: &Shared) -> Result<(), ClientError> {
        let bytes = serde_json::to_vec(shared).map_err(|e| ClientError::Relay(e.to_string()))?;
        Ok(self.store().put_meta(SHARED_DRAFTS, &bytes)?)
    }

    /// Shares draft `id` into space `which`: its members receive it at the next sync, and
    /// every change made to it since, from here or from them, travels the same way.
    pub fn share_draft(&self, id: &str, which: &str) -> Result<(), ClientError> {
        let space = SpaceId(self.find_space(which)?.id);
        let id = id.trim().to_owned();
        self.draft_heads(&id)?;
        let mut shared = self.shared_drafts()?;
        shared
            .entry(id)
            .or_default()
            .entry(space.hex())
            .or_default();
        self.save_shared_drafts(&shared)?;
        self.queue_draft_updates()?;
        Ok(())
    }

    /// The spaces draft `id` is shared into.
    pub fn draft_spaces(&self, id: &str) -> Result<Vec<String>, ClientError> {
        Ok(self
            .shared_drafts()?
            .get(id.trim())
            .map(|spaces| spaces.keys().cloned().collect())
            .unwrap_or_default())
    }

    /// Puts in the outbox every shared draft whose heads moved since it was last sent to its
    /// space. Returns how many went in.
    pub(crate) fn queue_draft_updates(&self) -> Result<usize, ClientError> {
        let mut shared = self.shared_drafts()?;
        let mut queued = 0;
        let mut engine = None;
        for (draft, spaces) in &mut shared {
            let heads = self.draft_heads(draft)?;
            for (space, sent) in spaces.iter_mut() {
                if *sent == heads {
                    continue;
                }
                let Some(space_id) = SpaceId::from_hex(space) else {
                    continue;
                };
                let engine = match &mut engine {
                    Some(engine) => engine,
                    None => engine.insert(self.engine()?),
                };
                let actions = engine.handle(
                    now(),
                    Input::Write {
                        id: EnvelopeId::random()?,
                        space: space_id,
                        content: Content {
                            kind: ContentKind::DraftSnapshot,
                            body: self.export_draft(draft)?,
                        },
                    },
                );
                for action in actions {
                    if let Action::Persist(writes) = action {
                        self.persist(&writes)?;
                    }
                }
                sent.clone_from(&heads);
                queued += 1;
            }
        }
        if queued > 0 {
            self.save_shared_drafts(&shared)?;
        }
        Ok(queued)
    }

    /// Merges a draft received in space `space`, and remembers that the space has it as its
    /// sender had it.
    pub(crate) fn receive_draft(
        &self,
        space: SpaceId,
        packet: &[u8],
    ) -> Result<crate::drafting::DraftReceived, ClientError> {
        let (id, bytes) = crate::drafting::parse_packet(packet)?;
        let sender_heads = DraftDoc::load(bytes, &crate::drafting::fresh_actor())?.heads();
        let received = self.import_draft(packet)?;
        let mut shared = self.shared_drafts()?;
        shared
            .entry(id)
            .or_default()
            .insert(space.hex(), sender_heads);
        self.save_shared_drafts(&shared)?;
        Ok(received)
    }
}
