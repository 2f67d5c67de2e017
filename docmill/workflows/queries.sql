-- name: claim_deliveries
-- Due deliveries (pending and due, or delivering whose lease ran out: its process died), claimed for one
-- attempt; several runners split them with SKIP LOCKED.
UPDATE webhook_deliveries w
   SET status = 'delivering',
       attempts = w.attempts + 1,
       locked_until = now() + make_interval(secs => %(lease_s)s)
  FROM (
      SELECT id FROM webhook_deliveries
       WHERE status IN ('pending', 'delivering')
         AND next_attempt_at <= now()
         AND (status = 'pending' OR locked_until < now())
       ORDER BY next_attempt_at, id
       LIMIT %(limit)s
       FOR UPDATE SKIP LOCKED
  ) due
 WHERE w.id = due.id
RETURNING w.id, w.rule_id, w.url, w.body, w.attempts;

-- name: delivered
UPDATE webhook_deliveries
   SET status = 'delivered', delivered_at = now(), locked_until = NULL, last_error = NULL
 WHERE id = %(id)s AND status = 'delivering';

-- name: retry_later
UPDATE webhook_deliveries
   SET status = CASE WHEN attempts >= %(max_attempts)s THEN 'failed' ELSE 'pending' END,
       next_attempt_at = now() + make_interval(secs => %(delay_s)s),
       locked_until = NULL,
       last_error = %(error)s
 WHERE id = %(id)s AND status = 'delivering'
RETURNING status;

-- name: give_up
UPDATE webhook_deliveries
   SET status = 'failed', locked_until = NULL, last_error = %(error)s
 WHERE id = %(id)s AND status = 'delivering';

-- name: try_schedule_lock
-- One process runs a scheduled rule at a time: a transaction-scoped advisory lock per rule.
SELECT pg_try_advisory_xact_lock(%(namespace)s::int4, %(rule_id)s::int4) AS locked;

-- name: due_scheduled_rules
SELECT id FROM workflow_rules
 WHERE enabled AND trigger = 'scheduled'
   AND (last_scheduled_at IS NULL OR last_scheduled_at + make_interval(mins => schedule_minutes) <= now())
 ORDER BY position, id;
