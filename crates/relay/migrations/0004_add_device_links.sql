-- Linking a person's devices and revoking them.

-- The identity key that certified each device (the 32 bytes its certificate names), so that
-- a person's devices are found together. A certificate is the format byte 0x01, then its
-- postcard body, whose first field is the identity key as 32 raw bytes: devices enrolled
-- before this migration get it from there.
ALTER TABLE devices ADD COLUMN identity BLOB;
UPDATE devices SET identity = substr(certificate, 2, 32);
CREATE INDEX devices_by_identity ON devices (identity, enrolled_at);

-- When a sibling device revoked this one (Unix seconds): a revoked device gets no session
-- and cannot enrol again.
ALTER TABLE devices ADD COLUMN revoked_at INTEGER;

-- An invitation made through a link mailbox enrols only a certificate of this identity key
-- (NULL: any, as the operator's do); `minted_by` is the device whose link made it, whose
-- revocation voids it while unused.
ALTER TABLE invites ADD COLUMN identity BLOB;
ALTER TABLE invites ADD COLUMN minted_by BLOB;

-- A short-lived mailbox between a device (its owner) and a device being linked, which has no
-- session yet: four slots, each written once (see `crate::links`). Closed mailboxes are
-- deleted with their slots; expired ones when mailboxes are next opened.
CREATE TABLE links (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 10),
    owner BLOB NOT NULL REFERENCES devices (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    invited INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX links_by_owner ON links (owner, expires_at);
CREATE INDEX links_by_expiry ON links (expires_at);

CREATE TABLE link_slots (
    link BLOB NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    slot TEXT NOT NULL CHECK (slot IN ('a', 'b', 'c', 'd')),
    bytes BLOB NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (link, slot)
) STRICT, WITHOUT ROWID;
