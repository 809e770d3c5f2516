-- The first schema: items with their triage columns, tags, attachments, the full-text index,
-- the append-only audit log and the profile's settings.
-- Times are Unix nanoseconds (UTC), saturated to the i64 range.

CREATE TABLE items (
    seq           INTEGER PRIMARY KEY,
    id            BLOB    NOT NULL UNIQUE CHECK (length(id) = 16),
    kind          TEXT    NOT NULL CHECK (kind IN ('telegram', 'note', 'email')),
    subject       TEXT    NOT NULL DEFAULT '',
    marking       TEXT    NOT NULL CHECK (marking IN ('NP', 'DR')),
    precedence    INTEGER NOT NULL DEFAULT 0 CHECK (precedence BETWEEN 0 AND 3),
    route         TEXT    NULL CHECK (route IN ('action', 'info')),
    route_rank    INTEGER NOT NULL DEFAULT 2 CHECK (route_rank BETWEEN 0 AND 2),
    origin        TEXT    NOT NULL DEFAULT '',
    number        TEXT    NULL,
    written_at    INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    deadline      INTEGER NULL,
    deadline_sort INTEGER NOT NULL DEFAULT 9223372036854775807,
    read          INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    thread_key    TEXT    NULL,
    dedupe_key    TEXT    NULL UNIQUE,
    data          TEXT    NOT NULL
) STRICT;

CREATE INDEX items_triage ON items (route_rank, precedence DESC, deadline_sort, received_at DESC, seq);
CREATE INDEX items_thread ON items (thread_key, written_at) WHERE thread_key IS NOT NULL;
CREATE INDEX items_written ON items (written_at);

CREATE TABLE item_tags (
    item INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
    tag  TEXT    NOT NULL,
    PRIMARY KEY (item, tag)
) STRICT, WITHOUT ROWID;

CREATE INDEX item_tags_tag ON item_tags (tag, item);

CREATE TABLE attachments (
    item  INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    meta  TEXT    NOT NULL,
    bytes BLOB    NOT NULL DEFAULT x'',
    PRIMARY KEY (item, idx)
) STRICT;

-- rowid = items.seq.
CREATE VIRTUAL TABLE items_fts USING fts5 (
    subject,
    body,
    tags,
    addressees,
    headers,
    attachments,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TABLE audit_log (
    seq    INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL DEFAULT '',
    action TEXT    NOT NULL,
    item   BLOB    NULL CHECK (item IS NULL OR length(item) = 16),
    detail TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_log_item ON audit_log (item, seq) WHERE item IS NOT NULL;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL DEFAULT x''
) STRICT;
