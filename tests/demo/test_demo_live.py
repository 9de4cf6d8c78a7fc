"""``meshctl demo --headless`` end to end: real service, simulated agents, clean exit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

MESHCTL = [sys.executable, "-m", "meshctl.cli"]


@pytest.mark.slow
def test_headless_demo_runs_the_story_and_exits_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "TMPDIR": str(tmp_path)}
    out = subprocess.run(
        [*MESHCTL, "demo", "--headless", "--seconds", "8"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    text, err = out.stdout, out.stderr
    assert out.returncode == 0, err
    assert "Traceback" not in err + text
    assert "simulated collector" in text
    reports = re.search(r"Reports: (\d+) sent, (\d+) accepted", text)
    assert reports is not None, text
    assert int(reports.group(2)) > 0
    assert re.search(r"Links changed: [1-9]\d* of", text), text
    degraded = re.search(r"Degraded link: (\S+) .*→ cost (\d+\.\d+)", text)
    assert degraded is not None, text
    assert float(degraded.group(2)) > 5  # it got much worse
    assert re.search(r"Offline node: .* went offline at .* came back online", text), text
    assert "Before (inventory costs)" in text and "After (measured" in text
    assert text.count("Bottleneck:") == 2
    # The temporary data directory is gone.
    assert not list(tmp_path.glob("meshcommons-demo-*"))
