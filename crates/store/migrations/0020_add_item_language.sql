-- An item's language (the primary subtag of a BCP 47 tag: `fr`, `en`, `ar`), so that a list row
-- can declare it (`lang`) without loading the record, which holds it too. Empty (or NULL) is
-- unknown: the items stored before, and those whose language could not be told. Appended last
-- with a constant default, the column costs nothing to the rows already stored (SQLite reads
-- the default for them). It is not declared NOT NULL: SQLite then checks every row of the
-- table as it adds the column (12.6 s at a million items, and a damaged page anywhere in the
-- table would stop the upgrade).
ALTER TABLE items ADD COLUMN language TEXT DEFAULT '';
