#!/usr/bin/env bash
# A real Keystone on loopback for the tests, installed from PyPI into .venv-keystone.
#
#   scripts/keystone.sh install          create or refresh .venv-keystone (pinned by
#                                        tests/keystone-constraints.txt); quick when current
#   scripts/keystone.sh run DIR PORT     install if needed, configure Keystone in DIR (SQLite
#                                        database, fernet and credential keys), bootstrap it,
#                                        then serve it with gunicorn on 127.0.0.1:PORT in the
#                                        foreground until SIGTERM
#
# `run` bootstraps the admin user, project and role, region RegionOne and the identity
# endpoint http://127.0.0.1:PORT/v3; the password is $KEYSTONE_ADMIN_PASSWORD (default
# "admin-pass"). The accounts Heat needs (service project, heat user, heat_stack_owner and
# heat_stack_user, the orchestration and cloudformation endpoints, demo users) are
# registered over the REST API by tests/functional/keystone.py, which starts this script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV="$ROOT/.venv-keystone"
CONSTRAINTS="$ROOT/tests/keystone-constraints.txt"
PYTHON=${PYTHON:-python3}
KEYSTONE_VERSION=30.0.0
PACKAGES=("keystone==$KEYSTONE_VERSION" gunicorn)

log() { echo "keystone.sh: $*" >&2; }
die() { log "$*"; exit 1; }

install() {
    local stamp="$VENV/.installed"
    if [[ -f "$stamp" && ! "$CONSTRAINTS" -nt "$stamp" ]]; then
        return 0
    fi
    log "installing keystone $KEYSTONE_VERSION into $VENV (log: $VENV/install.log)"
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    if ! { "$VENV/bin/pip" install --upgrade pip \
           && "$VENV/bin/pip" install -c "$CONSTRAINTS" "${PACKAGES[@]}"; } \
           >"$VENV/install.log" 2>&1; then
        tail -n 30 "$VENV/install.log" >&2
        die "installing keystone failed; see $VENV/install.log"
    fi
    touch "$stamp"
}

# configure DIR PORT: keystone.conf, keys, schema and bootstrap; each step is a no-op
# when already done, so a second run on the same DIR only starts the server.
configure() {
    local dir="$1" port="$2"
    mkdir -p "$dir/fernet-keys" "$dir/credential-keys"
    cat >"$dir/keystone.conf" <<EOF
[DEFAULT]
log_file = $dir/keystone.log
use_stderr = false

[database]
connection = sqlite:///$dir/keystone.sqlite

[token]
provider = fernet
expiration = ${KEYSTONE_TOKEN_EXPIRATION:-3600}

[fernet_tokens]
key_repository = $dir/fernet-keys

[fernet_receipts]
key_repository = $dir/fernet-keys

[credential]
key_repository = $dir/credential-keys
EOF
    # gunicorn's own arguments are in sys.argv, which keystone would parse as its own.
    cat >"$dir/keystone_wsgi.py" <<'EOF'
"""gunicorn entry: Keystone's public WSGI app, configured from OS_KEYSTONE_CONFIG_DIR."""

import sys

sys.argv = sys.argv[:1]

from keystone.server.wsgi import initialize_public_application  # noqa: E402

application = initialize_public_application()
EOF
    local km=("$VENV/bin/keystone-manage" --config-file "$dir/keystone.conf")
    local me
    me=$(id -un)
    [[ -f "$dir/fernet-keys/0" ]] \
        || "${km[@]}" fernet_setup --keystone-user "$me" --keystone-group "$(id -gn)" 2>>"$dir/manage.log"
    [[ -f "$dir/credential-keys/0" ]] \
        || "${km[@]}" credential_setup --keystone-user "$me" --keystone-group "$(id -gn)" 2>>"$dir/manage.log"
    "${km[@]}" db_sync 2>>"$dir/manage.log"
    local url="http://127.0.0.1:$port/v3"
    "${km[@]}" bootstrap \
        --bootstrap-password "${KEYSTONE_ADMIN_PASSWORD:-admin-pass}" \
        --bootstrap-username admin --bootstrap-project-name admin \
        --bootstrap-role-name admin --bootstrap-service-name keystone \
        --bootstrap-region-id RegionOne \
        --bootstrap-admin-url "$url" --bootstrap-internal-url "$url" \
        --bootstrap-public-url "$url" 2>>"$dir/manage.log"
}

case "${1:-}" in
    install)
        install
        ;;
    run)
        [[ $# == 3 ]] || die "usage: $0 run DIR PORT"
        dir=$(mkdir -p "$2" && cd "$2" && pwd)
        install
        configure "$dir" "$3"
        export OS_KEYSTONE_CONFIG_DIR="$dir"
        exec "$VENV/bin/gunicorn" --bind "127.0.0.1:$3" --workers 1 --threads 4 \
            --timeout 120 --no-control-socket --chdir "$dir" --pythonpath "$dir" \
            --access-logfile "$dir/access.log" --name keystone keystone_wsgi:application
        ;;
    *)
        die "usage: $0 install | run DIR PORT"
        ;;
esac
