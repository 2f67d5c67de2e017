-- The queue's SQL, one named query per block ("-- name: <name>"), loaded through docmill.db.sql.Queries
-- (docmill.pipeline.sql.QUERIES) and read into typed records by column name.
-- Parameters use psycopg's %(name)s style. Stages travel as text and are cast to process_stage.

-- name: enqueue
-- The only INSERT into processing_queue. Adds one pending row per (document, stage) pair unless an
-- active row exists (uq_queue_active); marks older failed rows of the same pair as superseded.
-- Returns the pairs that were added.
WITH wanted AS (
    SELECT DISTINCT ON (w.document_id, w.stage) w.document_id, w.stage, w.ord
    FROM unnest(%(document_ids)s::bigint[], %(stages)s::process_stage[]) WITH ORDINALITY
         AS w(document_id, stage, ord)
    ORDER BY w.document_id, w.stage, w.ord
), added AS (
    INSERT INTO processing_queue (document_id, stage, priority, run_after)
    SELECT document_id, stage, %(priority)s, coalesce(%(run_after)s::timestamptz, now())
    FROM wanted
    ORDER BY document_id, stage  -- one global order, so concurrent enqueues cannot deadlock
    ON CONFLICT (document_id, stage) WHERE status IN ('pending', 'processing') DO NOTHING
    RETURNING id, document_id, stage
), superseded AS (
    UPDATE processing_queue q SET superseded_by = added.id
    FROM added
    WHERE q.document_id = added.document_id AND q.stage = added.stage
      AND q.status = 'failed' AND q.superseded_by IS NULL
)
SELECT document_id, stage::text AS stage FROM added;

-- name: claim
-- Take up to %(limit)s due rows of one stage, skipping rows other workers hold and paused stages.
-- `id = ANY(ARRAY(…))` keeps the plan to an index scan of ix_queue_claim plus primary-key lookups.
WITH claimed AS (
    UPDATE processing_queue q
    SET status = 'processing',
        attempts = q.attempts + 1,
        locked_by = %(worker)s,
        started_at = now(),
        lease_expires_at = now() + make_interval(secs => %(lease_s)s),
        updated_at = now()
    WHERE q.id = ANY(ARRAY(
        SELECT id
        FROM processing_queue
        WHERE stage = %(stage)s::process_stage
          AND status = 'pending'
          AND run_after <= now()
          AND NOT EXISTS (
              SELECT 1 FROM stage_controls c WHERE c.stage = %(stage)s::process_stage AND c.paused
          )
        ORDER BY priority DESC, run_after, id
        LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED
    ))
    RETURNING q.id, q.document_id, q.attempts, q.waits, q.priority, q.run_after
)
SELECT c.id, c.document_id, %(stage)s::text AS stage, c.attempts, c.waits, d.kind::text AS kind
FROM claimed c JOIN documents d ON d.id = c.document_id
ORDER BY c.priority DESC, c.run_after, c.id;

-- name: heartbeat
UPDATE processing_queue
SET lease_expires_at = now() + make_interval(secs => %(lease_s)s)
WHERE id = ANY(%(ids)s::bigint[]) AND locked_by = %(worker)s AND status = 'processing';

-- name: lock_held
-- At the start of a completion transaction: the rows this worker still holds, locked until commit so
-- stale recovery cannot take them half-way.
SELECT id
FROM processing_queue
WHERE id = ANY(%(ids)s::bigint[]) AND locked_by = %(worker)s AND status = 'processing'
FOR UPDATE;

-- name: complete
UPDATE processing_queue q
SET status = 'completed',
    locked_by = NULL,
    lease_expires_at = NULL,
    error = NULL,
    note = n.note,
    finished_at = now(),
    updated_at = now()
FROM unnest(%(ids)s::bigint[], %(notes)s::text[]) AS n(id, note)
WHERE q.id = n.id AND q.locked_by = %(worker)s AND q.status = 'processing'
RETURNING q.id;

-- name: fail
-- Retry with backoff while attempts remain (and the error is not permanent), else fail for good.
UPDATE processing_queue
SET status = CASE WHEN %(permanent)s OR attempts >= %(max_attempts)s
                  THEN 'failed'::queue_status ELSE 'pending'::queue_status END,
    run_after = CASE WHEN %(permanent)s OR attempts >= %(max_attempts)s
                     THEN run_after ELSE now() + make_interval(secs => %(backoff_s)s) END,
    finished_at = CASE WHEN %(permanent)s OR attempts >= %(max_attempts)s THEN now() ELSE NULL END,
    error = %(error)s,
    locked_by = NULL,
    lease_expires_at = NULL,
    updated_at = now()
WHERE id = %(id)s AND locked_by = %(worker)s AND status = 'processing'
RETURNING status::text AS status;

-- name: defer
-- A backend is down: back to pending without spending the attempt.
UPDATE processing_queue
SET status = 'pending',
    attempts = greatest(attempts - 1, 0),
    waits = waits + 1,
    run_after = now() + make_interval(secs => %(delay_s)s),
    error = %(error)s,
    locked_by = NULL,
    lease_expires_at = NULL,
    updated_at = now()
WHERE id = %(id)s AND locked_by = %(worker)s AND status = 'processing';

-- name: release
-- Graceful shutdown: give rows back untouched (the attempt is not spent).
UPDATE processing_queue
SET status = 'pending',
    attempts = greatest(attempts - 1, 0),
    locked_by = NULL,
    lease_expires_at = NULL,
    updated_at = now()
WHERE id = ANY(%(ids)s::bigint[]) AND locked_by = %(worker)s AND status = 'processing';

-- name: try_recovery_lock
-- One stale-recovery sweep at a time (released with the transaction).
SELECT pg_try_advisory_xact_lock(%(key)s) AS got;

