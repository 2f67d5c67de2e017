-- Notes on documents in search (docmill.search.service): a document is found by the words of its notes.
-- Run through SQLAlchemy (:name parameters). FILTERS is replaced by the search's conditions on documents `d`
-- (the one permission filter among them), built from bound parameters only.

-- name: note_candidates
-- Notes matching the tsquery on documents that pass the filters, best first.
SELECT n.id, n.document_id, ts_rank_cd(n.tsv, CAST(:tsq AS tsquery), 1) AS rank
FROM document_notes n JOIN documents d ON d.id = n.document_id
WHERE n.tsv @@ CAST(:tsq AS tsquery) AND FILTERS
ORDER BY rank DESC, n.id
LIMIT :depth;

-- name: note_hits
-- The documents and note texts of note-only hits, shaped like a chunk hit's row.
SELECT d.id AS document_id, d.title, d.original_name, d.kind, d.media_type, d.source, d.created_at,
       d.published_at, cat.path AS category, 0 AS chunk_id, NULL AS heading, n.body AS text, n.id AS note_id
FROM documents d LEFT JOIN categories cat ON cat.id = d.category_id
JOIN document_notes n ON n.id = ANY(:note_ids) AND n.document_id = d.id
WHERE d.id = ANY(:doc_ids);
