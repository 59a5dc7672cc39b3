#!/usr/bin/env node
// A stand-in for the device service: serves the files of web/ gzip-compressed (as the daemon serves the embedded
// page) and fakes the REST API of docs/api.md in memory, with a flash job that goes through its phases in about a
// second and reports them over Server-Sent Events (the end of its first verify job lost from the stream, as when the
// device's ring of events overtakes a slow reader). Like the daemon it starts unconfigured, wants first-boot setup,
// checks the signature of every [auth] request (docs/auth.md, computed here with node:crypto, independently of
// web/auth.js) with its nonces, refusals and penalty windows, answers reads of its work to signed requests only
// (GET /device a summary unsigned; its public_status setting opens the device, jobs, the log and the events), and
// takes signed containers only unless debug mode is on. It does not check the signature of an image for the STM32:
// only its magic and that its signer's key id is trusted. Its flash job writes an unencrypted container's segments
// into a modelled 64 KB flash, which verify, erase and read (debug mode) then see; keys and the image key change as
// the daemon's do (POST /keys, DELETE /keys/{id}, PUT /image-key).
//
// Setup needs the one-time setup code it prints at start ("setup code CODE", the third line), and the key derived
// with PBKDF2 from the salt it serves; it answers with the daemon's security headers.
//
// With --board it is a device with a board of its own, as the ESP8266 is: GET and PUT /api/v1/board (WiFi and pins,
// refused as the ESP8266 refuses them), first-boot setup only from its access point (the first port; the second,
// its station network, answers 403 setup-closed) within 10 minutes of its start, and POST /api/v1/firmware, which
// checks a programmer's container as the device does (trusted key, ECDSA signature, target, security version,
// payload hash) and then restarts: every connection dropped, none taken for RESTART_DOWN_MS, the uptime from 0 and
// the version of the new firmware.
//
// Usage: node mock_api.js WEB_DIR [PORT] [--board]   (PORT 0, the default, picks a free one; the first line
//        printed is "listening on http://127.0.0.1:PORT/", with --board the second "station network on URL", then
//        "setup code CODE")
'use strict';

const crypto = require('crypto');
const http = require('http');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const boardMode = process.argv.includes('--board');
const [webDir, portText] = process.argv.slice(2).filter((arg) => arg !== '--board');
const port = Number(portText || 0);
if (!webDir) {
  console.error('usage: node mock_api.js WEB_DIR [PORT] [--board]');
  process.exit(2);
}

const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8' };
// The daemon's default store: 2112 KB less its 8 KB journal. The mock counts bytes, not sectors, and its staged
// images give way to the next upload.
const STORE_CAPACITY = 2154496;
let started = Date.now();
let version = '0.4.0';

const SCHEME = 'AIRSWD-HMAC-SHA256';
const NONCE_LIFETIME_MS = 60000;
const NONCE_TABLE = 8;
const FREE_FAILURES = 3;        // consecutive bad MACs before the first penalty window
const PENALTY_CAP_S = 60;
const CONTAINER_MAGIC = Buffer.from('AIRSWDC1');
const CONTAINER_KEY_ID = 76;  // the header's offset of the signer's key id (docs/image-format.md)

const device = { images: [], nextImageId: 1, jobs: new Map(), nextJobId: 1, running: null, log: [], logSeq: 0,
  eventSeq: 0, lostVerifyEnd: false,
  settings: { swclk_hz: 4000000, connect_under_reset: false, verify: true, public_status: false, transport: 'swd' },
  debug: false };
// trustedKeys: id -> the public key (a node KeyObject), to check the programmer's firmware with.
const SALT = crypto.randomBytes(16).toString('hex');
const SETUP_CODE = crypto.randomBytes(8).toString('hex');
const security = { adminKey: null, trustedKeys: new Map(), imageKey: false, nonces: new Map(), failures: 0,
  penaltyUntil: 0, penaltyS: 0 };
const listeners = new Set();

function uptime() {
  return Math.floor((Date.now() - started) / 1000);
}

function send(response, status, body, headers) {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, Object.assign(text ? { 'Content-Type': 'application/json' } : {}, headers || {}));
  response.end(text);
}

function fail(response, status, error, detail, message, headers) {
  send(response, status, { error, detail, message }, headers);
}

