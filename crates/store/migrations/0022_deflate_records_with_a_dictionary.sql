-- The preset dictionary an item's record (`packed`) was deflated with: 0 (or NULL) none, as
-- every record stored before; 1 `src/record-dictionary-1.txt`, the JSON skeleton of the three
-- kinds of item and the courtesy formulas of a note verbale (`record.rs`). A record of a few
-- kilobytes is deflated alone, so every key of its JSON was spelled out once in each record;
-- with the dictionary they are references into it, about a sixth fewer bytes a record
-- (docs/BENCHMARKS.md). The records stored before stay as they are. Appended last with a
-- constant default and not declared NOT NULL, as `language` (0020), so adding it reads no row.
ALTER TABLE items ADD COLUMN dictionary INTEGER DEFAULT 0;
