// web/auth.js against node:crypto on random inputs (SHA-256, HMAC, PBKDF2), and against the worked example of
// docs/auth.md.
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

// PBKDF2 against node:crypto: strings as UTF-8 (characters outside the BMP too), passwords longer than a block,
// iteration counts around the first (which takes the salt) and a few more.
for (const [text, iterations] of [["", 1], ["correct horse battery staple", 2], ["pässwörd", 3], ["密码", 17],
                                   ["emoji \u{1F512} key", 5], ["a\u0000b", 1], ["x".repeat(100), 4]]) {
  const salt = crypto.randomBytes(16);
  assert.equal(auth.airswdHex(auth.airswdPbkdf2Sha256(text, salt, iterations)),
               crypto.pbkdf2Sync(Buffer.from(text, "utf8"), salt, iterations, 32, "sha256").toString("hex"), text);
  checks++;
}
// The admin key: 100,000 iterations with the device's salt given in hex.
{
  const salt = crypto.randomBytes(16);
  assert.equal(auth.airswdHex(auth.airswdKeyFromPassphrase("pässwörd \u{1F512}", salt.toString("hex"))),
               crypto.pbkdf2Sync(Buffer.from("pässwörd \u{1F512}", "utf8"), salt, 100000, 32, "sha256").toString("hex"));
  assert.throws(() => auth.airswdKeyFromPassphrase("x", "0102"));
  checks += 2;
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
  const key = auth.airswdKeyFromPassphrase("correct horse battery staple", "000102030405060708090a0b0c0d0e0f");
  assert.equal(auth.airswdHex(key), "49d49c25f597846209f0d92e7770ab64e1c75e94b4ce6c509265ee67175d2a1e");
  const body = await auth.airswdBodySha256Hex('{"image":"staged","verify":true}');
  assert.equal(body, "a0a894d750e667e4184c059c0d8ffe9216c6b7c2ff0f46b0cd75650214aa055f");
  const expected = "AIRSWD-HMAC-SHA256 nonce=000102030405060708090a0b0c0d0e0f, " +
                   "body=a0a894d750e667e4184c059c0d8ffe9216c6b7c2ff0f46b0cd75650214aa055f, " +
                   "mac=9f915087a9677e674de4eacddb7aee51c04523711d299e14ab9296f014e09a11";
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
