-- Every message id an email names (its own Message-ID, its References, its In-Reply-To). A
-- conversation is the set of messages linked through these ids, whatever the order they
-- arrive in: a new message joins the thread of any stored message that names one of its ids,
-- and the threads it links are merged into one (`store.rs`, `thread_of`).
CREATE TABLE thread_links (
    message_id TEXT    NOT NULL,
    item       INTEGER NOT NULL REFERENCES items (seq),
    PRIMARY KEY (message_id, item)
) WITHOUT ROWID;

INSERT OR IGNORE INTO thread_links (message_id, item)
SELECT json_extract(data, '$.content.message_id'), seq FROM items
 WHERE kind = 'email' AND json_extract(data, '$.content.message_id') IS NOT NULL;
INSERT OR IGNORE INTO thread_links (message_id, item)
SELECT r.value, i.seq FROM items i, json_each(i.data, '$.content.references') r
 WHERE i.kind = 'email' AND r.type = 'text';
INSERT OR IGNORE INTO thread_links (message_id, item)
SELECT r.value, i.seq FROM items i, json_each(i.data, '$.content.in_reply_to') r
 WHERE i.kind = 'email' AND r.type = 'text';

-- An email composed here before its Message-ID became its dedupe key gets it now: imported
-- back it is the same message, and a reply finds it. A clash (the same id twice) keeps the
-- first.
UPDATE OR IGNORE items
   SET dedupe_key = 'mid:' || json_extract(data, '$.content.message_id')
 WHERE kind = 'email' AND dedupe_key IS NULL
   AND json_extract(data, '$.content.message_id') IS NOT NULL;
