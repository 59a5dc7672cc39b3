// The airswd page: talks to the REST API of docs/api.md with fetch(), uploads with XMLHttpRequest (for its upload
// progress events) and follows jobs and the log through the Server-Sent Events of /api/v1/events, read with fetch()
// as a stream so that the request can be signed. It logs in first: after setup the device answers reads of its work
// to signed requests only (docs/security.md), so every request but the device's summary, the nonce and setup is
// signed as docs/auth.md says, with the helpers of auth.js (loaded first). Where the owner made the status public
// (the public_status setting), the status, the job and the log are shown before login too.
// No framework: every view is a small render function over the state below.
'use strict';

const API = '/api/v1';
const KEY_STORAGE = 'airswd.adminKey';
const MIN_PASSPHRASE = 12;
// The login check: a signed GET that the device answers 200 only when the signature is good; it reads and changes
// nothing.
const LOGIN_PROBE = '/auth/check';
const FINISHED = ['done', 'failed', 'cancelled'];
const STATE_RANK = { queued: 0, running: 1, done: 2, failed: 2, cancelled: 2 };

const state = {
  device: null,       // the last GET /api/v1/device
  key: null,          // K = PBKDF2(passphrase, the device's salt) (docs/auth.md), Uint8Array(32); never the passphrase
  images: [],
  job: null,          // the job on screen: {id, action, state, phase, done, total, phase_us, result, error}
  uploaded: null,     // the entry of the image uploaded last
  board: null,        // the last GET or PUT /api/v1/board
  boardRenders: 0,    // how many answers of the board the panel has shown
  logSeq: -1,         // the highest log sequence number shown
  eventsOpen: false,
  events: null,       // the AbortController of the event stream being read
  eventsConsole: false,  // that stream carries the console
  lastEventId: '',    // the id of the last event read: a new stream resumes after it
  pollTimer: 0,
  readWanted: null,   // {address, length} of the read job started here, saved to a file when it is done
  loginHold: 0,       // the timer counting down a penalty window of the device (429)
  console: {
    end: 0,           // the position in the target's output (since the device started) after the last byte shown
    chunks: [],       // the bytes received, as Uint8Arrays, for Save (the oldest dropped beyond CONSOLE_KEEP)
    kept: 0,          // their total length
    received: 0,      // bytes received since the page loaded
    text: '',         // what the output shows (the last CONSOLE_SHOW characters)
    decoder: null,    // a streaming UTF-8 decoder of the output
    renderTimer: 0,   // the output is drawn when it fires
    outgoing: [],     // Uint8Arrays waiting to be sent
    sending: false,
    sent: 0, queued: 0,  // bytes sent of those queued since the queue was last empty
  },
};

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== false && value !== undefined && value !== null) node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) node.append(child);
  return node;
}

// ---- numbers in words ----------------------------------------------------------------------------------------

function formatBytes(n) {
  if (n === undefined || n === null) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

function formatHex(n, digits) {
  return n === undefined || n === null ? '?' : '0x' + (n >>> 0).toString(16).toUpperCase().padStart(digits || 1, '0');
}

function formatMicroseconds(us) {
  if (us >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(1)} ms`;
  return `${us} µs`;
}

function formatRate(bytes, us) {
  if (!bytes || !us) return '';
  return `${formatBytes(Math.round(bytes * 1e6 / us))}/s of chip time`;
}

function formatUptime(seconds) {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60;
  return (d ? `${d} d ` : '') + (d || h ? `${h} h ` : '') + `${m} min ${seconds % 60} s`;
}

// ---- errors: every one reaches the user ----------------------------------------------------------------------

class ApiError extends Error {
  constructor(httpStatus, body) {
    super(body.message || body.error || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.error = body.error || `http-${httpStatus}`;
    this.detail = body.detail || '';
    this.hint = body.message || '';
  }
}

// A refusal the page makes itself before it could sign: nobody is logged in, or the device is not set up yet.
class SessionNeeded extends Error {
  constructor(error, message) {
    super(message);
    this.error = error;
  }
}

// The errors that a login or a setup answers: they leave the list once it has succeeded.
const SESSION_ERRORS = ['login-needed', 'setup-needed', 'not-configured', 'unauthorized', 'bad-credentials',
  'throttled'];

// The device's sentences quote commands between backticks: shown as code, the backticks gone.
function withCode(text) {
  return String(text).split(/`([^`\n]+)`/).map((part, i) => (i % 2 ? el('code', { text: part }) : part));
}

// "error — detail. message" of an API error, the message of any other.
function describeError(err) {
  if (err instanceof ApiError) {
    return err.error + (err.detail ? ` — ${err.detail}` : '') + (err.hint ? `. ${err.hint}` : '');
  }
  return err && err.message ? err.message : String(err);
}

// Shows "what: error — detail. message" in the error list until the user dismisses it or the same thing (topic)
// succeeds later (clearErrors); a refusal of the session leaves once the user has logged in or set the device up.
function showError(what, err, topic) {
  const text = `${what}: ${describeError(err)}`;
  const item = el('li', { 'data-error': err && err.error ? err.error : 'network', 'data-topic': topic || what },
    el('span', {}, ...withCode(text)), el('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss',
      text: '×', onclick: () => item.remove() }));
  $('errors').append(item);
  return text;
}

function clearErrors(topic) {
  for (const item of [...$('errors').children]) if (item.dataset.topic === topic) item.remove();
}

function clearSessionErrors() {
  for (const item of [...$('errors').children]) if (SESSION_ERRORS.includes(item.dataset.error)) item.remove();
}

// Turns a non-2xx answer into an ApiError, whether its body is the API's JSON error or something else.
function errorFromBody(httpStatus, text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && body.error) return new ApiError(httpStatus, body);
  } catch (_) { /* not JSON: fall through */ }
  return new ApiError(httpStatus, { error: `http-${httpStatus}`, detail: (text || '').trim().slice(0, 200) });
}

// One exchange with the device: {status, text, retryAfter}. fetch() normally; XMLHttpRequest when the caller wants
// upload progress (fetch has no upload progress events). options: body, contentType, headers, onUploadProgress,
// signal (an AbortSignal, fetch only), stream (fetch only: a 2xx answer's body is left unread, as answer.body),
// bytes (fetch only: a 2xx answer's body read whole as a Blob, answer.blob).
function transmit(method, path, options) {
  const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
  if (options.body !== undefined) headers['Content-Type'] = options.contentType || 'application/json';
  const unreachable = (reason) =>
    new Error(`the device did not answer (${reason}); check that it is powered and on the network`);
  if (!options.onUploadProgress) {
    return fetch(API + path, { method, headers, body: options.body, signal: options.signal }).then(
      async (response) => (options.bytes && response.ok ? { status: response.status, blob: await response.blob() }
        : options.stream && response.ok
        ? { status: response.status, text: '', body: response.body, retryAfter: null }
        : { status: response.status, text: await response.text(),
          retryAfter: response.headers.get('Retry-After') }),
      (err) => { throw unreachable(err.message); });
  }
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, API + path);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) options.onUploadProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => resolve({ status: request.status, text: request.responseText,
      retryAfter: request.getResponseHeader('Retry-After') }));
    request.addEventListener('error', () => reject(new Error('the connection to the device broke during the upload')));
    request.addEventListener('timeout', () => reject(new Error('the device stopped answering during the upload')));
    request.send(options.body);
  });
}

// The JSON of a 2xx answer (null when empty); an ApiError for any other.
function readAnswer(answer) {
  if (answer.status < 200 || answer.status > 299) {
    const err = errorFromBody(answer.status, answer.text);
    if (err.error === 'throttled' && answer.retryAfter) err.hint = `Try again in ${answer.retryAfter} s.`;
    throw err;
  }
  if (!answer.text) return null;
  try {
    return JSON.parse(answer.text);
  } catch (_) {
    throw new Error(`the device sent an answer that is not JSON: ${answer.text.slice(0, 80)}`);
  }
}

// An open request (no signature): the device's summary, a nonce, setup.
async function api(method, path, body) {
  return readAnswer(await transmit(method, path, body === undefined ? {} : { body: JSON.stringify(body) }));
}

// A read of the device's work (the device in full, images, jobs, the log, the settings): signed when logged in;
// unsigned otherwise, which the device answers only where its owner made the status public.
async function read(path) {
  return state.key || !authRequired() ? apiSigned('GET', path) : api('GET', path);
}

// What this page may read now: 'all' logged in (or on a device without authentication), 'status' (the device, the
// job and the log) where the owner made them public, 'none' otherwise. It decides which panels show.
function readable() {
  if (state.key || !authRequired()) return 'all';
  return state.device && state.device.public_status ? 'status' : 'none';
}

// ---- authentication (docs/auth.md) ---------------------------------------------------------------------------

function keyFromHex(text) {
  if (typeof text !== 'string' || !/^[0-9a-f]{64}$/.test(text)) return null;
  const key = new Uint8Array(32);
  for (let i = 0; i < 32; i++) key[i] = parseInt(text.substr(2 * i, 2), 16);
  return key;
}

// K from a passphrase: PBKDF2 with the device's salt (GET /api/v1/device), slow on purpose (a fraction of a second
// here), so done once per login or setup, never per request.
async function deriveKey(passphrase) {
  if (!(state.device && state.device.auth && state.device.auth.salt)) state.device = await api('GET', '/device');
  const salt = state.device.auth && state.device.auth.salt;
  if (!salt) throw new Error('the device gave no salt to derive the key with');
  await new Promise((resolve) => setTimeout(resolve, 0));  // the status line shows before the page is busy
  return airswdKeyFromPassphrase(passphrase, salt);
}

// K lives in sessionStorage: it survives a reload of this tab and is gone when the tab closes. The passphrase itself
// is never kept, and K is never sent except once, to first-boot setup.
function rememberKey(key) {
  state.key = key;
  clearSessionErrors();
  try { sessionStorage.setItem(KEY_STORAGE, airswdHex(key)); } catch (_) { /* storage off: this page only */ }
  renderSession();
  loadReadable();
}

