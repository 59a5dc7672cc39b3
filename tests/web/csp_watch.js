// csp_watch.js - what the page drivers share to hold a page to the device's Content-Security-Policy: every
// violation the browser reports is collected in the page, and read back at the end (a refusal is also logged on the
// browser's console, which each driver turns into a problem).
'use strict';

// Before any of the page's scripts run, in every page of the context.
async function watchCspViolations(context) {
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
}

// The violations seen so far, as "directive blocked-URI" lines.
function cspViolations(page) {
  return page.evaluate(() => window.cspViolations);
}

module.exports = { watchCspViolations, cspViolations };
