-- The relay as MLS's delivery service: each space's public group state, the welcomes waiting
-- for devices, and the key packages devices publish.

-- A space's MLS group as the relay sees it (no secret: the ratchet tree's public keys, the
-- group context, the transcript hash and the confirmation tag), as `crate::mls` encodes it.
-- Replaced, in the commit's transaction, by each commit accepted. The `members` table is its
-- view: the devices named by the leaves' credentials.
CREATE TABLE space_groups (
    space BLOB PRIMARY KEY NOT NULL REFERENCES spaces (id),
    state BLOB NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Welcomes waiting for the device a commit added, until it deletes them.
CREATE TABLE welcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device BLOB NOT NULL REFERENCES devices (id),
    space BLOB NOT NULL REFERENCES spaces (id),
    epoch INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    at INTEGER NOT NULL
) STRICT;

CREATE INDEX welcomes_by_device ON welcomes (device, id);

-- Key packages a device published, each handed out once. `ref` is its MLS hash reference, so
-- the same package uploaded twice is kept once; `not_after` its lifetime's end (Unix seconds).
CREATE TABLE key_packages (
    ref BLOB PRIMARY KEY NOT NULL,
    device BLOB NOT NULL REFERENCES devices (id),
    bytes BLOB NOT NULL,
    not_after INTEGER NOT NULL,
    at INTEGER NOT NULL
) STRICT;

CREATE INDEX key_packages_by_device ON key_packages (device, at);
