#!/usr/bin/env bash
# The pull-request step of the estate flow: `partner-center estate plan --markdown` for the pull request's
# estate file against the stack and the live partner (reads only), written to PLAN_MARKDOWN for the comment
# step. Runs only when the pull request changes ESTATE_FILE: on the merge commit a pull-request build checks
# out, HEAD^1 is the target branch (check out with a depth of 2).
# Exit: plan's own code, each of which fails the check:
#   1  an offboarding is blocked (or would change subscriptions its entry does not allow), or an entry left the
#      file without `state: offboard`: merged, `pulumi up` would fail for it;
#   2  the estate file (or a setting) is invalid: `pulumi up` would refuse the whole program;
#   3  Partner Center, Graph or the stack could not be read: nothing was checked; run the check again.
# Needs STACK, ESTATE_FILE, PLAN_MARKDOWN, the PARTNER_CENTER_* variables and the Pulumi backend login.
set -euo pipefail
: "${STACK:?set STACK to the stack name}"
: "${ESTATE_FILE:?set ESTATE_FILE to the estate file the program reads}"
: "${PLAN_MARKDOWN:?set PLAN_MARKDOWN to the file the plan is written to}"
rm -f "$PLAN_MARKDOWN"
if git diff --quiet HEAD^1 HEAD -- "$ESTATE_FILE"; then
  echo "estate-plan.sh: this pull request does not change $ESTATE_FILE: no plan."
  exit 0
fi
code=0
npx --no-install partner-center estate plan --estate "$ESTATE_FILE" --stack "$STACK" --markdown >"$PLAN_MARKDOWN" || code=$?
case "$code" in
  0) ;;
  1) printf '\n**Do not merge yet**: an offboarding cannot go ahead as the file says, or an entry left the file without `state: offboard` (exit 1).\n' >>"$PLAN_MARKDOWN" ;;
  2) printf '\n**The estate file is invalid** (exit 2): see the job log.\n' >>"$PLAN_MARKDOWN" ;;
  *) printf '\n**Not checked** (exit %s): Partner Center, Graph or the stack could not be read; run the check again.\n' "$code" >>"$PLAN_MARKDOWN" ;;
esac
cat "$PLAN_MARKDOWN"
exit "$code"
