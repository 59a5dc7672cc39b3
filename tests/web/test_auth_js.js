// web/auth.js against node:crypto on random inputs, and against the worked example of docs/auth.md.
"use strict";
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const path = require("node:path");
const auth = require(path.resolve(process.argv[2]));

const nodeSha = (data) => crypto.createHash("sha256").update(data).digest("hex");
const nodeHmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest("hex");
let checks = 0;

// Every length 0..200 (all the padding cases), random bytes and random keys of 0..100 bytes (some over one block).
for (let len = 0; len <= 200; len++) {
  const data = crypto.randomBytes(len), key = crypto.randomBytes(len % 101);
  assert.equal(auth.airswdHex(auth.airswdSha256(data)), nodeSha(data), "sha256 of " + len + " bytes");
  assert.equal(auth.airswdHex(auth.airswdHmacSha256(key, data)), nodeHmac(key, data), "hmac of " + len + " bytes");
  checks += 2;
}

// 1 MB fed in odd-sized chunks, crossing block boundaries everywhere.
const big = crypto.randomBytes(1 << 20);
const hash = new auth.AirswdSha256();
for (let offset = 0, step = 1; offset < big.length; offset += step, step = (step * 7 + 3) % 4099)
  hash.update(big.subarray(offset, Math.min(big.length, offset + step)));
assert.equal(auth.airswdHex(hash.digest()), nodeSha(big));
checks++;

// Strings are UTF-8, including characters outside the BMP.
for (const text of ["", "correct horse battery staple", "pässwörd", "密码", "emoji \u{1F512} key", "a\u0000b"]) {
  assert.equal(auth.airswdHex(auth.airswdKeyFromPassphrase(text)),
               nodeSha(Buffer.concat([Buffer.from("airswd-admin-v1:"), Buffer.from(text, "utf8")])), text);
  checks++;
}

(async () => {
  // Bodies: nothing, a string, an ArrayBuffer, a typed array view, and a Blob larger than one slice.
  assert.equal(await auth.airswdBodySha256Hex(), nodeSha(""));
  assert.equal(await auth.airswdBodySha256Hex('{"a":1}'), nodeSha('{"a":1}'));
  assert.equal(await auth.airswdBodySha256Hex(big.buffer.slice(big.byteOffset, big.byteOffset + 1000)),
               nodeSha(big.subarray(0, 1000)));
  assert.equal(await auth.airswdBodySha256Hex(new Uint16Array(big.buffer, big.byteOffset + 2, 10)),
               nodeSha(big.subarray(2, 22)));
  const blobBytes = Buffer.concat([big, big.subarray(0, 12345)]);
  assert.equal(await auth.airswdBodySha256Hex(new Blob([blobBytes])), nodeSha(blobBytes));
  checks += 5;

  // docs/auth.md, "Worked example".
  const key = auth.airswdKeyFromPassphrase("correct horse battery staple");
  assert.equal(auth.airswdHex(key), "ab0b3e17b109b3dbada8d2c0019c65a0cddd2c2b883f92242d665236b3b1cf2d");
  const body = await auth.airswdBodySha256Hex('{"image":"staged","verify":true}');
  assert.equal(body, "a0a894d750e667e4184c059c0d8ffe9216c6b7c2ff0f46b0cd75650214aa055f");
  const expected = "AIRSWD-HMAC-SHA256 nonce=000102030405060708090a0b0c0d0e0f, " +
                   "body=a0a894d750e667e4184c059c0d8ffe9216c6b7c2ff0f46b0cd75650214aa055f, " +
                   "mac=0bd49d97589ddc60d81a10e631b853d40aeeb19294b339acfb3c705b4cd72a07";
  assert.equal(auth.airswdAuthHeader(key, "POST", "/api/v1/jobs?dry_run=1", "000102030405060708090a0b0c0d0e0f", body),
               expected);
  // Upper-case hex from a caller is signed in lower case, as the server computes it.
  assert.equal(auth.airswdAuthHeader(key, "POST", "/api/v1/jobs?dry_run=1", "000102030405060708090A0B0C0D0E0F",
                                     body.toUpperCase()), expected);
  // Random requests against node:crypto's HMAC of the documented input.
  for (let i = 0; i < 200; i++) {
    const k = crypto.randomBytes(32), nonce = crypto.randomBytes(16).toString("hex");
    const bodyHash = nodeSha(crypto.randomBytes(i)), p = "/api/v1/x?" + crypto.randomBytes(i % 20).toString("hex");
    const mac = nodeHmac(k, "PUT\n" + p + "\n" + nonce + "\n" + bodyHash);
    assert.equal(auth.airswdAuthHeader(k, "PUT", p, nonce, bodyHash),
                 "AIRSWD-HMAC-SHA256 nonce=" + nonce + ", body=" + bodyHash + ", mac=" + mac);
  }
  assert.throws(() => auth.airswdAuthHeader(key, "GET", "/", "0001", body));
  assert.throws(() => auth.airswdAuthHeader(key, "GET", "/", "zz0102030405060708090a0b0c0d0e0f", body));
  checks += 205;
  console.log("web/auth.js: " + checks + " checks against node:crypto and docs/auth.md passed");
})().catch((error) => {
  console.error("FAIL: " + error.stack);
  process.exit(1);
});
