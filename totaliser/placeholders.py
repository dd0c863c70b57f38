"""The placeholder values `new` writes into a story, kept in one place so that
the loader can refuse an appeal published with one still in it."""

from __future__ import annotations

# Front-matter fields and the text `new` fills them with.
FIELDS = {
    "condition": "the child's condition",
    "hospital": "the hospital's name",
    "summary": "One or two sentences about the child and what the money is for.",
    "location": "the child's town",
    "organiser": "the appeal's organiser",
}
# The donation link `new` writes: a page that is not the appeal's.
DONATE_URL = "https://www.justgiving.com/your-appeal-page"
# The first words of the story `new` writes.
STORY = "Write the story here."
