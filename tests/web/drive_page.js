#!/usr/bin/env node
// Headless Chromium, driven by playwright-core, uses the web page of a device that is not set up yet, as its owner
// would: first-boot setup (a passphrase and the signing public key), a plain firmware refused, a signed container
// uploaded and flashed with the job succeeding and the progress bar at 100%, an API error on screen, debug mode and
// its banner, a plain binary taken while it is on, an image with no room beside the rollback copy (the device's
// sentence, a confirm, the upload again without the copy), logging out, wrong passphrases and the penalty that
// follows, and logging in again. It also checks that a stale nonce is retried, that the page sends the derived key and never the
// passphrase, that every failed HTTP answer was an expected one, that the page fits a phone, and saves screenshots.
// What else it checks depends on what GET /api/v1/device says the device has:
// - a board (the ESP8266, or mock_api.js --board): setup refused over its station network with the device's sentence,
//   then setup with a WiFi network whose name and password go to the board in a signed PUT, what to do next with the
//   address the device gets; the Board panel showing the network and the pins, a change, and a refusal;
// - firmware_update: the Programmer firmware panel uploads a signed container (the device restarts into it, and the
//   page waits for it to answer again, or keeps it) and shows the refusal of an older one;
// - neither: neither panel appears, and the board is never asked for.
//
// Usage: node drive_page.js URL FIRMWARE.elf CONTAINER.airswd SIGNING-PUB.pem SCREENSHOT.png PROGRAMMER.airswd
//        OLDER-PROGRAMMER.airswd [STATION-URL]
//        (the private key is expected beside the public one: SIGNING.pem, the page must refuse it; PROGRAMMER is
//        signed for esp8266 with security version 3, OLDER with 2; STATION-URL: where a device with a board answers
//        on its station network)
//        (playwright-core found through NODE_PATH; CHROMIUM overrides /usr/bin/chromium)
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { watchCspViolations, cspViolations } = require('./csp_watch.js');

const [url, firmware, container, publicKey, screenshot, programmer, olderProgrammer, stationUrl] =
  process.argv.slice(2);
// A container signed by a key the device does not trust at first, and that key's public half (test_web_page.sh).
const { STRANGER_CONTAINER, STRANGER_KEY } = process.env;
const TIMEOUT_MS = 30000;
const PAGE_RESTART_WAIT_MS = 90000;  // how long the page waits for a device that restarts
const RESTART_TIMEOUT_MS = PAGE_RESTART_WAIT_MS + 10000;
const PASSPHRASE = 'correct horse battery staple';
const WRONG_PASSPHRASE = 'incorrect horse battery staple';
// K as docs/auth.md defines it, computed here with node:crypto rather than with the page's auth.js, once the device's
// salt is known (main).
let ADMIN_KEY_HEX = null;
const adminKeyHex = (saltHex) => crypto.pbkdf2Sync(PASSPHRASE, Buffer.from(saltHex, 'hex'), 100000, 32, 'sha256')
  .toString('hex');
// The setup code, as the person with the device read it (test_web_page.sh: the daemon's or the mock's console).
const SETUP_CODE = process.env.SETUP_CODE || '';
// A WiFi network whose name and password need escaping in JSON and are not ASCII.
const WIFI = { ssid: 'workshop "2.4 GHz" ü', password: 'pa55 w0rd \\ "é"' };
const PROGRAMMER_VERSION = 3;

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
// The upload zone's status is set back to idle first, so that waitUpload sees this file's outcome, not the one
// before it (the same file dropped twice would otherwise match at once).
async function dropFile(page, file) {
  const bytes = [...fs.readFileSync(file)];
  await page.evaluate(() => { document.getElementById('upload-status').dataset.state = 'idle'; });
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

const sha256Hex = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const macHex = (method, pathname, nonce, bodyHash) => crypto.createHmac('sha256', Buffer.from(ADMIN_KEY_HEX, 'hex'))
  .update(`${method}\n${pathname}\n${nonce}\n${bodyHash}`).digest('hex');

// Checks that a request the page sent carries the signature of docs/auth.md over these bytes.
function checkSigned(what, method, pathname, authorization, body) {
  const match = /^AIRSWD-HMAC-SHA256 nonce=([0-9a-f]{32}), body=([0-9a-f]{64}), mac=([0-9a-f]{64})$/
    .exec(authorization || '');
  check(match, `${what} was not signed (Authorization: ${authorization})`);
  check(match[2] === sha256Hex(body), `${what}: the body hash signed is not the SHA-256 of the body sent`);
  check(match[3] === macHex(method, pathname, match[1], match[2]), `${what}: the MAC is not HMAC(K, m)`);
}

// A GET from node, sent again once when the connection failed: with the ESP8266's two connections the device closes
// an idle kept-alive one to make room (src/net/http_eviction.c), and node may reuse that socket as it closes.
async function getOnce(target, options) {
  try {
    return await fetch(target, options);
  } catch (error) {
    return fetch(target, options);
  }
}

// A signed GET, computed here (not by the page): what the device says, to compare the page with.
async function signedGet(pathname) {
  const { nonce } = await (await getOnce(new URL('api/v1/auth/nonce', url))).json();
  const bodyHash = sha256Hex('');
  const response = await getOnce(new URL(pathname.slice(1), url), { headers: {
    Authorization: `AIRSWD-HMAC-SHA256 nonce=${nonce}, body=${bodyHash}, mac=${macHex('GET', pathname, nonce, bodyHash)}`,
  } });
  check(response.ok, `GET ${pathname} signed here: HTTP ${response.status}`);
  return response.json();
}

// GET /api/v1/device unsigned: the summary anyone reads.
async function deviceSummary() {
  return (await getOnce(new URL('api/v1/device', url))).json();
}

async function logIn(page, passphrase) {
  await page.fill('#login-passphrase', passphrase);
  await page.click('#login-submit');
  await page.waitForFunction(() => !['checking', 'idle'].includes(document.getElementById('login-status').dataset.state)
    || document.getElementById('session-state').dataset.state === 'in');
  return { session: await sessionState(page), state: await page.getAttribute('#login-status', 'data-state'),
    status: await text(page, '#login-status') };
}

// A device with a board may refuse setup by where it comes from (the ESP8266 takes it from its own access point only,
// within 10 minutes of power-on): over its station network the page shows the device's sentence.
async function checkSetupClosed(page, setupBodies) {
  check(stationUrl, 'a device with a board: the URL of its station network is missing');
  await page.goto(stationUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
  check(await page.isVisible('#setup-wifi'), 'the setup of a device with a board should ask for its WiFi network');
  check(await page.inputValue('#setup-code') === '', 'the station network should not show the setup code');
  await page.fill('#setup-code', SETUP_CODE);  // read from the serial log
  await page.fill('#setup-passphrase', PASSPHRASE);
  await page.fill('#setup-passphrase-again', PASSPHRASE);
  await page.click('#setup-submit');
  await page.waitForFunction(() => document.getElementById('setup-status').dataset.state === 'failed');
  const shown = await text(page, '#setup-status');
  say('setup closed', shown);
  // The device's own answer, asked here: the page must show its sentence.
  const answer = await (await fetch(new URL('api/v1/setup', stationUrl), { method: 'POST', body: '{}' })).json();
  check(answer.error === 'setup-closed' && shown.includes(answer.detail),
    `the page should show the device's sentence "${answer.detail}"`);
  check(setupBodies.length === 1 && await sessionState(page) === 'setup',
    'a refused setup should have been sent once and leave the device wanting setup');
  setupBodies.length = 0;
}

// After setup with a WiFi network: the board got it in one signed PUT, and the page says what to do next: the
// device's name on that network and, once it has joined, the address it got there.
async function checkWifiAfterSetup(page, boardPuts) {
  await page.waitForSelector('#next-steps', { state: 'visible' });
  await page.waitForFunction(() => {
    const line = document.getElementById('next-steps-address');
    return line && line.dataset.state !== 'joining';
  });
  check(boardPuts.length === 1, `setup should send the WiFi network in one PUT /api/v1/board, not ${boardPuts.length}`);
  const put = boardPuts[0];
  say('wifi sent', put.body);
  const sent = JSON.parse(put.body);
  check(sent.wifi_ssid === WIFI.ssid && sent.wifi_password === WIFI.password && Object.keys(sent).length === 2,
    `the PUT should carry the network's name and password, and only them: ${put.body}`);
  checkSigned('the PUT of the WiFi network', 'PUT', '/api/v1/board', put.authorization, put.body);
  const boardState = await signedGet('/api/v1/board');
  check(boardState.wifi_ssid === WIFI.ssid, `the board has the network "${boardState.wifi_ssid}"`);
  const next = oneLine(await text(page, '#next-steps-text'));
  say('next steps', next);
  check(next.includes(`//${boardState.network.hostname}.local/`), 'the next steps should give the device\'s name');
  check(await page.getAttribute('#next-steps-address', 'data-state') === 'joined' &&
    next.includes(boardState.network.station_address), `the next steps should give the address the device got`);
}

// Clicks Save in the Board panel: the device's answer to the PUT and what the panel says.
async function saveBoard(page) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/board')),
    page.click('#board-save'),
  ]);
  await page.waitForFunction(() => ['done', 'failed'].includes(document.getElementById('board-status').dataset.state));
  return { answer: await response.json(), state: await page.getAttribute('#board-status', 'data-state'),
    text: await text(page, '#board-status') };
}

