"""Children stay private: under `privacy: first_name` no surname reaches any
output file, and under any setting no published photo says where it was taken.

Decision on web addresses: the file name is the slug (SPEC), so a story saved
as zoe-marsh.md is published at appeals/zoe-marsh/ whatever the setting; the
surname then appears in that appeal's address only, and `check` warns about
it. The same holds for a donation link the family made on another site
(justgiving.example/jacob-buckett): it is someone else's address, published
as written. Everywhere else (text, data, pictures, file names of photos) the
surname is gone.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import MINIMAL_SITE_YAML
from totaliser.privacy import without_metadata
from totaliser.site import BuildOptions, build

GPS_IFD = 0x8825
SURNAME = "Buckett"  # in Jacob's story, whose file name is jacob.md
SLUG_SURNAME = "Marsh"  # in Zoe's story, whose file name is zoe-marsh.md
DONATE_ADDRESS = f"justgiving.example/jacob-{SURNAME.lower()}"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff"}


def photo_with_location(kind: str, words: str) -> bytes:
    """A small photo whose metadata says where it was taken, and names the child."""
    image = Image.new("RGB", (40, 30), (90, 140, 200))
    exif = Image.Exif()
    exif[0x013B] = words  # Artist
    exif[0x010E] = words  # ImageDescription
    exif[GPS_IFD] = {1: "N", 2: (50.0, 43.0, 12.5), 3: "W", 4: (1.0, 55.0, 3.25)}
    buffer = io.BytesIO()
    image.save(buffer, kind, exif=exif, **({"comment": words.encode()} if kind == "JPEG" else {}))
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the test photo has a location"
    return data


JACOB = f"""\
---
child: Jacob {SURNAME}
title: Help Jacob {SURNAME} take his next steps
summary: Jacob {SURNAME}, four, needs an operation. The {SURNAME.upper()} family thank you.
condition: cerebral palsy
hospital: Bristol Royal Hospital for Children
location: {SURNAME} Lane, Poole
organiser: Amanda {SURNAME}, Jacob's mum
tags: [{SURNAME} appeal, Poole]
date: 2026-05-01
target: 36000
raised:
  {SURNAME} family savings: 1000
  Collection tins: 24000
donate:
  - label: Give to the {SURNAME} fund
    url: https://www.{DONATE_ADDRESS}
  - label: Other ways to help Jacob {SURNAME}
    url: https://gazette.example/how-to-give
milestones:
  - label: "{SURNAME} operation"
    amount: 24000
  - label: Physiotherapy
    amount: 36000
updates:
  - date: 2026-05-02
    raised: 6500
    note: The {SURNAME}s thank their neighbours. Mr {SURNAME}'s quiz night raised £500.
image: static/images/jacob-{SURNAME.lower()}.jpg
image_alt: Jacob {SURNAME} in his walking frame
family_contact: Amanda {SURNAME}
---
Jacob {SURNAME} is four. The {SURNAME} family live in Poole, and
{SURNAME.lower()}'s friends at nursery (and Zoe {SLUG_SURNAME}) are raising money.

<p title="Jacob {SURNAME}">Jacob&nbsp;{SURNAME} says thank you.</p>
"""

ZOE = f"""\
---
child: Zoe {SLUG_SURNAME}
condition: leukaemia
hospital: Southampton Children's Hospital
date: 2026-05-03
target: 5000
raised: 1200
image: zoe.png
image_alt: Zoe {SLUG_SURNAME} smiling
---
Zoe {SLUG_SURNAME} loves horses. Her friend Jacob {SURNAME} sends his best.
"""

ABOUT = f"""\
---
title: About our appeals
---
This year readers helped Jacob {SURNAME} and Zoe {SLUG_SURNAME}.
"""


def write_private_site(site: Path, privacy: str) -> Path:
    files: dict[str, str | bytes] = {
        "site.yaml": MINIMAL_SITE_YAML + f"privacy: {privacy}\n",
        "content/appeals/jacob.md": JACOB,
        "content/appeals/zoe-marsh.md": ZOE,
        "content/appeals/zoe.png": photo_with_location("PNG", f"Zoe {SLUG_SURNAME}"),
        "content/pages/about.md": ABOUT,
        f"static/images/jacob-{SURNAME.lower()}.jpg": photo_with_location("JPEG", f"Jacob {SURNAME}"),
        # A picture that no story uses, only a page's own HTML might.
        "static/images/team.jpg": photo_with_location("JPEG", "Our team"),
        "static/images/team.webp": photo_with_location("WEBP", "Our team"),
    }
    for relative, body in files.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same site built under each privacy setting."""
    built = {}
    for privacy in ("first_name", "full"):
        root = tmp_path_factory.mktemp(f"privacy-{privacy}")
        site = write_private_site(root / "site", privacy)
        build(BuildOptions(site_dir=site, output_dir=root / "output"))
        built[privacy] = root / "output"
    return built


