-- Full-text index blocks of at most 3,900 bytes. SQLCipher keeps 48 bytes of each 4,096-byte
-- page for the IV and the HMAC, so FTS5's default (4,050) spilled every block onto a second,
-- nearly empty overflow page: twice the pages to write, encrypt, read and decrypt.
INSERT INTO items_fts (items_fts, rank) VALUES ('pgsz', 3900);
