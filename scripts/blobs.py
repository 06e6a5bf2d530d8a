#!/usr/bin/env python3
"""Minimal Blob Storage client (standard library only, Shared Key auth) for scripts/run-local.sh on Azurite.

  blobs.py create CONTAINER            create a container if absent
  blobs.py upload CONTAINER FILE...    upload files under their base names
  blobs.py list CONTAINER              list blobs with size and metadata
  blobs.py delete CONTAINER            delete a container and its blobs
  blobs.py stage CONTAINER MB          stage MB of random 4 MiB blocks into one blob, commit it, print MB/s: what
                                       the emulator itself takes from a minimal client (a benchmark's ceiling)

Endpoint and account come from AZURITE_BLOB_ENDPOINT (default http://127.0.0.1:10000/devstoreaccount1) and Azurite's
well-known development key (public, documented by Microsoft; not a secret).
"""
import base64, hashlib, hmac, os, sys, time, urllib.error, urllib.parse, urllib.request
import xml.etree.ElementTree as ET
from email.utils import formatdate

ACCOUNT = "devstoreaccount1"
KEY = base64.b64decode("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
ENDPOINT = os.environ.get("AZURITE_BLOB_ENDPOINT", f"http://127.0.0.1:10000/{ACCOUNT}").rstrip("/")
VERSION = "2021-08-06"


def request(method, path, query=None, body=b"", headers=None):
    query = query or {}
    # Always name a Content-Type: urllib would add a form-encoded one after signing.
    headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": VERSION, "Content-Type": "application/octet-stream", **(headers or {})}
    length = str(len(body)) if body else ""
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in sorted((k.lower(), v) for k, v in headers.items() if k.lower().startswith("x-ms-")))
    # Path-style (emulator) URLs: the account appears twice in the canonicalized resource.
    resource = f"/{ACCOUNT}{urllib.parse.urlparse(ENDPOINT).path}{path}" + "".join(f"\n{k}:{v}" for k, v in sorted(query.items()))
    content_type = headers.get("Content-Type", "")
    to_sign = "\n".join([method, "", "", length, "", content_type, "", "", "", "", "", ""]) + "\n" + canonical_headers + resource
    signature = base64.b64encode(hmac.new(KEY, to_sign.encode(), hashlib.sha256).digest()).decode()
    url = ENDPOINT + urllib.parse.quote(path) + ("?" + urllib.parse.urlencode(query) if query else "")
    req = urllib.request.Request(url, data=body if method == "PUT" else None, method=method,
                                 headers={**headers, "Authorization": f"SharedKey {ACCOUNT}:{signature}", "Content-Length": str(len(body))})
    with urllib.request.urlopen(req) as response:
        return response.read()


def create(container):
    try:
        request("PUT", f"/{container}", {"restype": "container"})
    except urllib.error.HTTPError as e:
        if e.code != 409:
            raise


def delete(container):
    request("DELETE", f"/{container}", {"restype": "container"})


def upload(container, files):
    for path in files:
        with open(path, "rb") as f:
            request("PUT", f"/{container}/{os.path.basename(path)}", body=f.read(), headers={"x-ms-blob-type": "BlockBlob"})
    print(f"uploaded {len(files)} files to {container}")


def stage(container, megabytes):
    create(container)
    block, blocks = os.urandom(4 << 20), []
    start = time.monotonic()
    for i in range(max(1, int(megabytes) * 10**6 // len(block))):
        blocks.append(base64.b64encode(f"{i:08d}".encode()).decode())
        request("PUT", f"/{container}/staged", {"comp": "block", "blockid": blocks[-1]}, block)
    block_list = "<BlockList>" + "".join(f"<Latest>{b}</Latest>" for b in blocks) + "</BlockList>"
    request("PUT", f"/{container}/staged", {"comp": "blocklist"}, block_list.encode())
    seconds = time.monotonic() - start
    print(f"{len(blocks) * len(block) / 1e6:.0f} MB staged in 4 MiB blocks in {seconds:.2f} s: {len(blocks) * len(block) / 1e6 / seconds:.1f} MB/s")


def list_blobs(container):
    marker, rows = "", []
    while True:
        query = {"restype": "container", "comp": "list", "include": "metadata", **({"marker": marker} if marker else {})}
        root = ET.fromstring(request("GET", f"/{container}", query))
        for blob in root.iter("Blob"):
            metadata = {m.tag: m.text or "" for m in blob.find("Metadata") or []}
            rows.append((blob.findtext("Name"), int(blob.findtext("Properties/Content-Length")), metadata))
        marker = root.findtext("NextMarker") or ""
        if not marker:
            break
    print(f"{container}: {len(rows)} blobs")
    for name, size, metadata in rows:
        extra = " ".join(f"{k}={v}" for k, v in sorted(metadata.items()))
        print(f"  {size:>10}  {name}  {extra}")


if __name__ == "__main__":
    command, container, *rest = sys.argv[1:]
    {"create": lambda: create(container), "upload": lambda: upload(container, rest), "list": lambda: list_blobs(container),
     "delete": lambda: delete(container), "stage": lambda: stage(container, rest[0])}[command]()
