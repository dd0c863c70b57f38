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


def wait_for_staging(process: subprocess.Popen[bytes], output: Path) -> float | None:
    """Seconds from now until the build's staging folder appears; None if the build ends first."""
    started = time.monotonic()
    while process.poll() is None:
        if staging_folder(output).exists():
            return time.monotonic() - started
        time.sleep(0.005)
    return None


def test_a_killed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    old_site = write_big_site(tmp_path / "old-site")
    # The killed builds write different content: a swap that happened halfway
    # would show as a mixture of the two.
    new_site = write_big_site(tmp_path / "new-site", raised_offset=123)
    output = tmp_path / "output"

    # A first build, timed: how long it reads and checks, how long it writes.
    started = time.monotonic()
    first = started_build(old_site, output)
    reading = wait_for_staging(first, output)
    assert first.wait(timeout=600) == 0
    total = time.monotonic() - started
    reading = reading if reading is not None else total / 2
    writing = max(total - reading, 0.05)
    digests = {old_site: tree_digest(output)}
    assert len(digests[old_site]) > APPEALS
    # The new site as a whole, built elsewhere (builds are byte-identical
    # wherever they are written, which the end of this test checks).
    reference = tmp_path / "reference" / "output"
    assert run_cli("build", "--site", str(new_site), "--output", str(reference), timeout=600).returncode == 0
    digests[new_site] = tree_digest(reference)
    current = old_site

    # Kill points: two while the build reads the stories, six while it
    # renders into its staging folder (timed from when that folder appears,
    # so a busy machine still puts them there).
    plan = [("reading", reading * f) for f in (0.3, 0.7)] + [("writing", writing * f) for f in (0.05, 0.2, 0.4, 0.6, 0.8, 0.95)]
    assert len(plan) == KILL_POINTS
    outcomes: list[str] = []
    left_behind: list[Path] = []
    for phase, delay in plan:
        # Each killed build writes the site that is not in place now.
        other = new_site if current == old_site else old_site
        process = started_build(other, output)
        if phase == "writing" and wait_for_staging(process, output) is None:
            outcomes.append("finished before writing")
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        found = tree_digest(output)
        if staging_folder(output).exists():
            # Kept aside, so the next build's staging folder is told apart
            # from this one; the last is put back for the final build.
            left_behind.append(tmp_path / f"left-by-kill-{len(left_behind)}")
            staging_folder(output).rename(left_behind[-1])
        if process.returncode == -signal.SIGKILL and found == digests[current]:
            outcomes.append(f"killed while {phase}")
        else:
            # Killed after its swap (while deleting the old site), or it
            # finished: either way the other site is there, whole.
            assert process.returncode in (0, -signal.SIGKILL), f"the build ended with status {process.returncode}"
            assert found == digests[other], f"killed {delay:.2f}s into {phase}: the output is neither site, whole"
            current = other
            outcomes.append("swapped in")
    print(f"build of {APPEALS} appeals: {reading:.2f}s reading, {writing:.2f}s writing; "
          f"kill points: {outcomes}; {len(left_behind)} left a staging folder")

    # The next build clears whatever a killed one left behind.
    leftover = staging_folder(output)
    if left_behind:
        left_behind[-1].rename(leftover)
    else:  # every kill missed the writing: leave one as a killed build would
        (leftover / "appeals" / "half-written").mkdir(parents=True)
        (leftover / "appeals" / "half-written" / "index.html").write_text("<!doctype html><p>half", encoding="utf-8")
    final = run_cli("build", "--site", str(new_site), "--output", str(output), timeout=600)
    assert final.returncode == 0, final.stderr
    assert not leftover.exists()
    assert not list(tmp_path.glob(".output.staging*"))
    assert (output / "index.html").is_file()
    # Two builds of the same content are byte-identical, wherever they are written.
    assert tree_digest(output) == digests[new_site]


def test_two_builds_of_the_example_site_are_byte_identical(example_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "output"
    result = run_cli("build", "--site", str(ROOT), "--output", str(again))
    assert result.returncode == 0, result.stderr
    first, second = tree_digest(example_site), tree_digest(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
