"""Per-round lines, the per-scenario table (optionally Vigil and Redis side by side) and the
closing summary line `rounds=N converged=N lost_wait=0 lost_plain=K`.
"""

import statistics


def fmt_s(x):
    return "-" if x is None else "%.2f" % x


def round_line(r):
    return ("round %3d %-26s %s conv=%-5s failover=%-5s writer_new=%-5s conv_after_heal=%-5s "
            "acked=%d/%d lost_plain=%d (after_heal=%d unattributed=%d) lost_wait=%d "
            "client_gap_ms=%s full_syncs=%s%s%s" % (
                r["round"], r["scenario"], r["system"], "yes" if r["converged"] else "NO",
                fmt_s(r["failover_s"]), fmt_s(r["writer_new_master_s"]), fmt_s(r["converge_s"]),
                r["acked"], r["acked_wait"], r["lost_plain"], r["lost_plain_after_heal"],
                r["lost_unattributed"], r["lost_wait"], r["longest_pause_ms"], r.get("full_syncs", "-"),
                " REDUCED" if r["reduced"] else "",
                ("  [" + "; ".join(r["notes"]) + "]") if r["notes"] else ""))


def _stat(xs, fn):
    xs = [x for x in xs if x is not None]
    return fn(xs) if xs else None


def scenario_rows(rounds):
    """{scenario: aggregated figures} in first-seen order."""
    rows = {}
    for r in rounds:
        rows.setdefault(r["scenario"], []).append(r)
    out = {}
    for name, rs in rows.items():
        out[name] = {
            "rounds": len(rs),
            "converged": sum(1 for r in rs if r["converged"]),
            "failover_med": _stat([r["failover_s"] for r in rs], statistics.median),
            "writer_new_max": _stat([r["writer_new_master_s"] for r in rs], max),
            "writer_after_promo_max": _stat([r["writer_after_promotion_s"] for r in rs], max),
            "conv_max": _stat([r["converge_s"] for r in rs if r["converged"]], max),
            "lost_plain": sum(r["lost_plain"] for r in rs),
            "lost_plain_max": max(r["lost_plain"] for r in rs),
            "lost_after_heal": sum(r["lost_plain_after_heal"] for r in rs),
            "lost_wait": sum(r["lost_wait"] for r in rs),
            "pause_max": _stat([r["longest_pause_ms"] for r in rs], max),
            "full_syncs": sum(r.get("full_syncs", 0) for r in rs),
        }
    return out


HEADER = ("| scenario | rounds | converged | failover s (median) | writer on new master s (max) "
          "| converge after heal s (max) | lost plain (sum / worst round / after heal) "
          "| lost wait | longest client write gap ms | full resyncs |")


def scenario_table(rounds, title):
    lines = ["", "### %s" % title, "", HEADER, "|" + " --- |" * 10]
    for name, a in scenario_rows(rounds).items():
        lines.append("| %s | %d | %d | %s | %s | %s | %d / %d / %d | %d | %s | %d |" % (
            name, a["rounds"], a["converged"], fmt_s(a["failover_med"]),
            fmt_s(a["writer_new_max"]), fmt_s(a["conv_max"]), a["lost_plain"],
            a["lost_plain_max"], a["lost_after_heal"], a["lost_wait"],
            "-" if a["pause_max"] is None else a["pause_max"], a["full_syncs"]))
    return "\n".join(lines)


def comparison_table(by_system):
    """Vigil and Redis 7.0 side by side, one row per scenario."""
    systems = list(by_system)
    aggs = {s: scenario_rows(rs) for s, rs in by_system.items()}
    names = []
    for s in systems:
        names += [n for n in aggs[s] if n not in names]
    cols = ["converged", "failover s", "client write gap ms", "converge s", "full resyncs",
            "lost plain", "lost wait"]
    head = "| scenario | " + " | ".join("%s %s" % (s, c) for c in cols for s in systems) + " |"
    lines = ["", "### side by side", "", head, "|" + " --- |" * (1 + len(cols) * len(systems))]
    for n in names:
        cells = []
        for key in ("converged", "failover_med", "pause_max", "conv_max", "full_syncs",
                    "lost_plain", "lost_wait"):
            for s in systems:
                a = aggs[s].get(n)
                if a is None:
                    cells.append("-")
                elif key == "converged":
                    cells.append("%d/%d" % (a["converged"], a["rounds"]))
                elif a[key] is None:
                    cells.append("-")
                elif isinstance(a[key], int):
                    cells.append(str(a[key]))
                else:
                    cells.append(fmt_s(a[key]))
        lines.append("| %s | %s |" % (n, " | ".join(cells)))
    return "\n".join(lines)


def summary_line(rounds, lost_later=0):
    return "rounds=%d converged=%d lost_wait=%d lost_plain=%d%s" % (
        len(rounds), sum(1 for r in rounds if r["converged"]),
        sum(r["lost_wait"] for r in rounds), sum(r["lost_plain"] for r in rounds),
        (" lost_later=%d" % lost_later) if lost_later else "")
