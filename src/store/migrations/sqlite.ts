// SQLite migrations, embedded so the compiled CLI (dist/) carries them (tsc copies no .sql files).
// Applied in order, each in the migrating transaction. Never edit a released migration: add the next
// number.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
-- One row per (check, location): results and roll-ups refer to it by a small integer.
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  check_id TEXT NOT NULL,
  location TEXT NOT NULL,
  UNIQUE (check_id, location)
);

-- Messages repeat ("200 OK in 12 ms"): each text is kept once.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
);

-- Raw results, about 22 bytes each: clustered by series and time (WITHOUT ROWID, so the key is the
-- table), status 0 up / 1 degraded / 2 down, latency in hundredths of a millisecond, details as
-- JSON for degraded and down results only. A second result of a series in the same millisecond is
-- a duplicate and is ignored.
CREATE TABLE results (
  series_id INTEGER NOT NULL REFERENCES series (id),
  started_at INTEGER NOT NULL,
  status INTEGER NOT NULL CHECK (status IN (0, 1, 2)),
  latency INTEGER,
  message_id INTEGER NOT NULL REFERENCES messages (id),
  details TEXT,
  PRIMARY KEY (series_id, started_at)
) WITHOUT ROWID;

-- Daily roll-ups, kept for good. Latencies in hundredths of a millisecond, as in results (every
-- figure is a measured latency); no latency ⇒ all five latency columns NULL.
CREATE TABLE rollups (
  series_id INTEGER NOT NULL REFERENCES series (id),
  day INTEGER NOT NULL,
  up_ms INTEGER NOT NULL,
  degraded_ms INTEGER NOT NULL,
  down_ms INTEGER NOT NULL,
  no_data_ms INTEGER NOT NULL,
  up_count INTEGER NOT NULL,
  degraded_count INTEGER NOT NULL,
  down_count INTEGER NOT NULL,
  latency_min INTEGER,
  latency_p50 INTEGER,
  latency_p95 INTEGER,
  latency_p99 INTEGER,
  latency_max INTEGER,
  final INTEGER NOT NULL CHECK (final IN (0, 1)),
  PRIMARY KEY (series_id, day)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'component days',
    sql: `
-- Component days, kept for good: a component's check-derived status timeline at one location over
-- one calendar day of the site's zone (day: days since 1970-01-01 of that local date). There are
-- few components, so their ids are kept as text, not interned. segments: JSON
-- [[from, to, status], ...], from and to in ms after base (the smallest from, epoch ms; 0 when
-- there are no segments), status 0 operational, 1 degraded_performance, 2 partial_outage,
-- 3 major_outage, null no data.
CREATE TABLE component_days (
  component_id TEXT NOT NULL,
  location TEXT NOT NULL,
  day INTEGER NOT NULL,
  base INTEGER NOT NULL,
  segments TEXT NOT NULL,
  final INTEGER NOT NULL CHECK (final IN (0, 1)),
  PRIMARY KEY (component_id, location, day)
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: 'outbox and subscribers',
    sql: `
-- The outbox (src/notify/): events are facts with a unique key, so writing one twice is a no-op.
-- event: the whole NotifyEvent as JSON; kind, audience and created_at (epoch ms) are copied out of
-- it for the queries that select on them.
CREATE TABLE events (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  audience TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX events_created_at ON events (created_at);

-- One delivery per (event, target), with its sending state. AUTOINCREMENT: an id is never used
-- twice, even after pruning, because messages are sent with a hash of their delivery ids as the
-- idempotency key. Times in epoch ms.
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_key TEXT NOT NULL REFERENCES events (key) ON DELETE CASCADE,
  target TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead', 'silenced')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  sent_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (event_key, target)
);
-- The sender's question: which pending deliveries are due, and when is the next one.
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

-- Subscribers: private, never published. components: JSON array of component ids, NULL = all.
CREATE TABLE subscribers (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  components TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed')),
  source TEXT NOT NULL CHECK (source IN ('config', 'self-service')),
  created_at INTEGER NOT NULL,
  confirmed_at INTEGER
);
`,
  },
  {
    version: 4,
    name: 'following, lease and verdicts',
    sql: `
-- seq: the order results were committed in, for a follower (resultsAfter). One writer at a time, so
-- a counter taken inside the write transaction is commit order. results is WITHOUT ROWID (the key
-- is the table), hence a column of its own. Rows from before have none: they are older than any
-- follower's cursor.
ALTER TABLE results ADD COLUMN seq INTEGER;
CREATE INDEX results_seq ON results (seq);

-- Leases (src/locations/lease.ts): one row per name. token grows with every new holder (fencing);
-- expires_at in epoch ms by this machine's clock (one machine shares the file). fence: "<pid>:<nonce>"
-- of a fenced() call in progress, if any: a takeover waits for it (as PostgreSQL's row lock makes it
-- wait) unless that process is gone.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  token INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  fence TEXT
);

-- The latest verdict of each check, as the locations agreed it (written fenced by the lease holder).
-- since, at: epoch ms; locations: JSON array of location ids.
CREATE TABLE verdicts (
  check_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  since INTEGER,
  at INTEGER NOT NULL,
  locations TEXT NOT NULL
);
`,
  },
];

export const latestSqliteVersion = sqliteMigrations.at(-1)!.version;
