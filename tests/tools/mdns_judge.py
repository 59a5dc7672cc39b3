#!/usr/bin/env python3
"""airswdd's mDNS responder judged by dnspython (Debian's python3-dnspython), which parses its answers with its own
code: one-shot queries as a legacy resolver sends them (RFC 6762 §6.7), to the responder's unicast port.

Usage: mdns_judge.py MDNS_PORT INSTANCE HTTP_PORT VERSION
Prints ok/FAIL lines; exit status 1 when anything failed.
"""
import socket
import sys

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rdatatype

port, instance, http_port, version = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
service = "_http._tcp.local."
instance_name = f"{instance}.{service}"
host = f"{instance}.local."
failures = 0


def check(what, ok):
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


def ask(name, rdtype):
    # dns.query.udp refuses an answer whose ID or question differ from the query's (Message.is_response).
    return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=port, timeout=2)


def records(section, rdtype, name=None):
    return [rd for rrset in section if rrset.rdtype == rdtype and (name is None or rrset.name.to_text() == name)
            for rd in rrset]


def txt_items(rdatas):
    return {item.decode() for rd in rdatas for item in rd.strings}


def judge_ptr_answer(answer):
    check("PTR: the answer is authoritative (AA)", bool(answer.flags & dns.flags.AA))
    ptrs = records(answer.answer, dns.rdatatype.PTR, service)
    check(f"PTR: {service} -> {instance_name} (got {[p.target.to_text() for p in ptrs]})",
          [p.target.to_text() for p in ptrs] == [instance_name])
    srvs = records(answer.additional, dns.rdatatype.SRV, instance_name)
    check(f"PTR: the additional SRV gives port {http_port} and host {host} "
          f"(got {[(s.port, s.target.to_text()) for s in srvs]})",
          [(s.port, s.target.to_text()) for s in srvs] == [(http_port, host)])
    items = txt_items(records(answer.additional, dns.rdatatype.TXT, instance_name))
    check(f"PTR: the additional TXT holds path=/, api=/api/v1, airswd={version} (got {sorted(items)})",
          items == {"path=/", "api=/api/v1", f"airswd={version}"})
    addresses = [a.address for a in records(answer.additional, dns.rdatatype.A, host)]
    check(f"PTR: the additional A of {host} is 127.0.0.1 (got {addresses})", addresses == ["127.0.0.1"])
    ttls = [rrset.ttl for rrset in answer.answer + answer.additional]
    check(f"PTR: TTLs of a legacy answer are at most 10 s (got {ttls})", all(ttl <= 10 for ttl in ttls))


def hostile_queries():
    """Queries no responder should take: each is sent, none may stop the responder from answering next."""
    header = lambda qd, flags=0: bytes([0x12, 0x34, flags >> 8, flags & 0xFF, 0, qd, 0, 0, 0, 0, 0, 0])
    return [
        b"",
        b"\x00",
        header(1)[:11],
        header(1),                                         # a question announced, none there
        header(1) + b"\xc0\x0c\x00\x0c\x00\x01",           # a name that points to itself
        header(1) + b"\xc0\x0e\x00\x0c\x00\x01",           # a pointer forward
        header(1) + b"\xc0\xff\x00\x0c\x00\x01",           # a pointer out of the packet
        header(1) + b"\x3f" + b"a" * 10,                   # a label longer than what is left
        header(1) + (b"\x3f" + b"a" * 63) * 5 + b"\x00\x00\x0c\x00\x01",  # a name over 255 bytes
        header(1) + b"\x05\x1b[31m\x00\x00\x0c\x00\x01",   # an escape sequence in a label
        header(255) + b"\x05_http\x04_tcp\x05local\x00\x00\x0c\x00\x01" * 3,  # fewer questions than announced
        header(1, 0x8000) + b"\x05_http\x04_tcp\x05local\x00\x00\x0c\x00\x01",  # a response, not a query
        bytes(range(256)) * 4,
    ]


def main():
    judge_ptr_answer(ask(service, "PTR"))
    srvs = records(ask(instance_name, "SRV").answer, dns.rdatatype.SRV, instance_name)
    check(f"SRV of {instance_name}: port {http_port} (got {[s.port for s in srvs]})",
          [s.port for s in srvs] == [http_port])
    items = txt_items(records(ask(instance_name, "TXT").answer, dns.rdatatype.TXT, instance_name))
    check(f"TXT of {instance_name}: airswd={version} among its items (got {sorted(items)})",
          f"airswd={version}" in items)
    addresses = [a.address for a in records(ask(host, "A").answer, dns.rdatatype.A, host)]
    check(f"A of {host}: 127.0.0.1 (got {addresses})", addresses == ["127.0.0.1"])
    types = [p.target.to_text() for p in records(ask("_services._dns-sd._udp.local.", "PTR").answer,
                                                 dns.rdatatype.PTR)]
    check(f"the service types list {service} (got {types})", types == [service])
    try:
        other = ask("someone-else._http._tcp.local.", "SRV")
        check(f"another instance's SRV: no answer (got {other})", False)
    except dns.exception.Timeout:
        check("another instance's SRV: no answer", True)

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for query in hostile_queries():
            sock.sendto(query, ("127.0.0.1", port))
        sock.settimeout(0.5)
        answered = 0
        try:
            while True:
                answered += len(sock.recv(9000)) > 0
        except socket.timeout:
            pass
    check(f"hostile queries: none answered (got {answered})", answered == 0)
    judge_ptr_answer(ask(service, "PTR"))
    print(f"{failures} failure(s)")
    return 1 if failures else 0


sys.exit(main())
