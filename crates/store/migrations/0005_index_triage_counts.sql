-- The triage counts (per route, unread) read only these columns: a covering index lets them
-- scan the index instead of every item row (whole rows, bodies included, at 100,000 items).
CREATE INDEX items_counts ON items (route_rank, read, kind, marking, precedence);
