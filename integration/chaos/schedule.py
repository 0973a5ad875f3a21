"""The seeded fault schedule: rounds cycle through the scenarios in an order shuffled by
random.Random(seed), so any N consecutive rounds cover min(N, #scenarios) distinct scenarios
and a seed always replays the same schedule (targets and phases are drawn from the same Rng).
"""

import random

import faults


def build(seed, rounds, names=None):
    """[(round number, fault class)] for the run; names restricts and orders the scenarios."""
    rng = random.Random(seed)
    pool = [faults.BY_NAME[n] for n in names] if names else list(faults.ALL)
    out = []
    cycle = []
    for i in range(1, rounds + 1):
        if not cycle:
            cycle = list(pool)
            if not names:
                rng.shuffle(cycle)
        out.append((i, cycle.pop(0)))
    return out


def round_rng(seed, round_no):
    """The Rng a round draws its victims and phases from (independent of earlier rounds)."""
    return random.Random("%d/%d" % (seed, round_no))
