/*
 * deid: de-identification (脱敏) of personal data for roles and exports that
 * need not see it (DESIGN.md §7): phone numbers keep their first three and
 * last four digits (138****5678), personal names keep their first character
 * (张*, 欧**). Input is assumed to be valid UTF-8 (it came through jsonin).
 */
#ifndef SUQIU_CORE_DEID_H
#define SUQIU_CORE_DEID_H

/* Both return a new string (free it); NULL in gives NULL out. */
char *deid_phone(const char *phone);
char *deid_name(const char *name);

#endif
