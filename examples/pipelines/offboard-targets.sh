#!/usr/bin/env bash
# Prints `--target <urn>` for each customer tenant id given, from the selected stack's state, so that
# `pulumi destroy $(offboard-targets.sh ID...)` removes exactly those relationships. Fails when an id is not
# in the stack.
set -euo pipefail
state=$(mktemp)
trap 'rm -f "$state"' EXIT
pulumi stack export --file "$state"
for id in "$@"; do
  urn=$(node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const id = process.argv[2].toLowerCase();
    const r = (s.deployment.resources || []).find((x) => x.outputs && x.outputs.customerId === id);
    if (r) console.log(r.urn);' "$state" "$id")
  if [ -z "$urn" ]; then echo "customer $id is not in this stack" >&2; exit 1; fi
  printf -- '--target %s ' "$urn"
done
