"""build(): load and check the content, plan every output, make what is stale, swap in.

The data flows one way. Every content file is read and checked first (from
the cache when its inputs are unchanged); a build with errors stops there,
having written nothing. Then every output of the site is planned
(``outputs/registry.py``); an output whose recorded inputs are unchanged is
kept, the rest are made (in several processes when there are many), each
recording what it read (``reads.py``). Only when all are made does the new
output folder replace the old one, in one step (``staging.py``).
"""

from __future__ import annotations

import gc
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from . import reads
from .advice import SITE_VALUES as ADVICE_VALUES
from .cache import BuildCache, ContentEntry, OutputEntry, output_manifest
from .config import SiteConfig, fallback_config, load_config, normalise_base_url
from .content import Appeal, Content, Page, load_content
from .errors import ContentErrors, Problem, Problems, UsageError, display_path
from .fields import FieldError
from .fingerprint import code_fingerprint, digest, value_digest
from .outputs.context import Context
from .outputs.pages import PageRenderer, template_helpers
from .outputs.registry import Files, Output, SitePlan, addresses, make_site_plan, plan
from .parts import PartsFolder
from .render import make_environment
from .site_values import SiteValues, facts_digest, from_facts, values_key
from .staging import (
    Manifest,
    OutputCollision,
    OutputTree,
    Staging,
    check_output_folder,
    folder_manifest,
    identity,
    remove_tree,
)
from .template_errors import reported
from .workers import parallel_map

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    base_url: str | None = None
    include_drafts: bool = False
    use_cache: bool = True  # <site>/.totaliser-cache/; the output is the same without it

    @property
    def output(self) -> Path:
        return self.output_dir if self.output_dir is not None else self.site_dir / "output"


@dataclass
class BuildReport:
    output_dir: Path
    appeals: list[Appeal]
    pages: list[Page]
    warnings: list[Problem]
    files: int
    seconds: float
    drafts_skipped: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    made: list[str] = field(default_factory=list)  # outputs made this time; the rest were kept
    outputs: list[Output] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # the site values the warnings about the site read (advice.SITE_VALUES)

    def addresses(self) -> set[str]:
        return addresses(self.outputs)


@dataclass
class LoadedSite:
    config: SiteConfig
    content: Content
    problems: Problems
    # Each appeal's and page's fingerprint: what outputs that read it record.
    fingerprints: dict[str, bytes] = field(default_factory=dict)
    attributes: dict[str, bytes] = field(default_factory=dict)  # each appeal's, by path: reads.attribute_fingerprints
    facts: dict[str, bytes] = field(default_factory=dict)  # each appeal's, by path: site_values.facts_digest
    # What every story's text depends on besides itself: under privacy:
    # first_name, every child's name (a new child's surname is hidden in
    # every other story too). Part of each fingerprint above, and of each
    # fingerprint of some of an appeal's fields.
    guard: bytes = b""


_code: bytes | None = None


def _code_fingerprint() -> bytes:
    global _code  # the running code cannot change while the process runs
    if _code is None:
        _code = code_fingerprint()
    return _code


def open_cache(site_dir: Path) -> BuildCache:
    # Kept for this site folder only. What the cache records of a file is
    # where it is: a cache copied with its site to another folder describes
    # the first folder's files, which may still be there, unchanged, while
    # the copy's are edited. Elsewhere it is ignored, like another version's.
    return BuildCache(site_dir, digest(_code_fingerprint(), os.fsencode(site_dir.resolve())))


