#!/usr/bin/python3
"""Interop: MSAL Python (Debian's python3-msal) against a freshly started assay-mock.

Usage: msal_python_test.py PATH/TO/assay-mock

Starts assay-mock on a free port with a new state directory, gets an app-only Graph token with
the generated certificate credential (private key + SHA-1 thumbprint, as MSAL documents), once
with authority validation off and once through the mock's instance discovery, then lists 10
Inbox messages through the mock Graph with `requests`. Exit 0 on success, 77 when MSAL is not
installed (ctest SKIP_RETURN_CODE).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile

# REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override `verify`; the mock's CA must win.
for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(var, None)

try:
    import msal
    import requests
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        fail("usage: msal_python_test.py ASSAY_MOCK")
    with tempfile.TemporaryDirectory(prefix="assay-msal-") as state:
        proc = subprocess.Popen(
            [sys.argv[1], "--port", "0", "--state-dir", state, "--log", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            if not line:
                fail("assay-mock printed no ready line: " + proc.stderr.read())
            ready = json.loads(line)
            run(ready)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                fail("assay-mock did not stop on SIGTERM")
            log = proc.stderr.read()
            print("assay-mock log:\n" + log)
            if code != 0:
                fail(f"assay-mock exited {code}")
    print(f"ok: msal {msal.__version__}")


def run(ready):
    print("ready:", json.dumps(ready))
    ca = ready["ca"]
    with open(ready["key"]) as f:
        private_key = f.read()
    with open(ready["certificate"], "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()
    authority = f"{ready['url']}/{ready['tenant_domain']}"
    scopes = ["https://graph.microsoft.com/.default"]

    # 1. Authority validation off: MSAL reads {authority}/v2.0/.well-known/openid-configuration.
    app = msal.ConfidentialClientApplication(
        ready["client_id"], authority=authority,
        client_credential={"private_key": private_key, "thumbprint": thumbprint},
        validate_authority=False, verify=ca)
    result = app.acquire_token_for_client(scopes=scopes)
    if "access_token" not in result:
        fail("no token: " + json.dumps(result))
    print("token 1: type", result.get("token_type"), "expires_in", result.get("expires_in"))

    # 2. Through the mock's instance discovery (what MSAL does for unknown hosts by default).
    app2 = msal.ConfidentialClientApplication(
        ready["client_id"], authority=f"{ready['url']}/{ready['tenant']}",
        client_credential={"private_key": private_key, "thumbprint": thumbprint},
        instance_discovery=f"{ready['url']}/common/discovery/instance", verify=ca)
    result2 = app2.acquire_token_for_client(scopes=scopes)
    if "access_token" not in result2:
        fail("no token via instance discovery: " + json.dumps(result2))

    # 3. A wrong thumbprint: MSAL surfaces Entra's AADSTS700027 from the mock.
    app3 = msal.ConfidentialClientApplication(
        ready["client_id"], authority=authority,
        client_credential={"private_key": private_key, "thumbprint": "00" * 20},
        validate_authority=False, verify=ca)
    bad = app3.acquire_token_for_client(scopes=scopes)
    if bad.get("error") != "invalid_client" or 700027 not in bad.get("error_codes", []):
        fail("expected invalid_client / 700027, got " + json.dumps(bad))
    print("wrong thumbprint:", bad["error_description"].splitlines()[0][:120])

    # 4. Graph: 10 Inbox messages of the first mailbox, then the next page.
    user = ready["users"][0]
    headers = {"Authorization": "Bearer " + result["access_token"]}
    r = requests.get(f"{ready['graph_url']}/v1.0/users/{user}/mailFolders/Inbox/messages",
                     params={"$top": "10", "$select": "subject,from,receivedDateTime"},
                     headers=headers, verify=ca, timeout=10)
    if r.status_code != 200:
        fail(f"Graph answered {r.status_code}: {r.text}")
    page = r.json()
    messages = page.get("value", [])
    if len(messages) != 10:
        fail(f"expected 10 messages, got {len(messages)}")
    for m in messages:
        print(f"  {m['receivedDateTime']}  {m['from']['emailAddress']['address']:<36} {m['subject']}")
    nxt = page.get("@odata.nextLink")
    if not nxt:
        fail("no @odata.nextLink on the first page")
    r2 = requests.get(nxt, headers=headers, verify=ca, timeout=10)
    if r2.status_code != 200 or len(r2.json().get("value", [])) != 10:
        fail(f"next page: {r2.status_code} {r2.text[:200]}")
    ids = {m["id"] for m in messages} & {m["id"] for m in r2.json()["value"]}
    if ids:
        fail("the second page repeats messages of the first")


if __name__ == "__main__":
    main()
