/*
 * Unit tests for core/role: API names, zh-CN labels, parsing, and which
 * kinds of org each role's people may belong to (DESIGN.md §2).
 *
 * The org-kind matrix is written out in full, so a change to the rule in
 * role.c must change this file too.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/role.h"
#include "core/utf8.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	enum role role;
	const char *name;
	const char *label;
} roles[] = {
	{ ROLE_ENTERPRISE, "enterprise", "企业用户" },
	{ ROLE_SPECIALIST, "specialist", "企业服务专员" },
	{ ROLE_BUREAU_HANDLER, "bureau_handler", "承办人" },
	{ ROLE_BUREAU_LEADER, "bureau_leader", "分管领导" },
	{ ROLE_SUPERVISOR, "supervisor", "督办人员" },
	{ ROLE_LEADER, "leader", "区领导" },
	{ ROLE_TOWN_VIEWER, "town_viewer", "街镇查询员" },
	{ ROLE_ADMIN, "admin", "系统管理员" },
};

Test(role, table_covers_every_role)
{
	cr_assert_eq(N(roles), ROLE__COUNT, "a role was added: extend this file");
	for (size_t i = 0; i < N(roles); i++)
		cr_expect_eq(roles[i].role, (enum role)i);
}

Test(role, names_and_labels)
{
	for (size_t i = 0; i < N(roles); i++) {
		cr_expect_str_eq(role_name(roles[i].role), roles[i].name);
		cr_expect_str_eq(role_label(roles[i].role), roles[i].label);
	}
}

Test(role, names_are_distinct_lowercase_identifiers)
{
	for (int r = 0; r < ROLE__COUNT; r++) {
		const char *n = role_name((enum role)r);
		cr_expect_gt(strlen(n), 0);
		for (const char *p = n; *p; p++)
			cr_expect((*p >= 'a' && *p <= 'z') || *p == '_', "%s: bad character '%c'", n, *p);
		for (int s = 0; s < r; s++)
			cr_expect_str_neq(n, role_name((enum role)s));
	}
}

Test(role, labels_are_distinct_valid_utf8)
{
	for (int r = 0; r < ROLE__COUNT; r++) {
		const char *l = role_label((enum role)r);
		cr_expect_gt(strlen(l), 0);
		cr_expect(utf8_valid((const unsigned char *)l, strlen(l), NULL), "label of %d", r);
		for (int s = 0; s < r; s++)
			cr_expect_str_neq(l, role_label((enum role)s));
	}
}

Test(role, parse_round_trips_every_role)
{
	for (int r = 0; r < ROLE__COUNT; r++) {
		enum role out = (enum role)-1;
		cr_expect(role_parse(role_name((enum role)r), &out), "%s", role_name((enum role)r));
		cr_expect_eq(out, (enum role)r, "%s parsed as %d", role_name((enum role)r), (int)out);
	}
}

Test(role, out_of_range_gives_question_mark)
{
	static const int bad[] = { ROLE__COUNT, ROLE__COUNT + 1, 1000, -1 };
	for (size_t i = 0; i < N(bad); i++) {
		cr_expect_str_eq(role_name((enum role)bad[i]), "?", "role %d", bad[i]);
		cr_expect_str_eq(role_label((enum role)bad[i]), "?", "role %d", bad[i]);
	}
}

static const char *const unknown_names[] = {
	"", "?", "Admin", "ADMIN", "admin ", " admin", "administrator", "adm", "bureau", "bureau-handler",
	"bureauhandler", "BUREAU_LEADER", "系统管理员", "leader\n", "town viewer",
};

Test(role, parse_rejects_unknown_names)
{
	for (size_t i = 0; i < N(unknown_names); i++) {
		enum role out = ROLE_LEADER;
		cr_expect_not(role_parse(unknown_names[i], &out), "accepted \"%s\"", unknown_names[i]);
		cr_expect_eq(out, ROLE_LEADER, "\"%s\": output written on failure", unknown_names[i]);
	}
}

Test(role, parse_rejects_null)
{
	enum role out = ROLE_LEADER;
	cr_assert_not(role_parse(NULL, &out));
	cr_assert_eq(out, ROLE_LEADER);
}

/* ---- role_fits_org_kind ---- */

static const char *const kinds[] = { "district", "center", "bureau", "town", "office" };

/* Per role, one character per kind above: 'y' = may belong, '-' = may not. */
static const char *const fits[ROLE__COUNT] = {
	/*                      dist cent bur town off */
	[ROLE_ENTERPRISE]     = "y" "-" "-" "y" "-",
	[ROLE_SPECIALIST]     = "-" "y" "-" "y" "y",
	[ROLE_BUREAU_HANDLER] = "-" "-" "y" "y" "y",
	[ROLE_BUREAU_LEADER]  = "-" "-" "y" "y" "y",
	[ROLE_SUPERVISOR]     = "y" "y" "y" "-" "y",
	[ROLE_LEADER]         = "y" "-" "-" "-" "-",
	[ROLE_TOWN_VIEWER]    = "-" "-" "-" "y" "y",
	[ROLE_ADMIN]          = "y" "y" "y" "y" "y",
};

Test(role, fits_org_kind_full_matrix)
{
	for (int r = 0; r < ROLE__COUNT; r++) {
		cr_assert_eq(strlen(fits[r]), N(kinds));
		for (size_t k = 0; k < N(kinds); k++) {
			bool want = fits[r][k] == 'y';
			cr_expect_eq(role_fits_org_kind((enum role)r, kinds[k]), want, "%s in %s: expected %s",
				     role_name((enum role)r), kinds[k], want ? "yes" : "no");
		}
	}
}

static const char *const bogus_kinds[] = {
	"", " ", "bur", "bureau ", " bureau", "x bureau", "bureau town", "Bureau", "BUREAU", "bureaus",
	"ureau", "own", "tow", "dis", "strict", "center town", "\tbureau", "bureau\t", "bureau\n", "office ",
	"局", "?", "district town",
};

Test(role, fits_org_kind_rejects_bogus_kinds_for_every_role)
{
	for (int r = 0; r < ROLE__COUNT; r++)
		for (size_t k = 0; k < N(bogus_kinds); k++)
			cr_expect_not(role_fits_org_kind((enum role)r, bogus_kinds[k]), "%s accepted kind \"%s\"",
				      role_name((enum role)r), bogus_kinds[k]);
}

Test(role, fits_org_kind_rejects_null_kind_and_bad_role)
{
	for (int r = 0; r < ROLE__COUNT; r++)
		cr_expect_not(role_fits_org_kind((enum role)r, NULL));
	static const int bad[] = { ROLE__COUNT, 1000, -1 };
	for (size_t i = 0; i < N(bad); i++)
		for (size_t k = 0; k < N(kinds); k++)
			cr_expect_not(role_fits_org_kind((enum role)bad[i], kinds[k]), "role %d in %s", bad[i],
				      kinds[k]);
}
