-- The ask package's SQL (docmill.ask), one named query per block ("-- name: <name>").
-- Parameters are psycopg's %(name)s placeholders.

-- name: document_chunks_scored
-- Every chunk of the given documents (whole documents, in order) under :model, with its cosine similarity
-- to the query vector where the chunk has one (NULL while the document waits for its vectors).
SELECT c.id AS chunk_id, c.document_id, c.ordinal, c.heading, c.text,
       CASE WHEN c.embedding IS NOT NULL AND %(qv)s::text IS NOT NULL AND vector_dims(c.embedding) = %(dim)s
            THEN 1 - (c.embedding <=> %(qv)s::vector) END AS similarity
FROM chunks c
WHERE c.document_id = ANY(%(document_ids)s) AND c.model = %(model)s
ORDER BY c.document_id, c.ordinal;

-- name: document_chunks_any_model
-- The chunks of the given documents when no embedding model is available (full text only).
SELECT DISTINCT ON (c.document_id, c.ordinal)
       c.id AS chunk_id, c.document_id, c.ordinal, c.heading, c.text, NULL::float8 AS similarity
FROM chunks c
WHERE c.document_id = ANY(%(document_ids)s)
ORDER BY c.document_id, c.ordinal, c.id;

-- name: document_heads
-- Title and file name of the given documents.
SELECT d.id AS document_id, coalesce(d.title, d.original_name, 'document ' || d.id) AS title, d.original_name
FROM documents d
WHERE d.id = ANY(%(document_ids)s);