@pytest.fixture(params=["first_name", "full"])
def built(request: pytest.FixtureRequest, outputs: dict[str, Path]) -> tuple[str, Path]:
    return request.param, outputs[request.param]


def image_metadata_text(path: Path) -> str:
    """Text a photo carries beside its pixels: EXIF values and text chunks."""
    with Image.open(path) as image:
        parts = [str(value) for value in image.info.values()]
        exif = image.getexif()
        parts += [str(value) for value in exif.values()]
        for ifd in (GPS_IFD, 0x8769):
            parts += [str(value) for value in exif.get_ifd(ifd).values()]
    return " ".join(parts)


def test_no_surname_in_any_output_file(outputs: dict[str, Path]) -> None:
    output = outputs["first_name"]
    files = [p for p in output.rglob("*") if p.is_file()]
    assert len(files) > 15  # the whole site, not an empty folder
    leaks = []
    for path in files:
        relative = path.relative_to(output).as_posix()
        # Zoe's story is saved as zoe-marsh.md: her address keeps its name.
        data = path.read_bytes().replace(b"zoe-marsh", b"").replace(DONATE_ADDRESS.encode(), b"")
        name = relative.replace("zoe-marsh", "")
        for surname in (SURNAME, SLUG_SURNAME):
            if surname.lower() in name.lower():
                leaks.append(f"{relative}: file name")
            if re.search(surname.encode(), data, re.IGNORECASE):
                leaks.append(f"{relative}: contents")
            if path.suffix.lower() in IMAGE_SUFFIXES and surname.lower() in image_metadata_text(path).lower():
                leaks.append(f"{relative}: image metadata")
    assert not leaks, "\n".join(leaks)


def test_first_names_are_still_published(built: tuple[str, Path]) -> None:
    """Redaction keeps the story readable: first names stay, surnames become initials."""
    privacy, output = built
    page = (output / "appeals" / "jacob" / "index.html").read_text(encoding="utf-8")
    assert "Jacob" in page and "Zoe" in page
    if privacy == "first_name":
        assert "the B. family" in page.replace("The B. family", "the B. family")
        assert "Help Jacob take his next steps" in page
    else:
        assert f"Jacob {SURNAME}" in page


def test_the_surname_of_the_address_appears_only_in_the_address(outputs: dict[str, Path]) -> None:
    output = outputs["first_name"]
    assert (output / "appeals" / "zoe-marsh" / "index.html").is_file()
    page = (output / "appeals" / "zoe-marsh" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"marsh", page, re.IGNORECASE) == ["marsh"] * len(re.findall(r"zoe-marsh", page))


def test_published_photos_carry_no_location(built: tuple[str, Path]) -> None:
    _, output = built
    images = [p for p in output.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES]
    assert len(images) >= 4, "the story photos and the static pictures are published"
    for path in images:
        with Image.open(path) as image:
            exif = image.getexif()
            assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD), f"{path.relative_to(output)} says where it was taken"
            assert b"GPS" not in path.read_bytes(), path


