#!/usr/bin/env node
// Headless Chromium, driven by playwright-core, uses the web page of a device that is not set up yet, as its owner
// would: first-boot setup (a passphrase and the signing public key), a plain firmware refused, a signed container
// uploaded and flashed with the job succeeding and the progress bar at 100%, an API error on screen, debug mode and
// its banner, a plain binary taken while it is on, an image with no room beside the rollback copy (the device's
// sentence, a confirm, the upload again without the copy), logging out, wrong passphrases and the penalty that
// follows, and logging in again. It also checks that a stale nonce is retried, that the page sends the derived key and never the
// passphrase, that every failed HTTP answer was an expected one, that the page fits a phone, and saves screenshots.
//
// Usage: node drive_page.js URL FIRMWARE.elf CONTAINER.airswd SIGNING-PUB.pem SCREENSHOT.png
//        (the private key is expected beside the public one: SIGNING.pem, the page must refuse it)
//        (playwright-core found through NODE_PATH; CHROMIUM overrides /usr/bin/chromium)
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const [url, firmware, container, publicKey, screenshot] = process.argv.slice(2);
const TIMEOUT_MS = 30000;
const PASSPHRASE = 'correct horse battery staple';
const WRONG_PASSPHRASE = 'incorrect horse battery staple';
// K as docs/auth.md defines it, computed here with node:crypto rather than with the page's auth.js.
const ADMIN_KEY_HEX = crypto.createHash('sha256').update(`airswd-admin-v1:${PASSPHRASE}`).digest('hex');

function say(what, value) {
  console.log(`${what.padEnd(16)} ${value}`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function text(page, selector) {
  return (await page.locator(selector).innerText()).trim();
}

const oneLine = (value) => value.replace(/\s*\n\s*/g, ' | ');

async function sessionState(page) {
  return page.getAttribute('#session-state', 'data-state');
}

// Drops a file on the zone as a browser does: a drop event whose DataTransfer holds it.
async function dropFile(page, file) {
  const bytes = [...fs.readFileSync(file)];
  await page.dispatchEvent('#drop-zone', 'drop', {
    dataTransfer: await page.evaluateHandle(([name, content]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(content)], name, { type: 'application/octet-stream' }));
      return transfer;
    }, [path.basename(file), bytes]),
  });
}

async function waitUpload(page, name) {
  await page.waitForFunction((fileName) => {
    const status = document.getElementById('upload-status');
    return ['done', 'failed'].includes(status.dataset.state) && status.textContent.includes(fileName);
  }, name);
  return { state: await page.getAttribute('#upload-status', 'data-state'), text: await text(page, '#upload-status') };
}

async function phoneOverflow(page) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  return { overflow, restore: () => page.setViewportSize(size) };
}

// Clicks Identify; the target's facts, or a failure that names the error the page showed.
async function identify(page) {
  const errorsBefore = await page.locator('#errors li').count();
  await page.evaluate(() => document.getElementById('target-info').replaceChildren());
  await page.click('#identify');
  await page.waitForFunction((count) => document.getElementById('target-info').children.length > 0 ||
    document.querySelectorAll('#errors li').length > count, errorsBefore);
  const facts = oneLine(await text(page, '#target-info'));
  if (!facts) throw new Error(`identify failed: ${await page.locator('#errors li').last().innerText()}`);
  return facts;
}

async function logIn(page, passphrase) {
  await page.fill('#login-passphrase', passphrase);
  await page.click('#login-submit');
  await page.waitForFunction(() => !['checking', 'idle'].includes(document.getElementById('login-status').dataset.state)
    || document.getElementById('session-state').dataset.state === 'in');
  return { session: await sessionState(page), state: await page.getAttribute('#login-status', 'data-state'),
    status: await text(page, '#login-status') };
}

