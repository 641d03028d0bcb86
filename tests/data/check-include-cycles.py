#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The include graph of src/core and src/app has no circle.

A module is a type's files: foo.c, foo.h and foo-private.h, and the files
foo-*.c that split foo.c along its seams behind foo-private.h. Module A
points at module B when one of A's files includes one of B's headers. No
modules may point at each other in a circle; nor may core's areas (auth,
graph, chat, crypto, store), which are layers, and core's auth must not
see graph at all (the Graph client sits above sign-in, not beside it).
(The app's feature folders are not layers: a space's rows show a shared
document's tile, whose model the session makes.)

Run with the source root; prints the circles it finds and fails on any.
"""
import os
import re
import sys
from collections import defaultdict

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# (folder, folder it must not include)
FORBIDDEN = [("src/core/auth", "src/core/graph")]


def sources(root, top):
    for folder, _, names in os.walk(os.path.join(root, top)):
        for name in names:
            if name.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(folder, name), root)


def module_of(path, stems):
    stem = os.path.basename(path)[:-2]
    if stem.endswith("-private"):
        return stem[: -len("-private")]
    if stem in stems:
        return stem
    # foo-part.c, split out of foo.c
    parts = stem.split("-")
    for n in range(len(parts) - 1, 0, -1):
        prefix = "-".join(parts[:n])
        if prefix in stems:
            return prefix
    return stem


def cycles(edges):
    """The strongly connected components with more than one member."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(list(edges)):
        if v not in index:
            visit(v)
    return out


def check(root, top, layered_folders):
    files = sorted(sources(root, top))
    headers = {os.path.basename(f): f for f in files if f.endswith(".h")}
    stems = {os.path.basename(f)[:-2] for f in files if f.endswith(".h")}
    modules, folders = defaultdict(set), defaultdict(set)
    arrows = []
    for f in files:
        a = module_of(f, stems)
        modules[a]
        with open(os.path.join(root, f), encoding="utf-8") as source:
            text = source.read()
        for included in INCLUDE.findall(text):
            target = headers.get(os.path.basename(included))
            if target is None:
                continue  # config.h, generated enums, system headers
            b = module_of(target, stems)
            if b != a:
                modules[a].add(b)
            fa, fb = os.path.dirname(f), os.path.dirname(target)
            if fa != fb:
                folders[fa].add(fb)
                arrows.append((f, target))
    failures = []
    for component in cycles(modules):
        failures.append("modules of %s in a circle: %s" % (top, " ↔ ".join(component)))
        for a in component:
            inside = sorted(b for b in modules[a] if b in component)
            failures.append("    %s → %s" % (a, ", ".join(inside)))
    for component in cycles(folders) if layered_folders else []:
        failures.append("folders of %s in a circle: %s" % (top, " ↔ ".join(component)))
    for low, high in FORBIDDEN:
        for f, target in arrows:
            if f.startswith(low + "/") and target.startswith(high + "/"):
                failures.append("%s includes %s: %s must not see %s" % (f, target, low, high))
    return failures


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    failures = check(root, "src/core", True) + check(root, "src/app", False)
    for line in failures:
        print(line)
    if failures:
        return 1
    print("no include circles in src/core and src/app")
    return 0


if __name__ == "__main__":
    sys.exit(main())
