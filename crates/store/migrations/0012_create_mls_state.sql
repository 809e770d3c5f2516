-- The state of the MLS groups (spaces) this device belongs to, as openmls keeps it: opaque
-- values by opaque keys (a label, the serialised key and the storage format's version, built
-- by the client). The store neither reads nor interprets them; like every page, they are
-- encrypted by SQLCipher. The writes of one MLS operation are applied in one transaction.
CREATE TABLE mls_state (
    key   BLOB NOT NULL PRIMARY KEY CHECK (length(key) > 0),
    value BLOB NOT NULL
) STRICT, WITHOUT ROWID;
