SELECT 1E'\'' ; SELECT 2; -- ';
SELECT 1.5e'x';
SELECT $1E'x';
SELECT 1x'y', 0x1E'z';
SELECT 1delete;
