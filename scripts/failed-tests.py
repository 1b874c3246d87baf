#!/usr/bin/env python3
"""Prints what every test that did not pass printed, from ctest's logs.

ctest's --output-on-failure shows a failed test's output where the test ended, hundreds of
lines above the summary; a CI log that keeps only its end loses it. `make test` calls this when
a workflow fails, so the assertion (or sanitizer report) is the last thing in the log.

Usage: failed-tests.py BUILD_DIR...   (each with Testing/Temporary/LastTest.log)
"""
import pathlib
import re
import sys

# A test's output can be long (a node's log); what explains a failure is near these lines.
MARKERS = (": Failure", "ERROR: ", "WARNING: ThreadSanitizer", "runtime error:", "SUMMARY: ")
AFTER_MARKER = 24  # a gtest message, or a sanitizer report's first frames
TAIL = 30  # how the test ended (a crash, a timeout, the summary)


def failed_blocks(log_text):
    """(name, status, output lines) of every test in the log that did not pass."""
    out = []
    lines = log_text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"\d+/\d+ Test: (.*)", lines[i])
        i += 1
        if not m:
            continue
        while i < len(lines) and lines[i] != "Output:":
            i += 1
        i += 2  # "Output:" and the rule under it
        begin = i
        while i < len(lines) and not lines[i].startswith("<end of output>"):
            i += 1
        output = lines[begin:i]
        # The status follows the test time and a rule: "Test Passed.", "Test Failed.", ...
        status = next((l for l in lines[i:i + 6] if l.startswith("Test ") and "time" not in l),
                      "(no status)")
        if status != "Test Passed.":
            out.append((m.group(1), status, output))
    return out


def excerpt(output):
    """The lines near every marker and the last TAIL lines, in order, gaps shown."""
    keep = set(range(max(0, len(output) - TAIL), len(output)))
    for i, line in enumerate(output):
        if any(m in line for m in MARKERS):
            keep.update(range(max(0, i - 2), min(len(output), i + AFTER_MARKER)))
    shown, last = [], -1
    for i in sorted(keep):
        if i != last + 1:
            shown.append(f"[... {i - last - 1} lines]")
        shown.append(output[i])
        last = i
    return shown


def main(dirs):
    found = False
    for d in dirs:
        log = pathlib.Path(d) / "Testing" / "Temporary" / "LastTest.log"
        if not log.is_file():
            continue
        for name, status, output in failed_blocks(log.read_text(errors="replace")):
            found = True
            print(f"\n==== {name}: {status} ({log})")
            for line in excerpt(output):
                print(line)
    if not found:
        print("failed-tests: no failed test in the ctest logs (the failure was elsewhere)")


if __name__ == "__main__":
    main(sys.argv[1:])
