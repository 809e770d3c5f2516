-- The full-text index keeps a prefix index of 3 characters only, where it kept 2 and 3: each
-- prefix index holds an entry for every word of every item, so the two of them tripled the
-- index, half the store at a million items (docs/BENCHMARKS.md). A prefix of 3 characters is
-- answered by its index; a longer one, or a shorter one covering few words, by the words of
-- the index it covers (`search.rs`). A contentless index cannot be rebuilt from itself: this
-- creates it empty, and migration 0019, which replaces it in the same opening of the store,
-- indexes every item again from its record and its attachments (`migration.rs`).
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5 (
    subject,
    body,
    tags,
    addressees,
    headers,
    attachments,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3',
    content = '',
    contentless_delete = 1
);
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 16);
INSERT INTO items_fts (items_fts, rank) VALUES ('pgsz', 3900);
