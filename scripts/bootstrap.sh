#!/usr/bin/env bash
# Create (or refresh) .venv with the project and its pinned dependencies.
# Usage: scripts/bootstrap.sh [extra]   e.g. "test" installs the test tools too.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-${1:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    target="."
    [ -n "${1:-}" ] && target=".[$1]"
    echo "Installing the project and its dependencies into .venv (log: .venv/install.log)..."
    if ! { .venv/bin/pip install --upgrade pip \
           && .venv/bin/pip install -c constraints.txt -e "$target"; } > .venv/install.log 2>&1; then
        tail -n 30 .venv/install.log >&2
        echo "scripts/bootstrap.sh: installing failed; see .venv/install.log" >&2
        exit 1
    fi
    touch "$stamp"
fi
