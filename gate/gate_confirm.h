#ifndef PG_GATE_CONFIRM_H
#define PG_GATE_CONFIRM_H

#include <stddef.h>

#include "stats/decide.h"

/*
 * perfgate gate --confirm: the final decision of a gate whose first pass
 * nominated suspects that an A/B measured again (the confirmation).
 *
 * The final table is the first pass's, whole (the summary and the
 * verdict count the whole suite), with the row of each suspect (a row the
 * first pass called a regression or put down to drift) replaced by the
 * confirmation's row of the same (benchmark, unit): such a row fails only
 * if the confirmation finds it regressed too. The other rows stay the
 * first pass's, also those the confirmation measured again because they
 * share a top-level benchmark with a suspect (the A/B runs "Sort/n=100"
 * and "Sort/n=10000" together): a regression the first pass never flagged
 * cannot fail the gate. A suspect the confirmation did not measure keeps
 * its first-pass row (a regression still fails).
 */

typedef struct pg_confirm_merge {
	pg_decision_set final;      /* the first pass's options, drift figures
				     * and rows (copies; the names are
				     * borrowed from the results behind both
				     * passes, which must outlive it); the
				     * counts recomputed */
	unsigned char *confirmed;   /* per row of final: 1 when the row is the
				     * confirmation's */
	size_t nconfirmed;
	char **notes;               /* NULL-terminated warnings (malloc'd):
				     * rows the confirmation found regressed
				     * that were no suspect, suspects it did
				     * not measure; NULL when none */
	size_t nnotes;
} pg_confirm_merge;

void pg_confirm_merge_init(pg_confirm_merge *m);
void pg_confirm_merge_release(pg_confirm_merge *m); /* safe on NULL */

/* Build `out` (initialised, empty) from the first pass and the
 * confirmation. 0 or PG_ENOMEM; on failure `out` holds nothing to release
 * beyond what pg_confirm_merge_release() frees. */
int pg_confirm_merge_build(pg_confirm_merge *out, const pg_decision_set *first,
			   const pg_decision_set *confirmation);

/* Whether the first pass calls `row` a suspect: a regression, or a
 * change put down to host drift. */
int pg_confirm_is_suspect(const pg_decide_row *row);

#endif
