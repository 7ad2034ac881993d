#!/usr/bin/env bash
# Prints `--target=<urn>`, one per line, for each customer tenant id given, from the selected stack's state,
# so that `pulumi destroy` removes exactly those relationships. Fails (exit 1) when an id is not in the
# stack, and refuses (exit 2) an empty list. Use it through offboard.sh, which stops when this fails:
# `pulumi destroy $(offboard-targets.sh ...)` would run destroy with no --target at all when it fails or
# prints nothing, and that removes every unprotected customer in the stack.
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "offboard-targets.sh: no customer ids given" >&2
  exit 2
fi
state=$(mktemp)
trap 'rm -f "$state"' EXIT
pulumi stack export --file "$state"
for id in "$@"; do
  urn=$(node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const id = process.argv[2].toLowerCase();
    const r = (s.deployment.resources || []).find((x) => x.outputs && x.outputs.customerId === id);
    if (r) console.log(r.urn);' "$state" "$id")
  if [ -z "$urn" ]; then
    echo "customer $id is not in this stack" >&2
    exit 1
  fi
  printf -- '--target=%s\n' "$urn"
done
