SELECT 1234567890123456789;
DELETE FROM very_long_table_name WHERE x = 1;
SELECT 1 -- comment longer than the limit
;
