/* SPDX-License-Identifier: MIT */
/* Private to src/scenario: the schema table shared by validation and `fozzy schema`. */
#ifndef FOZZY_SCENARIO_INTERNAL_H
#define FOZZY_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

enum field_type {
	FT_STR, FT_U64, FT_I64, FT_I32, FT_U16, FT_BOOL, FT_F64, FT_DUR, FT_OBJ, FT_ANY,
	FT_HEADERS, /* object whose values are strings */
	FT_STRARR,
	FT_STEPS,   /* nested step array (assert_throws / assert_rejects) */
	FT_NODE,    /* a node name of a distributed scenario */
};

struct field_def {
	const char *name;
	enum field_type type;
	bool required;
};

#define STEP_MAX_FIELDS 10

struct step_def {
	const char *type;
	struct field_def fields[STEP_MAX_FIELDS];
	const char *notes;
	const char *example;
};

/* table 0: steps, 1: distributed steps, 2: invariants */
const struct step_def *step_def_find(int table, const char *type);
const struct step_def *step_def_at(int table, size_t i);
const char *field_type_name(enum field_type t);

#endif
