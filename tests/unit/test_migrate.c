/*
 * Unit tests for core/migrate that need no database: loading the
 * migrations folder (naming rule, order, checksums, duplicates) and the
 * schema fingerprint.
 *
 * Each test gets its own sql folder under /tmp, made in .init and removed
 * in .fini.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/migrate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char sql_dir[64];    /* the folder passed to migrate_load */
static char mig_dir[96];    /* sql_dir/migrations */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh, empty sql/migrations folder. */
static void fresh_dirs(void)
{
	if (sql_dir[0])
		rm_tree(sql_dir);
	strcpy(sql_dir, "/tmp/suqiu-migrate-XXXXXX");
	cr_assert_not_null(mkdtemp(sql_dir), "mkdtemp: %s", strerror(errno));
	snprintf(mig_dir, sizeof mig_dir, "%s/migrations", sql_dir);
	cr_assert_eq(mkdir(mig_dir, 0700), 0, "mkdir: %s", strerror(errno));
}

static void teardown(void)
{
	if (sql_dir[0])
		rm_tree(sql_dir);
}

TestSuite(migrate, .init = fresh_dirs, .fini = teardown);

static void write_file(const char *name, const char *text, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", mig_dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "could not create %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void write_migration(const char *name, const char *text)
{
	write_file(name, text, strlen(text));
}

static void sha(const char *text, size_t len, char out[SECRET_HASH_HEX_LEN + 1])
{
	secret_hash_hex(text, len, out);
}

/* ---- loading ---- */

Test(migrate, loads_files_sorted_by_version)
{
	write_migration("0003_c.sql", "SELECT 3;\n");
	write_migration("0010_j.sql", "SELECT 10;\n");
	write_migration("0001_accounts.sql", "CREATE TABLE a (id int);\n");
	write_migration("0002_b.sql", "SELECT 2;\n");
	struct migration_set set;
	char err[512] = "";
	cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
	cr_assert_eq(set.count, 4);
	static const int versions[] = { 1, 2, 3, 10 };
	static const char *const names[] = { "0001_accounts.sql", "0002_b.sql", "0003_c.sql", "0010_j.sql" };
	for (size_t i = 0; i < 4; i++) {
		cr_expect_eq(set.items[i].version, versions[i], "item %zu: version %d", i, set.items[i].version);
		cr_expect_str_eq(set.items[i].name, names[i]);
	}
	cr_expect_str_eq(set.items[0].sql, "CREATE TABLE a (id int);\n");
	cr_expect_str_eq(set.items[3].sql, "SELECT 10;\n");
	migrate_free(&set);
}

Test(migrate, checksum_is_sha256_of_the_file_text)
{
	write_migration("0001_abc.sql", "abc");
	write_migration("0002_zh.sql", "-- 中文注释\nCREATE TABLE t (名 text)"); /* no final newline */
	write_migration("0003_empty.sql", "");
	struct migration_set set;
	char err[512] = "";
	cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
	cr_assert_eq(set.count, 3);
	cr_expect_str_eq(set.items[0].checksum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char want[SECRET_HASH_HEX_LEN + 1];
	const char *zh = "-- 中文注释\nCREATE TABLE t (名 text)";
	sha(zh, strlen(zh), want);
	cr_expect_str_eq(set.items[1].checksum, want);
	cr_expect_str_eq(set.items[1].sql, zh);
	cr_expect_str_eq(set.items[2].sql, "");
	cr_expect_str_eq(set.items[2].checksum, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	migrate_free(&set);
}

Test(migrate, reads_files_larger_than_one_buffer)
{
	/* sizes around the reader's 8 KiB buffer and its doublings */
	static const size_t sizes[] = { 8190, 8191, 8192, 8193, 16383, 16384, 50000 };
	for (size_t s = 0; s < N(sizes); s++) {
		fresh_dirs();
		char *text = malloc(sizes[s]);
		cr_assert_not_null(text);
		for (size_t i = 0; i < sizes[s]; i++)
			text[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
		write_file("0001_big.sql", text, sizes[s]);
		struct migration_set set;
		char err[512] = "";
		cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
		cr_assert_eq(set.count, 1);
		cr_expect_eq(strlen(set.items[0].sql), sizes[s], "size %zu read as %zu", sizes[s],
			     strlen(set.items[0].sql));
		cr_expect_eq(memcmp(set.items[0].sql, text, sizes[s]), 0, "size %zu: text differs", sizes[s]);
		char want[SECRET_HASH_HEX_LEN + 1];
		sha(text, sizes[s], want);
		cr_expect_str_eq(set.items[0].checksum, want, "size %zu", sizes[s]);
		migrate_free(&set);
		free(text);
	}
}

Test(migrate, empty_folder_is_an_empty_set)
{
	struct migration_set set;
	char err[512] = "";
	cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
	cr_assert_eq(set.count, 0);
	migrate_free(&set);
}

Test(migrate, ignores_hidden_files)
{
	write_migration(".gitkeep", "");
	write_migration(".0002_swap.sql.swp", "junk");
	write_migration("0001_a.sql", "SELECT 1;");
	struct migration_set set;
	char err[512] = "";
	cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
	cr_assert_eq(set.count, 1);
	cr_expect_str_eq(set.items[0].name, "0001_a.sql");
	migrate_free(&set);
}

/* The rule: NNNN_lowercase_name.sql, four digits, a number above zero,
 * then lower-case letters, digits and underscores. */
static const struct {
	const char *name;
	int version;
} good_names[] = {
	{ "0001_a.sql", 1 },
	{ "0001_accounts.sql", 1 },
	{ "0042_add_index_2.sql", 42 },
	{ "0100_x.sql", 100 },
	{ "9999_last.sql", 9999 },
	{ "0007_2fa.sql", 7 },
};

Test(migrate, accepts_well_named_files)
{
	for (size_t i = 0; i < N(good_names); i++) {
		fresh_dirs();
		write_migration(good_names[i].name, "SELECT 1;");
		struct migration_set set;
		char err[512] = "";
		bool ok = migrate_load(sql_dir, &set, err, sizeof err);
		cr_expect(ok, "%s refused: %s", good_names[i].name, err);
		if (!ok)
			continue;
		cr_expect_eq(set.count, 1);
		cr_expect_eq(set.items[0].version, good_names[i].version, "%s", good_names[i].name);
		cr_expect_str_eq(set.items[0].name, good_names[i].name);
		migrate_free(&set);
	}
}

static const char *const bad_names[] = {
	"1_x.sql",          /* fewer than four digits */
	"001_x.sql",
	"00001_x.sql",      /* five digits */
	"0001-x.sql",       /* dash instead of underscore */
	"0001x.sql",
	"0001_X.sql",       /* upper case */
	"0001_Accounts.sql",
	"0001_.sql",        /* no name */
	"0001.sql",
	"0000_zero.sql",    /* version 0 */
	"0001_x.SQL",
	"0001_x.sql~",
	"0001_x.sql.bak",
	"0001_x.txt",
	"0001_x",
	"0001_a-b.sql",
	"0001_a b.sql",
	"0001_a.b.sql",
	"000a_x.sql",
	"abcd_x.sql",
	"-001_x.sql",
	"0001_中文.sql",
	"README.md",
	"sql",
};

Test(migrate, refuses_badly_named_files)
{
	for (size_t i = 0; i < N(bad_names); i++) {
		fresh_dirs();
		/* a good file beside the bad one must not survive the refusal */
		write_migration("0001_good.sql", "SELECT 1;");
		write_migration(bad_names[i], "SELECT 2;");
		struct migration_set set;
		char err[512] = "";
		bool ok = migrate_load(sql_dir, &set, err, sizeof err);
		cr_expect_not(ok, "accepted \"%s\"", bad_names[i]);
		if (ok) {
			migrate_free(&set);
			continue;
		}
		char quoted[128];
		snprintf(quoted, sizeof quoted, "\"%s\"", bad_names[i]);
		cr_expect(strstr(err, quoted) != NULL, "%s: err \"%s\" lacks the name", bad_names[i], err);
		cr_expect(strstr(err, "NNNN_lowercase_name.sql") != NULL, "%s: err \"%s\"", bad_names[i], err);
		cr_expect_eq(set.count, 0);
		cr_expect_null(set.items);
	}
}

Test(migrate, refuses_duplicate_numbers_naming_both_files)
{
	write_migration("0001_first.sql", "SELECT 1;");
	write_migration("0002_alpha.sql", "SELECT 2;");
	write_migration("0002_beta.sql", "SELECT 2;");
	write_migration("0003_third.sql", "SELECT 3;");
	struct migration_set set;
	char err[512] = "";
	cr_assert_not(migrate_load(sql_dir, &set, err, sizeof err));
	cr_expect(strstr(err, "\"0002_alpha.sql\"") != NULL, "err: %s", err);
	cr_expect(strstr(err, "\"0002_beta.sql\"") != NULL, "err: %s", err);
	cr_expect(strstr(err, "0002") != NULL, "err: %s", err);
	cr_expect_eq(set.count, 0);
	cr_expect_null(set.items);
}

Test(migrate, missing_sql_folder_is_an_error)
{
	char missing[128];
	snprintf(missing, sizeof missing, "%s/nope", sql_dir);
	struct migration_set set;
	char err[512] = "";
	cr_assert_not(migrate_load(missing, &set, err, sizeof err));
	cr_expect(strstr(err, "could not open") != NULL, "err: %s", err);
	cr_expect(strstr(err, "/nope/migrations") != NULL, "err: %s", err);
	cr_expect_eq(set.count, 0);
}

Test(migrate, sql_folder_without_migrations_is_an_error)
{
	rm_tree(mig_dir);
	struct migration_set set;
	char err[512] = "";
	cr_assert_not(migrate_load(sql_dir, &set, err, sizeof err));
	cr_expect(strstr(err, mig_dir) != NULL, "err: %s", err);
}

Test(migrate, free_empties_the_set_and_may_run_twice)
{
	write_migration("0001_a.sql", "SELECT 1;");
	struct migration_set set;
	char err[512] = "";
	cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
	migrate_free(&set);
	cr_expect_eq(set.count, 0);
	cr_expect_null(set.items);
	migrate_free(&set);
}

/* ---- fingerprint ---- */

Test(migrate, fingerprint_lists_version_and_checksum_in_order)
{
	write_migration("0002_b.sql", "SELECT 2;");
	write_migration("0001_a.sql", "SELECT 1;");
	write_migration("0010_j.sql", "SELECT 10;");
	struct migration_set set;
	char err[512] = "";
	cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
	char s1[SECRET_HASH_HEX_LEN + 1], s2[SECRET_HASH_HEX_LEN + 1], s10[SECRET_HASH_HEX_LEN + 1];
	sha("SELECT 1;", 9, s1);
	sha("SELECT 2;", 9, s2);
	sha("SELECT 10;", 10, s10);
	char want[512];
	snprintf(want, sizeof want, "1:%s,2:%s,10:%s", s1, s2, s10);
	char *fp = migrate_fingerprint(&set);
	cr_expect_str_eq(fp, want);
	free(fp);
	migrate_free(&set);
}

Test(migrate, fingerprint_of_one_migration_has_no_separator)
{
	write_migration("0001_abc.sql", "abc");
	struct migration_set set;
	char err[512] = "";
	cr_assert(migrate_load(sql_dir, &set, err, sizeof err), "%s", err);
	char *fp = migrate_fingerprint(&set);
	cr_expect_str_eq(fp, "1:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(fp);
	migrate_free(&set);
}

Test(migrate, fingerprint_of_empty_set_is_empty)
{
	struct migration_set empty = { NULL, 0 };
	char *fp = migrate_fingerprint(&empty);
	cr_assert_not_null(fp);
	cr_expect_str_eq(fp, "");
	free(fp);
}

Test(migrate, fingerprint_fits_the_largest_versions)
{
	/* built by hand: four-digit versions, the widest the naming allows */
	struct migration items[3];
	memset(items, 0, sizeof items);
	for (int i = 0; i < 3; i++) {
		items[i].version = 9997 + i;
		memset(items[i].checksum, 'f', SECRET_HASH_HEX_LEN);
	}
	struct migration_set set = { items, 3 };
	char *fp = migrate_fingerprint(&set);
	cr_expect_eq(strlen(fp), 3 * (4 + 1 + SECRET_HASH_HEX_LEN) + 2, "%s", fp);
	cr_expect_eq(strncmp(fp, "9997:ffff", 9), 0, "%s", fp);
	cr_expect(strstr(fp, ",9999:") != NULL, "%s", fp);
	free(fp);
}

Test(migrate, fingerprint_sql_matches_the_c_format)
{
	/* same order, separator and pairing as migrate_fingerprint */
	cr_expect(strstr(migrate_fingerprint_sql, "version || ':' || checksum") != NULL);
	cr_expect(strstr(migrate_fingerprint_sql, "',' ORDER BY version") != NULL);
	cr_expect(strstr(migrate_fingerprint_sql, "coalesce(") != NULL, "an empty table must give ''");
}
