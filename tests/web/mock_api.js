#!/usr/bin/env node
// A stand-in for the device service while it is being written: serves the files of web/ gzip-compressed (as the
// daemon serves the embedded page) and fakes the REST API of docs/api.md in memory, with a flash job that goes
// through its phases in about a second and reports them over Server-Sent Events.
//
// Usage: node mock_api.js WEB_DIR [PORT]   (PORT 0, the default, picks a free one; the first line printed is
//        "listening on http://127.0.0.1:PORT/")
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const webDir = process.argv[2];
const port = Number(process.argv[3] || 0);
if (!webDir) {
  console.error('usage: node mock_api.js WEB_DIR [PORT]');
  process.exit(2);
}

const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8' };
const SLOT_SIZE = 262144;
const started = Date.now();

const device = { images: [], nextImageId: 1, jobs: new Map(), nextJobId: 1, running: null, log: [], logSeq: 0,
  settings: { swclk_hz: 4000000, connect_under_reset: false, verify: true, policy: { signed_only: false } } };
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

function broadcast(event, data) {
  const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
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

function publicImage(image) {
  const { bytes, ...entry } = image;
  return entry;
}

async function uploadImage(request, response, query) {
  if (request.headers['content-length'] === undefined) {
    return fail(response, 411, 'length-required', 'the upload has no Content-Length', 'send the file with its length');
  }
  if (Number(request.headers['content-length']) > SLOT_SIZE) {
    return fail(response, 413, 'too-large', `${request.headers['content-length']} bytes, a slot holds ${SLOT_SIZE}`,
      'the image is larger than a store slot');
  }
  const bytes = await readBody(request, SLOT_SIZE);
  const detected = detectFormat(bytes);
  const format = query.get('format') || detected;
  if (!['elf', 'hex', 'bin'].includes(format)) {
    return fail(response, 400, 'bad-request', `format "${format}"`, 'format is bin, hex or elf');
  }
  if (format !== 'bin' && format !== detected) {
    return fail(response, 400, 'image-format', `the file does not start like ${format} data`,
      'check the file, or leave format out to detect it');
  }
  if (!bytes.length) return fail(response, 400, 'image-truncated', 'the file is empty', 'upload a firmware image');
  const image = { id: device.nextImageId++, name: query.get('name') || `image-${device.nextImageId}`, format,
    size: bytes.length, crc32: crc32(bytes), state: 'staged', flashed_ok: false, bytes };
  if (format === 'bin') image.base = Number(query.get('base') || 0x08000000);
  device.images = device.images.filter((old) => old.state !== 'staged');
  device.images.unshift(image);
  log(`image ${image.id} ${image.name} stored (${image.size} bytes)`);
  send(response, 201, publicImage(image));
}

// Runs a job in about a second: 20 ticks of 50 ms spread over the phases, program and verify the longest.
function runJob(job, image) {
  const plan = [['connect', 1], ['identify', 1], ['erase', 3], ['program', 9], ['verify', 5], ['reset', 1]];
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
    const total = ['erase', 'program', 'verify'].includes(phase) ? image.size : 1;
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
  if (state === 'done' && image) {
    for (const other of device.images) {
      if (other.state === 'previous' && other !== image) other.state = 'stored';
      if (other.state === 'current' && other !== image) other.state = 'previous';
    }
    image.state = 'current';
    image.flashed_ok = true;
  }
  broadcast('job', { job: job.id, state });
  log(`job ${job.id} ${job.action}: ${state}` + (result ? ` in ${(result.total_us / 1e6).toFixed(2)} s chip time` : ''));
}

async function startJob(request, response) {
  let body;
  try {
    body = JSON.parse((await readBody(request, 4096)).toString('utf8'));
  } catch (err) {
    return fail(response, 400, 'bad-request', `the body is not JSON (${err.message})`, 'send a JSON object');
  }
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
  } else {
    return fail(response, 400, 'bad-request', `action "${body.action}"`, 'this mock runs flash, verify and rollback');
  }
  const job = { id: device.nextJobId++, action: body.action, state: 'queued', phase: null, done: 0, total: 0,
    phase_us: 0, result: null, error: null };
  device.jobs.set(job.id, job);
  send(response, 202, job);
  setTimeout(() => runJob(job, image), 20);
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
  if (!p.startsWith('/api/')) return only(['GET', 'HEAD']) && serveFile(request, response, p);
  if (p === '/api/v1/device') {
    return only(['GET']) && send(response, 200, { name: 'airswd-mock', version: '0.4.0', uptime_s: uptime(),
      target: 'sim:stm32f103c8', swclk_hz: device.settings.swclk_hz, debug_mode: false, auth: { required: false },
      store: { slots: 3, slot_size: SLOT_SIZE } });
  }
  if (p === '/api/v1/target') {
    return only(['GET']) && send(response, 200, { part: 'STM32F10x medium density', core: 'Cortex-M3', dev_id: 1040,
      rev_id: 8195, flash_size: 65536, erase_units: 64, program_unit: 2, rdp_level: 0 });
  }
  if (p === '/api/v1/images') {
    if (!only(['GET', 'POST'])) return;
    if (method === 'GET') return send(response, 200, device.images.map(publicImage));
    return uploadImage(request, response, url.searchParams);
  }
  let match = p.match(/^\/api\/v1\/images\/(\d+)$/);
  if (match) {
    if (!only(['DELETE'])) return;
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
  if (p === '/api/v1/jobs') return only(['POST']) && startJob(request, response);
  match = p.match(/^\/api\/v1\/jobs\/(\d+)$/);
  if (match) {
    if (!only(['GET', 'DELETE'])) return;
    const job = device.jobs.get(Number(match[1]));
    if (!job) return fail(response, 404, 'not-found', `no job ${match[1]}`, 'jobs are numbered from 1');
    if (method === 'DELETE') job.cancelRequested = true;
    return send(response, method === 'GET' ? 200 : 202, job);
  }
  if (p === '/api/v1/events') return only(['GET']) && openEvents(request, response);
  if (p === '/api/v1/log') return only(['GET']) && send(response, 200, device.log);
  if (p === '/api/v1/settings') {
    if (!only(['GET', 'PUT'])) return;
    if (method === 'PUT') {
      let body;
      try {
        body = JSON.parse((await readBody(request, 4096)).toString('utf8'));
      } catch (err) {
        return fail(response, 400, 'bad-request', `the body is not JSON (${err.message})`, 'send a JSON object');
      }
      if (body.swclk_hz !== undefined && !(Number.isInteger(body.swclk_hz) && body.swclk_hz >= 1000)) {
        return fail(response, 400, 'bad-request', `swclk_hz ${body.swclk_hz}`, 'the SWD clock is at least 1000 Hz');
      }
      Object.assign(device.settings, body);
      log('settings changed');
    }
    return send(response, 200, device.settings);
  }
  return fail(response, 404, 'not-found', `no route ${p}`, 'see docs/api.md');
}

const server = http.createServer((request, response) => {
  route(request, response).catch((err) => {
    if (!response.headersSent) fail(response, 500, 'internal', err.message, 'the mock failed');
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
  log('airswd mock started');
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