def test_original_story_photos_are_not_published(built: tuple[str, Path]) -> None:
    """A story's photo is published in web sizes; its full-size original, with
    the child's name in its file name, stays in the site folder."""
    _, output = built
    assert not (output / "static" / "images" / f"jacob-{SURNAME.lower()}.jpg").exists()
    assert (output / "static" / "images" / "team.jpg").is_file()
    assert list((output / "appeals" / "jacob").glob("photo-*.jpg"))


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_metadata_is_removed_without_touching_the_pixels(kind: str) -> None:
    original = photo_with_location(kind, "Jacob Buckett")
    cleaned = without_metadata(original)
    assert cleaned is not None and len(cleaned) < len(original)
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(cleaned)) as after:
        assert after.format == kind
        assert not after.getexif()
        assert before.convert("RGB").tobytes() == after.convert("RGB").tobytes()
    assert b"Buckett" not in cleaned


def test_a_turned_photo_still_stands_up_without_its_metadata() -> None:
    image = Image.new("RGB", (40, 20), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    exif[GPS_IFD] = {1: "N", 2: (50.0, 43.0, 12.5)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    cleaned = without_metadata(buffer.getvalue())
    assert cleaned is not None
    with Image.open(io.BytesIO(cleaned)) as after:
        assert after.size == (20, 40)
        assert not after.getexif().get_ifd(GPS_IFD)


def test_a_broken_picture_is_not_published() -> None:
    assert without_metadata(b"\xff\xd8\xff\xe1\x00\x10Exif-but-truncated") is None


SHORT_SURNAME_STORIES = {
    "amy.md": """\
---
child: Amy Li
title: Amy Li's appeal
summary: Amy Li, six, needs a new wheelchair.
condition: cerebral palsy
hospital: Leeds General Infirmary
date: 2026-05-01
target: 8000
raised: 1200
donate:
  - label: Give to the Li family fund
    url: https://www.justgiving.com/amys-chair
tags: [Li family]
---
The Li family thank every reader. Amy Li loves to sing: "ho ho ho".
""",
    "sofia.md": """\
---
child: Sofia de la Cruz
title: Help Sofia de la Cruz walk
summary: Sofia de la Cruz needs physiotherapy.
condition: cerebral palsy
hospital: Leeds General Infirmary
date: 2026-05-02
target: 9000
raised: 100
---
Sofia de la Cruz, four, has a plan.
""",
}


def test_short_surnames_and_particles_stay_out_too(tmp_path: Path) -> None:
    """A surname of two letters (Li, Ng, Wu) is kept out as any other: matched
    as written, with its capital, so that ordinary words ("ho") are left; a
    name with particles is shortened whole."""
    from tests.conftest import run_cli

    site = tmp_path / "site"
    (site / "content" / "appeals").mkdir(parents=True)
    (site / "site.yaml").write_text(MINIMAL_SITE_YAML + "privacy: first_name\n", encoding="utf-8")
    for name, text in SHORT_SURNAME_STORIES.items():
        (site / "content" / "appeals" / name).write_text(text, encoding="utf-8")
    checked = run_cli("check", "--site", str(site))
    for field in ("title", "summary", "story", "donate[0].label", "tags[0]"):
        assert re.search(rf"amy\.md:\d+: warning: {re.escape(field)}: contains the child's surname", checked.stderr), field
    built = run_cli("build", "--site", str(site))
    assert built.returncode == 0, built.stderr
    output = site / "output"
    texts = {p.relative_to(output).as_posix(): p.read_text(encoding="utf-8") for p in output.rglob("*") if p.suffix in {".html", ".xml", ".json", ".svg"}}
    leaks = [path for path, text in texts.items() if re.search(r"\bLi\b|de la Cruz|\bCruz\b", text)]
    assert not leaks
    page = texts["appeals/amy/index.html"]
    assert "Amy’s appeal" in page and "The L. family" in page and "ho ho ho" in page
    assert "Help Sofia walk" in texts["appeals/sofia/index.html"]


@pytest.mark.parametrize(("written", "published"), [
    ("Also JACOB BUCKETT and buckett.", "Also Jacob and B."),  # one full stop, not "B.."
    ("The Bucketts. They said", "The B. They said"),
    ("the Buckett family.", "the B. family."),
    ("Jacob Buckett's walk", "Jacob's walk"),
])
def test_a_surname_becomes_its_initial_with_one_full_stop(written: str, published: str) -> None:
    from totaliser.privacy import NameGuard

    assert NameGuard.for_child("Jacob Buckett").redact(written) == published