function forgetKey() {
  const wasIn = !!state.key;
  state.key = null;
  try { sessionStorage.removeItem(KEY_STORAGE); } catch (_) { /* nothing kept */ }
  renderSession();
  if (wasIn) forgetReads();
}

function loadStoredKey() {
  try { state.key = keyFromHex(sessionStorage.getItem(KEY_STORAGE)); } catch (_) { state.key = null; }
}

// Until the device has answered, assume it wants signatures (every release since setup exists does).
function authRequired() {
  return !(state.device && state.device.auth && state.device.auth.required === false);
}

// A refusal of the signature itself changes what the page asks of the user.
function authRefused(err) {
  if (err.error === 'bad-credentials') {
    forgetKey();
    showLogin('failed', 'Wrong passphrase: the device did not accept it. Type it again.');
  } else if (err.error === 'unauthorized') {
    forgetKey();
    showLogin('idle', 'The device asks for the admin passphrase.');
  } else if (err.error === 'not-configured') {
    forgetKey();
    loadDevice();  // shows the setup panel
  } else if (err.error === 'throttled') {
    holdLogin(Number(err.retryAfter) || 1);
  }
}

// Every [auth] request goes through here: the body's SHA-256 (a File in slices), a fresh nonce, the signature over
// method, path with its query, nonce and body hash, and one more try with a new nonce when the device found the first
// stale (it expired, or the owner's other requests moved the device's replay window past it). Answers {status, text, retryAfter}; the refusals
// that concern the login are also handled here. options as transmit(); options.key signs with another key (login).
async function signedRequest(method, path, options) {
  options = options || {};
  if (!authRequired() && !options.key) return transmit(method, path, options);
  if (!(options.key || state.key)) {
    if (state.device && state.device.auth && state.device.auth.setup_required) {
      $('setup-passphrase').focus();
      throw new SessionNeeded('setup-needed', 'the device is not set up yet: choose its admin passphrase in ' +
        'First-boot setup');
    }
    showLogin('idle', 'Log in to go on.');
    throw new SessionNeeded('login-needed', 'log in first: this needs the admin passphrase');
  }
  const bodyHash = await airswdBodySha256Hex(options.body);
  for (let attempt = 1; ; attempt++) {
    const { nonce } = readAnswer(await transmit('GET', '/auth/nonce', { signal: options.signal }));
    const key = options.key || state.key;
    if (!key) throw new SessionNeeded('login-needed', 'log in first: you logged out while this was sent');
    const headers = Object.assign({}, options.headers,
      { Authorization: airswdAuthHeader(key, method, API + path, nonce, bodyHash) });
    const answer = await transmit(method, path, Object.assign({}, options, { headers }));
    if (answer.status !== 401 && answer.status !== 403 && answer.status !== 429) return answer;
    const err = errorFromBody(answer.status, answer.text);
    if (err.error === 'stale-nonce' && attempt === 1) continue;
    err.retryAfter = answer.retryAfter;
    authRefused(err);
    return answer;
  }
}

// A signed request with a JSON body (or none) and a JSON answer.
async function apiSigned(method, path, body) {
  return readAnswer(await signedRequest(method, path, body === undefined ? {} : { body: JSON.stringify(body) }));
}

// A file sent signed as the body of a POST (an image, the programmer's firmware); onProgress(fraction) follows the
// upload. The JSON answer.
async function uploadSigned(path, file, onProgress) {
  return readAnswer(await signedRequest('POST', path, { body: file, contentType: 'application/octet-stream',
    onUploadProgress: onProgress }));
}

// ---- session: setup, login, logout ---------------------------------------------------------------------------

function setStatus(node, stateName, text) {
  node.dataset.state = stateName;
  node.replaceChildren(...withCode(text));
}

function renderSession() {
  const device = state.device;
  const auth = device && device.auth;
  const setupNeeded = !!(auth && auth.setup_required);
  const pill = $('session-state');
  if (!auth) setStatus(pill, 'unknown', '');
  else if (!auth.required) setStatus(pill, 'open', 'no login needed');
  else if (setupNeeded) setStatus(pill, 'setup', 'setup needed');
  else if (state.key) setStatus(pill, 'in', 'logged in');
  else setStatus(pill, 'out', 'not logged in');
  pill.className = `pill session-${pill.dataset.state}`;
  $('logout').hidden = !state.key;
  document.body.dataset.reads = readable();
  $('setup').hidden = !setupNeeded;
  // A device that shows its setup code here (an ESP8266 to a client of its own access point) fills it in.
  if (setupNeeded && auth.setup_code && !$('setup-code').value) $('setup-code').value = auth.setup_code;
  if (setupNeeded || state.key || (auth && !auth.required)) $('login').hidden = true;
  else if (auth) $('login').hidden = false;
  renderProgrammerPanels(!!auth && !setupNeeded && (!!state.key || !auth.required));
}

// The device's own settings and firmware, for whoever may change them, on a device that has them: the WiFi fields
// of setup and the Board panel where GET /api/v1/device says "board", the Programmer firmware panel where it says
// "firmware_update". The board's settings are read when its panel appears.
function renderProgrammerPanels(mayChange) {
  const device = state.device || {};
  $('setup-wifi').hidden = device.board !== true;
  const boardPanel = $('board');
  const showBoard = mayChange && device.board === true;
  if (showBoard && boardPanel.hidden) loadBoard();
  boardPanel.hidden = !showBoard;
  $('programmer').hidden = !(mayChange && device.firmware_update === true);
  renderConsolePanel();
}

function showLogin(stateName, text) {
  if (state.device && state.device.auth && state.device.auth.setup_required) return;
  $('login').hidden = false;
  setStatus($('login-status'), stateName, text);
  if (!$('login-submit').disabled) $('login-passphrase').focus();
}

// After too many wrong passphrases the device refuses every attempt for a while (429 with Retry-After).
function holdLogin(seconds) {
  const button = $('login-submit');
  const until = Date.now() + seconds * 1000;
  clearInterval(state.loginHold);
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(state.loginHold);
      button.disabled = false;
      if ($('login-status').dataset.state === 'throttled') {
        setStatus($('login-status'), 'idle', 'You can try again now.');
      }
      return;
    }
    button.disabled = true;
    setStatus($('login-status'), 'throttled',
      `Too many wrong passphrases: the device refuses every attempt for ${left} s more.`);
  };
  if (!state.key) $('login').hidden = false;
  tick();
  state.loginHold = setInterval(tick, 250);
}

async function logIn(event) {
  event.preventDefault();
  const input = $('login-passphrase');
  const status = $('login-status');
  if (!input.value) {
    setStatus(status, 'failed', 'Type the admin passphrase.');
    input.focus();
    return;
  }
  const button = $('login-submit');
  button.disabled = true;
  setStatus(status, 'checking', 'Checking…');
  let answer, key;
  try {
    key = await deriveKey(input.value);
    answer = await signedRequest('GET', LOGIN_PROBE, { key });
  } catch (err) {
    setStatus(status, 'failed', `Not logged in: ${describeError(err)}`);
    button.disabled = false;
    return;
  }
  if (answer.status === 200) {
    input.value = '';
    setStatus(status, 'done', '');
    rememberKey(key);
  } else {
    const err = errorFromBody(answer.status, answer.text);
    if (err.error === 'bad-credentials') input.select();  // authRefused() said "wrong passphrase"
    else if (err.error !== 'throttled') setStatus(status, 'failed', `Not logged in: ${describeError(err)}`);
  }
  // When throttled, holdLogin() enables the button again once the device takes attempts again.
  if (status.dataset.state !== 'throttled') button.disabled = false;
}

function logOut() {
  forgetKey();
  showLogin('idle', 'Logged out.');
}

// A public key as the device takes it: PEM text, or the hex of its DER. Refuses a private key, so that it never
// leaves this computer by mistake.
function signingKeyText(text) {
  const trimmed = text.trim();
  if (!trimmed) return '';
  if (/PRIVATE KEY/.test(trimmed)) {
    throw new Error('this is a private key: give the public one (the file --pub wrote), and keep the private key secret');
  }
  if (/^-----BEGIN PUBLIC KEY-----[\s\S]*-----END PUBLIC KEY-----$/.test(trimmed)) return trimmed + '\n';
  const hexText = trimmed.replace(/\s+/g, '');
  if (/^([0-9a-fA-F]{2})+$/.test(hexText)) return hexText.toLowerCase();
  throw new Error('the signing key is neither a PEM public key (-----BEGIN PUBLIC KEY-----) nor hex');
}

// A key file chosen in input (setup's, or the Keys panel's) into the text field beside it, when it is a public key;
// what it is, or why it was refused, in status.
async function chooseSigningKeyFile(input, field, status) {
  const file = input.files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  // DER starts with a SEQUENCE (0x30); PEM is text.
  const text = bytes[0] === 0x30 ? airswdHex(bytes) : new TextDecoder().decode(bytes);
  try {
    signingKeyText(text);
    field.value = text.trim();
    setStatus(status, 'idle', `The public key of ${file.name}.`);
  } catch (err) {
    input.value = '';
    field.value = '';
    setStatus(status, 'failed', `${file.name}: ${err.message}`);
  }
}

