"""The one door outputs read through (reads.py): what passes it is recorded,
and nothing read through it escapes the record."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import jinja2
import pytest

from totaliser import reads
from totaliser.listing import CurrencyTotal, Totals

TOTALS = Totals(appeals=3, open=1, funded=1, closed=1, by_currency=(CurrencyTotal("GBP", Decimal(10), Decimal(20), Decimal(0)),))


def sources() -> reads.Sources:
    return reads.Sources({}, {}, {}, {}, lambda name: TOTALS, reads.FileFingerprints(), {})


@pytest.mark.parametrize("template, shown", [
    ("{{ totals.appeals }}", "3"),
    ("{{ totals|pprint }}", repr(TOTALS)),
    ("{{ '%r'|format(totals) }}", repr(TOTALS)),
    ("{{ totals }}", str(TOTALS)),
    ("{{ totals == same }}", "True"),
    ("{{ totals.by_currency|length }}", "1"),
    ("{% for total in totals.by_currency %}{{ total.currency }}{% endfor %}", "GBP"),
])
def test_a_value_handed_over_for_later_is_recorded_when_a_template_looks_into_it(template: str, shown: str) -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    with reads.recording(sources()) as recorder:
        out = env.from_string(template).render(totals=reads.ValueWhenUsed("totals"), same=reads.ValueWhenUsed("totals"))
    assert out == shown
    assert ("value", "totals") in recorder.read


def test_a_value_handed_over_for_later_and_left_alone_is_not_recorded() -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    with reads.recording(sources()) as recorder:
        out = env.from_string("{% if false %}{{ totals.appeals }}{% endif %}page 2").render(totals=reads.ValueWhenUsed("totals"))
    assert out == "page 2"
    assert ("value", "totals") not in recorder.read


class Story:
    child = "Amy"
    slug = "amy"


def test_an_appeal_seen_through_the_door_records_each_field_and_hides_the_appeal_itself() -> None:
    fields: set[str] = set()
    view = reads.AppealView(Story(), fields)
    assert view.child == "Amy"
    assert reads.field_values(view, ("slug",)) == ("amy",)
    assert fields == {"child", "slug"}
    for name in ("", "_appeal", "_fields"):  # no way around the record
        with pytest.raises(AttributeError):
            getattr(view, name)
    assert isinstance(view, reads.AppealView)


@pytest.mark.parametrize("template", ["{{ appeal }}", "{{ appeal|pprint }}", "{{ '%s'|format(appeal) }}", "{{ appeal == same }}"])
def test_a_template_that_shows_the_appeal_itself_reads_all_of_it(template: str) -> None:
    from totaliser.content import Appeal

    fields: set[str] = set()
    appeal = object.__new__(Appeal)
    env = jinja2.Environment(autoescape=True)
    # An appeal made without its fields cannot be shown: what counts is what was recorded.
    with contextlib.suppress(AttributeError):
        env.from_string(template).render(appeal=reads.AppealView(appeal, fields), same=reads.AppealView(appeal, set()))
    assert {"child", "raised", "body_html"} <= fields


def test_a_worker_hands_back_only_stats_taken_of_the_bytes_it_read(tmp_path) -> None:
    # A story saved moments before the build: too recent for its stat to be
    # trusted, so the worker keeps the last build's entry for it. That entry
    # must not reach the build's own process as this build's fingerprint.
    from totaliser.fingerprint import digest, file_stat

    story = tmp_path / "story.md"
    story.write_text("the last build's words", encoding="utf-8")
    last_build = {str(story): (file_stat(str(story)), digest(story.read_bytes()))}
    story.write_text("words saved just now", encoding="utf-8")
    worker = reads.FileFingerprints(dict(last_build))
    with reads.recording(reads.Sources({}, {}, {}, {}, lambda name: None, worker, {})) as recorder:
        reads.file_bytes(story)
    found = worker.found_in(recorder.finish())
    assert found == {}
    parent = reads.FileFingerprints(dict(last_build))
    parent.learn(found)
    assert parent.of(str(story)) == digest(b"words saved just now")
    # A stat that can be trusted is handed back, and kept by the build's process.
    aged = reads.FileFingerprints()
    aged.now_ns += 60 * 10**9
    with reads.recording(reads.Sources({}, {}, {}, {}, lambda name: None, aged, {})) as recorder:
        reads.file_bytes(story)
    found = aged.found_in(recorder.finish())
    assert found == {str(story): (file_stat(str(story)), digest(b"words saved just now"))}
    parent.learn(found)
    assert parent.seen_this_build()[str(story)] == found[str(story)]


def test_a_file_hashed_while_too_recent_to_trust_is_not_kept_for_the_next_build(tmp_path) -> None:
    # Rewritten within the same tick of the clock at the same size, a photo
    # saved just before the build would keep its stat with other bytes.
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"the first picture")
    files = reads.FileFingerprints()
    files.of(str(photo))
    assert str(photo) not in files.seen_this_build()
    later = reads.FileFingerprints()
    later.now_ns += 60 * 10**9
    later.of(str(photo))
    assert str(photo) in later.seen_this_build()
