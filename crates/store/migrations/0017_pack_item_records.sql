-- An item's record (the item as JSON) is stored deflated in `packed`, with `data` left empty:
-- a record is mostly French prose and JSON keys, and deflated it takes a little over half the
-- bytes (docs/BENCHMARKS.md). Records stored before stay in `data` as they were, and are read
-- from there; `packed` is NULL for them.
ALTER TABLE items ADD COLUMN packed BLOB;
