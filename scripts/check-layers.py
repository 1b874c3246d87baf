#!/usr/bin/env python3
"""Fails when a lower layer includes a higher one, or a public header includes src/.

Layer order (DESIGN §1): ringbuffer <- actor <- remote <- cluster; metrics depends only on actor;
eventbus/kafka on actor and metrics. Cross-layer basics directly under include/hollywood/ (expected,
error, assert, ...) may be used by everyone and may include nothing layered.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALLOWED = {
    "base": set(),
    "ringbuffer": {"base"},
    "actor": {"base", "ringbuffer"},
    "remote": {"base", "ringbuffer", "actor"},
    "cluster": {"base", "ringbuffer", "actor", "remote"},
    "metrics": {"base", "ringbuffer", "actor"},
    "eventbus": {"base", "ringbuffer", "actor", "metrics"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def layer_of_header(name: str):
    """Layer of an include such as 'hollywood/actor/pid.hpp'; None if it is not ours."""
    parts = name.split("/")
    if parts[0] != "hollywood":
        return None
    if len(parts) == 2:
        # umbrella headers (hollywood/actor.hpp) belong to their layer, the rest is base
        stem = parts[1].rsplit(".", 1)[0]
        return stem if stem in ALLOWED else "base"
    return parts[1]


def layer_of_file(path: pathlib.Path):
    rel = path.relative_to(ROOT).parts
    if rel[0] == "include":
        return layer_of_header("/".join(rel[1:]))
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    return None


def main() -> int:
    errors = []
    files = [p for d in ("include", "src") for p in (ROOT / d).rglob("*") if p.suffix in (".hpp", ".cpp", ".h")]
    for path in files:
        own = layer_of_file(path)
        if own is None:
            continue
        public = path.relative_to(ROOT).parts[0] == "include"
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            where = f"{path.relative_to(ROOT)}:{lineno}"
            if public and not inc.startswith("hollywood/") and "/" in inc and (ROOT / "src" / inc).exists():
                errors.append(f"{where}: public header includes private src/ header '{inc}'")
                continue
            target = layer_of_header(inc)
            if target is None or target == own:
                continue
            if target not in ALLOWED.get(own, set()):
                errors.append(f"{where}: layer '{own}' must not include '{inc}' (layer '{target}')")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"check-layers: {len(errors)} violation(s)", file=sys.stderr)
        return 1
    print(f"check-layers: {len(files)} files respect the layer order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
