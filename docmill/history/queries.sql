-- The dashboard history's SQL (docmill.history), one named query per block, loaded by docmill.pipeline.sql.

-- name: try_lock
-- One sampler at a time across every api and worker process: a transaction-scoped advisory lock.
SELECT pg_try_advisory_xact_lock(%(namespace)s::int4, %(key)s::int4);

-- name: last_sample
SELECT max(taken_at) FROM dashboard_samples WHERE resolution_s = %(resolution)s;

-- name: insert_sample
INSERT INTO dashboard_samples
    (resolution_s, taken_at, stage, pending, processing, failed, oldest_pending_age_sec, completed_per_min)
VALUES (%(resolution)s, %(taken_at)s, %(stage)s, %(pending)s, %(processing)s, %(failed)s, %(oldest)s, %(per_min)s)
ON CONFLICT DO NOTHING;

-- name: downsample
-- Samples older than %(raw_keep_s)s seconds become one row per stage and %(bucket_s)s-second bucket (means;
-- the oldest pending age's maximum), then go; a bucket already written is not written twice.
WITH old AS (
    DELETE FROM dashboard_samples
    WHERE resolution_s = %(raw)s AND taken_at < now() - make_interval(secs => %(raw_keep_s)s)
    RETURNING taken_at, stage, pending, processing, failed, oldest_pending_age_sec, completed_per_min
)
INSERT INTO dashboard_samples
    (resolution_s, taken_at, stage, pending, processing, failed, oldest_pending_age_sec, completed_per_min)
SELECT %(bucket_s)s, date_bin(make_interval(secs => %(bucket_s)s), taken_at, TIMESTAMPTZ '2000-01-01'), stage,
       round(avg(pending)), round(avg(processing)), round(avg(failed)), max(oldest_pending_age_sec),
       avg(completed_per_min)
FROM old
GROUP BY 2, 3
ON CONFLICT DO NOTHING;

-- name: expire
DELETE FROM dashboard_samples WHERE taken_at < now() - make_interval(secs => %(keep_s)s);

-- name: window
-- Per stage and bucket over the window (ix_dashboard_samples_taken_at): means, and the worst oldest age.
SELECT date_bin(make_interval(secs => %(bucket_s)s), taken_at, TIMESTAMPTZ '2000-01-01') AS t, stage,
       avg(pending)::float8, avg(processing)::float8, avg(failed)::float8,
       max(oldest_pending_age_sec)::float8, avg(completed_per_min)::float8
FROM dashboard_samples
WHERE taken_at > now() - make_interval(secs => %(window_s)s)
GROUP BY 1, 2
ORDER BY 1, 2;