// Events carry ids in one sequence, as the device's do. lost: the event takes its id but reaches no one, as when
// the device's ring of events overtakes a slow reader and moves it on (the page must notice the jump).
function broadcast(event, data, lost) {
  const frame = `id: ${++device.eventSeq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  if (lost) return;
  for (const listener of listeners) listener.write(frame);
}

function log(text) {
  const entry = { seq: ++device.logSeq, time_s: uptime(), text };
  device.log.push(entry);
  if (device.log.length > 64) device.log.shift();
  broadcast('log', entry);
}

function readBody(request, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let length = 0;
    request.on('data', (chunk) => {
      length += chunk.length;
      if (length > limit) {
        reject(new Error('too-large'));
        request.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function detectFormat(bytes) {
  if (bytes.length >= CONTAINER_MAGIC.length && bytes.subarray(0, CONTAINER_MAGIC.length).equals(CONTAINER_MAGIC)) {
    return 'container';
  }
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes.toString('latin1', 1, 4) === 'ELF') return 'elf';
  if (bytes.length && bytes[0] === 0x3a) return 'hex';
  return 'bin';
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// The store's figures as GET /device gives them: its size, the largest image it takes beside the current and
// previous images, and without them.
function storeJson() {
  const used = device.images.filter((image) => ['current', 'previous'].includes(image.state))
    .reduce((sum, image) => sum + image.size, 0);
  return { capacity: STORE_CAPACITY, room: STORE_CAPACITY - used, room_without_rollback: STORE_CAPACITY,
    max_images: 4 };
}

// Room for size bytes beside the current and previous images; with noRollback they give theirs up (the previous
// first), as the device does. False after answering 507.
function makeRoom(response, size, noRollback) {
  const grouped = (n) => n.toLocaleString('en-US');
  const kept = device.images.filter((image) => ['current', 'previous'].includes(image.state));
  if (size <= storeJson().room) return true;
  if (!noRollback) {
    const names = kept.map((image) => `the ${image.state === 'current' ? 'current' : 'rollback'} image ` +
      `(${image.name}, ${grouped(image.size)} B)`).join(' and ');
    fail(response, 507, 'no-room-for-rollback', `the image needs ${grouped(size)} B; ${grouped(storeJson().room)} B ` +
      `are free beside ${names}: upload with no_rollback to give up the rollback copy`,
      'the image does not fit in the staging store beside the images it keeps for rollback');
    return false;
  }
  for (const role of ['previous', 'current']) {
    const image = device.images.find((candidate) => candidate.state === role);
    if (size <= storeJson().room || !image) continue;
    device.images = device.images.filter((other) => other !== image);
    log(`image ${image.id} (${image.name}, ${role === 'current' ? 'current' : 'rollback image'}) dropped to make ` +
      'room: uploaded with no_rollback');
  }
  return true;
}

function publicImage(image) {
  const { bytes, ...entry } = image;
  return entry;
}

async function uploadImage(request, response, query) {
  if (request.headers['content-length'] === undefined) {
    return fail(response, 411, 'length-required', 'the upload has no Content-Length', 'send the file with its length');
  }
  if (Number(request.headers['content-length']) > STORE_CAPACITY) {
    return fail(response, 413, 'too-large',
      `the image needs ${request.headers['content-length']} B; the store holds ${STORE_CAPACITY} B`,
      'the image is larger than the whole staging store');
  }
  const bytes = await readBody(request, STORE_CAPACITY);
  if (!bodyMatches(request, response, bytes)) return;
  const detected = detectFormat(bytes);
  const format = query.get('format') || detected;
  if (!['elf', 'hex', 'bin', 'container'].includes(format)) {
    return fail(response, 400, 'bad-request', `format "${format}"`, 'format is bin, hex, elf or container');
  }
  if (format !== 'bin' && format !== detected) {
    return fail(response, 400, 'image-format', `the file does not start like ${format} data`,
      'check the file, or leave format out to detect it');
  }
  if (!bytes.length) return fail(response, 400, 'image-truncated', 'the file is empty', 'upload a firmware image');
  if (format !== 'container' && !device.debug) {
    return fail(response, 403, 'image-unsigned', `${query.get('name') || 'image'} is ${format.toUpperCase()}`,
      'this device flashes signed images only: wrap the firmware in a signed container (`airswd sign`)');
  }
  const keyId = bytes.subarray(CONTAINER_KEY_ID, CONTAINER_KEY_ID + 8).toString('hex');
  if (format === 'container' && !security.trustedKeys.has(keyId)) {
    return fail(response, 403, 'image-untrusted-key', `signed by key ${keyId}, which this device does not trust` +
      (security.trustedKeys.size ? '' : ' (it trusts no key yet: add the signing key first)'),
    MESSAGES['image-untrusted-key']);
  }
  if (!makeRoom(response, bytes.length, ['1', 'true'].includes(query.get('no_rollback')))) return;
  const image = { id: device.nextImageId++, name: query.get('name') || `image-${device.nextImageId}`, format,
    size: bytes.length, crc32: crc32(bytes), state: 'staged', flashed_ok: false, bytes };
  if (format === 'bin') image.base = Number(query.get('base') || 0x08000000);
  device.images = device.images.filter((old) => old.state !== 'staged');
  device.images.unshift(image);
  log(`image ${image.id} ${image.name} stored (${image.size} bytes)`);
  send(response, 201, publicImage(image));
}

// The phases of each action, with their share of the ticks.
const PLANS = {
  flash: [['connect', 1], ['identify', 1], ['erase', 3], ['program', 9], ['verify', 5], ['reset', 1]],
  verify: [['connect', 1], ['identify', 1], ['verify', 5]],
  erase: [['connect', 1], ['identify', 1], ['erase', 3]],
  read: [['connect', 1], ['identify', 1], ['read', 5]],
  reset: [['connect', 1], ['reset', 1]],
};
PLANS.rollback = PLANS.flash;
const FLASH_SIZE = 65536;
const FLASH_BASE = 0x08000000;
const flash = Buffer.alloc(FLASH_SIZE, 0xff);  // the simulated part's flash: what flash writes, erase and read see

// The load segments of an unencrypted container ([{address, bytes}]; docs/image-format.md); [] for anything else,
// which the mock flashes without modelling.
function containerSegments(bytes) {
  if (bytes.length < CONTAINER_HEADER + 2 || !bytes.subarray(0, 8).equals(CONTAINER_MAGIC) ||
    (bytes[11] & FLAG_ENCRYPTED)) return [];
  let at = CONTAINER_HEADER + 2 + bytes.readUInt16LE(CONTAINER_HEADER);
  const segments = [];
  for (let i = 0; i < bytes[21]; i++) {
    const address = bytes.readUInt32LE(120 + 8 * i);
    const length = bytes.readUInt32LE(124 + 8 * i);
    segments.push({ address, bytes: bytes.subarray(at, at + length) });
    at += length;
  }
  return segments;
}

const formatAddress = (address) => `0x${address.toString(16).toUpperCase().padStart(8, '0')}`;

// The first address where the flash differs from the image's segments, or null.
function flashDifference(image) {
  for (const segment of containerSegments(image.bytes)) {
    for (let i = 0; i < segment.bytes.length; i++) {
      if (flash[segment.address - FLASH_BASE + i] !== segment.bytes[i]) return segment.address + i;
    }
  }
  return null;
}

// Runs a job in about a second: ticks of 50 ms spread over the phases, program and verify the longest. image: what
// a flash, rollback or verify takes; for the others a stand-in of the bytes they touch.
function runJob(job, image) {
  const plan = PLANS[job.action];
  const chipUsPerByte = { erase: 30, program: 25, verify: 3 };
  const phasesUs = {};
  let step = 0;
  let phaseIndex = 0;
  device.running = job;
  job.state = 'running';
  broadcast('job', { job: job.id, state: 'running' });
  log(`job ${job.id} ${job.action} ${image.name}: started`);
  const timer = setInterval(() => {
    if (job.cancelRequested) {
      clearInterval(timer);
      return finishJob(job, 'cancelled', null, { phase: job.phase, status: 'cancelled', detail: 'cancelled by a user',
        message: 'the job stopped at a block boundary', flash_changed: true });
    }
    const [phase, ticks] = plan[phaseIndex];
    step++;
    const total = ['erase', 'program', 'verify', 'read'].includes(phase) ? image.size : 1;
    job.phase = phase;
    job.total = total;
    job.done = Math.min(total, Math.round((total * step) / ticks));
    job.phase_us = Math.round(job.done * (chipUsPerByte[phase] || 400));
    broadcast('progress', { job: job.id, phase, done: job.done, total, phase_us: job.phase_us });
    if (step >= ticks) {
      phasesUs[phase] = job.phase_us;
      step = 0;
      phaseIndex++;
      if (phaseIndex === plan.length) {
        clearInterval(timer);
        const total_us = Object.values(phasesUs).reduce((a, b) => a + b, 0);
        const differs = job.action === 'verify' ? flashDifference(image) : null;
        if (differs !== null) {
          return finishJob(job, 'failed', null, { phase: 'verify', status: 'flash-differs',
            detail: `verifying: flash at ${formatAddress(differs)} differs from the image`,
            message: 'the flash holds other data than this image (verify changes nothing)', flash_changed: false });
        }
        finishJob(job, 'done', { ok: true, part: 'STM32F10x medium density', dev_id: 1040, flash_size: 65536,
          phases_us: Object.assign({ plan: 0 }, phasesUs), total_us, erase_units: 1, unchanged_units: 0,
          mass_erase: false, program_bytes: image.size, verified_bytes: image.size }, null, image);
      }
    }
  }, 50);
}

function finishJob(job, state, result, error, image) {
  job.state = state;
  job.result = result;
  job.error = error;
  device.running = null;
  if (state === 'done' && ['flash', 'rollback'].includes(job.action)) {
    for (const segment of containerSegments(image.bytes)) segment.bytes.copy(flash, segment.address - FLASH_BASE);
  }
  if (state === 'done' && job.action === 'erase') flash.fill(0xff);
  if (state === 'done' && job.action === 'read') {
    const start = Math.max(0, Math.min(FLASH_SIZE, image.base - FLASH_BASE));
    const bytes = Buffer.alloc(image.size, 0);
    flash.copy(bytes, 0, start, Math.min(FLASH_SIZE, start + image.size));
    const read = { id: device.nextImageId++, name: `read-${image.base.toString(16)}.bin`, format: 'bin',
      base: image.base, size: image.size, state: 'staged', flashed_ok: false, bytes };
    read.crc32 = crc32(read.bytes);
    device.images.push(read);
    job.data = `/api/v1/images/${read.id}/data`;
  }
  if (state === 'done' && image && ['flash', 'rollback'].includes(job.action)) {
    for (const other of device.images) {
      if (other.state === 'previous' && other !== image) other.state = 'stored';
      if (other.state === 'current' && other !== image) other.state = 'previous';
    }
    image.state = 'current';
    image.flashed_ok = true;
  }
  // The end of the first verify job never reaches the event stream: only the jump in the ids says it happened.
  const lose = job.action === 'verify' && !device.lostVerifyEnd;
  if (lose) device.lostVerifyEnd = true;
  broadcast('job', { job: job.id, state }, lose);
  log(`job ${job.id} ${job.action}: ${state}` + (result ? ` in ${(result.total_us / 1e6).toFixed(2)} s chip time` : ''));
}

async function startJob(request, response) {
  const body = await readJson(request, response);
  if (!body) return;
  if (device.running) {
    return fail(response, 409, 'busy', `job ${device.running.id} (${device.running.action}) is running`,
      'one job at a time: wait for it or cancel it');
  }
  let image;
  if (body.action === 'flash' || body.action === 'verify') {
    image = device.images.find((candidate) => candidate.id === body.image);
    if (!image) return fail(response, 404, 'not-found', `no image ${body.image}`, 'list the images and pick one');
  } else if (body.action === 'rollback') {
    image = device.images.find((candidate) => candidate.state === 'previous');
    if (!image) return fail(response, 409, 'conflict', 'there is no previous image', 'flash an image first');
  } else if (body.action === 'read') {
    if (!device.debug) {
      return fail(response, 403, 'debug-mode-off', 'reading target memory needs debug mode, which is off');
    }
    if (!(Number.isInteger(body.address) && Number.isInteger(body.length) && body.length >= 1 &&
      body.length <= STORE_CAPACITY)) {
      return fail(response, 400, 'bad-request', '"address" and "length" (1 to the store\'s capacity) are needed');
    }
    image = { name: 'the target', base: body.address, size: body.length };
  } else if (body.action === 'erase' || body.action === 'reset') {
    image = { name: 'the target', size: FLASH_SIZE };
  } else {
    return fail(response, 400, 'bad-request', `action "${body.action}"`, 'an action of docs/api.md');
  }
  const job = { id: device.nextJobId++, action: body.action, state: 'queued', phase: null, done: 0, total: 0,
    phase_us: 0, result: null, error: null };
  device.jobs.set(job.id, job);
  send(response, 202, job);
  setTimeout(() => runJob(job, image), 20);
}

// A JSON object body, checked against the hash its signature declared; null after a refusal.
async function readJson(request, response) {
  const bytes = await readBody(request, 4096);
  if (!bodyMatches(request, response, bytes)) return null;
  try {
    const body = JSON.parse(bytes.toString('utf8'));
    if (body && typeof body === 'object' && !Array.isArray(body)) return body;
    throw new Error('not an object');
  } catch (err) {
    fail(response, 400, 'bad-request', `the body is not a JSON object (${err.message})`, 'send a JSON object');
    return null;
  }
}

// ---- docs/auth.md ----------------------------------------------------------------------------------------------

const sha256Hex = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

function issueNonce() {
  if (security.nonces.size >= NONCE_TABLE) security.nonces.delete(security.nonces.keys().next().value);
  const nonce = crypto.randomBytes(16).toString('hex');
  security.nonces.set(nonce, Date.now());
  return nonce;
}

// The three parameters of the header, or null when it breaks the grammar.
function parseAuthorization(value) {
  if (value.length > 256 || !value.startsWith(`${SCHEME} `)) return null;
  const lengths = { nonce: 32, body: 64, mac: 64 };
  const params = {};
  for (const part of value.slice(SCHEME.length + 1).split(/, */)) {
    const match = part.match(/^(nonce|body|mac)=([0-9a-fA-F]+)$/);
    if (!match || params[match[1]] || match[2].length !== lengths[match[1]]) return null;
    params[match[1]] = match[2].toLowerCase();
  }
  return params.nonce && params.body && params.mac ? params : null;
}

function refuse(response, status, error, detail, headers) {
  fail(response, status, error, detail, undefined, headers);
  return false;
}

// The checks of docs/auth.md in their order; true when the request may go on (its declared body hash kept).
function authorize(request, response) {
  if (!security.adminKey) {
    return refuse(response, 403, 'not-configured', 'no admin passphrase is set on this device: finish the first-boot setup');
  }
  const value = request.headers.authorization;
  if (value === undefined) {
    return refuse(response, 401, 'unauthorized', 'this request needs the admin passphrase', { 'WWW-Authenticate': SCHEME });
  }
  const now = Date.now();
  if (now < security.penaltyUntil) {
    return refuse(response, 429, 'throttled', 'too many failed attempts',
      { 'Retry-After': String(Math.ceil((security.penaltyUntil - now) / 1000)) });
  }
  const params = parseAuthorization(value);
  if (!params) return refuse(response, 400, 'malformed-authorization', 'the Authorization header breaks the grammar');
  const issued = security.nonces.get(params.nonce);
  security.nonces.delete(params.nonce);
  if (issued === undefined || now - issued > NONCE_LIFETIME_MS) {
    return refuse(response, 401, 'stale-nonce', 'the nonce is unknown, used or expired: get a new one');
  }
  const signed = `${request.method}\n${request.url}\n${params.nonce}\n${params.body}`;
  const mac = crypto.createHmac('sha256', security.adminKey).update(signed).digest();
  if (!crypto.timingSafeEqual(mac, Buffer.from(params.mac, 'hex'))) {
    security.failures++;
    if (security.failures >= FREE_FAILURES) {
      security.penaltyS = security.penaltyS ? Math.min(PENALTY_CAP_S, security.penaltyS * 2) : 1;
      security.penaltyUntil = now + security.penaltyS * 1000;
    }
    return refuse(response, 401, 'bad-credentials', 'the request signature does not match: check the admin passphrase');
  }
  security.failures = 0;
  security.penaltyS = 0;
  const hasBody = Number(request.headers['content-length'] || 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (!hasBody && params.body !== sha256Hex(Buffer.alloc(0))) {
    return refuse(response, 400, 'body-mismatch', 'the Authorization header declares a body, and the request has none');
  }
  request.declaredBody = params.body;
  return true;
}

// The owner's public_status setting, after setup: the status and the log answer unsigned reads.
function publicStatus() {
  return !!security.adminKey && device.settings.public_status;
}

// A read of the status or the log (the device in full, a job, the log, the events): unsigned while the status is
// public; otherwise, or with a signature, as authorize says.
function authorizeStatusRead(request, response) {
  return (publicStatus() && request.headers.authorization === undefined) || authorize(request, response);
}

function bodyMatches(request, response, bytes) {
  if (request.declaredBody === undefined || sha256Hex(bytes) === request.declaredBody) return true;
  return refuse(response, 400, 'body-mismatch', 'the body is not the one the Authorization header declared');
}

// A P-256 public key as PEM text or DER hex -> {id, key}: its key id (the first 8 bytes of SHA-256 of the 65-byte
// point) and the key; or null.
function signingKey(text) {
  try {
    const key = typeof text === 'string' && text.startsWith('-----BEGIN')
      ? crypto.createPublicKey(text)
      : crypto.createPublicKey({ key: Buffer.from(text, 'hex'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails.namedCurve !== 'prime256v1') return null;
    const jwk = key.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    return { id: sha256Hex(point).slice(0, 16), key };
  } catch (_) {
    return null;
  }
}

// What anyone reads unsigned: what a client needs before it can sign. request: the one asking; a board shows the
// setup code to a client of its access point while setup is open.
function authJson(request) {
  const showCode = boardMode && request && setupAllowed(request) && !security.adminKey;
  return { required: true, setup_required: !security.adminKey, scheme: SCHEME, salt: SALT,
    ...(showCode ? { setup_code: SETUP_CODE } : {}) };
}

function deviceSummary(request) {
  return { name: 'airswd-mock', version, board: boardMode, auth: authJson(request) };
}

function deviceJson(request) {
  return { name: 'airswd-mock', version, public_status: publicStatus(), uptime_s: uptime(), target: 'sim:stm32f103c8',
    swclk_hz: device.settings.swclk_hz, debug_mode: device.debug, board: boardMode, firmware_update: boardMode,
    policy: { signed_only: !device.debug, trusted_keys: [...security.trustedKeys.keys()], image_key: security.imageKey,
      min_security_version: 0 },
    auth: authJson(request), store: storeJson() };
}

async function setup(request, response) {
  if (boardMode && !setupAllowed(request)) {
    return fail(response, 403, 'setup-closed', `setup is done from the device's own access point ${HOSTNAME} ` +
      'within 10 minutes of power-on: ' + (fromAccessPoint(request) ? 'power the device off and on, then set it up ' +
      'at once' : 'connect to it and open 192.168.4.1'));
  }
  const body = await readJson(request, response);
  if (!body) return;
  for (const key of Object.keys(body)) {
    if (!['setup_code', 'admin_key', 'signing_key', 'image_key'].includes(key)) {
      return fail(response, 400, 'bad-request',
        `'${key}': unknown field (setup_code, admin_key, signing_key, image_key)`);
    }
  }
  if (security.adminKey) return fail(response, 409, 'setup-done', 'setup is closed: it was done already');
  if (typeof body.admin_key !== 'string' || !/^[0-9a-fA-F]{64}$/.test(body.admin_key)) {
    return fail(response, 400, 'bad-request', '"admin_key" is required: 64 hex digits');
  }
  let key = null;
  if (body.signing_key !== undefined && !(key = signingKey(body.signing_key))) {
    return fail(response, 400, 'bad-request', '"signing_key" must be a P-256 public key: PEM text, or the hex of its DER');
  }
  if (body.image_key !== undefined && !(typeof body.image_key === 'string' && /^[0-9a-fA-F]{32}$/.test(body.image_key))) {
    return fail(response, 400, 'bad-request', '"image_key" must be 32 hex digits');
  }
  if (String(body.setup_code).toLowerCase() !== SETUP_CODE) {
    return fail(response, 403, 'wrong-setup-code', 'that is not the setup code the device showed at start');
  }
  security.adminKey = Buffer.from(body.admin_key, 'hex');
  if (key) security.trustedKeys.set(key.id, key.key);
  security.imageKey = body.image_key !== undefined;
  log('setup done');
  send(response, 200, deviceJson());
}

