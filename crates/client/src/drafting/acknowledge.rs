//! Acknowledgements ("accusé de réception"): an addressee for action says a released text was
//! read and taken into account. The acknowledgement is a step of the released draft's log,
//! signed by the addressee's device under its own context (`diplomatie/acknowledgement/v1`),
//! so it reaches the drafter and the approver the way the release reached the addressee, and
//! every replica shows who acknowledged (as it knows them) and when.

use diplomatie_domain::Route;
use diplomatie_draft::LoggedStep;
use diplomatie_protocol::IdentityKey;
use diplomatie_store::AuditAction;
use serde::Serialize;

use super::{Seal, replay};
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

impl Profile {
    /// Acknowledges a released text addressed to this person for action, signed by this
    /// device; returns every acknowledgement of it. Acknowledging twice changes nothing.
    pub fn acknowledge(&self, id_or_prefix: &str) -> Result<Vec<AcknowledgementView>, ClientError> {
        let id = self.resolve_id(id_or_prefix)?;
        let stored = self
            .store()
            .get_item(id)?
            .ok_or_else(|| ClientError::NotFound(id_or_prefix.to_owned()))?;
        if stored.route != Some(Route::Action) {
            return Err(ClientError::Acknowledge(
                "only an addressee for action acknowledges an item, and this one is not addressed to you for action".into(),
            ));
        }
        let draft = id.to_string();
        if self.store().get_draft(&draft)?.is_none() {
            return Err(ClientError::Acknowledge(
                "this item did not arrive as a released text of a draft: it has no one to acknowledge it to yet".into(),
            ));
        }
        let mut l = self.load_draft(&draft)?;
        let replayed = replay(&draft, &mut l.doc);
        if replayed.release.is_none() {
            return Err(ClientError::Acknowledge(
                "this text is not released: only a released text is acknowledged".into(),
            ));
        }
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
        replay(&draft, &mut l.doc)
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
    pub fn acknowledged_by_me(&self, id: diplomatie_domain::ItemId) -> Result<bool, ClientError> {
        Ok(self
            .acknowledgements(&id.to_string())?
            .iter()
            .any(|a| a.seal == Seal::Own))
    }
}
