#!/usr/bin/env bash
# Regenerates CRDs, RBAC and deepcopy and fails if that changed any file: generated files are committed
# and must match their sources. Works in a clean checkout (CI) and in a dirty one (a developer's tree).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
generated() { find config/crd/bases config/rbac api -type f \( -name '*.yaml' -o -name 'zz_generated*.go' \) 2>/dev/null | sort; }
before=$(generated | xargs -r sha256sum)
make --no-print-directory manifests generate >/dev/null
after=$(generated | xargs -r sha256sum)
if [ "$before" != "$after" ]; then
  echo "Generated files were stale; they have been regenerated. Commit these changes:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
