// SPDX-License-Identifier: MIT
/*
 * fozzy corpus list|add|minimize: fuzz corpora are folders of plain files
 * (shared as they are with AFL++ and libFuzzer); these commands look at them,
 * add to them, and shrink them to the inputs that matter.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/fuzz.h"
#include "fozzy/modes.h"
#include "fozzy/report.h"
#include "fozzy/util.h"

const char corpus_usage[] =
	"usage: fozzy corpus list DIR\n"
	"       fozzy corpus add DIR FILE...\n"
	"       fozzy corpus minimize DIR [--out DIR2] [OPTIONS] -- CMD [ARGS...]\n"
	"       fozzy corpus export DIR --out ARCHIVE.zip\n"
	"       fozzy corpus import ARCHIVE.zip --out DIR\n"
	"\n"
	"A corpus is a folder of plain files, one input each (AFL++ and libFuzzer\n"
	"corpora work as they are); DIR/crashes holds the findings of fozzy fuzz.\n"
	"\n"
	"  list       the inputs of DIR, sorted, with their sizes (crashes/ apart)\n"
	"  add        copy each FILE into DIR as input-<xxh3 of its bytes>; a file\n"
	"             already there (same bytes) is not added twice\n"
	"  minimize   run every input of DIR under fozzy (as fozzy fuzz would, @@\n"
	"             included) and keep, for every edge bucket (or behaviour\n"
	"             feature) the corpus reaches, the smallest input that reaches it;\n"
	"             inputs with findings are kept. The others are removed, or, with\n"
	"             --out DIR2, the kept ones are copied to DIR2 and DIR is left as\n"
	"             it is\n"
	"\n"
	"  export     every file under DIR (crashes/ too) into a zip archive, sorted,\n"
	"             with fixed timestamps, written atomically; links are refused\n"
	"  import     the files of a zip archive into DIR; every name is checked first\n"
	"             (relative, no . or .., portable characters, no two differing\n"
	"             only in case, no links, sizes bounded) and nothing that exists\n"
	"             is overwritten\n"
	"\n"
	"  --out DIR2          minimize: write the kept inputs to DIR2; export: the\n"
	"                      archive; import: the folder\n"
	"  --timeout DUR       minimize: virtual-time limit of a run (default 10s)\n"
	"  --wall-timeout DUR  minimize: real-time guard of a run (default 5s)\n"
	"  --no-rt             minimize: do not preload libfozzy-rt.so\n"
	"  --no-fork-server    minimize: one full run per input\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"  --json              print the result as JSON on stdout\n"
	"\n"
	"Exit status: 0 done, 2 error.\n";

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int corpus_list(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	cJSON *a = cJSON_CreateArray();
	uint64_t total = 0;

	if (!d && errno != ENOENT) {
		cJSON_Delete(a);
		error("corpus list: cannot read '%s': %s", dir, strerror(errno));
		return EXIT_ERROR;
	}
	while (d && (de = readdir(d))) {
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;

		if (de->d_name[0] != '.' && !stat(p, &st) && S_ISREG(st.st_mode)) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
		free(p);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		struct stat st;
		cJSON *o = cJSON_CreateObject();

		if (stat(p, &st))
			st.st_size = 0;
		cJSON_AddStringToObject(o, "path", p);
		cJSON_AddItemToObject(o, "bytes", json_u64((uint64_t)st.st_size));
		cJSON_AddItemToArray(a, o); /* a takes o */
		if (!global.json)
			printf("%10" PRIu64 "  %s\n", (uint64_t)st.st_size, p);
		total += (uint64_t)st.st_size;
		free(p);
		free(names[i]);
	}
	free(names);
	if (global.json)
		json_print(a);
	else
		fprintf(stderr, "%zu inputs, %" PRIu64 " bytes\n", n, total);
	cJSON_Delete(a);
	return EXIT_PASS;
}

static int corpus_add(const char *dir, char **files, int n)
{
	cJSON *a = cJSON_CreateArray();
	int i;

	if (mkdir_p(dir, 0755)) {
		cJSON_Delete(a);
		error("corpus add: cannot create '%s': %s", dir, strerror(errno));
		return EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		struct buf b = { 0 };
		char *to;

		if (read_file(files[i], &b)) {
			cJSON_Delete(a);
			error("corpus add: cannot read '%s': %s", files[i], strerror(errno));
			return EXIT_ERROR;
		}
		to = xasprintf("%s/input-%016" PRIx64, dir, XXH3_64bits(b.data ? b.data : (const uint8_t *)"", b.len));
		if (access(to, F_OK) && write_file_atomic(to, b.data ? b.data : (const uint8_t *)"", b.len)) {
			buf_release(&b);
			error("corpus add: cannot write '%s': %s", to, strerror(errno));
			free(to);
			cJSON_Delete(a);
			return EXIT_ERROR;
		}
		if (!global.json)
			printf("%s\n", to);
		cJSON_AddItemToArray(a, cJSON_CreateString(to));
		buf_release(&b);
		free(to);
	}
	if (global.json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToObject(o, "added", a);
		json_print(o);
		cJSON_Delete(o);
	} else {
		cJSON_Delete(a);
	}
	return EXIT_PASS;
}

enum { OPT_OUT = 1, OPT_TIMEOUT, OPT_WALL, OPT_NO_RT, OPT_NO_FS, OPT_BASE };

