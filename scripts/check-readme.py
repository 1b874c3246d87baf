#!/usr/bin/env python3
"""Fails when a README code block marked with an example's region differs from the example.

README blocks are pulled from examples by markers (`// --(NAME-begin)--` ... `// --(NAME-end)--`
in the example, `<!-- example: path NAME -->` before the fenced block in the README), so the
snippet users copy is the code CI compiles and runs.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = re.compile(r"<!-- example: (\S+) (\S+) -->\s*```cpp\n(.*?)```", re.S)


def region(path: pathlib.Path, name: str) -> str:
    text = path.read_text(encoding="utf-8")
    m = re.search(rf"// --\({re.escape(name)}-begin\)--\n(.*?)// --\({re.escape(name)}-end\)--", text, re.S)
    if not m:
        raise SystemExit(f"{path}: no region '{name}'")
    return m.group(1)


def main() -> int:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = MARK.findall(readme)
    if not blocks:
        print("check-readme: README.md has no example blocks", file=sys.stderr)
        return 1
    bad = 0
    for path, name, body in blocks:
        if region(ROOT / path, name) != body:
            print(f"check-readme: README block '{name}' differs from {path}", file=sys.stderr)
            bad += 1
    if not bad:
        print(f"check-readme: {len(blocks)} README snippet(s) match their examples")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