async function setUp(event) {
  event.preventDefault();
  const status = $('setup-status');
  const passphrase = $('setup-passphrase').value;
  const refuse = (text, field) => {
    setStatus(status, 'failed', text);
    if (field) field.focus();
  };
  if ([...passphrase].length < MIN_PASSPHRASE) {
    return refuse(`The passphrase must have ${MIN_PASSPHRASE} characters or more: whoever sees one signed request ` +
      'can try guesses at it offline.', $('setup-passphrase'));
  }
  if (passphrase !== $('setup-passphrase-again').value) {
    return refuse('The two passphrases differ.', $('setup-passphrase-again'));
  }
  const code = $('setup-code').value.replace(/[\s-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(code)) {
    return refuse('The setup code is the 16 hex digits the device showed when it started.', $('setup-code'));
  }
  const request = { setup_code: code };
  try {
    const signingKey = signingKeyText($('setup-signing-key').value);
    if (signingKey) request.signing_key = signingKey;
  } catch (err) {
    return refuse(err.message, $('setup-signing-key'));
  }
  const imageKey = $('setup-image-key').value.trim();
  if (imageKey) {
    if (!/^[0-9a-fA-F]{32}$/.test(imageKey)) {
      return refuse('The image key is 32 hex digits (an AES-128 key).', $('setup-image-key'));
    }
    request.image_key = imageKey.toLowerCase();
  }
  // The WiFi network goes to the board once setup has given the page its key; checked first, so that a name the
  // board cannot take does not leave the device set up without it.
  const board = !!(state.device && state.device.board === true);
  const wifi = { ssid: $('setup-wifi-ssid').value, password: $('setup-wifi-password').value };
  if (board) {
    const problem = wifiProblem(wifi.ssid, wifi.password);
    if (problem) return refuse(problem, $(wifi.ssid ? 'setup-wifi-password' : 'setup-wifi-ssid'));
  }
  const button = $('setup-submit');
  button.disabled = true;
  setStatus(status, 'working', 'Setting up…');
  try {
    const key = await deriveKey(passphrase);
    request.admin_key = airswdHex(key);
    const device = await api('POST', '/setup', request);
    for (const id of ['setup-code', 'setup-passphrase', 'setup-passphrase-again', 'setup-signing-key', 'setup-image-key',
      'setup-signing-key-file', 'setup-wifi-ssid', 'setup-wifi-password']) $(id).value = '';
    setStatus($('setup-key-status'), 'idle', '');
    setStatus(status, 'done', 'Set up.');
    rememberKey(key);
    if (device && device.auth) renderDevice(device);
    else loadDevice();
    // Set up without a signing key the device flashes nothing yet: said where the user looks next.
    const trusted = device && device.policy && device.policy.trusted_keys;
    $('next-steps-keys').hidden = !(Array.isArray(trusted) && !trusted.length);
    if (!$('next-steps-keys').hidden) $('next-steps').hidden = false;
    if (board && wifi.ssid) joinNetwork(wifi);
    else if (board) {
      showNextSteps(el('p', { text: 'No WiFi network was set: the device answers on its own access point only. ' +
        'Set its network in the Board panel when you want it on yours.' }));
    }
  } catch (err) {
    if (err.error === 'setup-closed') {
      // The board decides where and when setup may happen (on the ESP8266: from its own access point, soon after
      // power-on); its sentence says what to do.
      setStatus(status, 'failed', `The device refused setup: ${err.detail || describeError(err)}`);
    } else if (err.error === 'wrong-setup-code') {
      setStatus(status, 'failed', 'Wrong setup code: type the code the device showed when it started (a device ' +
        'that restarted shows a new one).');
      $('setup-code').select();
    } else if (err.error === 'throttled') {
      setStatus(status, 'failed', `Too many wrong setup codes. ${err.hint || 'Wait a moment, then try again.'}`);
    } else if (err.error === 'setup-done') {
      setStatus(status, 'failed', 'The device was set up already (from another page or the CLI): log in with ' +
        'the passphrase chosen then.');
      loadDevice();
    } else {
      setStatus(status, 'failed', `Not set up: ${describeError(err)}`);
    }
  } finally {
    button.disabled = false;
  }
}

// ---- device and target ---------------------------------------------------------------------------------------

// facts: [name, value] pairs; a value is text, or a node (a link); undefined leaves the fact out.
function renderFacts(list, facts) {
  list.replaceChildren();
  for (const [name, value] of facts) {
    if (value === undefined) continue;
    list.append(el('dt', { text: name }), el('dd', {}, value instanceof Node ? value : String(value)));
  }
}

function describeAuth(auth) {
  if (!auth) return undefined;
  if (!auth.required) return 'not required';
  return auth.setup_required ? 'required; no passphrase set yet' : 'admin passphrase';
}

function describePolicy(policy) {
  if (!policy) return undefined;
  const keys = policy.trusted_keys || [];
  const count = Array.isArray(keys) ? keys.length : keys;
  return (policy.signed_only ? 'signed images only' : 'signed and plain images') +
    `, ${count} trusted key${count === 1 ? '' : 's'}` + (policy.image_key ? ', image key held' : '') +
    (policy.min_security_version ? `, security version ≥ ${policy.min_security_version}` : '');
}

// What the upload zone takes now, by the device's policy and debug mode.
function renderUploadPolicy(device) {
  const line = $('upload-policy');
  const policy = device.policy;
  line.replaceChildren();
  if (!policy) {
    line.dataset.policy = 'unknown';
    return;
  }
  const keys = Array.isArray(policy.trusted_keys) ? policy.trusted_keys : [];
  const keyList = () => keys.map((id, i) => [i ? ', ' : '', el('code', { class: 'key-id', text: id })]).flat();
  if (policy.signed_only) {
    line.dataset.policy = 'signed-only';
    line.append(el('strong', { text: 'Signed images only. ' }));
    if (keys.length) line.append('Drop a container made by ', el('code', { text: 'airswd sign' }),
      ` with the key${keys.length === 1 ? '' : 's'} `, ...keyList(), '.');
    else line.append('No signing key is trusted yet: nothing can be flashed until you add one in Keys (or with ',
      el('code', { text: `airswd --device ${location.origin} trust PUB.pem` }),
      '), or turn on debug mode in Settings to flash plain images.');
  } else {
    line.dataset.policy = 'plain-allowed';
    line.append(el('strong', { text: device.debug_mode ? 'Debug mode: ' : 'Plain images allowed: ' }),
      '.elf, .hex and .bin files are flashed as they are' +
      (keys.length ? '; containers must be signed with ' : '.'), ...(keys.length ? [...keyList(), '.'] : []));
  }
}

function renderDebug(debugMode) {
  $('debug-banner').hidden = !debugMode;
  const pill = $('debug-state');
  pill.dataset.state = debugMode ? 'on' : 'off';
  pill.textContent = debugMode ? 'on' : 'off';
  const button = $('debug-toggle');
  button.setAttribute('aria-pressed', debugMode ? 'true' : 'false');
  button.textContent = debugMode ? 'Turn debug mode off' : 'Turn debug mode on';
  button.dataset.state = debugMode ? 'on' : 'off';
}

// "2.1 MB; room for 1.1 MB (2.1 MB without the rollback copy)": the largest image the store takes now.
function describeStore(store) {
  if (!store || store.capacity === undefined) return undefined;
  let text = `${formatBytes(store.capacity)}; room for ${formatBytes(store.room)}`;
  if (store.room_without_rollback > store.room) {
    text += ` (${formatBytes(store.room_without_rollback)} without the rollback copy)`;
  }
  return text;
}

function renderDevice(device) {
  state.device = device;
  if (device.auth && device.auth.setup_required && state.key) forgetKey();  // a key for an earlier setup
  $('device-name').textContent = device.name || 'airswd';
  $('device-version').textContent = device.version ? `v${device.version}` : '';
  document.title = `${device.name || 'airswd'} — airswd`;
  renderFacts($('device-info'), [
    ['target', device.target],
    ['SWD clock', device.swclk_hz ? `${(device.swclk_hz / 1e6).toFixed(2)} MHz` : 'the probe\'s default'],
    ['uptime', device.uptime_s !== undefined ? formatUptime(device.uptime_s) : undefined],
    ['debug mode', device.debug_mode === undefined ? undefined : (device.debug_mode ? 'on' : 'off')],
    ['images', describePolicy(device.policy)],
    ['authentication', describeAuth(device.auth)],
    ['image store', describeStore(device.store)],
  ]);
  renderDebug(!!device.debug_mode);
  renderUploadPolicy(device);
  renderKeys(device);
  renderTargetActions();
  $('pins-hint').hidden = device.board !== true;
  renderSession();
}

async function loadDevice() {
  try {
    renderDevice(await read('/device'));
    clearErrors('device');
  } catch (err) {
    showError('Reading the device', err, 'device');
  }
}

// Everything this page may read now (readable()): after login the device in full, the images, the settings and the
// event stream; with a public status, the log and the event stream.
async function loadReadable() {
  if (readable() === 'all') {
    loadDevice();
    loadImages();
    loadSettings();
  }
  if (readable() !== 'none') connectEvents();
}

// Logged out: the stream stops, and what only the owner may read leaves the screen.
function forgetReads() {
  disconnectEvents();
  state.images = [];
  renderImages();
  $('target-info').replaceChildren();
  $('log').replaceChildren();
  state.logSeq = -1;
  loadDevice();
}

async function identifyTarget() {
  const button = $('identify');
  button.disabled = true;
  button.textContent = 'Identifying…';
  try {
    const target = await apiSigned('GET', '/target');
    renderFacts($('target-info'), [
      ['part', target.part],
      ['core', target.core],
      ['device ID', target.dev_id !== undefined ? formatHex(target.dev_id, 3) : undefined],
      ['revision', target.rev_id !== undefined ? formatHex(target.rev_id, 4) : undefined],
      ['flash', target.flash_size !== undefined ? formatBytes(target.flash_size) : undefined],
      ['erase units', target.erase_units],
      ['program unit', target.program_unit !== undefined ? `${target.program_unit} B` : undefined],
      ['read protection', target.rdp_level !== undefined ? `level ${target.rdp_level}` : undefined],
    ]);
    clearErrors('target');
  } catch (err) {
    $('target-info').replaceChildren();
    showError('Identifying the target', err, 'target');
  } finally {
    button.disabled = false;
    button.textContent = 'Identify';
  }
}

// ---- target actions: reset, erase, verify, read (jobs) -------------------------------------------------------

function renderTargetActions() {
  const busy = isJobActive();
  const debug = !!(state.device && state.device.debug_mode);
  const select = $('verify-image');
  const chosen = select.value;
  select.replaceChildren(...state.images.map((image) =>
    el('option', { value: image.id, text: `${image.name || `image ${image.id}`} (${image.state})` })));
  if (state.images.some((image) => String(image.id) === chosen)) select.value = chosen;
  for (const id of ['target-reset', 'target-erase']) $(id).disabled = busy;
  $('target-verify').disabled = busy || !state.images.length;
  $('target-read').disabled = busy || !debug;
  $('target-read').title = debug ? '' : 'Reading target memory needs debug mode (Settings).';
}

function resetTarget() {
  const nrst = $('reset-nrst').checked;
  startJob({ action: 'reset', nrst }, nrst ? 'reset by NRST' : 'reset');
}

function eraseTarget() {
  if (confirm('Erase the whole flash of the target? Its firmware is gone until an image is flashed again.')) {
    startJob({ action: 'erase' }, 'erase');
  }
}

function verifyTarget() {
  const image = state.images.find((candidate) => String(candidate.id) === $('verify-image').value);
  if (image) startJob({ action: 'verify', image: image.id }, `verify against ${image.name}`);
}

// A number as typed: decimal or 0x hex; NaN otherwise.
const parseNumber = (text) => (/^(0x[0-9a-f]+|[0-9]+)$/i.test(text.trim()) ? Number(text.trim()) : NaN);

async function readTarget() {
  const address = parseNumber($('read-address').value);
  const length = parseNumber($('read-length').value);
  if (!(address >= 0 && address <= 0xFFFFFFFF) || !(length >= 1)) {
    setStatus($('target-status'), 'failed', 'Not read: give the address (such as 0x08000000) and a number of bytes.');
    return;
  }
  setStatus($('target-status'), 'working', `Reading ${length} bytes at ${formatHex(address, 8)}…`);
  state.readWanted = { address, length };
  const job = await startJob({ action: 'read', address, length },
    `read ${formatBytes(length)} at ${formatHex(address, 8)}`);
  if (!job) {
    state.readWanted = null;
    setStatus($('target-status'), 'failed', 'Not read: see the error above.');
  }
}

// The finished read job's bytes (its data image, a signed GET) saved as a file; the image is then deleted from the
// device's store, which keeps it for this download only (as `airswd read` does).
async function saveRead(job) {
  const wanted = state.readWanted;
  state.readWanted = null;
  const status = $('target-status');
  if (job.state !== 'done' || !job.data) {
    setStatus(status, 'failed', `Not read: the job ${job.state}.`);
    return;
  }
  try {
    const path = job.data.replace(/^\/api\/v1/, '');
    const answer = await signedRequest('GET', path, { bytes: true });
    if (answer.status !== 200) readAnswer(answer);
    const blob = answer.blob;
    const name = `read-${formatHex(wanted.address, 8)}-${blob.size}.bin`;
    const link = el('a', { href: URL.createObjectURL(blob), download: name, 'data-testid': 'read-file', text: name });
    setStatus(status, 'done', `Read ${formatBytes(blob.size)} at ${formatHex(wanted.address, 8)}: `);
    status.append(link);
    link.click();
    await apiSigned('DELETE', path.replace(/\/data$/, ''));
  } catch (err) {
    setStatus(status, 'failed', `The read finished, but its bytes did not reach this page: ${describeError(err)}`);
  }
}

// ---- keys: the trusted signing keys and the image key ---------------------------------------------------------

function renderKeys(device) {
  const policy = device.policy;
  if (!policy) return;
  const keys = Array.isArray(policy.trusted_keys) ? policy.trusted_keys : [];
  $('key-list').replaceChildren(...keys.map((id) => el('li', { 'data-key-id': id },
    el('code', { class: 'key-id', text: id }), ' ',
    el('button', { type: 'button', class: 'secondary small', 'data-testid': `remove-key-${id}`,
      'aria-label': `Stop trusting key ${id}`, text: 'Remove', onclick: () => removeKey(id) }))));
  if (!keys.length) {
    $('key-list').append(el('li', { class: 'warning', 'data-testid': 'no-keys', text: 'No signing key is ' +
      'trusted: nothing can be flashed until you add one (debug mode flashes plain images).' }));
  }
  $('image-key-state').textContent = policy.image_key ? 'one is installed' : 'none installed';
  $('image-key-save').textContent = policy.image_key ? 'Replace' : 'Install';
}

// One change of the keys: the device's answer (GET /device's) shown, the outcome in the panel's status.
async function changeKeys(method, path, body, done) {
  const status = $('keys-status');
  setStatus(status, 'working', 'Saving…');
  try {
    renderDevice(await apiSigned(method, path, body));
    setStatus(status, 'done', done);
    return true;
  } catch (err) {
    setStatus(status, 'failed', `Not changed: ${describeError(err)}`);
    return false;
  }
}

async function addKey(event) {
  event.preventDefault();
  let key;
  try {
    key = signingKeyText($('key-add-text').value);
  } catch (err) {
    setStatus($('keys-status'), 'failed', err.message);
    return;
  }
  if (!key) {
    setStatus($('keys-status'), 'failed', 'Choose the public key file, or paste its text.');
    return;
  }
  const before = (state.device.policy && state.device.policy.trusted_keys) || [];
  if (await changeKeys('POST', '/keys', { signing_key: key }, 'The key is trusted.')) {
    const added = state.device.policy.trusted_keys.filter((id) => !before.includes(id));
    if (added.length) setStatus($('keys-status'), 'done', `Key ${added[0]} is trusted.`);
    $('key-add-text').value = '';
    $('key-add-file').value = '';
  }
}

function removeKey(id) {
  if (confirm(`Stop trusting key ${id}? Images signed with it are no longer flashed.`)) {
    changeKeys('DELETE', `/keys/${id}`, undefined, `Key ${id} is no longer trusted.`);
  }
}

async function saveImageKey(event) {
  event.preventDefault();
  const text = $('image-key').value.trim();
  if (!/^[0-9a-fA-F]{32}$/.test(text)) {
    setStatus($('keys-status'), 'failed', 'The image key is 32 hex digits (an AES-128 key, as airswd keygen --aes ' +
      'writes it).');
    return;
  }
  if (await changeKeys('PUT', '/image-key', { image_key: text.toLowerCase() },
    'The image key is installed: encrypted containers are decrypted with it.')) $('image-key').value = '';
}

// ---- images --------------------------------------------------------------------------------------------------

async function loadImages() {
  try {
    state.images = await read('/images') || [];
    clearErrors('images');
  } catch (err) {
    showError('Listing the images', err, 'images');
  }
  renderImages();
}

function renderImages() {
  const body = $('images-body');
  body.replaceChildren();
  if (!state.images.length) body.append(el('tr', {}, el('td', { colspan: 5, text: 'No image stored yet.' })));
  const busy = isJobActive();
  for (const image of state.images) {
    const where = image.format === 'bin' && image.base !== undefined ? ` at ${formatHex(image.base, 8)}` : '';
    body.append(el('tr', { 'data-image-id': image.id, 'data-state': image.state },
      el('td', { 'data-label': 'Name' }, el('span', { class: 'name', text: image.name || `image ${image.id}` }),
        el('span', { class: 'hint', text: ` ${image.format || ''}${where}` })),
      el('td', { 'data-label': 'State' }, el('span', { class: `pill state-${image.state}`, text: image.state || '' }),
        // flashed_ok: a flash of it was verified (docs/api.md); a current image flashed without verify has none.
        image.flashed_ok === false && image.state !== 'staged'
          ? el('span', { class: 'hint', text: ' not verified' }) : ''),
      el('td', { 'data-label': 'Size', text: formatBytes(image.size) }),
      // The device gives no CRC-32 of an image under 64 bytes outside debug mode: it would give the bytes away.
      el('td', { 'data-label': 'CRC-32', class: 'mono',
        text: image.crc32 === null ? 'in debug mode' : formatHex(image.crc32, 8) }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', 'data-testid': `flash-image-${image.id}`, disabled: busy,
          'aria-label': `Flash ${image.name}`, text: 'Flash', onclick: () => startFlash(image) }),
        el('button', { type: 'button', class: 'secondary', 'data-testid': `delete-image-${image.id}`,
          'aria-label': `Delete ${image.name}`, text: 'Delete', onclick: () => deleteImage(image) }))));
  }
  renderTargetActions();
  const previous = state.images.find((image) => image.state === 'previous');
  const rollback = $('rollback');
  rollback.disabled = !previous || busy;
  rollback.textContent = previous ? `Roll back to ${previous.name}` : 'Roll back to the previous image';
  $('flash-uploaded').disabled = busy;
}

