// PostgreSQL migrations, embedded so the compiled CLI (dist/) carries them. Applied in order, each
// in the migrating transaction, with search_path set to the store's schema (so the SQL names no
// schema). Never edit a released migration: add the next number.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
-- One row per (check, location): results and roll-ups refer to it by a 4-byte id.
-- COLLATE "C": byte order, the same order SQLite gives, and no locale surprises with '-'.
CREATE TABLE series (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  check_id text COLLATE "C" NOT NULL,
  location text COLLATE "C" NOT NULL,
  UNIQUE (check_id, location)
);

-- Messages repeat ("200 OK in 12 ms"): each text is kept once. Unique by md5, so a long message
-- never meets the btree's row-size limit; readers still compare the text itself.
CREATE TABLE messages (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  text text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX messages_text_md5 ON messages (md5(text));

-- Raw results. status: 0 up, 1 degraded, 2 down. latency: hundredths of a millisecond.
-- details: JSON text, for degraded and down results only. No foreign keys: ids come from the
-- interning above, whose rows are never deleted, and an RI trigger per row would halve the write rate.
CREATE TABLE results (
  started_at bigint NOT NULL,
  series_id integer NOT NULL,
  message_id integer NOT NULL,
  latency integer,
  status smallint NOT NULL CHECK (status BETWEEN 0 AND 2),
  details text,
  PRIMARY KEY (series_id, started_at)
);
-- Exports and cross-series queries walk time in order (keyset pagination).
CREATE INDEX results_started_at ON results (started_at);

-- Daily roll-ups, kept for good. day: whole UTC days since 1970-01-01. Latencies in hundredths
-- of a millisecond; all five NULL when no result of the day measured one.
CREATE TABLE rollups (
  series_id integer NOT NULL REFERENCES series (id),
  day integer NOT NULL,
  up_ms integer NOT NULL,
  degraded_ms integer NOT NULL,
  down_ms integer NOT NULL,
  no_data_ms integer NOT NULL,
  up_count integer NOT NULL,
  degraded_count integer NOT NULL,
  down_count integer NOT NULL,
  latency_min integer,
  latency_p50 integer,
  latency_p95 integer,
  latency_p99 integer,
  latency_max integer,
  final boolean NOT NULL,
  PRIMARY KEY (series_id, day)
);
`,
  },
  {
    version: 2,
    name: 'component days',
    sql: `
-- Component days, kept for good: a component's check-derived status timeline at one location over
-- one calendar day of the site's zone (day: days since 1970-01-01 of that local date). There are
-- few components, so their ids are kept as text, not interned (COLLATE "C", as series). segments:
-- JSON text [[from, to, status], ...], from and to in ms after base (the smallest from, epoch ms;
-- 0 when there are no segments), status 0 operational, 1 degraded_performance, 2 partial_outage,
-- 3 major_outage, null no data.
CREATE TABLE component_days (
  component_id text COLLATE "C" NOT NULL,
  location text COLLATE "C" NOT NULL,
  day integer NOT NULL,
  base bigint NOT NULL,
  segments text NOT NULL,
  final boolean NOT NULL,
  PRIMARY KEY (component_id, location, day)
);
`,
  },
  {
    version: 3,
    name: 'outbox and subscribers',
    sql: `
-- The outbox (src/notify/): events are facts with a unique key, so writing one twice is a no-op
-- (INSERT ... ON CONFLICT DO NOTHING: of two processes writing one key, one wins). event: the whole
-- NotifyEvent as JSON text; kind, audience and created_at (epoch ms) are copied out of it for the
-- queries that select on them.
CREATE TABLE events (
  key text COLLATE "C" PRIMARY KEY,
  kind text NOT NULL,
  audience text NOT NULL,
  created_at bigint NOT NULL,
  event text NOT NULL
);
CREATE INDEX events_created_at ON events (created_at);

-- One delivery per (event, target), with its sending state. Identity ids are never used twice,
-- which matters: messages are sent with a hash of their delivery ids as the idempotency key.
CREATE TABLE deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_key text COLLATE "C" NOT NULL REFERENCES events (key) ON DELETE CASCADE,
  target text COLLATE "C" NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'sent', 'dead', 'silenced')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  last_error text,
  sent_at bigint,
  created_at bigint NOT NULL,
  UNIQUE (event_key, target)
);
-- The sender's question: which pending deliveries are due, and when is the next one.
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

