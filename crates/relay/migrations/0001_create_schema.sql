-- The relay's schema. Times are Unix seconds (UTC). Ids are the raw bytes of the wire's ids.
-- Tokens (invitations, sessions) are stored only as their SHA-256.

CREATE TABLE devices (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    signing_key BLOB NOT NULL CHECK (length(signing_key) = 32),
    certificate BLOB NOT NULL,
    enrolled_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) STRICT;

CREATE TABLE invites (
    token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by BLOB
) STRICT;

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
    device BLOB NOT NULL REFERENCES devices (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE spaces (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    created_at INTEGER NOT NULL,
    epoch INTEGER NOT NULL DEFAULT 0,
    head INTEGER NOT NULL DEFAULT 0,
    bytes_used INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE members (
    space BLOB NOT NULL REFERENCES spaces (id),
    device BLOB NOT NULL REFERENCES devices (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (space, device)
) STRICT, WITHOUT ROWID;

CREATE INDEX members_by_device ON members (device, space);

CREATE TABLE envelopes (
    space BLOB NOT NULL REFERENCES spaces (id),
    seq INTEGER NOT NULL,
    id BLOB NOT NULL CHECK (length(id) = 16),
    sender BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    deposit INTEGER NOT NULL DEFAULT 0,
    bytes BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (space, seq),
    UNIQUE (space, id)
) STRICT;

CREATE TABLE commits (
    space BLOB NOT NULL REFERENCES spaces (id),
    epoch INTEGER NOT NULL,
    sender BLOB NOT NULL,
    bytes BLOB NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (space, epoch)
) STRICT;

-- The log is append-only: nothing changes or removes an envelope or a commit.
CREATE TRIGGER envelopes_append_only_update BEFORE UPDATE ON envelopes
BEGIN SELECT RAISE(ABORT, 'envelopes are append-only'); END;
CREATE TRIGGER envelopes_append_only_delete BEFORE DELETE ON envelopes
BEGIN SELECT RAISE(ABORT, 'envelopes are append-only'); END;
CREATE TRIGGER commits_append_only_update BEFORE UPDATE ON commits
BEGIN SELECT RAISE(ABORT, 'commits are append-only'); END;
CREATE TRIGGER commits_append_only_delete BEFORE DELETE ON commits
BEGIN SELECT RAISE(ABORT, 'commits are append-only'); END;