async function deleteImage(image) {
  if (!confirm(`Delete ${image.name} from the device?`)) return;
  try {
    await apiSigned('DELETE', `/images/${image.id}`);
    clearErrors('delete');
    if (state.uploaded && state.uploaded.id === image.id) {
      state.uploaded = null;
      $('flash-uploaded').hidden = true;
    }
  } catch (err) {
    showError(`Deleting ${image.name}`, err, 'delete');
  }
  loadImages();
}

// ---- upload --------------------------------------------------------------------------------------------------

// The format: a signed container by its magic whatever the file is called, else from the name, else ELF by its
// magic; otherwise null, and the device detects it (it tells Intel HEX, a binary and text apart, and refuses text).
const CONTAINER_MAGIC = 'AIRSWDC1';

async function fileHead(file) {
  return new Uint8Array(await file.slice(0, CONTAINER_MAGIC.length).arrayBuffer());
}

const isContainerHead = (head) => String.fromCharCode(...head) === CONTAINER_MAGIC;

async function detectFormat(file) {
  const head = await fileHead(file);
  if (isContainerHead(head)) return 'container';
  const extension = (file.name.match(/\.([a-z0-9]+)$/i) || [])[1];
  const known = { airswd: 'container', elf: 'elf', axf: 'elf', out: 'elf', hex: 'hex', ihex: 'hex', bin: 'bin' };
  if (extension && known[extension.toLowerCase()]) return known[extension.toLowerCase()];
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  return null;
}

// encodeURIComponent leaves !'()* as they are, and the browser's URL parser then escapes ' in a query: the path
// signed would no longer be the path sent. Escaping them here makes the query travel exactly as it was signed.
function queryValue(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function setBar(bar, percent) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  bar.setAttribute('aria-valuenow', String(value));
  bar.setAttribute('aria-valuetext', `${value}%`);
  bar.firstElementChild.style.width = `${value}%`;
}

