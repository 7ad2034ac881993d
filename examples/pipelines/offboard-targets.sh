#!/usr/bin/env bash
# Prints `--target=<urn>`, one per line, for each customer tenant id given: the URN of that customer's
# ResellerRelationship in the selected stack's state, so that `pulumi destroy` removes exactly those
# relationships. Only ResellerRelationship resources are looked at: the customer's DelegatedAdminRelationship
# (often written to the state first, while the reseller relationship waits for the customer's acceptance)
# carries the same customerId, and destroying it would end admin access and leave the customer billed.
# Fails (exit 1, naming the id) when an id matches no ResellerRelationship, or more than one, or one that the
# program protects (a child of the Estate component, or `protect: true`): `destroy --run-program` runs the
# program, which protects it again, so destroy would refuse it; offboard it through the estate file instead.
# Refuses (exit 2) an empty list. Use it through offboard.sh, which stops when this fails:
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
  # The id is passed as an argument, never pasted into the program text.
  urn=$(node -e '
    const type = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const id = process.argv[2].toLowerCase();
    const found = (s.deployment.resources || []).filter(
      (x) => x.type === type && x.outputs && String(x.outputs.customerId).toLowerCase() === id,
    );
    if (found.length > 1) {
      console.error(`customer ${id} has ${found.length} ResellerRelationship resources in this stack: ${found.map((x) => x.urn).join(", ")}`);
      process.exit(1);
    }
    const r = found[0];
    if (r && String(r.parent || "").includes("::partnercenter:index:Estate::")) {
      console.error(`customer ${id} is managed by the Estate component (${r.urn}): offboard it through the estate file instead: set "state": "offboard" on its entry in a pull request; once merged, the pipeline runs \`partner-center estate unprotect\` and \`pulumi up\`, which removes it. destroy --target would fail: the program protects it again.`);
      process.exit(1);
    }
    if (r && r.protect) {
      console.error(`customer ${id}: its ResellerRelationship (${r.urn}) is protected: destroy would refuse it. If the program sets protect: true, take it out of the program (or use the Estate component and its offboarding flow); for a one-off, run \`pulumi state unprotect\` on it first, knowing that the next run of the program protects it again.`);
      process.exit(1);
    }
    if (r) console.log(r.urn);' "$state" "$id")
  if [ -z "$urn" ]; then
    echo "customer $id is not in this stack (no ResellerRelationship has that customerId): check the id; a customer already offboarded is no longer in the stack" >&2
    exit 1
  fi
  printf -- '--target=%s\n' "$urn"
done
