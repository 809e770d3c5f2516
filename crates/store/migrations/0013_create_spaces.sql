-- The spaces this device is a member of (MLS groups; their state is in mls_state): the name
-- and kind the members gave it (never sent in clear: names travel inside envelopes), whether a
-- newcomer is handed the keys of earlier epochs, and the epoch it is at. Times in nanoseconds
-- since the epoch.
CREATE TABLE spaces (
    id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    name            TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('own', 'unit', 'circuit', 'shared')),
    history_visible INTEGER NOT NULL CHECK (history_visible IN (0, 1)),
    epoch           INTEGER NOT NULL CHECK (epoch >= 0),
    created_at      INTEGER NOT NULL
) STRICT;

-- The key of every epoch of a space this device has known, so that its history stays
-- readable (envelopes are sealed under the key of the epoch they were sent in).
CREATE TABLE space_epoch_keys (
    space BLOB    NOT NULL REFERENCES spaces (id),
    epoch INTEGER NOT NULL CHECK (epoch >= 0),
    key   BLOB    NOT NULL CHECK (length(key) = 32),
    PRIMARY KEY (space, epoch)
) STRICT, WITHOUT ROWID;

-- The sync engine's durable state: opaque rows by opaque keys (outbox entries with their
-- plaintext, cursors, the sequence numbers applied from each sender), written in the same
-- transaction as what they accompany.
CREATE TABLE sync_rows (
    key   BLOB NOT NULL PRIMARY KEY CHECK (length(key) > 0),
    value BLOB NOT NULL
) STRICT, WITHOUT ROWID;