// POST /keys {"signing_key"} (removing null), DELETE /keys/{id}: the device's answer, as the daemon's.
async function changeKeys(request, response, removing) {
  if (removing !== null) {
    if (!security.trustedKeys.delete(removing)) return fail(response, 404, 'not-found', 'no trusted key has this id');
    log(`security: key ${removing} is no longer trusted`);
    return send(response, 200, deviceJson(request));
  }
  const body = await readJson(request, response);
  if (!body) return;
  const key = Object.keys(body).length === 1 ? signingKey(body.signing_key) : null;
  if (!key) return fail(response, 400, 'bad-request', 'the body is {"signing_key": PEM text or DER hex}');
  if (!security.trustedKeys.has(key.id) && security.trustedKeys.size >= 4) {
    return fail(response, 400, 'invalid-argument', 'the device already trusts 4 keys: remove one first');
  }
  security.trustedKeys.set(key.id, key.key);
  log(`security: images signed by key ${key.id} are trusted`);
  send(response, 200, deviceJson(request));
}

// PUT /image-key {"image_key"}: installs or replaces it.
async function putImageKey(request, response) {
  const body = await readJson(request, response);
  if (!body) return;
  if (Object.keys(body).length !== 1 || !/^[0-9a-fA-F]{32}$/.test(String(body.image_key))) {
    return fail(response, 400, 'bad-request', '"image_key" must be 32 hex digits');
  }
  security.imageKey = true;
  log('security: a new image key decrypts encrypted containers');
  send(response, 200, deviceJson(request));
}

