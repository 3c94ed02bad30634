/* target.c - being written. */
#include <stddef.h>
