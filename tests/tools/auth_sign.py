#!/usr/bin/env python3
"""The Authorization header of docs/auth.md, computed with Python's hashlib and hmac alone (not with airswd's code),
so that the daemon's tests check the C implementation against an independent one.

    auth_sign.py PASSPHRASE METHOD PATH NONCE BODY_FILE     prints "Authorization: AIRSWD-HMAC-SHA256 ..."
    auth_sign.py --key PASSPHRASE                             prints K in hex (what setup sends)
"""
import hashlib
import hmac
import sys


def key_of(passphrase):
    return hashlib.sha256(b"airswd-admin-v1:" + passphrase.encode()).digest()


if sys.argv[1] == "--key":
    print(key_of(sys.argv[2]).hex())
    sys.exit(0)
passphrase, method, path, nonce, body_file = sys.argv[1:]
with open(body_file, "rb") as body:
    body_hash = hashlib.sha256(body.read()).hexdigest()
message = "\n".join([method, path, nonce.lower(), body_hash]).encode()
mac = hmac.new(key_of(passphrase), message, hashlib.sha256).hexdigest()
print(f"Authorization: AIRSWD-HMAC-SHA256 nonce={nonce}, body={body_hash}, mac={mac}")
