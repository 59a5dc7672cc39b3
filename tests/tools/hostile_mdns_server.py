#!/usr/bin/env python3
"""A UDP server that answers `airswd list --mdns-server` queries with hostile (or, for comparison, good) DNS messages.

Usage: hostile_mdns_server.py CASE
Prints "port N" once it listens on 127.0.0.1 (a port the system picks), then answers every query it gets with the
packets of CASE, carrying the query's ID, until it is killed. `hostile_mdns_server.py --list` prints the cases.
"""
import random
import socket
import struct
import sys

SERVICE = "_http._tcp.local"


def name(dotted):
    labels = [label.encode("latin-1") for label in dotted.split(".") if label]
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def record(owner, rtype, data, ttl=10, rclass=1):
    owner = owner if isinstance(owner, bytes) else name(owner)
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(data)) + data


def header(qid, answers, additionals=0, flags=0x8400, questions=0):
    return struct.pack(">HHHHHH", qid, flags, questions, answers, 0, additionals)


def txt(*items):
    return b"".join(bytes([len(i)]) + i for i in (x.encode("latin-1") for x in items))


def srv(port, target):
    return struct.pack(">HHH", 0, 0, port) + name(target)


def device_records(label="good", version="0.4.0", port=8080, address=b"\x7f\0\0\1", ttl=10):
    instance = f"{label}.{SERVICE}"
    return [record(SERVICE, 12, name(instance), ttl), record(instance, 33, srv(port, f"{label}.local"), ttl),
            record(instance, 16, txt("path=/", "api=/api/v1", f"airswd={version}"), ttl),
            record(f"{label}.local", 1, address, ttl)]


def good(qid, **kw):
    records = device_records(**kw)
    return header(qid, 1, len(records) - 1) + b"".join(records)


def with_name_at_answer(qid, owner_bytes):
    """An answer whose first record's owner name is owner_bytes (raw), after a header announcing one record."""
    target = name("x." + SERVICE)
    return header(qid, 1) + owner_bytes + struct.pack(">HHIH", 12, 1, 10, len(target)) + target


def question_types(query):
    """The types of the query's questions (names without compression, as airswd writes them)."""
    count, at, types = struct.unpack(">H", query[4:6])[0], 12, []
    for _ in range(count):
        while at < len(query) and query[at] != 0:
            at += 1 + query[at]
        at += 1
        if at + 4 > len(query):
            break
        types.append(struct.unpack(">H", query[at:at + 2])[0])
        at += 4
    return types


