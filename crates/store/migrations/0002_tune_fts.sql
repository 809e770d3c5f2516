-- Merge full-text segments 16 at a time instead of 4: a large import rewrites its index pages
-- far less often, and every page a merge reads and writes again costs a decryption and an
-- encryption (measured in docs/BENCHMARKS.md).
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 16);
