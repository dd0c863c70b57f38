#!/usr/bin/env python3
"""CPU time to make one social card, over distinct cards each made once.

    .venv/bin/python bench/cards.py            # 400 cards, seed 1
    .venv/bin/python bench/cards.py 400 2      # another 400

The specs are fictional and varied (names, accents, conditions, sums from
£0 to over a million, funded or not), as a build meets them. A few other
cards are made first, as a build has made some by the time it is busy.
Prints the mean CPU milliseconds a card (time.process_time) and the PNG sizes.
A benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from totaliser.money import format_money, percent  # noqa: E402
from totaliser.outputs import card  # noqa: E402

FIRSTS = ["Amy", "Ben", "Siân", "Łukasz", "Zoë", "Jacob", "Ruby", "Oliver", "Maximilian", "Chloé", "Mohammed", "Aoife", "Nia", "Tomás", "Freya", "Harry", "Isla", "Noah", "Evie", "Arthur", "Grace", "Leo", "Maya", "Theo", "Ivy", "Oscar", "Rosie", "Jack", "Ella", "Finn"]
LASTS = ["Example", "Pritchard", "Nowak", "Marsh", "Buckett", "Ashworth", "O'Neill", "Li", "Okafor", "Kowalski", "Davies", "Featherstonehaugh-Cholmondeley", "Alexander-Fitzgerald", "Hughes", "Patel", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Green", "Hall", "Wood"]
CONDITIONS = ["cerebral palsy", "spinal muscular atrophy", "leukaemia", "a rare form of childhood dementia", "cystic fibrosis",
              "Duchenne muscular dystrophy", "neuroblastoma", "Rett syndrome", "a brain tumour", "epilepsy"]
TITLES = ["The Wessex Courier Appeals", "Dorset Evening Echo Children's Fund"]


def specs(count: int, seed: int) -> list[card.CardSpec]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        target = Decimal(rng.choice([5000, 12000, 25000, 36000, 60000, 150000, 250000, 1000000]))
        raised = Decimal(rng.choice([0, rng.randrange(int(target)), rng.randrange(int(target)), int(target) + rng.randrange(5000)]))
        made.append(card.CardSpec(
            site_title=rng.choice(TITLES), child=f"{rng.choice(FIRSTS)} {rng.choice(LASTS)}", condition=rng.choice(CONDITIONS),
            raised_text=format_money(raised, "GBP"), target_text=format_money(target, "GBP"), percent=percent(raised, target),
            fraction=min(raised / target, Decimal(1)).quantize(Decimal("0.001")), funded=raised >= target,
        ))
    return made


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    for warm in specs(20, seed + 1000):
        card.card_png(warm)
    todo = specs(count, seed)
    sizes = []
    start = time.process_time()
    for one in todo:
        sizes.append(len(card.card_png(one)))
    elapsed = time.process_time() - start
    print(f"{count} cards: {elapsed / count * 1000:.2f} ms CPU a card; "
          f"PNG median {statistics.median(sizes) / 1000:.1f} kB, largest {max(sizes) / 1000:.1f} kB")


if __name__ == "__main__":
    main()
