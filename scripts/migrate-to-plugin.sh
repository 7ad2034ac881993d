#!/usr/bin/env bash
# Moves a stack's reseller relationships from the dynamic provider to the provider plugin, without touching
# Partner Center: every `pulumi-nodejs:dynamic/partnercenter:ResellerRelationship` in the stack is imported as a
# `partnercenter:index:ResellerRelationship` of the same name, parent and protection (the plugin's Read: GETs
# only), then the dynamic one is removed from the state (`pulumi state delete`: no provider call at all).
#
#   scripts/migrate-to-plugin.sh [--stack NAME] [--provider URN] [--backup FILE] [--dry-run]
#
# Run it in the project folder, with the stack's config (partnercenter:*) set as for `pulumi up` and the plugin
# reachable (Pulumi.yaml `plugins: providers:`, or pulumi-resource-partnercenter on PATH). Then change the
# program to declare the same names through the plugin (Pulumi YAML, or the generated SDK) and check that
# `pulumi preview` shows no change. --provider imports them under an explicit provider instance already in the
# stack (its URN) instead of the default provider.
#
# Safety: the state is first exported to the backup file (default: pulumi-state-before-plugin-<stack>-<time>.json,
# never overwritten). New resources are imported before any old one is removed, and if either step fails the
# backup is put back (`pulumi stack import`), so the stack ends either migrated or as it was. A resource another
# one depends on (dependsOn, a property, deletedWith, a child) is not moved: the script names them and stops
# before changing anything. The GDAP resources stay on the dynamic provider (they cannot be imported by id).
# Exit codes: 0 done (or nothing to do), 1 a pulumi command failed (state restored), 2 bad usage or a resource
# that cannot be moved (nothing changed).
set -euo pipefail

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }

stack="" provider="" backup="" dry_run=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stack) stack="${2:?--stack takes a stack name}"; shift 2 ;;
    --provider) provider="${2:?--provider takes a provider URN}"; shift 2 ;;
    --backup) backup="${2:?--backup takes a file name}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "migrate-to-plugin: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -n "$provider" && ! "$provider" =~ ^urn:pulumi:[^:]+::[^:]+::pulumi:providers:partnercenter::. ]]; then
  echo "migrate-to-plugin: --provider takes the URN of a partnercenter provider instance in the stack, like urn:pulumi:dev::estate::pulumi:providers:partnercenter::tenantA (see pulumi stack --show-urns)" >&2
  exit 2
fi

stack_args=()
[[ -n "$stack" ]] && stack_args=(--stack "$stack")
pulumi_() { pulumi "$@" "${stack_args[@]}" --non-interactive; }

name="${stack:-$(pulumi stack --show-name --non-interactive)}"
backup="${backup:-pulumi-state-before-plugin-${name//\//-}-$(date -u +%Y%m%dT%H%M%SZ).json}"
if [[ -e "$backup" ]]; then
  echo "migrate-to-plugin: $backup exists; give another --backup FILE" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The record first: everything below can be undone from it.
pulumi_ stack export --file "$backup"
echo "migrate-to-plugin: state of stack $name saved to $backup"