// ---- a board of its own (--board): WiFi, pins, setup from the access point, the programmer's firmware ----------

const HOSTNAME = 'airswd-0a0b0c';
const SETUP_WINDOW_MS = 10 * 60 * 1000;
const STATION = { address: '192.168.1.50', rssi: -61, joinMs: 800 };  // what the device gets when it joins
const RESTART_DOWN_MS = 1500;
// The update slot of the ESP8266's 4 MB layout (0xF0000 B) less its last sector, where the header goes.
const FIRMWARE_SLOT = 0xF0000 - 4096;
const CONTAINER_HEADER = 256;
const SIGNATURE_MAX = 72;
const FLAG_ENCRYPTED = 0x01;
const FLAG_PROGRAMMER = 0x02;
const PIN_NAMES = { pin_swclk: 'swclk', pin_swdio: 'swdio', pin_nrst: 'nrst', pin_boot0: 'boot0' };
const BUSY_MESSAGE = 'one job or upload at a time: wait for it or cancel it';
// The device's sentences (src/status.c) for the refusals of a firmware upload.
const MESSAGES = {
  'image-format': 'the file is not a valid firmware image: check that it is the build output (Intel HEX, ARM ELF or ' +
    'raw binary) and that it was not altered on the way',
  'image-truncated': 'the file ends too early: the upload or copy was cut short, send the whole file again',
  'image-encrypted': 'the image is encrypted and this device has no image key: install the AES key the image was ' +
    'encrypted with, or upload an unencrypted image',
  'image-untrusted-key': 'the image is not signed by a key this device trusts: sign it with one of the device\'s ' +
    'keys (`airswd sign --key`), or add its public key to the device',
  'image-signature': 'the image\'s signature does not match its header: the file was altered after signing, or ' +
    'signed with another key; sign it again',
  'image-rollback': 'the image is older than this device accepts (anti-rollback): sign the firmware with a higher ' +
    'security version (`airswd sign --version`)',
  'image-hash': 'the image\'s payload does not match the hash in its signed header: the file is corrupted or the ' +
    'device\'s image key is not the one it was encrypted with; upload it again',
  'target-mismatch': 'the image does not fit the connected part: check that it was built for this part',
  'too-large': 'the image is larger than the whole staging store: build a smaller image, or give the store more ' +
    'room (a larger flash partition; airswdd --store-size)',
};

