//! The store's list of the words in its full-text index (`index_words`, migration 0021), from
//! which a prefix is put in place of the words it covers (`search.rs`).
//!
//! Why a list of its own: the index's vocabulary (`fts5vocab`) reads, for every word it
//! returns, the whole list of the items holding it, so expanding a prefix of a common word
//! read hundreds of thousands of entries (`ministre` and its like: about 20 ms of the 67 that
//! « mini » took at a million items). The list answers from one range of a b-tree.
//!
//! How it stays exact: the words are cut by SQLite's own tokenizer, with the index's options,
//! so a word of the list is spelled as the index spells it. The texts indexed in one
//! transaction are first cut, in Rust, at ASCII characters other than letters and digits (the
//! tokenizer separates words there, whatever else it does), and the pieces are kept once each,
//! ASCII letters lowered (the tokenizer folds them too); at the end of the transaction the
//! distinct pieces go through a temporary full-text table with the index's tokenizer, whose
//! vocabulary is added to the list. Tokenizing the distinct pieces of a batch rather than every
//! text keeps the cost to ingest small.
//!
//! The list only grows: a word whose last item changed text stays in it, and a prefix then
//! covers one word that matches nothing. The temporary tables are in memory
//! (`temp_store = MEMORY`), so the words of the texts never reach a file outside the
//! encrypted database.

use std::collections::HashSet;

use rusqlite::Connection;

use crate::StoreError;
use crate::index::IndexText;

/// The temporary full-text table that cuts the pieces into the index's words, with the same
/// tokenizer as `items_fts`, and its vocabulary. Created once per connection.
const TEMPORARY_TABLES: &str = "\
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.new_words USING fts5 (\
        text, tokenize = 'unicode61 remove_diacritics 2', content = '', detail = none); \
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.new_words_vocabulary \
        USING fts5vocab(temp, new_words, 'row');";

/// The words of the texts indexed in one transaction, to be added to the store's list before
/// it commits ([`NewWords::keep`]).
#[derive(Default)]
pub(crate) struct NewWords {
    pieces: HashSet<Box<str>>,
    /// A buffer for the piece being lowered.
    lowered: String,
}

impl NewWords {
    /// Takes note of every column of `text`.
    pub(crate) fn add(&mut self, text: &IndexText) {
        for column in text
            .text_columns()
            .into_iter()
            .chain([text.facets.as_str()])
        {
            self.add_text(column);
        }
    }

    fn add_text(&mut self, text: &str) {
        for piece in text
            .split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
        {
            self.lowered.clear();
            self.lowered.push_str(piece);
            self.lowered.make_ascii_lowercase();
            if !self.pieces.contains(self.lowered.as_str()) {
                self.pieces.insert(self.lowered.as_str().into());
            }
        }
    }

    /// Adds the words noted to the store's list, in the transaction of `conn` that indexed
    /// them.
    pub(crate) fn keep(mut self, conn: &Connection) -> Result<(), StoreError> {
        if self.pieces.is_empty() {
            return Ok(());
        }
        let mut text = String::with_capacity(self.pieces.iter().map(|p| p.len() + 1).sum());
        for piece in self.pieces.drain() {
            text.push_str(&piece);
            text.push(' ');
        }
        conn.execute_batch(TEMPORARY_TABLES)?;
        conn.prepare_cached("INSERT INTO temp.new_words (text) VALUES (?1)")?
            .execute([&text])?;
        conn.prepare_cached(
            "INSERT OR IGNORE INTO index_words (word) \
             SELECT term FROM temp.new_words_vocabulary",
        )?
        .execute([])?;
        conn.prepare_cached("INSERT INTO temp.new_words (new_words) VALUES ('delete-all')")?
            .execute([])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_tables_are_kept_in_memory() {
        // The texts' words go through `temp.new_words`: a temporary table in a file would
        // hold them outside the encrypted database.
        let dir = tempfile::tempdir().unwrap();
        let store =
            crate::Store::create(dir.path(), "words pass phrase", crate::KdfCost::MIN).unwrap();
        let mode: i64 = store
            .call(|conn| Ok(conn.query_row("PRAGMA temp_store", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, 2, "temp_store = MEMORY");
    }

    #[test]
    fn pieces_are_kept_once_and_the_list_only_grows() {
        let mut words = NewWords::default();
        words.add_text("Ministre ministre MINISTRE ministre.");
        assert_eq!(words.pieces.len(), 1);
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE index_words (word TEXT PRIMARY KEY) WITHOUT ROWID")
            .unwrap();
        words.keep(&conn).unwrap();
        let mut again = NewWords::default();
        again.add_text("ministre consul");
        again.keep(&conn).unwrap();
        let count: i64 = conn
            .query_row("SELECT count(*) FROM index_words", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 2);
    }
}
