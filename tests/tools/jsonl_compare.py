#!/usr/bin/env python3
"""Compare two JSON-lines event files, ignoring volatile fields.

usage: jsonl_compare.py EXPECTED ACTUAL
Exit 0 when every event matches in order, 1 with a readable diff otherwise.
Volatile fields (they depend on the machine or the wall clock, not the input):
event.created, observer.hostname, observer.version, pptp.stats.memory.*, and
pptp.stats.outputs.* (each output delivers on its own thread, so how much it had
sent when the stats event was built depends on timing).
"""
import json
import sys

VOLATILE = [("event", "created"), ("observer", "hostname"), ("observer", "version"),
            ("pptp", "stats", "memory"), ("pptp", "stats", "outputs")]


def strip(ev):
    for path in VOLATILE:
        node = ev
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return ev


def flat(obj, prefix=""):
    out = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flat(v, f"{prefix}{k}."))
    else:
        out[prefix[:-1]] = obj
    return out


def load(path):
    with open(path, encoding="ascii") as f:
        return [strip(json.loads(line)) for line in f if line.strip()]


def main():
    exp, act = load(sys.argv[1]), load(sys.argv[2])
    problems = []
    for i in range(max(len(exp), len(act))):
        if i >= len(exp):
            problems.append(f"event {i + 1}: unexpected extra {act[i]['event']['action']}")
            continue
        if i >= len(act):
            problems.append(f"event {i + 1}: missing {exp[i]['event']['action']}")
            continue
        fe, fa = flat(exp[i]), flat(act[i])
        for k in sorted(set(fe) | set(fa)):
            if fe.get(k) != fa.get(k):
                problems.append(f"event {i + 1} ({fe.get('event.action')}): {k}: expected {fe.get(k)!r}, got {fa.get(k)!r}")
    if problems:
        print("\n".join(problems[:60]))
        if len(problems) > 60:
            print(f"... and {len(problems) - 60} more differences")
        return 1
    print(f"{len(exp)} events match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
