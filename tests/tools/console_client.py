#!/usr/bin/env python3
"""Drives airswdd's console ports for tests/tools/test_airswdd_console.sh; prints what it saw, exit status 0 when
the check held.

  console_client.py state PORT open|closed     waits up to 5 s until PORT accepts (or refuses) connections
  console_client.py history PORT TEXT          a new client's first bytes (the history) hold TEXT
  console_client.py echo PORT SIZE             SIZE random bytes sent on the raw port come back as sent
  console_client.py hold PORT TEXT FILE        stays connected until the stream holds TEXT; writes FILE when it is
                                               connected, and prints what it received
  console_client.py busy PORT COUNT            COUNT clients connect; the next one is told the console is full
  console_client.py rfc2217 PORT               pyserial's rfc2217:// client: echo, IAC bytes, a baud rate the
                                               firmware does not use (garbled, paced at that rate), parity;
                                               prints the timings
"""
import os
import random
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def connect(port):
    return socket.create_connection((HOST, port), timeout=5)


def read_for(sock, seconds, until=None, size=None):
    """What arrives within seconds (stops early once until appears, or size bytes came)."""
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (size is None or len(data) < size):
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        if until is not None and until in data:
            break
    return data


def state(port, wanted):
    for _ in range(50):
        try:
            connect(port).close()
            if wanted == "open":
                return True
        except OSError:
            if wanted == "closed":
                return True
        time.sleep(0.1)
    return False


def history(port, text):
    with connect(port) as sock:
        data = read_for(sock, 5, text.encode())
    print("history: %r" % data[-200:])
    return text.encode() in data


def echo(port, size):
    payload = random.Random(2217).randbytes(size)
    with connect(port) as sock:
        read_for(sock, 0.5)  # the history, and whatever the firmware was still sending
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        started = time.monotonic()
        sender.start()
        received = read_for(sock, 10 + size * 10 / 115200, size=size)  # the line's time, and room
        seconds = time.monotonic() - started
        sender.join()
        extra = read_for(sock, 0.3)
    print("echo: sent %d bytes, received %d (+%d after), %.2f s, %.0f bytes/s"
          % (size, len(received), len(extra), seconds, len(received) / seconds))
    if received != payload:
        first = next((i for i, (a, b) in enumerate(zip(received, payload)) if a != b), min(len(received), size))
        print("echo: first difference at byte %d" % first)
        return False
    return not extra


def hold(port, text, ready_file):
    with connect(port) as sock:
        read_for(sock, 0.5)
        open(ready_file, "w").close()
        data = read_for(sock, 60, text.encode())
    print("held: %r" % data[-200:])
    return text.encode() in data


def busy(port, count):
    held = [connect(port) for _ in range(count)]
    time.sleep(0.3)
    with connect(port) as extra:
        answer = read_for(extra, 3, b"\n")
    for sock in held:
        sock.close()
    print("busy: %r" % answer)
    return b"clients at a time" in answer


def rfc2217(port):
    import serial  # python3-serial

    link = serial.serial_for_url("rfc2217://%s:%d" % (HOST, port), baudrate=115200, timeout=3)
    time.sleep(0.5)
    link.reset_input_buffer()
    ok = True

    def roundtrip(label, payload):
        started = time.monotonic()
        link.write(payload)
        back = link.read(len(payload))
        seconds = time.monotonic() - started
        good = back == payload
        print("%s: %d bytes at %s %d%s%s back in %.3f s: %s"
              % (label, len(payload), link.baudrate, link.bytesize, link.parity, link.stopbits, seconds,
                 "as sent" if good else "%r" % back[:40]))
        return good, seconds

    good, _ = roundtrip("echo", b"hello through RFC 2217\r\n")
    ok &= good
    good, _ = roundtrip("IAC bytes", bytes([0xFF, 0x00, 0xFF, 0xFF, 0x0D, 0x0A, 0xFA, 0xF0]))
    ok &= good
    burst = bytes(random.Random(44).randbytes(480))
    good, fast = roundtrip("burst", burst)
    ok &= good
    # The firmware's USART stays at 115200: at 9600 the line paces its 480 frames over 0.5 s, and each end reads
    # the other's frames at the wrong rate, so the echo comes back as many bytes, garbled.
    link.baudrate = 9600
    good, slow = roundtrip("burst", burst)
    ok &= not good
    print("baud change: %.3f s at 9600 against %.3f s at 115200" % (slow, fast))
    ok &= slow >= 0.45 and fast < 0.3
    link.baudrate = 115200
    time.sleep(0.2)
    link.reset_input_buffer()
    good, _ = roundtrip("burst", burst)
    ok &= good
    link.parity = serial.PARITY_EVEN
    good, _ = roundtrip("echo", b"even parity\r\n")  # parity is not modelled: the frame only grows by a bit
    ok &= good
    link.parity = serial.PARITY_NONE
    link.close()
    return ok


def main():
    command, port = sys.argv[1], int(sys.argv[2])
    if command == "state":
        ok = state(port, sys.argv[3])
    elif command == "history":
        ok = history(port, sys.argv[3])
    elif command == "echo":
        ok = echo(port, int(sys.argv[3]))
    elif command == "hold":
        ok = hold(port, sys.argv[3], sys.argv[4])
    elif command == "busy":
        ok = busy(port, int(sys.argv[3]))
    elif command == "rfc2217":
        ok = rfc2217(port)
    else:
        print(__doc__)
        ok = False
    sys.stdout.flush()
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    main()