// The Board panel: what the device says of its network and pins; a change (only what changed is sent, the password
// only when one is typed); a refusal of the device, shown as its sentence, that changes nothing.
async function checkBoardPanel(page, boardPuts) {
  await page.waitForSelector('#board', { state: 'visible' });
  const before = await signedGet('/api/v1/board');
  const network = before.network;
  const pinText = (gpio) => (gpio === null ? 'not wired' : `GPIO${gpio}`);
  const facts = oneLine(await text(page, '#board-network'));
  say('board panel', facts);
  for (const shown of [before.wifi_ssid, `connected to ${before.wifi_ssid}`, network.station_address,
    `${network.hostname}.local`, `${network.rssi} dBm`, `SWCLK ${pinText(before.pin_swclk)}`,
    `SWDIO ${pinText(before.pin_swdio)}`, `NRST ${pinText(before.pin_nrst)}`, `BOOT0 ${pinText(before.pin_boot0)}`]) {
    check(facts.includes(shown), `the Board panel does not show "${shown}"`);
  }
  for (const pin of ['swclk', 'swdio', 'nrst', 'boot0']) {
    const gpio = before[`pin_${pin}`];
    check(await page.inputValue(`#board-pin-${pin}`) === (gpio === null ? '' : String(gpio)),
      `the ${pin} field does not hold the device's GPIO ${gpio}`);
  }
  check(await page.inputValue('#board-wifi-ssid') === before.wifi_ssid, 'the network field is not the device\'s');
  check(await page.inputValue('#board-wifi-password') === '', 'the password field should start empty');

  // Another network with its password, SWCLK on another GPIO, BOOT0 not wired.
  const change = { wifi_ssid: 'lab', wifi_password: 'another password', pin_swclk: before.pin_swclk === 12 ? 15 : 12,
    pin_boot0: null };
  await page.fill('#board-wifi-ssid', change.wifi_ssid);
  await page.fill('#board-wifi-password', change.wifi_password);
  await page.fill('#board-pin-swclk', String(change.pin_swclk));
  await page.fill('#board-pin-boot0', '');
  let saved = await saveBoard(page);
  say('board change', `${boardPuts[boardPuts.length - 1].body} -> ${saved.state}: ${saved.text}`);
  check(saved.state === 'done' && saved.text.includes(`joins “${change.wifi_ssid}”`),
    'a new network should be saved, with a word on the device reconnecting');
  const put = boardPuts[boardPuts.length - 1];
  const sorted = (object) => JSON.stringify(Object.entries(object).sort());
  check(sorted(JSON.parse(put.body)) === sorted(change), `the PUT should carry the changes only: ${put.body}`);
  checkSigned('the PUT of the board settings', 'PUT', '/api/v1/board', put.authorization, put.body);
  const after = await signedGet('/api/v1/board');
  check(after.wifi_ssid === change.wifi_ssid && after.pin_swclk === change.pin_swclk && after.pin_boot0 === null &&
    after.pin_swdio === before.pin_swdio, `the device did not take the change: ${JSON.stringify(after)}`);
  check(await page.inputValue('#board-wifi-password') === '', 'the password should not stay in the form');

  // SWCLK on a pin of the SPI flash: the device refuses it, with its sentence, and the password is not sent again.
  const errorsBefore = await page.locator('#errors li').count();
  await page.fill('#board-pin-swclk', '6');
  saved = await saveBoard(page);
  say('board refused', `${boardPuts[boardPuts.length - 1].body} -> ${saved.text}`);
  check(saved.state === 'failed' && saved.answer.detail && saved.text.includes(saved.answer.detail),
    `the panel should show the device's refusal "${saved.answer.detail}"`);
  check(boardPuts[boardPuts.length - 1].body === '{"pin_swclk":6}', 'only the pin should be sent, no password');
  check(await page.locator('#errors li').count() === errorsBefore, 'the refusal should be shown once, in the panel');
  check((await signedGet('/api/v1/board')).pin_swclk === change.pin_swclk, 'a refused change changed the board');
}

