#ifndef PG_PROFILE_H
#define PG_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/map.h"

/*
 * CPU profiles in the pprof format (github.com/google/pprof, the schema in
 * bench-runner/profile.proto): decoding, merging, label filtering, flat and
 * cumulative shares per function, the difference between two profiles and
 * the merged call tree a differential flame graph is drawn from.
 *
 * Like the rest of stats/, this never opens a file: the caller reads one
 * and hands its bytes and its name to pg_profile_parse(); the name only
 * appears in error messages. Nothing here prints.
 *
 * The model keeps what the analyses need: per sample the stack of function
 * names (leaf first, inlined frames expanded), one value per sample type
 * and the labels. Function names, label keys and values live once in the
 * profile's string pool (`strings`); frames and labels refer to it by
 * index.
 */

/* A sample type, e.g. "cpu"/"nanoseconds", "samples"/"count". */
typedef struct pg_profile_type {
	char *type;
	char *unit;
} pg_profile_type;

/* A label: indices into the profile's `strings`. A string label has
 * str != 0; a numeric one has str == 0 (the empty string), `num` and its
 * unit (0 when it has none). */
typedef struct pg_profile_label {
	size_t key;
	size_t str;
	int64_t num;
	size_t num_unit;
} pg_profile_label;

/* One sample: frames[frame_off .. frame_off + nframes) (indices into
 * `strings`, leaf first, inlined frames expanded innermost first),
 * labels[label_off .. label_off + nlabels); its values are
 * values[i * ntypes .. i * ntypes + ntypes) for sample i. */
typedef struct pg_profile_sample {
	size_t frame_off, nframes;
	size_t label_off, nlabels;
} pg_profile_sample;

/* A profile (one input, or several merged). It owns everything in it. */
typedef struct pg_profile {
	char *name;             /* for messages: the inputs' names joined by
				 * ',' ("a.pb.gz,b.pb.gz"); "" when empty */
	size_t ninputs;         /* inputs added (parsed or merged) */
	pg_profile_type *types; /* the sample types, in the first input's order */
	size_t ntypes;
	pg_profile_sample *samples;
	size_t nsamples, samples_alloc;
	int64_t *values;        /* nsamples x ntypes */
	size_t values_alloc;    /* elements allocated at `values` */
	size_t *frames;         /* all samples' stacks, back to back */
	size_t nframes, frames_alloc;
	pg_profile_label *labels;
	size_t nlabels, labels_alloc;
	char **strings;         /* the string pool; strings[0] is "" */
	size_t nstrings, strings_alloc;
	pg_map string_index;    /* string -> index into `strings` */
	int64_t duration_nanos; /* summed over the inputs */
} pg_profile;

void pg_profile_init(pg_profile *p);

/* Free everything the profile owns; it is empty (and usable) afterwards.
 * Safe on NULL and on an initialised empty profile. */
void pg_profile_release(pg_profile *p);

/*
 * Decode one pprof profile (`len` bytes at `data`, gzip-compressed or not:
 * the gzip magic 1f 8b is detected) and add its samples to `out`, like
 * pg_profile_merge() does. `name` (the file name) prefixes every error
 * message. Locations are expanded into function names: every line of a
 * location is one frame (innermost inlined function first); a function
 * without a name takes its system name; a location without function
 * information is named "<module base name>+0x<offset in the module>"
 * when its mapping has a file name, else "0x<address>".
 *
 * Returns 0, PG_EINPUT or PG_ENOMEM. Input errors:
 *   "'x.pb.gz': empty file",
 *   "'x.pb.gz': corrupt gzip data: <zlib's message>",
 *   "'x.pb.gz': truncated gzip data",
 *   "'x.pb.gz': not a pprof profile: cannot decode the protocol buffer",
 *   "'x.pb.gz': not a pprof profile: <what is inconsistent>" (no sample
 *   type, a string index out of range, a sample with the wrong number of
 *   values, an unknown location or function ID),
 *   "'x.pb.gz': sample types (...) differ from those of 'a.pb.gz' (...)"
 *   (merging into a non-empty `out`).
 * On failure `out` is left as it was.
 */
int pg_profile_parse(pg_profile *out, const char *name, const void *data,
		     size_t len);

/* Add all samples of `src` to `out` (several runs of the same benchmark
 * become one profile: values add up). An empty `out` takes the sample types
 * of `src`; otherwise both must have the same sample types (in any order),
 * else PG_EINPUT naming both. 0, PG_EINPUT or PG_ENOMEM; on failure `out`
 * is left as it was. */
int pg_profile_merge(pg_profile *out, const pg_profile *src);

/* Add to `out` (as pg_profile_merge() does) the samples of `src` that carry
 * the label key=value: a string label equal to `value`, or a numeric label
 * whose decimal value is `value`. 0, PG_EINPUT or PG_ENOMEM. Matching no
 * sample is not an error (`out` gets the sample types but no samples; the
 * analyses below then report an empty profile). */
int pg_profile_filter_label(pg_profile *out, const pg_profile *src,
			    const char *key, const char *value);

/* Split "key=value" (as given on a command line) into the two parts,
 * which point into `spec` (key ends at the '='; `*key_len` is its length).
 * 0 or PG_EINPUT ("label 'x' is not key=value"). */
int pg_profile_label_spec(const char **key, size_t *key_len, const char **value,
			  const char *spec);

/* The index in p->types of the sample type named by `spec`: "type" or
 * "type/unit" ("cpu", "cpu/nanoseconds", "samples"). With spec NULL or
 * "": cpu/nanoseconds when the profile has it, else the first sample type.
 * 0 or PG_EINPUT ("'x.pb.gz': no sample type 'alloc_space' (it has
 * samples/count, cpu/nanoseconds)"). */