// The upload's one line: what it does, its success, or why the device refused it (not repeated in the error list).
function setUploadStatus(stateName, text) {
  setStatus($('upload-status'), stateName, text);
}

// noRollback: the user agreed to give up the rollback copy when the store has no room for the file beside it.
async function uploadFile(file, noRollback) {
  if (!file) return;
  const format = await detectFormat(file);
  let query = `name=${queryValue(file.name)}`;
  if (format) query += `&format=${format}`;
  if (format === 'bin' || !format) { // a binary, or what the device may find to be one
    const base = $('base-address').value.trim();
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(base)) {
      setUploadStatus('failed', `${file.name} was not uploaded: the base address "${base}" is not a number; write ` +
        'it like 0x08000000.');
      $('base-address').focus();
      return;
    }
    query += `&base=${queryValue(base)}`;
  }
  if (noRollback) query += '&no_rollback=1';
  $('flash-uploaded').hidden = true;
  setBar($('upload-progress'), 0);
  setUploadStatus('uploading', `Uploading ${file.name} (${format || 'format detected by the device'}, ` +
    `${formatBytes(file.size)})…`);

  let image;
  try {
    image = await uploadSigned(`/images?${query}`, file, (fraction) => setBar($('upload-progress'), 100 * fraction));
    if (!image || image.id === undefined) throw new Error('the answer has no image id');
  } catch (err) {
    // No room beside the rollback copy: the device's sentence, and the choice to give that copy up.
    if (err.error === 'no-room-for-rollback' && !noRollback) {
      setUploadStatus('asking', `${file.name} does not fit beside the images the device keeps: ${err.detail}.`);
      if (confirm(`${file.name} does not fit in the device's store beside the images it keeps: ${err.detail}.\n\n` +
        'Upload it without a rollback copy? The device then gives up the image it keeps to roll back to.')) {
        return uploadFile(file, true);
      }
    }
    // The refusal in words next to the zone (image-unsigned, a bad signature, ...), once.
    let text = `${file.name} was not stored: ${describeError(err)}`;
    if (err.error === 'image-unsigned' && state.device && !state.device.debug_mode) {
      text += ' (Debug mode, in Settings, accepts plain images while it is on.)';
    }
    setUploadStatus('failed', text);
    setBar($('upload-progress'), 0);
    return;
  }
  state.uploaded = image;
  setBar($('upload-progress'), 100);
  setUploadStatus('done', `${image.name || file.name} stored as image ${image.id} (${image.format || format}, ` +
    `${formatBytes(image.size)})${noRollback ? ', without a rollback copy' : ''}.`);
  const button = $('flash-uploaded');
  button.textContent = `Flash ${image.name || file.name}`;
  button.hidden = false;
  loadImages();
  loadDevice();  // the store's room changed
}

function setUpUpload() {
  const zone = $('drop-zone');
  const input = $('file-input');
  input.addEventListener('change', () => {
    const file = input.files[0];
    input.value = '';  // so that choosing the same file again (after rebuilding it) uploads it again
    uploadFile(file);
  });
  for (const name of ['dragenter', 'dragover']) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add('dragging');
    });
  }
  for (const name of ['dragleave', 'drop']) {
    zone.addEventListener(name, () => zone.classList.remove('dragging'));
  }
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) uploadFile(file);
  });
  $('flash-uploaded').addEventListener('click', () => {
    if (state.uploaded) startFlash(state.uploaded);
  });
}

// ---- jobs ----------------------------------------------------------------------------------------------------

function isJobActive() {
  return !!state.job && !FINISHED.includes(state.job.state);
}

function flashOptions() {
  return { verify: $('opt-verify').checked, reset: $('opt-reset').checked,
    skip_unchanged: $('opt-skip-unchanged').checked };
}

async function startJob(request, label) {
  try {
    const job = await apiSigned('POST', '/jobs', request);
    clearErrors('job');
    // The new job replaces the one on screen, unless its events came first (a short job may even be finished).
    if (state.job && state.job.id !== job.id) state.job = null;
    mergeJob(Object.assign({ label }, job));
    return job;
  } catch (err) {
    showError(`Starting ${label}`, err, 'job');
    return null;
  }
}

function startFlash(image) {
  return startJob(Object.assign({ action: 'flash', image: image.id }, flashOptions()), `flash ${image.name}`);
}

function rollback() {
  const previous = state.images.find((image) => image.state === 'previous');
  if (previous && confirm(`Flash ${previous.name} again and make it the current image?`)) {
    startJob(Object.assign({ action: 'rollback' }, flashOptions()), `rollback to ${previous.name}`);
  }
}

async function cancelJob() {
  if (!state.job) return;
  try {
    await apiSigned('DELETE', `/jobs/${state.job.id}`);
  } catch (err) {
    showError(`Cancelling job ${state.job.id}`, err, 'job');
  }
}

// Folds news about a job (the POST answer, an SSE event, a GET) into the one on screen. Events may arrive before
// the POST answers, and a late answer must not move a finished job back to "queued".
function mergeJob(update) {
  if (update.job !== undefined && update.id === undefined) update.id = update.job;
  if (state.job && update.id !== state.job.id) {
    // News of an older job while a newer one runs is stale; once that one is finished, a lower number is a new job
    // of a restarted device.
    if (update.id < state.job.id && isJobActive()) return;
    state.job = null;
  }
  const job = state.job || { id: update.id, state: 'queued' };
  const wasFinished = FINISHED.includes(job.state);
  for (const [key, value] of Object.entries(update)) {
    if (key === 'state' && STATE_RANK[value] < (STATE_RANK[job.state] || 0)) continue;
    if (wasFinished && ['phase', 'done', 'total', 'phase_us'].includes(key)) continue;
    if (value === null && job[key] !== undefined && job[key] !== null) continue;  // a late answer knows less
    if (value !== undefined && key !== 'job') job[key] = value;
  }
  if (update.phase && !update.state && !wasFinished) job.state = 'running';
  state.job = job;
  renderJob();
  if (FINISHED.includes(job.state) && !wasFinished) jobFinished(job);
  else if (!FINISHED.includes(job.state)) pollWhileNoEvents();
}

async function jobFinished(job) {
  if (job.result === undefined || job.error === undefined || (job.result === null && job.error === null)) {
    try {
      mergeJob(await read(`/jobs/${job.id}`));
    } catch (err) {
      showError(`Reading the result of job ${job.id}`, err, 'job');
    }
  }
  // A read's bytes are fetched before anything else is asked: on a device with two connections (the ESP8266) a
  // request that comes meanwhile may take the connection of the download.
  if (state.readWanted && state.job && state.job.id === job.id && job.action === 'read') await saveRead(state.job);
  if (readable() === 'all') loadImages();
  loadDevice();
}

// Without the event stream (a proxy that buffers it, a reconnect), the job is followed by polling instead.
function pollWhileNoEvents() {
  if (state.pollTimer) return;
  state.pollTimer = setTimeout(async () => {
    state.pollTimer = 0;
    if (!isJobActive()) return;
    if (!state.eventsOpen) {
      await refreshJob();
      return;
    }
    pollWhileNoEvents();
  }, 1000);
}

// Reads the job on screen again (its answer carries on the following, through mergeJob).
async function refreshJob() {
  const id = state.job.id;
  try {
    mergeJob(await read(`/jobs/${id}`));
  } catch (err) {
    showError(`Following job ${id}`, err, 'job');
  }
}

function renderJob() {
  const job = state.job;
  if (!job) return;
  const finished = FINISHED.includes(job.state);
  $('job-name').textContent = `Job ${job.id}` + (job.label || job.action ? ` (${job.label || job.action}):` : ':');
  const jobState = $('job-state');
  jobState.textContent = job.state;
  jobState.className = `pill state-${job.state}`;
  $('job-phase').textContent = !finished && job.phase ? `phase: ${job.phase}` : '';
  let percent = job.total ? (100 * job.done) / job.total : 0;
  if (job.state === 'done') percent = 100;
  setBar($('progress'), percent);
  $('progress').dataset.state = job.state;
  $('job-bytes').textContent = !finished && job.total ? `${formatBytes(job.done)} of ${formatBytes(job.total)}` : '';
  $('job-rate').textContent = !finished ? formatRate(job.done, job.phase_us) : '';
  $('job-cancel').hidden = finished;
  $('job-cancel').disabled = finished;
  renderJobResult(job);
  renderJobError(job);
  renderImages();
}

function renderJobResult(job) {
  const box = $('job-result');
  box.replaceChildren();
  const result = job.result;
  if (!result || job.state !== 'done') return;
  const phases = result.phases_us || {};
  const rows = Object.entries(phases).filter(([, us]) => us > 0).map(([phase, us]) =>
    el('tr', {}, el('th', { scope: 'row', text: phase }), el('td', { text: formatMicroseconds(us) })));
  const total = result.total_us !== undefined ? result.total_us : Object.values(phases).reduce((a, b) => a + b, 0);
  rows.push(el('tr', { class: 'total' }, el('th', { scope: 'row', text: 'total' }),
    el('td', { text: formatMicroseconds(total) })));
  const summary = [];
  if (result.part) summary.push(result.part);
  if (result.program_bytes !== undefined) summary.push(`${formatBytes(result.program_bytes)} programmed`);
  if (phases.program) summary.push(formatRate(result.program_bytes, phases.program));
  if (result.unchanged_units) summary.push(`${result.unchanged_units} unchanged pages skipped`);
  // Which programmer reached the target: with the transport setting on auto, the bootloader means SWD did not answer.
  if (job.backend) {
    summary.push(`through ${job.backend}` + (job.transport !== 'auto' ? ''
      : job.backend === 'SWD' ? ' (auto)' : ' (auto: SWD did not answer)'));
  }
  box.append(el('p', { class: 'success', text: `Success${summary.length ? ': ' + summary.join(', ') : ''}.` }),
    el('table', { class: 'phases', 'aria-label': 'Chip time per phase' },
      el('caption', { text: 'Chip time per phase' }), el('tbody', {}, ...rows)));
}

