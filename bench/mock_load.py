#!/usr/bin/python3
"""assay-mock under load and faults, on loopback only, bounded in time.

    bench/mock_load.py [--build DIR] [--duration S] [--connections N] [--slow N] [--json FILE]

Five phases against one assay-mock, each with checks; the exit status is 1 when any fails:

1. requests: `assay probe --save-requests` records one request per negative class plus the
   valid ones, each with the verdict the mock gave; to them come malformed HTTP requests
   (truncated assertions, 1 MiB bodies, huge headers, invalid UTF-8, wrong content types, ...),
   each sent once to learn its answer (never a token, never a 5xx);
2. load: wrk drives the token endpoint with every request in turn (--connections, 64, for
   --duration, 60 s); every answer is matched to its request through the client-request-id
   the mock echoes, and must be the answer that request got alone: no invalid assertion ever
   gets a token. Resident memory and descriptors are sampled throughout and checked after;
3. slow clients: --slow (500) connections held open, half idle TCP connections that never
   start TLS (reopened whenever the mock closes them), half TLS connections trickling a
   request header one byte a second or sending a body shorter than its Content-Length, while
   valid requests on fresh connections must still be answered within 5 s;
4. faults: /_assay/faults injects 503 and 429 with Retry-After, a delay and a dropped
   connection; `assay token` must retry as documented and give up with one clear line;
5. kill and restart: clients running against the mock see it killed (SIGKILL): their requests
   fail with clear errors, `assay token` exits 3 with one line; after a restart on the same port
   and state directory they recover.

Needs wrk and Debian's /usr/bin/python3; builds nothing (run after the normal build).
"""
import argparse
import base64
import http.client
import json
import os
import re
import selectors
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENT_TIMEOUT = 5.0  # seconds a valid request may take while the mock is under pressure


class Checks:
    def __init__(self):
        self.failed = []
        self.results = {}

    def check(self, ok, what):
        print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
        if not ok:
            self.failed.append(what)
        return ok


def log(msg):
    print(f"\n== {msg}", flush=True)


# --- the mock process -------------------------------------------------------------------------

