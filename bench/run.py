#!/usr/bin/env python3
"""Build-speed benchmark: one command, one table.

    python bench/run.py                 # N=1,000
    python bench/run.py --n 1000 --n 10000
    make bench

For each N it generates the shared corpus of fictional appeals with
``../shared/bench/gen_corpus.py`` (or --generator), makes a site of it in
bench/corpus-N/, and times whole `python build.py` processes, as a user runs
them:

* cold         no output folder and no cache (both moved aside)
* no change    rebuild with nothing changed
* one edit     a paragraph added at the end of one story (as vs_hugo.py does)
* summary edit a new first paragraph in one story: its summary, which the
               search index holds, changes too
* new total    one story's `raised` changed (totals and listing order move)
* template     the appeal page template changed (every appeal page re-rendered)
* workflow run a paragraph added to one story, with the output brought back
               into a new folder and no spare copy, as each run of the GitHub
               publish workflow starts (its cache restores output/)
* memory       peak memory of the cold build: the sum of the proportional set
               size (PSS) of the build and its worker processes, sampled

Times are medians of --runs runs (the cold build is run --cold-runs times).
A rebuild is timed after one untimed rebuild, which makes the spare copy of
the output that later rebuilds start from (see totaliser/staging.py). At the end
the cached output is compared byte for byte with a build made without cache.
Benchmarks are not tests: nothing here fails on a slow machine.

Old outputs and corpora are moved aside into bench/.trash/ and deleted only
when every figure is taken. On ext4 (the file system of many Linux machines
and CI runners) creating files is several times slower for a few minutes
after thousands were deleted, as the kernel steps over recently freed inodes
one by one; a cold build timed just after deleting the last one's output
would measure that, not the build.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from machine import describe as describe_machine  # bench/ is this script's folder, so on the path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_GENERATOR = REPO / ".." / "shared" / "bench" / "gen_corpus.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="number of appeals (repeatable; default 1000)")
    parser.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR, help="the corpus generator (default: ../shared/bench/gen_corpus.py)")
    parser.add_argument("--work", type=Path, default=REPO / "bench", help="where corpus-N/ folders go (default: bench/)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each rebuild (default 5)")
    parser.add_argument("--cold-runs", type=int, default=3, help="timed cold builds (default 3)")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs build.py")
    args = parser.parse_args(argv)
    sizes = args.n or [1000]
    generator = args.generator.resolve()
    if not generator.is_file():
        parser.error(f"no corpus generator at {generator} (give its path with --generator)")

    print(f"Totaliser build benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"median wall seconds of whole `python build.py` processes")
    # Other work on the machine slows every figure: say how busy it was.
    print(f"load average before starting: {os.getloadavg()[0]:.2f}; {describe_machine()}\n")
    rows = []
    try:
        for n in sizes:
            rows.append(bench_one(n, generator, args))
    finally:
        print("deleting the outputs set aside ...", flush=True)
        shutil.rmtree(trash_folder(args), ignore_errors=True)
    print()
    print("| N | cold | no change | one edit | summary edit | new total | template | workflow run | peak memory (cold) | identical to a cold build |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| {n:,} | {cold:.2f} s | {none:.2f} s | {edit:.2f} s | {summary:.2f} s | {total:.2f} s | {template:.2f} s | {run:.2f} s | {memory:.0f} MB | {same} |".format(**row))
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}; {describe_machine()}")
    return 0


def bench_one(n: int, generator: Path, args: argparse.Namespace) -> dict[str, object]:
    site = (args.work / f"corpus-{n}").resolve()
    output = site / "output"
    print(f"N={n:,}: generating the corpus in {site} ...", flush=True)
    if site.exists():
        set_aside(site, args)
    appeals = site / "content" / "appeals"
    subprocess.run([sys.executable, str(generator), "--n", str(n), "--out", str(appeals), "--quiet"], check=True)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    stories = sorted(appeals.glob("*.md"))
    story = stories[len(stories) // 2]
    # Content written a moment ago is "too recent to trust" by its time
    # alone; age it as if it was generated a while ago, as real content is.
    old = time.time() - 3600
    for path in stories:
        os.utime(path, (old, old))

    cpu_times: dict[str, list[float]] = {}
    # Timed as an installed Totaliser runs: with its bytecode written. (A
    # PYTHONDONTWRITEBYTECODE in the caller's environment would otherwise have
    # every build compile Totaliser's modules again, some 40 ms a build.)
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([args.python, "-m", "compileall", "-q", str(REPO / "totaliser")], check=True, env=environment)

    def build(label: str = "") -> float:
        started = time.perf_counter()
        process = subprocess.Popen(
            [args.python, str(REPO / "build.py"), "--site", str(site), "--output", str(output)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment,
        )
        # wait4 gives the CPU time of the build and of the workers it forked:
        # on a busy machine it says more about the work done than the wall time.
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        errors = process.stderr.read().decode() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            sys.exit(f"build failed:\n{errors}")
        if label:
            cpu_times.setdefault(label, []).append(usage.ru_utime + usage.ru_stime)
        return elapsed

    colds = []
    for _ in range(args.cold_runs):
        set_aside(output, args)
        set_aside(site / ".totaliser-cache", args)
        colds.append(build("cold"))
    report("cold", colds)
    # The first rebuild links every file of the cold build's output and keeps
    # that output as the spare copy later rebuilds start from: it costs more.
    report("first rebuild (untimed in the table)", [build()])
    none = [build("no change") for _ in range(args.runs)]
    report("no change", none)

    edits = []
    for run in range(args.runs):
        # As ../shared/bench/vs_hugo.py edits a story: a paragraph added at the end.
        with story.open("a", encoding="utf-8") as file:
            file.write(f"\n\nUpdate {run}: another fundraiser was held.\n")
        edits.append(build("one edit"))
    report("one edit", edits)

    summaries = []
    for run in range(args.runs):
        # A new first paragraph: the story's summary, which is searched, so
        # the search index is made again too.
        text = story.read_text(encoding="utf-8")
        story.write_text(text.replace("\n\n", f"\n\nEdit number {run} of this story.\n\n", 1), encoding="utf-8")
        summaries.append(build("summary edit"))
    report("summary edit", summaries)

    totals = []
    for run in range(args.runs):
        text = story.read_text(encoding="utf-8")
        lines = [f"raised: {1000 + 37 * run}" if line.startswith("raised:") else line for line in text.split("\n")]
        story.write_text("\n".join(lines), encoding="utf-8")
        totals.append(build("new total"))
    report("new total", totals)

    theme = (REPO / "templates" / "appeal.html").read_text(encoding="utf-8")
    override = site / "templates" / "appeal.html"
    override.parent.mkdir(exist_ok=True)
    templates = []
    for run in range(max(1, args.runs // 2)):
        override.write_text(theme + f"{{# template edit {run} #}}\n<!-- edit {run} -->\n", encoding="utf-8")
        templates.append(build("template"))
    report("template", templates)

    runs = []
    for run in range(args.runs):
        copy = output.with_name(output.name + "-restored")
        shutil.copytree(output, copy)
        set_aside(output, args)
        copy.rename(output)
        set_aside(site / ".totaliser-cache" / "spare", args)
        with story.open("a", encoding="utf-8") as file:
            file.write(f"\n\nWorkflow run {run}: the total was updated.\n")
        runs.append(build("workflow run"))
    report("workflow run", runs)

    print("  CPU seconds (median, build and workers): " + ", ".join(
        f"{label} {statistics.median(times):.2f}" for label, times in cpu_times.items()))
    same = identical_to_cold(site, output, args)
    print(f"  cached output identical to a build without cache: {'yes' if same else 'NO'}")

    set_aside(output, args)
    set_aside(site / ".totaliser-cache", args)
    memory = peak_memory(lambda: build()) / 1e6
    print(f"  peak memory of a cold build: {memory:.0f} MB")
    return {
        "n": n, "cold": statistics.median(colds), "none": statistics.median(none),
        "edit": statistics.median(edits), "summary": statistics.median(summaries), "total": statistics.median(totals),
        "template": statistics.median(templates), "run": statistics.median(runs), "memory": memory, "same": "yes" if same else "NO",
    }


def trash_folder(args: argparse.Namespace) -> Path:
    return (args.work / ".trash").resolve()


def set_aside(path: Path, args: argparse.Namespace) -> None:
    """Move a folder into the trash, to be deleted when the timing is over."""
    if not path.exists():
        return
    trash = trash_folder(args)
    trash.mkdir(parents=True, exist_ok=True)
    path.rename(trash / f"{path.name}-{time.time_ns()}")


def report(label: str, times: list[float]) -> None:
    shown = ", ".join(f"{t:.2f}" for t in times)
    print(f"  {label:<10} median {statistics.median(times):.2f} s  ({shown})", flush=True)


def identical_to_cold(site: Path, output: Path, args: argparse.Namespace) -> bool:
    reference = site / "reference-output"
    set_aside(reference, args)
    code = (
        "import sys; from pathlib import Path; from totaliser.site import BuildOptions, build; "
        "build(BuildOptions(Path(sys.argv[1]), Path(sys.argv[2]), use_cache=False))"
    )
    subprocess.run([args.python, "-c", code, str(site), str(reference)], cwd=REPO, check=True)
    try:
        return same_tree(output, reference)
    finally:
        set_aside(reference, args)


def same_tree(first: Path, second: Path) -> bool:
    comparison = filecmp.dircmp(first, second, ignore=[])
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(first, second, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(first / name, second / name) for name in comparison.common_dirs)


def peak_memory(run: object) -> float:
    """Peak total PSS in bytes of this process's children while ``run()`` runs."""
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss(os.getpid()))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run()  # type: ignore[operator]
    finally:
        done.set()
        sampler.join()
    return peak


def tree_pss(pid: int) -> float:
    """The PSS of a process's descendants (not the process itself), in bytes."""
    total = 0.0
    for child in children(pid):
        total += pss(child) + tree_pss(child)
    return total


def children(pid: int) -> list[int]:
    try:
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
        return found
    except OSError:
        return []


def pss(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
