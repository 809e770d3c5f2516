-- A search with filters joins each full-text match to its item to check the filters. Looked up
-- in the items table, every match reads a leaf page of whole rows (bodies included), decrypted
-- and authenticated: about 4 µs a match, 120–720 ms for a common word. This index holds only
-- what the filters read, keyed by the FTS rowid; the search names it (INDEXED BY), since the
-- planner would otherwise prefer the table's own key. Measured in docs/BENCHMARKS.md.
CREATE INDEX items_filters ON items (seq, kind, marking, precedence, route_rank, read, written_at, origin);
