-- The full-text index gains a column of facets: an item's kind and precedence as words of
-- two characters starting with a private-use character (`index.rs`), which no search of words
-- can match. A search filtered by kind or precedence then finds its items in the index, where
-- checking each match of the words against the filter columns took about a microsecond a
-- match, over a hundred milliseconds for a common word and a filter few items pass at a
-- million items (docs/BENCHMARKS.md). Otherwise as migration 0018, whose index this replaces:
-- the migration then indexes every item again (`migration.rs`).
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5 (
    subject,
    body,
    tags,
    addressees,
    headers,
    attachments,
    facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3',
    content = '',
    contentless_delete = 1
);
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 16);
INSERT INTO items_fts (items_fts, rank) VALUES ('pgsz', 3900);
