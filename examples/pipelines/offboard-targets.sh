#!/usr/bin/env bash
# Prints `--target <urn>` for each customer tenant id given, from the selected stack's state, so that
# `pulumi destroy $(offboard-targets.sh ID...)` removes exactly those relationships. Fails when an id is not
# in the stack.
set -euo pipefail
pulumi stack export --file state.json
for id in "$@"; do
  urn=$(node -e '
    const s = JSON.parse(require("fs").readFileSync("state.json", "utf8"));
    const id = process.argv[1].toLowerCase();
    const r = (s.deployment.resources || []).find((x) => x.outputs && x.outputs.customerId === id);
    if (r) console.log(r.urn);' "$id")
  if [ -z "$urn" ]; then echo "customer $id is not in this stack" >&2; rm -f state.json; exit 1; fi
  printf -- '--target %s ' "$urn"
done
rm -f state.json
