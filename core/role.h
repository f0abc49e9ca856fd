/*
 * role: the user roles of DESIGN.md §2.
 */
#ifndef SUQIU_CORE_ROLE_H
#define SUQIU_CORE_ROLE_H

#include <stdbool.h>

enum role {
	ROLE_ENTERPRISE,     /* staff of a registered enterprise */
	ROLE_SPECIALIST,     /* 企业服务专员: collects, triages, dispatches */
	ROLE_BUREAU_HANDLER, /* 承办人 of a bureau or town office */
	ROLE_BUREAU_LEADER,  /* 分管领导: a handler who also receives escalations */
	ROLE_SUPERVISOR,     /* 区营商办/督办: district-wide rulings */
	ROLE_LEADER,         /* district leadership: read-only, everything */
	ROLE_TOWN_VIEWER,    /* 街镇: read-only, de-identified, own town */
	ROLE_ADMIN,          /* system administrators */
	ROLE__COUNT
};

/* API name of a role ("bureau_handler"); "?" for out-of-range values. */
const char *role_name(enum role r);
/* zh-CN label ("承办人"). */
const char *role_label(enum role r);
/* Parses an API name; false when unknown. */
bool role_parse(const char *name, enum role *out);

/* True when a user of role r may belong to an org of this kind
 * ("district", "center", "bureau", "town", "office"). */
bool role_fits_org_kind(enum role r, const char *kind);

#endif