def load_site(
    site_dir: Path, base_url: str | None = None, include_drafts: bool = False, cache: BuildCache | None = None,
    files: reads.FileFingerprints | None = None,
) -> LoadedSite:
    """Read and check site.yaml and every content file; raise ContentErrors if any is wrong."""
    problems = Problems()
    config = load_config(site_dir, problems, base_url)
    if config is None:
        # Check the content anyway: one run reports every error in every file.
        load_content(site_dir, fallback_config(), problems, include_drafts=include_drafts)
        raise ContentErrors(problems)
    loader = ContentLoader(site_dir, config, cache, files or reads.FileFingerprints())
    content = load_content(site_dir, config, problems, include_drafts=include_drafts, loader=loader)
    if problems.errors:
        raise ContentErrors(problems, LoadedSite(config, content, problems, loader.fingerprints, loader.attributes, loader.facts))
    if cache is not None:
        cache.forget_content_except(loader.seen)
    guard = b""
    if config.first_name_only:  # every story's text depends on every child's name, drafts' too
        guard = value_digest(sorted(loader.children))
    items: list[Appeal | Page] = [*content.appeals, *content.pages]
    if guard:
        fingerprints = {item.path: digest(loader.fingerprints[item.path], guard) for item in items}
        # The site's values read the appeals as privacy leaves them, which
        # depends on every child's name: their facts are fingerprinted so.
        facts = {appeal.path: facts_digest(appeal) for appeal in content.appeals}
    else:  # nothing to add: 10,000 hashes spared
        fingerprints = {item.path: loader.fingerprints[item.path] for item in items}
        facts = loader.facts
    return LoadedSite(config, content, problems, fingerprints, loader.attributes, facts, guard)


class ContentLoader:
    """Reads content files, reusing the cache's checked result of a file whose
    recorded inputs (its bytes, the settings, the photo it names) are unchanged."""

    def __init__(self, site_dir: Path, config: SiteConfig, cache: BuildCache | None, files: reads.FileFingerprints):
        self.site_dir = site_dir
        self.cache = cache
        self.sources = reads.Sources({}, {}, {}, {}, lambda name: config, files, {})
        self.seen: set[str] = set()
        # The files whose checked result, in the cache, read what has changed since.
        self.changed = cache.changed_content(self.sources.changed_in) if cache is not None else set()
        self.children: list[str] = []  # every appeal's child, drafts too (privacy hides them all)
        self.fingerprints: dict[str, bytes] = {}
        self.attributes: dict[str, bytes] = {}
        self.facts: dict[str, bytes] = {}

    def load_files(self, kind: str, paths: list[Path], read_one: Any, problems: Problems) -> list[Any]:
        # All in one folder of the site: its shown name is worked out once.
        folder = display_path(paths[0].parent, self.site_dir) if paths else ""
        shown = [f"{folder}/{path.name}" for path in paths]
        entries: list[ContentEntry | None] = []
        for name in shown:
            entry = self.cache.content(name) if self.cache else None
            entries.append(entry if entry is not None and name not in self.changed else None)
        stale = [index for index, entry in enumerate(entries) if entry is None]

        def read(index: int) -> tuple[reads.Dependencies, ContentEntry, reads.Learnt]:
            found = Problems()
            with reads.recording(self.sources) as recorder:
                reads.value("settings")
                result = read_one(paths[index], found)
            dependencies = recorder.finish()
            if kind == "appeal" and result is not None:
                attributes = reads.attribute_fingerprints(result)
                entry = ContentEntry(result, found.items, digest(attributes), attributes, facts_digest(result))
            else:
                entry = ContentEntry(result, found.items, value_digest(result))
            return dependencies, entry, self.sources.learnt(dependencies)

        for index, (dependencies, entry, learnt) in zip(stale, parallel_map(read, stale), strict=True):
            self.sources.learn(learnt)  # read in a worker, perhaps
            entries[index] = entry
            if self.cache is not None and not any(problem.is_error for problem in entry.problems):
                self.cache.keep_content(shown[index], dependencies, entry)
        results = []
        for name, entry in zip(shown, entries, strict=True):
            assert entry is not None
            problems.items.extend(entry.problems)
            self.seen.add(name)
            self.fingerprints[name] = entry.fingerprint
            self.attributes[name] = entry.attributes
            self.facts[name] = entry.facts
            if kind == "appeal" and entry.result is not None:
                self.children.append(entry.result.child)
            results.append(entry.result)
        return results


