#!/usr/bin/env python3
"""A minimal GDB remote-protocol client for what gdb-multiarch cannot do from a script: hold a session open, send
the interrupt byte at a chosen moment, and read what a refused connection is told.

  rsp_client.py interrupt PORT   attach, continue, wait, send 0x03; prints the stop reply, then detaches
  rsp_client.py hold PORT FILE   takes the session and keeps it until FILE exists; prints 'held' once it holds it
  rsp_client.py refused PORT     connects and prints the console text it gets before the server closes
  rsp_client.py ram_break PORT   a software breakpoint in code placed in RAM: BKPT written, hit, instruction back
  rsp_client.py dropped PORT     a client with comparators set and the core halted drops its connection (a reset,
                                 no detach); the next client finds every comparator cleared and the core has run
"""
import os
import socket
import struct
import sys
import time


def checksum(body):
    return sum(body) & 0xFF


def frame(body):
    return b"$" + body + b"#%02x" % checksum(body)


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.buffer = b""

    def send(self, body):
        self.sock.sendall(frame(body))

    def packet(self, timeout=10.0):
        """The next packet's body (acks skipped, console packets kept), or None at the end of the connection."""
        deadline = time.time() + timeout
        while True:
            start = self.buffer.find(b"$")
            end = self.buffer.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buffer) >= end + 3:
                body = self.buffer[start + 1:end]
                if int(self.buffer[end + 1:end + 3], 16) != checksum(body):
                    raise RuntimeError("bad checksum from the server")
                self.buffer = self.buffer[end + 3:]
                self.sock.sendall(b"+")
                return body
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no packet from the server")
            self.sock.settimeout(left)
            data = self.sock.recv(4096)
            if not data:
                return None
            self.buffer += data

    def reply(self, body, timeout=10.0):
        """Sends body; returns the reply, with the console text that came before it."""
        self.send(body)
        console = ""
        while True:
            answer = self.packet(timeout)
            if answer is not None and answer.startswith(b"O") and answer != b"OK":
                console += bytes.fromhex(answer[1:].decode()).decode()
                continue
            return answer, console


def interrupt(port):
    client = Client(port)
    print("scan:", client.reply(b"qRcmd," + b"swdp_scan".hex().encode())[0].decode())
    print("attach:", client.reply(b"vAttach;1")[0].decode())
    client.send(b"vCont;c")
    try:
        early = client.packet(1.0)
        print("stopped before the interrupt:", early)
        return 1
    except TimeoutError:
        pass
    client.sock.sendall(b"\x03")
    stop = client.packet(5.0)
    print("after the interrupt:", stop.decode())
    pc = client.reply(b"pf")[0].decode()
    print("pc:", pc)
    print("detach:", client.reply(b"D")[0].decode())
    return 0 if stop.startswith(b"T02") else 1


RAM_CODE = 0x20001000
# movs r0, #1; movs r0, #2; b . (Thumb)
RAM_PROGRAM = bytes([0x01, 0x20, 0x02, 0x20, 0xFE, 0xE7, 0x00, 0xBF])


def le32(value):
    return value.to_bytes(4, "little").hex().encode()


def ram_break(port):
    client = Client(port)
    client.reply(b"qSupported:swbreak+;hwbreak+")
    client.reply(b"qRcmd," + b"swdp_scan".hex().encode())
    checks = []
    checks.append(("attach", client.reply(b"vAttach;1")[0].startswith(b"T")))
    write = b"M%x,%x:" % (RAM_CODE, len(RAM_PROGRAM)) + RAM_PROGRAM.hex().encode()
    checks.append(("code written", client.reply(write)[0] == b"OK"))
    checks.append(("pc set", client.reply(b"Pf=" + le32(RAM_CODE))[0] == b"OK"))
    checks.append(("xpsr thumb", client.reply(b"P10=" + le32(0x01000000))[0] == b"OK"))
    checks.append(("monitor halt on a halted core", client.reply(b"qRcmd," + b"halt".hex().encode())[0] == b"OK"))
    checks.append(("breakpoint inserted", client.reply(b"Z0,%x,2" % (RAM_CODE + 2))[0] == b"OK"))
    checks.append(("BKPT in memory", client.reply(b"m%x,2" % (RAM_CODE + 2))[0] == b"00be"))
    stop, _ = client.reply(b"vCont;c")
    checks.append(("stop reports swbreak", stop.startswith(b"T05swbreak:")))
    checks.append(("pc at the breakpoint", client.reply(b"pf")[0] == le32(RAM_CODE + 2)))
    checks.append(("first instruction ran", client.reply(b"p0")[0] == le32(1)))
    checks.append(("breakpoint removed", client.reply(b"z0,%x,2" % (RAM_CODE + 2))[0] == b"OK"))
    checks.append(("instruction back", client.reply(b"m%x,2" % (RAM_CODE + 2))[0] == b"0220"))
    client.send(b"s")
    client.packet()
    checks.append(("it runs after", client.reply(b"p0")[0] == le32(2)))
    client.reply(b"D")
    for name, passed in checks:
        print(("ok  " if passed else "FAIL") + " " + name)
    return 0 if all(passed for _, passed in checks) else 1