int pg_profile_find_type(size_t *out, const pg_profile *p, const char *spec);

/* The sum of sample type `type`'s values over all samples. */
int64_t pg_profile_total(const pg_profile *p, size_t type);

/* The number of samples taken: the total of the sample type samples/count
 * when the profile has it (a pprof sample record may stand for several
 * samples with the same stack), else the number of sample records. */
int64_t pg_profile_sample_count(const pg_profile *p);

/* ------------------------------------------------------------ top */

/* A function's share of one profile. Flat: samples where it is the leaf.
 * Cumulative: samples where it is anywhere on the stack (counted once per
 * sample, also when it recurses). Percentages are of the profile's total
 * for the sample type. */
typedef struct pg_profile_func {
	char *name;
	int64_t flat, cum;
	double flat_percent, cum_percent;
} pg_profile_func;

typedef struct pg_profile_top {
	char *type, *unit;      /* the sample type analysed */
	int64_t total;          /* its total over all samples */
	int64_t nsamples;       /* pg_profile_sample_count() */
	pg_profile_func *funcs; /* every function on a stack, sorted by flat
				 * (by_cum: cum) descending, then the other
				 * value descending, then name */
	size_t n;
} pg_profile_top;

/* Flat and cumulative totals per function for the sample type `spec` (see
 * pg_profile_find_type()). 0, PG_EINPUT (unknown sample type; "'x.pb.gz':
 * empty profile (no cpu/nanoseconds samples)" when the total is 0) or
 * PG_ENOMEM. `out` owns its strings: pg_profile_top_release(). */
int pg_profile_top_compute(pg_profile_top *out, const pg_profile *p,
			   const char *spec, int by_cum);

/* Free the result; safe on NULL and on a zeroed value. */
void pg_profile_top_release(pg_profile_top *t);

/* ------------------------------------------------------------ diff */

/* One function in the difference of two profiles. Percentages are of each
 * profile's own total (so a function that takes the same share of a
 * slower run has not grown); growth_points = new_flat_percent -
 * base_flat_percent, in percentage points. A function absent from one
 * profile has 0 there. */
typedef struct pg_profile_diff_func {
	char *name;
	int64_t base_flat, new_flat;
	double base_flat_percent, new_flat_percent;
	double base_cum_percent, new_cum_percent;
	double growth_points;
} pg_profile_diff_func;

typedef struct pg_profile_diff {
	char *type, *unit;           /* the sample type compared */
	int64_t base_total, new_total;
	int64_t base_samples, new_samples; /* pg_profile_sample_count() */
	pg_profile_diff_func *funcs; /* every function of either profile,
				      * by growth_points descending (the
				      * largest growth first, the largest
				      * shrink last), ties by name */
	size_t n;
} pg_profile_diff;

/* The difference from `base` to `next` for sample type `spec` (NULL: as
 * pg_profile_find_type() picks it in `base`; `next` must have the same
 * type and unit). 0, PG_EINPUT (unknown sample type in either, an empty
 * profile, naming it) or PG_ENOMEM. pg_profile_diff_release() frees. */
int pg_profile_diff_compute(pg_profile_diff *out, const pg_profile *base,
			    const pg_profile *next, const char *spec);

void pg_profile_diff_release(pg_profile_diff *d);

/* ------------------------------------------------------------ call tree */

/* A function of the call tree with its shares in both profiles, as in
 * pg_profile_top_compute(): flat (leaf) and cumulative (anywhere on the
 * stack, once per sample); base_* are 0 when the base does not have it. */
typedef struct pg_profile_tree_func {
	const char *name;      /* owned by the tree */
	int64_t new_flat, new_cum;
	int64_t base_flat, base_cum;
} pg_profile_tree_func;

/* A node of the merged call tree: one call path from the root. `cum` are
 * the samples whose stack starts with this path, `self` those where it is
 * the whole stack. base_* are the same path's values in the base profile
 * (0 when the base does not have the path). */
typedef struct pg_profile_node {
	const char *name;      /* owned by the tree */
	size_t func;           /* index into tree->funcs */
	size_t parent;         /* SIZE_MAX for the root */
	size_t first_child;    /* SIZE_MAX when none; children in name order */
	size_t next_sibling;   /* SIZE_MAX when last */
	size_t depth;          /* 0 for the root */
	int64_t new_cum, new_self;
	int64_t base_cum, base_self;
} pg_profile_node;

/* The call tree of the new profile with the base's values beside it.
 * nodes[0] is the synthetic root "all" (new_cum = new_total, base_cum =
 * base_total; funcs[nodes[0].func], its own entry, likewise); a node's
 * parent always has a smaller index. */
typedef struct pg_profile_tree {
	pg_profile_node *nodes;
	size_t n, alloc;
	size_t max_depth;
	pg_profile_tree_func *funcs; /* one per distinct name, then the root's */
	size_t nfuncs;
	char *type, *unit;
	int64_t new_total, base_total;
	int has_base;          /* 0 when built without a base profile */
	char **names;          /* the tree's string pool */
	size_t nnames, names_alloc;
	pg_map name_index, child_index;
} pg_profile_tree;

/* Build the call tree of `next` (samples whose value is 0 for the sample
 * type are left out) and look each path up in `base` (which may be NULL:
 * a plain flame graph). Sample type as pg_profile_diff_compute(). 0,
 * PG_EINPUT or PG_ENOMEM. pg_profile_tree_release() frees. */
int pg_profile_tree_build(pg_profile_tree *out, const pg_profile *base,
			  const pg_profile *next, const char *spec);

void pg_profile_tree_release(pg_profile_tree *t);

#endif