def build(options: BuildOptions, progress: Progress | None = None, memory: BuildCache | None = None) -> BuildReport:
    """Build the site. ``memory`` is a cache kept from one build to the next in
    the same process (the dev server)."""
    started = time.perf_counter()
    check_output_folder(options.output, options.site_dir)
    if options.base_url is not None:
        _check_base_url(options.base_url)  # bad usage touches nothing, the cache folder included
    cache = memory if memory is not None else open_cache(options.site_dir) if options.use_cache else None
    # What a build loads (the cache's records, the content) lives until it
    # ends: Python's cycle collector would go over it again and again as it
    # grows, for nothing. Workers collect as usual (workers.py).
    collecting = gc.isenabled()
    gc.disable()
    try:
        if cache is None:
            return _build(options, None, progress, started)
        with cache.locked():  # two builds of one site at once take turns
            return _build(options, cache, progress, started)
    finally:
        if collecting:
            gc.enable()


def _check_base_url(value: str) -> None:
    try:
        normalise_base_url(value)
    except FieldError as exc:
        raise UsageError(f"--base-url {exc}") from None


def _build(options: BuildOptions, cache: BuildCache | None, progress: Progress | None, started: float) -> BuildReport:
    # Files are read, and recorded in the cache, by their absolute paths: a
    # relative one would name another file when the next build runs from
    # another folder, and every story would be read again.
    site_dir = options.site_dir.absolute()
    files = reads.FileFingerprints(cache.state.file_stats if cache else None)
    loaded = load_site(site_dir, options.base_url, options.include_drafts, cache, files)
    appeals = loaded.content.appeals
    values = SiteValues.of(loaded.config, appeals, loaded.content.pages)
    context, sources = _prepare(loaded, site_dir, files, values)
    key = values_key(loaded.config, [loaded.facts[appeal.path] for appeal in appeals])
    if cache is not None:
        sources.take_values(cache.kept_values(key))
    outputs = plan_outputs(loaded, site_dir, sources.value)
    if cache is not None:
        context.env.bytecode_cache = _compiled_templates(cache, loaded.config)
    tree = OutputTree(options.output, cache.spare_dir if cache else None)
    previous, old_manifest, same_folder = _outputs_there(cache, tree)
    changed = cache.changed_outputs(sources.changed_in) if cache is not None else set()
    stale = [output for output in outputs if output.key not in previous or output.key in changed]
    staging = tree.begin(_spare_manifest(cache, tree, old_manifest, same_folder))
    context.scratch = staging.root / WORKING_FOLDER
    context.parts = PartsFolder(cache.folder, cache.state.code) if cache is not None else None
    try:
        made = _make(stale, context, sources, staging, progress, len(outputs))
        problems, missing = _assemble(outputs, made, previous, staging)
        if missing:  # deleted by hand from the output folder
            again = _make_again(missing, outputs, made, previous, context, sources, staging, problems)
            stale += again
            # The old output, which becomes the spare, may lack any of their files.
            suspect = {path for output in again for path, _ in previous[output.key].files}
            old_manifest = old_manifest and {path: made_as for path, made_as in old_manifest.items() if path not in suspect}
        remove_tree(context.scratch)  # emptied by the outputs that worked there, if any did
        if problems.errors:
            raise ContentErrors(problems)
        tree.swap(staging)
    except BaseException:
        tree.abandon()
        raise
    advised = {name: sources.value(name) for name in ADVICE_VALUES}  # before the cache keeps the values
    if cache is not None:
        touched = _touched(outputs, made, previous) if same_folder else None
        cache.keep_values(key, sources.worked_out(from_facts))
        _remember(cache, tree, outputs, made, old_manifest, staging.manifest, files, touched)
    return _report(options, loaded, problems, len(staging.manifest), [output.key for output in stale], started, outputs, advised)


# Inside the staging folder: where outputs may work (the search index's
# documents). Each output removes what it wrote there; a build killed mid-way
# leaves it in the staging folder, which the next build clears.
WORKING_FOLDER = ".totaliser-working"


