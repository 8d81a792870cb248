#!/usr/bin/python3
"""The assay-mock executable: ready line, TLS with the generated CA, signals, state reuse,
configuration errors.

Usage: mock_binary_test.py PATH/TO/assay-mock TESTDATA_DIR
"""
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

MEMBERS = ["url", "ca", "tenant", "tenant_domain", "client_id", "certificate", "key", "pfx",
           "pfx_password", "graph_url", "users", "state_dir", "pid"]


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def start(mock, *args):
    proc = subprocess.Popen([mock, "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        fail(f"no ready line (exit {proc.returncode}): {proc.stderr.read()}")
    return proc, json.loads(line)


def stop(proc, sig=signal.SIGTERM):
    proc.send_signal(sig)
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail(f"no exit within 20 s of signal {sig}")
    if code != 0:
        fail(f"exit {code} after signal {sig}: {proc.stderr.read()}")
    return proc.stderr.read()


def get_json(url, ca):
    ctx = ssl.create_default_context(cafile=ca)
    with urllib.request.urlopen(url, context=ctx, timeout=10) as r:
        return json.loads(r.read())


def main():
    mock, testdata = sys.argv[1], sys.argv[2]

    # 1. Defaults: HTTPS on 127.0.0.1, a temporary state directory removed on exit.
    proc, ready = start(mock)
    if list(ready) != MEMBERS:
        fail(f"ready line members {list(ready)}")
    if not ready["url"].startswith("https://127.0.0.1:") or ready["graph_url"] != ready["url"]:
        fail(f"url {ready['url']}")
    if ready["pid"] != proc.pid:
        fail("pid")
    for member in ("ca", "certificate", "key", "pfx"):
        if not os.path.isfile(ready[member]):
            fail(f"{member} {ready[member]} missing")
    if os.stat(ready["key"]).st_mode & 0o077:
        fail("the private key is readable by others")
    if len(ready["users"]) < 2 or not ready["pfx_password"]:
        fail("users / pfx_password")
    health = get_json(ready["url"] + "/_assay/health", ready["ca"])
    if health.get("status") != "ok":
        fail(f"health {health}")
    doc = get_json(f"{ready['url']}/{ready['tenant_domain']}/v2.0/.well-known/openid-configuration",
                   ready["ca"])
    if doc["token_endpoint"] != f"{ready['url']}/{ready['tenant']}/oauth2/v2.0/token":
        fail(f"token_endpoint {doc['token_endpoint']}")
    log = stop(proc, signal.SIGINT)
    if "GET /_assay/health 200" not in log:
        fail(f"request log: {log!r}")
    if os.path.exists(ready["state_dir"]):
        fail("the temporary state directory was left behind")

    # 2. --state-dir is reused: same CA, same app credentials.
    with tempfile.TemporaryDirectory(prefix="assay-mock-state-") as state:
        proc, first = start(mock, "--state-dir", state, "--log", "json")
        stop(proc)
        ca = open(first["ca"]).read()
        proc, second = start(mock, "--state-dir", state)
        stop(proc)
        if open(second["ca"]).read() != ca or second["pfx_password"] != first["pfx_password"]:
            fail("state was not reused")
        if first["url"] == "" or not os.path.isdir(state):
            fail("state dir")

    # 3. --http and a configuration file.
    proc, ready = start(mock, "--http", "--config", os.path.join(testdata, "mock/contoso.json"))
    if not ready["url"].startswith("http://") or ready["ca"] is not None or ready["key"] is not None:
        fail(f"--http / --config ready line {ready}")
    with urllib.request.urlopen(ready["url"] + "/_assay/health", timeout=10) as r:
        if json.loads(r.read())["apps"] != 5:
            fail("config not loaded")
    stop(proc)

    # 4. A bad configuration: one line naming the file and the JSON pointer, exit 2.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write('{"tenants": [{"id": "not-a-guid", "domains": ["contoso.com"]}], "apps": []}')
        bad = f.name
    try:
        r = subprocess.run([mock, "--config", bad], capture_output=True, text=True, timeout=30)
    finally:
        os.unlink(bad)
    lines = r.stderr.strip().splitlines()
    if r.returncode != 2 or len(lines) != 1 or bad not in lines[0] or "/tenants/0/id" not in lines[0]:
        fail(f"bad config: exit {r.returncode}, stderr {r.stderr!r}")
    if r.stdout:
        fail("a refused configuration printed a ready line")
    print("bad config:", lines[0])

    # 5. A port already taken (by another assay-mock) is an error, not a shared port: exit 3
    #    with one line. cpp-httplib's default SO_REUSEPORT would have let both listen.
    proc, ready = start(mock, "--http")
    port = ready["url"].rsplit(":", 1)[1]
    r = subprocess.run([mock, "--http", "--port", port], capture_output=True, text=True, timeout=30)
    stop(proc)
    lines = r.stderr.strip().splitlines()
    if r.returncode != 3 or r.stdout or len(lines) != 1 or "cannot listen" not in lines[0]:
        fail(f"second server on port {port}: exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr!r}")
    print("port taken:", lines[0])

    # 5b. A host name that does not resolve says so (not errno's leftover "No such file or
    #     directory"), exit 3 with one line.
    r = subprocess.run([mock, "--http", "--host", "nonsense.invalid"], capture_output=True,
                       text=True, timeout=60)
    lines = r.stderr.strip().splitlines()
    if (r.returncode != 3 or r.stdout or len(lines) != 1
            or not lines[0].startswith("assay-mock: error: cannot resolve host 'nonsense.invalid'")):
        fail(f"unresolvable host: exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr!r}")
    print("unresolvable host:", lines[0])

    # 6. SIGTERM while a client trickles a request header a byte a second (each read is within
    #    the 5 s read timeout, so it never times out): the mock still stops within seconds.
    proc, ready = start(mock)
    ctx = ssl.create_default_context(cafile=ready["ca"])
    port = int(ready["url"].rsplit(":", 1)[1])
    slow = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                           server_hostname="127.0.0.1")
    slow.sendall(b"POST /x/oauth2/v2.0/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    stop_trickle = threading.Event()

    def trickle():
        while not stop_trickle.wait(1.0):
            try:
                slow.send(b"a")
            except OSError:
                return

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(1.5)
    started = time.monotonic()
    stop(proc)
    took = time.monotonic() - started
    stop_trickle.set()
    t.join()
    slow.close()
    if took > 8:
        fail(f"SIGTERM with a trickling client took {took:.1f} s")
    print(f"stopped with a trickling client in {took:.1f} s")

    # 7. Usage errors exit 2, in the form of every other diagnostic.
    r = subprocess.run([mock, "--log", "xml"], capture_output=True, text=True, timeout=30)
    if r.returncode != 2 or not r.stderr.startswith("assay-mock: error: --log: "):
        fail(f"usage error: exit {r.returncode}, stderr {r.stderr!r}")
    print("ok")


if __name__ == "__main__":
    main()
