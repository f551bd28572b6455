"""Without Chromium: `make test` installs it or says how (`.ci/chromium`); the browser tests
are skipped, and under CI a skip is a failure (the hook in tests/e2e/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.support import ROOT

PROBE_CONFTEST = """
from pathlib import Path

import tests.e2e.conftest as e2e
from tests.e2e.conftest import browser, pytest_runtest_makereport  # noqa: F401

e2e.CHROMIUM = Path("/nonexistent/chromium")
"""


def run_probe(tmp_path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text(PROBE_CONFTEST)
    (tmp_path / "test_probe.py").write_text(
        textwrap.dedent(
            """
            def test_a_journey(browser):
                pass

            def test_not_a_browser_test():
                pass
            """
        )
    )
    environment = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTHONPATH": str(ROOT)}
    if ci is not None:
        environment["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfs", str(tmp_path)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_without_chromium_a_browser_test_is_skipped_saying_how_to_install_it(tmp_path):
    result = run_probe(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
    assert "sudo apt-get update && sudo apt-get install -y chromium" in result.stdout


@pytest.mark.slow
def test_under_ci_a_skipped_browser_test_fails(tmp_path):
    result = run_probe(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout
    assert "1 passed, 1 error" in result.stdout  # a failure in its setup (the browser fixture)
    assert "skipped under CI (CI=true), which counts as a failure" in result.stdout


def test_the_chromium_step_prints_the_command_when_it_cannot_install(tmp_path):
    """Not root, or no apt-get: `make test` stops with the command to run."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").symlink_to("/usr/bin/id")  # the script's only command; no apt-get here
    result = subprocess.run(
        ["/bin/bash", str(ROOT / ".ci" / "chromium")],
        env={"PATH": str(bin_dir), "CHROMIUM": str(tmp_path / "no-chromium")},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "sudo apt-get update && sudo apt-get install -y chromium" in result.stderr
    assert "Installing" not in result.stdout


def test_the_chromium_step_does_nothing_when_chromium_is_there(tmp_path):
    present = tmp_path / "chromium"
    present.write_text("#!/bin/sh\n")
    present.chmod(0o755)
    result = subprocess.run(
        ["/bin/bash", str(ROOT / ".ci" / "chromium")],
        env={"PATH": os.environ["PATH"], "CHROMIUM": str(present)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
