"""Client of the hicom-sim lab control port (docs/control.md), standard library only.

    from hicom_control import LabProcess

    with LabProcess.start(virtual_time=True) as lab:        # or Control.connect("unix:/tmp/lab.sock")
        c = lab.control
        c.subscribe("signaling.*", "report.*")
        c.command("fault.set", line="0899000", spec="busy=1000")
        c.command("pbx.raise", pbx="HSIM-0001", **{"class": "B"}, text="fan failure")
        ev = c.run_until("signaling.failed", match={"attempt": 5}, timeout="2h")

Every message is one JSON object on one line. Replies are matched to requests
by id; events that arrive meanwhile are kept in order for next_event().
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Any, Deque, Dict, Iterable, Optional

__all__ = ["Control", "ControlError", "LabProcess", "PROTOCOL"]

PROTOCOL = "hicom-control"
SUPPORTED_MAJOR = 1
#: The line `hicom-sim lab` prints once every port listens.
READY_LINE = "Ctrl-C stops the lab."


class ControlError(Exception):
    """An error reply: `code` as in docs/control.md ("bad-args", "not-found", ...) and the lab's message."""

    def __init__(self, code: str, message: str, command: str = ""):
        super().__init__(f"{command + ': ' if command else ''}{code}: {message}")
        self.code = code
        self.message = message
        self.command = command


