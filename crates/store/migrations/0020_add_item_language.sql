-- An item's language (the primary subtag of a BCP 47 tag: `fr`, `en`, `ar`), so that a list row
-- can declare it (`lang`) without loading the record, which holds it too. Empty is unknown: the
-- items stored before, and those whose language could not be told. Appended last, the column
-- costs nothing to the rows already stored (SQLite reads the default for them).
ALTER TABLE items ADD COLUMN language TEXT NOT NULL DEFAULT '';
