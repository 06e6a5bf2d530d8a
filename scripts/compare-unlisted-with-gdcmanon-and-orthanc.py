#!/usr/bin/python3
"""Which attributes CloudAnon's rule for unlisted attributes removes that GDCM's gdcmanon and Orthanc keep.

Each DICOM file goes through gdcmanon -e (Basic Profile, encrypted originals) and through Orthanc's anonymization
(Orthanc started here on a loopback port with an empty temporary store; POST /instances, then
POST /instances/{id}/anonymize with the default request, Orthanc's Basic Profile). Every element of the input, at any
depth, that src/CloudAnon.Core/Profile/unlisted-attributes.tsv decides "remove" and that has a value is looked up at
the same place in each tool's output; those still holding the input's value are printed (tool, file, path, keyword),
then a summary by the reason the allow-list gives for removing them.
Usage: scripts/compare-unlisted-with-gdcmanon-and-orthanc.py CERT.pem FILE...
       (Debian's python3 with python3-pydicom, libgdcm-tools, orthanc)
"""
import collections
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pydicom
import pydicom.errors

ALLOW_LIST = os.path.join(os.path.dirname(__file__), "..", "src", "CloudAnon.Core", "Profile", "unlisted-attributes.tsv")


def removed_patterns():
    """Tag pattern → (keyword, reason) for every attribute the allow-list removes."""
    patterns = {}
    with open(ALLOW_LIST, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            tag, keyword, decision, reason = line.rstrip("\n").split("\t")
            if decision == "remove":
                patterns[tag] = (keyword, reason)
    return patterns


def removal_if_any(tag, patterns):
    text = f"{tag:08x}"
    for pattern, removal in patterns.items():
        if all(p == "x" or p == t for p, t in zip(pattern, text)):
            return removal
    return None


def kept(original, output, patterns, path=""):
    """(path, keyword, reason) of each element the rule removes whose value is still in output at the same place."""
    for element in original:
        if element.tag.group == 0x0002:
            continue
        here = f"{path}({element.tag.group:04X},{element.tag.element:04X})"
        other = output.get(element.tag) if output is not None else None
        removal = removal_if_any(int(element.tag), patterns)
        if removal and element.value not in (None, "", b"") and other is not None and other.value == element.value:
            yield (here, *removal)
        elif element.VR == "SQ" and other is not None and other.VR == "SQ":
            for i, item in enumerate(element.value):
                yield from kept(item, other.value[i] if i < len(other.value) else None, patterns, f"{here}[{i}]>")


def gdcmanon(certificate, scratch):
    def run(path):
        output = os.path.join(scratch, "gdcmanon-out.dcm")
        result = subprocess.run(["gdcmanon", "-e", "--certificate", certificate, path, output], capture_output=True)
        return pydicom.dcmread(output, force=True) if result.returncode == 0 else None
    return run


class Orthanc:
    """An Orthanc server of its own: loopback HTTP only, no DICOM listener, no plugins, a temporary store."""

    def __init__(self, scratch):
        self.port = free_port()
        config = os.path.join(scratch, "orthanc.json")
        with open(config, "w", encoding="utf-8") as out:
            json.dump({
                "Name": "cloudanon-compare", "StorageDirectory": os.path.join(scratch, "orthanc-db"),
                "IndexDirectory": os.path.join(scratch, "orthanc-db"), "HttpPort": self.port, "DicomServerEnabled": False,
                "RemoteAccessAllowed": False, "AuthenticationEnabled": False, "Plugins": [],
            }, out)
        self.process = subprocess.Popen(["Orthanc", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.version = json.loads(self.request("GET", "/system"))["Version"]
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Orthanc did not start")

    def request(self, method, path, body=None):
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, method=method), timeout=60) as response:
            return response.read()

    def __call__(self, path):
        try:
            with open(path, "rb") as dicom:
                instance = json.loads(self.request("POST", "/instances", dicom.read()))["ID"]
            anonymized = self.request("POST", f"/instances/{instance}/anonymize", b"{}")
            self.request("DELETE", f"/instances/{instance}")
            return pydicom.dcmread(io.BytesIO(anonymized), force=True)
        except urllib.error.HTTPError:
            return None

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(certificate, files):
    patterns = removed_patterns()
    # reason → tool → (files that keep one, keywords kept)
    summary = collections.defaultdict(lambda: collections.defaultdict(lambda: (set(), set())))
    refused = collections.Counter()
    with tempfile.TemporaryDirectory() as scratch:
        orthanc = Orthanc(scratch)
        tools = {"gdcmanon": gdcmanon(certificate, scratch), f"Orthanc {orthanc.version}": orthanc}
        try:
            for path in files:
                try:
                    original = pydicom.dcmread(path, force=True)
                except pydicom.errors.InvalidDicomError:
                    print(f"-\t{path}\tnot read by pydicom")
                    continue
                for tool, anonymize in tools.items():
                    output = anonymize(path)
                    if output is None:
                        refused[tool] += 1
                        print(f"{tool}\t{path}\trefused")
                        continue
                    for where, keyword, reason in kept(original, output, patterns):
                        print(f"{tool}\t{path}\t{where}\t{keyword}")
                        summary[reason][tool][0].add(path)
                        summary[reason][tool][1].add(keyword)
        finally:
            orthanc.stop()
    print(f"\n{len(files)} files; refused: " + ", ".join(f"{tool} {refused[tool]}" for tool in tools))
    print("| what the rule removes | " + " | ".join(f"{tool} keeps it in (files)" for tool in tools) + " | attributes kept |")
    print("|---|" + "---:|" * len(tools) + "---|")
    for reason, by_tool in sorted(summary.items(), key=lambda entry: -max(len(files) for files, _ in entry[1].values())):
        keywords = sorted(set().union(*(words for _, words in by_tool.values())))
        print(f"| {reason} | " + " | ".join(str(len(by_tool[tool][0])) for tool in tools) + f" | {', '.join(keywords)} |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
