// Migration 6: the state a delta feed keeps between its runs (docs/datasets.md "t-32-wap").
// One row per (dataset, feed, row key): a hash of the row as last exported and whether it had
// ended, so the next export of the feed sends only rows added, updated or ended since.
// Written only by exports (in the transaction of their dataset_run row), never by previews.
export const migration006 = /* sql */ `
CREATE TABLE dataset_feed_state (
  dataset  TEXT NOT NULL,
  feed     TEXT NOT NULL,
  row_key  TEXT NOT NULL,
  row_hash TEXT NOT NULL,            -- sha256 (hex) of the row's values as exported
  ended    INTEGER NOT NULL DEFAULT 0 CHECK (ended IN (0,1)),
  run_id   INTEGER NOT NULL REFERENCES dataset_run(id),
  PRIMARY KEY (dataset, feed, row_key)
) WITHOUT ROWID;
`;
