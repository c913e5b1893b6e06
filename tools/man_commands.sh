#!/usr/bin/env bash
# Writes the help2man include file for simulate(1): a COMMANDS section with every command's own
# help (`simulate help COMMAND`), so the man page says what the program says. Called at build
# time by tools/CMakeLists.txt: man_commands.sh SIMULATE OUTPUT
set -euo pipefail
sim="$1"
out="$2"
{
    echo "[COMMANDS]"
    for c in $("$sim" --help | awk '/^Commands:/{on=1; next} on && NF==0{exit} on{print $1}'); do
        [ "$c" = help ] && continue
        echo ".SS $c"
        echo ".nf"
        # roff: a leading dot or quote starts a request; backslashes escape.
        "$sim" help "$c" | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
        echo ".fi"
    done
    echo "[SEE ALSO]"
    echo "The documentation in the source tree, docs/: scenario-reference.md, model.md,"
    echo "validation.md, sweeps.md, cluster.md. Installed scenarios and models: share/chokepoint/."
} > "$out.tmp"
mv "$out.tmp" "$out"
