/* role: names of the roles; see role.h. */
#include "core/role.h"

#include <string.h>

static const struct {
	const char *name;
	const char *label;
} roles[ROLE__COUNT] = {
	[ROLE_ENTERPRISE] = { "enterprise", "企业用户" },
	[ROLE_SPECIALIST] = { "specialist", "企业服务专员" },
	[ROLE_BUREAU_HANDLER] = { "bureau_handler", "承办人" },
	[ROLE_BUREAU_LEADER] = { "bureau_leader", "分管领导" },
	[ROLE_SUPERVISOR] = { "supervisor", "督办人员" },
	[ROLE_LEADER] = { "leader", "区领导" },
	[ROLE_TOWN_VIEWER] = { "town_viewer", "街镇查询员" },
	[ROLE_ADMIN] = { "admin", "系统管理员" },
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE__COUNT ? roles[r].name : "?";
}

const char *role_label(enum role r)
{
	return (unsigned)r < ROLE__COUNT ? roles[r].label : "?";
}

bool role_parse(const char *name, enum role *out)
{
	for (int r = 0; name && r < ROLE__COUNT; r++) {
		if (strcmp(roles[r].name, name) == 0) {
			*out = (enum role)r;
			return true;
		}
	}
	return false;
}

bool role_fits_org_kind(enum role r, const char *kind)
{
	/* which kinds of org each role's people work in (DESIGN.md §2) */
	static const char *const fits[ROLE__COUNT] = {
		[ROLE_ENTERPRISE] = " district town ",
		[ROLE_SPECIALIST] = " center town office ",
		[ROLE_BUREAU_HANDLER] = " bureau town office ",
		[ROLE_BUREAU_LEADER] = " bureau town office ",
		[ROLE_SUPERVISOR] = " district center bureau office ",
		[ROLE_LEADER] = " district ",
		[ROLE_TOWN_VIEWER] = " town office ",
		[ROLE_ADMIN] = " district center bureau town office ",
	};
	if ((unsigned)r >= ROLE__COUNT || !kind || !*kind || strchr(kind, ' '))
		return false;
	const char *hit = strstr(fits[r], kind);
	size_t n = strlen(kind);
	return hit && hit[-1] == ' ' && hit[n] == ' ';
}