def case_packets(case, qid, query):
    rng = random.Random(case)
    body = good(qid)
    long_chain = b"".join(bytes([63]) + b"a" * 63 for _ in range(3))  # 192 bytes of labels
    cases = {
        "garbage": lambda: [bytes(rng.randrange(256) for _ in range(300))],
        "short": lambda: [body[:5]],
        "truncated": lambda: [body[:len(body) // 2]],
        "truncated-in-a": lambda: [body[:-2]],
        "counts-lie": lambda: [header(qid, 65535) + device_records()[0]],
        "compression-loop": lambda: [header(qid, 1) + b"\xc0\x0c" + struct.pack(">HHIH", 12, 1, 10, 2) + b"\xc0\x0c"],
        "pointer-cycle": lambda: [header(qid, 2) + b"\x01a\xc0\x1e" + struct.pack(">HHIH", 1, 1, 10, 4) + b"\x7f\0\0\1"
                                  + b"\x01b\xc0\x0c" + struct.pack(">HHIH", 1, 1, 10, 4) + b"\x7f\0\0\1"],
        "pointer-forward": lambda: [with_name_at_answer(qid, b"\xc0\x20")],
        "pointer-outside": lambda: [with_name_at_answer(qid, b"\xc0\xff") + b"\0" * 8],
        "pointer-past-64k": lambda: [with_name_at_answer(qid, b"\xff\xff")],
        "name-over-255": lambda: [header(qid, 2) + long_chain + b"\0" + struct.pack(">HHIH", 1, 1, 10, 4) + b"\1\2\3\4"
                                  + long_chain + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 10, 4) + b"\1\2\3\4"],
        "label-past-end": lambda: [header(qid, 1) + b"\x3fabc"],
        "reserved-label-type": lambda: [with_name_at_answer(qid, b"\x45abcde\0")],
        "rdlength-past-end": lambda: [header(qid, 1) + name(SERVICE) + struct.pack(">HHIH", 12, 1, 10, 4000) + b"\0"],
        "ptr-name-past-rdata": lambda: [header(qid, 1) + name(SERVICE) + struct.pack(">HHIH", 12, 1, 10, 3)
                                        + name("good." + SERVICE)],
        "srv-too-short": lambda: [header(qid, 1) + record("good." + SERVICE, 33, b"\0\0\0\0")],
        "a-three-bytes": lambda: [header(qid, 4) + b"".join(device_records()[:3])
                                  + record("good.local", 1, b"\x7f\0\0")],
        "txt-item-overruns": lambda: [header(qid, 4) + b"".join(device_records()[:2])
                                      + record("good." + SERVICE, 16, b"\x40airswd=0.4.0") + device_records()[3]],
        "escape-in-name": lambda: [good(qid, label="evil\x1b[2J")],
        "nul-in-name": lambda: [good(qid, label="ev\0il")],
        "not-utf8-in-name": lambda: [good(qid, label="ev\xc0\xafil")],  # an overlong '/'
        "not-utf8-in-host": lambda: [header(qid, 4) + b"".join(device_records()[:1]) + record("good." + SERVICE, 33,
                                     srv(8080, "\xff.local")) + device_records()[2] + record("\xff.local", 1, b"\1\2\3\4")],
        "dot-in-label": lambda: [header(qid, 1) + record(SERVICE, 12, b"\x07bad.one" + name(SERVICE))],
        "escape-in-version": lambda: [good(qid, version="0.4\x1b[2J")],
        "version-too-long": lambda: [good(qid, version="9" * 40)],
        "not-airswd": lambda: [header(qid, 4) + b"".join(device_records()[:2])
                               + record("good." + SERVICE, 16, txt("path=/")) + device_records()[3]],
        "port-zero": lambda: [good(qid, port=0)],
        "goodbye": lambda: [header(qid, 4) + b"".join(device_records(ttl=0))],
        "not-a-response": lambda: [bytes([qid >> 8, qid & 0xFF, 0x00, 0x00]) + body[4:]],
        "other-id": lambda: [good((qid + 1) & 0xFFFF)],
        "error-rcode": lambda: [bytes([qid >> 8, qid & 0xFF, 0x84, 0x03]) + body[4:]],
        # Good answers for comparison: the device must be listed.
        "good": lambda: [body],
        "good-after-bad": lambda: [bytes(100), body[:40], body],
        "good-then-bad-copy": lambda: [body, good(qid, version="6.6.6")[:-3]],
        # Only the PTR: the SRV and TXT, then the A, come when asked for (airswd's follow-up queries).
        "follow-up": lambda: follow_up(qid, query),
    }
    if case == "--list":
        return sorted(cases)
    return cases[case]()


def follow_up(qid, query):
    records, types = device_records(), question_types(query)
    if types == [12]:
        return [header(qid, 1) + records[0]]
    if types == [33, 16]:
        return [header(qid, 2) + records[1] + records[2]]
    if types == [1]:
        return [header(qid, 1) + records[3]]
    return []


def main():
    case = sys.argv[1]
    if case == "--list":
        print("\n".join(case_packets(case, 0, b"")))
        return
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print(f"port {sock.getsockname()[1]}", flush=True)
    while True:
        query, peer = sock.recvfrom(9000)
        if len(query) < 12:
            continue
        qid = struct.unpack(">H", query[:2])[0]
        for packet in case_packets(case, qid, query):
            sock.sendto(packet, peer)


main()