async function main() {
  if (!url || !firmware || !container || !publicKey || !screenshot) {
    throw new Error('usage: node drive_page.js URL FIRMWARE CONTAINER SIGNING-PUB.pem SCREENSHOT.png');
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // root in a container has no user namespaces for Chromium's sandbox; the page is our own.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: TIMEOUT_MS,
  });
  const problems = [];
  // Every answer of 400 and above, as "STATUS METHOD PATH error"; compared at the end with the ones provoked.
  const refusals = [];
  const pendingRefusals = [];
  const refusalsSettled = () => Promise.all(pendingRefusals);
  const setupBodies = [];
  let reloading = false;
  const reload = async (page) => {
    reloading = true;
    try {
      await page.reload({ waitUntil: 'load' });
    } finally {
      reloading = false;
    }
  };
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
    page.on('console', (message) => {
      // Chromium logs each failed answer; those are checked one by one through the responses below.
      if (message.type() === 'error' && !/the server responded with a status of (40[13459]|429|507)/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('requestfailed', (request) => {
      // EventSource requests are cut when the page closes or reloads, and so is any request in flight when the test
      // reloads the page (a device with 2 connections answers more slowly); anything else failing is a problem.
      const reloadCut = reloading && request.failure().errorText === 'net::ERR_ABORTED';
      if (!request.url().endsWith('/api/v1/events') && !reloadCut) {
        problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure().errorText}`);
      }
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(new URL(url).origin) && !request.url().startsWith('data:')) {
        problems.push(`outside resource requested: ${request.url()}`);
      }
      if (request.url().endsWith('/api/v1/setup')) setupBodies.push(request.postData() || '');
    });
    // Reading an answer's body is asynchronous: a check awaits refusalsSettled() so that it sees every one so far.
    page.on('response', (response) => {
      if (response.status() < 400) return;
      pendingRefusals.push((async () => {
        const where = new URL(response.url());
        let error = '';
        try {
          error = JSON.parse(await response.text()).error;
        } catch (_) {
          // Chromium's inspector does not always keep the body of an upload's answer; the page's own text is checked.
          error = '(body not kept)';
        }
        refusals.push(`${response.status()} ${response.request().method()} ${where.pathname} ${error}`);
      })());
    });

    // ---- first-boot setup ----
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    say('device', `${await text(page, '#device-name')} ${await text(page, '#device-version')}`);
    check(await page.isVisible('#setup'), 'a device that is not set up should show the setup panel');
    check(!(await page.isVisible('#login')), 'the login panel should wait until setup is done');
    say('setup shown', `session: ${await text(page, '#session-state')}`);
    let phone = await phoneOverflow(page);
    check(phone.overflow <= 0, `the setup panel is ${phone.overflow} px wider than a 375 px phone`);
    await phone.restore();

    await page.fill('#setup-passphrase', 'too short');
    await page.fill('#setup-passphrase-again', 'too short');
    await page.click('#setup-submit');
    await page.waitForFunction(() => document.getElementById('setup-status').dataset.state === 'failed');
    say('short refused', await text(page, '#setup-status'));
    check(/12 characters/.test(await text(page, '#setup-status')), 'a short passphrase should be refused by length');
    check(setupBodies.length === 0, 'a short passphrase was sent to the device');

    // The private half chosen by mistake never gets into the form.
    const privateKey = publicKey.replace(/-pub\.pem$/, '.pem');
    check(privateKey !== publicKey && fs.existsSync(privateKey), `no private key ${privateKey} beside ${publicKey}`);
    await page.setInputFiles('#setup-signing-key-file', privateKey);
    await page.waitForFunction(() => document.getElementById('setup-key-status').dataset.state === 'failed');
    say('private key', await text(page, '#setup-key-status'));
    check(/private key/.test(await text(page, '#setup-key-status')), 'choosing a private key should be refused');
    check(await page.inputValue('#setup-signing-key') === '', 'the private key reached the form');

    await page.fill('#setup-passphrase', PASSPHRASE);
    await page.fill('#setup-passphrase-again', PASSPHRASE);
    await page.setInputFiles('#setup-signing-key-file', publicKey);
    await page.waitForFunction(() => document.getElementById('setup-signing-key').value.startsWith('-----BEGIN PUBLIC'));
    await page.click('#setup-submit');
    await page.waitForFunction(() => document.getElementById('session-state').dataset.state === 'in');
    check(!(await page.isVisible('#setup')), 'the setup panel should be gone after setup');
    check(!(await page.isVisible('#login')), 'setup should leave the page logged in');
    const sent = JSON.parse(setupBodies[0]);
    say('setup sent', `${Object.keys(sent).join(', ')}; admin_key ${sent.admin_key.slice(0, 16)}…`);
    check(sent.admin_key === ADMIN_KEY_HEX, `admin_key is not SHA-256("airswd-admin-v1:" + passphrase): ${sent.admin_key}`);
    check(!setupBodies[0].includes(PASSPHRASE), 'the passphrase itself was sent to the device');
    check(sent.signing_key && sent.signing_key.trim() === fs.readFileSync(publicKey, 'utf8').trim(),
      'the signing key sent is not the public key file chosen');
    const stored = await page.evaluate(() => Object.values(sessionStorage));
    check(stored.includes(ADMIN_KEY_HEX) && !stored.some((value) => value.includes(PASSPHRASE)),
      `the tab should keep K and never the passphrase; sessionStorage holds ${JSON.stringify(stored)}`);
    say('session', `${await text(page, '#session-state')}; sessionStorage keeps K, not the passphrase`);

    const device = await (await fetch(new URL('api/v1/device', url))).json();
    const policyLine = await text(page, '#upload-policy');
    say('upload policy', policyLine);
    check(device.policy.signed_only && device.policy.trusted_keys.length === 1,
      `after setup with a key the device should be signed-only with one key: ${JSON.stringify(device.policy)}`);
    check(/Signed images only/.test(policyLine), 'the upload zone should say that it takes signed images only');
    for (const id of device.policy.trusted_keys) check(policyLine.includes(id), `the trusted key ${id} is not shown`);
    check(!(await page.isVisible('#debug-banner')), 'the debug banner shows while debug mode is off');

    await page.waitForFunction(() => document.getElementById('events-state').dataset.state === 'open');
    say('events', await text(page, '#events-state'));

    // ---- a signed request whose first nonce is stale is signed again with a new one ----
    let nonces = 0;
    page.on('request', (request) => { if (request.url().endsWith('/api/v1/auth/nonce')) nonces++; });
    await page.route('**/api/v1/auth/nonce', (route) => route.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify({ nonce: 'f00d'.repeat(8), lifetime_s: 60 }) }), { times: 1 });
    // The browser reports an answer apart from what the page does with it: under load the page may have shown the
    // target before the refusal of its first try has been reported here.
    const staleRefusal = page.waitForResponse((response) => response.status() === 401 &&
      new URL(response.url()).pathname === '/api/v1/target');
    say('target', await identify(page));
    check(nonces === 2, `identify should have fetched 2 nonces (a stale one, then a good one), it fetched ${nonces}`);
    await staleRefusal;
    await refusalsSettled();
    check(refusals.includes('401 GET /api/v1/target stale-nonce'),
      `the made-up nonce was not refused as stale; the refusals so far: ${refusals.join('; ')}`);
    say('stale nonce', 'refused once (401 stale-nonce), signed again with a new nonce: 200');

    // ---- a plain firmware is refused while debug mode is off ----
    await page.setInputFiles('#file-input', firmware);
    let upload = await waitUpload(page, path.basename(firmware));
    say('plain upload', `${upload.state}: ${upload.text}`);
    check(upload.state === 'failed', 'a plain ELF was stored by a device that flashes signed images only');
    check(/image-unsigned/.test(upload.text) && /signed images only/.test(upload.text),
      'the refusal next to the upload zone should carry the device\'s error and detail');
    check(/image-unsigned/.test(await page.locator('#errors li').last().innerText()),
      'the refusal should also be in the error list');

    // ---- a signed container, dropped on the zone ----
    await dropFile(page, container);
    upload = await waitUpload(page, path.basename(container));
    say('container', `${upload.state}: ${upload.text}`);
    check(upload.state === 'done', `the signed container was not stored: ${upload.text}`);
    check(/container/.test(upload.text), 'the container should be stored as format container');
    say('upload bar', `${await page.getAttribute('#upload-progress', 'aria-valuenow')}%`);
    check(await page.getAttribute('#upload-progress', 'aria-valuenow') === '100', 'the upload bar is not at 100%');

    await page.click('#flash-uploaded');
    // Sample the bar while the job runs, to show that it moved and did not only jump to the end.
    const seen = new Set();
    const sampler = setInterval(() => {
      page.getAttribute('#progress', 'aria-valuenow').then((value) => seen.add(value)).catch(() => {});
    }, 50);
    await page.waitForFunction(() => ['done', 'failed', 'cancelled']
      .includes(document.getElementById('job-state').textContent.trim()));
    clearInterval(sampler);
    const jobState = await text(page, '#job-state');
    say('job', `${await text(page, '#job-name')} ${jobState}`);
    check(jobState === 'done', `the job ended ${jobState}: ${await text(page, '#job-error')}`);
    await page.waitForFunction(() => document.getElementById('progress').getAttribute('aria-valuenow') === '100');
    say('progress bar', `${await page.getAttribute('#progress', 'aria-valuenow')}% (values seen: ${[...seen].join(' ')})`);
    await page.waitForFunction(() => document.querySelector('#job-result .phases'));
    say('result', oneLine(await text(page, '#job-result')));
    await page.waitForFunction(() => document.querySelector('#images-body tr[data-state="current"]'));
    say('images', oneLine(await text(page, '#images-body')));
    await page.waitForFunction(() => document.getElementById('log').children.length >= 2);
    const logLines = await page.locator('#log li').allInnerTexts();
    say('log', `${logLines.length} lines, last: ${logLines[logLines.length - 1].replace(/\s+/g, ' ')}`);

    // An API error must reach the user: the current image cannot be deleted (409 conflict).
    page.once('dialog', (dialog) => dialog.accept());
    const errorsBefore = await page.locator('#errors li').count();
    await page.click('#images-body tr[data-state="current"] [data-testid^="delete-image-"]');
    await page.waitForFunction((count) => document.querySelectorAll('#errors li').length > count, errorsBefore);
    const shownError = await page.locator('#errors li').last().innerText();
    say('error shown', shownError.replace(/\s*×\s*$/, ''));
    check(/conflict/.test(shownError), `expected a conflict error, saw: ${shownError}`);

    // ---- debug mode: on from the settings, the banner, a plain binary accepted, off again ----
    await page.click('#debug-toggle');
    await page.waitForSelector('#debug-banner', { state: 'visible' });
    await page.waitForFunction(() => document.getElementById('upload-policy').dataset.policy === 'plain-allowed');
    say('debug on', `${oneLine(await text(page, '#debug-banner'))} [settings: ${await text(page, '#debug-state')}]`);
    check(await text(page, '#debug-state') === 'on', 'the settings do not show debug mode on');
    const debugDevice = await (await fetch(new URL('api/v1/device', url))).json();
    check(debugDevice.debug_mode === true, 'the device is not in debug mode after the toggle');
    const binary = firmware.replace(/\.elf$/, '.bin');
    if (binary !== firmware && fs.existsSync(binary)) {
      await dropFile(page, binary);
      upload = await waitUpload(page, path.basename(binary));
      say('dropped', `${upload.state}: ${upload.text}`);
      check(upload.state === 'done', `debug mode should take a plain binary: ${upload.text}`);
      const row = page.locator('#images-body tr', { hasText: path.basename(binary) });
      const rowText = (await row.innerText()).replace(/\s+/g, ' ');
      say('dropped image', rowText);
      check(/bin at 0x08000000/.test(rowText), `the dropped binary is listed as: ${rowText}`);
    }

    // ---- an image one byte larger than the room beside the current image: 507, a confirm, no_rollback ----
    const store = (await (await fetch(new URL('api/v1/device', url))).json()).store;
    say('store', JSON.stringify(store));
    check(store.room < store.capacity && store.room + 1 <= store.room_without_rollback,
      `the store should have room for a larger image only without its rollback copy: ${JSON.stringify(store)}`);
    const noRoom = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'airswd-page-')), 'no-room.bin');
    fs.writeFileSync(noRoom, crypto.randomBytes(store.room + 1));
    const uploads = [];
    const noteUpload = (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/images') uploads.push(request.url());
    };
    page.on('request', noteUpload);
    let question = null;
    page.once('dialog', (dialog) => {
      question = dialog.message();
      dialog.accept();
    });
    await dropFile(page, noRoom);
    upload = await waitUpload(page, 'no-room.bin');
    page.off('request', noteUpload);
    say('no room', `asked "${oneLine(question || '(nothing)')}"; then ${upload.state}: ${upload.text}`);
    check(question && /no_rollback/.test(question) && /without a rollback copy/.test(question),
      'the page should show the device\'s sentence and ask whether to give up the rollback copy');
    check(uploads.length === 2 && !/no_rollback/.test(uploads[0]) && /[?&]no_rollback=1(&|$)/.test(uploads[1]),
      `the upload should be sent again with no_rollback=1 once the user agreed: ${uploads.join(', ')}`);
    check(upload.state === 'done' && /without a rollback copy/.test(upload.text),
      `the upload without the rollback copy was not stored: ${upload.text}`);
    await page.screenshot({ path: screenshot.replace(/\.png$/, '-debug.png'), fullPage: true });
    say('screenshot', screenshot.replace(/\.png$/, '-debug.png'));
    await page.click('#debug-toggle');
    await page.waitForSelector('#debug-banner', { state: 'hidden' });
    await page.waitForFunction(() => document.getElementById('upload-policy').dataset.policy === 'signed-only');
    say('debug off', `banner hidden, settings: ${await text(page, '#debug-state')}`);

    await page.screenshot({ path: screenshot, fullPage: true });
    say('screenshot', screenshot);
    phone = await phoneOverflow(page);
    const phoneShot = screenshot.replace(/\.png$/, '-phone.png');
    await page.screenshot({ path: phoneShot, fullPage: true });
    say('phone width', phone.overflow > 0 ? `${phone.overflow} px too wide` : 'fits 375 px');
    say('screenshot', phoneShot);
    if (phone.overflow > 0) problems.push(`the page is ${phone.overflow} px wider than a 375 px phone`);
    await phone.restore();

    // ---- log out, reload, wrong passphrases, the penalty, log in ----
    await page.click('#logout');
    await page.waitForSelector('#login', { state: 'visible' });
    check(await sessionState(page) === 'out', 'logging out should leave the page logged out');
    check((await page.evaluate(() => sessionStorage.length)) === 0, 'logging out should forget K');
    await reload(page);
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    check(await page.isVisible('#login') && !(await page.isVisible('#setup')),
      'after a reload a set-up device should ask for the passphrase, not for setup');
    say('logged out', `reloaded: ${await text(page, '#session-state')}, login asked`);

    for (let attempt = 1; attempt <= 3; attempt++) {
      const wrong = await logIn(page, WRONG_PASSPHRASE);
      say(`wrong (${attempt})`, `${wrong.state}: ${wrong.status}`);
      check(wrong.session === 'out' && /Wrong passphrase/.test(wrong.status),
        `a wrong passphrase should be refused as such (session ${wrong.session}, "${wrong.status}")`);
      check(await page.isVisible('#login'), 'the page should ask again after a wrong passphrase');
    }
    // The third bad MAC opened a penalty window: the next attempt is refused with 429 and the page shows the wait.
    const held = await logIn(page, WRONG_PASSPHRASE);
    say('throttled', `${held.state}: ${held.status}`);
    check(held.state === 'throttled' && /\d+ s/.test(held.status), `the penalty wait is not shown: "${held.status}"`);
    check(await page.isDisabled('#login-submit'), 'the login button should wait out the penalty');
    await page.waitForFunction(() => !document.getElementById('login-submit').disabled, undefined, { timeout: 70000 });
    const good = await logIn(page, PASSPHRASE);
    say('logged in', `${await text(page, '#session-state')}`);
    check(good.session === 'in' && !(await page.isVisible('#login')), `the right passphrase did not log in: ${good.status}`);
    check((await page.evaluate(() => Object.values(sessionStorage))).includes(ADMIN_KEY_HEX), 'K is not kept after login');

    // The key kept signs requests, also after a reload of the tab.
    await reload(page);
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    check(await sessionState(page) === 'in', 'a reload should keep the tab logged in');
    say('after reload', `${await text(page, '#session-state')}; identify: ${(await identify(page)).slice(0, 60)}…`);
    await refusalsSettled();
  } finally {
    await browser.close();
  }

  // Every failed answer was one this run provoked, and each provoked one happened.
  const expected = [/^401 GET \/api\/v1\/target stale-nonce$/,
    /^403 POST \/api\/v1\/images (image-unsigned|\(body not kept\))$/,
    /^401 GET \/api\/v1\/auth\/check bad-credentials$/, /^401 GET \/api\/v1\/auth\/check bad-credentials$/,
    /^401 GET \/api\/v1\/auth\/check bad-credentials$/, /^429 GET \/api\/v1\/auth\/check throttled$/,
    /^409 DELETE \/api\/v1\/images\/[1-9]\d* conflict$/,
    /^507 POST \/api\/v1\/images (no-room-for-rollback|\(body not kept\))$/];
  const unexpected = refusals.filter((line) => {
    const index = expected.findIndex((pattern) => pattern.test(line));
    if (index < 0) return true;
    expected.splice(index, 1);
    return false;
  });
  say('refusals', refusals.join('; '));
  if (unexpected.length) problems.push(`unexpected failed answers: ${unexpected.join('; ')}`);
  if (expected.length) problems.push(`refusals that should have happened and did not: ${expected.join('; ')}`);
  if (problems.length) throw new Error(problems.join('\n'));
}

main().then(() => {
  console.log('PASS');
}, (err) => {
  console.log(`FAIL: ${err.message}`);
  process.exit(1);
});
