//! Acknowledgements ("accusé de réception"): an addressee for action says a released text was
//! read and taken into account. The acknowledgement is a step of the released draft's log,
//! signed by the addressee's device under its own context (`diplomatie/acknowledgement/v1`),
//! so it reaches the drafter and the approver the way the release reached the addressee, and
//! every replica shows who acknowledged (as it knows them) and when.

use diplomatie_domain::{ItemId, Route};
use diplomatie_draft::LoggedStep;
use diplomatie_protocol::IdentityKey;
use diplomatie_store::AuditAction;
use serde::Serialize;

use super::Seal;
use crate::{ClientError, Profile};

/// An acknowledgement as the app and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcknowledgementView {
    /// The name the addressee gave.
    pub name: String,
    /// The first 16 hex digits of the identity key that signed.
    pub identity_short: String,
    /// The signing device (its id, hex).
    pub device: String,
    /// RFC 3339.
    pub at: String,
    /// Who signed, as this profile knows them.
    pub seal: Seal,
}

/// Where an item stands for acknowledgement, for this person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AcknowledgementStanding {
    /// It is the released text of a draft held here: it has acknowledgements.
    pub released: bool,
    /// And it is addressed to this person for action: they are the one to acknowledge it
    /// (and a Flash is reminded until they do).
    pub for_action: bool,
}

impl Profile {
    /// Where item `id` stands: a released text or not, for action to this person or not.
    pub fn acknowledgement_standing(
        &self,
        id: ItemId,
    ) -> Result<AcknowledgementStanding, ClientError> {
        let draft = id.to_string();
        let released = self.store().get_draft(&draft)?.is_some() && {
            let mut l = self.load_draft(&draft)?;
            self.replay_log(&draft, &mut l.doc).release.is_some()
        };
        let for_action = released
            && self
                .store()
                .summary(id)?
                .is_some_and(|s| s.route == Some(Route::Action));
        Ok(AcknowledgementStanding {
            released,
            for_action,
        })
    }

    /// Acknowledges a released text addressed to this person for action, signed by this
    /// device; returns every acknowledgement of it. Acknowledging twice changes nothing.
    pub fn acknowledge(&self, id_or_prefix: &str) -> Result<Vec<AcknowledgementView>, ClientError> {
        let id = self.resolve_id(id_or_prefix)?;
        let stored = self
            .store()
            .get_item(id)?
            .ok_or_else(|| ClientError::NotFound(id_or_prefix.to_owned()))?;
        let standing = self.acknowledgement_standing(id)?;
        if !standing.released {
            return Err(ClientError::Acknowledge(
                "this item is not the released text of a draft held here: only a released text is acknowledged".into(),
            ));
        }
        if !standing.for_action {
            return Err(ClientError::Acknowledge(
                "only an addressee for action acknowledges an item, and this one is not addressed to you for action".into(),
            ));
        }
        let draft = id.to_string();
        let mut l = self.load_draft(&draft)?;
        let replayed = self.replay_log(&draft, &mut l.doc);
        let mine = self.own().key.hex();
        if !replayed
            .acknowledgements
            .iter()
            .any(|a| a.signer.identity == mine)
        {
            self.append_step(&mut l.doc, &draft, &self.me(), LoggedStep::Acknowledge)?;
            let audit = self.audit(AuditAction::ItemAcknowledged, Some(id), "acknowledged");
            self.save_draft(&mut l, &[audit])?;
            if !stored.read {
                self.set_read(id, true)?;
            }
        }
        self.acknowledgements(&draft)
    }

    /// The acknowledgements of a released text, in the order they were given; none for an item
    /// that did not come from a draft.
    pub fn acknowledgements(
        &self,
        id_or_prefix: &str,
    ) -> Result<Vec<AcknowledgementView>, ClientError> {
        let draft = self.resolve_id(id_or_prefix)?.to_string();
        if self.store().get_draft(&draft)?.is_none() {
            return Ok(Vec::new());
        }
        let mut l = self.load_draft(&draft)?;
        self.replay_log(&draft, &mut l.doc)
            .acknowledgements
            .into_iter()
            .map(|a| {
                let identity = IdentityKey::from_hex(&a.signer.identity);
                Ok(AcknowledgementView {
                    name: a.name,
                    identity_short: identity.map(|i| i.short()).unwrap_or_default(),
                    device: a.signer.device,
                    at: a.at,
                    seal: self.seal_of(identity)?,
                })
            })
            .collect()
    }

    /// Whether this person acknowledged the released text `id` (a Flash is notified again
    /// until they do).
    pub fn acknowledged_by_me(&self, id: ItemId) -> Result<bool, ClientError> {
        Ok(self
            .acknowledgements(&id.to_string())?
            .iter()
            .any(|a| a.seal == Seal::Own))
    }
}
