"""Prints a DICOM file's data set as pydicom reads it, one line per element, values as their stored bytes.

The oracle for round trips: it depends on neither CloudAnon's codec nor on how sequence and item lengths are encoded.
Each line is the element's path (tags of the enclosing sequences and item numbers), its VR as stored, and its value:
printable ASCII in brackets or hex up to 64 bytes, else the length and a SHA-256. Group 0002 (File Meta Information) and group lengths (gggg,0000) are left
out: each writer stamps, drops or recomputes its own.
Usage: python3 dataset_listing.py FILE... (each listing starts with a line '# file N', N from 0: one start-up for several files)
"""
import hashlib
import sys

import pydicom
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement

UNDEFINED_LENGTH = 0xFFFFFFFF


def is_sequence(raw, tag):
    if raw.VR == "SQ":
        return True
    if raw.VR is None:  # implicit VR: the dictionary decides
        try:
            return dictionary_VR(tag) == "SQ"
        except KeyError:
            return raw.length == UNDEFINED_LENGTH
    return False


def value_text(value):
    data = value if isinstance(value, bytes) else b""
    if len(data) <= 64 and all(32 <= b < 127 for b in data):
        return f"[{data.decode('ascii')}]"
    if len(data) <= 64:
        return data.hex()
    return f"{len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}"


def listing(dataset, path):
    for tag in sorted(dataset.keys()):
        if tag.element == 0:
            continue  # group lengths: retired, and each writer drops or recomputes them
        raw = dataset.get_item(tag)
        here = f"{path}({tag.group:04x},{tag.element:04x})"
        if isinstance(raw, RawDataElement) and not is_sequence(raw, tag):
            yield f"{here} {raw.VR or '-'} {value_text(raw.value)}"
            continue
        if not isinstance(raw, RawDataElement) and raw.VR != "SQ":
            # pydicom converts a few elements while reading (Specific Character Set): their value as pydicom has it.
            yield f"{here} {raw.VR} {raw.value!r}"
            continue
        items = dataset[tag].value
        yield f"{here} SQ items={len(items)}"
        for number, item in enumerate(items, 1):
            yield from listing(item, f"{here}[{number}]")


def main():
    for number, path in enumerate(sys.argv[1:]):
        print(f"# file {number}")
        for line in listing(pydicom.dcmread(path, force=True), ""):
            print(line)


if __name__ == "__main__":
    main()
