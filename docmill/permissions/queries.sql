-- The one permission filter: which documents a user may see or change. Every read path asks these
-- fragments (through docmill.permissions.access), never writes its own. Each is a condition on a
-- documents row aliased `d`, with the caller's user id as %(viewer_id)s. Admins see everything and get
-- no condition at all.

-- name: can_view
-- The owner, everyone when the document is visible to all, a user it is shared with (view or edit),
-- and the members of a group it is shared with.
(d.owner_id = %(viewer_id)s
 OR d.visible_to_all
 OR EXISTS (
     SELECT 1 FROM document_shares s
     WHERE s.document_id = d.id
       AND (s.user_id = %(viewer_id)s
            OR s.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = %(viewer_id)s))
 ))

-- name: can_edit
-- The owner, and users (or members of groups) it is shared with as edit.
(d.owner_id = %(viewer_id)s
 OR EXISTS (
     SELECT 1 FROM document_shares s
     WHERE s.document_id = d.id AND s.permission = 'edit'
       AND (s.user_id = %(viewer_id)s
            OR s.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = %(viewer_id)s))
 ))

-- name: access_of
-- What one user may do with one document: owner, edit, view, or no row.
SELECT CASE
         WHEN d.owner_id = %(viewer_id)s THEN 'owner'
         WHEN EXISTS (
             SELECT 1 FROM document_shares s
             WHERE s.document_id = d.id AND s.permission = 'edit'
               AND (s.user_id = %(viewer_id)s
                    OR s.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = %(viewer_id)s))
         ) THEN 'edit'
         ELSE 'view'
       END AS access
FROM documents d
WHERE d.id = %(document_id)s
  AND (d.owner_id = %(viewer_id)s
       OR d.visible_to_all
       OR EXISTS (
           SELECT 1 FROM document_shares s
           WHERE s.document_id = d.id
             AND (s.user_id = %(viewer_id)s
                  OR s.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = %(viewer_id)s))
       ))