class Mock:
    def __init__(self, binary, state_dir, log_path, extra_args=()):
        self.binary, self.state_dir, self.log_path = binary, state_dir, log_path
        self.extra_args = list(extra_args)
        self.start(0)

    def start(self, port):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(port), "--state-dir", self.state_dir, *self.extra_args],
            stdout=subprocess.PIPE, stderr=self.logf)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"mock_load: assay-mock did not start; see {self.log_path}")
        self.ready = json.loads(line)
        self.port = int(self.ready["url"].rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.logf.close()

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def threads(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/task"))


def tls_context(ca):
    ctx = ssl.create_default_context(cafile=ca)
    return ctx


def connect(mock, ctx, timeout=CLIENT_TIMEOUT):
    raw = socket.create_connection(("127.0.0.1", mock.port), timeout=timeout)
    return ctx.wrap_socket(raw, server_hostname="127.0.0.1")


def read_response(sock):
    """Reads one HTTP/1.1 response: (status, headers with lower-case names, body)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response headers")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length]


def exchange(mock, ctx, raw, timeout=CLIENT_TIMEOUT):
    """Sends `raw` on a fresh TLS connection; returns (status, headers, body, seconds).
    status 0: the connection closed without an answer."""
    t0 = time.monotonic()
    s = connect(mock, ctx, timeout)
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the server may answer (413) and close before reading everything
        try:
            status, headers, body = read_response(s)
        except (ConnectionError, ssl.SSLError, OSError):
            status, headers, body = 0, {}, b""
    finally:
        s.close()
    return status, headers, body, time.monotonic() - t0


def has_token(body):
    return b'"access_token"' in body


# --- phase 1: the requests --------------------------------------------------------------------

def form_request(host, path, body, content_type="application/x-www-form-urlencoded", extra=b""):
    if isinstance(body, str):
        body = body.encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n").encode()
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n".encode()
    head += extra + f"Content-Length: {len(body)}\r\n\r\n".encode()
    return head + body


def malformed_requests(host, path, valid_body):
    """(name, raw request with a {CID} marker, may_get_token): HTTP-level malformations."""
    form = urllib.parse.parse_qs(valid_body, keep_blank_values=True)
    assertion = form["client_assertion"][0]
    cut = valid_body.replace(assertion, assertion[: len(assertion) // 2])
    params = {k: v[0] for k, v in form.items()}
    boundary = "assayboundary7MA4YWxkTrZu0gW"
    multipart = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                        for k, v in params.items()) + f"--{boundary}--\r\n"
    chunked = valid_body.encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunked), chunked)
    cid = b"client-request-id: {CID}\r\n"
    return [
        ("truncated-assertion", form_request(host, path, cut, extra=cid), False),
        ("truncated-body", form_request(host, path, valid_body[: len(valid_body) * 2 // 3], extra=cid), False),
        ("cut-percent-escape", form_request(host, path, valid_body + "&scope=a%2", extra=cid), False),
        ("body-1mib", form_request(host, path, valid_body + "&pad=" + "a" * (1 << 20), extra=cid), False),
        ("header-16kib", form_request(host, path, valid_body, extra=cid + b"X-Huge: " + b"a" * 16384 + b"\r\n"), False),
        ("headers-200", form_request(host, path, valid_body,
                                     extra=cid + b"".join(b"X-H%d: v\r\n" % i for i in range(200))), True),
        ("uri-16kib", form_request(host, path + "?x=" + "a" * 16384, valid_body, extra=cid), False),
        ("utf8-invalid-raw", form_request(host, path, valid_body.encode().replace(b"client_id=", b"client_id=\xff\xfe", 1),
                                          extra=cid), False),
        ("utf8-invalid-escaped", form_request(host, path, valid_body.replace("client_id=", "client_id=%FF%FE", 1),
                                              extra=cid), False),
        ("utf8-invalid-assertion", form_request(host, path, valid_body.replace(
            "client_assertion=", "client_assertion=%C3%28", 1), extra=cid), False),
        ("utf8-invalid-header", form_request(host, path, valid_body, extra=cid + b"X-Name: \xff\xfe\xc3\x28\r\n"), True),
        ("content-type-json", form_request(host, path, json.dumps(params), "application/json", extra=cid), False),
        ("content-type-text", form_request(host, path, valid_body, "text/plain", extra=cid), False),
        ("content-type-multipart", form_request(host, path, multipart, f"multipart/form-data; boundary={boundary}",
                                                extra=cid), True),
        ("content-type-missing", form_request(host, path, valid_body, None, extra=cid), False),
        ("content-type-charset", form_request(host, path, valid_body,
                                              "application/x-www-form-urlencoded; charset=utf-8", extra=cid), True),
        ("chunked-body", form_request(host, path, b"", extra=cid).replace(
            b"Content-Length: 0\r\n\r\n", b"Transfer-Encoding: chunked\r\n\r\n") + chunked, True),
        ("empty-body", form_request(host, path, "", extra=cid), False),
        ("method-get", f"GET {path}?{valid_body} HTTP/1.1\r\nHost: {host}\r\n".encode() + cid + b"\r\n", False),
        ("method-put", form_request(host, path, valid_body, extra=cid).replace(b"POST ", b"PUT ", 1), False),
        ("content-length-invalid", form_request(host, path, valid_body, extra=cid).replace(
            b"Content-Length: ", b"Content-Length: x", 1), False),
        ("request-line-garbage", b"\x16\x03\x01garbage \xff\r\n" + cid + b"\r\n", False),
        ("http-0.9", f"GET {path}\r\n\r\n".encode(), False),
    ]


def clock_flips(raw, skew=300):
    """When the assertion in a request changes verdict as the clock passes its exp, nbf or iat
    (the mock's default skew is 300 s)."""
    body = raw.partition(b"\r\n\r\n")[2].decode("latin-1")
    token = urllib.parse.parse_qs(body).get("client_assertion", [""])[0]
    parts = token.split(".")
    if len(parts) != 3:
        return []
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return []
    flips = []
    for claim, shift in (("exp", skew), ("nbf", -skew), ("iat", -skew)):
        v = payload.get(claim) if isinstance(payload, dict) else None
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            flips.append(v + shift)
    return flips


def phase_requests(a, mock, ctx, work, checks):
    log("1. requests: assay probe (one per negative class) and malformed HTTP")
    ready = mock.ready
    endpoint = f"{ready['url']}/{ready['tenant']}/oauth2/v2.0/token"
    saved = os.path.join(work, "probe.ndjson")
    t0 = time.time()
    p = subprocess.run([a.assay, "probe", "--profile", "entra", "--token-endpoint", endpoint,
                        "--client-id", ready["client_id"], "--cert", ready["certificate"],
                        "--key", ready["key"], "--ca-file", ready["ca"], "--rate", "0",
                        "--format", "json", "--save-requests", saved],
                       capture_output=True, text=True, timeout=300)
    report = json.loads(p.stdout) if p.stdout.strip() else {}
    counts = report.get("counts", {})
    checks.check(p.returncode == 0 and report.get("baseline_accepted"),
                 f"assay probe: exit {p.returncode}, {counts}")
    checks.check(counts.get("wrongly-accepted", 0) == 0, "probe: no negative class wrongly accepted")
    if not os.path.exists(saved):
        checks.check(False, f"assay probe saved its requests: {p.stderr.strip()}")
        return []
    host = f"127.0.0.1:{mock.port}"
    path = urllib.parse.urlsplit(endpoint).path
    specs = []
    for line in open(saved):
        r = json.loads(line)
        raw = form_request(host, path, r["body"], extra=b"client-request-id: {CID}\r\n")
        specs.append({"name": "probe:" + r["class"], "raw": raw,
                      "valid": r["expected"] in ("valid", "acceptable"),
                      "status": r["status"], "token": r["verdict"].startswith("accepted")})
    valid_body = json.loads(open(saved).readline())["body"]
    for name, raw, may_token in malformed_requests(host, path, valid_body):
        specs.append({"name": "http:" + name, "raw": raw, "valid": may_token})
    if a.only:
        specs = [s for s in specs if re.search(a.only, s["name"])]
    # Classes at a clock boundary (nbf just beyond the skew, exp just within it) change verdict
    # as time passes, rightly: they stay out of the load, which expects fixed answers.
    window = (t0 - 5, time.time() + a.duration + 240)
    clock = [s["name"] for s in specs if any(window[0] <= t <= window[1] for t in clock_flips(s["raw"]))]
    if clock:
        print(f"  at a clock boundary within the run, left out: {', '.join(n[6:] for n in clock)}")
    specs = [s for s in specs if s["name"] not in clock]
    # Learn each answer alone (and check it) before any load.
    bad = []
    for i, s in enumerate(specs):
        raw = s["raw"].replace(b"{CID}", f"s{i}".encode())
        status, headers, body, took = exchange(mock, ctx, raw)
        token = has_token(body)
        if "status" in s and (status != s["status"] or token != s["token"]):
            bad.append(f"{s['name']}: {status} alone now, {s['status']} in the probe")
        if token and not s["valid"]:
            bad.append(f"{s['name']}: got a token")
        if status >= 500:
            bad.append(f"{s['name']}: HTTP {status}")
        s.update(status=status, token=token, correlated=headers.get("client-request-id") == f"s{i}",
                 seconds=took, connection=headers.get("connection", "").lower())
    malformed = [s for s in specs if s["name"].startswith("http:")]
    framing = ["http:" + n for n in ("header-16kib", "uri-16kib", "content-length-invalid",
                                     "request-line-garbage", "http-0.9")]
    open_after = [n for n in framing if next(s for s in specs if s["name"] == n).get("connection") != "close"]
    checks.check(not open_after, "requests that could not be framed are answered with Connection: close"
                 + (f" (not: {open_after})" if open_after else ""))
    print("  malformed requests, answered alone:")
    for s in malformed:
        print(f"    {s['name'][5:]:26} {s['status'] or 'closed':>6}  "
              f"{'client-request-id echoed' if s['correlated'] else 'no echo (cpp-httplib could not parse it)'}"
              f"  {s['seconds'] * 1000:.0f} ms")
    checks.check(not bad, f"{len(specs)} requests answered alone as expected" + (f": {bad}" if bad else ""))
    checks.results["requests"] = {"probe_counts": counts, "malformed": {
        s["name"][5:]: {"status": s["status"], "echoed": s["correlated"]} for s in malformed}}
    return specs


# --- phase 2: load ------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Generated by bench/mock_load.py: replays every request in turn and matches each answer to
-- its request through the client-request-id the mock echoes.
local specs = nil
local n = 0
local next_i = 0
sent = {}
answered = {}
mismatch = {}
uncorrelated = {}
tokens_invalid = 0
tokens = 0
responses = 0
examples = {}

function setup(thread)
  thread:set("tid", #threads_seen + 1)
  table.insert(threads_seen, thread)
end
threads_seen = {}

function init(args)
  specs = dofile(args[1])
  n = #specs
  next_i = ((tid or 1) * 7919) % n
  -- wrk 4 calls request() once in its first thread before the run, to check what it builds
  -- (script_verify_request); that request is never sent, and is not counted.
  checking = tid == 1
end

function request()
  next_i = next_i % n + 1
  if checking then
    checking = false
  else
    sent[next_i] = (sent[next_i] or 0) + 1
  end
  return specs[next_i].raw
end

function response(status, headers, body)
  responses = responses + 1
  local got_token = string.find(body, '"access_token"', 1, true) ~= nil
  if got_token then tokens = tokens + 1 end
  local cid = headers["client-request-id"]
  local i = cid and tonumber(string.match(cid, "^s(%d+)$"))
  if i == nil or specs[i] == nil then
    local k = tostring(status)
    uncorrelated[k] = (uncorrelated[k] or 0) + 1
    if got_token then tokens_invalid = tokens_invalid + 1 end
    return
  end
  local s = specs[i]
  answered[i] = (answered[i] or 0) + 1
  if got_token and not s.valid then tokens_invalid = tokens_invalid + 1 end
  if status ~= s.status or got_token ~= s.token then
    mismatch[i] = (mismatch[i] or 0) + 1
    if #examples < 10 then
      table.insert(examples, s.name .. ": " .. status .. " (alone: " .. s.status .. ")")
    end
  end
end

local function add(into, from)
  for k, v in pairs(from) do into[k] = (into[k] or 0) + v end
end

function done(summary, latency, requests)
  local total = {sent = {}, answered = {}, mismatch = {}, uncorrelated = {}, tokens_invalid = 0, tokens = 0,
                 responses = 0, examples = {}}
  for _, t in ipairs(threads_seen) do
    add(total.sent, t:get("sent"))
    add(total.answered, t:get("answered"))
    add(total.mismatch, t:get("mismatch"))
    add(total.uncorrelated, t:get("uncorrelated"))
    total.tokens_invalid = total.tokens_invalid + t:get("tokens_invalid")
    total.tokens = total.tokens + t:get("tokens")
    total.responses = total.responses + t:get("responses")
    for _, e in ipairs(t:get("examples")) do table.insert(total.examples, e) end
  end
  local function obj(t)
    local parts = {}
    for k, v in pairs(t) do table.insert(parts, string.format("%q:%d", tostring(k), v)) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  local ex = {}
  for _, e in ipairs(total.examples) do table.insert(ex, string.format("%q", e)) end
  local e = summary.errors
  local f = io.open(os.getenv("ASSAY_WRK_OUT"), "w")
  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"responses":%d,"tokens":%d,"tokens_invalid":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p99":%d,"max":%d},"sent":%s,"answered":%s,"mismatch":%s,' ..
    '"uncorrelated":%s,' ..
    '"examples":[%s]}',
    summary.requests, summary.duration, total.responses, total.tokens, total.tokens_invalid,
    e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99),
    latency.max, obj(total.sent), obj(total.answered), obj(total.mismatch), obj(total.uncorrelated),
    table.concat(ex, ",")))
  f:close()
end
"""


def lua_string(b):
    out = []
    for c in b:
        if c in (34, 92):  # " and backslash
            out.append("\\" + chr(c))
        elif 32 <= c < 127:
            out.append(chr(c))
        else:
            out.append("\\%03d" % c)
    return '"' + "".join(out) + '"'


def sample(mock, stop, samples):
    while not stop.is_set():
        try:
            samples.append((time.monotonic(), mock.rss_kib(), mock.fds(), mock.threads()))
        except OSError:
            pass
        stop.wait(0.5)


def settle(mock, baseline_fds, seconds=10):
    """Waits for the keep-alive and read timeouts to close what clients left open."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and mock.fds() > baseline_fds:
        time.sleep(0.25)
    return mock.fds()


def phase_load(a, mock, ctx, specs, work, checks):
    log(f"2. load: wrk, {a.connections} connections for {a.duration} s, "
        f"{len(specs)} different requests in turn")
    # Requests the mock did not answer alone (closed the connection) or answered slowly would
    # stall a wrk connection; they were checked in phase 1 and stay out of the mix.
    mix = [s for s in specs if s["status"] != 0 and s["seconds"] < 1.0]
    if not mix:
        checks.check(False, "requests to replay (phase 1 produced none)")
        return
    left_out = [s["name"] for s in specs if s not in mix]
    if left_out:
        print(f"  left out of the mix (no answer or slow alone): {left_out}")
    lua_specs = os.path.join(work, "specs.lua")
    with open(lua_specs, "w") as f:
        f.write("return {\n")
        for i, s in enumerate(mix, 1):  # Lua counts from 1: the id is the index in `mix`
            raw = s["raw"].replace(b"{CID}", f"s{i}".encode())
            f.write("{name=%s,raw=%s,status=%d,token=%s,valid=%s},\n" % (
                lua_string(s["name"].encode()), lua_string(raw), s["status"],
                "true" if s["token"] else "false", "true" if s["valid"] else "false"))
        f.write("}\n")
    script = os.path.join(work, "load.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    out = os.path.join(work, "wrk.json")
    base_fds = mock.fds()
    rss_start = mock.rss_kib()
    samples, stop = [], threading.Event()
    sampler = threading.Thread(target=sample, args=(mock, stop, samples))
    sampler.start()
    env = dict(os.environ, ASSAY_WRK_OUT=out)
    p = subprocess.run(["wrk", "-t", "2", "-c", str(a.connections), "-d", f"{a.duration}s",
                        "--timeout", "5s", "-s", script, mock.ready["url"], "--", lua_specs],
                       capture_output=True, text=True, env=env, timeout=a.duration + 120)
    stop.set()
    sampler.join()
    alive = mock.proc.poll() is None
    checks.check(p.returncode == 0 and os.path.exists(out), f"wrk ran (exit {p.returncode}{': ' + p.stderr.strip() if p.stderr.strip() else ''})")
    if not os.path.exists(out):
        return
    r = json.load(open(out))
    checks.check(alive, "assay-mock is still running")
    rps = r["requests"] / (r["duration_us"] / 1e6)
    print(f"  {r['requests']} requests, {rps:.0f}/s; {r['tokens']} tokens; latency p50 "
          f"{r['latency_us']['p50'] / 1000:.1f} ms, p99 {r['latency_us']['p99'] / 1000:.1f} ms")
    valid_in_mix = [s["name"] for s in mix if s["token"]]
    checks.check(len(valid_in_mix) >= 10 and r["tokens"] > 0,
                 f"valid requests were part of the load ({len(valid_in_mix)} kinds, {r['tokens']} tokens)")
    checks.check(r["tokens_invalid"] == 0, f"no token for an invalid request ({r['tokens_invalid']})")
    mismatches = sum(r["mismatch"].values())
    checks.check(mismatches == 0, f"every answer matched its request's answer alone "
                 f"({mismatches} did not{': ' + '; '.join(r['examples']) if r['examples'] else ''})")
    sent_total = sum(r["sent"].values())
    # At the end each connection may have one request in flight, never answered.
    checks.check(r["responses"] <= sent_total <= r["responses"] + a.connections,
                 f"one answer per request ({sent_total} sent, {r['responses']} answers)")
    lost = sum(max(0, n - r["answered"].get(k, 0)) for k, n in r["sent"].items()
               if mix[int(k) - 1]["correlated"])
    checks.check(lost <= a.connections, f"every request that names itself got its own answer "
                 f"({lost} did not, {a.connections} may be in flight at the end)")
    correlated = r["responses"] - sum(r["uncorrelated"].values())
    echoing = sum(1 for s in mix if s["correlated"])
    print(f"  {correlated} answers matched to their request by client-request-id; "
          f"{sum(r['uncorrelated'].values())} without one, to requests cpp-httplib could not parse (statuses {r['uncorrelated']}), "
          f"{len(mix) - echoing} of the {len(mix)} requests draw those")
    # Requests that cannot name themselves (cpp-httplib could not parse them) get exactly one
    # answer each too: leftover bytes read as more requests would show up here as extra 400s.
    unnamed_sent = sum(n for k, n in r["sent"].items() if not mix[int(k) - 1]["correlated"])
    unnamed = sum(r["uncorrelated"].values())
    checks.check(unnamed_sent - a.connections <= unnamed <= unnamed_sent,
                 f"one answer per unparsable request ({unnamed_sent} sent, {unnamed} answers)")
    allowed = {str(s["status"]) for s in mix if not s["correlated"]}
    stray = {k: v for k, v in r["uncorrelated"].items() if k not in allowed}
    checks.check(not stray, f"answers without an echo have the statuses seen alone ({sorted(allowed)})"
                 + (f"; unexpected {stray}" if stray else ""))
    status5xx = {k: v for k, v in r["uncorrelated"].items() if k.startswith("5")}
    log_5xx = count_log_5xx(mock.log_path)
    checks.check(not status5xx and log_5xx == 0, f"no 5xx answer (request log: {log_5xx})")
    checks.check(r["errors"]["timeout"] == 0, f"no wrk timeouts ({r['errors']})")
    fds_after = settle(mock, base_fds)
    rss_end = mock.rss_kib()
    rss_max = max((s[1] for s in samples), default=rss_end)
    fds_max = max((s[2] for s in samples), default=fds_after)
    threads_max = max((s[3] for s in samples), default=0)
    print(f"  resident memory: {rss_start // 1024} MiB before, {rss_max // 1024} MiB at most, "
          f"{rss_end // 1024} MiB after; descriptors: {base_fds} before, {fds_max} at most, "
          f"{fds_after} after; threads at most {threads_max}")
    checks.check(fds_after <= base_fds, f"no descriptor leaked ({base_fds} before, {fds_after} after)")
    checks.check(rss_end - rss_start < a.rss_growth_mib * 1024,
                 f"resident memory grew by less than {a.rss_growth_mib} MiB "
                 f"({(rss_end - rss_start) / 1024:.1f} MiB)")
    checks.results["load"] = dict(r, rps=round(rps), rss_kib={"start": rss_start, "max": rss_max, "end": rss_end},
                                  fds={"start": base_fds, "max": fds_max, "end": fds_after},
                                  threads_max=threads_max, mix=len(mix))
    for k in ("sent", "answered", "mismatch"):
        del checks.results["load"][k]


def count_log_5xx(path):
    n = 0
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r" (\d{3})( |$)", line)
            if m and m.group(1).startswith("5"):
                n += 1
    return n


# --- phase 3: slow clients --------------------------------------------------------------------

def valid_form(a, mock):
    """A fresh valid token request body (assay build --form)."""
    r = mock.ready
    p = subprocess.run([a.assay, "build", "--form", "--client-id", r["client_id"], "--tenant", r["tenant"],
                        "--authority-host", r["url"].split("://", 1)[1], "--cert", r["certificate"],
                        "--key", r["key"]], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise SystemExit(f"mock_load: assay build --form failed: {p.stderr.strip()}")
    return p.stdout.strip()


def timed_valid_request(mock, ctx, raw):
    try:
        status, _, body, took = exchange(mock, ctx, raw, timeout=CLIENT_TIMEOUT)
        return status == 200 and has_token(body), took
    except (OSError, ssl.SSLError):
        return False, CLIENT_TIMEOUT


def phase_slow(a, mock, ctx, checks):
    n_idle = a.slow // 2
    n_slow = a.slow - n_idle
    log(f"3. slow clients: {n_idle} idle TCP connections (no TLS hello), {n_slow} TLS connections "
        f"trickling a header or a short body, while valid requests come on fresh connections")
    host = f"127.0.0.1:{mock.port}"
    path = f"/{mock.ready['tenant']}/oauth2/v2.0/token"
    raw_valid = form_request(host, path, valid_form(a, mock))
    base_fds = mock.fds()
    sel = selectors.DefaultSelector()
    idle, slow = [], []
    reopened = [0]

    def open_idle():
        s = socket.create_connection(("127.0.0.1", mock.port), timeout=CLIENT_TIMEOUT)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        idle.append(s)

    for _ in range(n_idle):
        open_idle()
    for i in range(n_slow):
        s = connect(mock, ctx)
        if i % 2 == 0:  # a header, one byte a second
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode())
        else:  # a body shorter than its Content-Length, then one byte a second
            s.sendall(form_request(host, path, "a" * 1000)[:-900])
        slow.append(s)
    stop = threading.Event()

    def hold():
        # Idle connections the mock closes (its TLS handshake times out) are opened again, so
        # the pressure stays; slow ones get a byte a second (under the 5 s read timeout).
        while not stop.is_set():
            for key, _ in sel.select(timeout=1.0):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(s)
                    s.close()
                    idle.remove(s)
                    if not stop.is_set():
                        open_idle()
                        reopened[0] += 1
            for s in list(slow):
                try:
                    s.send(b"a")
                except (OSError, ssl.SSLError):
                    slow.remove(s)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(1.0)
    latencies, failures, held_samples = [], 0, []
    end = time.monotonic() + a.slow_seconds
    while time.monotonic() < end:
        ok, took = timed_valid_request(mock, ctx, raw_valid)
        latencies.append(took)
        failures += 0 if ok else 1
        try:
            health = http_json(mock, ctx, "/_assay/health")
            held_samples.append(health.get("connections", {}).get("active", 0))
        except (OSError, ssl.SSLError, http.client.HTTPException, ValueError):
            held_samples.append(0)
        time.sleep(0.2)
    held = max(held_samples, default=0)
    slow_alive = len(slow)
    stop.set()
    holder.join()
    for s in idle + slow:
        s.close()
    latencies.sort()
    p50 = statistics.median(latencies) if latencies else 0
    worst = latencies[-1] if latencies else 0
    print(f"  the mock held {min(held_samples, default=0)} to {held} connections; {len(latencies)} valid requests: median "
          f"{p50 * 1000:.0f} ms, slowest {worst * 1000:.0f} ms; idle connections reopened "
          f"{reopened[0]} times; {slow_alive} of {n_slow} slow connections still open at the end")
    checks.check(held >= a.slow * 9 // 10, f"the mock held the slow and idle connections ({held} >= {a.slow * 9 // 10})")
    checks.check(failures == 0 and latencies and worst <= CLIENT_TIMEOUT,
                 f"every valid request answered within {CLIENT_TIMEOUT:.0f} s "
                 f"({failures} of {len(latencies)} failed, slowest {worst:.2f} s)")
    fds_after = settle(mock, base_fds, seconds=15)
    checks.check(fds_after <= base_fds, f"every slow connection's descriptor released ({base_fds} before, {fds_after} after)")
    checks.check(mock.proc.poll() is None, "assay-mock is still running")
    checks.results["slow"] = {"held": held, "held_min": min(held_samples, default=0), "requests": len(latencies), "failures": failures,
                              "median_ms": round(p50 * 1000, 1), "max_ms": round(worst * 1000, 1),
                              "idle_reopened": reopened[0]}


def http_json(mock, ctx, path, method="GET", body=None):
    c = http.client.HTTPSConnection("127.0.0.1", mock.port, context=ctx, timeout=CLIENT_TIMEOUT)
    try:
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Content-Type": "application/json"} if body is not None else {})
        r = c.getresponse()
        data = r.read()
        return json.loads(data) if data else {}
    finally:
        c.close()


# --- phase 4: faults ----------------------------------------------------------------------------

def assay_token(a, mock, *extra, timeout=120):
    r = mock.ready
    t0 = time.monotonic()
    p = subprocess.run([a.assay, "token", "--raw", "--client-id", r["client_id"], "--tenant", r["tenant"],
                        "--authority-host", r["url"].split("://", 1)[1], "--ca-file", r["ca"],
                        "--cert", r["certificate"], "--key", r["key"], *extra],
                       capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def phase_faults(a, mock, ctx, checks):
    log("4. faults through /_assay/faults, and assay token's retries")
    token_path = "/oauth2/v2.0/token"

    def fault(**f):
        http_json(mock, ctx, "/_assay/faults", "POST", dict(path=token_path, **f))

    fault(count=2, status=503, retry_after=1)
    p, took = assay_token(a, mock, "--retries", "3")
    checks.check(p.returncode == 0 and p.stdout.count(".") == 2 and took >= 2.0,
                 f"two 503s with Retry-After 1: retried, token on attempt 3 after {took:.1f} s (exit {p.returncode})")
    checks.check(p.stderr.count("retrying in 1 s") == 2, "each retry said so on stderr")
    fault(count=5, status=429, retry_after=1)
    p, took = assay_token(a, mock, "--retries", "2")
    # --raw: the report of a refusal goes to stderr, stdout stays empty.
    checks.check(p.returncode == 1 and p.stdout == "" and "AADSTS90055" in p.stderr
                 and "after 3 attempts" in p.stderr,
                 f"429 every time, --retries 2: gave up after 3 attempts, AADSTS90055 explained (exit {p.returncode}, {took:.1f} s)")
    http_json(mock, ctx, "/_assay/faults", "DELETE")
    fault(count=1, status=503, retry_after=3600)
    p, took = assay_token(a, mock)
    checks.check(p.returncode == 1 and "over the limit" in p.stderr and took < 10,
                 f"Retry-After 3600 s: not waited, gave up at once ({took:.1f} s, exit {p.returncode})")
    fault(count=1, drop=True)
    p, took = assay_token(a, mock)
    err = p.stderr.strip().splitlines()
    checks.check(p.returncode == 3 and len(err) == 1 and "connection" in err[0],
                 f"dropped connection: exit {p.returncode}, one line: {err[-1] if err else ''}")
    # The answer comes 30 s late: a client that honours its 1 s timeout gives up long before,
    # however slowly it starts on a busy machine (the mock's thread sleeps on alone).
    fault(count=1, delay_ms=30000)
    p, took = assay_token(a, mock, "--timeout", "1")
    err = p.stderr.strip().splitlines()
    checks.check(p.returncode == 3 and len(err) == 1 and took < 15,
                 f"answer delayed 30 s, --timeout 1: exit {p.returncode} after {took:.1f} s: {err[-1] if err else ''}")
    http_json(mock, ctx, "/_assay/faults", "DELETE")
    p, _ = assay_token(a, mock)
    checks.check(p.returncode == 0, "after the faults: a token again")


# --- phase 5: kill and restart ------------------------------------------------------------------

def phase_restart(a, mock, ctx, checks):
    log("5. kill -9 and restart mid-run")
    host = f"127.0.0.1:{mock.port}"
    path = f"/{mock.ready['tenant']}/oauth2/v2.0/token"
    body = valid_form(a, mock)
    stop = threading.Event()
    # (start, end, ok, error): each request is judged by when it started and ended, not by when
    # its thread got round to recording it, which on a busy machine can be seconds later.
    events = []
    lock = threading.Lock()

    def client():
        conn = None
        while not stop.is_set():
            start = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection("127.0.0.1", mock.port, context=ctx, timeout=CLIENT_TIMEOUT)
                conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                             "Host": host})
                r = conn.getresponse()
                ok = r.status == 200 and has_token(r.read())
                end = time.monotonic()
                with lock:
                    events.append((start, end, ok, None if ok else f"HTTP {r.status}"))
            except (OSError, ssl.SSLError, http.client.HTTPException) as e:
                end = time.monotonic()
                with lock:
                    events.append((start, end, False, type(e).__name__))
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.1)
        if conn is not None:
            conn.close()

    clients = [threading.Thread(target=client) for _ in range(8)]
    for t in clients:
        t.start()
    time.sleep(2)
    killed_at = time.monotonic()
    mock.proc.send_signal(signal.SIGKILL)
    mock.proc.wait()
    down_at = time.monotonic()
    mock.logf.close()
    time.sleep(0.5)
    # Refused at once; a client that waited for its (generous) timeout instead would take 30 s.
    p, took = assay_token(a, mock, "--timeout", "30")
    err = p.stderr.strip().splitlines()
    checks.check(p.returncode == 3 and len(err) == 1 and "cannot connect" in err[0] and took < 15,
                 f"mock down: assay token exit {p.returncode} in {took:.1f} s: {err[-1] if err else ''}")
    time.sleep(1)
    restarted_at = time.monotonic()
    mock.start(mock.port)
    time.sleep(3)
    stop.set()
    for t in clients:
        t.join()
    # Requests that spanned the kill or the restart may go either way and are not judged.
    before = [e for e in events if e[1] < killed_at]
    during = [e for e in events if e[0] >= down_at and e[1] < restarted_at]
    first_ok = min((e[1] for e in events if e[2] and e[0] >= restarted_at), default=None)
    after = [e for e in events if first_ok is not None and e[0] >= first_ok]
    errors = sorted({e[3] for e in during if e[3]})
    print(f"  8 clients: {sum(e[2] for e in before)} tokens before the kill; {len(during)} failures "
          f"while down ({', '.join(errors)}); first token {((first_ok or 0) - restarted_at):.2f} s after "
          f"the restart; {sum(e[2] for e in after)} tokens after")
    checks.check(all(e[2] for e in before) and before, "before the kill every request got a token")
    checks.check(during and all(not e[2] for e in during),
                 f"while down, every request failed with an error ({len(during)})")
    checks.check(first_ok is not None, "after the restart the clients recovered")
    checks.check(after and all(e[2] for e in after),
                 "every request begun after the first token got a token")
    p, _ = assay_token(a, mock)
    checks.check(p.returncode == 0, "assay token after the restart: a token")
    checks.results["restart"] = {"failures_while_down": len(during), "errors": errors,
                                 "recovered_after_s": round((first_ok or 0) - restarted_at, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "test"))
    ap.add_argument("--duration", type=int, default=int(os.environ.get("ASSAY_LOAD_SECONDS", "60")))
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--slow-seconds", type=int, default=12)
    ap.add_argument("--rss-growth-mib", type=int, default=64)
    ap.add_argument("--only", help="phases 1 and 2: only the requests whose name matches this regex "
                    "(probe:CLASS, http:NAME)")
    ap.add_argument("--phases", default="12345", help="the phases to run (default 12345; 2 needs 1)")
    ap.add_argument("--mock-args", default="", help="more assay-mock options, e.g. "
                    "'--max-connections 64' to watch slow clients starve the rest")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    a.assay = os.path.join(a.build, "tools", "assay", "assay")
    mock_bin = os.path.join(a.build, "mock-server", "assay-mock")
    for f in (a.assay, mock_bin):
        if not os.access(f, os.X_OK):
            raise SystemExit(f"mock_load: {f} is missing: build first")
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="assay-load-") as work:
        mock = Mock(mock_bin, os.path.join(work, "state"), os.path.join(work, "mock.log"),
                    a.mock_args.split())
        try:
            print(f"assay-mock {mock.ready['url']} (pid {mock.proc.pid}); work directory {work}")
            ctx = tls_context(mock.ready["ca"])
            if "1" in a.phases or "2" in a.phases:
                specs = phase_requests(a, mock, ctx, work, checks)
            if "2" in a.phases:
                phase_load(a, mock, ctx, specs, work, checks)
            if "3" in a.phases:
                phase_slow(a, mock, ctx, checks)
            if "4" in a.phases:
                phase_faults(a, mock, ctx, checks)
            if "5" in a.phases:
                phase_restart(a, mock, ctx, checks)
        finally:
            mock.stop()
            if checks.failed:
                print(f"\nrequest log kept at {work}/mock.log (last lines):")
                with open(os.path.join(work, "mock.log"), errors="replace") as f:
                    print("".join(f.readlines()[-20:]))
    checks.results["failed"] = checks.failed
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(checks.results, f, indent=2)
    print(f"\n{'FAILED: ' + str(len(checks.failed)) + ' check(s)' if checks.failed else 'all checks passed'}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
