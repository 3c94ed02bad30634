/* terraform.c - the terraform analyser (being written: until then every
 * terraform invocation is "unanalysed", which the shipped rules confirm). */
#include "analyse.h"
#include "classify.h"

bool analyse_terraform(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	operation *op = facts_add_op(fx, "unanalysed");
	fs_set(&op->f, "reason", "this version has no analyser for it");
	fs_set(&op->f, "token", "terraform");
	facts_settle_environment(fx, inv->cfg);
	return true;
}
