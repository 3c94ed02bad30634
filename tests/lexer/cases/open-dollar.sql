SELECT 1;
SELECT $x$ abc $y$;