const board = { wifi_ssid: '', wifi_password: '', pin_swclk: 14, pin_swdio: 13, pin_nrst: 4, pin_boot0: 5,
  stationConnected: false, joinTimer: null, firmwareMinVersion: 0 };
const sockets = new Set();   // every open connection, dropped when the device restarts
let down = false;            // restarting: no connection is taken
let accessPointPort = 0;     // the first server's; the other one is the station network

const fromAccessPoint = (request) => request.socket.localPort === accessPointPort;
const setupAllowed = (request) => fromAccessPoint(request) && Date.now() - started < SETUP_WINDOW_MS;

function boardJson() {
  const connected = board.stationConnected;
  const accessPointClients = [...sockets].some((socket) => socket.localPort === accessPointPort);
  return { wifi_ssid: board.wifi_ssid, pin_swclk: board.pin_swclk, pin_swdio: board.pin_swdio,
    pin_nrst: board.pin_nrst, pin_boot0: board.pin_boot0,
    network: { station_connected: connected, station_address: connected ? STATION.address : '',
      rssi: connected ? STATION.rssi : 0, setup_ap: !connected || accessPointClients, hostname: HOSTNAME } };
}

// The ESP8266's check of a pin plan (ports/esp8266/main/esp8266_pins.c): its sentence, or null.
function pinPlanProblem(plan) {
  const taken = [];
  for (const [field, name] of Object.entries(PIN_NAMES)) {
    if (plan[field] === null && (name === 'nrst' || name === 'boot0')) continue;
    const gpio = plan[field] === null ? -1 : plan[field];
    let problem = null;
    if (gpio >= 6 && gpio <= 11) problem = 'is wired to the SPI flash';
    else if (gpio === 1 || gpio === 3) problem = 'is UART0, which goes to the STM32\'s UART';
    else if (gpio < 0 || gpio > 15) problem = 'is not a GPIO the SWD loop can drive (GPIO0-15)';
    if (problem) return `${name} on GPIO${gpio}: GPIO${gpio} ${problem}`;
    const other = taken.find((entry) => entry.gpio === gpio);
    if (other) return `${other.name} and ${name} are both on GPIO${gpio}`;
    taken.push({ name, gpio });
  }
  return null;
}

