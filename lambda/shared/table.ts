/**
 * The single DynamoDB table's key schema, shared by the CDK stack, the store adapters and the
 * local stand-ins, so the three can never disagree.
 *
 * - Primary key: `pk` (S) + `sk` (S).
 * - GSI `byFrequency`: `gsi1pk` (S) + `gsi1sk` (S), projection ALL. Sparse: only confirmed subscribers,
 *   article records (the feed: `gsi1pk = "ARTICLES"`, sorted by ingest time) and digest queue entries
 *   (`PENDING#<frequency>` while waiting, `CARRIED#<runId>` once a run took them) carry it, and run
 *   records (`gsi1pk = "RUNS"`, `gsi1sk = "<run start>#<run id>"`, so `runs list` reads the latest first).
 *   For subscribers: `gsi1pk = "CONFIRMED#<frequency>"`, `gsi1sk = "<ISO time they entered that frequency>#<id>"`,
 *   so a digest run can fix its audience with `gsi1sk < "<run start>"` and page with a checkpoint.
 * - TTL attribute `expiresAt` (epoch seconds) on ledger, run-job, lock and rate-limit items. dynalite ignores
 *   TTL, so nothing may depend on expiry for correctness; it only keeps the table small.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi: { name: 'byFrequency', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'expiresAt',
} as const;
