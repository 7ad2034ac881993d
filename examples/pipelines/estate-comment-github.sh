#!/usr/bin/env bash
# Posts the estate plan (PLAN_MARKDOWN, written by estate-plan.sh) as a comment on pull request PR_NUMBER with
# the GitHub CLI (`gh pr comment <number> --body-file <file>`; GH_TOKEN: the job's token with
# `pull-requests: write`). Nothing to post when the pull request did not change the estate file.
set -euo pipefail
if [ ! -s "${PLAN_MARKDOWN:?set PLAN_MARKDOWN}" ]; then
  echo "estate-comment-github.sh: no plan to post."
  exit 0
fi
if ! [[ "${PR_NUMBER:-}" =~ ^[0-9]+$ ]]; then
  echo "estate-comment-github.sh: PR_NUMBER is not a pull-request number: nothing posted" >&2
  exit 2
fi
gh pr comment "$PR_NUMBER" --body-file "$PLAN_MARKDOWN"
