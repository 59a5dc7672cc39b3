#!/usr/bin/env python3
"""The Authorization header of docs/auth.md, computed with Python's hashlib and hmac alone (not with airswd's code),
so that the daemon's tests check the C implementation against an independent one.

    auth_sign.py PASSPHRASE SALT METHOD PATH NONCE BODY_FILE     prints "Authorization: AIRSWD-HMAC-SHA256 ..."
    auth_sign.py --key PASSPHRASE SALT                             prints K in hex (what setup sends)

SALT is the device's, in hex (GET /api/v1/device: auth.salt). With $AUTH_SIGN_CACHE set to a folder, K is kept
there per passphrase and salt, so that a test signing many requests derives it once.
"""
import hashlib
import hmac
import os
import sys

ITERATIONS = 100000


def key_of(passphrase, salt_hex):
    cache = os.environ.get("AUTH_SIGN_CACHE")
    name = cache and os.path.join(cache, "key-" + hashlib.sha256(f"{passphrase}\n{salt_hex}".encode()).hexdigest())
    if name and os.path.exists(name):
        with open(name) as kept:
            return bytes.fromhex(kept.read())
    key = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), bytes.fromhex(salt_hex), ITERATIONS, 32)
    if name:
        with open(name, "w") as kept:
            kept.write(key.hex())
    return key


def authorization(key, method, path, nonce, body):
    """The Authorization header line for a request with these body bytes."""
    body_hash = hashlib.sha256(body).hexdigest()
    message = "\n".join([method, path, nonce.lower(), body_hash]).encode()
    mac = hmac.new(key, message, hashlib.sha256).hexdigest()
    return f"Authorization: AIRSWD-HMAC-SHA256 nonce={nonce}, body={body_hash}, mac={mac}"


if __name__ == "__main__":
    if sys.argv[1] == "--key":
        print(key_of(sys.argv[2], sys.argv[3]).hex())
        sys.exit(0)
    passphrase, salt, method, path, nonce, body_file = sys.argv[1:]
    with open(body_file, "rb") as body:
        print(authorization(key_of(passphrase, salt), method, path, nonce, body.read()))
