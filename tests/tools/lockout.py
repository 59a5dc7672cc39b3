#!/usr/bin/env python3
"""Issue 14, item 4 against a set-up airswdd: an attacker at 127.0.0.2 spends wrong MACs and nonce requests as fast
as one connection goes, while the owner at 127.0.0.1 sends correctly signed requests; every one of the owner's must
be answered 200 within 1 s (its nonce fetched first and used only after the attacker has asked for hundreds more),
and the attacker's guesses must stay throttled.

    lockout.py HOST PORT PASSPHRASE SALT SECONDS      prints what each side got; exit 1 on a failure
"""
import http.client
import sys
import threading
import time

from auth_sign import authorization, key_of

host, port, passphrase, salt, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
owner_key = key_of(passphrase, salt)
wrong_key = key_of("not the passphrase at all", salt)
stop = threading.Event()
attacker = {"nonces": 0, "bad-credentials": 0, "throttled": 0, "other": 0}


def connect(source):
    return http.client.HTTPConnection(host, port, timeout=10, source_address=(source, 0))


def exchange(conn, method, path, headers=None, body=None):
    conn.request(method, path, body=body, headers=headers or {})
    answer = conn.getresponse()
    return answer.status, answer.read().decode()


def nonce_of(conn):
    status, text = exchange(conn, "GET", "/api/v1/auth/nonce")
    return text.split('"nonce":"')[1][:32]


def signed_headers(key, method, path, nonce, body=b""):
    name, value = authorization(key, method, path, nonce, body).split(": ", 1)
    headers = {name: value}
    if body:
        headers["Content-Type"] = "application/json"
    return headers


def attack():
    """Wrong MACs (each with a nonce of its own), and bursts of nonce requests in between."""
    conn = connect("127.0.0.2")
    while not stop.is_set():
        for _ in range(20):
            nonce_of(conn)
            attacker["nonces"] += 1
        body = b'{"action":"erase"}'
        status, text = exchange(conn, "POST", "/api/v1/jobs", signed_headers(wrong_key, "POST", "/api/v1/jobs",
                                                                             nonce_of(conn), body), body)
        attacker["nonces"] += 1
        kind = "bad-credentials" if '"bad-credentials"' in text else "throttled" if status == 429 else "other"
        attacker[kind] += 1


def main():
    thread = threading.Thread(target=attack, daemon=True)
    thread.start()
    time.sleep(0.5)  # the attacker is under way: its first guesses are spent, its penalty has begun
    owner = connect("127.0.0.1")
    failures, slowest, requests = 0, 0.0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        nonce = nonce_of(owner)
        asked_before = attacker["nonces"]
        while attacker["nonces"] < asked_before + 200 and time.monotonic() < started + 0.9:
            time.sleep(0.01)  # the attacker asks for nonces meanwhile: the owner's must stay good
        asked_between = attacker["nonces"] - asked_before
        sent = time.monotonic()
        status, text = exchange(owner, "GET", "/api/v1/auth/check",
                                signed_headers(owner_key, "GET", "/api/v1/auth/check", nonce))
        elapsed = time.monotonic() - sent
        slowest = max(slowest, elapsed)
        requests += 1
        if status != 200 or elapsed > 1.0:
            failures += 1
            print(f"FAIL  the owner's signed request got {status} in {elapsed:.3f} s "
                  f"(the attacker asked for {asked_between} nonces in between): {text[:120]}")
        # Now and then a request with a body, that changes something.
        body = b'{"swclk_hz":4000000}'
        started = time.monotonic()
        status, text = exchange(owner, "PUT", "/api/v1/settings",
                                signed_headers(owner_key, "PUT", "/api/v1/settings", nonce_of(owner), body), body)
        elapsed = time.monotonic() - started
        slowest = max(slowest, elapsed)
        requests += 1
        if status != 200 or elapsed > 1.0:
            failures += 1
            print(f"FAIL  the owner's signed PUT /api/v1/settings got {status} in {elapsed:.3f} s: {text[:120]}")
    stop.set()
    thread.join(timeout=15)
    print(f"owner (127.0.0.1): {requests} signed requests, {failures} refused or late, slowest {slowest * 1000:.0f} ms")
    print(f"attacker (127.0.0.2): {attacker['nonces']} nonces, {attacker['bad-credentials']} guesses tested, "
          f"{attacker['throttled']} refused by the throttle, {attacker['other']} other answers")
    # 3 free failures, then one per window waited out: 1, 2, 4, 8... s.
    allowed = 3 + max(1, int(seconds + 1).bit_length())
    if attacker["bad-credentials"] > allowed or attacker["throttled"] == 0:
        print(f"FAIL  the attacker's guesses were not throttled (at most {allowed} should have been tested)")
        failures += 1
    if attacker["other"]:
        print("FAIL  the attacker got answers other than bad-credentials and throttled")
        failures += 1
    return 1 if failures else 0


sys.exit(main())
