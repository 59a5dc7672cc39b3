#!/usr/bin/env python3
"""The console through the API, without a browser (docs/console.md, "In the web page"): a signed event stream that
asks for the console, and signed POST /api/v1/console requests, each signed with auth_sign.py (independent of
airswd's code).

    console_api_client.py URL PASSPHRASE state open|closed   the stream's first console event says that state
    console_api_client.py URL PASSPHRASE history TEXT         the stream from position 0 holds TEXT (the history)
    console_api_client.py URL PASSPHRASE echo SIZE            SIZE random bytes sent come back byte for byte

URL is the daemon's (http://127.0.0.1:PORT). Exit 0 when the check holds.
"""
import http.client
import json
import os
import queue
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from auth_sign import authorization, key_of  # noqa: E402

REQUEST_MAX = 384  # POST /api/v1/console takes at most this many bytes


class Device:
    def __init__(self, url, passphrase):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.key = key_of(passphrase, self.get_json("/api/v1/device")["auth"]["salt"])

    def connection(self, timeout=10):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get_json(self, path):
        conn = self.connection()
        conn.request("GET", path)
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        return json.loads(body)

    def signed_headers(self, method, path, body):
        nonce = self.get_json("/api/v1/auth/nonce")["nonce"]
        line = authorization(self.key, method, path, nonce, body)
        return {"Authorization": line.split(": ", 1)[1]}

    def post_console(self, conn, body):
        """Sends body (at most REQUEST_MAX bytes); returns (status, answer)."""
        headers = self.signed_headers("POST", "/api/v1/console", body)
        headers["Content-Type"] = "application/octet-stream"
        conn.request("POST", "/api/v1/console", body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")


class Stream(threading.Thread):
    """GET /api/v1/events?console=FROM, signed; its console events into a queue."""

    def __init__(self, device, start=0):
        super().__init__(daemon=True)
        self.events = queue.Queue()
        path = f"/api/v1/events?console={start}"
        self.conn = device.connection(timeout=60)
        self.conn.request("GET", path, headers=device.signed_headers("GET", path, b""))
        self.answer = self.conn.getresponse()
        if self.answer.status != 200:
            raise SystemExit(f"the stream answered {self.answer.status}: {self.answer.read()!r}")

    def run(self):
        name, data = None, []
        try:
            for raw in self.answer:
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if name == "console" and data:
                        self.events.put(json.loads("\n".join(data)))
                    name, data = None, []
                elif line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
        except Exception:  # the connection closed: the reader below times out
            pass


def first_state(device):
    stream = Stream(device)
    stream.start()
    event = stream.events.get(timeout=10)
    return ("open" if event.get("open") else "closed"), event


def output_from(stream, seconds, until=None):
    """The console bytes the stream carries for seconds (or until until(bytes) holds); (bytes, gaps)."""
    out, end, gaps = bytearray(), None, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (until and until(out)):
        try:
            event = stream.events.get(timeout=0.2)
        except queue.Empty:
            continue
        if "hex" not in event:
            continue
        if end is not None and event["at"] != end:
            gaps += 1
        chunk = bytes.fromhex(event["hex"])
        end = event["at"] + len(chunk)
        out += chunk
    return bytes(out), gaps


def history(device, text):
    stream = Stream(device)
    stream.start()
    out, _ = output_from(stream, 10, lambda got: text.encode() in got)
    print(f"the stream from position 0 holds {len(out)} bytes")
    return text.encode() in out


def echo(device, size):
    stream = Stream(device)
    stream.start()
    time.sleep(0.5)  # what the history holds arrives first
    while not stream.events.empty():
        stream.events.get()
    payload = os.urandom(size)
    conn = device.connection()
    started = time.monotonic()
    sent, requests, full = 0, 0, 0

    def sender():
        nonlocal sent, requests, full
        while sent < size:
            status, answer = device.post_console(conn, payload[sent:sent + REQUEST_MAX])
            requests += 1
            if status != 200:
                raise SystemExit(f"POST /api/v1/console answered {status}: {answer}")
            if answer["taken"] < min(REQUEST_MAX, size - sent):
                full += 1
                time.sleep(0.03)
            sent += answer["taken"]

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    out, gaps = output_from(stream, 30 + size / 5000, lambda got: len(got) >= size)
    thread.join(5)
    seconds = time.monotonic() - started
    print(f"sent {sent} bytes in {requests} requests ({full} found the line full); {len(out)} came back in "
          f"{seconds:.1f} s; {gaps} gaps in the stream")
    if out[:size] != payload:
        first = next((i for i in range(min(len(out), size)) if out[i] != payload[i]), min(len(out), size))
        print(f"the echo differs from byte {first} on")
        return False
    return gaps == 0


def main():
    url, passphrase, command = sys.argv[1:4]
    device = Device(url, passphrase)
    if command == "state":
        got, event = first_state(device)
        print(f"the stream says the console is {got}: {json.dumps(event)}")
        ok = got == sys.argv[4]
    elif command == "history":
        ok = history(device, sys.argv[4])
    elif command == "echo":
        ok = echo(device, int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {command}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
