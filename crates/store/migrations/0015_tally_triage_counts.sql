-- The inbox's counts, kept as they change. Counting the covering index `items_counts` reads
-- one entry per item (a tenth of a second at a million items); this table holds one row per
-- combination of the columns a count can be filtered on (a few hundred rows at most), kept
-- by triggers in the transaction that changes an item. `Store::triage_counts` sums it unless
-- the filter names an origin or a tag.
CREATE TABLE triage_tally (
    route_rank INTEGER NOT NULL,
    read       INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    marking    TEXT    NOT NULL,
    precedence INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (route_rank, read, kind, marking, precedence)
) STRICT, WITHOUT ROWID;

INSERT INTO triage_tally (route_rank, read, kind, marking, precedence, n)
SELECT route_rank, read, kind, marking, precedence, count(*)
  FROM items GROUP BY route_rank, read, kind, marking, precedence;

CREATE TRIGGER triage_tally_insert AFTER INSERT ON items
BEGIN
    INSERT INTO triage_tally (route_rank, read, kind, marking, precedence, n)
    VALUES (NEW.route_rank, NEW.read, NEW.kind, NEW.marking, NEW.precedence, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER triage_tally_delete AFTER DELETE ON items
BEGIN
    UPDATE triage_tally SET n = n - 1
     WHERE route_rank = OLD.route_rank AND read = OLD.read AND kind = OLD.kind
       AND marking = OLD.marking AND precedence = OLD.precedence;
END;

CREATE TRIGGER triage_tally_update
AFTER UPDATE OF route_rank, read, kind, marking, precedence ON items
WHEN OLD.route_rank IS NOT NEW.route_rank OR OLD.read IS NOT NEW.read
  OR OLD.kind IS NOT NEW.kind OR OLD.marking IS NOT NEW.marking
  OR OLD.precedence IS NOT NEW.precedence
BEGIN
    UPDATE triage_tally SET n = n - 1
     WHERE route_rank = OLD.route_rank AND read = OLD.read AND kind = OLD.kind
       AND marking = OLD.marking AND precedence = OLD.precedence;
    INSERT INTO triage_tally (route_rank, read, kind, marking, precedence, n)
    VALUES (NEW.route_rank, NEW.read, NEW.kind, NEW.marking, NEW.precedence, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
