#!/usr/bin/env python3
"""tests/gen_deps.py - the compiler's stages run one way: no cycle among
the files of gen/, neither in what they include nor in what they call.

    tests/gen_deps.py [BUILD]      (BUILD: the build folder, default build)

Includes: every #include "..." between gen/ files (headers and sources).
Calls: file A calls file B when A's object references a symbol B's object
defines (nm: U in A, T/D/B/R in B).  Each graph must be acyclic; a cycle
is printed file by file and the exit status is 1.  Prints the order of the
files, leaves first, when both graphs are acyclic.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"


def gen_files():
    out = []
    for dirpath, _, names in os.walk(os.path.join(ROOT, "gen")):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(dirpath, n), ROOT))
    return sorted(out)


def include_graph(files):
    known = set(files)
    graph = {f: set() for f in files}
    for f in files:
        here = os.path.dirname(f)
        for line in open(os.path.join(ROOT, f), encoding="utf-8"):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if not m:
                continue
            target = os.path.normpath(os.path.join(here, m.group(1)))
            if target in known and target != f:
                graph[f].add(target)
    return graph


def call_graph(files):
    """unit (a .c file) -> the units whose symbols it uses"""
    units = [f for f in files if f.endswith(".c")]
    defined, used = {}, {}
    for u in units:
        obj = os.path.join(ROOT, BUILD, u[:-2] + ".o")
        if not os.path.exists(obj):
            sys.exit("gen_deps: %s is missing: build ganc first (make)" % obj)
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        used[u] = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                used[u].add(parts[1])
            elif len(parts) == 3 and parts[1] in "TDBRC":
                defined.setdefault(parts[2], u)
    graph = {u: set() for u in units}
    for u in units:
        for sym in used[u]:
            owner = defined.get(sym)
            if owner and owner != u:
                graph[u].add(owner)
    return graph


def find_cycle(graph):
    """a list of nodes forming a cycle, or None; else also a leaves-first order"""
    state, stack, order = {}, [], []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if not state.get(m):
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        order.append(n)
        return None

    for n in sorted(graph):
        if not state.get(n):
            c = visit(n)
            if c:
                return c, None
    return None, order


def main():
    files = gen_files()
    failed = False
    for what, graph in (("include", include_graph(files)), ("call", call_graph(files))):
        cycles = 0
        while True:
            cycle, _ = find_cycle(graph)
            if not cycle:
                break
            cycles += 1
            print("gen_deps: %s cycle: %s" % (what, " -> ".join(cycle)))
            graph[cycle[-2]].discard(cycle[-1])   # cut it, to find the others
        if cycles:
            failed = True
        else:
            print("gen_deps: no %s cycle among %d files" % (what, len(graph)))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
