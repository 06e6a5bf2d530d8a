"""Looks for a file's identifying values in the bytes of its de-identified output, with pydicom as the reader.

The judge of CorpusIdentifierSearchTests: it shares nothing with CloudAnon's codec or profile code. From each original
it takes, at every depth and in the File Meta group, the person-name parts, the values of identifying attributes (IDs,
institution, station, addresses, accession and study numbers, …) and instance UIDs, and searches the output's bytes —
inflated when deflated, pixel data left out (its bytes match short numbers by chance), in the file's character set
and as UTF-16 — for each. Placeholders an earlier de-identifier wrote (REMOVED, ANONYMOUS) are no one's. A value is not reported when the original also holds it inside
an attribute Table E.1-1 does not list (Manufacturer "TOSHIBA_MEC" keeps an institution called "TOSHIBA"; a model name
may be a station name): the profile keeps those attributes, and what they say is not the identifying attribute's copy.
Usage: python3 identifier_search.py E1-1.json ORIGINAL OUTPUT [ORIGINAL OUTPUT ...]; prints one line a hit, nothing else.
"""
import json
import re
import sys
import warnings
import zlib

import pydicom
from pydicom.charset import convert_encodings, encode_string
from pydicom.multival import MultiValue

IDENTIFYING = {
    0x00100020, 0x00100021, 0x00101000, 0x00101002, 0x00101040, 0x00102154, 0x00102155, 0x00080080, 0x00080081,
    0x00081010, 0x00081040, 0x00080050, 0x00200010, 0x00321032, 0x00081048, 0x00081050, 0x00081070, 0x00400006,
    0x00380010, 0x00400253, 0x00400009, 0x00401101, 0x00401102, 0x00401103, 0x00380300, 0x00380400, 0x00181000,
    0x00020016, 0x00020026, 0x00020027, 0x00020028, 0x00020100, 0x00020102, 0x0040A123, 0x0040A075, 0x00401010,
}
INSTANCE_UIDS = {
    0x00020003, 0x00080018, 0x0020000D, 0x0020000E, 0x00200052, 0x00081155, 0x00200200, 0x30060024, 0x00081195,
    0x00404023, 0x30060010, 0x00080014, 0x00880140, 0x00209161, 0x00209164, 0x0040A124,
}
MIN_LENGTH = 5
PLACEHOLDERS = {"REMOVED", "ANONYMOUS", "ANONYMIZED"}
DEFLATED = "1.2.840.10008.1.2.1.99"


def values(element):
    value = element.value
    items = value if isinstance(value, (list, MultiValue)) else [value]
    for item in items:
        if isinstance(item, bytes):
            item = item.decode("latin-1", "ignore")
        yield str(item).strip(" \0")


def walk(dataset, listed, found, kept):
    for element in dataset:
        if element.VR == "SQ":
            for item in element.value or []:
                walk(item, listed, found, kept)
            continue
        tag = int(element.tag)
        try:
            texts = list(values(element))
        except Exception:
            continue
        for text in texts:
            if element.VR == "PN":
                found.update(part for part in re.split(r"[\^=]", text) if len(part) >= MIN_LENGTH)
            elif tag in IDENTIFYING or (element.VR == "UI" and tag in INSTANCE_UIDS):
                if len(text) >= MIN_LENGTH:
                    found.add(text)
            elif tag not in listed and not element.tag.is_private and element.VR not in ("OB", "OW", "UN", "SQ"):
                kept.add(text)


def output_bytes(path):
    data = open(path, "rb").read()
    dataset = pydicom.dcmread(path, force=True)
    if getattr(dataset.file_meta, "TransferSyntaxUID", None) == DEFLATED:
        # The deflated data set starts where the File Meta group ends.
        start = 132 + 12 + int(dataset.file_meta.FileMetaInformationGroupLength)
        data = data[:start] + zlib.decompress(data[start:], -zlib.MAX_WBITS)
    if pixels := dataset.get("PixelData"):
        data = data.replace(pixels, b"", 1)
    return data


def encoded(value, encodings):
    """The value as the original wrote it (its Specific Character Set) and as UTF-16; forms too short to tell are left out."""
    forms = {value.encode("utf-16-le")}
    try:
        forms.add(encode_string(value, encodings))
    except Exception:
        forms.add(value.encode("utf-8"))
    return [form for form in forms if len(form) >= MIN_LENGTH]


def main():
    warnings.simplefilter("ignore")  # pydicom's complaints about the corpus's malformed values
    listed = {int(row["id"], 16) for row in json.load(open(sys.argv[1])) if re.fullmatch(r"[0-9A-Fa-f]{8}", row["id"])}
    for original, output in zip(sys.argv[2::2], sys.argv[3::2]):
        source = pydicom.dcmread(original, force=True)
        found, kept = set(), set()
        walk(source.file_meta, listed, found, kept)
        walk(source, listed, found, kept)
        encodings = convert_encodings(source.get("SpecificCharacterSet", "ISO_IR 6"))
        data = output_bytes(output)
        for value in sorted(found):
            if value.upper() in PLACEHOLDERS or any(value in text for text in kept):
                continue
            if any(form in data for form in encoded(value, encodings)):
                print(f"{original}: {value!r} is in the output")


if __name__ == "__main__":
    main()
