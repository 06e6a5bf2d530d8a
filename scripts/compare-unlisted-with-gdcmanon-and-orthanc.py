#!/usr/bin/python3
"""Which attributes CloudAnon's rule for unlisted attributes removes that GDCM's gdcmanon keeps.

For each DICOM file: gdcmanon -e (Basic Profile, encrypted originals) writes its output; every element of the input,
at any depth, that src/CloudAnon.Core/Profile/unlisted-attributes.tsv decides "remove" and that has a value is looked
up at the same place in gdcmanon's output; those still holding the input's value are printed (file, path, keyword).
Usage: scripts/compare-unlisted-with-gdcmanon.py CERT.pem FILE...   (Debian's python3 with python3-pydicom, libgdcm-tools)
"""
import os
import subprocess
import sys
import tempfile

import pydicom

ALLOW_LIST = os.path.join(os.path.dirname(__file__), "..", "src", "CloudAnon.Core", "Profile", "unlisted-attributes.tsv")


def removed_patterns():
    patterns = {}
    with open(ALLOW_LIST, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            tag, keyword, decision, _ = line.rstrip("\n").split("\t")
            if decision == "remove":
                patterns[tag] = keyword
    return patterns


def keyword_if_removed(tag, patterns):
    text = f"{tag:08x}"
    for pattern, keyword in patterns.items():
        if all(p == "x" or p == t for p, t in zip(pattern, text)):
            return keyword
    return None


def kept(original, output, patterns, path=""):
    for element in original:
        if element.tag.group == 0x0002:
            continue
        here = f"{path}({element.tag.group:04X},{element.tag.element:04X})"
        other = output.get(element.tag) if output is not None else None
        keyword = keyword_if_removed(int(element.tag), patterns)
        if keyword and element.value not in (None, "", b"") and other is not None and other.value == element.value:
            yield here, keyword
        elif element.VR == "SQ" and other is not None and other.VR == "SQ":
            for i, item in enumerate(element.value):
                yield from kept(item, other.value[i] if i < len(other.value) else None, patterns, f"{here}[{i}]>")


def main(certificate, files):
    patterns = removed_patterns()
    with tempfile.TemporaryDirectory() as scratch:
        for path in files:
            output = os.path.join(scratch, "out.dcm")
            run = subprocess.run(["gdcmanon", "-e", "--certificate", certificate, path, output], capture_output=True)
            if run.returncode != 0:
                print(f"{path}\tgdcmanon refused (exit {run.returncode})")
                continue
            found = list(kept(pydicom.dcmread(path), pydicom.dcmread(output), patterns))
            for where, keyword in found:
                print(f"{path}\t{where}\t{keyword}")
            if not found:
                print(f"{path}\tnothing the rule removes is kept")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
