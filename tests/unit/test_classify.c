/* Unit tests: environment classification of names (the embedded default). */
#include "classify.h"
#include "unit.h"

static const char *env_of(const config *cfg, name_kind k, const char *name)
{
	facts fx = {0};
	static char out[64];

	fx.env_rank = -1;
	facts_consider(&fx, cfg, k, name);
	facts_settle_environment(&fx, cfg);
	snprintf(out, sizeof out, "%s", fx.environment);
	facts_free(&fx);
	return out;
}

int main(void)
{
	config cfg;
	char err[512];

	CHECK(config_load_default(&cfg, err, sizeof err), "default config loads: %s", err);

	/* the production token rule from the issue */
	const char *prod[] = {"prod-db", "db.prod.internal", "app_production", "prod2",
	                      "PROD",    "user@prod:5432",   "/srv/prod/data", "production"};
	for (size_t i = 0; i < sizeof prod / sizeof *prod; i++)
		CHECK(name_has_token(prod[i], "prod") || name_has_token(prod[i], "production"),
		      "'%s' should carry a production token", prod[i]);
	const char *notprod[] = {"product_catalog", "reproduce", "prodx", "preprod", "products"};
	for (size_t i = 0; i < sizeof notprod / sizeof *notprod; i++)
		CHECK(!name_has_token(notprod[i], "prod") &&
		          !name_has_token(notprod[i], "production"),
		      "'%s' must not carry a production token", notprod[i]);
	CHECK(!name_has_token("preprod", "prod"), "preprod is not prod");

	CHECK_STR(env_of(&cfg, NAME_DATABASE, "app_production"), "production");
	CHECK_STR(env_of(&cfg, NAME_DATABASE, "product_catalog"), "development");
	CHECK_STR(env_of(&cfg, NAME_HOST, "db.stg.example.com"), "staging");
	CHECK_STR(env_of(&cfg, NAME_WORKSPACE, "stage"), "staging");
	CHECK_STR(env_of(&cfg, NAME_WORKSPACE, "dev"), "development");

	/* local connections are development; unknown remote hosts production */
	CHECK_STR(env_of(&cfg, NAME_HOST, ""), "development");
	CHECK_STR(env_of(&cfg, NAME_HOST, "/var/run/postgresql"), "development");
	CHECK_STR(env_of(&cfg, NAME_HOST, "localhost"), "development");
	CHECK_STR(env_of(&cfg, NAME_HOST, "127.3.4.5"), "development");
	CHECK_STR(env_of(&cfg, NAME_HOST, "::1"), "development");
	CHECK_STR(env_of(&cfg, NAME_HOST, "10.0.0.7"), "production");
	CHECK_STR(env_of(&cfg, NAME_HOST, "db7.corp.example"), "production");
	CHECK(!host_is_local("128.0.0.1"), "128.0.0.1 is not loopback");
	CHECK(!host_is_local("localhost.evil.com"), "localhost.evil.com is remote");

	/* the highest rank wins across several names of one target */
	facts fx = {0};
	fx.env_rank = -1;
	facts_consider(&fx, &cfg, NAME_HOST, "localhost");
	facts_consider(&fx, &cfg, NAME_DATABASE, "shop_prod");
	facts_consider(&fx, &cfg, NAME_DATABASE, "dev");
	CHECK_STR(fx.environment, "production");
	CHECK_STR(fx.colour, "red");
	facts_free(&fx);

	config_free(&cfg);
	return unit_done();
}
