#ifndef PG_GATE_ARTIFACTS_H
#define PG_GATE_ARTIFACTS_H

#include <stddef.h>

#include "common/buf.h"
#include "gate/config.h"

/*
 * `perfgate gate --artifacts-dir DIR` (upload.artifacts_dir in
 * perfgate.json): a local copy of what the gate uploads for the run, for a
 * CI job to keep as its own artifact (actions/upload-artifact, GitLab's
 * artifacts:paths). The files have the names they have in the run's set
 * in the store:
 *
 *   results.txt                    the candidate's results     (upload.results)
 *   report.json report.md report.xml  the final reports        (upload.reports)
 *   profiles/<file>                the candidate's profiles    (upload.profiles)
 *   profiles/diff-<benchmark>.svg  the differential flame graph of each
 *                                  regressed benchmark         (upload.profiles)
 *
 * upload.results/reports/profiles choose what is written, as they do for
 * the store; upload.enabled (--no-upload) does not: the copy is written
 * whether the store upload was skipped, failed or worked. DIR and its
 * subfolders are created; files of the same names are replaced, others
 * left alone. Nothing here prints.
 *
 * `perfgate gate --shard K/N` and `perfgate baseline refresh` take the
 * same option and key for the set they push: results.txt and profiles/
 * (pg_gate_artifacts_write_set).
 */

/* The final reports as the gate rendered them (what --json, --markdown
 * and --junit write). */
typedef struct pg_gate_reports {
	const pg_buf *json, *md, *junit;
} pg_gate_reports;

/*
 * Write the three reports into `dir` (created) as report.json, report.md
 * and report.xml: the run's copy for --artifacts-dir, and the files the
 * gate uploads. 0, or PG_EINFRA (the message names the file) or PG_ENOMEM.
 */
int pg_gate_artifacts_put_reports(const char *dir, const pg_gate_reports *reports);

/*
 * Write the copy into up->artifacts_dir; nothing (0) when it is NULL.
 * `reports` the final reports (NULL: none); `results` the candidate's results file,
 * written as it is (the text the gate uploads; NULL or empty: no
 * results.txt); `workdir` the gate's temporary directory, whose profiles/
 * folder holds the candidate's profiles (NULL: none); `svg_files[i]` the
 * local flame graphs, `svg_names[i]` their names in the run
 * ("profiles/diff-Hash.svg"). 0, or PG_EINFRA or PG_EINPUT (a file could
 * not be written or read; the message names it) or PG_ENOMEM; the files
 * written before a failure stay.
 */
int pg_gate_artifacts_write(const pg_config_upload *up, const pg_gate_reports *reports,
			    const pg_buf *results, const char *workdir,
			    const char *const *svg_files, const char *const *svg_names,
			    size_t nsvg);

/*
 * The copy of a set that is pushed whole, whatever upload.results and
 * upload.profiles say (they choose what a gate run uploads): a shard's
 * results (`perfgate gate --shard`), a refresh's baseline. Into `dir`
 * (NULL: nothing, 0): `results`, the results text pushed, as results.txt
 * (none when NULL or empty) and the files below workdir/profiles
 * (`workdir` NULL, or no such folder: none) as profiles/<file>. Errors as
 * pg_gate_artifacts_write's.
 */
int pg_gate_artifacts_write_set(const char *dir, const pg_buf *results,
				const char *workdir);

#endif