// A new network (or password): the station leaves the one it is on and joins after a moment.
function joinStation() {
  clearTimeout(board.joinTimer);
  board.stationConnected = false;
  if (!board.wifi_ssid) return;
  board.joinTimer = setTimeout(() => {
    board.stationConnected = true;
    log(`wifi: joined ${board.wifi_ssid} as ${STATION.address}`);
  }, STATION.joinMs);
}

// PUT /api/v1/board: the fields given change, the others stay; the settings are applied after the answer.
async function putBoard(request, response) {
  const body = await readJson(request, response);
  if (!body) return;
  const next = Object.assign({}, board, { wifi_password: '' });
  for (const [key, value] of Object.entries(body)) {
    let ok = false;
    if (key === 'wifi_ssid' || key === 'wifi_password') {
      ok = typeof value === 'string' && Buffer.byteLength(value) <= (key === 'wifi_ssid' ? 32 : 64);
    } else if (key in PIN_NAMES) {
      ok = value === null || (Number.isInteger(value) && value >= 0 && value <= 16);
    }
    if (!ok) {
      return fail(response, 400, 'bad-request', `'${key}': unknown setting or wrong value (wifi_ssid up to 32 ` +
        'bytes, wifi_password up to 64, pin_swclk, pin_swdio, pin_nrst, pin_boot0: a GPIO number or null)');
    }
    next[key] = value;
  }
  const problem = pinPlanProblem(next);
  if (problem) return fail(response, 400, 'bad-request', problem, 'invalid argument');
  const pinsChanged = Object.keys(PIN_NAMES).some((field) => next[field] !== board[field]);
  if (pinsChanged && device.running) {
    return fail(response, 409, 'busy', 'the pins cannot change while a job runs on them', BUSY_MESSAGE);
  }
  const wifiChanged = next.wifi_ssid !== board.wifi_ssid || next.wifi_password !== '';
  for (const field of Object.keys(PIN_NAMES)) board[field] = next[field];
  board.wifi_ssid = next.wifi_ssid;
  if (next.wifi_password || !next.wifi_ssid) board.wifi_password = next.wifi_password;
  log('board settings changed');
  send(response, 200, boardJson());
  if (wifiChanged) joinStation();
}

// The checks of secure_image_check() for the programmer's own firmware, in their order: {securityVersion,
// payloadLength}, or the refusal {status, error, detail}.
function checkProgrammerContainer(bytes) {
  const refusal = (status, error, detail) => ({ status, error, detail });
  if (!bytes.subarray(0, CONTAINER_MAGIC.length).equals(CONTAINER_MAGIC) ||
      bytes.readUInt16LE(8) !== CONTAINER_HEADER || bytes[10] !== 1) {
    return refusal(400, 'image-format', 'not a signed container of version 1 (AIRSWDC1)');
  }
  const flags = bytes[11];
  const securityVersion = bytes.readUInt32LE(12);
  const payloadLength = bytes.readUInt32LE(24);
  const signatureLength = bytes.readUInt16LE(CONTAINER_HEADER);
  if (signatureLength > SIGNATURE_MAX) {
    return refusal(400, 'image-format', `a signature block of ${signatureLength} bytes (at most ${SIGNATURE_MAX})`);
  }
  const payloadStart = CONTAINER_HEADER + 2 + signatureLength;
  if (bytes.length < payloadStart + payloadLength) {
    return refusal(400, 'image-truncated',
      `the file ends after ${bytes.length} of ${payloadStart + payloadLength} bytes`);
  }
  if (bytes.length > payloadStart + payloadLength) return refusal(400, 'image-format', 'bytes follow the payload');
  const keyId = bytes.toString('hex', 76, 84);
  const key = security.trustedKeys.get(keyId);
  if (!key) return refusal(403, 'image-untrusted-key', `signed by key ${keyId}, which this device does not trust`);
  if (!signatureLength) return refusal(403, 'image-signature', 'the image was never signed (empty signature block)');
  const signature = bytes.subarray(CONTAINER_HEADER + 2, payloadStart);
  if (!crypto.verify('sha256', bytes.subarray(0, CONTAINER_HEADER), key, signature)) {
    return refusal(403, 'image-signature', 'ECDSA P-256 signature of the header is not valid');
  }
  if (!(flags & FLAG_PROGRAMMER)) {
    return refusal(422, 'target-mismatch', 'this container holds an STM32 image, not the programmer\'s firmware ' +
      '(sign with --target esp8266)');
  }
  if (securityVersion < board.firmwareMinVersion) {
    return refusal(403, 'image-rollback', `security version ${securityVersion} is older than the minimum ` +
      `${board.firmwareMinVersion} this device accepts`);
  }
  if (flags & FLAG_ENCRYPTED) return refusal(400, 'image-encrypted', 'this mock does not decrypt a firmware');
  if (sha256Hex(bytes.subarray(payloadStart)) !== bytes.toString('hex', 28, 60)) {
    return refusal(403, 'image-hash', 'SHA-256 of the payload differs from the signed header\'s');
  }
  return { securityVersion, payloadLength };
}

