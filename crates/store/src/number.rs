//! Finding an item by the number written on it, as references quote it.

use diplomatie_domain::ItemId;
use rusqlite::OptionalExtension;

use crate::store::id_from_blob;
use crate::{Store, StoreError};

impl Store {
    /// The item whose number a reference label quotes: the label is the number itself
    /// (`BERLIN 2026-0042`) or ends with it after a space (`TD BERLIN 2026-0042`,
    /// `Note verbale n° Ambassade/2026/0007`). The most recent such item when several match.
    pub fn find_by_number(&self, label: &str) -> Result<Option<ItemId>, StoreError> {
        let label = label.trim();
        if label.is_empty() {
            return Ok(None);
        }
        let blob: Option<Vec<u8>> = self.call(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id FROM items WHERE number IS NOT NULL \
                     AND (number = ?1 OR substr(?1, -length(number) - 1) = ' ' || number) \
                     ORDER BY written_at DESC LIMIT 1",
                )?
                .query_row([label], |r| r.get(0))
                .optional()?)
        })?;
        blob.map(|b| id_from_blob(&b)).transpose()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use diplomatie_domain::{
        Addressee, Item, ItemContent, ItemId, Marking, Paragraph, Precedence, Telegram,
        TelegramNumber,
    };
    use time::OffsetDateTime;
    use uuid::Uuid;

    use crate::{AuditAction, AuditRecord, NewItem, Store};

    fn telegram(serial: u32) -> Item {
        let now = OffsetDateTime::now_utc();
        Item {
            id: ItemId::from_uuid(Uuid::now_v7()),
            received_at: now,
            deadline: None,
            content: ItemContent::Telegram(Telegram {
                number: Some(TelegramNumber {
                    post: "BERLIN".into(),
                    year: 2026,
                    serial,
                }),
                dtg: now,
                origin: "BERLIN".into(),
                action: vec![Addressee::Unit("DFAE".into())],
                info: Vec::new(),
                subject: "objet".into(),
                tags: Vec::new(),
                references: Vec::new(),
                summary: String::new(),
                paragraphs: vec![Paragraph {
                    marking: Marking::NonProtege,
                    text: "texte".into(),
                }],
                drafter: "alice".into(),
                clearers: Vec::new(),
                approver: None,
                precedence: Precedence::Routine,
                justification: None,
                marking: Marking::NonProtege,
                caveats: Vec::new(),
            }),
            language: None,
        }
    }

    #[test]
    fn a_reference_label_finds_the_item_it_quotes() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::create(dir.path(), "number test passphrase", crate::KdfCost::MIN).unwrap();
        let audit = AuditRecord::new("alice", AuditAction::ItemComposed);
        let t42 = telegram(42);
        let t7 = telegram(7);
        store.put_item(&NewItem::new(&t42), &audit).unwrap();
        store.put_item(&NewItem::new(&t7), &audit).unwrap();
        assert_eq!(
            store.find_by_number("BERLIN 2026-0042").unwrap(),
            Some(t42.id)
        );
        assert_eq!(
            store.find_by_number("TD BERLIN 2026-0007").unwrap(),
            Some(t7.id)
        );
        assert_eq!(
            store.find_by_number(" TD BERLIN 2026-0007 ").unwrap(),
            Some(t7.id)
        );
        assert_eq!(store.find_by_number("TD BERLIN 2026-0043").unwrap(), None);
        assert_eq!(store.find_by_number("XBERLIN 2026-0042").unwrap(), None);
        assert_eq!(store.find_by_number("").unwrap(), None);
    }
}
