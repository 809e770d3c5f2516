-- A draft's versions (one per clearance round, plus those named on demand) are kept in the
-- draft's own document, in its clearance log, so that every replica has them: the table that
-- held them beside the document is not used.
DROP TABLE draft_versions;
