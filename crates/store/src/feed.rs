//! Noticing new items: every item has an increasing sequence number, so a reader that remembers
//! the last one it saw can ask for what arrived since, whichever process wrote it.

use rusqlite::types::Value;

use diplomatie_domain::ItemId;

use crate::store::SUMMARY_COLUMNS;
use crate::{ItemSummary, Store, StoreError};

/// At most this many items come back from one `items_after` call.
pub const FEED_PAGE: u32 = 500;

impl Store {
    /// The sequence number of the newest item (0 when the store is empty).
    pub fn latest_seq(&self) -> Result<u64, StoreError> {
        self.call(|conn| {
            let seq: i64 =
                conn.query_row("SELECT coalesce(max(seq), 0) FROM items", [], |r| r.get(0))?;
            Ok(u64::try_from(seq).unwrap_or(0))
        })
    }

    /// The list line of one item.
    pub fn summary(&self, id: ItemId) -> Result<Option<ItemSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM items i WHERE i.id = ?");
        let mut rows = self.summaries(&sql, vec![Value::Blob(id.as_bytes().to_vec())])?;
        Ok(rows.pop())
    }

    /// The items stored after sequence number `seq`, oldest first, at most `FEED_PAGE`, each
    /// with its own sequence number.
    pub fn items_after(&self, seq: u64) -> Result<Vec<(u64, ItemSummary)>, StoreError> {
        let seqs: Vec<i64> = self.call(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT seq FROM items WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
            let rows = stmt
                .query_map(
                    rusqlite::params![i64::try_from(seq).unwrap_or(i64::MAX), FEED_PAGE],
                    |r| r.get(0),
                )?
                .collect::<Result<Vec<i64>, _>>()?;
            Ok(rows)
        })?;
        let (Some(first), Some(last)) = (seqs.first(), seqs.last()) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM items i WHERE i.seq BETWEEN ? AND ? ORDER BY i.seq"
        );
        let summaries =
            self.summaries(&sql, vec![Value::Integer(*first), Value::Integer(*last)])?;
        Ok(seqs
            .iter()
            .map(|s| u64::try_from(*s).unwrap_or(0))
            .zip(summaries)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use diplomatie_domain::{FormalEmail, Item, ItemContent, ItemId, Mailbox, Marking, Precedence};
    use time::OffsetDateTime;
    use uuid::Uuid;

    use crate::{AuditAction, AuditRecord, NewItem, Store};

    fn email(subject: &str) -> Item {
        let now = OffsetDateTime::now_utc();
        Item {
            id: ItemId::from_uuid(Uuid::now_v7()),
            received_at: now,
            deadline: None,
            content: ItemContent::FormalEmail(FormalEmail {
                from: Mailbox::parse("alice@example.org").unwrap(),
                to: vec![Mailbox::parse("bob@example.org").unwrap()],
                cc: Vec::new(),
                date: now,
                message_id: None,
                in_reply_to: Vec::new(),
                references: Vec::new(),
                subject: subject.to_owned(),
                body: "corps".to_owned(),
                attachments: Vec::new(),
                marking: Marking::NonProtege,
                precedence: Precedence::Routine,
            }),
            language: None,
        }
    }

    #[test]
    fn items_after_returns_only_newer_items_in_order_and_sees_other_connections() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "feed test passphrase", crate::KdfCost::MIN).unwrap();
        assert_eq!(store.latest_seq().unwrap(), 0);
        assert!(store.items_after(0).unwrap().is_empty());
        let audit = AuditRecord::new("alice", AuditAction::ItemComposed);
        let first = email("premier");
        store.put_item(&NewItem::new(&first), &audit).unwrap();
        let mark = store.latest_seq().unwrap();
        assert!(mark > 0);

        // A second connection (another process in real life, such as the CLI) adds two items.
        let other = Store::open(dir.path(), "feed test passphrase").unwrap();
        let second = email("deuxième");
        let third = email("troisième");
        other.put_item(&NewItem::new(&second), &audit).unwrap();
        other.put_item(&NewItem::new(&third), &audit).unwrap();

        let news = store.items_after(mark).unwrap();
        let ids: Vec<ItemId> = news.iter().map(|(_, s)| s.id).collect();
        assert_eq!(ids, vec![second.id, third.id]);
        assert!(news.iter().all(|(seq, _)| *seq > mark));
        assert!(news.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(store.latest_seq().unwrap(), news.last().unwrap().0);
        assert!(
            store
                .items_after(store.latest_seq().unwrap())
                .unwrap()
                .is_empty()
        );
    }
}