def _prepare(
    loaded: LoadedSite, site_dir: Path, files: reads.FileFingerprints, values: SiteValues,
) -> tuple[Context, reads.Sources]:
    config, content = loaded.config, loaded.content
    sources = reads.Sources(
        {appeal.slug: appeal for appeal in content.appeals},
        {appeal.slug: loaded.fingerprints[appeal.path] for appeal in content.appeals},
        {page.slug: page for page in content.pages},
        {page.slug: loaded.fingerprints[page.path] for page in content.pages},
        values, files,
        {appeal.slug: loaded.attributes[appeal.path] for appeal in content.appeals},
        loaded.guard,
    )
    env = make_environment(site_dir, config)
    sources.template_fingerprint = _template_fingerprints(env)
    env.globals.update(template_helpers())
    context = Context(config, env, site_dir, PageRenderer(env, config, site_dir), sources.appeals, sources.pages)
    return context, sources


def plan_outputs(loaded: LoadedSite, site_dir: Path, value: Callable[[str], Any]) -> list[Output]:
    """Every output of the site (what ``check`` knows exists comes from here
    too). ``value``: the site's values by name (``SiteValues``)."""
    content = loaded.content
    by_path = {appeal.slug: appeal.path for appeal in content.appeals}
    items: list[Appeal | Page] = [*content.appeals, *content.pages]
    photos = {item.image for item in items if item.image is not None}
    site_plan: SitePlan = make_site_plan(
        loaded.config, [(slug, by_path[slug]) for slug in value("order")],
        {appeal.slug for appeal in content.appeals if appeal.image is not None},
        sorted((page.slug, page.path) for page in content.pages), value("listing-pages"), site_dir, photos,
        value("term-paths"),
    )
    return plan(site_plan)


def check_outputs(loaded: LoadedSite, site_dir: Path, values: SiteValues, outputs: list[Output]) -> list[Problem]:
    """Make outputs without writing them (``check``): the problems they find."""
    context, sources = _prepare(loaded, site_dir, reads.FileFingerprints(), values)
    problems = Problems()
    for output in outputs:
        if output.checked:
            _add_once(problems, _made_by(output, context, sources)[2])
    return problems.items


def _made_by(output: Output, context: Context, sources: reads.Sources) -> tuple[Files, reads.Dependencies, list[Problem]]:
    """An output's files, what it read, and the problems it found."""
    problems = Problems()
    files: Files = {}
    with reads.recording(sources) as recorder:
        reads.value("settings")  # every output is made with the site's settings
        with reported(problems, context.site_dir, context.env):
            files = output.make(context, problems)
    return files, recorder.finish(), problems.items


def _add_once(problems: Problems, found: list[Problem]) -> None:
    # A broken template fails every output alike: say it once.
    for problem in found:
        if problem not in problems.items:
            problems.items.append(problem)