function renderJobError(job) {
  const box = $('job-error');
  box.replaceChildren();
  const error = job.error;
  if (job.state === 'cancelled') {
    box.append(el('p', { text: 'The job was cancelled.' }));
  }
  if (!error || job.state === 'done') return;
  box.append(el('p', {}, el('strong', { text: `Failed${error.phase ? ' in ' + error.phase : ''}: ${error.status || ''}` })));
  if (error.detail) box.append(el('p', {}, ...withCode(error.detail)));
  if (error.message) box.append(el('p', {}, ...withCode(error.message)));
  if (error.flash_changed !== undefined) {
    box.append(el('p', { class: 'hint', text: error.flash_changed
      ? 'The flash was changed: the target may not run until an image is flashed successfully.'
      : 'The flash was not touched.' }));
  }
}

// ---- the log and the event stream ----------------------------------------------------------------------------

function appendLog(entry) {
  if (entry.seq !== undefined && entry.seq <= state.logSeq) return;
  if (entry.seq !== undefined) state.logSeq = entry.seq;
  const time = entry.time_s !== undefined ? `${formatUptime(entry.time_s)}` : '';
  const log = $('log');
  log.append(el('li', { 'data-seq': entry.seq }, el('span', { class: 'time', text: time }),
    el('span', { text: entry.text || '' })));
  while (log.children.length > 200) log.firstElementChild.remove();
  log.scrollTop = log.scrollHeight;
}

async function loadLog() {
  try {
    const entries = await read('/log') || [];
    for (const entry of entries) appendLog(entry);
    clearErrors('log');
  } catch (err) {
    showError('Reading the log', err, 'log');
  }
}

function parseEvent(event) {
  try {
    return JSON.parse(event.data);
  } catch (_) {
    showError(`Event "${event.type}"`, new Error(`the device sent data that is not JSON: ${event.data.slice(0, 80)}`));
    return null;
  }
}

function setEventsState(name, text) {
  const pill = $('events-state');
  pill.dataset.state = name;
  pill.textContent = text;
}

const EVENTS_RETRY_MS = 2000;  // a broken stream is opened again after this

// The text/event-stream format (the HTML standard's "server-sent events"): fields per line, an event per blank line.
// feed(text) takes the stream's text in pieces as they come and calls onEvent({type, data, id}) for each event.
function eventStreamParser(onEvent) {
  let buffer = '';
  let event = { type: 'message', data: [], id: null };
  const line = (text) => {
    if (text === '') {
      if (event.data.length) onEvent({ type: event.type, data: event.data.join('\n'), id: event.id });
      event = { type: 'message', data: [], id: null };
      return;
    }
    if (text.startsWith(':')) return;  // a comment: the device's keep-alive
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event.type = value;
    else if (field === 'data') event.data.push(value);
    else if (field === 'id') event.id = value;
  };
  return (text) => {
    buffer += text;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();
    for (const text of lines) line(text);
  };
}

function dispatchEvent(event) {
  if (event.id !== null) {
    // The device moves a reader that fell behind its ring of events on to the oldest it still keeps: a jump in the
    // ids means news was lost, perhaps the end of the job on screen, which is then read again.
    const skipped = state.lastEventId !== '' && Number(event.id) > Number(state.lastEventId) + 1;
    state.lastEventId = event.id;
    if (skipped && isJobActive()) refreshJob();
  }
  const data = parseEvent(event);
  if (!data) return;
  if (event.type === 'progress' || event.type === 'job') mergeJob(data);
  else if (event.type === 'log') appendLog(data);
  else if (event.type === 'console') consoleEvent(data);
}

