"""Bad input never crashes: generated front matter, bodies and settings give
either a built site or content errors that each name a file and a line. Never
another exception, never a hang, never a partly written output."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import MINIMAL_SITE_YAML
from totaliser.content import KNOWN_APPEAL_FIELDS
from totaliser.errors import ContentErrors
from totaliser.site import BuildOptions, build, load_site
from totaliser.staging import staging_folder

pytestmark = pytest.mark.xdist_group("fuzz")

# Examples per test; the whole module runs in well under a minute.
LOADER_EXAMPLES = 150
RAW_EXAMPLES = 120
BUILD_EXAMPLES = 50
SECONDS_PER_CASE = 20  # far beyond a normal case: only a hang reaches it

VALID = {
    "child": "Amy Example",
    "condition": "cerebral palsy",
    "target": 36000,
    "raised": 25000,
    "hospital": "Poole Hospital",
    "date": datetime.date(2026, 5, 1),
}


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Hang(f"a case ran for more than {seconds} seconds")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- What the generator writes ---------------------------------------------

odd_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from("\x00\x01\x07\x1b\x7f\x85\u2028\u2029\ufeff\u202e\u200b\t\r\n:-[]{}#&*!|>'\"%@`,?"),
    ),
    max_size=40,
)
huge_numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**20, max_value=10**300),
    st.integers(max_value=-1),
    st.floats(),
    st.floats(min_value=1e15),
    st.decimals(allow_nan=False, places=3).map(str),
)
scalars = st.one_of(
    st.none(), st.booleans(), huge_numbers, odd_text,
    st.dates(), st.datetimes(),
    st.sampled_from(["£36,000", "36,000.505", "fifty grand", "-5", "0", "1e400", "nan", ".inf", "2026-02-30",
                     "https://give.example/", "javascript:alert(1)", "draft", "open", "GBP", "gbp", "€1.200", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(["label", "url", "amount", "date", "raised", "note"]), odd_text), inner, max_size=4),
    ),
    max_leaves=12,
)
field_names = st.one_of(st.sampled_from(KNOWN_APPEAL_FIELDS + ("donate_url", "raised")), odd_text)
front_matter = st.one_of(
    st.dictionaries(field_names, values, max_size=12),
    # Mostly right, with a few fields broken: this reaches the later checks and rendering.
    st.dictionaries(field_names, values, max_size=4).map(lambda broken: {**VALID, **broken}),
)
markdown_text = st.lists(
    st.one_of(
        st.sampled_from(list("[]()<>*_`#>-!|:{}\\&;=\"'/ \n\t") + ["a", "b", "http://", "<script>", "</p>", "&#", "\n\n", "    "]),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=120,
).map("".join)

# Hand-made YAML that a dictionary dump never produces.
nasty_yaml = st.one_of(
    st.integers(1, 3000).map(lambda n: "child: " + "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "child: " + "{a: " * n + "1" + "}" * n),
    st.integers(1, 400).map(lambda n: "".join("  " * i + f"k{i}:\n" for i in range(n)) + "  " * n + "x"),
    st.just("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "tags: *i\nchild: *i\n"),
    st.just("child: &x Amy\ncondition: *x\nhospital: *x\ntarget: 1\nraised: 1\ndate: 2026-01-01\ntags: &l [*x, *x]\nmilestones: *l\n"),
    st.just("target: 1" + "0" * 5000 + "\n"),
    st.just("date: 99999-01-01\ntarget: 1e999999\n"),
    st.just("? [a, b]\n: c\n"),
    st.just("child: !!python/object/apply:os.system ['echo hi']\n"),
    st.just("child: Amy\nchild: Bob\n"),
    st.just("<<: {child: Amy}\n"),
    st.just("raised: {1: 5, null: 6, true: 7, [a]: 8}\n"),
    st.just("date: 2026-13-45\ndeadline: 0000-01-01\n"),
    st.just("%YAML 1.1\n--- !!map\n"),
    st.just("--- a\n--- b\n"),
)


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# --- How a case is judged --------------------------------------------------


def digest(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_good_problems(exc: ContentErrors) -> None:
    assert exc.problems.errors
    for problem in exc.problems.items:
        assert problem.path and isinstance(problem.path, str)
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert str(problem).startswith(f"{problem.path}:{problem.line}: ")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@contextmanager
def a_site(workspace: Path, files: dict[str, str | bytes]) -> Iterator[Path]:
    site = Path(tempfile.mkdtemp(dir=workspace))
    try:
        files = {"site.yaml": MINIMAL_SITE_YAML, **files}
        for relative, body in files.items():
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(body, bytes):
                path.write_bytes(body)
            else:
                path.write_text(body, encoding="utf-8", newline="")
        yield site
    finally:
        shutil.rmtree(site)


def load_outcome(site: Path) -> str:
    with time_limit(SECONDS_PER_CASE):
        try:
            load_site(site)
        except ContentErrors as exc:
            assert_good_problems(exc)
            return "errors"
    return "loaded"


def count(kind: str) -> None:
    # Shown by `pytest --hypothesis-show-statistics`: how many cases built,
    # how many gave errors.
    event(kind)


FUZZ_SETTINGS = settings(deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(FUZZ_SETTINGS, max_examples=LOADER_EXAMPLES)
@given(front=front_matter, body=markdown_text, site_values=st.one_of(st.none(), st.dictionaries(st.sampled_from(["title", "base_url", "currency", "locale", "publisher", "charity", "privacy", "cname", "description"]), values, max_size=3)))
def test_generated_front_matter_loads_or_gives_located_errors(workspace: Path, front: dict, body: str, site_values: dict | None) -> None:
    files: dict[str, str | bytes] = {"content/appeals/fuzz.md": "---\n" + dump(front) + "---\n" + body}
    if site_values is not None:
        files["site.yaml"] = dump({**yaml.safe_load(MINIMAL_SITE_YAML), **site_values})
    with a_site(workspace, files) as site:
        count("loader:" + load_outcome(site))


@settings(FUZZ_SETTINGS, max_examples=RAW_EXAMPLES)
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        odd_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.tuples(odd_text, markdown_text).map(lambda p: f"---\n{p[0]}\n---\n{p[1]}".encode("utf-8", "surrogatepass")),
        nasty_yaml.map(lambda y: f"---\n{y}\n---\nBody.\n".encode()),
        nasty_yaml.map(lambda y: ("---\n" + dump(VALID) + y + "\n---\nBody.\n").encode()),
    ),
    where=st.sampled_from(["content/appeals/fuzz.md", "content/pages/fuzz.md", "site.yaml"]),
)
def test_raw_files_load_or_give_located_errors(workspace: Path, raw: bytes, where: str) -> None:
    files: dict[str, str | bytes] = {where: raw}
    if where == "site.yaml":
        files["content/appeals/amy.md"] = "---\n" + dump(VALID) + "---\nStory.\n"
    with a_site(workspace, files) as site:
        count("raw:" + load_outcome(site))


@pytest.fixture(scope="module")
def previous_output(workspace: Path) -> Path:
    """A good build, copied in as the "previous site" before each case."""
    site = workspace / "good-site"
    site.mkdir()
    (site / "site.yaml").write_text(MINIMAL_SITE_YAML, encoding="utf-8")
    (site / "content" / "appeals").mkdir(parents=True)
    (site / "content" / "appeals" / "amy.md").write_text("---\n" + dump(VALID) + "---\nStory.\n", encoding="utf-8")
    output = workspace / "good-output"
    build(BuildOptions(site_dir=site, output_dir=output))
    return output


@settings(FUZZ_SETTINGS, max_examples=BUILD_EXAMPLES)
@given(front=front_matter, body=markdown_text, nasty=st.one_of(st.none(), nasty_yaml))
def test_a_build_gives_a_whole_site_or_errors_and_the_old_site(workspace: Path, previous_output: Path, front: dict, body: str, nasty: str | None) -> None:
    text = "---\n" + dump(front) + (nasty or "") + "\n---\n" + body
    with a_site(workspace, {"content/appeals/fuzz.md": text}) as site:
        output = site / "output"
        shutil.copytree(previous_output, output)
        before = digest(output)
        with time_limit(SECONDS_PER_CASE):
            try:
                report = build(BuildOptions(site_dir=site, output_dir=output))
            except ContentErrors as exc:
                assert_good_problems(exc)
                assert digest(output) == before, "a failed build changed the previous site"
                count("build:errors")
            else:
                assert [a.slug for a in report.appeals] in ([], ["fuzz"])
                assert (output / "index.html").is_file() and (output / "appeals.json").is_file()
                if report.appeals:
                    assert (output / "appeals" / "fuzz" / "index.html").is_file()
                count("build:built")
        assert not staging_folder(output).exists()



# Bodies that make Markdown parsers slow or deep: each must still be read
# within the time limit (20,000 "[" once took over a minute).
PATHOLOGICAL_BODIES = {
    "brackets": "[" * 20000,
    "bracket words": "[a " * 5000,
    "unclosed links": "[a](" * 5000,
    "images": "![" * 3000,
    "angle brackets": "<a " * 20000,
    "quotes": "> " * 3000 + "x",
    "nested lists": "".join("  " * i + "- x\n" for i in range(300)),
    "emphasis": "*_" * 20000,
    "tables": "\n".join("|" * 50 for _ in range(2000)),
    "html": "<div>" * 5000,
    "abbreviations": "*[x]: y\n" * 2000 + "x " * 2000,
}


@pytest.mark.parametrize("body", PATHOLOGICAL_BODIES.values(), ids=PATHOLOGICAL_BODIES.keys())
def test_pathological_bodies_are_read_in_bounded_time(workspace: Path, body: str) -> None:
    text = "---\n" + dump(VALID) + "---\n" + body + "\n"
    with a_site(workspace, {"content/appeals/slow.md": text}) as site:
        assert load_outcome(site) == "loaded"