class Control:
    """One connection to a lab's control port."""

    def __init__(self, sock: socket.socket, timeout: float = 30.0):
        self._sock = sock
        self._sock.settimeout(timeout)
        self._timeout = timeout
        self._buffer = b""
        self._events: Deque[Dict[str, Any]] = collections.deque()
        self._next_id = 1
        first = self._read_message(timeout)
        if "greeting" not in first:
            error = first.get("error", {})
            raise ControlError(error.get("code", "bad-request"), error.get("message", f"no greeting: {first!r}"))
        self.greeting: Dict[str, Any] = first["greeting"]
        if self.greeting.get("protocol") != PROTOCOL or self.greeting.get("version", {}).get("major") != SUPPORTED_MAJOR:
            raise ControlError("bad-request", f"not a {PROTOCOL} {SUPPORTED_MAJOR}.x port: {self.greeting!r}")

    @classmethod
    def connect(cls, address: str, token: Optional[str] = None, timeout: float = 30.0) -> "Control":
        """`unix:PATH` or `tcp:HOST:PORT` (as the lab prints it); sends `auth` when a token is given."""
        if address.startswith("unix:"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address[len("unix:"):])
        else:
            m = re.fullmatch(r"tcp:\[?([^\]]+)\]?:(\d+)", address)
            if not m:
                raise ValueError(f"not a control address: {address!r} (unix:PATH or tcp:HOST:PORT)")
            sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout)
        control = cls(sock, timeout)
        if token is not None:
            control.command("auth", token=token)
        return control

    @property
    def virtual_time(self) -> bool:
        return self.greeting.get("clock") == "virtual"

    # -- requests -----------------------------------------------------------

    def command(self, cmd: str, **args: Any) -> Any:
        """Send one command and return its `ok` result; raises ControlError on an error reply."""
        return self.request(cmd, args)

    def request(self, cmd: str, args: Optional[Dict[str, Any]] = None, wait: Optional[float] = None) -> Any:
        """As command(), with the arguments as a dict and `wait` seconds for the reply (default: the connection's timeout)."""
        request_id = self._next_id
        self._next_id += 1
        request: Dict[str, Any] = {"id": request_id, "cmd": cmd}
        if args:
            request["args"] = args
        self.send_line(json.dumps(request))
        deadline = time.monotonic() + (self._timeout if wait is None else wait)
        while True:
            message = self._read_message(max(0.001, deadline - time.monotonic()))
            if "event" in message:
                self._events.append(message)
                continue
            if message.get("id") != request_id:
                raise ControlError("bad-request", f"reply for id {message.get('id')!r}, expected {request_id}", cmd)
            if "error" in message:
                raise ControlError(message["error"]["code"], message["error"]["message"], cmd)
            return message["ok"]

    def send_line(self, text: str) -> None:
        self._sock.sendall(text.encode("utf-8") + b"\n")

    def send_raw(self, text: str, wait: Optional[float] = None) -> Dict[str, Any]:
        """Send one line as it is (a rig testing bad input) and return the reply message, error or not."""
        self.send_line(text)
        deadline = time.monotonic() + (self._timeout if wait is None else wait)
        while True:
            message = self._read_message(max(0.001, deadline - time.monotonic()))
            if "event" not in message:
                return message
            self._events.append(message)

    def subscribe(self, *patterns: str) -> list:
        return self.command("events.subscribe", events=list(patterns))["subscribed"]

    def unsubscribe(self, *patterns: str) -> list:
        return self.command("events.unsubscribe", **({"events": list(patterns)} if patterns else {}))["subscribed"]

    def advance(self, by: Any) -> str:
        """Move virtual time forward: milliseconds or "90s", "15min", "2h", "7d"."""
        return self.command("clock.advance", by=by)["time"]

    def run_until(self, event: str, match: Optional[Dict[str, Any]] = None, timeout: Any = "1h", wait: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Run (virtual time) or wait (real time) until an event matches; the event, or None after the time-out.

        `timeout` is lab time; `wait` bounds the wall-clock wait for the reply in seconds
        (default: the connection's timeout).
        """
        args: Dict[str, Any] = {"event": event, "timeout": timeout}
        if match:
            args["match"] = match
        result = self.request("run-until", args, wait)
        return result["event"] if result["matched"] else None

    # -- events -------------------------------------------------------------

    def next_event(self, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """The next subscribed event, waiting up to `timeout` seconds; None when none came."""
        if self._events:
            return self._events.popleft()
        try:
            message = self._read_message(self._timeout if timeout is None else timeout)
        except socket.timeout:
            return None
        if "event" not in message:
            raise ControlError("bad-request", f"a reply without a request: {message!r}")
        return message

    def pending_events(self) -> Iterable[Dict[str, Any]]:
        """Events already received (in order), without waiting; they are consumed."""
        while self._events:
            yield self._events.popleft()

    # -- plumbing -----------------------------------------------------------

    def _read_message(self, timeout: float) -> Dict[str, Any]:
        self._sock.settimeout(timeout)
        while b"\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("the lab closed the control connection")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self) -> "Control":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class LabProcess:
    """A `hicom-sim lab` child with a control port on a unix socket in a temporary directory."""

    def __init__(self, proc: subprocess.Popen, directory: str, address: str, banner: str, token: Optional[str]):
        self.proc = proc
        self.directory = directory
        self.address = address
        self.banner = banner
        self.token = token
        self.control = Control.connect(address, token)

    @classmethod
    def start(
        cls,
        cli: Optional[Iterable[str]] = None,
        virtual_time: bool = True,
        config: Optional[str] = None,
        args: Iterable[str] = (),
        ready_timeout: float = 30.0,
    ) -> "LabProcess":
        """Start the lab. `cli` is the command that runs hicom-sim (default: $HICOM_SIM, else `hicom-sim`)."""
        command = list(cli) if cli is not None else os.environ.get("HICOM_SIM", "hicom-sim").split()
        directory = tempfile.mkdtemp(prefix="hicom-lab-")
        address = f"unix:{os.path.join(directory, 'control.sock')}"
        argv = command + ["lab", "--control", address, "-s", os.path.join(directory, "state"), "--log-level", "warn"]
        if config:
            argv += ["-c", config]
        if virtual_time:
            argv.append("--virtual-time")
        argv += list(args)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        banner = []
        deadline = time.monotonic() + ready_timeout
        assert proc.stdout is not None
        while True:
            line = proc.stdout.readline()
            if line == "" or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read() if proc.stderr else ""
                shutil.rmtree(directory, ignore_errors=True)
                raise RuntimeError(f"hicom-sim lab did not start: {''.join(banner)}{err}")
            banner.append(line)
            if line.rstrip("\n") == READY_LINE:
                break
        text = "".join(banner)
        m = re.search(r"^control: (\S+) ", text, re.M)
        if not m:
            proc.kill()
            raise RuntimeError(f"no control line in the lab's banner:\n{text}")
        token = re.search(r"^control token: (\S+)$", text, re.M)
        return cls(proc, directory, m.group(1), text, token.group(1) if token else None)

    def stop(self, timeout: float = 20.0) -> int:
        """Stop the lab (SIGTERM) and remove its directory; returns its exit status."""
        self.control.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        return code

    def __enter__(self) -> "LabProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
