#!/usr/bin/env bash
# Run the benchmark against the production shape on this machine: a fresh MariaDB
# database and RabbitMQ vhost, heat-api plus ENGINES heat-engine processes, then
# bench/stack_bench.py with the given arguments; everything is removed afterwards.
#
#   bench/run_services.sh [stack_bench.py arguments...]     (ENGINES=2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINES=${ENGINES:-2}
PORT=${PORT:-18304}
NAME="heat_bench_$$"
WORK=$(mktemp -d)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $NAME" || true
    rabbitmqctl -q delete_vhost "$NAME" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

mysql -uroot -h127.0.0.1 -e "CREATE DATABASE $NAME CHARACTER SET utf8mb4"
rabbitmqctl -q add_vhost "$NAME" >/dev/null
rabbitmqctl -q set_permissions -p "$NAME" guest ".*" ".*" ".*" >/dev/null
cat > "$WORK/heat.conf" <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:5672/$NAME
periodic_interval = 10
[database]
connection = mysql+pymysql://root@127.0.0.1/$NAME
[paste_deploy]
flavor = noauth
[heat_api]
bind_host = 127.0.0.1
bind_port = $PORT
workers = 2
EOF
.venv/bin/heat-manage --config-file "$WORK/heat.conf" db_sync
ENGINE_PIDS=()
for i in $(seq "$ENGINES"); do
    .venv/bin/heat-engine --config-file "$WORK/heat.conf" > "$WORK/engine-$i.log" 2>&1 &
    PIDS+=($!); ENGINE_PIDS+=($!)
done
.venv/bin/heat-api --config-file "$WORK/heat.conf" > "$WORK/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
    sleep 0.2
done
echo "MariaDB + RabbitMQ, $ENGINES heat-engine processes, heat-api with 2 workers"
.venv/bin/python bench/stack_bench.py "http://127.0.0.1:$PORT" --engine-pids "${ENGINE_PIDS[@]}" "$@"
