/* leading block comment */ SELECT 1 /* mid; comment */ ;
SELECT /* a /* nested; */ still; */ 2;
SELECT 3 -- comment; with semicolon
;
SELECT 4 - -5, 6 -/**/ 7, 8/2;
/* only a comment */;
SELECT 9 /* **/ ; -- */
SELECT 10 /*/ x */;
-- comment at the end
