//! What arrived since a reader last looked, whichever process stored it (an import here, the
//! `diplo` CLI beside the app, later the sync engine).

use diplomatie_store::ItemSummary;

use crate::{ClientError, Profile};

/// A position in the profile's stream of arrivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct FeedCursor(u64);

impl Profile {
    /// The cursor just after the newest item: what arrives later will be "new".
    pub fn feed_cursor(&self) -> Result<FeedCursor, ClientError> {
        Ok(FeedCursor(self.store().latest_seq()?))
    }

    /// The items stored after `cursor`, oldest first (a bounded batch), and the cursor after
    /// them. Call again with the new cursor until the batch comes back empty.
    pub fn arrivals_since(
        &self,
        cursor: FeedCursor,
    ) -> Result<(Vec<ItemSummary>, FeedCursor), ClientError> {
        let rows = self.store().items_after(cursor.0)?;
        let next = rows.last().map_or(cursor, |(seq, _)| FeedCursor(*seq));
        Ok((rows.into_iter().map(|(_, s)| s).collect(), next))
    }
}