COUNT_CODE = 0x20001000
COUNTER = 0x20001800
# ldr r1, [pc, #8]; loop: ldr r0, [r1]; adds r0, #1; str r0, [r1]; b loop; nop; .word COUNTER (Thumb)
COUNT_PROGRAM = bytes([0x02, 0x49, 0x08, 0x68, 0x01, 0x30, 0x08, 0x60, 0xFB, 0xE7, 0x00, 0xBF]) + \
    COUNTER.to_bytes(4, "little")
FP_COMP0 = 0xE0002008
DWT_FUNCTION0 = 0xE0001028
DWT_STRIDE = 16


def words(hex_text):
    data = bytes.fromhex(hex_text.decode())
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]


def attached_client(port):
    client = Client(port)
    client.reply(b"qSupported:swbreak+;hwbreak+")
    client.reply(b"qRcmd," + b"swdp_scan".hex().encode())
    return client, client.reply(b"vAttach;1")[0].startswith(b"T")


def dropped(port):
    checks = []
    first, attached = attached_client(port)
    checks.append(("first client attached", attached))
    write = b"M%x,%x:" % (COUNT_CODE, len(COUNT_PROGRAM)) + COUNT_PROGRAM.hex().encode()
    checks.append(("counting loop written to RAM", first.reply(write)[0] == b"OK"))
    checks.append(("counter zeroed", first.reply(b"M%x,4:00000000" % COUNTER)[0] == b"OK"))
    checks.append(("pc set", first.reply(b"Pf=" + le32(COUNT_CODE))[0] == b"OK"))
    checks.append(("xpsr thumb", first.reply(b"P10=" + le32(0x01000000))[0] == b"OK"))
    checks.append(("hardware breakpoint in flash", first.reply(b"Z1,8000200,2")[0] == b"OK"))
    checks.append(("write watchpoint", first.reply(b"Z2,20001900,4")[0] == b"OK"))
    checks.append(("an FPB comparator is on", words(first.reply(b"m%x,4" % FP_COMP0)[0])[0] & 1 == 1))
    checks.append(("a DWT comparator is on", words(first.reply(b"m%x,4" % DWT_FUNCTION0)[0])[0] & 0xF != 0))
    # Halted, comparators set: the connection is reset, with no detach.
    first.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    first.sock.close()
    time.sleep(0.5)
    second = None
    for _ in range(50):  # until the server has seen the first client go
        try:
            second, attached = attached_client(port)
            if attached:
                break
        except (ConnectionError, TimeoutError, socket.timeout):
            pass
        second = None
        time.sleep(0.1)
    checks.append(("a second client attaches after the drop", second is not None))
    if second is not None:
        counter = words(second.reply(b"m%x,4" % COUNTER)[0])[0]
        print("counter after the drop: %d" % counter)
        checks.append(("the core ran after the drop (the counting loop counted)", counter > 0))
        fpb = words(second.reply(b"m%x,18" % FP_COMP0)[0])
        checks.append(("every FPB comparator is off", all(value & 1 == 0 for value in fpb)))
        dwt = [words(second.reply(b"m%x,4" % (DWT_FUNCTION0 + i * DWT_STRIDE))[0])[0] for i in range(4)]
        checks.append(("every DWT comparator is off", all(value & 0xF == 0 for value in dwt)))
        second.reply(b"D")
    for name, passed in checks:
        print(("ok  " if passed else "FAIL") + " " + name)
    return 0 if all(passed for _, passed in checks) else 1


def hold(port, release_file):
    client = Client(port)
    answer, _ = client.reply(b"qSupported:swbreak+;hwbreak+")
    if b"PacketSize" not in answer:
        return 1
    print("held", flush=True)
    while not os.path.exists(release_file):
        time.sleep(0.05)
        client.sock.settimeout(0.01)
        try:
            if client.sock.recv(1) == b"":
                print("the server closed the session", flush=True)
                return 0
        except socket.timeout:
            pass
    return 0


def refused(port):
    client = Client(port)
    text = ""
    while True:
        try:
            answer = client.packet(3.0)
        except (TimeoutError, ConnectionResetError):
            break
        if answer is None:
            break
        if answer.startswith(b"O"):
            text += bytes.fromhex(answer[1:].decode()).decode()
    print(text.strip())
    return 0


if __name__ == "__main__":
    action, port = sys.argv[1], int(sys.argv[2])
    if action == "interrupt":
        sys.exit(interrupt(port))
    if action == "ram_break":
        sys.exit(ram_break(port))
    if action == "dropped":
        sys.exit(dropped(port))
    if action == "hold":
        sys.exit(hold(port, sys.argv[3]))
    sys.exit(refused(port))
