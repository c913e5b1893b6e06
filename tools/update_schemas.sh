#!/usr/bin/env bash
# Regenerates docs/schemas/{scenario,model,sweep,material}.schema.json from the loader's key tables
# (engine/src/scenario/input_keys.cpp) after a key is added or changed:
#   tools/update_schemas.sh [build/dev/tools/simulate]
# The CLI tests fail while the committed schemas differ from what the program prints.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sim="${1:-$root/build/dev/tools/simulate}"
for kind in scenario model sweep material; do
    "$sim" schema "$kind" --output "$root/docs/schemas/$kind.schema.json"
    echo "wrote docs/schemas/$kind.schema.json"
done
