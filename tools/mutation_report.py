"""Summarise a mutmut run of the SCIM protocol code: one table per module, then the score.

Run by `make mutation` after `mutmut run`; reads mutmut's own result files
(mutants/<module>.py.meta) and the checked-in list of equivalent mutants. A mutant is
killed when a test failed (or timed out: the mutant made the code loop); it survives when
the tests reached it and still passed, or when no selected test reaches it at all.
Equivalent mutants (mutation-equivalents.txt: a name and a one-line reason per line) count
as neither, nor do mutants a stopped run has not checked yet (their number is shown).
`--survivors` also lists the surviving mutants' names, for `mutmut show NAME`.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "mutation-equivalents.txt"

# mutmut's exit codes (mutmut/stats.py): 1 and 3 a failed test, 37 a type checker's catch.
KILLED = {1, 3, 37}
TIMEOUT = {36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}
NOT_CHECKED = {None, 2}


def read_equivalents(path=EQUIVALENTS):
    names = {}
    if not path.exists():
        return names
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{path.name}: {name} has no reason")
        names[name] = reason.strip()
    return names


def classify(exit_code):
    if exit_code in KILLED:
        return "killed"
    if exit_code in TIMEOUT:
        return "timeout"
    if exit_code in SURVIVED:
        return "survived"
    if exit_code in NO_TESTS:
        return "no tests"
    if exit_code in NOT_CHECKED:
        return "not checked"
    return "suspicious"  # anything else (a crash): counted as not killed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", default=str(ROOT / "mutants"), help="mutmut's folder")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    args = parser.parse_args()

    equivalents = read_equivalents()
    metas = sorted(Path(args.mutants).rglob("*.py.meta"))
    if not metas:
        sys.exit("no mutmut results: run `make mutation` (or `mutmut run`) first")

    total_killed = total_counted = total_equivalent = 0
    unchecked = 0
    stale = set(equivalents)
    for meta_path in metas:
        exit_codes = json.loads(meta_path.read_text())["exit_code_by_key"]
        if not exit_codes:
            continue
        module = str(meta_path.relative_to(args.mutants)).removesuffix(".meta")
        counts = dict.fromkeys(
            ["killed", "timeout", "survived", "no tests", "suspicious", "not checked"], 0
        )
        equivalent = 0
        survivors = []
        for name, exit_code in sorted(exit_codes.items()):
            if name in equivalents:
                stale.discard(name)
                equivalent += 1
                continue
            status = classify(exit_code)
            counts[status] += 1
            if status not in ("killed", "timeout", "not checked"):
                survivors.append(f"{name}  ({status})")
        killed = counts["killed"] + counts["timeout"]
        # Mutants a stopped run has not checked yet are left out of the score (and reported).
        counted = sum(counts.values()) - counts["not checked"]
        score = f"{100 * killed / counted:5.1f}%" if counted else "  n/a"
        print(f"\n{module}")
        print(f"  {'killed':<12}{counts['killed']:>6}")
        print(f"  {'survived':<12}{counts['survived'] + counts['no tests']:>6}", end="")
        print(f"   (of which no test reaches: {counts['no tests']})" if counts["no tests"] else "")
        print(f"  {'equivalent':<12}{equivalent:>6}")
        print(f"  {'timeouts':<12}{counts['timeout']:>6}")
        if counts["suspicious"]:
            print(f"  {'suspicious':<12}{counts['suspicious']:>6}")
        if counts["not checked"]:
            print(f"  {'not checked':<12}{counts['not checked']:>6}")
        print(f"  {'score':<12}{score}")
        if args.survivors:
            for line in survivors:
                print(f"    {line}")
        total_killed += killed
        total_counted += counted
        total_equivalent += equivalent
        unchecked += counts["not checked"]

    if stale:
        print(f"\nwarning: listed equivalents that are not mutants: {sorted(stale)}")
    if unchecked:
        print(
            f"\nwarning: {unchecked} mutant(s) not checked (the run was stopped); "
            "the score is over the checked ones"
        )
    score = 100 * total_killed / total_counted if total_counted else 100.0
    print(
        f"\nmutation score: {score:.1f}% "
        f"({total_killed} killed of {total_counted}; {total_equivalent} equivalent)"
    )


if __name__ == "__main__":
    main()