static int corpus_minimize(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, OPT_OUT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "wall-timeout", required_argument, NULL, OPT_WALL },
		{ "no-rt", no_argument, NULL, OPT_NO_RT },
		{ "no-fork-server", no_argument, NULL, OPT_NO_FS },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct fuzz_opts o;
	const char *out = NULL;
	int opt;

	fuzz_opts_init(&o);
	/* each input's own edges, as a fresh fork gives them: no state from the inputs before */
	o.no_persistent = true;
	o.corpus = argv[1];
	o.max_input = (size_t)1 << 40; /* never cut: inputs are kept or copied whole */
	opterr = 0;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case OPT_HELP:
			fputs(corpus_usage, stdout);
			return EXIT_PASS;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &o.run.timeout_ns) || !o.run.timeout_ns)
				return usage_error("corpus ", "invalid --timeout '%s': expected e.g. 500ms, 30s", optarg);
			break;
		case OPT_WALL:
			if (parse_duration(optarg, &o.run.wall_timeout_ns) || !o.run.wall_timeout_ns)
				return usage_error("corpus ", "invalid --wall-timeout '%s': expected e.g. 1s, 30s", optarg);
			break;
		case OPT_NO_RT:
			o.run.no_rt = true;
			break;
		case OPT_NO_FS:
			o.no_fork_server = true;
			break;
		case OPT_BASE:
			o.run.base_dir = optarg;
			break;
		default:
			return usage_error("corpus ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("corpus ", "minimize needs the program: fozzy corpus minimize DIR [OPTIONS] -- CMD [ARGS...]");
	o.run.cmd = argv + optind;
	o.run.ncmd = argc - optind;
	o.run.json = global.json;
	o.run.strict = !global.unsafe;
	o.run.seed = 0;
	{
		struct stat st;

		if (stat(o.corpus, &st)) {
			error("corpus minimize: cannot read the folder '%s': %s", o.corpus, strerror(errno));
			return EXIT_ERROR;
		}
		if (!S_ISDIR(st.st_mode)) {
			error("corpus minimize: '%s' is not a folder", o.corpus);
			return EXIT_ERROR;
		}
	}
	return mode_corpus_minimize(&o, out);
}

int cmd_corpus(int argc, char **argv)
{
	const char *sub;
	int i, k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(corpus_usage, stdout);
			return EXIT_PASS;
		}
	}
	/* --json anywhere before "--", as after other commands */
	for (i = k = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			while (i < argc)
				argv[k++] = argv[i++];
		if (i >= argc)
			break;
		if (!strcmp(argv[i], "--json"))
			global.json = true;
		else
			argv[k++] = argv[i];
	}
	argc = k;
	argv[argc] = NULL;
	sub = argc > 1 ? argv[1] : NULL;
	if (!sub)
		return usage_error("corpus ", "missing the subcommand: list, add, minimize, export or import");
	if (!strcmp(sub, "list")) {
		if (argc != 3 || argv[2][0] == '-')
			return usage_error("corpus ", "usage: fozzy corpus list DIR");
		return corpus_list(argv[2]);
	}
	if (!strcmp(sub, "add")) {
		if (argc < 4)
			return usage_error("corpus ", "usage: fozzy corpus add DIR FILE...");
		return corpus_add(argv[2], argv + 3, argc - 3);
	}
	if (!strcmp(sub, "minimize")) {
		if (argc < 3 || argv[2][0] == '-')
			return usage_error("corpus ", "usage: fozzy corpus minimize DIR [--out DIR2] -- CMD [ARGS...]");
		return corpus_minimize(argc - 1, argv + 1);
	}
	if (!strcmp(sub, "export") || !strcmp(sub, "import")) {
		const char *src = NULL, *out = NULL;
		char why[1024];
		unsigned count = 0;
		int rc;

		for (i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--out") && i + 1 < argc)
				out = argv[++i];
			else if (!strncmp(argv[i], "--out=", 6))
				out = argv[i] + 6;
			else if (argv[i][0] == '-' || src)
				return usage_error("corpus ", "unexpected argument '%s'", argv[i]);
			else
				src = argv[i];
		}
		if (!src || !out)
			return usage_error("corpus ", "usage: fozzy corpus %s", !strcmp(sub, "export") ? "export DIR --out ARCHIVE.zip"
													: "import ARCHIVE.zip --out DIR");
		rc = !strcmp(sub, "export") ? corpus_export(src, out, &count, why, sizeof(why))
					    : corpus_import(src, out, &count, why, sizeof(why));
		if (rc) {
			if (global.json)
				json_print_error(why);
			error("corpus %s: %s", sub, why);
			return EXIT_ERROR;
		}
		if (global.json) {
			cJSON *j = cJSON_CreateObject();

			cJSON_AddBoolToObject(j, "ok", true);
			cJSON_AddStringToObject(j, !strcmp(sub, "export") ? "zip" : "dir", out);
			cJSON_AddNumberToObject(j, "files", count);
			json_print(j);
			cJSON_Delete(j);
		} else {
			printf("%s %u file%s %s %s\n", !strcmp(sub, "export") ? "exported" : "imported", count, count == 1 ? "" : "s",
			       !strcmp(sub, "export") ? "to" : "into", out);
		}
		return EXIT_PASS;
	}
	return usage_error("corpus ", "unknown subcommand '%s': expected list, add, minimize, export or import", sub);
}
