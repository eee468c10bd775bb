#!/usr/bin/env python3
"""Format tools/bench/run.sh results (TSV) as a table.

Columns: tool, file, size, wall time (hyperfine mean ± stddev, runs), MiB/s,
peak RSS (GNU time), and the ratio of the wall time to the floors measured on
the same file: libyaml event parsing (x libyaml) and, for JSON, jansson's
json_load_file (x jansson).
"""

import sys

NAMES = {
    "libyaml": "libyaml parse (floor)",
    "libyaml-fast": "libyaml parse, our input decoder",
    "jansson": "jansson load (floor)",
    "extract": "oas2apigw extract",
    "pyyaml": "PyYAML CSafeLoader peer",
    "node": "Node js-yaml peer",
    "validate": "oas2apigw validate",
    "merge": "oas2apigw merge (1 record)",
    "version": "oas2apigw --version",
}


def fmt_time(t):
    if t < 1:
        return "%.1f ms" % (t * 1000)
    return "%.2f s" % t


def fmt_size(b):
    if b == 0:
        return "-"
    if b < 1 << 20:
        return "%.0f KiB" % (b / 1024)
    return "%.1f MiB" % (b / (1 << 20))


def main(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            tool, label, size, status, mean, sd, runs, rss, note = \
                line.rstrip("\n").split("\t")
            rows.append(dict(tool=tool, label=label, size=int(size), status=status,
                             mean=None if mean == "-" else float(mean),
                             sd=None if sd == "-" else float(sd), runs=runs,
                             rss=None if rss in ("-", "") else int(rss), note=note))
    floor = {}
    for r in rows:
        if r["tool"] in ("libyaml", "jansson") and r["mean"]:
            floor[(r["tool"], r["label"])] = r["mean"]
    head = ["tool", "file", "size", "wall time", "MiB/s", "peak RSS", "x libyaml", "x jansson"]
    table = []
    notes = []
    for r in rows:
        name = NAMES.get(r["tool"], r["tool"])
        if r["status"] != "ok" or r["mean"] is None:
            notes.append("[%d] %s %s: %s" % (len(notes) + 1, name, r["label"], r["note"]))
            table.append([name, r["label"], fmt_size(r["size"]),
                          "FAILED [%d]" % len(notes), "-",
                          "-" if r["rss"] is None else "%.0f MiB" % (r["rss"] / 1024),
                          "-", "-"])
            continue
        t = r["mean"]
        wall = fmt_time(t)
        if r["runs"] not in ("", "-", "1"):
            wall += " ± %s (%s runs)" % (fmt_time(r["sd"] or 0), r["runs"])
        else:
            wall += " (1 run)"
        mibs = "%.1f" % (r["size"] / (1 << 20) / t) if r["size"] else "-"
        rss = "-" if r["rss"] is None else "%.0f MiB" % (r["rss"] / 1024)
        ratios = []
        for ft in ("libyaml", "jansson"):
            fl = floor.get((ft, r["label"]))
            ratios.append("%.2f" % (t / fl) if fl else "-")
        table.append([name, r["label"], fmt_size(r["size"]), wall, mibs, rss] + ratios)
    widths = [max(len(str(x[i])) for x in table + [head]) for i in range(len(head))]
    def line(cells):
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(line(head))
    print(line(["-" * w for w in widths]))
    for row in table:
        print(line(row))
    if notes:
        print()
        for n in notes:
            print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