-- name: recover_stale
-- Rows whose lease expired (their worker died): back to pending, or failed once attempts are spent.
-- Only one recoverer at a time (transaction-level advisory lock taken by the caller).
WITH limits AS (
    SELECT * FROM unnest(%(stages)s::process_stage[], %(max_attempts)s::int[]) AS l(stage, max_attempts)
), stale AS (
    SELECT q.id, q.attempts >= coalesce(l.max_attempts, 3) AS spent
    FROM processing_queue q LEFT JOIN limits l ON l.stage = q.stage
    WHERE q.status = 'processing' AND q.lease_expires_at < now()
    ORDER BY q.lease_expires_at
    LIMIT %(limit)s
    FOR UPDATE OF q SKIP LOCKED
)
UPDATE processing_queue q
SET status = CASE WHEN stale.spent THEN 'failed'::queue_status ELSE 'pending'::queue_status END,
    rescues = q.rescues + 1,
    error = 'lease expired: worker ' || coalesce(q.locked_by, '?') || ' stopped heartbeating'
            || CASE WHEN stale.spent THEN ' and the attempts are spent' ELSE '; retrying' END,
    finished_at = CASE WHEN stale.spent THEN now() ELSE NULL END,
    run_after = now(),
    locked_by = NULL,
    lease_expires_at = NULL,
    updated_at = now()
FROM stale
WHERE q.id = stale.id
RETURNING q.id, q.status::text AS status;

-- name: queue_lag
-- Per stage: pending, processing, failed (not yet retried), oldest due pending age. Reads only the
-- partial indexes, so millions of completed rows cost nothing.
WITH stages AS (
    SELECT unnest(%(stages)s::process_stage[]) AS stage
)
SELECT s.stage::text AS stage,
       (SELECT count(*) FROM processing_queue q WHERE q.stage = s.stage AND q.status = 'pending') AS pending,
       (SELECT count(*) FROM processing_queue q WHERE q.stage = s.stage AND q.status = 'processing') AS processing,
       (SELECT count(*) FROM processing_queue q
         WHERE q.stage = s.stage AND q.status = 'failed' AND q.superseded_by IS NULL) AS failed,
       coalesce(extract(epoch FROM now() - (
           SELECT min(q.created_at) FROM processing_queue q WHERE q.stage = s.stage AND q.status = 'pending'
       )), 0)::float8 AS oldest_pending_age_sec,
       coalesce(c.paused, false) AS paused
FROM stages s LEFT JOIN stage_controls c ON c.stage = s.stage;

-- name: throughput
-- Completed rows per stage over a recent window.
SELECT stage::text AS stage, count(*) AS completed
FROM processing_queue
WHERE status = 'completed' AND finished_at > now() - make_interval(secs => %(window_s)s)
GROUP BY stage;

-- name: unknown_pending_stages
-- Pending rows of stages this worker's registry does not know (a newer version added them).
SELECT stage::text AS stage, count(*) AS n
FROM processing_queue
WHERE status = 'pending' AND stage::text <> ALL(%(known)s)
GROUP BY 1;

-- ---- operations (docmill.pipeline.operations) ---------------------------------------------------

-- name: retry_candidates
-- (document, stage) pairs whose latest row failed, of live documents and known stages.
SELECT DISTINCT q.document_id, q.stage::text AS stage
FROM processing_queue q JOIN documents d ON d.id = q.document_id
WHERE q.status = 'failed' AND q.superseded_by IS NULL AND d.deleted_at IS NULL
  AND (%(doc)s::bigint IS NULL OR q.document_id = %(doc)s)
  AND (%(stage)s::text IS NULL OR q.stage::text = %(stage)s)
  AND q.stage::text = ANY(%(known)s)
ORDER BY 1, 2;

-- name: missing_candidates
-- Live documents of the stage's kinds that reached it (entry stage, or a predecessor completed) and never
-- completed it, nor are queued for it.
SELECT d.id AS document_id FROM documents d
WHERE d.deleted_at IS NULL AND d.kind = ANY(%(kinds)s)
  AND NOT EXISTS (SELECT 1 FROM processing_queue q WHERE q.document_id = d.id
                  AND q.stage = %(stage)s::process_stage AND q.status IN ('completed', 'pending', 'processing'))
  AND (d.kind = ANY(%(entry_kinds)s) OR EXISTS (
        SELECT 1 FROM processing_queue p WHERE p.document_id = d.id
        AND p.stage::text = ANY(%(preds)s) AND p.status = 'completed'))
ORDER BY d.id;

-- name: all_candidates
-- Live documents of the stage's kinds that reached it (entry stage, or a predecessor completed).
SELECT d.id AS document_id FROM documents d
WHERE d.deleted_at IS NULL AND d.kind = ANY(%(kinds)s)
  AND (d.kind = ANY(%(entry_kinds)s) OR EXISTS (
        SELECT 1 FROM processing_queue p WHERE p.document_id = d.id
        AND p.stage::text = ANY(%(preds)s) AND p.status = 'completed'))
ORDER BY d.id;

-- name: live_document_kind
SELECT kind::text AS kind FROM documents WHERE id = %(id)s AND deleted_at IS NULL;

-- name: set_paused
INSERT INTO stage_controls (stage, paused, updated_at) VALUES (%(stage)s::process_stage, %(paused)s, now())
ON CONFLICT (stage) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now();

-- name: document_history
-- Every queue row of one document, oldest first.
SELECT id, stage::text AS stage, status::text AS status, attempts, rescues, waits, error, note, created_at,
       started_at, finished_at, superseded_by IS NOT NULL AS superseded
FROM processing_queue WHERE document_id = %(id)s ORDER BY id;
