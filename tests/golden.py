"""The golden site: the repository's example site, built and compared with
committed expected output in tests/expected/.

    python -m tests.golden regenerate   # rebuild tests/expected/ (also: make golden)
    python -m tests.golden check        # list the differences, exit 1 if any

Text files are kept whole under tests/expected/site/ and compared byte for
byte. Binary files (photos, fonts) are not committed: tests/expected/binaries.txt
lists each one's path, size and SHA-256, which is compared instead.
"""

from __future__ import annotations

import difflib
import hashlib
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "expected"
EXPECTED_SITE = EXPECTED / "site"
BINARIES = EXPECTED / "binaries.txt"
GOLDEN_BASE_URL = "https://example.github.io/appeals-site/"
REGENERATE = "make golden   (or: .venv/bin/python -m tests.golden regenerate)"

BINARY_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".pdf"}
_BINARIES_HEADER = "# path  size  sha256 -- binary files of the golden site, written by `python -m tests.golden regenerate`\n"


def build_example(output: Path) -> None:
    """Build the repository's example site into ``output`` with the golden base URL."""
    from totaliser.site import BuildOptions, build

    build(BuildOptions(site_dir=ROOT, output_dir=output, base_url=GOLDEN_BASE_URL))


def is_binary(path: Path) -> bool:
    if path.suffix.lower() in BINARY_SUFFIXES:
        return True
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def binary_manifest(output: Path) -> str:
    lines = [_BINARIES_HEADER]
    for path in _files(output):
        if is_binary(path):
            data = path.read_bytes()
            lines.append(f"{path.relative_to(output).as_posix()}  {len(data)}  {hashlib.sha256(data).hexdigest()}\n")
    return "".join(lines)


def _parse_manifest(text: str) -> dict[str, str]:
    entries = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            path, size, digest = line.split("  ")
            entries[path] = f"{size}  {digest}"
    return entries


def regenerate(built: Path | None = None) -> None:
    """Replace tests/expected/ with a fresh build of the example site."""
    with tempfile.TemporaryDirectory(prefix="totaliser-golden-") as scratch:
        if built is None:
            built = Path(scratch) / "output"
            build_example(built)
        if EXPECTED_SITE.exists():
            shutil.rmtree(EXPECTED_SITE)
        EXPECTED_SITE.mkdir(parents=True)
        for path in _files(built):
            if is_binary(path):
                continue
            target = EXPECTED_SITE / path.relative_to(built)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        BINARIES.write_text(binary_manifest(built), encoding="utf-8", newline="\n")
        # Keep the committed bytes exactly as built, whatever git's line-ending settings.
        (EXPECTED / ".gitattributes").write_text("* -text\n", encoding="utf-8", newline="\n")


@dataclass
class Difference:
    path: str
    what: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.what}" + (f"\n{self.detail}" if self.detail else "")


def compare(built: Path) -> list[Difference]:
    """Every way ``built`` differs from the committed expected output."""
    if not EXPECTED_SITE.is_dir() or not BINARIES.is_file():
        return [Difference("tests/expected/", "missing: no expected output has been committed yet")]
    differences: list[Difference] = []
    expected_binaries = _parse_manifest(BINARIES.read_text(encoding="utf-8"))
    built_binaries = _parse_manifest(binary_manifest(built))
    built_text = {p.relative_to(built).as_posix(): p for p in _files(built) if not is_binary(p)}
    expected_text = {p.relative_to(EXPECTED_SITE).as_posix(): p for p in _files(EXPECTED_SITE)}
    for name in sorted(set(expected_text) | set(built_text)):
        if name not in built_text:
            differences.append(Difference(name, "expected but no longer built"))
        elif name not in expected_text:
            differences.append(Difference(name, "built but not in the expected output"))
        else:
            old, new = expected_text[name].read_bytes(), built_text[name].read_bytes()
            if old != new:
                differences.append(Difference(name, "differs", _diff(old, new, name)))
    for name in sorted(set(expected_binaries) | set(built_binaries)):
        if name not in built_binaries:
            differences.append(Difference(name, "expected (binary) but no longer built"))
        elif name not in expected_binaries:
            differences.append(Difference(name, "built (binary) but not in tests/expected/binaries.txt"))
        elif expected_binaries[name] != built_binaries[name]:
            differences.append(Difference(
                name, f"binary differs: expected size and sha256 {expected_binaries[name]}, built {built_binaries[name]}",
            ))
    return differences


def _diff(old: bytes, new: bytes, name: str, limit: int = 40) -> str:
    lines = list(difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(), new.decode("utf-8", "replace").splitlines(),
        f"expected/{name}", f"built/{name}", lineterm="", n=1,
    ))
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    return "\n".join("    " + line for line in lines)


def report(differences: list[Difference], limit: int = 15) -> str:
    shown = "\n".join(str(d) for d in differences[:limit])
    more = f"\n... and {len(differences) - limit} more" if len(differences) > limit else ""
    return (
        f"The example site built with base URL {GOLDEN_BASE_URL} differs from the committed expected output "
        f"in tests/expected/ ({len(differences)} difference{'s' if len(differences) != 1 else ''}):\n"
        f"{shown}{more}\n\n"
        f"If every change is intended, regenerate the expected output with\n    {REGENERATE}\n"
        "then review `git diff tests/expected/` and commit it."
    )


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "regenerate":
        regenerate()
        count = len(_files(EXPECTED_SITE))
        print(f"Wrote {count} text files to tests/expected/site/ and the binary manifest {BINARIES.relative_to(ROOT)}.")
        return 0
    if command == "check":
        with tempfile.TemporaryDirectory(prefix="totaliser-golden-") as scratch:
            built = Path(scratch) / "output"
            build_example(built)
            differences = compare(built)
        if differences:
            print(report(differences, limit=len(differences)))
            return 1
        print("The example site matches tests/expected/.")
        return 0
    print("usage: python -m tests.golden regenerate|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