-- Subscribers: private, never published. components: JSON array of component ids, NULL = all.
CREATE TABLE subscribers (
  id text COLLATE "C" PRIMARY KEY,
  channel text NOT NULL,
  address text NOT NULL,
  components text,
  state text NOT NULL CHECK (state IN ('pending', 'confirmed')),
  source text NOT NULL CHECK (source IN ('config', 'self-service')),
  created_at bigint NOT NULL,
  confirmed_at bigint
);
`,
  },
  {
    version: 4,
    name: 'daily partitions, following, lease and verdicts',
    sql: `
-- Raw results in one partition per UTC day (range on started_at), so retention drops a day's table
-- instead of deleting its rows. Partitions are named results_YYYYMMDD and created by the engine
-- (postgres.ts: ahead of time and on demand, under an advisory lock); this migration creates one for
-- every day that has rows, moves the rows and swaps the names.
-- tx: the writing transaction's id, so a follower (resultsAfter) reads results in commit order:
-- rows below the oldest transaction still running are final. Rows moved here get 0: they are older
-- than any follower's cursor.
ALTER TABLE results RENAME TO results_unpartitioned;
ALTER INDEX results_pkey RENAME TO results_unpartitioned_pkey;
ALTER INDEX results_started_at RENAME TO results_unpartitioned_started_at;
CREATE TABLE results (
  started_at bigint NOT NULL,
  series_id integer NOT NULL,
  message_id integer NOT NULL,
  latency integer,
  status smallint NOT NULL CHECK (status BETWEEN 0 AND 2),
  details text,
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  -- record() relies on it: ON CONFLICT (series_id, started_at) DO NOTHING ignores a duplicate.
  -- It holds across partitions because it contains the partition key.
  PRIMARY KEY (series_id, started_at)
) PARTITION BY RANGE (started_at);
CREATE INDEX results_started_at ON results (started_at);
-- The follower's order: (tx, series_id, started_at) is unique, so a page can end inside a transaction.
CREATE INDEX results_tx ON results (tx, series_id, started_at);
DO $$
DECLARE d bigint;
BEGIN
  FOR d IN SELECT DISTINCT floor(started_at / 86400000.0)::bigint FROM results_unpartitioned ORDER BY 1 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF results FOR VALUES FROM (%s) TO (%s)',
      'results_' || to_char(timestamp '1970-01-01' + d * interval '1 day', 'YYYYMMDD'), d * 86400000, (d + 1) * 86400000);
  END LOOP;
END $$;
INSERT INTO results (started_at, series_id, message_id, latency, status, details, tx)
  SELECT started_at, series_id, message_id, latency, status, details, '0'::xid8 FROM results_unpartitioned;
DROP TABLE results_unpartitioned;

-- Leases (src/locations/lease.ts): one row per name. token grows with every new holder (fencing);
-- expires_at is by the database's clock, so the holders' clocks never matter.
CREATE TABLE leases (
  name text COLLATE "C" PRIMARY KEY,
  holder text NOT NULL,
  token bigint NOT NULL,
  expires_at timestamptz NOT NULL
);

-- The latest verdict of each check, as the locations agreed it (written fenced by the lease holder).
-- status: the ConfirmedStatus name; since, at: epoch ms; locations: JSON array of location ids.
CREATE TABLE verdicts (
  check_id text COLLATE "C" PRIMARY KEY,
  status text NOT NULL,
  since bigint,
  at bigint NOT NULL,
  locations text NOT NULL
);
`,
  },
];

export const latestPostgresVersion = postgresMigrations.at(-1)!.version;
