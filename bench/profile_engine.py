#!/usr/bin/env python3
"""Where a resource step's time goes: one heat-engine in this process, on a scratch
MariaDB database and RabbitMQ vhost, creating (then updating, deleting) one stack.

    .venv/bin/python bench/profile_engine.py [--shape chain] [--n 100] [--profile out.html]

Prints seconds per operation, SQL statements and commits per resource step; with
--profile, a pyinstrument HTML profile of the whole run (``pip install pyinstrument``).
Not a test: a tool for reading the engine's cost.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pymysql
from oslo_config import cfg
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from stack_bench import template

from common import config, context
from common.db import migration
from common.db import session as db_session
from common.rpc import transport
from common.rpc.client import EngineClient, RPCClient
from heat_engine.runtime import EngineRuntime

COUNTS: Counter[str] = Counter()
SPANS: list[tuple[float, float]] = []
STATS: list[cProfile.Profile] = []
THREAD_CPU: list[float] = []
STATS_LOCK = threading.Lock()


def count_sql(engine: Any) -> None:
    def in_step() -> bool:
        return threading.current_thread().name.startswith("steps")

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, params, ctx, many):  # type: ignore[no-untyped-def]
        if in_step():
            COUNTS["statements"] += 1
            COUNTS[statement.split(None, 1)[0].upper()] += 1

    @event.listens_for(engine, "commit")
    def _commit(conn):  # type: ignore[no-untyped-def]
        if in_step():
            COUNTS["commits"] += 1

    @event.listens_for(engine, "rollback")
    def _rollback(conn):  # type: ignore[no-untyped-def]
        if in_step():
            COUNTS["rollbacks"] += 1

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, proxy):  # type: ignore[no-untyped-def]
        if in_step():
            COUNTS["checkouts"] += 1


def wait(client: EngineClient, ctx: Any, ident: dict[str, Any], want: str) -> None:
    while True:
        stack = client.show_stack(ctx, ident)[0]
        if stack["stack_status"] == want:
            return
        if stack["stack_status"].endswith("FAILED"):
            raise SystemExit(f"{want}: {stack['stack_status']} {stack['stack_status_reason']}")
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", default="chain")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--profile")
    parser.add_argument("--cprofile", action="store_true", help="cProfile the step handlers")
    args = parser.parse_args()

    name = f"heat_prof_{secrets.token_hex(4)}"
    admin = pymysql.connect(host="127.0.0.1", user="root", autocommit=True)
    admin.cursor().execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    profiler = None
    try:
        conf = cfg.ConfigOpts()
        config.register_opts(conf)
        conf([], project="heat", default_config_files=[])
        conf.set_override("transport_url", f"rabbit://guest:guest@127.0.0.1:5672/{name}")
        conf.set_override("connection", f"mysql+pymysql://root@127.0.0.1/{name}", "database")
        migration.upgrade(conf.database.connection)
        factory = db_session.from_config(conf)
        count_sql(factory.kw["bind"])  # type: ignore[index]
        from heat_engine.traversal import worker

        original = worker.StepWorker._handle

        def timed(self, body, message):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            cpu = time.thread_time()
            profile = cProfile.Profile(time.thread_time) if args.cprofile else None
            try:
                if profile is None:
                    return original(self, body, message)
                return profile.runcall(original, self, body, message)
            finally:
                SPANS.append((start, time.perf_counter()))
                THREAD_CPU.append(time.thread_time() - cpu)
                if profile is not None:
                    with STATS_LOCK:
                        STATS.append(profile)

        worker.StepWorker._handle = timed  # type: ignore[method-assign]
        runtime = EngineRuntime(conf, factory)
        runtime.start()
        runtime.wait_ready()
        client = EngineClient(RPCClient(lambda: transport.connect(conf), 60))
        ctx = context.RequestContext(tenant_id="prof", username="prof", is_admin=True)
        tmpl = template(args.shape, args.n)
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled")
            profiler.start()
        print(f"| {args.shape} {args.n} | seconds | statements/step | commits/step |")
        print("|---|---|---|---|")
        ident = None
        for op, value, want in (
            ("create", "one", "CREATE_COMPLETE"),
            ("update", "two", "UPDATE_COMPLETE"),
            ("delete", None, "DELETE_COMPLETE"),
        ):
            COUNTS.clear()
            SPANS.clear()
            THREAD_CPU.clear()
            start = time.monotonic()
            cpu = time.process_time()
            if op == "create":
                ident = client.create_stack(
                    ctx,
                    "prof",
                    tmpl,
                    {"parameters": {"value": value}},
                    {},
                    {"disable_rollback": True},
                )
            elif op == "update":
                client.update_stack(ctx, ident, tmpl, {"parameters": {"value": value}}, {}, {})
            else:
                client.delete_stack(ctx, ident)
            if op == "delete":
                while True:
                    stack = client.show_stack(ctx, ident, resolve_outputs=False)[0]
                    if stack["stack_status"] == want:
                        break
                    time.sleep(0.1)
            else:
                wait(client, ctx, ident, want)
            took = time.monotonic() - start
            per = {k: v / args.n for k, v in COUNTS.items()}
            print(f"| {op} | {took:.2f} | {per['statements']:.1f} | {per['commits']:.1f} |")
            detail = ", ".join(
                f"{k} {v:.1f}" for k, v in sorted(per.items()) if k not in ("statements", "commits")
            )
            print(f"|   | {detail} | | |")
            print(
                f"|   | process CPU {(time.process_time() - cpu) / args.n * 1000:.2f} ms/step | | |"
            )
            own = sum(THREAD_CPU) / len(THREAD_CPU) * 1000
            print(f"|   | handler thread CPU {own:.2f} ms/step | | |")
            inside = sum(b - a for a, b in SPANS) / len(SPANS) * 1000
            spans = sorted(SPANS)
            gaps = [b[0] - a[1] for a, b in itertools.pairwise(spans)]
            gap = sorted(gaps)[len(gaps) // 2] * 1000 if gaps else 0
            print(f"|   | step {inside:.2f} ms in handler, median gap {gap:.2f} ms | | |")
        if STATS:
            stats = pstats.Stats(STATS[0])
            for extra in STATS[1:]:
                stats.add(extra)
            stats.sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
                int(os.environ.get("ROWS", "45"))
            )
        if profiler:
            profiler.stop()
            Path(args.profile).write_text(profiler.output_html())
            print(profiler.output_text(unicode=False, color=False, show_all=False)[:6000])
        runtime.stop()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
