#!/bin/sh
# Write hook_script.h, the text of ci-templates/hooks/pre-push as a C
# string, which `perfgate hook install` installs. The Makefile runs it at
# build time (into build/gen/); run from the top of the repository.
set -eu
hook=ci-templates/hooks/pre-push
[ -f "$hook" ] || { echo "$0: run it from the top of the repository" >&2; exit 2; }
cat <<'HEAD'
/*
 * Generated at build time by ci-templates/hooks/gen-c-header.sh from
 * ci-templates/hooks/pre-push. Do not edit: edit the hook.
 */
#ifndef PG_HOOK_SCRIPT_H
#define PG_HOOK_SCRIPT_H

static const char pg_hook_script[] =
HEAD
# backslashes, quotes and question marks (no trigraphs) escaped, tabs as \t
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/	/\\t/g' \
	-e 's/^/	"/' -e 's/$/\\n"/' "$hook"
printf '\t;\n\n#endif\n'
