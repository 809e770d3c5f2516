//! The acknowledgement commands ("accusé de réception": read and taken into account). An
//! addressee for action acknowledges a released text; the acknowledgement is a signed step of
//! the released draft's log (the client's `drafting/acknowledge.rs` holds the rules), so it
//! goes through the drafts worker like every other change of a draft and is written to the
//! exchange folder at once, where the drafter's and the approver's replicas collect it.

use diplomatie_client::drafting::{AcknowledgementStanding, AcknowledgementView};
use diplomatie_client::schedule::DraftChange;
use diplomatie_client::{ItemSummary, Profile};
use diplomatie_domain::ItemId;

use crate::command::{Shared, blocking, parse_id};
use crate::dto::*;
use crate::error::CommandError;
use crate::map;

/// Whether this user is the one to acknowledge `item`: a released text addressed to them for
/// action (the client's rule). Its Flash reminders then go on until they acknowledge it.
pub fn acknowledgeable(profile: &Profile, item: &ItemSummary) -> bool {
    profile
        .acknowledgement_standing(item.id)
        .map(|s| s.for_action)
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not tell whether an item is a released text");
            false
        })
}

/// The page's view of an item's acknowledgements.
fn dto(
    standing: AcknowledgementStanding,
    list: &[AcknowledgementView],
    publish_error: Option<String>,
) -> AcknowledgementsDto {
    let acknowledgements: Vec<AcknowledgementDto> = list.iter().map(map::acknowledgement).collect();
    let acknowledged_at = acknowledgements
        .iter()
        .find(|a| a.seal == SealDto::Own)
        .map(|a| a.at.clone());
    AcknowledgementsDto {
        released: standing.released,
        for_action: standing.for_action,
        acknowledged_at,
        acknowledgements,
        publish_error,
    }
}

/// The acknowledgements an acknowledge returned, and the draft it changed (the released
/// text's draft has the item's id).
struct Acknowledged {
    item: ItemId,
    list: Vec<AcknowledgementView>,
}

impl DraftChange for Acknowledged {
    fn draft_id(&self) -> String {
        self.item.to_string()
    }
}

/// Acknowledges a released text addressed to this user for action, signed by this device,
/// and writes it to the exchange folder; ends its Flash reminders. Acknowledging twice
/// changes nothing. A user who is not an addressee for action, or an item that is not a
/// released text, is refused (`acknowledge_refused`, in the client's words).
#[tauri::command]
#[specta::specta]
pub async fn acknowledge(
    state: Shared<'_>,
    item: String,
) -> Result<AcknowledgementsDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let id = parse_id(&item)?;
        let done = session.change_draft(|p| {
            Ok(Acknowledged {
                item: id,
                list: p.acknowledge(&id.to_string())?,
            })
        })?;
        session.acknowledged(id);
        tracing::info!("a released text acknowledged");
        let standing = session.profile.acknowledgement_standing(id)?;
        Ok(dto(standing, &done.value.list, done.publish_error))
    })
    .await
}

/// Who acknowledged an item, and when, as this profile knows them; whether this user is the
/// one to acknowledge it, and when they did. Nothing for an item that is not a released text.
#[tauri::command]
#[specta::specta]
pub async fn acknowledgements(
    state: Shared<'_>,
    item: String,
) -> Result<AcknowledgementsDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let id = parse_id(&item)?;
        let profile = &session.profile;
        let standing = profile.acknowledgement_standing(id)?;
        if !standing.released {
            return Ok(dto(standing, &[], None));
        }
        let list = profile.acknowledgements(&id.to_string())?;
        Ok(dto(standing, &list, None))
    })
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use diplomatie_client::drafting::Seal;

    use super::*;

    fn view(name: &str, seal: Seal, at: &str) -> AcknowledgementView {
        AcknowledgementView {
            name: name.into(),
            identity_short: "0011223344556677".into(),
            device: "8899aabbccddeeff0011223344556677".into(),
            at: at.into(),
            seal,
        }
    }

    #[test]
    fn the_page_learns_whether_the_user_acknowledges_and_when_they_did() {
        let eric = view(
            "Éric Roux",
            Seal::Contact {
                name: "Éric Roux".into(),
                verified: true,
            },
            "2026-12-07T10:00:00Z",
        );
        let me = view("Alice", Seal::Own, "2026-12-07T11:00:00Z");
        let standing = |released, for_action| AcknowledgementStanding {
            released,
            for_action,
        };
        // The drafter's replica: Éric's acknowledgement, nothing for her to acknowledge.
        let drafter = dto(standing(true, false), std::slice::from_ref(&eric), None);
        assert!(drafter.released && !drafter.for_action);
        assert_eq!(drafter.acknowledged_at, None);
        assert_eq!(drafter.acknowledgements.len(), 1);
        assert_eq!(drafter.acknowledgements[0].device_short, "8899aabbccddeeff");
        // An addressee for action who acknowledged: when, from their own signed step.
        let addressee = dto(standing(true, true), &[eric, me], None);
        assert!(addressee.for_action);
        assert_eq!(
            addressee.acknowledged_at.as_deref(),
            Some("2026-12-07T11:00:00Z")
        );
        // Whether the user is the one to acknowledge is the client's answer, passed on.
        assert!(!dto(standing(true, false), &[], None).for_action);
        assert!(!dto(standing(false, false), &[], None).released);
    }
}
