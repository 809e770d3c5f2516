-- The words of the full-text index, each once, from which a prefix is put in place of the
-- words it covers (`search.rs`). The index's own vocabulary (`fts5vocab`) reads the whole list
-- of items holding each word it returns, so a prefix of a common word cost the size of the
-- store; this list answers from one range of a b-tree. It is filled here from that vocabulary,
-- once, and kept from then on as items are indexed (`words.rs`).
CREATE TABLE index_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.index_vocabulary USING fts5vocab(main, items_fts, 'row');
INSERT INTO index_words (word) SELECT term FROM temp.index_vocabulary;
DROP TABLE temp.index_vocabulary;