def _compiled_templates(cache: BuildCache, config: SiteConfig) -> jinja2.BytecodeCache:
    """Jinja's own cache of compiled templates, which it checks against each
    template's source. Jinja works out filters of constants (a link) as it
    compiles, so compiled templates are kept apart for each version of the
    code and of the settings, and only the current ones are kept."""
    import shutil

    folder = cache.folder / "templates" / digest(_code_fingerprint(), value_digest(config)).hex()
    if not folder.is_dir():
        shutil.rmtree(folder.parent, ignore_errors=True)
        folder.mkdir(parents=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def _template_fingerprints(env: jinja2.Environment) -> Callable[[str], bytes]:
    found: dict[str, bytes] = {}

    def fingerprint(name: str) -> bytes:
        if name not in found:
            assert env.loader is not None
            try:
                source, filename, _ = env.loader.get_source(env, name)
                # Where it is, not how the site's path was spelled: a site
                # built as "site" and then as "/home/news/site" is one site.
                found[name] = digest(name, os.path.realpath(filename) if filename else "", source)
            except jinja2.TemplateNotFound:
                found[name] = b"missing"
        return found[name]

    return fingerprint


def _outputs_there(cache: BuildCache | None, tree: OutputTree) -> tuple[dict[str, OutputEntry], Manifest | None, bool]:
    """The cache's outputs whose files the output folder holds as they were
    made; every file the folder holds, by fingerprint, when that is known;
    and whether it is the very folder the last build made."""
    if cache is None:
        return {}, None, False
    entries = cache.outputs()
    if cache.state.output == (str(tree.output), identity(tree.output)):
        return entries, output_manifest(entries) if entries else None, True
    # Another folder: restored from the GitHub workflow's cache, copied, or
    # moved back. What it holds is read, and each output whose files are
    # there as it made them is kept (at 1,000 appeals 0.15 s, against some 7 s
    # to make everything again).
    found, whole = folder_manifest(tree.output)
    if not found:
        return {}, None, False
    kept = {key: entry for key, entry in entries.items() if all(found.get(path) == made for path, made in entry.files)}
    return kept, found if whole else None, False


def _spare_manifest(cache: BuildCache | None, tree: OutputTree, old: Manifest | None, same_folder: bool) -> Manifest | None:
    """What the spare copy holds: the output before last, recorded as its
    difference from the output it replaced."""
    if cache is None or not tree.keeps_spare():
        return None  # (on another disk than the output, it cannot be moved there)
    state = cache.state
    if same_folder and old is not None and state.spare is not None and state.spare == identity(cache.spare_dir):
        manifest = dict(old)
        for path, fingerprint in state.spare_difference.items():
            if fingerprint is None:
                manifest.pop(path, None)
            else:
                manifest[path] = fingerprint
        return manifest
    # Not known to be what the cache says (after Totaliser is upgraded, or
    # the output folder was replaced): read, where there is one, rather than
    # deleted (at 10,000 appeals 1.6 s to read, 6 to 10 s to delete).
    found, whole = folder_manifest(cache.spare_dir)
    return found if whole and found else None


Made = tuple[list[tuple[str, bytes]], reads.Dependencies, list[Problem]]


def _make(
    stale: list[Output], context: Context, sources: reads.Sources, staging: Staging, progress: Progress | None, total: int,
) -> dict[str, Made]:
    """Make each stale output, writing its files into staging; what each wrote and read comes back."""
    done = total - len(stale)

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    def make_one(output: Output) -> tuple[Made, reads.Learnt]:
        files, dependencies, problems = _made_by(output, context, sources)
        written = []
        for path, data in files.items():
            fingerprint = digest(data)
            staging.write(path, data, fingerprint)
            written.append((path, fingerprint))
        return (written, dependencies, problems), sources.learnt(dependencies)

    apart = [output for output in stale if output.apart]
    shared = [output for output in stale if not output.apart]
    # Those made apart come first, before the workers start and while this
    # process holds least.
    results = []
    for output in apart:
        results.append(make_one(output))
        tick(1)
    # The first is made here: what making one loads (templates compiled,
    # Pillow imported) is then loaded once, not once in every worker.
    results += [make_one(output) for output in shared[:1]]
    tick(len(shared[:1]))
    results += parallel_map(make_one, shared[1:], tick)
    made = {}
    for output, (result, learnt) in zip(apart + shared, results, strict=True):
        sources.learn(learnt)  # the photos, fonts and values a worker read
        made[output.key] = result
    return made


def _assemble(
    outputs: list[Output], made: dict[str, Made], previous: dict[str, OutputEntry], staging: Staging,
) -> tuple[Problems, set[str]]:
    """Put every output's files in place: the new ones are written, the rest
    linked. Also returns the files to link that the output folder has lost."""
    problems = Problems()
    new: list[tuple[str, str, bytes]] = []
    kept: Manifest = {}
    for output in outputs:
        if output.key in made:
            written, _, found = made[output.key]
            _add_once(problems, found)
            new += [(path, output.source, fingerprint) for path, fingerprint in written]
        else:
            kept.update(previous[output.key].files)
    missing: set[str] = set()
    try:
        missing = staging.fill(new, kept)
    except OutputCollision:
        exc = _first_collision(outputs, made, previous)
        problems.error(exc.second, 1, "file name", f"would write {exc.relative}, which {exc.first} writes too (rename one of them)")
    return problems, missing


def _make_again(
    missing: set[str], outputs: list[Output], made: dict[str, Made], previous: dict[str, OutputEntry],
    context: Context, sources: reads.Sources, staging: Staging, problems: Problems,
) -> list[Output]:
    """Make again the kept outputs that lost a file (``missing``: deleted by
    hand from the output folder), adding them to ``made``; they are returned."""
    again = [output for output in outputs if output.key not in made and not missing.isdisjoint(path for path, _ in previous[output.key].files)]
    for output in again:
        for path, fingerprint in previous[output.key].files:
            staging.forget(path, fingerprint)
    made.update(_make(again, context, sources, staging, None, len(again)))
    for output in again:
        written, _, found = made[output.key]
        staging.manifest.update(written)
        _add_once(problems, found)
    return again


def _first_collision(outputs: list[Output], made: dict[str, Made], previous: dict[str, OutputEntry]) -> OutputCollision:
    """The first file two outputs would write, in the order they are planned
    (said about the later one): looked for only once there is one."""
    written: dict[str, str] = {}
    for output in outputs:
        for path, _ in made[output.key][0] if output.key in made else previous[output.key].files:
            if path in written:
                return OutputCollision(path, written[path], output.source)
            written[path] = output.source
    raise AssertionError("no two outputs write one file")


def _touched(outputs: list[Output], made: dict[str, Made], previous: dict[str, OutputEntry]) -> set[str]:
    """The paths at which the new output may differ from the one it replaces,
    when the cache's entries describe that one whole: those of the outputs
    made, as they were and as they are, and those of outputs no longer planned."""
    planned = {output.key for output in outputs}
    found = {path for written, _, _ in made.values() for path, _ in written}
    found.update(path for key, entry in previous.items() if key in made or key not in planned for path, _ in entry.files)
    return found


def _remember(
    cache: BuildCache, tree: OutputTree, outputs: list[Output], made: dict[str, Made], old: Manifest | None,
    manifest: Manifest, files: reads.FileFingerprints, touched: set[str] | None,
) -> None:
    """Record this build in the cache, after the swap: the folders' identities
    are taken as they are now. A build killed before this finds folders that
    are not the ones recorded, and reads them before keeping anything of them."""
    entries = {}
    for output in outputs:
        if output.key in made:
            written, dependencies, _ = made[output.key]
            entries[output.key] = (output.group, dependencies, tuple(written))
    cache.update_outputs(entries, {output.key for output in outputs})
    state = cache.state
    # The spare is now the output this build replaced: what it holds is
    # known when that output was trusted.
    state.spare = identity(cache.spare_dir) if old is not None and tree.keeps_spare() else None
    state.spare_difference = (
        {path: old.get(path) for path in (old.keys() | manifest.keys() if touched is None else touched) if old.get(path) != manifest.get(path)}
        if state.spare is not None and old is not None else {}
    )
    found = identity(tree.output)
    state.output = (str(tree.output), found) if found is not None else None
    state.file_stats = files.seen_this_build()
    cache.save()


def _report(
    options: BuildOptions, loaded: LoadedSite, problems: Problems, files: int, made: list[str], started: float, outputs: list[Output],
    values: dict[str, Any],
) -> BuildReport:
    appeals = loaded.content.appeals
    statuses = dict(Counter(appeal.status for appeal in appeals))
    return BuildReport(
        output_dir=options.output,
        appeals=appeals,
        pages=loaded.content.pages,
        warnings=loaded.problems.warnings + problems.warnings,
        files=files,
        seconds=time.perf_counter() - started,
        drafts_skipped=loaded.content.drafts_skipped,
        statuses=statuses,
        made=made,
        outputs=outputs,
        values=values,
    )
