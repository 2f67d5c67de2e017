-- The chunk store's SQL (docmill.search.chunks), one named query per block ("-- name: <name>").
-- Parameters use SQLAlchemy's :name style.

-- name: document_chunks
-- Every chunk of a document, per model, in order; has_vector says whether embed has run on it.
SELECT id, ordinal, heading, text, model, embedding IS NOT NULL AS has_vector
FROM chunks WHERE document_id = :document_id
ORDER BY model, ordinal;

-- name: delete_document_chunks
DELETE FROM chunks WHERE document_id = :document_id;

-- name: delete_other_models
-- A document's chunks of every model but :model (once the new model's vectors are in).
DELETE FROM chunks WHERE document_id = :document_id AND model <> :model;

-- name: delete_model_chunks
DELETE FROM chunks WHERE document_id = :document_id AND model = :model;

-- name: insert_chunk
INSERT INTO chunks (document_id, ordinal, heading, text, tsv, embedding, model)
VALUES (:document_id, :ordinal, :heading, :text, CAST(:tsv AS tsvector), CAST(:embedding AS vector), :model);

-- name: update_tsv
UPDATE chunks SET tsv = CAST(:tsv AS tsvector) WHERE id = :id;

-- name: set_vector
UPDATE chunks SET embedding = CAST(:embedding AS vector) WHERE id = :id AND model = :model;

-- name: copy_chunk_to_model
-- The same chunk (text and full-text tokens) under another model, with that model's vector.
INSERT INTO chunks (document_id, ordinal, heading, text, tsv, embedding, model)
SELECT document_id, ordinal, heading, text, tsv, CAST(:embedding AS vector), :model
FROM chunks WHERE id = :id
ON CONFLICT (document_id, model, ordinal) DO UPDATE SET embedding = EXCLUDED.embedding;

-- name: documents_on_other_models
-- Documents with vectors of some other model and none of :model (the configured model changed and
-- `docmill queue run-all embed` has not reached them yet).
SELECT count(DISTINCT c.document_id) AS n FROM chunks c
WHERE c.model <> :model AND c.embedding IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM chunks x WHERE x.document_id = c.document_id AND x.model = :model
                  AND x.embedding IS NOT NULL);
