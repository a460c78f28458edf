#!/usr/bin/env bash
# Validate postlint's SARIF with Microsoft's SARIF Multitool: GitHub's ingestion rules and the SARIF best practices.
#
# Fails on any error or warning from `Sarif.Multitool validate --rule-kind Gh` or the default rule kind, on
# SARIF made from the test fixtures, from a run whose configuration is broken, and from a run with no files.
# Needs node/npm and the npm registry; installs the Multitool into a temporary folder, nothing global.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-$(command -v python3 || command -v python)}
MULTITOOL_VERSION=${SARIF_MULTITOOL_VERSION:-5.7.0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/postlint-sarif.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say() { printf 'check-sarif: %s\n' "$*" >&2; }

command -v npm >/dev/null || { say "npm is required"; exit 1; }

# Lint with this checkout's code (not a stale installed copy); install it only to get its dependencies.
if ! PYTHONPATH="$ROOT" "$PY" -c 'import postlint.cli, postlint.rules' >/dev/null 2>&1; then
    say "installing postlint and its dependencies"
    "$PY" -m pip install --quiet --disable-pip-version-check "$ROOT"
fi
postlint() { PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m postlint "$@"; }

say "installing @microsoft/sarif-multitool@$MULTITOOL_VERSION"
# The package only picks the platform package (an optional dependency); its postinstall merely sets the
# executable bit, which we set ourselves, so scripts stay off.
npm install --prefix "$WORK/npm" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error \
    "@microsoft/sarif-multitool@$MULTITOOL_VERSION" >&2
# The linux package's own entry point (index.js) exports the path of its self-contained binary.
MT=$(cd "$WORK/npm" && node -p "require('@microsoft/sarif-multitool-linux')" 2>/dev/null) || MT=
if [[ -z "$MT" || ! -f "$MT" ]]; then
    MT=$(find "$WORK/npm/node_modules" -type f -name Sarif.Multitool -path '*multitool-linux*' | head -n 1)
fi
[[ -n "$MT" && -f "$MT" ]] || { say "Sarif.Multitool not found in the npm package (is this linux?)"; exit 1; }
chmod u+x "$MT"
# Without libicu .NET refuses to start; validation needs no culture data.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
"$MT" --version >&2

# SARIF2006 fetches every URI in the log over HTTP: CI has no general network, and reachability of our
# docs pages says nothing about the SARIF postlint writes.
cat >"$WORK/multitool.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
EOF

# 1. The test fixtures (every rule that runs offline, default or not), from the repository root.
cd "$ROOT"
postlint --offline --no-config --extend-select ALL --exit-zero --quiet --jobs 1 \
    --output-format sarif --output-file "$WORK/fixtures.sarif" tests/fixtures $( [[ -d examples ]] && echo examples )

# 2. postlint itself failing: a configuration with an unknown key.
mkdir -p "$WORK/broken-config"
printf 'not-a-key = true\n' >"$WORK/broken-config/postlint.toml"
printf -- '---\ntitle: A post\n---\n\nText.\n' >"$WORK/broken-config/post.md"
status=0
(cd "$WORK/broken-config" && postlint --output-format sarif --output-file "$WORK/failed.sarif" post.md 2>/dev/null) || status=$?
[[ $status -eq 2 ]] || { say "a broken configuration should exit 2, got $status"; exit 1; }

# 3. Nothing to lint, with --sarif-file (an upload step expects the file).
mkdir -p "$WORK/empty"
(cd "$WORK/empty" && postlint --sarif-file "$WORK/empty.sarif" . 2>/dev/null)

"$PY" - "$WORK/fixtures.sarif" "$WORK/failed.sarif" "$WORK/empty.sarif" <<'EOF'
import json, sys
fixtures, failed, empty = (json.load(open(p, encoding="utf-8"))["runs"][0] for p in sys.argv[1:])
assert fixtures["results"], "the fixtures produced no result: nothing would be validated"
assert failed["invocations"][0]["executionSuccessful"] is False, "failed run not marked"
assert empty["results"] == [], "empty run has results"
print(f"check-sarif: {len(fixtures['results'])} results from the fixtures", file=sys.stderr)
EOF

# Judge the Multitool's own SARIF output, not its exit code (it exits 0 with errors) nor its console text.
judge() {
    "$PY" - "$1" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1], encoding="utf-8"))["runs"][0]
rules = run.get("tool", {}).get("driver", {}).get("rules", [])
levels = {r["id"]: r.get("defaultConfiguration", {}).get("level", "warning") for r in rules}
bad = []
for r in run.get("results", []):
    # A result without a level takes its rule's default level, and SARIF's default is "warning".
    level = r.get("level") or levels.get(r.get("ruleId"), "warning")
    if level in ("error", "warning"):
        loc = r.get("locations", [{}])[0].get("physicalLocation", {}).get("region", {})
        bad.append(f"{level} {r.get('ruleId')} at line {loc.get('startLine')}: {r.get('message', {}).get('arguments')}")
for inv in run.get("invocations", []):
    if not inv.get("executionSuccessful", True):
        bad.append("the Multitool did not run to the end")
    notes = inv.get("toolExecutionNotifications", []) + inv.get("toolConfigurationNotifications", [])
    for n in notes:
        if n.get("descriptor", {}).get("id") == "WRN999.RuleExplicitlyDisabled" and "SARIF2006" in n["message"]["text"]:
            continue  # the one rule we switch off on purpose (above)
        if n.get("level", "warning") in ("error", "warning"):
            bad.append(f"notification: {n['message'].get('text')}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

failures=0
for sarif in fixtures failed empty; do
    for kind in Gh default; do
        out="$WORK/$sarif.$kind.out.sarif"
        args=(validate)
        # --rule-kind takes a list: given last, it would swallow the input file, so it goes first.
        [[ $kind == Gh ]] && args+=(--rule-kind Gh)
        args+=(-c "$WORK/multitool.xml" -o "$out")
        if ! "$MT" "${args[@]}" "$WORK/$sarif.sarif" >"$WORK/$sarif.$kind.log" 2>&1 || [[ ! -f "$out" ]]; then
            say "$sarif.sarif: the Multitool failed (rule kind $kind):"
            head -n 20 "$WORK/$sarif.$kind.log" >&2
            failures=$((failures + 1))
            continue
        fi
        if problems=$(judge "$out"); then
            say "$sarif.sarif: no error or warning (rule kind $kind)"
        else
            say "$sarif.sarif: rule kind $kind found:"
            printf '%s\n' "$problems" >&2
            grep -E ': (error|warning) ' "$WORK/$sarif.$kind.log" >&2 || true
            failures=$((failures + 1))
        fi
    done
done
if [[ $failures -ne 0 ]]; then
    say "FAILED: $failures validation(s) reported problems"
    exit 1
fi
say "OK"
