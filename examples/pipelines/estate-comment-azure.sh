#!/usr/bin/env bash
# Posts the estate plan (PLAN_MARKDOWN, written by estate-plan.sh) as a new thread on the pull request, with
# Azure DevOps' REST API "Pull Request Threads - Create" (POST {collection}{project}/_apis/git/repositories/
# {repositoryId}/pullRequests/{pullRequestId}/threads?api-version=7.1; comment type 1 is text, thread status 1
# active). Authenticated with the job's System.AccessToken (SYSTEM_ACCESSTOKEN); the build service identity
# needs "Contribute to pull requests" on the repository. The token goes to curl in a header file, never on a
# command line; the body is built by node from the file, never pasted into shell text.
set -euo pipefail
if [ ! -s "${PLAN_MARKDOWN:?set PLAN_MARKDOWN}" ]; then
  echo "estate-comment-azure.sh: no plan to post."
  exit 0
fi
: "${SYSTEM_ACCESSTOKEN:?map System.AccessToken into SYSTEM_ACCESSTOKEN}"
if ! [[ "${PULL_REQUEST_ID:-}" =~ ^[0-9]+$ ]]; then
  echo "estate-comment-azure.sh: PULL_REQUEST_ID is not a pull-request id: nothing posted" >&2
  exit 2
fi
if ! [[ "${REPOSITORY_ID:-}" =~ ^[0-9A-Fa-f-]{36}$ ]]; then
  echo "estate-comment-azure.sh: REPOSITORY_ID is not a repository id (a GUID): nothing posted" >&2
  exit 2
fi
: "${COLLECTION_URI:?set COLLECTION_URI from System.CollectionUri}"
: "${PROJECT_ID:?set PROJECT_ID from System.TeamProjectId}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077
printf 'Authorization: Bearer %s\nContent-Type: application/json\n' "$SYSTEM_ACCESSTOKEN" >"$tmp/headers"
node -e '
  const fs = require("fs");
  const content = fs.readFileSync(process.argv[1], "utf8");
  fs.writeFileSync(process.argv[2], JSON.stringify({ comments: [{ parentCommentId: 0, content, commentType: 1 }], status: 1 }));
' "$PLAN_MARKDOWN" "$tmp/body.json"
curl -fsS -X POST -H "@$tmp/headers" --data-binary "@$tmp/body.json" \
  "${COLLECTION_URI%/}/${PROJECT_ID}/_apis/git/repositories/${REPOSITORY_ID}/pullRequests/${PULL_REQUEST_ID}/threads?api-version=7.1" >/dev/null
echo "estate-comment-azure.sh: posted the plan on pull request $PULL_REQUEST_ID."
