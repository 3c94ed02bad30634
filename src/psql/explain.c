/* explain.c - being written. */
#include "explain.h"

void explain_estimates(const invocation *inv, facts *fx)
{
	(void)inv;
	(void)fx;
}
