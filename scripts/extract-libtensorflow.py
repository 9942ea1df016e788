#!/usr/bin/env python3
"""Extract TensorFlow's C libraries and C-API headers from a tensorflow-cpu wheel.

Only what tfjs-node's binding needs is written: libtensorflow_cc.so.2 (it exports the C and
eager C APIs), libtensorflow_framework.so.2, and the headers that tensorflow/c/c_api.h and
tensorflow/c/eager/c_api.h include (followed transitively). No TensorFlow Python is imported.

usage: extract-libtensorflow.py WHEEL DEST   (DEST gets lib/ and include/)
"""
import os
import re
import shutil
import sys
import zipfile

LIBS = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
INCLUDE_ROOT = "tensorflow/include/"
# The binding's own includes (tfjs-node 4.22 binding/*.cc and *.h).
HEADER_ROOTS = (
    "tensorflow/c/c_api.h",
    "tensorflow/c/eager/c_api.h",
    "tensorflow/core/platform/ctstring_internal.h",
)
INCLUDE_RE = re.compile(rb'^\s*#\s*include\s+"([^"]+)"', re.M)


def header_closure(wheel: zipfile.ZipFile) -> list[str]:
    names = set(wheel.namelist())
    seen: set[str] = set()
    todo = list(HEADER_ROOTS)
    while todo:
        header = todo.pop()
        if header in seen:
            continue
        member = INCLUDE_ROOT + header
        if member not in names:
            # System or optional headers (e.g. <stdint.h> spelled with quotes) are not in the wheel.
            if header in HEADER_ROOTS:
                sys.exit(f"error: {member} is not in the wheel; is it a tensorflow-cpu 2.x wheel?")
            continue
        seen.add(header)
        todo.extend(m.decode() for m in INCLUDE_RE.findall(wheel.read(member)))
    return sorted(seen)


def copy_member(wheel: zipfile.ZipFile, member: str, dest: str) -> None:
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = dest + ".tmp"
    with wheel.open(member) as src, open(tmp, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    os.replace(tmp, dest)


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    wheel_path, dest = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(wheel_path) as wheel:
        for lib in LIBS:
            member = "tensorflow/" + lib
            try:
                wheel.getinfo(member)
            except KeyError:
                sys.exit(f"error: {member} is not in {wheel_path}")
            copy_member(wheel, member, os.path.join(dest, "lib", lib))
        headers = header_closure(wheel)
        for header in headers:
            copy_member(wheel, INCLUDE_ROOT + header, os.path.join(dest, "include", header))
    print(f"extracted {len(LIBS)} libraries and {len(headers)} headers into {dest}")


if __name__ == "__main__":
    main()
