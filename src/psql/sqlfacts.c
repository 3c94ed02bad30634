/* sqlfacts.c - being written. */
#include <stddef.h>
