#!/usr/bin/env node
// Headless Chromium, driven by playwright-core, uses the Console panel of the page of a real airswdd whose simulated
// STM32 runs the echo example firmware (test_web_console.sh sets the device up and flashes it): logged in with debug
// mode off the panel says the console is closed, Send waits, and the console route refuses the page's own signed
// request (403 debug-mode-off); the page's Debug mode button opens it; the output shows the firmware's greeting
// (the device's history), a typed line comes back, and a file of 64 KB of random bytes sent through the panel comes
// back byte for byte (Save the output downloads what was received; nothing is said lost); the baud choice sets the
// line to 9600 and back (test_web_console.sh finds both in the device's log). Debug mode off closes it
// again and the route refuses again. No securitypolicyviolation fires under the device's Content-Security-Policy,
// no script error, and every answer of 400 or more is one provoked here.
//
// Usage: node drive_console.js URL PASSPHRASE RANDOM.bin SCREENSHOT.png
//        (playwright-core found through NODE_PATH; CHROMIUM overrides /usr/bin/chromium)
'use strict';

const fs = require('fs');
const { chromium } = require('playwright-core');
const { watchCspViolations, cspViolations } = require('./csp_watch.js');

const [url, passphrase, randomFile, screenshot] = process.argv.slice(2);
const TIMEOUT_MS = 30000;
const ECHO_TIMEOUT_MS = 90000;  // 64 KB take 5.7 s at 115200 baud; a loaded machine is slower
const GREETING = 'echo from airswd example firmware (STM32F1)';

function say(what, value) {
  console.log(`${what.padEnd(16)} ${value}`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const consoleState = (page) => page.getAttribute('#console-state', 'data-state');
const received = async (page) => Number(await page.getAttribute('#console-output', 'data-received'));

// A signed POST /api/v1/console made by the page's own signedRequest(): its HTTP status.
const pagePost = (page) => page.evaluate(async () => (await signedRequest('POST', '/console',
  { body: new Blob(['x']), contentType: 'application/octet-stream' })).status);

async function setDebug(page, on) {
  if ((await page.getAttribute('#debug-toggle', 'data-state') === 'on') !== on) await page.click('#debug-toggle');
  await page.waitForFunction((wanted) => document.getElementById('console-state').dataset.state === wanted,
    on ? 'open' : 'closed');
}

async function main() {
  const random = fs.readFileSync(randomFile);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: TIMEOUT_MS,
  });
  const problems = [];
  const refusals = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
    await watchCspViolations(context);
    // Chromium logs each failed answer: the page's are checked one by one through the responses below (and the
    // browser's own look for /favicon.ico, which the page does not make, answers 404).
    page.on('console', (message) => {
      if (message.type() === 'error' && !/the server responded with a status of 40[34]/.test(message.text()))
        problems.push(`console: ${message.text()}`);
    });
    page.on('response', async (response) => {
      if (response.status() >= 400) {
        const request = response.request();
        let error = '';
        try { error = JSON.parse(await response.text()).error; } catch (_) { /* not JSON */ }
        refusals.push(`${response.status()} ${request.method()} ${new URL(request.url()).pathname} ${error}`);
      }
    });

    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('#login', { state: 'visible' });
    await page.fill('#login-passphrase', passphrase);
    await page.click('#login-submit');
    await page.waitForFunction(() => document.getElementById('session-state').dataset.state === 'in');
    await page.waitForSelector('#console', { state: 'visible' });
    say('logged in', 'the Console panel shows');

    // ---- debug mode off: closed, and refused
    await page.waitForFunction(() => document.getElementById('console-state').dataset.state === 'closed');
    check(await page.isDisabled('#console-send'), 'Send should wait while the console is closed');
    say('closed', `${await page.innerText('#console-status')}`);
    const refused = await pagePost(page);
    check(refused === 403, `with debug mode off the console route should refuse the page (403), not ${refused}`);
    say('refused', `POST /api/v1/console signed by the page: ${refused}`);

    // ---- debug mode on: the history, a line, 64 KB
    await setDebug(page, true);
    say('open', 'debug mode on through the page');
    await page.waitForFunction((text) => document.getElementById('console-output').textContent.includes(text),
      GREETING);
    say('history', JSON.stringify((await page.innerText('#console-output')).trim().slice(0, 60)));
    await page.fill('#console-line', 'hello console');
    await page.click('#console-send');
    await page.waitForFunction(() =>
      document.getElementById('console-output').textContent.endsWith('hello console\r\n'))
      .catch(async (err) => {
        say('output', JSON.stringify(await page.evaluate(() => document.getElementById('console-output').textContent)));
        say('status', await page.innerText('#console-status'));
        throw err;
      });
    say('line', 'typed, sent with CR LF, and echoed');

    const before = await received(page);
    const started = Date.now();
    await page.setInputFiles('#console-file', randomFile);
    await page.waitForFunction((wanted) =>
      Number(document.getElementById('console-output').dataset.received) >= wanted, before + random.length,
      { timeout: ECHO_TIMEOUT_MS });
    const seconds = (Date.now() - started) / 1000;
    say('echo', `${random.length} bytes back in ${seconds.toFixed(1)} s; ${await page.innerText('#console-status')}`);
    check(await page.getAttribute('#console-status', 'data-state') !== 'failed',
      `the panel says something failed: ${await page.innerText('#console-status')}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#console-save')]);
    const saved = fs.readFileSync(await download.path());
    const tail = saved.subarray(saved.length - random.length);
    check(saved.length >= random.length && Buffer.compare(tail, random) === 0,
      `the output saved (${saved.length} bytes) does not end with the 64 KB sent`);
    check(saved.length === before + random.length, `the output holds ${saved.length - before - random.length} ` +
      'bytes more than the history, the line and the echo');
    say('saved', `${download.suggestedFilename()}: ${saved.length} bytes, the last ${random.length} those sent`);
    await page.screenshot({ path: screenshot, fullPage: true });

    // ---- the baud choice: the line's rate, through the page
    check(await page.inputValue('#console-baud') === '115200', 'the baud choice should show the line\'s 115200');
    for (const baud of ['9600', '115200']) {
      await page.selectOption('#console-baud', baud);
      await page.waitForFunction((text) => document.getElementById('console-status').textContent === text,
        `The line runs at ${baud} baud.`);
    }
    say('baud', 'the line set to 9600 baud and back to 115200 from the page');

    // ---- debug mode off again
    await setDebug(page, false);
    const again = await pagePost(page);
    check(again === 403, `debug mode off again: the console route should refuse (403), not ${again}`);
    say('closed again', `POST /api/v1/console: ${again}`);

    const violations = await cspViolations(page);
    check(violations.length === 0, `Content-Security-Policy violations: ${violations.join('; ')}`);
    const unexpected = refusals.filter((r) => !/^403 POST \/api\/v1\/console debug-mode-off$/.test(r));
    check(unexpected.length === 0, `answers nobody provoked: ${unexpected.join('; ')}`);
    check(problems.length === 0, `${problems.join('\n')}\nanswers of 400 and more: ${refusals.join('; ')}`);
  } finally {
    await browser.close();
  }
}

main().then(() => console.log('PASS'), (err) => {
  console.log(`FAIL: ${err.message}`);
  process.exit(1);
});
