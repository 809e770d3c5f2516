-- The clearance-log entries whose signature this profile has verified, by draft: the SHA-256
-- digest of everything checked (the statement's context, the device certificate, the signature
-- and the entry). An entry is verified once, when it first reaches the profile; a later replay
-- of the draft's log finds its digest here and checks the certificate it names, not the
-- signature again. An entry altered in any byte has another digest and is verified afresh.
CREATE TABLE verified_log_entries (
    draft  TEXT NOT NULL,
    digest BLOB NOT NULL CHECK (length(digest) = 32),
    PRIMARY KEY (draft, digest)
) STRICT, WITHOUT ROWID;
