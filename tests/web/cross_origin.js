// Issue 14, item 1, in a real browser: pages that are not the device's own try to take a fresh device over.
//   1. A page of another site (ATTACKER-URL, served from 127.0.0.2) posts first-boot setup as a "simple" request the
//      browser sends without asking: fetch with mode no-cors and a text/plain body, and a form with enctype
//      text/plain, both carrying the right setup code, as if it had leaked; then a fetch with a JSON body (the
//      browser asks first, with OPTIONS) and a read of GET /api/v1/device.
//   2. DNS rebinding: Chromium resolves rebind.test to the device (--host-resolver-rules), so a page of that name
//      is same-origin with whatever answers at its address; it loads nothing and its script's requests to the
//      device, setup with the right code included, get 421.
// Prints what each attempt got as the browser saw it; the device's state is checked by test_cross_origin.sh.
// Usage: node cross_origin.js DEVICE-URL ATTACKER-URL SETUP-CODE ADMIN-KEY-HEX
'use strict';

const { chromium } = require('playwright-core');

const [deviceUrl, attackerUrl, setupCode, adminKey] = process.argv.slice(2);
const device = new URL(deviceUrl);
const rebound = `http://rebind.test:${device.port}/`;
const body = JSON.stringify({ setup_code: setupCode, admin_key: adminKey });

function say(what, value) {
  console.log(`${what.padEnd(22)} ${value}`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', `--host-resolver-rules=MAP rebind.test ${device.hostname}`],
  });
  let failed = false;
  try {
    const page = await browser.newPage();
    // 1. Another site.
    await page.goto(attackerUrl, { waitUntil: 'load' });
    const results = await page.evaluate(async ([target, text]) => {
      const out = {};
      const setup = new URL('api/v1/setup', target).href;
      try {
        const answer = await fetch(setup, { method: 'POST', mode: 'no-cors', body: text });
        out.noCors = `sent; the answer is opaque to the page (type ${answer.type})`;
      } catch (err) {
        out.noCors = `not sent: ${err.message}`;
      }
      try {
        const answer = await fetch(setup, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
        out.cors = `answered ${answer.status}`;
      } catch (err) {
        out.cors = `blocked by the browser: ${err.message}`;
      }
      try {
        const answer = await fetch(new URL('api/v1/device', target).href);
        out.read = `read ${answer.status}: ${(await answer.text()).slice(0, 60)}`;
      } catch (err) {
        out.read = `blocked by the browser: ${err.message}`;
      }
      // A form posts text/plain too, navigating a frame of the attacker's page.
      const frame = document.createElement('iframe');
      frame.name = 'sink';
      document.body.append(frame);
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = setup;
      form.enctype = 'text/plain';
      form.target = 'sink';
      const field = document.createElement('input');
      field.name = text.slice(0, -2);  // "name=value": the JSON with an '=' the encoding puts before its end
      field.value = '"}';
      form.append(field);
      document.body.append(form);
      const loaded = new Promise((resolve) => { frame.onload = resolve; });
      form.submit();
      await Promise.race([loaded, new Promise((resolve) => setTimeout(resolve, 3000))]);
      out.form = 'submitted';
      return out;
    }, [deviceUrl, body]);
    say('another site, no-cors', results.noCors);
    say('another site, JSON', results.cors);
    say('another site, read', results.read);
    say('another site, form', results.form);
    if (!/blocked by the browser/.test(results.read)) {
      console.log('FAIL: a page of another site read GET /api/v1/device');
      failed = true;
    }

    // 2. DNS rebinding.
    const landing = await page.goto(rebound, { waitUntil: 'load' });
    say('rebound page', `GET ${rebound} -> ${landing.status()}`);
    if (landing.status() !== 421) {
      console.log(`FAIL: the rebound name got ${landing.status()} for the page, not 421`);
      failed = true;
    }
    const sameOrigin = await page.evaluate(async (text) => {
      const device = await fetch('/api/v1/device');
      const setup = await fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: text });
      return { device: device.status, deviceText: await device.text(), setup: setup.status };
    }, body);
    say('rebound, read', `GET /api/v1/device -> ${sameOrigin.device}`);
    say('rebound, setup', `POST /api/v1/setup with the right code -> ${sameOrigin.setup}`);
    if (sameOrigin.device !== 421 || sameOrigin.setup !== 421 || /salt|setup_required/.test(sameOrigin.deviceText)) {
      console.log('FAIL: a script of the rebound name reached the device');
      failed = true;
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.log(`FAIL: ${err.stack}`);
  process.exit(1);
});
