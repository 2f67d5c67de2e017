-- The mail poller's SQL, one named query per block ("-- name: <name>"), loaded by docmill.collector.mail.poll.
-- Parameters are bound (%(name)s); rows are read into the dataclasses of poll.py.

-- name: due_accounts
-- Enabled accounts due for a poll, oldest first, leaving out those being polled right now (this process's,
-- and any whose advisory lock another session holds: see try_lock).
SELECT id FROM mail_accounts a
WHERE enabled AND next_fetch_at <= now() AND NOT (id = ANY(%(busy)s::bigint[]))
  AND NOT EXISTS (
      SELECT 1 FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.classid = %(namespace)s::oid AND l.objid = a.id::oid AND l.objsubid = 2
  )
ORDER BY next_fetch_at, id
LIMIT %(limit)s;

-- name: seconds_until_due
SELECT extract(epoch FROM min(next_fetch_at) - now())::float8 AS seconds
FROM mail_accounts a
WHERE enabled AND NOT (id = ANY(%(busy)s::bigint[]))
  AND NOT EXISTS (
      SELECT 1 FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.classid = %(namespace)s::oid AND l.objid = a.id::oid AND l.objsubid = 2
  );

-- name: try_lock
-- Held by the polling session for the whole poll: a second poll of the account (another collector, a
-- "fetch now") sees it taken; a collector that dies drops its connection and with it the lock.
SELECT pg_try_advisory_lock(%(namespace)s::int4, %(account_id)s::int4) AS locked;

-- name: folder_state
SELECT uidvalidity, last_uid FROM mail_folders WHERE account_id = %(account_id)s AND folder = %(folder)s;

-- name: folder_reset
-- The folder as the server numbers it now: a new UIDVALIDITY means its UIDs start over.
INSERT INTO mail_folders (account_id, folder, uidvalidity, last_uid)
VALUES (%(account_id)s, %(folder)s, %(uidvalidity)s, 0)
ON CONFLICT (account_id, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = 0, updated_at = now();

-- name: folder_advance
-- Every UID up to %(uid)s of this folder has been looked at.
UPDATE mail_folders SET last_uid = greatest(last_uid, %(uid)s), updated_at = now()
WHERE account_id = %(account_id)s AND folder = %(folder)s AND uidvalidity = %(uidvalidity)s;

-- name: retry_uids
-- Messages of this folder already looked at that need another go: matched but not ingested (failed, or
-- the collector died on them), or ingested with their after-action not done (a move whose folder was
-- missing…). Those failed too often are left alone.
SELECT uid FROM mail_messages
WHERE account_id = %(account_id)s AND folder = %(folder)s AND uidvalidity = %(uidvalidity)s
  AND (status = 'pending' OR (status = 'failed' AND attempts < %(max_attempts)s) OR (status = 'ingested' AND NOT action_done))
ORDER BY uid;

-- name: message_by_key
SELECT id, status, attempts, action_done, rule_id FROM mail_messages
WHERE account_id = %(account_id)s AND (message_key = %(key)s OR sha256 = %(sha256)s)
ORDER BY id
LIMIT 1;

-- name: message_begin
-- Record a matched message before its parts are ingested (attempts counts every try, even one the
-- collector died in). A message already ingested or rejected is left alone: nothing comes back.
INSERT INTO mail_messages (account_id, message_key, sha256, rule_id, folder, uidvalidity, uid, subject, sender,
                           sent_at, status, attempts)
VALUES (%(account_id)s, %(key)s, %(sha256)s, %(rule_id)s, %(folder)s, %(uidvalidity)s, %(uid)s, %(subject)s,
        %(sender)s, %(sent_at)s, 'pending', 1)
ON CONFLICT (account_id, message_key) DO UPDATE
SET attempts = mail_messages.attempts + 1, status = 'pending', sha256 = coalesce(mail_messages.sha256, excluded.sha256),
    rule_id = excluded.rule_id, folder = excluded.folder, uidvalidity = excluded.uidvalidity, uid = excluded.uid,
    updated_at = now()
WHERE mail_messages.status IN ('pending', 'failed')
RETURNING id, attempts;

-- name: message_give_up
UPDATE mail_messages SET status = 'failed', error = %(error)s, updated_at = now() WHERE id = %(id)s;

-- name: message_reject
-- A message that can never be ingested as it is (too large to download): recorded, never tried again.
INSERT INTO mail_messages (account_id, message_key, rule_id, folder, uidvalidity, uid, subject, sender, sent_at,
                           status, error)
VALUES (%(account_id)s, %(key)s, %(rule_id)s, %(folder)s, %(uidvalidity)s, %(uid)s, %(subject)s, %(sender)s,
        %(sent_at)s, 'rejected', %(error)s)
ON CONFLICT (account_id, message_key) DO UPDATE SET status = 'rejected', error = excluded.error, updated_at = now()
WHERE mail_messages.status <> 'ingested';

-- name: message_ingested
UPDATE mail_messages
SET status = 'ingested', error = NULL, warnings = %(warnings)s, documents_added = %(documents_added)s, updated_at = now()
WHERE id = %(id)s;

-- name: message_failed
UPDATE mail_messages SET status = 'failed', error = %(error)s, updated_at = now() WHERE id = %(id)s;

-- name: message_action_done
UPDATE mail_messages SET action_done = true, updated_at = now() WHERE id = %(id)s;

-- name: message_vanished
-- An ingested message whose after-action was not recorded is gone from its folder: the action happened
-- (the collector died before it could say so) or someone moved it; either way nothing is left to do.
UPDATE mail_messages SET action_done = true, updated_at = now()
WHERE account_id = %(account_id)s AND folder = %(folder)s AND uidvalidity = %(uidvalidity)s AND uid = %(uid)s
  AND status = 'ingested' AND NOT action_done;

-- name: link_document
INSERT INTO mail_message_documents (message_id, document_id, role, name)
VALUES (%(message_id)s, %(document_id)s, %(role)s, %(name)s)
ON CONFLICT DO NOTHING;

-- name: assign_document
-- What the rule assigns: its category where the document has none, its tags added to the document's, and
-- (once) where the document came from.
UPDATE documents
SET category_id = coalesce(category_id, %(category_id)s),
    tags = ARRAY(SELECT DISTINCT t FROM unnest(tags || %(tags)s::text[]) AS t ORDER BY t),
    metadata = CASE WHEN metadata ? 'mail' THEN metadata ELSE metadata || jsonb_build_object('mail', %(mail)s::jsonb) END
WHERE id = %(document_id)s;

-- name: account_progress
UPDATE mail_accounts SET progress = %(progress)s::jsonb WHERE id = %(account_id)s;

-- name: account_counts
UPDATE mail_accounts
SET messages_ingested = messages_ingested + %(messages)s, documents_added = documents_added + %(documents)s
WHERE id = %(account_id)s;

-- name: account_capabilities
UPDATE mail_accounts SET capabilities = %(capabilities)s WHERE id = %(account_id)s;
