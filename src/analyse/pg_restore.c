/* pg_restore.c - being written: until then every pg_restore invocation is
 * "unanalysed", which the shipped rules confirm. */
#include "analyse.h"
#include "classify.h"

bool analyse_pg_restore(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	operation *op = facts_add_op(fx, "unanalysed");
	fs_set(&op->f, "reason", "this version has no analyser for it");
	fs_set(&op->f, "token", "pg_restore");
	facts_adopt_env(fx, inv->cfg, inv->cfg->unknown_remote);
	return true;
}
