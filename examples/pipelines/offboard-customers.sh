#!/usr/bin/env bash
# The pipelines' offboarding step. The customer ids come from the run's input through the environment
# variable CUSTOMERS, never pasted into a script: a pipeline that expands its input into the script text
# lets an input such as `<id> $(pulumi destroy --yes --skip-preview)` run commands.
#  1. CUSTOMERS is split on white space (spaces, tabs, newlines) as data: no expansion, no file-name globbing.
#  2. Every word must be a customer tenant GUID, else nothing runs (exit 2).
#  3. The readiness report (read-only); it stops the step when a customer is blocked or could not be checked.
#  4. offboard.sh: `pulumi destroy --target` of exactly these customers' ResellerRelationships.
# Needs STACK and the PARTNER_CENTER_* variables of set-stack-config.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ids=()
# `read` stores the words as they are; it ends with status 1 at the end of input, which is not an error here.
read -r -d '' -a ids < <(printf '%s' "${CUSTOMERS:-}") || true
if [ "${#ids[@]}" -eq 0 ]; then
  echo "offboard-customers.sh: CUSTOMERS is empty: nothing to offboard. Refusing to run pulumi destroy, which without --target removes every unprotected customer in the stack." >&2
  exit 2
fi
guid='[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}'
# grep reads every line (no -q, which could end the pipe early and hide the answer behind SIGPIPE).
if printf '%s\n' "${ids[@]}" | grep -vxE "$guid" >/dev/null; then
  echo "offboard-customers.sh: CUSTOMERS holds a word that is not a customer tenant id (a GUID): nothing was run" >&2
  exit 2
fi
npx --no-install partner-center-readiness "${ids[@]}"
"$here/offboard.sh" "${ids[@]}"
