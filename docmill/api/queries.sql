-- The api's read-only SQL for the dashboard, failure lists and /metrics, one named query per block
-- ("-- name: <name>"), loaded by docmill.api.sql. Each must stay cheap with millions of completed queue
-- rows: they read only the partial indexes (pending, processing, failed, recently finished).

-- name: category_counts
-- Live documents per category, zeros included, plus the uncategorized ones (path NULL); one scan.
WITH counts AS (
    SELECT category_id, count(*) AS n FROM documents WHERE deleted_at IS NULL GROUP BY category_id
)
SELECT c.path, coalesce(counts.n, 0) AS n
FROM categories c LEFT JOIN counts ON counts.category_id = c.id
UNION ALL
SELECT NULL AS path, coalesce((SELECT n FROM counts WHERE category_id IS NULL), 0) AS n;

-- name: pending_suggestions
SELECT count(*) AS n FROM library_suggestions WHERE status = 'pending';

-- name: recent_failures
-- Failed rows not retried yet, newest first (ix_queue_failed), with their documents.
-- Columns named as the api's Failure model, which the rows are read into.
SELECT q.id AS queue_id, q.document_id, coalesce(d.title, d.original_name) AS document_title,
       q.stage::text AS stage, q.error, q.attempts, q.finished_at
FROM processing_queue q JOIN documents d ON d.id = q.document_id
WHERE q.status = 'failed' AND q.superseded_by IS NULL
  AND (%(stage)s::text IS NULL OR q.stage = %(stage)s::text::process_stage)
ORDER BY q.finished_at DESC NULLS LAST, q.id DESC
LIMIT %(limit)s OFFSET %(offset)s;

-- name: failures_count
SELECT count(*)
FROM processing_queue q
WHERE q.status = 'failed' AND q.superseded_by IS NULL
  AND (%(stage)s::text IS NULL OR q.stage = %(stage)s::text::process_stage);

-- name: stage_durations
-- Duration histogram of rows completed in a recent window (ix_queue_finished), at most %(cap)s of them:
-- per stage, the count in each bucket (width_bucket: 0 below the first bound, i for bounds[i] <= d <
-- bounds[i+1]), the sum and the count.
WITH recent AS (
    SELECT stage, greatest(extract(epoch FROM finished_at - started_at), 0)::float8 AS d
    FROM processing_queue
    WHERE status = 'completed' AND finished_at > now() - make_interval(secs => %(window_s)s)
      AND started_at IS NOT NULL
    ORDER BY finished_at DESC
    LIMIT %(cap)s
)
SELECT stage::text, width_bucket(d, %(bounds)s::float8[]) AS bucket, count(*) AS n, sum(d) AS total
FROM recent
GROUP BY stage, bucket;

-- name: documents_total
SELECT count(*) FILTER (WHERE deleted_at IS NULL), count(*) FILTER (WHERE deleted_at IS NOT NULL)
FROM documents;

-- name: storage_totals
-- Live documents and the trash, with their originals' sizes (the admin area's storage figures).
SELECT count(*) FILTER (WHERE deleted_at IS NULL),
       coalesce(sum(size_bytes) FILTER (WHERE deleted_at IS NULL), 0),
       count(*) FILTER (WHERE deleted_at IS NOT NULL),
       coalesce(sum(size_bytes) FILTER (WHERE deleted_at IS NOT NULL), 0)
FROM documents;