// POST /api/v1/firmware: the size against the slot before the body, the container once it has all come; a
// firmware that passes raises the programmer's minimum and the device restarts into it.
async function postFirmware(request, response) {
  if (!boardMode) {
    return fail(response, 404, 'no-firmware-update', 'this device does not take its own firmware over the network');
  }
  if (request.headers['content-length'] === undefined) {
    return fail(response, 411, 'length-required',
      'a firmware upload announces its size (Content-Length): the slot is checked against it');
  }
  if (device.running) {
    return fail(response, 409, 'busy', 'a job is running on the STM32: update the programmer once it has ended',
      BUSY_MESSAGE);
  }
  const size = Number(request.headers['content-length']);
  if (size <= CONTAINER_HEADER + 2) {
    return fail(response, 400, 'image-truncated', `${size} bytes cannot be a signed firmware container`,
      MESSAGES['image-truncated']);
  }
  if (size > FIRMWARE_SLOT + CONTAINER_HEADER + 2 + SIGNATURE_MAX) {
    return fail(response, 413, 'too-large', `the firmware container is ${size} bytes; the update slot holds a ` +
      `firmware of ${FIRMWARE_SLOT} bytes`, MESSAGES['too-large']);
  }
  const bytes = await readBody(request, size);
  if (!bodyMatches(request, response, bytes)) return;
  const checked = checkProgrammerContainer(bytes);
  if (checked.error) {
    log(`firmware update refused: ${checked.detail}`);
    return fail(response, checked.status, checked.error, checked.detail, MESSAGES[checked.error]);
  }
  board.firmwareMinVersion = checked.securityVersion;
  log(`firmware update: security version ${checked.securityVersion}, ${checked.payloadLength} bytes, checked; ` +
    'restarting into it');
  send(response, 200, { security_version: checked.securityVersion, size: checked.payloadLength, restarting: true });
  setTimeout(() => restart(`0.4.${checked.securityVersion}`), 200);
}

// A restart as the device does one: every connection drops (the event streams too), none is taken for a while, and
// what lives in RAM starts over (the uptime, the nonces, the penalty); the store, the settings and the log stay.
function restart(newVersion) {
  down = true;
  for (const socket of sockets) socket.destroy();
  listeners.clear();
  setTimeout(() => {
    started = Date.now();
    version = newVersion;
    Object.assign(security, { nonces: new Map(), failures: 0, penaltyUntil: 0, penaltyS: 0 });
    down = false;
    log(`airswd mock started: firmware ${version}`);
  }, RESTART_DOWN_MS);
}

function serveFile(request, response, pathname) {
  const name = pathname === '/' ? 'index.html' : pathname.slice(1);
  if (!/^[a-z0-9_-]+\.(html|js|css)$/i.test(name) || !fs.existsSync(path.join(webDir, name))) {
    return fail(response, 404, 'not-found', `no file ${pathname}`, 'the page is at /');
  }
  const body = zlib.gzipSync(fs.readFileSync(path.join(webDir, name)), { level: 9 });
  response.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(name)], 'Content-Encoding': 'gzip',
    'Content-Length': body.length, 'Cache-Control': 'no-cache' });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function openEvents(request, response) {
  response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache',
    Connection: 'keep-alive' });
  response.write(': airswd events\n\n');
  listeners.add(response);
  request.on('close', () => listeners.delete(response));
}

