#!/usr/bin/env python3
"""Writes src/CloudAnon.Network/storage-sop-classes.tsv: the storage SOP classes the gateway negotiates.

Current classes from the innolitics/dicom-standard extract (standard/sops.json, the edition of the data dictionary),
retired ones from GDCM's UIDs.xml (libgdcm3.0), which still lists them.
usage: generate-storage-sop-classes.py SOPS_JSON UIDS_XML > src/CloudAnon.Network/storage-sop-classes.tsv
"""
import json
import sys
import xml.etree.ElementTree as ET

sops_json, uids_xml = sys.argv[1:3]
classes = {}
for sop in json.load(open(sops_json, encoding="utf-8")):
    classes[sop["id"]] = (sop["name"], "-")
for uid in ET.parse(uids_xml).getroot().iter("uid"):
    value, name = uid.get("value"), uid.get("name")
    if (uid.get("type") == "SOP Class" and uid.get("retired") == "true" and "Storage" in name
            and value.startswith("1.2.840.10008.5.1.4.1.1.") and value not in classes):
        classes[value] = (name, "R")

print("# Storage SOP classes (sops.json of innolitics/dicom-standard, retired ones from GDCM UIDs.xml);")
print("# written by scripts/generate-storage-sop-classes.py. Do not edit. Columns: UID, R if retired, name.")
for value in sorted(classes, key=lambda u: [int(p) for p in u.split(".")]):
    name, retired = classes[value]
    print(f"{value}\t{retired}\t{name}")
