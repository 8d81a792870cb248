#!/usr/bin/python3
"""`assay vectors run --exec` interrupted by SIGINT, SIGTERM or SIGHUP.

The verifier runs in a process group of its own, so the terminal's Ctrl-C never reaches it:
assay must end that group (grandchildren included), remove its scratch directory, and then die
by the same signal, as a shell expects. Usage: vectors_interrupt_test.py ASSAY TESTDATA_DIR
"""
import os
import signal
import subprocess
import sys
import tempfile
import time


def running(pid, patience=2.0):
    """Whether pid still runs after up to `patience` seconds (a zombie does not)."""
    until = time.monotonic() + patience
    while True:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return False
        if state in ("Z", "X"):
            return False
        if time.monotonic() >= until:
            return True
        time.sleep(0.01)


def wait_for_pid(path, timeout=10.0):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    raise AssertionError(f"the verifier never wrote {path}")


def check(assay, testdata, sig):
    with tempfile.TemporaryDirectory() as tmp:
        scratch = os.path.join(tmp, "tmp")
        os.mkdir(scratch)
        pid_file = os.path.join(tmp, "pid")
        command = [assay, "vectors", "run", "--dir", os.path.join(testdata, "vectors"),
                   "--profile", "entra", "--filter", "^valid-baseline$",
                   "--exec", f"sleep 30 & echo $! > {pid_file}; wait"]
        started = time.monotonic()
        p = subprocess.Popen(command, env=dict(os.environ, TMPDIR=scratch),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        grandchild = wait_for_pid(pid_file)
        assert len(os.listdir(scratch)) == 1, os.listdir(scratch)
        p.send_signal(sig)
        out, err = p.communicate(timeout=10)
        name = signal.Signals(sig).name
        assert time.monotonic() - started < 10, f"{name}: assay took too long"
        assert p.returncode == -sig, f"{name}: exit {p.returncode}, stdout {out!r}, stderr {err!r}"
        assert not running(grandchild), f"{name}: the verifier's sleep {grandchild} still runs"
        assert os.listdir(scratch) == [], f"{name}: scratch left behind: {os.listdir(scratch)}"


def main():
    assay, testdata = sys.argv[1], sys.argv[2]
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        check(assay, testdata, sig)
    print("ok: SIGINT, SIGTERM and SIGHUP end the verifier's group and assay")


if __name__ == "__main__":
    main()
