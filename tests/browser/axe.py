"""axe-core from the npm registry, fetched at test time into tests/.axe/ (git-ignored), never
from a CDN. The version and the registry's sha512 integrity of its tarball are pinned here; a
tarball whose digest differs is refused. Run `python tests/browser/axe.py` (or `make axe`) to
fetch it ahead of the tests; the browser tests fetch it themselves when it is missing."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
VENDOR = Path(__file__).resolve().parent.parent / ".axe"


class AxeUnavailable(RuntimeError):
    pass


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _npm_pack(destination: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise AxeUnavailable("npm is not installed: apt-get install npm (the tests fetch axe-core with it)")
    try:
        result = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--json", "--pack-destination", str(destination)],
            check=True, capture_output=True, text=True, timeout=180,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        output = getattr(error, "stderr", "") or ""
        raise AxeUnavailable(
            f"could not fetch axe-core@{AXE_VERSION} from the npm registry (is it reachable?): {output[-500:]}"
        ) from error
    name = json.loads(result.stdout)[0]["filename"]
    return destination / name


def axe_script() -> Path:
    """The path of the pinned axe.min.js, fetched and checked once."""
    target = VENDOR / f"axe-core-{AXE_VERSION}.min.js"
    if target.exists():
        return target
    VENDOR.mkdir(parents=True, exist_ok=True)
    # A folder of this process's own: the test processes of `make test -n 2` may fetch at once.
    with tempfile.TemporaryDirectory(dir=VENDOR) as own:
        data = _npm_pack(Path(own)).read_bytes()
    if _integrity(data) != AXE_INTEGRITY:
        raise AxeUnavailable(
            f"axe-core@{AXE_VERSION} from the registry does not match the pinned integrity "
            f"({_integrity(data)} != {AXE_INTEGRITY}); refusing to use it"
        )
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        script = archive.extractfile("package/axe.min.js")
        if script is None:
            raise AxeUnavailable("the axe-core package holds no axe.min.js")
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(script.read())
        partial.replace(target)
    return target


if __name__ == "__main__":
    try:
        print(axe_script())
    except AxeUnavailable as error:
        sys.exit(f"axe-core: {error}")


def inject_axe(page) -> None:
    """Put axe-core into the page through the browser's debugging channel: a <script> tag with
    its text inline would be refused by our Content-Security-Policy, as any inline script is."""
    page.evaluate(axe_script().read_text(encoding="utf-8") + "\n;undefined")
