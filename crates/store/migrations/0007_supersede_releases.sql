-- A release with a provisional number is followed by a record with the final number that
-- supersedes it: an item may now have several records, the current one being the one not
-- superseded. Records stay exactly as signed; none is ever deleted.
CREATE TABLE releases_new (
    signature     TEXT    PRIMARY KEY NOT NULL,
    item          BLOB    NOT NULL CHECK (length(item) = 16),
    draft         TEXT    NOT NULL,
    record        BLOB    NOT NULL,
    at            INTEGER NOT NULL,
    superseded_by TEXT    NULL
) STRICT;

INSERT INTO releases_new (signature, item, draft, record, at)
    SELECT signature, item, draft, record, at FROM releases;

DROP TABLE releases;
ALTER TABLE releases_new RENAME TO releases;

CREATE INDEX releases_item ON releases (item, at);
CREATE INDEX releases_draft ON releases (draft, at);
