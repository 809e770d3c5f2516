-- The full-text index keeps no copy of the text. The item's text is already in `items.data`;
-- the copy in `items_fts_content` was a fifth of the store (docs/BENCHMARKS.md). Search needs
-- only the index (bm25 reads the sizes of the columns, kept in `items_fts_docsize`), snippets
-- are made from the item, and the text of attachments is read from `attachments` for the one
-- hit found there. `contentless_delete` keeps deleting and replacing a row possible (an
-- update sets every column). Same columns, tokenizer, prefixes and tuning as before.
CREATE VIRTUAL TABLE items_fts_contentless USING fts5 (
    subject,
    body,
    tags,
    addressees,
    headers,
    attachments,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3',
    content = '',
    contentless_delete = 1
);
INSERT INTO items_fts_contentless (items_fts_contentless, rank) VALUES ('automerge', 16);
INSERT INTO items_fts_contentless (items_fts_contentless, rank) VALUES ('pgsz', 3900);

INSERT INTO items_fts_contentless (rowid, subject, body, tags, addressees, headers, attachments)
SELECT rowid, subject, body, tags, addressees, headers, attachments FROM items_fts;

DROP TABLE items_fts;
ALTER TABLE items_fts_contentless RENAME TO items_fts;