// One event stream at a time, read with fetch() and a signed request (EventSource cannot sign), opened again after a
// break with Last-Event-ID so that the device replays what was missed while it still keeps it.
async function connectEvents() {
  disconnectEvents();
  const controller = new AbortController();
  state.events = controller;
  state.eventsConsole = consoleWanted();
  const open = () => {
    const options = { stream: true, signal: controller.signal,
      headers: Object.assign({ Accept: 'text/event-stream' },
        state.lastEventId ? { 'Last-Event-ID': state.lastEventId } : {}) };
    // The console's output rides the signed stream, from where this page left it (all the device keeps, at first).
    if (state.eventsConsole) return signedRequest('GET', `/events?console=${state.console.end}`, options);
    return state.key || !authRequired() ? signedRequest('GET', '/events', options)
      : transmit('GET', '/events', options);
  };
  while (!controller.signal.aborted) {
    try {
      const answer = await open();
      if (controller.signal.aborted) return;
      if (answer.status !== 200 || !answer.body) {
        readAnswer(answer);  // throws the device's refusal; signedRequest has already acted on a login's
        throw new Error(`the event stream answered ${answer.status}`);
      }
      state.eventsOpen = true;
      setEventsState('open', 'live');
      loadLog();  // catches up on what was logged while the stream was down
      const reader = answer.body.getReader();
      const decoder = new TextDecoder();
      const feed = eventStreamParser(dispatchEvent);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feed(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      if (err instanceof ApiError && [401, 403, 429].includes(err.httpStatus)) {
        state.eventsOpen = false;
        setEventsState('closed', 'not live: log in');
        if (!state.key) loadDevice();  // the status is no longer public
        return;
      }
    }
    if (controller.signal.aborted) return;
    state.eventsOpen = false;
    setEventsState('closed', 'reconnecting…');
    if (isJobActive()) pollWhileNoEvents();
    await sleep(EVENTS_RETRY_MS);
  }
}

function disconnectEvents() {
  if (state.events) state.events.abort();
  state.events = null;
  state.eventsOpen = false;
  setEventsState('closed', 'not live');
}

// ---- the console (docs/console.md: the event stream's console events, POST /api/v1/console) ------------------

const CONSOLE_KEEP = 1 << 20;     // bytes of output kept for Save
const CONSOLE_SHOW = 16384;       // characters the output shows
const CONSOLE_REQUEST = 384;      // the most the device takes in one POST /api/v1/console
const CONSOLE_LINE_WAIT_MS = 40;  // the line was full: about 460 bytes leave it at 115200 baud meanwhile
const CONSOLE_RENDER_MS = 100;

// The stream asks for the console where the device has one and the page may use it (logged in).
function consoleWanted() {
  return !!(state.device && state.device.console === true && (state.key || !authRequired()));
}

function renderConsolePanel() {
  $('console').hidden = !consoleWanted();
  // The stream opened before the device said it has a console (the summary does not say it): again, with it.
  if (consoleWanted() && state.events && !state.eventsConsole) connectEvents();
}

function setConsoleOpen(open) {
  const pill = $('console-state');
  pill.dataset.state = open ? 'open' : 'closed';
  pill.textContent = open ? 'open' : 'closed';
  $('console-send').disabled = !open;
  $('console-baud').disabled = !open;
  if (!open) setStatus($('console-status'), 'idle', 'The console opens in debug mode (Settings).');
  else if ($('console-status').dataset.state === 'idle') setStatus($('console-status'), 'idle', '');
}

function showConsoleBaud(baud) {
  const select = $('console-baud');
  const listed = [...select.options].some((option) => Number(option.value) === baud);
  if (!listed) select.append(el('option', { text: String(baud) }));
  select.value = String(baud);
}

// The line's baud rate (PUT /api/v1/console {"baud"}), as an RFC 2217 client sets it.
async function setConsoleBaud() {
  const status = $('console-status');
  try {
    const answer = await apiSigned('PUT', '/console', { baud: Number($('console-baud').value) });
    showConsoleBaud(answer.baud);
    setStatus(status, 'done', `The line runs at ${answer.baud} baud.`);
  } catch (err) {
    setStatus(status, 'failed', `The baud rate was not changed: ${describeError(err)}`);
  }
}

function hexBytes(text) {
  const bytes = new Uint8Array(text.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.substr(2 * i, 2), 16);
  return bytes;
}

// {"open": bool}, or {"at": N, "hex": "..."}: output from position N on. A stream opened again resumes at the end
// of what was shown; what overlaps is dropped, and a gap (the device's history moved past a page that fell behind)
// is said.
function consoleEvent(data) {
  const con = state.console;
  if (typeof data.open === 'boolean') {
    setConsoleOpen(data.open);
    if (data.baud) showConsoleBaud(data.baud);
    return;
  }
  if (typeof data.at !== 'number' || typeof data.hex !== 'string') return;
  let bytes = hexBytes(data.hex);
  if (data.at + bytes.length <= con.end) return;
  if (data.at < con.end) bytes = bytes.subarray(con.end - data.at);
  else if (data.at > con.end && con.received > 0) {
    setStatus($('console-status'), 'failed', `${data.at - con.end} bytes of output were lost: this page fell ` +
      'behind the device\'s history.');
  }
  con.end = Math.max(data.at, con.end) + bytes.length;
  con.chunks.push(bytes);
  con.kept += bytes.length;
  con.received += bytes.length;
  while (con.kept - con.chunks[0].length >= CONSOLE_KEEP) con.kept -= con.chunks.shift().length;
  if (!con.decoder) con.decoder = new TextDecoder();
  con.text = (con.text + con.decoder.decode(bytes, { stream: true })).slice(-CONSOLE_SHOW);
  if (!con.renderTimer) con.renderTimer = setTimeout(renderConsoleOutput, CONSOLE_RENDER_MS);
}

// The output is drawn a few times a second, not per event: at 115200 baud dozens of events arrive each second, and
// laying out the whole text for each would hold up the page that reads them.
function renderConsoleOutput() {
  const con = state.console;
  con.renderTimer = 0;
  const output = $('console-output');
  const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
  output.textContent = con.text;
  output.dataset.received = String(con.received);
  if (atBottom) output.scrollTop = output.scrollHeight;
}

// Sends what is queued, CONSOLE_REQUEST bytes a signed request; the device takes what its line has room for and the
// rest is sent again, so nothing typed or sent from a file is lost.
async function consolePump() {
  const con = state.console;
  if (con.sending) return;
  con.sending = true;
  const status = $('console-status');
  try {
    while (con.outgoing.length) {
      const head = con.outgoing[0];
      const piece = head.subarray(0, CONSOLE_REQUEST);
      const answer = readAnswer(await signedRequest('POST', '/console',
        { body: new Blob([piece]), contentType: 'application/octet-stream' }));
      const taken = Math.min(Number(answer && answer.taken) || 0, piece.length);
      con.sent += taken;
      if (taken === head.length) con.outgoing.shift();
      else con.outgoing[0] = head.subarray(taken);
      if (con.queued > CONSOLE_REQUEST) {
        setStatus(status, con.sent === con.queued ? 'done' : 'running',
          `Sent ${formatBytes(con.sent)} of ${formatBytes(con.queued)}.`);
      }
      if (taken < piece.length) await sleep(CONSOLE_LINE_WAIT_MS);
    }
  } catch (err) {
    const lost = con.outgoing.reduce((n, bytes) => n + bytes.length, 0);
    con.outgoing = [];
    setStatus(status, 'failed', `Not sent (${formatBytes(lost)}): ${describeError(err)}`);
  } finally {
    con.sending = false;
    if (!con.outgoing.length) con.sent = con.queued = 0;
  }
}

function consoleSend(bytes) {
  if (!bytes.length) return;
  state.console.outgoing.push(bytes);
  state.console.queued += bytes.length;
  consolePump();
}

const LINE_ENDINGS = { crlf: '\r\n', lf: '\n', cr: '\r', none: '' };

function sendConsoleLine(event) {
  event.preventDefault();
  const line = $('console-line');
  consoleSend(new TextEncoder().encode(line.value + (LINE_ENDINGS[$('console-ending').value] || '')));
  line.value = '';
}

async function sendConsoleFile() {
  const input = $('console-file');
  const file = input.files[0];
  if (!file) return;
  consoleSend(new Uint8Array(await file.arrayBuffer()));
  input.value = '';
}

function saveConsole() {
  const blob = new Blob(state.console.chunks, { type: 'application/octet-stream' });
  const link = el('a', { href: URL.createObjectURL(blob), download: 'console.bin' });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

function clearConsole() {
  const con = state.console;
  con.chunks = [];
  con.kept = 0;
  con.text = '';
  renderConsoleOutput();
}

// ---- settings ------------------------------------------------------------------------------------------------

function fillSettings(settings) {
  if (!settings) return;
  if (settings.swclk_hz !== undefined) $('set-swclk').value = settings.swclk_hz;
  $('set-connect-under-reset').checked = !!settings.connect_under_reset;
  $('set-verify').checked = settings.verify !== false;
  $('opt-verify').checked = settings.verify !== false;
  $('set-public-status').checked = !!settings.public_status;
  if (settings.transport) $('set-transport').value = settings.transport;
  if (settings.debug !== undefined) renderDebug(!!settings.debug);
}

async function loadSettings() {
  try {
    fillSettings(await read('/settings'));
    clearErrors('settings');
  } catch (err) {
    showError('Reading the settings', err, 'settings');
  }
}

async function saveSettings(event) {
  event.preventDefault();
  const status = $('settings-status');
  const swclk = Number($('set-swclk').value);
  if ($('set-swclk').value.trim() === '' || !Number.isInteger(swclk) || swclk < 0) {
    status.textContent = 'Not saved: the SWD clock must be a whole number of Hz, such as 4000000 (0 for the ' +
      'probe\'s default).';
    return;
  }
  const settings = {
    swclk_hz: swclk,
    connect_under_reset: $('set-connect-under-reset').checked,
    verify: $('set-verify').checked,
    public_status: $('set-public-status').checked,
    transport: $('set-transport').value,
  };
  status.textContent = 'Saving…';
  try {
    fillSettings(await apiSigned('PUT', '/settings', settings));
    status.textContent = 'Saved.';
    clearErrors('settings');
    loadDevice();
  } catch (err) {
    status.textContent = 'Not saved.';
    showError('Saving the settings', err, 'settings');
  }
}

// Debug mode is a setting of its own (PUT /api/v1/settings {"debug"}), changed by one button so that it is never
// switched as a side effect of saving the others.
async function toggleDebug() {
  const button = $('debug-toggle');
  const status = $('debug-status');
  const wanted = button.dataset.state !== 'on';
  button.disabled = true;
  status.textContent = wanted ? 'Turning debug mode on…' : 'Turning debug mode off…';
  try {
    fillSettings(await apiSigned('PUT', '/settings', { debug: wanted }));
    status.textContent = '';
    clearErrors('debug');
  } catch (err) {
    status.textContent = 'Not changed.';
    showError(wanted ? 'Turning debug mode on' : 'Turning debug mode off', err, 'debug');
  } finally {
    button.disabled = false;
    loadDevice();
  }
}

// ---- the board: WiFi and pins (GET and PUT /api/v1/board) ---------------------------------------------------

const PINS = ['swclk', 'swdio', 'nrst', 'boot0'];
const WIFI_SSID_MAX = 32;       // bytes, as WiFi and the device count them
const WIFI_PASSWORD_MAX = 64;
const JOIN_WATCH_MS = 60000;    // how long the page watches the device join its network after setup
const JOIN_POLL_MS = 2000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const utf8Length = (text) => new TextEncoder().encode(text).length;

// A link to the device at a host name or address, with the page's own scheme.
function deviceLink(host) {
  const address = `${location.protocol}//${host}/`;
  return el('a', { href: address, text: address });
}

// What the board would refuse of a WiFi network, as a sentence; null when it is fine.
function wifiProblem(ssid, password) {
  if (utf8Length(ssid) > WIFI_SSID_MAX) {
    return `The network name has ${utf8Length(ssid)} bytes; WiFi allows ${WIFI_SSID_MAX} at most.`;
  }
  if (utf8Length(password) > WIFI_PASSWORD_MAX) {
    return `The WiFi password has ${utf8Length(password)} bytes; WiFi allows ${WIFI_PASSWORD_MAX} at most.`;
  }
  if (password && !ssid) return 'A WiFi password needs the name of its network.';
  return null;
}

function describeSignal(rssi) {
  const words = rssi >= -55 ? 'strong' : rssi >= -67 ? 'good' : rssi >= -75 ? 'fair' : 'weak';
  return `${rssi} dBm (${words})`;
}

function describePins(board) {
  return PINS.map((pin) => {
    const gpio = board[`pin_${pin}`];
    return `${pin.toUpperCase()} ${gpio === null || gpio === undefined ? 'not wired' : `GPIO${gpio}`}`;
  }).join(', ');
}

// The board's answer (GET or PUT): the network's state and the pins; fillForm puts the settings into the form
// (not on a refresh, which would undo what the user is typing). rejoining: the answer to a new network, whose
// connection state is still the old network's (the device applies the change after answering).
function renderBoard(board, fillForm, rejoining) {
  state.board = board;
  state.boardRenders++;
  const network = rejoining ? { setup_ap: board.network && board.network.setup_ap,
    hostname: board.network && board.network.hostname } : board.network || {};
  const ssid = board.wifi_ssid || '';
  let connection = 'not connected';
  if (network.station_connected) connection = ssid ? `connected to ${ssid}` : 'connected';
  else if (ssid) connection = `not connected: joining ${ssid}`;
  renderFacts($('board-network'), [
    ['WiFi network', ssid || 'none set (access point only)'],
    ['connection', connection],
    ['address', network.station_address ? deviceLink(network.station_address) : undefined],
    ['signal', network.station_connected && network.rssi ? describeSignal(network.rssi) : undefined],
    ['setup access point', network.setup_ap === undefined ? undefined : (network.setup_ap ? 'up' : 'off')],
    ['host name', network.hostname ? deviceLink(`${network.hostname}.local`) : undefined],
    ['pins', describePins(board)],
  ]);
  if (!fillForm) return;
  $('board-wifi-ssid').value = ssid;
  $('board-wifi-password').value = '';
  for (const pin of PINS) {
    const gpio = board[`pin_${pin}`];
    $(`board-pin-${pin}`).value = gpio === null || gpio === undefined ? '' : String(gpio);
  }
}

// GET /api/v1/board; null when the panel has shown another answer (a PUT's, as new) while this one was on its way,
// which may then be the older of the two.
async function readBoard() {
  const renders = state.boardRenders;
  const board = await apiSigned('GET', '/board');
  return state.boardRenders === renders ? board : null;
}

async function loadBoard(fillForm = true) {
  try {
    const board = await readBoard();
    if (board) renderBoard(board, fillForm);
    clearErrors('board');
  } catch (err) {
    showError('Reading the board settings', err, 'board');
  }
}

// What the form changes, as PUT /api/v1/board takes it: only the fields that differ from what the device said, and
// the password only when one was typed. Throws with a sentence for what cannot be sent.
function boardChanges() {
  const before = state.board || {};
  const changes = {};
  const ssid = $('board-wifi-ssid').value;
  const password = $('board-wifi-password').value;
  const problem = wifiProblem(ssid, password);
  if (problem) throw new Error(problem);
  if (ssid !== (before.wifi_ssid || '')) changes.wifi_ssid = ssid;
  if (password) changes.wifi_password = password;
  for (const pin of PINS) {
    const text = $(`board-pin-${pin}`).value.trim();
    if (text !== '' && !/^\d{1,2}$/.test(text)) {
      throw new Error(`${pin.toUpperCase()} is a GPIO number, such as 14, or empty when it is not wired.`);
    }
    const gpio = text === '' ? null : Number(text);
    const old = before[`pin_${pin}`] === undefined ? null : before[`pin_${pin}`];
    if (gpio !== old) changes[`pin_${pin}`] = gpio;
  }
  return changes;
}

// What a saved change does, in words.
function describeBoardChange(changes, board) {
  const hostname = board.network && board.network.hostname;
  if (changes.wifi_ssid === '') {
    return 'Saved. The device leaves its WiFi network and answers on its own access point only.';
  }
  if ('wifi_ssid' in changes || 'wifi_password' in changes) {
    const ssid = board.wifi_ssid;
    return `Saved. The device now joins “${ssid}” and leaves the network it is on, so this page may stop ` +
      `answering: connect this phone or computer to “${ssid}” and open ` +
      (hostname ? `${location.protocol}//${hostname}.local/ or ` : '') + 'the address the device gets there.';
  }
  return 'Saved. The next job uses these pins.';
}

async function saveBoard(event) {
  event.preventDefault();
  const status = $('board-status');
  let changes;
  try {
    changes = boardChanges();
  } catch (err) {
    setStatus(status, 'failed', `Not saved: ${err.message}`);
    return;
  }
  if (!Object.keys(changes).length) {
    setStatus(status, 'idle', 'Nothing to save: the form shows what the device has.');
    return;
  }
  if (changes.wifi_ssid === '' && !confirm('Take the device off its WiFi network? It will answer on its own ' +
    'access point only.')) return;
  const button = $('board-save');
  button.disabled = true;
  setStatus(status, 'working', 'Saving…');
  try {
    const board = await apiSigned('PUT', '/board', changes);
    renderBoard(board, true, 'wifi_ssid' in changes || 'wifi_password' in changes);
    setStatus(status, 'done', describeBoardChange(changes, board));
  } catch (err) {
    setStatus(status, 'failed', `Not saved: ${describeError(err)}`);
  } finally {
    button.disabled = false;
  }
}

// ---- after setup: the device joins its network ---------------------------------------------------------------

function showNextSteps(...nodes) {
  $('next-steps-text').replaceChildren(...nodes);
  $('next-steps').hidden = false;
}

// The WiFi network of the setup form, sent signed once setup has given the page its key; then what the user does to
// reach the device on that network, and the address it gets there once it has joined.
async function joinNetwork(wifi) {
  const request = { wifi_ssid: wifi.ssid };
  if (wifi.password) request.wifi_password = wifi.password;
  showNextSteps(el('p', { text: `Sending the WiFi network “${wifi.ssid}” to the device…` }));
  let board;
  try {
    board = await apiSigned('PUT', '/board', request);
  } catch (err) {
    showNextSteps(el('p', { class: 'status', 'data-state': 'failed',
      text: `The device is set up, but it did not take the WiFi network: ${describeError(err)}` }),
    el('p', { text: 'Set its network in the Board panel.' }));
    return;
  }
  renderBoard(board, true, true);
  const hostname = board.network && board.network.hostname;
  showNextSteps(el('p', { text: `The device now joins the WiFi network “${wifi.ssid}”.` }),
    el('p', {}, `Connect this phone or computer to “${wifi.ssid}” too, then open `,
      ...(hostname ? [deviceLink(`${hostname}.local`), ' or '] : []), 'the address the device gets there.'),
    el('p', { id: 'next-steps-address', 'data-testid': 'next-steps-address', 'data-state': 'joining',
      text: 'Waiting for the device to join…' }),
    el('p', { class: 'hint', text: 'Its own access point stays up while it has not joined, and while this phone or ' +
      'computer is connected to it: this page goes on working until you switch networks.' }));
  watchJoin(wifi.ssid);
}

// Polls the board until the device is on its network (its address shown) or JOIN_WATCH_MS pass.
async function watchJoin(ssid) {
  const line = $('next-steps-address');
  const until = Date.now() + JOIN_WATCH_MS;
  while (Date.now() < until) {
    await sleep(JOIN_POLL_MS);
    if ($('next-steps').hidden || !line.isConnected) return;
    let board;
    try {
      board = await readBoard();
    } catch (_) {
      setStatus(line, 'lost', 'This page no longer reaches the device here: if you have switched networks, open ' +
        'it at its new address.');
      return;
    }
    if (!board) continue;
    renderBoard(board, false);
    const network = board.network || {};
    if (network.station_connected && network.station_address) {
      line.dataset.state = 'joined';
      line.replaceChildren(`It joined “${ssid}” with the address `, deviceLink(network.station_address), '.');
      return;
    }
  }
  setStatus(line, 'not-joined', `It has not joined “${ssid}” yet. If the network's name or password is wrong, ` +
    'correct them in the Board panel: the device keeps its access point up while it cannot join.');
}

// ---- the programmer's own firmware (POST /api/v1/firmware) --------------------------------------------------

// A new firmware confirms itself within a minute of its start or the previous one boots again: 90 s covers either.
const RESTART_WAIT_MS = 90000;
const RESTART_POLL_MS = 1000;
const PROBE_TIMEOUT_MS = 3000;  // a device that is restarting may not answer at all
const UPTIME_SLACK_S = 3;       // whole seconds, and the time an answer takes

// GET /api/v1/device in full (signed: the uptime is not in the summary), given up after PROBE_TIMEOUT_MS.
async function probeDevice() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
  try {
    return readAnswer(await signedRequest('GET', '/device', { signal: controller.signal }));
  } finally {
    clearTimeout(timer);
  }
}

// Polls the device until it answers with an uptime that started over since reference ({uptime_s, at}): until it
// restarts it answers its old uptime, grown by the time that passed; after, one lower than any seen before or well
// below that. The device's answer, or null after RESTART_WAIT_MS.
async function waitForRestart(reference) {
  const deadline = Date.now() + RESTART_WAIT_MS;
  let highest = reference.uptime_s;
  while (Date.now() < deadline) {
    await sleep(RESTART_POLL_MS);
    let device;
    try {
      device = await probeDevice();
    } catch (_) {
      continue;  // down while it restarts
    }
    const uptimeIfNotRestarted = reference.uptime_s + (Date.now() - reference.at) / 1000;
    if (device.uptime_s < highest || device.uptime_s + UPTIME_SLACK_S < uptimeIfNotRestarted) return device;
    highest = device.uptime_s;
  }
  return null;
}

async function updateFirmware() {
  const input = $('firmware-file');
  const file = input.files[0];
  if (!file) return;
  const button = $('firmware-update');
  const bar = $('firmware-progress');
  const status = $('firmware-status');
  if (!isContainerHead(await fileHead(file))) {
    setStatus(status, 'failed', `${file.name} is not a signed container (it does not start with ` +
      `${CONTAINER_MAGIC}): sign the programmer's firmware with airswd sign --target esp8266.`);
    return;
  }
  button.disabled = true;
  setBar(bar, 0);
  let answer, reference;
  try {
    const before = await read('/device');
    reference = { uptime_s: before.uptime_s, at: Date.now() };
    setStatus(status, 'uploading', `Sending ${file.name} (${formatBytes(file.size)})…`);
    answer = await uploadSigned('/firmware', file, (fraction) => {
      setBar(bar, 100 * fraction);
      if (fraction >= 1) setStatus(status, 'checking', `${file.name} sent: the device checks it…`);
    });
  } catch (err) {
    setBar(bar, 0);
    setStatus(status, 'failed', `${file.name} was not taken: ${describeError(err)}`);
    button.disabled = false;
    return;
  }
  input.value = '';  // taken: a second click would send it again
  const taken = `${file.name} (security version ${answer.security_version}, ${formatBytes(answer.size)}) was ` +
    'checked and taken by the device.';
  if (!answer.restarting) {
    setStatus(status, 'done', `${taken} It keeps it in its update slot and does not restart into it.`);
    return;
  }
  setStatus(status, 'restarting', `${taken} It restarts into it now: waiting for it to answer again…`);
  const device = await waitForRestart(reference);
  if (device) {
    renderDevice(device);
    loadImages();
    setStatus(status, 'done', `${taken} It restarted and answers again, running version ${device.version} ` +
      `(up ${formatUptime(device.uptime_s)}).`);
  } else {
    setStatus(status, 'failed', `${taken} It did not answer again within ${RESTART_WAIT_MS / 1000} s. A new ` +
      'firmware that does not start is replaced by the previous one after a minute, by itself: wait a little, then ' +
      'reload this page. If the device still does not answer, check its power and WiFi, then power it off and on.');
  }
}

// ---- start ---------------------------------------------------------------------------------------------------

// What each control does: [element id, event, handler].
const CONTROLS = [
  ['setup-form', 'submit', (event) => setUp(event)],
  ['setup-signing-key-file', 'change', (event) =>
    chooseSigningKeyFile(event.target, $('setup-signing-key'), $('setup-key-status'))],
  ['key-add-file', 'change', (event) => chooseSigningKeyFile(event.target, $('key-add-text'), $('keys-status'))],
  ['key-add-form', 'submit', (event) => addKey(event)],
  ['image-key-form', 'submit', (event) => saveImageKey(event)],
  ['target-reset', 'click', () => resetTarget()],
  ['target-erase', 'click', () => eraseTarget()],
  ['target-verify', 'click', () => verifyTarget()],
  ['target-read', 'click', () => readTarget()],
  ['login-form', 'submit', (event) => logIn(event)],
  ['logout', 'click', () => logOut()],
  ['debug-toggle', 'click', () => toggleDebug()],
  ['identify', 'click', () => identifyTarget()],
  ['rollback', 'click', () => rollback()],
  ['job-cancel', 'click', () => cancelJob()],
  ['settings-form', 'submit', (event) => saveSettings(event)],
  ['next-steps-dismiss', 'click', () => { $('next-steps').hidden = true; }],
  ['board-form', 'submit', (event) => saveBoard(event)],
  ['board-refresh', 'click', () => loadBoard(false)],
  ['firmware-file', 'change', () => {
    $('firmware-update').disabled = !$('firmware-file').files.length;
    setStatus($('firmware-status'), 'idle', '');
  }],
  ['firmware-update', 'click', () => updateFirmware()],
  ['console-form', 'submit', (event) => sendConsoleLine(event)],
  ['console-file', 'change', () => sendConsoleFile()],
  ['console-save', 'click', () => saveConsole()],
  ['console-baud', 'change', () => setConsoleBaud()],
  ['console-clear', 'click', () => clearConsole()],
];

function start() {
  loadStoredKey();
  for (const [id, type, handler] of CONTROLS) $(id).addEventListener(type, handler);
  setUpUpload();
  renderSession();
  // The summary first (it says whether the device waits for setup, and whether its status is public), then what the
  // page may read.
  read('/device').catch(() => api('GET', '/device')).then((device) => {
    renderDevice(device);
    loadReadable();
  }, (err) => showError('Reading the device', err, 'device'));
}

document.addEventListener('DOMContentLoaded', start);
