"""Nothing is lost: a build killed at any moment leaves the previous site
complete and unchanged, the next build clears what it left behind, and two
builds of the same content are byte-identical."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import MINIMAL_SITE_YAML, ROOT, run_cli
from totaliser.staging import staging_folder

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("kill")]

APPEALS = 200
PHOTOS = 6  # a few photos, so that some kill points land while pictures are encoded
KILL_POINTS = 8


def write_big_site(site: Path, raised_offset: int = 0) -> Path:
    appeals = site / "content" / "appeals"
    appeals.mkdir(parents=True, exist_ok=True)
    (site / "site.yaml").write_text(MINIMAL_SITE_YAML, encoding="utf-8")
    for index in range(PHOTOS):
        image = Image.new("RGB", (1600, 1000), (40 * index % 255, 120, 200))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        (appeals / f"photo-{index}.jpg").write_bytes(buffer.getvalue())
    for index in range(APPEALS):
        photo = f"image: photo-{index}.jpg\nimage_alt: A child smiling\n" if index < PHOTOS else ""
        (appeals / f"child-{index:03d}.md").write_text(
            f"""---
child: Child {index:03d}
condition: condition number {index % 17}
target: {10000 + index * 250}
raised: {(index * 997 + raised_offset) % (10000 + index * 250)}
hospital: Hospital {index % 9}
date: 2026-{1 + index % 12:02d}-{1 + index % 28:02d}
deadline: 2027-{1 + index % 12:02d}-15
donate_url: https://give.example/child-{index}
milestones:
  - label: First part
    amount: {5000 + index}
updates:
  - date: 2025-12-01
    raised: {index}
    note: Launched.
{photo}---
Child {index:03d} needs help. **Readers** can [give online](https://give.example/).

A second paragraph about the appeal, with some more words in it.
""",
            encoding="utf-8",
        )
    return site


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_command(site: Path, output: Path) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--output", str(output)]


def started_build(site: Path, output: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(build_command(site, output), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_killed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    old_site = write_big_site(tmp_path / "old-site")
    # The killed builds write different content: a swap that happened halfway
    # would show as a mixture of the two.
    new_site = write_big_site(tmp_path / "new-site", raised_offset=123)
    output = tmp_path / "output"

    started = time.monotonic()
    first = run_cli("build", "--site", str(old_site), "--output", str(output), timeout=600)
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    previous = tree_digest(output)
    assert len(previous) > APPEALS

    killed = 0
    leftovers = 0
    for point in range(KILL_POINTS):
        # Spread over the whole run, from interpreter start-up to the swap.
        delay = duration * (point + 0.5) / KILL_POINTS
        process = started_build(new_site, output)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if process.returncode == -signal.SIGKILL:
            killed += 1
            assert tree_digest(output) == previous, f"killed after {delay:.2f}s: the previous site changed"
            leftovers += staging_folder(output).exists()
        else:
            # It finished first: then the whole new site is in place.
            assert process.returncode == 0, f"the build ended with status {process.returncode}"
            previous = tree_digest(output)
    print(f"build of {APPEALS} appeals: {duration:.2f}s; {killed} of {KILL_POINTS} kill points landed mid-build, {leftovers} left a staging folder")
    assert killed >= KILL_POINTS // 2, "most kill points land while the build runs"
    assert leftovers, "some builds were killed while writing their staging folder"

    # The next build clears whatever the killed ones left behind.
    final = run_cli("build", "--site", str(new_site), "--output", str(output), timeout=600)
    assert final.returncode == 0, final.stderr
    assert not staging_folder(output).exists()
    assert not list(tmp_path.glob(".output.staging*"))
    assert (output / "index.html").is_file()

    # Two builds of the same content are byte-identical, wherever they are written.
    again = tmp_path / "elsewhere" / "output"
    second = run_cli("build", "--site", str(new_site), "--output", str(again), timeout=600)
    assert second.returncode == 0, second.stderr
    assert tree_digest(again) == tree_digest(output)


def test_two_builds_of_the_example_site_are_byte_identical(example_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "output"
    result = run_cli("build", "--site", str(ROOT), "--output", str(again))
    assert result.returncode == 0, result.stderr
    first, second = tree_digest(example_site), tree_digest(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
