SELECT 1;

  SELECT 2
  FROM t ;   SELECT 3; -- trailing comment
-- a comment line
DELETE FROM t
WHERE id = 4 -- why
;
;;
SELECT 5