async function route(request, response) {
  const url = new URL(request.url, 'http://device');
  const p = url.pathname;
  const method = request.method;
  const only = (allowed) => {
    if (allowed.includes(method)) return true;
    fail(response, 405, 'method-not-allowed', `${method} ${p}`, `use ${allowed.join(' or ')}`,
      { Allow: allowed.join(', ') });
    return false;
  };
  // Allowed method, then the signature of an [auth] route, as the daemon's router does.
  const guarded = (allowed, protectedMethods) => only(allowed) &&
    (!protectedMethods.includes(method) || authorize(request, response));
  if (!p.startsWith('/api/')) return only(['GET', 'HEAD']) && serveFile(request, response, p);
  if (p === '/api/v1/device') {
    if (!only(['GET'])) return;
    if (!security.adminKey || (request.headers.authorization === undefined && !publicStatus())) {
      return send(response, 200, deviceSummary(request));
    }
    return authorizeStatusRead(request, response) && send(response, 200, deviceJson(request));
  }
  if (p === '/api/v1/auth/nonce') {
    return only(['GET']) && send(response, 200, { nonce: issueNonce(), lifetime_s: NONCE_LIFETIME_MS / 1000 });
  }
  if (p === '/api/v1/auth/check') {
    return guarded(['GET'], ['GET']) && send(response, 200, { authorized: true, debug_mode: device.debug });
  }
  if (p === '/api/v1/setup') return only(['POST']) && setup(request, response);
  if (p === '/api/v1/keys') return guarded(['POST'], ['POST']) && changeKeys(request, response, null);
  if (p.startsWith('/api/v1/keys/')) {
    return guarded(['DELETE'], ['DELETE']) && changeKeys(request, response, p.slice('/api/v1/keys/'.length));
  }
  if (p === '/api/v1/image-key') return guarded(['PUT'], ['PUT']) && putImageKey(request, response);
  if (p === '/api/v1/target') {
    return guarded(['GET'], ['GET']) && send(response, 200, { part: 'STM32F10x medium density', core: 'Cortex-M3', dev_id: 1040,
      rev_id: 8195, flash_size: 65536, erase_units: 64, program_unit: 2, rdp_level: 0 });
  }
  if (p === '/api/v1/images') {
    if (!guarded(['GET', 'POST'], ['GET', 'POST'])) return;
    if (method === 'GET') return send(response, 200, device.images.map(publicImage));
    return uploadImage(request, response, url.searchParams);
  }
  let match = p.match(/^\/api\/v1\/images\/(\d+)\/data$/);
  if (match) {
    if (!guarded(['GET'], ['GET'])) return;
    const image = device.images.find((candidate) => candidate.id === Number(match[1]) && !/^0/.test(match[1]));
    if (!image) return fail(response, 404, 'not-found', 'no such image');
    if (!device.debug) {
      return fail(response, 403, 'debug-mode-off', 'downloading image data needs debug mode, which is off');
    }
    response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    return response.end(image.bytes);
  }
  match = p.match(/^\/api\/v1\/images\/(\d+)$/);
  if (match) {
    if (!guarded(['DELETE'], ['DELETE'])) return;
    const image = device.images.find((candidate) => candidate.id === Number(match[1]));
    if (!image) return fail(response, 404, 'not-found', `no image ${match[1]}`, 'list the images and pick one');
    if (image.state === 'current') {
      return fail(response, 409, 'conflict', `image ${image.id} is the current image`,
        'flash another image before deleting this one');
    }
    device.images = device.images.filter((candidate) => candidate !== image);
    log(`image ${image.id} ${image.name} deleted`);
    return send(response, 204);
  }
  if (p === '/api/v1/jobs') return guarded(['POST'], ['POST']) && startJob(request, response);
  match = p.match(/^\/api\/v1\/jobs\/(\d+)$/);
  if (match) {
    if (!only(['GET', 'DELETE'])) return;
    if (!(method === 'GET' ? authorizeStatusRead(request, response) : authorize(request, response))) return;
    const job = device.jobs.get(Number(match[1]));
    if (!job) return fail(response, 404, 'not-found', `no job ${match[1]}`, 'jobs are numbered from 1');
    if (method === 'DELETE') job.cancelRequested = true;
    return send(response, method === 'GET' ? 200 : 202, job);
  }
  if (p === '/api/v1/board') {
    if (!guarded(['GET', 'PUT'], ['GET', 'PUT'])) return;
    if (!boardMode) {
      return fail(response, 404, 'no-board',
        'this device has no WiFi or pin settings of its own (airswdd uses the host\'s network)');
    }
    return method === 'GET' ? send(response, 200, boardJson()) : putBoard(request, response);
  }
  if (p === '/api/v1/firmware') return guarded(['POST'], ['POST']) && postFirmware(request, response);
  if (p === '/api/v1/events') {
    return only(['GET']) && authorizeStatusRead(request, response) && openEvents(request, response);
  }
  if (p === '/api/v1/log') return only(['GET']) && authorizeStatusRead(request, response) && send(response, 200, device.log);
  if (p === '/api/v1/settings') {
    if (!guarded(['GET', 'PUT'], ['GET', 'PUT'])) return;
    if (method === 'PUT') {
      const body = await readJson(request, response);
      if (!body) return;
      const valid = { swclk_hz: (v) => Number.isInteger(v) && v >= 0 && v <= 100000000,
        connect_under_reset: (v) => typeof v === 'boolean', verify: (v) => typeof v === 'boolean',
        debug: (v) => typeof v === 'boolean', public_status: (v) => typeof v === 'boolean',
        transport: (v) => ['swd', 'uart', 'auto'].includes(v) };
      for (const [key, value] of Object.entries(body)) {
        if (!valid[key] || !valid[key](value)) {
          return fail(response, 400, 'bad-request', `'${key}': unknown setting or wrong value (swclk_hz 0..100000000, ` +
            'connect_under_reset, verify, debug and public_status booleans, transport swd, uart or auto)');
        }
      }
      const { debug, ...settings } = body;
      Object.assign(device.settings, settings);
      log('settings changed');
      if (debug !== undefined && debug !== device.debug) {
        device.debug = debug;
        log(`debug mode ${debug ? 'on: unsigned images and memory reads allowed' : 'off: signed images only'}`);
      }
    }
    return send(response, 200, Object.assign({ debug: device.debug }, device.settings));
  }
  return fail(response, 404, 'not-found', `no route ${p}`, 'see docs/api.md');
}

function serve(listenPort, listening) {
  const server = http.createServer((request, response) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'");
    response.setHeader('Referrer-Policy', 'no-referrer');
    route(request, response).catch((err) => {
      if (!response.headersSent) fail(response, 500, 'internal', err.message, 'the mock failed');
    });
  });
  server.on('connection', (socket) => {
    if (down) return socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(listenPort, '127.0.0.1', () => listening(server.address().port));
}

// The first server is the device (with a board: its access point); with a board, a second one is its station
// network.
serve(port, (apPort) => {
  accessPointPort = apPort;
  console.log(`listening on http://127.0.0.1:${apPort}/`);
  log('airswd mock started');
  if (boardMode) {
    serve(0, (stationPort) => {
      console.log(`station network on http://127.0.0.1:${stationPort}/`);
      console.log(`setup code ${SETUP_CODE}`);
    });
  } else {
    console.log(`setup code ${SETUP_CODE}`);
  }
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
