// Premise search (issue 9): an FTS5 index with one document per premise record, rebuilt by the
// indexer and by imports that change premises, addresses, accounts, meters or customers. It is
// derived data: dropping and rebuilding it loses nothing (core/search/build.ts).
export const migration002 = `
CREATE VIRTUAL TABLE premise_search USING fts5(
  premise_id UNINDEXED,       -- premise.id (one organization's record)
  address,                    -- service addresses as written and normalised (USPS Pub 28)
  ids,                        -- account numbers, meter serials, usage point and premise keys, platform IDs
  names,                      -- customer names (searched only as a role's PII access allows)
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
-- Terms per column: the vocabulary typo-tolerant search corrects against.
CREATE VIRTUAL TABLE premise_search_terms USING fts5vocab(premise_search, 'col');
`;
