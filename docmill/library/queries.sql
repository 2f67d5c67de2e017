-- The library's SQL (docmill.library.service), one named query per block ("-- name: <name>").
-- awaiting_suggestion and unplaced run on psycopg (%(name)s parameters; operations calls them with a raw
-- connection); the others through SQLAlchemy (:name).

-- name: awaiting_suggestion
-- Live documents classify applies to that have no placement (not filed, no accepted suggestion), no
-- pending suggestion, are not queued for classify, and have reached it (their index row completed, or
-- classify itself ran before).
SELECT d.id FROM documents d
WHERE d.deleted_at IS NULL AND d.category_id IS NULL AND d.kind = ANY(%(kinds)s)
  AND NOT EXISTS (SELECT 1 FROM library_suggestions s WHERE s.document_id = d.id
                  AND s.status IN ('pending', 'accepted'))
  AND NOT EXISTS (SELECT 1 FROM processing_queue q WHERE q.document_id = d.id AND q.stage = 'classify'
                  AND q.status IN ('pending', 'processing'))
  AND EXISTS (SELECT 1 FROM processing_queue p WHERE p.document_id = d.id
              AND p.stage::text = ANY(%(ready_after)s) AND p.status = 'completed')
ORDER BY d.id;

-- name: unplaced
-- Live documents classify applies to without a placement (not filed, no accepted suggestion) that have
-- reached classify; their pending suggestions are made again when the library changes.
SELECT d.id FROM documents d
WHERE d.deleted_at IS NULL AND d.category_id IS NULL AND d.kind = ANY(%(kinds)s)
  AND NOT EXISTS (SELECT 1 FROM library_suggestions s WHERE s.document_id = d.id AND s.status = 'accepted')
  AND EXISTS (SELECT 1 FROM processing_queue p WHERE p.document_id = d.id
              AND p.stage::text = ANY(%(ready_after)s) AND p.status = 'completed')
ORDER BY d.id;

-- name: move_category_paths
-- A category and its subcategories under a new path prefix.
UPDATE categories SET path = :new_path || substr(path, length(:old_path) + 1)
WHERE path = :old_path OR path LIKE :old_prefix ESCAPE '\';

-- name: move_pending_suggestions
-- Pending suggestions that point into a moved branch follow it.
UPDATE library_suggestions SET suggested_path = :new_path || substr(suggested_path, length(:old_path) + 1)
WHERE status = 'pending' AND (suggested_path = :old_path OR suggested_path LIKE :old_prefix ESCAPE '\');
