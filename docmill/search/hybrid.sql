-- Hybrid search in one statement (docmill.search.fused): full-text and vector candidates, each collapsed to
-- documents (best chunk first) and ranked, fused by reciprocal rank, without deleted documents, paged, with
-- everything a hit shows and whether its document still waits for vectors.
-- {join} (the filters' join of chunks c to documents d, or nothing), {dim} and {model} (a literal, so the
-- planner matches the model's partial HNSW index) are filled in by the caller; the rest are parameters.

-- name: hybrid
WITH ft_all AS (
    SELECT m.id, m.document_id, ts_rank_cd(m.tsv, CAST(:tsq_all AS tsquery), 1) AS score
    FROM (SELECT c.id, c.document_id, c.tsv FROM chunks c{join}
          WHERE :try_all AND c.tsv @@ CAST(:tsq_all AS tsquery) LIMIT :cap) m
    ORDER BY score DESC, m.id LIMIT :depth
), ft_any AS (
    -- any of the terms, only when no chunk has all of them
    SELECT m.id, m.document_id, ts_rank_cd(m.tsv, CAST(:tsq_any AS tsquery), 1) AS score
    FROM (SELECT c.id, c.document_id, c.tsv FROM chunks c{join}
          WHERE :try_any AND c.tsv @@ CAST(:tsq_any AS tsquery) LIMIT :cap) m
    WHERE NOT EXISTS (SELECT 1 FROM ft_all)
    ORDER BY score DESC, m.id LIMIT :depth
), ft_docs AS (
    SELECT document_id, id AS chunk_id, row_number() OVER (ORDER BY score DESC, id) AS rank
    FROM (SELECT DISTINCT ON (document_id) document_id, id, score
          FROM (SELECT * FROM ft_all UNION ALL SELECT * FROM ft_any) ft
          ORDER BY document_id, score DESC, id) best
), vec AS (
    SELECT c.id, c.document_id, (c.embedding::vector({dim})) <=> CAST(:qv AS vector({dim})) AS distance
    FROM chunks c{join}
    WHERE c.model = {model} AND c.embedding IS NOT NULL
    ORDER BY distance LIMIT :depth
), vec_docs AS (
    SELECT document_id, id AS chunk_id, row_number() OVER (ORDER BY distance, id) AS rank
    FROM (SELECT DISTINCT ON (document_id) document_id, id, distance FROM vec
          WHERE distance <= :max_distance ORDER BY document_id, distance, id) best
), fused AS (
    SELECT coalesce(f.document_id, v.document_id) AS document_id,
           coalesce(1.0 / (:k + f.rank), 0) + coalesce(1.0 / (:k + v.rank), 0) AS score,
           coalesce(f.chunk_id, v.chunk_id) AS chunk_id,
           f.rank IS NOT NULL AS in_fulltext, v.rank IS NOT NULL AS in_vector
    FROM ft_docs f FULL OUTER JOIN vec_docs v ON v.document_id = f.document_id
), live AS (
    SELECT fu.*, EXISTS (SELECT 1 FROM processing_queue q WHERE q.document_id = fu.document_id
                         AND q.stage = 'embed' AND q.status IN ('pending', 'processing')) AS waiting
    FROM fused fu JOIN documents d ON d.id = fu.document_id AND d.deleted_at IS NULL
), page AS (
    SELECT l.*, count(*) OVER () AS total, count(*) FILTER (WHERE l.waiting) OVER () AS total_waiting
    FROM live l ORDER BY l.score DESC, l.document_id LIMIT :limit OFFSET :offset
)
SELECT p.document_id, p.score, p.in_fulltext, p.in_vector, p.waiting, p.total, p.total_waiting,
       d.title, d.original_name, d.kind, d.media_type, d.source, d.created_at, d.published_at,
       cat.path AS category, ch.id AS chunk_id, ch.heading, ch.text,
       (SELECT count(*) FROM processing_queue q JOIN documents w ON w.id = q.document_id AND w.deleted_at IS NULL
        WHERE q.stage = 'embed' AND q.status IN ('pending', 'processing')) AS all_waiting
FROM page p
JOIN documents d ON d.id = p.document_id
LEFT JOIN categories cat ON cat.id = d.category_id
JOIN chunks ch ON ch.id = p.chunk_id
ORDER BY p.score DESC, p.document_id;
