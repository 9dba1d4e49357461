#!/usr/bin/env python3
"""Measure stack create, update and delete times and API latency against any Heat endpoint.

    python bench/stack_bench.py http://127.0.0.1:8004 [--tenant demo] [--sizes 10 100 1000]
        [--shapes chain wide diamond] [--token T | --keystone URL --user U --password P
        --project P] [--engine-pids PID ...] [--list-stacks 500]

Shapes of N top-level OS::Heat::TestResource (value from a parameter, so an update
changes one property of every resource):
  chain    each resource depends on the previous one
  wide     all independent
  diamond  a lattice of width ~sqrt(N): each resource depends on every resource of the
           layer before
Times are seconds from the API call to the final status (polling every --poll s).
Latency: median and p95 of GET /stacks and GET /stacks/{name}/{id} with --list-stacks
stacks stored. Peak memory: the highest VmHWM of the --engine-pids (Linux /proc).
Prints markdown tables; the numbers belong in docs/performance.md with their date.
Stdlib only, so it runs against upstream Heat from any Python.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import urllib.error
import urllib.request
from typing import Any


class Api:
    """A minimal native-API client: JSON in and out, redirects followed."""

    def __init__(self, base: str, tenant: str, token: str | None) -> None:
        base = base.rstrip("/")
        self.root = base[:-3] if base.endswith("/v1") else base
        self.url = f"{self.root}/v1/{tenant}"
        self.headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Auth-User": "bench",
            "X-Auth-Project": tenant,
        }
        if token:
            self.headers["X-Auth-Token"] = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = path if path.startswith("http") else self.url + path
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method, headers=self.headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw.strip() else None
        except urllib.error.HTTPError as ex:
            raw = ex.read()
            try:
                return ex.code, json.loads(raw)
            except ValueError:
                return ex.code, raw.decode(errors="replace")


def keystone_token(url: str, user: str, password: str, project: str) -> tuple[str, str]:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"name": "Default"}, "password": password}
                },
            },
            "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
        }
    }
    req = urllib.request.Request(
        url.rstrip("/") + "/v3/auth/tokens",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        token = resp.headers["X-Subject-Token"]
        project_id = json.loads(resp.read())["token"]["project"]["id"]
    return token, project_id


def template(shape: str, n: int) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    width = max(1, round(math.sqrt(n)))
    for i in range(n):
        definition: dict[str, Any] = {
            "type": "OS::Heat::TestResource",
            "properties": {"value": {"get_param": "value"}},
        }
        if shape == "chain" and i:
            definition["depends_on"] = [f"r{i - 1}"]
        elif shape == "diamond" and i >= width:
            layer = i // width
            definition["depends_on"] = [f"r{j}" for j in range((layer - 1) * width, layer * width)]
        resources[f"r{i}"] = definition
    return {
        "heat_template_version": "2016-10-14",
        "parameters": {"value": {"type": "string"}},
        "resources": resources,
    }


def wait(api: Api, url: str, want: str, poll: float, limit: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        code, body = api.call("GET", url)
        if code == 404 and want == "DELETE_COMPLETE":
            return time.monotonic()
        status = (body or {}).get("stack", {}).get("stack_status", "") if code == 200 else ""
        if status == want:
            return time.monotonic()
        if status.endswith("FAILED"):
            raise RuntimeError(f"{url}: {status}: {body['stack'].get('stack_status_reason')}")
        time.sleep(poll)
    return None


def run_case(api: Api, shape: str, n: int, poll: float, limit: float) -> list[str]:
    name = f"bench-{shape}-{n}-{int(time.time())}"
    tmpl = template(shape, n)
    cells = []
    start = time.monotonic()
    code, body = api.call(
        "POST", "/stacks", {"stack_name": name, "template": tmpl, "parameters": {"value": "one"}}
    )
    if code != 201:
        raise RuntimeError(f"create {name}: {code} {body}")
    url = body["stack"]["links"][0]["href"]
    done = wait(api, url, "CREATE_COMPLETE", poll, limit)
    cells.append(f"{done - start:.2f}" if done else f">{limit:.0f}")
    start = time.monotonic()
    code, body = api.call("PUT", url, {"template": tmpl, "parameters": {"value": "two"}})
    if code != 202:
        raise RuntimeError(f"update {name}: {code} {body}")
    done = wait(api, url, "UPDATE_COMPLETE", poll, limit)
    cells.append(f"{done - start:.2f}" if done else f">{limit:.0f}")
    start = time.monotonic()
    api.call("DELETE", url)
    done = wait(api, url, "DELETE_COMPLETE", poll, limit)
    cells.append(f"{done - start:.2f}" if done else f">{limit:.0f}")
    return cells


def latency(api: Api, stacks: int, gets: int) -> list[tuple[str, float, float]]:
    small = {"heat_template_version": "2016-10-14", "resources": {"r": {"type": "OS::Heat::None"}}}
    names = []
    existing = {s["stack_name"] for s in api.call("GET", "/stacks")[1]["stacks"]}
    for i in range(stacks):
        name = f"lat-{i}"
        names.append(name)
        if name not in existing:
            api.call("POST", "/stacks", {"stack_name": name, "template": small})
    one = api.call("GET", "/stacks")[1]["stacks"][0]["links"][0]["href"]
    out = []
    for label, path in (("GET /stacks", "/stacks"), ("GET /stacks/{name}/{id}", one)):
        samples = []
        for _ in range(gets):
            t = time.perf_counter()
            api.call("GET", path)
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        out.append((label, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]))
    return out


def peak_memory_mib(pids: list[int]) -> float | None:
    peak = None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                lines = status.readlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("VmHWM:"):
                peak = max(peak or 0, int(line.split()[1]) / 1024)
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("endpoint")
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--token")
    parser.add_argument("--keystone")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin-pass")
    parser.add_argument("--project", default="admin")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--shapes", nargs="+", default=["chain", "wide", "diamond"])
    parser.add_argument("--poll", type=float, default=0.05)
    parser.add_argument("--case-timeout", type=float, default=600)
    parser.add_argument("--list-stacks", type=int, default=500)
    parser.add_argument("--gets", type=int, default=200)
    parser.add_argument("--engine-pids", type=int, nargs="*", default=[])
    parser.add_argument("--json", help="also write the results to this file (for ratios.py)")
    args = parser.parse_args()
    results: dict[str, Any] = {"endpoint": args.endpoint, "cases": {}, "latency": {}}
    tenant, token = args.tenant, args.token
    if args.keystone:
        token, tenant = keystone_token(args.keystone, args.user, args.password, args.project)
    api = Api(args.endpoint, tenant, token)
    print(f"# {args.endpoint} — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| shape | N | create s | update s | delete s |\n|---|---|---|---|---|")
    for n in args.sizes:
        for shape in args.shapes:
            cells = run_case(api, shape, n, args.poll, args.case_timeout)
            results["cases"][f"{shape} {n}"] = cells
            print(f"| {shape} | {n} | " + " | ".join(cells) + " |", flush=True)
    if args.list_stacks:
        print(
            f"\n| request ({args.list_stacks} stacks stored) | median ms | p95 ms |\n|---|---|---|"
        )
        for label, median, p95 in latency(api, args.list_stacks, args.gets):
            results["latency"][label] = [round(median, 1), round(p95, 1)]
            print(f"| {label} | {median:.1f} | {p95:.1f} |")
    peak = peak_memory_mib(args.engine_pids)
    if peak is not None:
        results["peak_mib"] = round(peak)
        print(f"\nEngine peak RSS: {peak:.0f} MiB")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
