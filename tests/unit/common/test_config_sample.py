"""etc/heat.conf.sample is what oslo-config-generator writes from today's options."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
GENERATOR_CONFIG = REPO_ROOT / "etc" / "heat-config-generator.conf"
SAMPLE = REPO_ROOT / "etc" / "heat.conf.sample"


def _generator() -> str:
    beside_python = Path(sys.executable).with_name("oslo-config-generator")
    found = str(beside_python) if beside_python.exists() else shutil.which("oslo-config-generator")
    if found is None:
        pytest.fail("oslo-config-generator is not installed; run `pip install -e .`")
    return found


def test_sample_config_matches_the_registered_options(tmp_path: Path) -> None:
    fresh = tmp_path / "heat.conf.sample"
    result = subprocess.run(
        [_generator(), "--config-file", str(GENERATOR_CONFIG), "--output-file", str(fresh)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    committed = SAMPLE.read_text() if SAMPLE.exists() else ""
    generated = fresh.read_text()
    if committed != generated:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                fromfile="etc/heat.conf.sample (committed)",
                tofile="etc/heat.conf.sample (generated)",
            )
        )
        pytest.fail(
            "etc/heat.conf.sample is out of date with the options in the code: "
            "run `tox -e genconfig` and commit the result.\n" + diff,
            pytrace=False,
        )
