/* lexer.c - being written. */
#include <stddef.h>
