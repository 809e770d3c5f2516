-- Collaborative drafts: each an automerge document, kept as a compacted snapshot plus the
-- change sets saved since (appended as people type, folded into the snapshot from time to
-- time), with the state the client keeps beside it (the clearance circuit, as JSON), its
-- named versions (automerge heads), and comments.

CREATE TABLE drafts (
    id         TEXT    PRIMARY KEY NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('telegram', 'note', 'email')),
    snapshot   BLOB    NOT NULL DEFAULT x'',
    state      TEXT    NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE draft_changes (
    seq   INTEGER PRIMARY KEY,
    draft TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    bytes BLOB    NOT NULL
) STRICT;

CREATE INDEX draft_changes_draft ON draft_changes (draft, seq);

CREATE TABLE draft_versions (
    seq   INTEGER PRIMARY KEY,
    draft TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    label TEXT    NOT NULL DEFAULT '',
    heads TEXT    NOT NULL,
    at    INTEGER NOT NULL
) STRICT;

CREATE INDEX draft_versions_draft ON draft_versions (draft, seq);

-- Released records, exactly as signed (see diplomatie-client's release module).
CREATE TABLE releases (
    item      BLOB    PRIMARY KEY NOT NULL CHECK (length(item) = 16),
    draft     TEXT    NOT NULL,
    signature TEXT    NOT NULL UNIQUE,
    record    BLOB    NOT NULL,
    at        INTEGER NOT NULL
) STRICT;
