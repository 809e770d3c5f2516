//! Drafts through spaces: a draft shared into a space travels to its members first as the
//! whole automerge document, compacted (a snapshot), then as the change sets made since this
//! replica last sent it there (signed and sealed in envelopes like any content), and comes
//! back merged. Merging is idempotent, so a change received twice, or one already merged,
//! changes nothing; every step of the clearance log inside is checked on each replica as it is
//! from the exchange folder (signatures, the circuit, the release against the text). When
//! devices are added to a space, its drafts go whole again at the next sync, so that a
//! newcomer who cannot read the space's history still gets them.
//!
//! Which drafts go where, and the heads this replica last sent each space, are kept in the
//! profile's encrypted settings (`sync.drafts`). At each sync, a draft whose heads moved since
//! it was last sent to a space goes again, as the changes since.

use std::collections::BTreeMap;

use diplomatie_protocol::{Content, ContentKind, SpaceId};

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
        let mut writes = Vec::new();
        for (draft, spaces) in &mut shared {
            let heads = self.draft_heads(draft)?;
            for (space, sent) in spaces.iter_mut() {
                if *sent == heads {
                    continue;
                }
                let Some(space_id) = SpaceId::from_hex(space) else {
                    continue;
                };
                // What the space lacks since it was last sent; the whole draft the first time,
                // or when this replica does not hold what was sent (a store restored).
                let content = match self.export_draft_changes(draft, sent)? {
                    Some(body) => Content {
                        kind: ContentKind::DraftChanges,
                        body,
                    },
                    None => Content {
                        kind: ContentKind::DraftSnapshot,
                        body: self.export_draft(draft)?,
                    },
                };
                writes.push((space_id, content));
                sent.clone_from(&heads);
            }
        }
        if !writes.is_empty() {
            self.persist(&self.outbox_writes(&writes)?)?;
            self.save_shared_drafts(&shared)?;
        }
        Ok(writes.len())
    }

    /// The drafts shared into space `space` go whole at the next sync (devices were added to
    /// it).
    pub(crate) fn resend_drafts_whole(&self, space: &SpaceId) -> Result<(), ClientError> {
        let mut shared = self.shared_drafts()?;
        let mut changed = false;
        for spaces in shared.values_mut() {
            if let Some(sent) = spaces.get_mut(&space.hex()) {
                sent.clear();
                changed = true;
            }
        }
        if changed {
            self.save_shared_drafts(&shared)?;
        }
        Ok(())
    }

    /// Merges a draft received in space `space` (whole, or a change set), and keeps the draft
    /// shared there. What this replica sent the space stays as it was: its next change set
    /// starts where its last one ended, so every change it sends depends only on changes it
    /// sent before (which every member read before it, whatever order a carrier gives senders
    /// in), at the cost of sending on, once, the changes it received.
    pub(crate) fn receive_draft(
        &self,
        space: SpaceId,
        packet: &[u8],
    ) -> Result<crate::drafting::DraftReceived, ClientError> {
        let (id, _) = crate::drafting::parse_packet(packet)?;
        let received = self.import_draft(packet)?;
        let mut shared = self.shared_drafts()?;
        let spaces = shared.entry(id).or_default();
        if let std::collections::btree_map::Entry::Vacant(entry) = spaces.entry(space.hex()) {
            entry.insert(Vec::new());
            self.save_shared_drafts(&shared)?;
        }
        Ok(received)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use diplomatie_domain::ItemKind;
    use diplomatie_draft::FieldName;
    use diplomatie_testkit::{FAST_KDF, PASSPHRASE, POST, temp_dir};

    use super::*;
    use crate::InitOptions;
    use crate::drafting::DraftEdit;
    use crate::spaces::SpaceKind;

    /// The kinds and sizes of what waits in the outbox for `space`, oldest first.
    fn queued(profile: &Profile, space: SpaceId) -> Vec<(ContentKind, usize)> {
        profile
            .engine()
            .unwrap()
            .outbox()
            .filter(|o| o.space == space)
            .map(|o| (o.content.kind, o.content.body.len()))
            .collect()
    }

    #[test]
    fn a_shared_draft_goes_whole_once_then_as_its_changes_and_whole_again_for_newcomers() {
        let tmp = temp_dir();
        let alice = Profile::init(
            &tmp.path().join("alice"),
            PASSPHRASE,
            InitOptions {
                role: String::new(),
                name: "Alice Martin".into(),
                org: POST.into(),
                email: None,
                kdf_cost: Some(FAST_KDF),
            },
        )
        .unwrap();
        let made = alice
            .create_space("Circuit", SpaceKind::Circuit, false)
            .unwrap();
        let space = SpaceId::from_hex(&made.id).unwrap();
        let draft = alice.create_draft(ItemKind::Telegram).unwrap().id;
        for text in ["Visite du ministre lundi. ", "Programme à confirmer. "] {
            alice
                .edit_draft(
                    &draft,
                    &[DraftEdit::SpliceField {
                        field: FieldName::Summary,
                        pos: 0,
                        delete: 0,
                        insert: text.repeat(20),
                    }],
                )
                .unwrap();
        }
        alice.share_draft(&draft, "Circuit").unwrap();
        let first = queued(&alice, space);
        let whole = first.last().copied().unwrap();
        assert_eq!(whole.0, ContentKind::DraftSnapshot, "{first:?}");

        // One word more: only what the space lacks goes.
        alice
            .edit_draft(
                &draft,
                &[DraftEdit::SpliceField {
                    field: FieldName::Summary,
                    pos: 0,
                    delete: 0,
                    insert: "Urgent. ".into(),
                }],
            )
            .unwrap();
        assert_eq!(alice.queue_draft_updates().unwrap(), 1);
        let (kind, len) = queued(&alice, space).last().copied().unwrap();
        assert_eq!(kind, ContentKind::DraftChanges);
        assert!(
            len < whole.1 / 2,
            "a change set of {len} bytes, the draft {}",
            whole.1
        );
        // Nothing new: nothing goes.
        assert_eq!(alice.queue_draft_updates().unwrap(), 0);

        // Devices added to the space: the draft goes whole again.
        alice.resend_drafts_whole(&space).unwrap();
        assert_eq!(alice.queue_draft_updates().unwrap(), 1);
        let (kind, _) = queued(&alice, space).last().copied().unwrap();
        assert_eq!(kind, ContentKind::DraftSnapshot);
    }
}
