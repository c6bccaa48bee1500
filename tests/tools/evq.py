#!/usr/bin/env python3
"""Query a JSON-lines event file: print the given dotted fields of every event
whose event.action matches, one line per event, fields joined by '|'
(absent fields print as empty; lists print comma-joined).

usage: evq.py FILE ACTION|'*' FIELD [FIELD ...]
"""
import json
import sys


def get(ev, path):
    node = ev
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return ""
        node = node[key]
    if isinstance(node, list):
        return ",".join(str(x) for x in node)
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def main():
    path, action, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(path, encoding="ascii") as f:
        for line in f:
            if not line.strip():
                continue
            ev = json.loads(line)
            if action != "*" and get(ev, "event.action") != action:
                continue
            print("|".join(get(ev, k) for k in fields))
    return 0


if __name__ == "__main__":
    sys.exit(main())
