"""The booth's bundle is deterministic: built from the same sources and lock file anywhere, it
has the same bytes, those of the bundle `make static` wrote and the portal serves (the seal
names its SHA-256). Needs Node.js and `make static`'s node_modules; without them the test is
skipped, except under CI, where a skip fails (tests/e2e/conftest.py)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from chalicelib.web import site
from tests.support import ROOT

pytestmark = pytest.mark.slow

NODE = shutil.which("node")
ESBUILD = ROOT / "node_modules" / "esbuild"


def build_elsewhere(where) -> bytes:
    """booth/ copied to `where` (node_modules linked, not copied), built there, from elsewhere."""
    shutil.copytree(ROOT / "booth", where / "booth")
    (where / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    output = where / "out" / "ev1.js"
    subprocess.run(
        [NODE, str(where / "booth" / "build.mjs"), str(output)], cwd="/", check=True, capture_output=True, timeout=120
    )
    return output.read_bytes()


def test_two_builds_in_two_places_give_the_served_bundle_byte_for_byte(tmp_path):
    if NODE is None:
        pytest.skip("Node.js is not installed (see README): the booth's bundle cannot be built")
    if not ESBUILD.is_dir():
        pytest.skip("node_modules is missing: run `make static`")
    first = build_elsewhere(tmp_path / "a")
    second = build_elsewhere(tmp_path / "deeper" / "b")
    assert first == second
    served = (site.STATIC / site.BOOTH_BUNDLE).read_bytes()
    assert served == first, "chalicelib/static/booth/ev1.js is not what booth/ builds: run `make static`"
    for leak in (str(tmp_path).encode(), str(ROOT).encode(), b"sourceMappingURL", b"node_modules"):
        assert leak not in first, leak
    assert first.startswith(b"/*! EV1 booth.") and first.isascii()
    print(f"booth bundle: {len(first)} bytes, sha256 {hashlib.sha256(first).hexdigest()}")
