#!/usr/bin/env python3
"""Which burned-in PHI values an independent OCR still reads after Clean Pixel Data, on the public evaluation set.

Reads OUT/boxes.tsv written by `CloudAnon.Benchmarks pixel-public-set DIR --out OUT` (one line a PHI value: output name,
input path, outcome, box, coverage, value). Each input and each output is rendered by dcmtk's dcmj2pnm (min-max window,
enlarged so that the long side is about 1,500 px: the set's text is 4-12 px high) and read by Tesseract. A value is
"read" when every token of it (letters and digits, 2 or more) is in Tesseract's text of the image, and "read in part" when
a token of 4 or more characters is. Prints, per outcome, the values read before and after, and the values still read
whose file was marked cleaned. Usage: bench/public-set-ocr.py OUT [--jobs N]
"""
import argparse
import collections
import csv
import os
import re
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor


def normalised(text):
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def tokens(value):
    return [t for t in (normalised(t) for t in re.split(r"[\s,/:.-]+", value)) if len(t) >= 2]


def ocr(path):
    """Tesseract's text of a DICOM file's first frame, letters and digits only, upper case."""
    if not os.path.exists(path):
        return None
    dump = subprocess.run(["dcmdump", "+P", "0028,0010", "+P", "0028,0011", path], capture_output=True, text=True).stdout
    rows, columns = (int(line.split()[2]) for line in dump.splitlines()[:2])
    factor = max(1, round(1500 / max(rows, columns)))
    with tempfile.TemporaryDirectory() as folder:
        png = os.path.join(folder, "frame.png")
        subprocess.run(["dcmj2pnm", "-il", "+on", "+Wm", "+Sxf", str(factor), path, png], check=True, capture_output=True)
        text = subprocess.run(["tesseract", png, "-"], capture_output=True, text=True).stdout
    return normalised(text)


def read(value, text):
    parts = tokens(value)
    whole = bool(parts) and all(p in text for p in parts)
    part = any(len(p) >= 4 and p in text for p in parts)
    return whole, part


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    with open(os.path.join(args.out, "boxes.tsv")) as f:
        boxes = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    files = {}
    for name, source, outcome, *_ in boxes:
        files[name] = (source, os.path.join(args.out, name + ".dcm"), outcome)
    paths = [p for source, output, _ in files.values() for p in (source, output)]
    with ProcessPoolExecutor(args.jobs) as pool:
        texts = dict(zip(paths, pool.map(ocr, paths)))

    counts = collections.Counter()
    for name, source, outcome, x, y, w, h, coverage, value in boxes:
        before, after = texts[source], texts[files[name][1]]
        whole_before, part_before = read(value, before)
        counts[outcome, "values"] += 1
        counts[outcome, "read before"] += whole_before
        counts[outcome, "read in part before"] += part_before
        if after is None:
            continue
        whole_after, part_after = read(value, after)
        counts[outcome, "read after"] += whole_after
        counts[outcome, "read in part after"] += part_after
        counts[outcome, "read before and after"] += whole_before and whole_after
    marked = collections.Counter()
    for name, (source, output, outcome) in files.items():
        values = [b[8] for b in boxes if b[0] == name]
        after = texts[output]
        if after is not None and any(any(read(v, after)) for v in values):
            marked[outcome] += 1

    print("| outcome | PHI values | read before (in part) | read after (in part) | read before and after | files with a value still read (whole or in part) |")
    print("|---|---|---|---|---|---|")
    for outcome in sorted({o for o, _ in counts}):
        c = counts
        print(f"| {outcome} | {c[outcome, 'values']} | {c[outcome, 'read before']} ({c[outcome, 'read in part before']}) | "
              f"{c[outcome, 'read after']} ({c[outcome, 'read in part after']}) | {c[outcome, 'read before and after']} | {marked[outcome]} |")


if __name__ == "__main__":
    main()
