#!/usr/bin/env node
// Headless Chromium, driven by playwright-core, uses the web page as a person would: it reads the device, identifies
// the target, uploads a firmware file, flashes it, and waits for the job to succeed with the progress bar at 100%.
// Then it checks that an API error reaches the screen, that the page fits a phone, and saves screenshots.
//
// Usage: node drive_page.js URL FIRMWARE SCREENSHOT.png   (playwright-core found through NODE_PATH;
//        CHROMIUM overrides /usr/bin/chromium)
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [url, firmware, screenshot] = process.argv.slice(2);
const TIMEOUT_MS = 30000;

function say(what, value) {
  console.log(`${what.padEnd(16)} ${value}`);
}

async function text(page, selector) {
  return (await page.locator(selector).innerText()).trim();
}

async function main() {
  if (!url || !firmware || !screenshot) throw new Error('usage: node drive_page.js URL FIRMWARE SCREENSHOT.png');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // root in a container has no user namespaces for Chromium's sandbox; the page is our own.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: TIMEOUT_MS,
  });
  const problems = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
    page.on('console', (message) => {
      // The one failed request expected is the 409 of deleting the current image, checked below.
      if (message.type() === 'error' && !/status of 409/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('requestfailed', (request) => {
      // EventSource requests are cut when the page closes; anything else failing is a problem.
      if (!request.url().endsWith('/api/v1/events')) problems.push(`request failed: ${request.url()}`);
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(new URL(url).origin) && !request.url().startsWith('data:')) {
        problems.push(`outside resource requested: ${request.url()}`);
      }
    });

    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('device-info').children.length > 0);
    say('device', `${await text(page, '#device-name')} ${await text(page, '#device-version')}`);
    await page.waitForFunction(() => document.getElementById('events-state').dataset.state === 'open');
    say('events', await text(page, '#events-state'));

    await page.click('#identify');
    await page.waitForFunction(() => document.getElementById('target-info').children.length > 0);
    say('target', (await text(page, '#target-info')).replace(/\s*\n\s*/g, ' | '));

    await page.setInputFiles('#file-input', firmware);
    await page.waitForFunction(() => ['done', 'failed'].includes(document.getElementById('upload-status').dataset.state));
    const uploadState = await page.getAttribute('#upload-status', 'data-state');
    say('upload', `${uploadState}: ${await text(page, '#upload-status')}`);
    if (uploadState !== 'done') throw new Error(`the upload failed: ${await text(page, '#errors')}`);
    say('upload bar', `${await page.getAttribute('#upload-progress', 'aria-valuenow')}%`);

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
    if (jobState !== 'done') throw new Error(`the job ended ${jobState}: ${await text(page, '#job-error')}`);
    await page.waitForFunction(() => document.getElementById('progress').getAttribute('aria-valuenow') === '100');
    say('progress bar', `${await page.getAttribute('#progress', 'aria-valuenow')}% (values seen: ${[...seen].join(' ')})`);
    await page.waitForFunction(() => document.querySelector('#job-result .phases'));
    say('result', (await text(page, '#job-result')).replace(/\s*\n\s*/g, ' | '));
    await page.waitForFunction(() => document.querySelector('#images-body tr[data-state="current"]'));
    say('images', (await text(page, '#images-body')).replace(/\s*\n\s*/g, ' | '));
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
    if (!/conflict/.test(shownError)) throw new Error(`expected a conflict error, saw: ${shownError}`);

    // Drag and drop: the same firmware as a raw binary, dropped on the zone, is sent with the base address.
    const binary = firmware.replace(/\.elf$/, '.bin');
    if (binary !== firmware && fs.existsSync(binary)) {
      const bytes = [...fs.readFileSync(binary)];
      await page.dispatchEvent('#drop-zone', 'drop', {
        dataTransfer: await page.evaluateHandle(([name, content]) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(content)], name, { type: 'application/octet-stream' }));
          return transfer;
        }, [path.basename(binary), bytes]),
      });
      await page.waitForFunction((name) => ['done', 'failed'].includes(document.getElementById('upload-status')
        .dataset.state) && document.getElementById('upload-status').textContent.includes(name), path.basename(binary));
      say('dropped', await text(page, '#upload-status'));
      if (await page.getAttribute('#upload-status', 'data-state') !== 'done') {
        throw new Error(`the dropped upload failed: ${await page.locator('#errors li').last().innerText()}`);
      }
      const row = page.locator('#images-body tr', { hasText: path.basename(binary) });
      const rowText = (await row.innerText()).replace(/\s+/g, ' ');
      say('dropped image', rowText);
      if (!/bin at 0x08000000/.test(rowText)) throw new Error(`the dropped binary is listed as: ${rowText}`);
    }

    await page.screenshot({ path: screenshot, fullPage: true });
    say('screenshot', screenshot);

    // A phone: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const phoneShot = screenshot.replace(/\.png$/, '-phone.png');
    await page.screenshot({ path: phoneShot, fullPage: true });
    say('phone width', overflow > 0 ? `${overflow} px too wide` : 'fits 375 px');
    say('screenshot', phoneShot);
    if (overflow > 0) problems.push(`the page is ${overflow} px wider than a 375 px phone`);
  } finally {
    await browser.close();
  }
  if (problems.length) throw new Error(problems.join('\n'));
}

main().then(() => {
  console.log('PASS');
}, (err) => {
  console.log(`FAIL: ${err.message}`);
  process.exit(1);
});
