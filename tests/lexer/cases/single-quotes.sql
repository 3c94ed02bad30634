SELECT 'a;b', 'it''s; DROP TABLE x';
SELECT 'a\'; DELETE FROM t; --';
SELECT 'multi
line; UPDATE t SET a = 1
';
SELECT B'1010', X'ff', N'nat', U&'d\0061t';