# The plan, from the exported state: import files (protected and not), the URNs to remove, and what blocks.
MIGRATE_STATE="$backup" MIGRATE_WORK="$work" MIGRATE_PROVIDER="$provider" node <<'EOF'
const fs = require("node:fs");
const path = require("node:path");
const OLD = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";
const NEW = "partnercenter:index:ResellerRelationship";
const { MIGRATE_STATE: file, MIGRATE_WORK: work, MIGRATE_PROVIDER: provider } = process.env;
const resources = JSON.parse(fs.readFileSync(file, "utf8")).deployment?.resources ?? [];
const moving = resources.filter((r) => r.type === OLD && !r.delete);
const urns = new Set(moving.map((r) => r.urn));
const blocked = [];
for (const r of resources) {
  const refs = [
    ...(r.dependencies ?? []),
    ...Object.values(r.propertyDependencies ?? {}).flat(),
    ...(r.deletedWith ? [r.deletedWith] : []),
    ...(r.parent ? [r.parent] : []),
  ];
  for (const u of new Set(refs)) if (urns.has(u) && !urns.has(r.urn)) blocked.push(`${r.urn}\n    depends on ${u}`);
}
const noId = moving.filter((r) => !r.id).map((r) => r.urn);
if (blocked.length || noId.length) {
  for (const b of blocked) console.error(`migrate-to-plugin: cannot move: ${b}`);
  for (const u of noId) console.error(`migrate-to-plugin: cannot move ${u}: it has no id (a create that never finished; run pulumi refresh)`);
  console.error("migrate-to-plugin: nothing changed. Remove those dependencies from the program (pulumi up), then run again.");
  process.exit(2);
}
const root = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
const nameTable = {};
const spec = (r) => {
  const s = { type: NEW, name: r.urn.split("::").at(-1), id: r.id };
  if (r.parent && r.parent !== root) {
    // nameTable maps a name to a URN already in the stack.
    let key = Object.keys(nameTable).find((k) => nameTable[k] === r.parent);
    if (!key) nameTable[(key = `parent${Object.keys(nameTable).length}`)] = r.parent;
    s.parent = key;
  }
  if (provider) {
    nameTable.partnercenter = provider;
    s.provider = "partnercenter";
  }
  return s;
};
const write = (f, rs) => {
  const specs = rs.map(spec);
  if (specs.length) fs.writeFileSync(path.join(work, f), JSON.stringify({ nameTable, resources: specs }, null, 2));
};
write("protected.json", moving.filter((r) => r.protect));
write("unprotected.json", moving.filter((r) => !r.protect));
fs.writeFileSync(path.join(work, "urns"), moving.map((r) => `${r.urn}\n`).join(""));
// The dynamic provider's default instance, once nothing else uses it.
const used = (p) => resources.some((r) => !urns.has(r.urn) && (r.provider ?? "").startsWith(`${p}::`));
const olds = [...new Set(moving.map((r) => (r.provider ?? "").split("::").slice(0, -1).join("::")))];
fs.writeFileSync(path.join(work, "providers"), olds.filter((p) => p && !used(p)).map((p) => `${p}\n`).join(""));
console.log(`migrate-to-plugin: ${moving.length} ResellerRelationship(s) to move (${moving.filter((r) => r.protect).length} protected)`);
for (const r of moving) console.log(`  ${r.urn.split("::").at(-1)}  ${r.id}`);
EOF

mapfile -t urns <"$work/urns"
mapfile -t providers <"$work/providers"
if [[ ${#urns[@]} -eq 0 ]]; then
  echo "migrate-to-plugin: nothing to move."
  exit 0
fi
if [[ $dry_run -eq 1 ]]; then
  echo "migrate-to-plugin: --dry-run: nothing changed. Would import:"
  cat "$work"/*protected.json
  exit 0
fi

restore() {
  echo "migrate-to-plugin: $1 failed; putting the state back from $backup (Partner Center was not written to)" >&2
  pulumi_ stack import --file "$backup" >&2 || {
    echo "migrate-to-plugin: could not restore: run \`pulumi stack import --file $backup\`" >&2
  }
  exit 1
}

# Imports first (each reads its customer: GETs only), so a customer that cannot be read stops the move with the
# old resources still in place.
for f in protected unprotected; do
  [[ -f "$work/$f.json" ]] || continue
  protect=true
  [[ $f == unprotected ]] && protect=false
  pulumi_ import --file "$work/$f.json" --protect="$protect" --generate-code=false --skip-preview --yes ||
    restore "pulumi import"
done
# Then the dynamic resources leave the state (no provider is called), a hundred URNs a command.
for ((i = 0; i < ${#urns[@]}; i += 100)); do
  pulumi_ state delete --force --yes "${urns[@]:i:100}" >/dev/null || restore "pulumi state delete"
done
for p in "${providers[@]}"; do
  pulumi_ state delete --yes "$p" >/dev/null || restore "pulumi state delete (dynamic provider)"
done
echo "migrate-to-plugin: moved ${#urns[@]} ResellerRelationship(s) to partnercenter:index:ResellerRelationship." \
  "Declare them through the plugin in the program, then check: pulumi preview (no changes expected). Backup: $backup"
