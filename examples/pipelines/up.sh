#!/usr/bin/env bash
# The pipelines' update step, on a merge to main: select the stack, point it at Partner Center from the CI
# secret store, lift protection from the estate entries marked `state: offboard` (and no other), update.
# A failing config step (a missing secret) stops here, before `pulumi up`: otherwise `up` would run with
# Pulumi.yaml's emulator defaults and store them in the state.
#  - ESTATE_FILE (a program over the Estate component): `partner-center estate unprotect` first, so that this
#    update removes exactly the customers the merged pull request marked. Unset: a plain `pulumi up`.
#  - --continue-on-error: a blocked removal (or a customer that has not accepted its invitation yet) fails its
#    own resource only; every other customer's change still runs, and the step still fails, naming it. The
#    customer's GDAP relationships and assignments are its reseller relationship's dependencies, so they are
#    not deleted when its removal fails. Without it, one blocked customer would hold up the whole estate.
# Needs STACK and the PARTNER_CENTER_* variables of set-stack-config.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pulumi stack select "${STACK:?set STACK to the stack name}"
"$here/set-stack-config.sh"
if [ -n "${ESTATE_FILE:-}" ]; then
  npx --no-install partner-center estate unprotect --estate "$ESTATE_FILE" --stack "$STACK"
fi
pulumi up --yes --skip-preview --continue-on-error
