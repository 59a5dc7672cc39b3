/*
 * auth.js - the web page's side of docs/auth.md: SHA-256, HMAC-SHA256, PBKDF2, the admin key derived from the
 * passphrase and the device's salt, and the Authorization header of a request. Self-contained on purpose: the
 * browser's SubtleCrypto exists only in secure contexts (https or localhost), and the device is usually reached over
 * plain http as esp.local.
 *
 *   const key = airswdKeyFromPassphrase("correct horse battery staple", device.auth.salt);  // Uint8Array(32)
 *   const bodyHash = await airswdBodySha256Hex(fileOrArrayBufferOrString);   // hashes a Blob in 1 MB slices
 *   const header = airswdAuthHeader(key, "POST", "/api/v1/jobs", nonceHex, bodyHash);
 *
 * Loads as a plain <script> (globals airswd*) and as a Node module (tests/web/test_auth_js.sh).
 */
(function (root) {
  "use strict";

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ]);
  const BLOCK = 64;
  const BLOB_SLICE = 1 << 20;

  // Strings are hashed as UTF-8, like the C side hashes the passphrase's bytes.
  function utf8(text) {
    const out = [];
    for (let i = 0; i < text.length; i++) {
      let c = text.codePointAt(i);
      if (c > 0xffff) i++; // the second half of a surrogate pair
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate has no UTF-8 form
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }

  function bytesOf(data) {
    if (typeof data === "string") return utf8(data);
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError("airswd auth: expected a string, an ArrayBuffer or a typed array");
  }

  function hex(bytes) {
    let text = "";
    for (const b of bytes) text += (b < 16 ? "0" : "") + b.toString(16);
    return text;
  }

  function unhex(text, length) {
    if (typeof text !== "string" || text.length !== 2 * length || !/^[0-9a-fA-F]*$/.test(text))
      throw new Error("airswd auth: expected " + 2 * length + " hex digits");
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = parseInt(text.substr(2 * i, 2), 16);
    return bytes;
  }

  // SHA-256 (FIPS 180-4) with a streaming interface: update() as often as needed, then digest() once.
  function Sha256() {
    this.h = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    this.w = new Uint32Array(64);
    this.block = new Uint8Array(BLOCK);
    this.used = 0; // bytes waiting in block
    this.length = 0; // bytes hashed in all; exact up to 2^53
  }

  // The 64 rounds over the block in w[0..15] (w has room for 64 words), into the state h.
  function rounds(h, w) {
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15], b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  }

  Sha256.prototype.compress = function (bytes, offset) {
    const w = this.w;
    for (let i = 0; i < 16; i++, offset += 4)
      w[i] = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
    rounds(this.h, w);
  };

  Sha256.prototype.update = function (data) {
    const bytes = bytesOf(data);
    let i = 0;
    this.length += bytes.length;
    if (this.used > 0) {
      const take = Math.min(BLOCK - this.used, bytes.length);
      this.block.set(bytes.subarray(0, take), this.used);
      this.used += take;
      i = take;
      if (this.used < BLOCK) return this;
      this.compress(this.block, 0);
      this.used = 0;
    }
    for (; i + BLOCK <= bytes.length; i += BLOCK) this.compress(bytes, i);
    this.block.set(bytes.subarray(i), 0);
    this.used = bytes.length - i;
    return this;
  };

  Sha256.prototype.digest = function () {
    const bits = this.length * 8;
    const tail = new Uint8Array((this.used < 56 ? 64 : 128) - this.used);
    tail[0] = 0x80;
    for (let i = 0; i < 8; i++) tail[tail.length - 1 - i] = Math.floor(bits / 2 ** (8 * i)) & 0xff;
    this.update(tail);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      out[4 * i] = this.h[i] >>> 24;
      out[4 * i + 1] = this.h[i] >>> 16;
      out[4 * i + 2] = this.h[i] >>> 8;
      out[4 * i + 3] = this.h[i];
    }
    return out;
  };

  function sha256(data) {
    return new Sha256().update(data).digest();
  }

  // HMAC-SHA256 (RFC 2104).
  function hmacSha256(key, data) {
    let k = bytesOf(key);
    if (k.length > BLOCK) k = sha256(k);
    const inner = new Uint8Array(BLOCK), outer = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      inner[i] = (k[i] || 0) ^ 0x36;
      outer[i] = (k[i] || 0) ^ 0x5c;
    }
    return new Sha256().update(outer).update(new Sha256().update(inner).update(data).digest()).digest();
  }

  // PBKDF2-HMAC-SHA256 (RFC 8018), 32 bytes: one block. Each iteration is two compressions from the HMAC's inner
  // and outer states, kept as words, so that 100,000 iterations take a fraction of a second in a browser.
  function pbkdf2Sha256(password, salt, iterations) {
    let k = bytesOf(password);
    if (k.length > BLOCK) k = sha256(k);
    const pad = new Uint8Array(BLOCK);
    const state = (xor) => {
      for (let i = 0; i < BLOCK; i++) pad[i] = (k[i] || 0) ^ xor;
      const hash = new Sha256();
      hash.compress(pad, 0);
      return hash.h;
    };
    const inner = state(0x36), outer = state(0x5c);
    const first = hmacSha256(k, concat(bytesOf(salt), new Uint8Array([0, 0, 0, 1])));
    const u = new Uint32Array(8), t = new Uint32Array(8), h = new Uint32Array(8), w = new Uint32Array(64);
    for (let i = 0; i < 8; i++)
      u[i] = t[i] = (first[4 * i] << 24) | (first[4 * i + 1] << 16) | (first[4 * i + 2] << 8) | first[4 * i + 3];
    // A 32-byte message after a 64-byte key block: its padding and length (96 bytes = 768 bits) fill words 8 to 15
    // of every block, and rounds() never writes those.
    w[8] = 0x80000000;
    w[15] = 768;
    for (let n = 1; n < iterations; n++) {
      w.set(u, 0);
      h.set(inner);
      rounds(h, w);
      w.set(h, 0);
      u.set(outer);
      rounds(u, w);
      for (let i = 0; i < 8; i++) t[i] ^= u[i];
    }
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      out[4 * i] = t[i] >>> 24; out[4 * i + 1] = t[i] >>> 16; out[4 * i + 2] = t[i] >>> 8; out[4 * i + 3] = t[i];
    }
    return out;
  }

  function concat(a, b) {
    const out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  // K = PBKDF2-HMAC-SHA256(passphrase as UTF-8, the device's salt, 100,000 iterations, 32 bytes) (docs/auth.md);
  // saltHex is GET /api/v1/device's auth.salt.
  const KDF_ITERATIONS = 100000;
  function keyFromPassphrase(passphrase, saltHex) {
    return pbkdf2Sha256(passphrase, unhex(saltHex, 16), KDF_ITERATIONS);
  }

  // The SHA-256 of a request body, in hex: a string, an ArrayBuffer or typed array, a Blob or File (read in
  // slices so that an image of several megabytes is never held twice), or nothing (the empty body).
  async function bodySha256Hex(body) {
    const hash = new Sha256();
    if (body === undefined || body === null) return hex(hash.digest());
    if (typeof Blob !== "undefined" && body instanceof Blob) {
      for (let offset = 0; offset < body.size; offset += BLOB_SLICE)
        hash.update(await body.slice(offset, offset + BLOB_SLICE).arrayBuffer());
      return hex(hash.digest());
    }
    return hex(hash.update(body).digest());
  }

  // The Authorization value: mac = HMAC-SHA256(K, METHOD "\n" PATH "\n" nonce-hex "\n" body-hex), hex in lowercase.
  function authHeader(keyBytes, method, path, nonceHex, bodyHashHex) {
    const nonce = hex(unhex(nonceHex, 16)), body = hex(unhex(bodyHashHex, 32));
    const mac = hex(hmacSha256(keyBytes, method + "\n" + path + "\n" + nonce + "\n" + body));
    return "AIRSWD-HMAC-SHA256 nonce=" + nonce + ", body=" + body + ", mac=" + mac;
  }

  const api = {
    AirswdSha256: Sha256,
    airswdSha256: sha256,
    airswdHex: hex,
    airswdHmacSha256: hmacSha256,
    airswdPbkdf2Sha256: pbkdf2Sha256,
    airswdKeyFromPassphrase: keyFromPassphrase,
    airswdBodySha256Hex: bodySha256Hex,
    airswdAuthHeader: authHeader,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else Object.assign(root, api);
})(typeof globalThis !== "undefined" ? globalThis : this);
