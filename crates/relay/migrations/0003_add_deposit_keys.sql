-- Deposits after a member leaves, and the deposit keys members publish.

-- The epoch from which a space takes deposits: set to the new epoch by every accepted commit
-- that removes a device, since the removed device knew the deposit keys of earlier epochs.
ALTER TABLE spaces ADD COLUMN deposits_from INTEGER NOT NULL DEFAULT 0;

-- The deposit keys a space's members published (public keys, each signed by its member's
-- device), one per member device: its latest, at the epoch it was published. A device's row
-- goes when a commit removes it from the space (with every row of the space, all of them of
-- epochs before the removal).
CREATE TABLE deposit_keys (
    space BLOB NOT NULL REFERENCES spaces (id),
    signer BLOB NOT NULL REFERENCES devices (id),
    epoch INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (space, signer)
) STRICT, WITHOUT ROWID;

CREATE INDEX deposit_keys_by_epoch ON deposit_keys (space, epoch);
