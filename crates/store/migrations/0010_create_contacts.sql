-- The people this profile knows, each by their identity key: the latest card they signed (the
-- client reads and checks it), when they were verified by safety number (NULL: not verified),
-- and a card naming the same person under another identity key, set aside (never used) until
-- the person is verified again under it. Times in nanoseconds since the epoch.
CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY,
    identity       BLOB    NOT NULL UNIQUE,
    card           BLOB    NOT NULL,
    verified_at    INTEGER,
    pending_card   BLOB,
    key_changed_at INTEGER,
    added_at       INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