// Waits up to 30 s for the device to answer with an uptime that started over since before (GET /api/v1/device's
// answer at the time since).
async function deviceRestarted(before, since) {
  let last = 'no answer';
  while (Date.now() - since < 30000) {
    try {
      const device = await signedGet('/api/v1/device');
      if (device.uptime_s < before.uptime_s + (Date.now() - since) / 1000 - 1) return device;
      last = `up ${device.uptime_s} s`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the device did not restart, or did not come back (${last})`);
}

// A device that does not answer after restarting into its new firmware: the page says so once its 90 s are over, and
// what the user can do. In a tab of its own whose clock is Playwright's, so that the 90 s pass at once, and where
// every GET /api/v1/device fails from the upload on.
async function checkRestartNotAnswered(browser, restart) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const scriptErrors = [];
    page.on('pageerror', (err) => scriptErrors.push(err.message));
    await page.clock.install();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    const login = await logIn(page, PASSPHRASE);
    check(login.session === 'in', `the second tab did not log in: ${login.status}`);
    await page.waitForSelector('#programmer', { state: 'visible' });
    let cut = false;
    page.on('request', (request) => { if (new URL(request.url()).pathname === '/api/v1/firmware') cut = true; });
    await page.route('**/api/v1/device', (route) => (cut ? route.abort('connectionrefused') : route.continue()));
    await page.setInputFiles('#firmware-file', programmer);
    restart.underway = true;
    const before = await signedGet('/api/v1/device');
    const sent = Date.now();
    await page.click('#firmware-update');
    await page.waitForFunction(() => document.getElementById('firmware-status').dataset.state === 'restarting');
    await page.clock.runFor(PAGE_RESTART_WAIT_MS + 1000);
    await page.waitForFunction(() => document.getElementById('firmware-status').dataset.state === 'failed');
    const shown = await text(page, '#firmware-status');
    say('not back', shown);
    check(shown.includes(`did not answer again within ${PAGE_RESTART_WAIT_MS / 1000} s`) &&
      /previous one after a minute/.test(shown) && /power it off and on/.test(shown),
    'the page should say that the device did not come back, and what to do');
    check(!scriptErrors.length, `script errors in the second tab: ${scriptErrors.join('; ')}`);
    await deviceRestarted(before, sent);  // it did restart, for the tabs that follow it
  } finally {
    restart.underway = false;
    await context.close();
  }
}

// The Programmer firmware panel: a container signed for the programmer, uploaded signed and checked by the device,
// which either restarts into it (the page waits for it to answer again, its uptime started over) or keeps it
// (airswdd); on a device that restarts, one that does not come back (checkRestartNotAnswered); then an older one,
// refused with the device's sentence.
async function checkFirmwareUpdate(page, browser, firmwarePosts, restart, mustRestart) {
  await page.waitForSelector('#programmer', { state: 'visible' });
  const before = await signedGet('/api/v1/device');
  const sent = Date.now();
  await page.setInputFiles('#firmware-file', programmer);
  restart.underway = true;
  await page.click('#firmware-update');
  await page.waitForFunction(() => ['done', 'failed'].includes(document.getElementById('firmware-status').dataset.state),
    undefined, { timeout: RESTART_TIMEOUT_MS });
  restart.underway = false;
  const shown = await text(page, '#firmware-status');
  say('firmware', `${shown} (${((Date.now() - sent) / 1000).toFixed(1)} s)`);
  check(await page.getAttribute('#firmware-status', 'data-state') === 'done' &&
    shown.includes(`security version ${PROGRAMMER_VERSION}`), 'the signed programmer firmware should be taken');
  check(firmwarePosts.length === 1, `the firmware should be sent once, not ${firmwarePosts.length} times`);
  checkSigned('the firmware upload', 'POST', '/api/v1/firmware', firmwarePosts[0], fs.readFileSync(programmer));
  check(await page.getAttribute('#firmware-progress', 'aria-valuenow') === '100', 'the firmware bar is not at 100%');
  const after = await signedGet('/api/v1/device');
  const restarted = after.uptime_s + 2 < before.uptime_s + (Date.now() - sent) / 1000;
  if (restarted) {
    check(shown.includes(`running version ${after.version}`), 'the page should say the device is back, with its version');
    check(await text(page, '#device-version') === `v${after.version}`, 'the header should show the new version');
  } else {
    check(!mustRestart, 'a device with a board restarts into its new firmware');
    check(/update slot/.test(shown), 'the page should say that the device keeps the firmware without restarting');
  }
  say('device', `${restarted ? 'restarted' : 'kept running'}: v${after.version}, up ${after.uptime_s} s`);
  if (restarted) await checkRestartNotAnswered(browser, restart);

  const errorsBefore = await page.locator('#errors li').count();
  await page.setInputFiles('#firmware-file', olderProgrammer);
  await page.click('#firmware-update');
  await page.waitForFunction(() => document.getElementById('firmware-status').dataset.state === 'failed');
  const refused = await text(page, '#firmware-status');
  say('older firmware', refused);
  check(/image-rollback/.test(refused) && refused.includes(`older than the minimum ${PROGRAMMER_VERSION}`),
    'an older programmer firmware should be refused with the device\'s sentence');
  check(await page.locator('#errors li').count() === errorsBefore, 'the refusal should be shown once, in the panel');
}

// Runs a job from a button (accepting the confirm it asks for, when asks): the job's state once it has ended, and
// its panel's text.
async function runJobFrom(page, selector, asks) {
  const before = await text(page, '#job-name');
  if (asks) page.once('dialog', (dialog) => dialog.accept());
  await page.click(selector);
  await page.waitForFunction((name) => document.getElementById('job-name').textContent.trim() !== name &&
    ['done', 'failed', 'cancelled'].includes(document.getElementById('job-state').textContent.trim()), before);
  // A failure's words come with the job's record, read once its end was announced.
  await page.waitForFunction(() => document.getElementById('job-state').textContent.trim() !== 'failed' ||
    document.getElementById('job-error').textContent.trim() !== '');
  return { state: await text(page, '#job-state'), name: await text(page, '#job-name'),
    error: oneLine(await text(page, '#job-error')) };
}

// Settings: the SWD clock and connect under reset saved by a signed PUT and kept by the device, the clock shown in
// the Device panel; a negative clock that the form does not send; then the settings as they were.
async function checkSettings(page, settingsPuts) {
  const before = await signedGet('/api/v1/settings');
  const save = async () => {
    await page.evaluate(() => { document.getElementById('settings-status').textContent = ''; });
    await page.click('#settings-save');
    await page.waitForFunction(() => /^(Saved|Not saved)/.test(document.getElementById('settings-status').textContent));
    return text(page, '#settings-status');
  };
  await page.fill('#set-swclk', '1000000');
  await page.check('#set-connect-under-reset');
  check(await page.inputValue('#set-transport') === before.transport,
    `the Programmer choice shows ${await page.inputValue('#set-transport')}, the device says ${before.transport}`);
  await page.selectOption('#set-transport', 'auto');
  let saved = await save();
  const after = await signedGet('/api/v1/settings');
  say('settings', `${saved} ${JSON.stringify(after)}`);
  check(saved === 'Saved.' && after.swclk_hz === 1000000 && after.connect_under_reset === true &&
    after.transport === 'auto',
    'the device did not take the SWD clock, connect under reset and the transport from the Settings panel');
  checkSigned('the PUT of the settings', 'PUT', '/api/v1/settings', settingsPuts[settingsPuts.length - 1].authorization,
    settingsPuts[settingsPuts.length - 1].body);
  await page.waitForFunction(() => document.getElementById('device-info').textContent.includes('1.00 MHz'));
  const puts = settingsPuts.length;
  // The form's own rules (a whole number, 0 or more) keep a negative clock from being sent.
  await page.fill('#set-swclk', '-5');
  await page.click('#settings-save');
  await page.waitForTimeout(300);
  check(!(await page.$eval('#set-swclk', (input) => input.validity.valid)) && settingsPuts.length === puts,
    'a negative clock should be refused by the page, not sent');
  await page.fill('#set-swclk', String(before.swclk_hz));
  await page.uncheck('#set-connect-under-reset');
  await page.selectOption('#set-transport', before.transport);
  saved = await save();
  const restored = await signedGet('/api/v1/settings');
  check(saved === 'Saved.' && restored.swclk_hz === before.swclk_hz && !restored.connect_under_reset &&
    restored.transport === before.transport,
    `the settings were not put back: ${JSON.stringify(restored)}`);
}

// Waits for the Keys panel to say how its change went; [state, text].
async function keysOutcome(page, action) {
  await page.evaluate(() => { document.getElementById('keys-status').dataset.state = 'idle'; });
  await action();
  await page.waitForFunction(() => ['done', 'failed'].includes(document.getElementById('keys-status').dataset.state));
  return [await page.getAttribute('#keys-status', 'data-state'), await text(page, '#keys-status')];
}

// Keys: the trusted keys listed as the device has them; a stranger's container refused at the upload (one message,
// by the zone, and the store without it), its key trusted from a file, the container then taken and deleted, the key
// removed; the image key checked here when it is not 32 hex digits, installed, then replaced.
async function checkKeys(page, imageKeyPuts) {
  await page.waitForSelector('#keys', { state: 'visible' });
  const policy = (await signedGet('/api/v1/device')).policy;
  const listed = () => page.locator('#key-list li[data-key-id]').evaluateAll((items) =>
    items.map((item) => item.dataset.keyId));
  check(JSON.stringify(await listed()) === JSON.stringify(policy.trusted_keys),
    `the Keys panel lists ${await listed()}, the device trusts ${policy.trusted_keys}`);
  const stranger = path.basename(STRANGER_CONTAINER);
  const errorsBefore = await page.locator('#errors li').count();
  await dropFile(page, STRANGER_CONTAINER);
  let upload = await waitUpload(page, stranger);
  say('stranger', `${upload.state}: ${upload.text}`);
  check(upload.state === 'failed' && /image-untrusted-key/.test(upload.text) && /does not trust/.test(upload.text),
    'a container signed by a key the device does not trust should be refused at the upload');
  check(await page.locator('#errors li').count() === errorsBefore, 'the refusal should be shown once, by the zone');
  check(!(await signedGet('/api/v1/images')).some((image) => image.name === stranger), 'the store kept it');

  await page.setInputFiles('#key-add-file', STRANGER_KEY);
  await page.waitForFunction(() => document.getElementById('key-add-text').value.startsWith('-----BEGIN PUBLIC'));
  let [outcome, shown] = await keysOutcome(page, () => page.click('#key-add'));
  const trusted = (await signedGet('/api/v1/device')).policy.trusted_keys;
  const added = trusted.filter((id) => !policy.trusted_keys.includes(id));
  say('key added', `${shown} (${trusted.join(', ')})`);
  check(outcome === 'done' && added.length === 1 && shown.includes(added[0]), 'the key was not trusted');
  check(JSON.stringify(await listed()) === JSON.stringify(trusted), 'the Keys panel does not list the new key');
  await dropFile(page, STRANGER_CONTAINER);
  upload = await waitUpload(page, stranger);
  check(upload.state === 'done', `once its key is trusted the container should be taken: ${upload.text}`);
  const image = (await signedGet('/api/v1/images')).find((entry) => entry.name === stranger);
  page.once('dialog', (dialog) => dialog.accept());
  await page.click(`[data-testid="delete-image-${image.id}"]`);
  await page.waitForFunction((id) => !document.querySelector(`#images-body tr[data-image-id="${id}"]`), image.id);
  check(!(await page.locator('#errors li[data-topic="delete"]').count()),
    'the refused delete of the current image should leave the list once a delete succeeded');

  [outcome, shown] = await keysOutcome(page, async () => {
    page.once('dialog', (dialog) => dialog.accept());
    await page.click(`[data-testid="remove-key-${added[0]}"]`);
  });
  say('key removed', shown);
  check(outcome === 'done' && JSON.stringify((await signedGet('/api/v1/device')).policy.trusted_keys) ===
    JSON.stringify(policy.trusted_keys) && JSON.stringify(await listed()) === JSON.stringify(policy.trusted_keys),
  'the stranger\'s key was not removed');

  await page.fill('#image-key', '0123');
  [outcome, shown] = await keysOutcome(page, () => page.click('#image-key-save'));
  check(outcome === 'failed' && /32 hex digits/.test(shown) && !imageKeyPuts.length,
    'an image key that is not 32 hex digits should be refused here');
  for (const label of ['Install', 'Replace']) {
    check(await text(page, '#image-key-save') === label, `the image key button should say ${label}`);
    const key = crypto.randomBytes(16).toString('hex');
    await page.fill('#image-key', key);
    [outcome, shown] = await keysOutcome(page, () => page.click('#image-key-save'));
    const put = imageKeyPuts[imageKeyPuts.length - 1];
    say('image key', `${label}: ${shown}`);
    check(outcome === 'done' && put && put.body === JSON.stringify({ image_key: key }),
      `the image key was not sent: ${put && put.body}`);
    checkSigned('the PUT of the image key', 'PUT', '/api/v1/image-key', put.authorization, put.body);
    check((await signedGet('/api/v1/device')).policy.image_key === true, 'the device has no image key');
    check(await page.inputValue('#image-key') === '', 'the image key should not stay in the form');
  }
}

// The target's actions that need no debug mode: verify against the flashed container, reset.
async function checkTargetActions(page) {
  const current = (await signedGet('/api/v1/images')).find((image) => image.state === 'current');
  await page.selectOption('#verify-image', String(current.id));
  let job = await runJobFrom(page, '#target-verify');
  say('verify', `${job.name} ${job.state}`);
  check(job.state === 'done' && /verify/.test(job.name), `the verify job ended ${job.state}: ${job.error}`);
  job = await runJobFrom(page, '#target-reset');
  say('reset', `${job.name} ${job.state}`);
  check(job.state === 'done' && /reset/.test(job.name), `the reset job ended ${job.state}: ${job.error}`);
}

// In debug mode: the flash read to a file (the download holds what was flashed, the read image leaves the store),
// then erased, after which a verify fails and says where.
async function checkReadAndErase(page, binary) {
  const flashed = fs.readFileSync(binary);
  const imagesBefore = (await signedGet('/api/v1/images')).length;
  await page.fill('#read-address', '0x08000000');
  await page.fill('#read-length', String(flashed.length));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#target-read')]);
  const bytes = fs.readFileSync(await download.path());
  say('read', `${download.suggestedFilename()}: ${bytes.length} bytes; ${await text(page, '#target-status')}`);
  check(bytes.equals(flashed), 'the file read from the target is not the firmware flashed');
  await page.waitForFunction((count) => document.querySelectorAll('#images-body tr[data-image-id]').length === count,
    imagesBefore);
  check((await signedGet('/api/v1/images')).length === imagesBefore, 'the read image should leave the store');
  let job = await runJobFrom(page, '#target-erase', true);
  say('erase', `${job.name} ${job.state}`);
  check(job.state === 'done', `the erase job ended ${job.state}: ${job.error}`);
  job = await runJobFrom(page, '#target-verify');
  say('verify erased', `${job.state}: ${job.error}`);
  check(job.state === 'failed' && /flash-differs/.test(job.error) && /flash at 0x0800/.test(job.error),
    'a verify after the erase should fail and say where the flash differs');
}

async function main() {
  if (!url || !firmware || !container || !publicKey || !screenshot || !programmer || !olderProgrammer) {
    throw new Error('usage: node drive_page.js URL FIRMWARE CONTAINER SIGNING-PUB.pem SCREENSHOT.png PROGRAMMER ' +
      'OLDER-PROGRAMMER [STATION-URL]');
  }
  // Before setup the summary is all there is to read: whether the device has a board (setup then asks for its WiFi).
  const device0 = await deviceSummary();
  check(device0.auth && /^[0-9a-f]{32}$/.test(device0.auth.salt || ''), 'GET /api/v1/device should serve the salt');
  ADMIN_KEY_HEX = adminKeyHex(device0.auth.salt);
  check(SETUP_CODE, 'no setup code in $SETUP_CODE');
  const board = device0.board === true;
  let firmwareUpdate = false;  // the device in full says it, after setup
  say('device has', `${board ? 'a board' : 'no board'} (its summary: ${Object.keys(device0).join(', ')})`);
  const origins = [new URL(url).origin].concat(stationUrl ? [new URL(stationUrl).origin] : []);
  // The refusals the panels of a board and of the firmware provoke.
  const provokedByPanels = [];
  if (board) provokedByPanels.push(/^403 POST \/api\/v1\/setup setup-closed$/, /^400 PUT \/api\/v1\/board bad-request$/);
  else provokedByPanels.push(/^403 POST \/api\/v1\/setup wrong-setup-code$/);
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
  let lateWrongAttempts = 0;  // wrong passphrases that came after the penalty window they were meant for
  const refusalsSettled = () => Promise.all(pendingRefusals);
  const setupBodies = [];
  // The page's GETs of the device and its work, with their Authorization: after setup every one but the device's
  // summary must be signed (the device answers them to signed requests only).
  const workReads = [];
  const boardPuts = [];      // {body, authorization} of each PUT /api/v1/board
  const firmwarePosts = [];  // the Authorization of each POST /api/v1/firmware
  const settingsPuts = [];   // {body, authorization} of each PUT /api/v1/settings
  const imageKeyPuts = [];   // and of each PUT /api/v1/image-key
  let boardRequests = 0;
  const restart = { underway: false };  // while the device restarts, its connections drop
  // Each reload starts a new generation of the page: a request the previous one had in flight is cut, and Chromium
  // may report it only after the reload returned.
  // A request issued while the reload is under way may still belong to the page being torn down: it counts as the
  // previous generation's.
  let generation = 0;
  let reloading = false;
  let closing = false;  // the browser closes at the end: what it still had in flight is cut, not failed
  const issuedIn = new WeakMap();
  const reload = async (page) => {
    generation++;
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
    // The device's Content-Security-Policy: whatever the page does must stay within it (a refusal is also logged on
    // the console, which the listener below turns into a problem).
    await watchCspViolations(context);
    page.on('console', (message) => {
      // Chromium logs each failed answer; those are checked one by one through the responses below. A device that
      // restarts drops its connections.
      const dropped = restart.underway && /net::ERR_/.test(message.text());
      if (message.type() === 'error' && !dropped &&
          !/the server responded with a status of (40[013459]|429|507)/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('request', (request) => issuedIn.set(request, reloading ? generation - 1 : generation));
    page.on('requestfailed', (request) => {
      // Event streams are cut when the page closes or reloads (or opens one that asks for the console once the device
      // said it has one), and so is the nonce request of a stream being opened then (it shares the stream's abort
      // signal: the page cut it, the device did not fail it), any request in flight when the test reloads the page (a
      // device with 2 connections answers more slowly), and every request while the device restarts; anything else
      // failing is a problem.
      const aborted = request.failure().errorText === 'net::ERR_ABORTED';
      const reloadCut = issuedIn.get(request) < generation && aborted;
      const pathname = new URL(request.url()).pathname;
      const streamCut = pathname === '/api/v1/events' || (pathname === '/api/v1/auth/nonce' && aborted);
      if (!streamCut && !reloadCut && !restart.underway && !closing) {
        problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure().errorText}`);
      }
    });
    page.on('request', (request) => {
      if (!origins.some((origin) => request.url().startsWith(origin)) && !request.url().startsWith('data:')) {
        problems.push(`outside resource requested: ${request.url()}`);
      }
      const pathname = new URL(request.url()).pathname;
      if (pathname === '/api/v1/setup') setupBodies.push(request.postData() || '');
      if (request.method() === 'GET' && /^\/api\/v1\/(device|log|events|images|settings|jobs\/\d+)$/.test(pathname)) {
        const url = new URL(request.url());
        workReads.push({ pathname, signed: url.pathname + url.search, authorization: request.headers().authorization });
      }
      if (pathname === '/api/v1/board') boardRequests++;
      if (pathname === '/api/v1/board' && request.method() === 'PUT') {
        boardPuts.push({ body: request.postData() || '', authorization: request.headers().authorization });
      }
      if (pathname === '/api/v1/firmware') firmwarePosts.push(request.headers().authorization);
      const signed = { body: request.postData() || '', authorization: request.headers().authorization };
      if (pathname === '/api/v1/settings' && request.method() === 'PUT') settingsPuts.push(signed);
      if (pathname === '/api/v1/image-key') imageKeyPuts.push(signed);
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
    if (board) await checkSetupClosed(page, setupBodies);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    say('device', `${await text(page, '#device-name')} ${await text(page, '#device-version')}`);
    check(await page.isVisible('#setup'), 'a device that is not set up should show the setup panel');
    check(!(await page.isVisible('#login')), 'the login panel should wait until setup is done');
    say('setup shown', `session: ${await text(page, '#session-state')}`);
    // What a login costs the page: the key derivation of docs/auth.md in this browser (the worked example's).
    const kdf = await page.evaluate(() => {
      const times = [];
      let key;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        key = airswdHex(airswdKeyFromPassphrase('correct horse battery staple', '000102030405060708090a0b0c0d0e0f'));
        times.push(performance.now() - start);
      }
      return { key, ms: times.sort((a, b) => a - b)[1] };
    });
    check(kdf.key === '49d49c25f597846209f0d92e7770ab64e1c75e94b4ce6c509265ee67175d2a1e',
      `the page's PBKDF2 gives ${kdf.key}, not docs/auth.md's K`);
    say('pbkdf2', `PBKDF2-HMAC-SHA256, 100000 iterations, in Chromium: ${kdf.ms.toFixed(0)} ms (median of 3)`);
    // A signed action tried before setup is refused by the page itself; the error must not outlive the setup.
    await page.evaluate(() => identifyTarget());
    await page.waitForSelector('#errors li[data-error="setup-needed"]');
    say('before setup', await page.locator('#errors li').last().innerText());
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

    // The setup code: a board shows it to its own access point's clients (the page fills it in); elsewhere the
    // person types what the console showed, and a wrong one is refused by the device.
    await page.fill('#setup-passphrase', PASSPHRASE);
    await page.fill('#setup-passphrase-again', PASSPHRASE);
    if (board) {
      check(await page.inputValue('#setup-code') === SETUP_CODE,
        `on its access point the board's setup code should be filled in, not "${await page.inputValue('#setup-code')}"`);
    } else {
      const wrong = SETUP_CODE === '0123456789abcdef' ? 'fedcba9876543210' : '0123456789abcdef';
      await page.fill('#setup-code', wrong);
      await page.click('#setup-submit');
      await page.waitForFunction(() => document.getElementById('setup-status').dataset.state === 'failed');
      say('wrong code', await text(page, '#setup-status'));
      check(/Wrong setup code/.test(await text(page, '#setup-status')), 'a wrong setup code should be refused');
      check(setupBodies.length === 1 && await sessionState(page) === 'setup',
        'a wrong setup code should have been sent once and leave the device wanting setup');
      setupBodies.length = 0;
      await page.fill('#setup-code', SETUP_CODE.toUpperCase().replace(/(....)(?=.)/g, '$1-'));  // as a person types it
    }
    await page.setInputFiles('#setup-signing-key-file', publicKey);
    await page.waitForFunction(() => document.getElementById('setup-signing-key').value.startsWith('-----BEGIN PUBLIC'));
    if (board) {
      await page.fill('#setup-wifi-ssid', WIFI.ssid);
      await page.fill('#setup-wifi-password', WIFI.password);
    } else {
      check(!(await page.isVisible('#setup-wifi')), 'the setup of a device without a board should not ask for WiFi');
    }
    await page.click('#setup-submit');
    await page.waitForFunction(() => document.getElementById('session-state').dataset.state === 'in');
    check(!(await page.isVisible('#setup')), 'the setup panel should be gone after setup');
    check(!(await page.isVisible('#login')), 'setup should leave the page logged in');
    check(!(await page.locator('#errors li').count()), 'the refusal made before setup should leave the list with it: ' +
      (await page.locator('#errors').innerText()));
    check(!(await page.isVisible('#next-steps-keys')),
      'set up with a key, the page should not say that none is trusted');
    const sent = JSON.parse(setupBodies[0]);
    say('setup sent', `${Object.keys(sent).join(', ')}; admin_key ${sent.admin_key.slice(0, 16)}…`);
    check(sent.admin_key === ADMIN_KEY_HEX,
      `admin_key is not PBKDF2-HMAC-SHA256(passphrase, the device's salt, 100000): ${sent.admin_key}`);
    check(sent.setup_code === SETUP_CODE, `setup should send the code ${SETUP_CODE}, not ${sent.setup_code}`);
    check(!setupBodies[0].includes(PASSPHRASE), 'the passphrase itself was sent to the device');
    check(!setupBodies[0].includes('wifi'), 'the WiFi network goes to the board, not to setup');
    check(sent.signing_key && sent.signing_key.trim() === fs.readFileSync(publicKey, 'utf8').trim(),
      'the signing key sent is not the public key file chosen');
    const stored = await page.evaluate(() => Object.values(sessionStorage));
    check(stored.includes(ADMIN_KEY_HEX) && !stored.some((value) => value.includes(PASSPHRASE)),
      `the tab should keep K and never the passphrase; sessionStorage holds ${JSON.stringify(stored)}`);
    say('session', `${await text(page, '#session-state')}; sessionStorage keeps K, not the passphrase`);

    const device = await signedGet('/api/v1/device');
    firmwareUpdate = device.firmware_update === true;
    say('device in full', `${firmwareUpdate ? 'takes' : 'does not take'} its own firmware`);
    if (firmwareUpdate) provokedByPanels.push(/^403 POST \/api\/v1\/firmware (image-rollback|\(body not kept\))$/);
    const summary = await deviceSummary();
    check(summary.policy === undefined && summary.auth && summary.auth.setup_required === false,
      `an unsigned GET /api/v1/device should answer the summary only: ${JSON.stringify(summary)}`);
    const policyLine = await text(page, '#upload-policy');
    say('upload policy', policyLine);
    check(device.policy.signed_only && device.policy.trusted_keys.length === 1,
      `after setup with a key the device should be signed-only with one key: ${JSON.stringify(device.policy)}`);
    check(/Signed images only/.test(policyLine), 'the upload zone should say that it takes signed images only');
    for (const id of device.policy.trusted_keys) check(policyLine.includes(id), `the trusted key ${id} is not shown`);
    check(!(await page.isVisible('#debug-banner')), 'the debug banner shows while debug mode is off');

    await page.waitForFunction(() => document.getElementById('events-state').dataset.state === 'open');
    const stream = workReads.filter((read) => read.pathname === '/api/v1/events');
    check(stream.length >= 1, 'the page did not open the event stream');
    // On a device with a console the stream also asks for it (?console=FROM): the query is signed with the path.
    checkSigned('the event stream', 'GET', stream[stream.length - 1].signed, stream[stream.length - 1].authorization, '');
    say('events', `${await text(page, '#events-state')}, read with fetch() and a signed GET of ` +
      stream[stream.length - 1].signed);

    // ---- the programmer's own panels, where the device has them ----
    check(await page.isVisible('#board') === board, `the Board panel should show ${board ? '' : 'only '}on a device ` +
      'with a board');
    check(await page.isVisible('#programmer') === firmwareUpdate, 'the Programmer firmware panel should show ' +
      `${firmwareUpdate ? '' : 'only '}on a device that takes its own firmware`);
    if (board) {
      await checkWifiAfterSetup(page, boardPuts);
      await checkBoardPanel(page, boardPuts);
    } else {
      check(boardRequests === 0, 'the page asked a device without a board for its board settings');
      say('no board', 'neither the WiFi of setup nor the Board panel shown; the board never asked for');
    }
    if (firmwareUpdate) {
      await checkFirmwareUpdate(page, browser, firmwarePosts, restart, board);
      await page.waitForFunction(() => document.getElementById('events-state').dataset.state === 'open');
    } else {
      check(firmwarePosts.length === 0, 'a firmware was sent to a device that does not take one');
      say('no firmware', 'the Programmer firmware panel not shown');
    }

    // ---- a signed request whose first nonce is stale is signed again with a new one ----
    // The made-up nonce answers the first nonce request only. The route stays until identify is done: a route taken
    // away (as { times: 1 } does) while a request is on its way could lose that request's events here.
    let nonces = 0;
    await page.route('**/api/v1/auth/nonce', (route) => (++nonces > 1 ? route.continue()
      : route.fulfill({ status: 200, contentType: 'application/json',
        body: JSON.stringify({ nonce: 'f00d'.repeat(8), lifetime_s: 60 }) })));
    // The browser reports an answer apart from what the page does with it: under load the page may have shown the
    // target before the refusal of its first try has been reported here.
    const staleRefusal = page.waitForResponse((response) => response.status() === 401 &&
      new URL(response.url()).pathname === '/api/v1/target');
    say('target', await identify(page));
    await page.unroute('**/api/v1/auth/nonce');
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
    check(!(await page.locator('#errors li').count()),
      'the refusal should be shown once, by the zone, not in the list');
    check(!upload.text.includes('`') && await page.locator('#upload-status code', { hasText: 'airswd sign' }).count(),
      'the device\'s `airswd sign` should show as code, without its backticks');

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

    // ---- the device's settings, its keys and the target's actions ----
    await checkSettings(page, settingsPuts);
    await checkKeys(page, imageKeyPuts);
    await checkTargetActions(page);

    // ---- debug mode: on from the settings, the banner, a plain binary accepted, off again ----
    await page.click('#debug-toggle');
    await page.waitForSelector('#debug-banner', { state: 'visible' });
    await page.waitForFunction(() => document.getElementById('upload-policy').dataset.policy === 'plain-allowed');
    say('debug on', `${oneLine(await text(page, '#debug-banner'))} [settings: ${await text(page, '#debug-state')}]`);
    check(await text(page, '#debug-state') === 'on', 'the settings do not show debug mode on');
    const debugDevice = await signedGet('/api/v1/device');
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
      await checkReadAndErase(page, binary);
    }

    // ---- an image one byte larger than the room beside the current image: 507, a confirm, no_rollback ----
    const store = (await signedGet('/api/v1/device')).store;
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

    // Every read of the device's work so far was signed, the event stream included.
    const unsignedReads = workReads.filter((read) => read.pathname !== '/api/v1/device' && !read.authorization);
    check(!unsignedReads.length, `the page read without a signature: ${unsignedReads.map((r) => r.pathname).join(', ')}`);
    say('signed reads', `${workReads.length} reads of the device and its work, each signed but the summary`);

    const policyHeader = (await getOnce(url)).headers.get('content-security-policy');
    const violations = await cspViolations(page);
    say('csp', `${policyHeader}; ${violations.length} violations`);
    check(/default-src 'self'/.test(policyHeader || '') && !violations.length,
      `the page should work under the device's Content-Security-Policy: ${violations.join('; ')}`);

    // ---- log out, reload, wrong passphrases, the penalty, log in ----
    await page.click('#logout');
    await page.waitForSelector('#login', { state: 'visible' });
    check(await sessionState(page) === 'out', 'logging out should leave the page logged out');
    check((await page.evaluate(() => sessionStorage.length)) === 0, 'logging out should forget K');
    await page.waitForFunction(() => document.getElementById('events-state').dataset.state !== 'open');
    check(!(await page.isVisible('#log-section')) && !(await page.isVisible('#images')) &&
      (await page.locator('#log li').count()) === 0, 'logged out, the page should show neither the log nor the images');
    const readsAtLogout = workReads.length;
    await reload(page);
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    check(await page.isVisible('#login') && !(await page.isVisible('#setup')),
      'after a reload a set-up device should ask for the passphrase, not for setup');
    check(!(await page.isVisible('#job')) && !(await page.isVisible('#settings')),
      'before login the page should show only the device\'s summary and the login');
    const readsBeforeLogin = workReads.slice(readsAtLogout).map((read) => read.pathname);
    check(readsBeforeLogin.every((pathname) => pathname === '/api/v1/device'),
      `before login the page should read the device's summary only, it read: ${readsBeforeLogin.join(', ')}`);
    say('logged out', `reloaded: ${await text(page, '#session-state')}, login asked, nothing else read or shown`);

    for (let attempt = 1; attempt <= 3; attempt++) {
      const wrong = await logIn(page, WRONG_PASSPHRASE);
      say(`wrong (${attempt})`, `${wrong.state}: ${wrong.status}`);
      check(wrong.session === 'out' && /Wrong passphrase/.test(wrong.status),
        `a wrong passphrase should be refused as such (session ${wrong.session}, "${wrong.status}")`);
      check(await page.isVisible('#login'), 'the page should ask again after a wrong passphrase');
    }
    // The third bad MAC opened a penalty window: an attempt inside it is refused with 429 and the page shows the
    // wait. On a loaded machine the next attempt may come after that first window of 1 s; it is then one more wrong
    // passphrase, which opens a window twice as long.
    let held;
    for (;;) {
      held = await logIn(page, WRONG_PASSPHRASE);
      if (held.state === 'throttled' || !/Wrong passphrase/.test(held.status) || lateWrongAttempts === 2) break;
      lateWrongAttempts++;
      say('after window', `${held.state}: ${held.status}`);
    }
    say('throttled', `${held.state}: ${held.status}`);
    check(held.state === 'throttled' && /\d+ s/.test(held.status), `the penalty wait is not shown: "${held.status}"`);
    check(await page.isDisabled('#login-submit'), 'the login button should wait out the penalty');
    await page.waitForFunction(() => !document.getElementById('login-submit').disabled, undefined, { timeout: 70000 });
    const good = await logIn(page, PASSPHRASE);
    say('logged in', `${await text(page, '#session-state')}`);
    check(good.session === 'in' && !(await page.isVisible('#login')), `the right passphrase did not log in: ${good.status}`);
    check((await page.evaluate(() => Object.values(sessionStorage))).includes(ADMIN_KEY_HEX), 'K is not kept after login');
    await page.waitForFunction(() => document.getElementById('events-state').dataset.state === 'open');
    check(await page.isVisible('#log-section') && await page.isVisible('#images'),
      'after login the log and the images should show again');
    say('after login', 'the signed event stream is open again, the log and the images shown');

    // The key kept signs requests, also after a reload of the tab.
    await reload(page);
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    check(await sessionState(page) === 'in', 'a reload should keep the tab logged in');
    say('after reload', `${await text(page, '#session-state')}; identify: ${(await identify(page)).slice(0, 60)}…`);

    // The owner's last key removed: the page says that nothing can be flashed until one is added.
    const [lastKey] = (await signedGet('/api/v1/device')).policy.trusted_keys;
    page.once('dialog', (dialog) => dialog.accept());
    await page.click(`[data-testid="remove-key-${lastKey}"]`);
    await page.waitForSelector('[data-testid="no-keys"]');
    const noKeys = `${await text(page, '[data-testid="no-keys"]')} | ${await text(page, '#upload-policy')}`;
    say('no key left', noKeys);
    check((await signedGet('/api/v1/device')).policy.trusted_keys.length === 0 &&
      /nothing can be flashed until you add one/.test(noKeys) && /nothing can be flashed until/.test(
        await text(page, '#upload-policy')), 'with no trusted key the page should say that nothing can be flashed');
    await refusalsSettled();
  } catch (err) {
    // What the page showed when a check failed: its errors and the device's facts.
    for (const page of browser.contexts().flatMap((context) => context.pages())) {
      say('page errors', oneLine(await page.locator('#errors').innerText().catch(() => '?')));
      say('page device', oneLine(await page.locator('#device-info').innerText().catch(() => '?')));
    }
    throw err;
  } finally {
    closing = true;
    await browser.close();
  }

  // Every failed answer was one this run provoked, and each provoked one happened.
  const late = Array(lateWrongAttempts).fill(/^401 GET \/api\/v1\/auth\/check bad-credentials$/);
  const expected = [...provokedByPanels, ...late, /^401 GET \/api\/v1\/target stale-nonce$/,
    /^403 POST \/api\/v1\/images (image-unsigned|\(body not kept\))$/,
    /^403 POST \/api\/v1\/images (image-untrusted-key|\(body not kept\))$/,
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
