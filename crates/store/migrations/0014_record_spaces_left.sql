-- When this device was removed from a space (NULL while it is a member). A space left keeps
-- its row and its epochs' keys, so that it is listed as left and, if its device is added
-- again, the keys it held still open what was sent while it was a member; its MLS state is
-- deleted. Times in nanoseconds since the epoch.
ALTER TABLE spaces ADD COLUMN left_at INTEGER;
