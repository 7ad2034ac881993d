#!/usr/bin/env bash
# The pipelines' offboarding step: `offboard.sh <customer tenant id>...` removes the reseller relationships
# of exactly the customers given, and never any other.
#  - No ids (an empty CUSTOMERS), an id that is not a GUID (exit 2), an id with no ResellerRelationship in the
#    stack (exit 1), or a failing config step: stops before destroy.
#  - --run-program: destroy configures the provider from the current stack config (set just before, from the
#    CI secret store), not from the config stored at the last `pulumi up`, so a rotated refresh token is used.
#  - --continue-on-error: a blocked customer does not cancel the removals not yet started; the step still
#    fails, and the blocked customers stay in the stack with their blockers named.
# Needs STACK and the PARTNER_CENTER_* variables of set-stack-config.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -eq 0 ]; then
  echo "offboard.sh: no customer ids given: nothing to offboard. Refusing to run pulumi destroy, which without --target removes every unprotected customer in the stack." >&2
  exit 2
fi
# Each id must be a customer tenant GUID: anything else (a URN, "*", "-", an option such as
# --target-dependents, a word with spaces or a newline) is refused before pulumi runs.
for id in "$@"; do
  if ! [[ "$id" =~ ^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$ ]]; then
    printf 'offboard.sh: %q is not a customer tenant id (a GUID such as 11111111-2222-4333-8444-555555555555): not running pulumi destroy\n' "$id" >&2
    exit 2
  fi
done
pulumi stack select "${STACK:?set STACK to the stack name}"
"$here/set-stack-config.sh"
targets="$("$here/offboard-targets.sh" "$@")"
mapfile -t args <<<"$targets"
if [ "${#args[@]}" -ne "$#" ]; then
  echo "offboard.sh: expected $# targets, got ${#args[@]}: not running pulumi destroy" >&2
  exit 1
fi
for a in "${args[@]}"; do
  case "$a" in
    --target=urn:pulumi:*) ;;
    *)
      echo "offboard.sh: unexpected target '$a': not running pulumi destroy" >&2
      exit 1
      ;;
  esac
done
pulumi destroy --yes --skip-preview --run-program --continue-on-error "${args[@]}"
