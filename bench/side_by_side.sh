#!/usr/bin/env bash
# This project and upstream Heat 27 measured in one run, by the same client and cases:
# ours with bench/run_services.sh (fresh MariaDB database and RabbitMQ vhost, two
# heat-engine processes), upstream as ../shared/upstream-heat/start.sh runs it (its own
# database and vhost, Keystone on :5000, heat-api on :18004). Prints both tables, then
# the ratios. Upstream's wide stacks cost about a second per resource, hence the sizes.
#
#   bench/side_by_side.sh    SIZES="10 100" SHAPES="chain wide diamond" UPSTREAM_LIST_STACKS=50
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"10 100"}
SHAPES=${SHAPES:-"chain wide diamond"}
# stacks stored before timing GET /stacks: upstream needs about a second for each
LIST_STACKS=${LIST_STACKS:-500}
UPSTREAM_LIST_STACKS=${UPSTREAM_LIST_STACKS:-50}
UPSTREAM=${UPSTREAM:-http://127.0.0.1:18004}
KEYSTONE=${KEYSTONE:-http://127.0.0.1:5000}
ENGINE_PIDFILE=${ENGINE_PIDFILE:-/opt/anchor/run/heat-engine.pid}
OUT=$(mktemp -d)
curl -sf -o /dev/null "$UPSTREAM/" || curl -s -o /dev/null -w '%{http_code}' "$UPSTREAM/" | grep -q 300 \
    || { echo "upstream Heat is not answering on $UPSTREAM: run ../shared/upstream-heat/start.sh" >&2; exit 1; }
# shellcheck disable=SC2086
bench/run_services.sh --sizes $SIZES --shapes $SHAPES --list-stacks "$LIST_STACKS" \
    --json "$OUT/ours.json"
upstream_pids=()
if [ -f "$ENGINE_PIDFILE" ]; then
    mapfile -t upstream_pids < <(pgrep -g "$(ps -o pgid= "$(cat "$ENGINE_PIDFILE")" | tr -d ' ')")
fi
echo
echo "Upstream Heat 27 ($UPSTREAM, as ../shared/upstream-heat runs it)"
# shellcheck disable=SC2086
.venv/bin/python bench/stack_bench.py "$UPSTREAM" --keystone "$KEYSTONE" \
    --user admin --password admin-pass --project admin \
    --sizes $SIZES --shapes $SHAPES --list-stacks "$UPSTREAM_LIST_STACKS" \
    --json "$OUT/upstream.json" \
    --engine-pids "${upstream_pids[@]}"
echo
.venv/bin/python bench/ratios.py "$OUT/ours.json" "$OUT/upstream.json"
rm -rf "$OUT"
