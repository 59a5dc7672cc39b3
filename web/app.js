// The airswd page: talks to the REST API of docs/api.md with fetch(), uploads with XMLHttpRequest (for its upload
// progress events) and follows jobs and the log through the Server-Sent Events of /api/v1/events.
// No framework: every view is a small render function over the state below.
'use strict';

const API = '/api/v1';
const FINISHED = ['done', 'failed', 'cancelled'];
const STATE_RANK = { queued: 0, running: 1, done: 2, failed: 2, cancelled: 2 };

const state = {
  images: [],
  job: null,          // the job on screen: {id, action, state, phase, done, total, phase_us, result, error}
  uploaded: null,     // the entry of the image uploaded last
  logSeq: -1,         // the highest log sequence number shown
  eventsOpen: false,
  pollTimer: 0,
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

// Shows "what: error — detail. message" in the error list; the user dismisses it.
function showError(what, err) {
  let text;
  if (err instanceof ApiError) {
    text = `${what}: ${err.error}` + (err.detail ? ` — ${err.detail}` : '') + (err.hint ? `. ${err.hint}` : '');
  } else {
    text = `${what}: ${err && err.message ? err.message : err}`;
  }
  const item = el('li', { 'data-error': err && err.error ? err.error : 'network' }, el('span', { text }),
    el('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss', text: '×',
      onclick: () => item.remove() }));
  $('errors').append(item);
  return text;
}

// Turns a non-2xx answer into an ApiError, whether its body is the API's JSON error or something else.
function errorFromBody(httpStatus, text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && body.error) return new ApiError(httpStatus, body);
  } catch (_) { /* not JSON: fall through */ }
  return new ApiError(httpStatus, { error: `http-${httpStatus}`, detail: (text || '').trim().slice(0, 200) });
}

async function api(method, path, body) {
  const options = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, options);
  } catch (err) {
    throw new Error(`the device did not answer (${err.message}); check that it is powered and on the network`);
  }
  const text = await response.text();
  if (!response.ok) throw errorFromBody(response.status, text);
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (_) {
    throw new Error(`the device sent an answer that is not JSON: ${text.slice(0, 80)}`);
  }
}

// ---- device and target ---------------------------------------------------------------------------------------

function renderFacts(list, facts) {
  list.replaceChildren();
  for (const [name, value] of facts) {
    if (value === undefined) continue;
    list.append(el('dt', { text: name }), el('dd', { text: String(value) }));
  }
}

async function loadDevice() {
  try {
    const device = await api('GET', '/device');
    $('device-name').textContent = device.name || 'airswd';
    $('device-version').textContent = device.version ? `v${device.version}` : '';
    document.title = `${device.name || 'airswd'} — airswd`;
    renderFacts($('device-info'), [
      ['target', device.target],
      ['SWD clock', device.swclk_hz ? `${(device.swclk_hz / 1e6).toFixed(2)} MHz` : undefined],
      ['uptime', device.uptime_s !== undefined ? formatUptime(device.uptime_s) : undefined],
      ['debug mode', device.debug_mode === undefined ? undefined : (device.debug_mode ? 'on' : 'off')],
      ['authentication', device.auth ? (device.auth.required ? 'required' : 'not required') : undefined],
      ['image slots', device.store ? `${device.store.slots} × ${formatBytes(device.store.slot_size)}` : undefined],
    ]);
  } catch (err) {
    showError('Reading the device', err);
  }
}

async function identifyTarget() {
  const button = $('identify');
  button.disabled = true;
  button.textContent = 'Identifying…';
  try {
    const target = await api('GET', '/target');
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
  } catch (err) {
    $('target-info').replaceChildren();
    showError('Identifying the target', err);
  } finally {
    button.disabled = false;
    button.textContent = 'Identify';
  }
}

// ---- images --------------------------------------------------------------------------------------------------

async function loadImages() {
  try {
    state.images = await api('GET', '/images') || [];
  } catch (err) {
    showError('Listing the images', err);
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
        image.flashed_ok === false && image.state !== 'staged'
          ? el('span', { class: 'hint', text: ' last flash failed' }) : ''),
      el('td', { 'data-label': 'Size', text: formatBytes(image.size) }),
      el('td', { 'data-label': 'CRC-32', class: 'mono', text: formatHex(image.crc32, 8) }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', 'data-testid': `flash-image-${image.id}`, disabled: busy,
          'aria-label': `Flash ${image.name}`, text: 'Flash', onclick: () => startFlash(image) }),
        el('button', { type: 'button', class: 'secondary', 'data-testid': `delete-image-${image.id}`,
          'aria-label': `Delete ${image.name}`, text: 'Delete', onclick: () => deleteImage(image) }))));
  }
  const previous = state.images.find((image) => image.state === 'previous');
  const rollback = $('rollback');
  rollback.disabled = !previous || busy;
  rollback.textContent = previous ? `Roll back to ${previous.name}` : 'Roll back to the previous image';
  $('flash-uploaded').disabled = busy;
}

async function deleteImage(image) {
  if (!confirm(`Delete ${image.name} from the device?`)) return;
  try {
    await api('DELETE', `/images/${image.id}`);
    if (state.uploaded && state.uploaded.id === image.id) {
      state.uploaded = null;
      $('flash-uploaded').hidden = true;
    }
  } catch (err) {
    showError(`Deleting ${image.name}`, err);
  }
  loadImages();
}

// ---- upload --------------------------------------------------------------------------------------------------

// The format from the name, else from the first bytes: ELF's magic, or Intel HEX's ':' record mark.
async function detectFormat(file) {
  const extension = (file.name.match(/\.([a-z0-9]+)$/i) || [])[1];
  const known = { elf: 'elf', axf: 'elf', out: 'elf', hex: 'hex', ihex: 'hex', bin: 'bin' };
  if (extension && known[extension.toLowerCase()]) return known[extension.toLowerCase()];
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  if (head[0] === 0x3a) return 'hex';
  return 'bin';
}

function setBar(bar, percent) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  bar.setAttribute('aria-valuenow', String(value));
  bar.setAttribute('aria-valuetext', `${value}%`);
  bar.firstElementChild.style.width = `${value}%`;
}

function setUploadStatus(stateName, text) {
  const status = $('upload-status');
  status.dataset.state = stateName;
  status.textContent = text;
}

async function uploadFile(file) {
  if (!file) return;
  const format = await detectFormat(file);
  let query = `name=${encodeURIComponent(file.name)}&format=${format}`;
  if (format === 'bin') {
    const base = $('base-address').value.trim();
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(base)) {
      setUploadStatus('failed', 'Not uploaded.');
      showError(`Uploading ${file.name}`, new Error(`the base address "${base}" is not a number; write it like 0x08000000`));
      $('base-address').focus();
      return;
    }
    query += `&base=${encodeURIComponent(base)}`;
  }
  $('flash-uploaded').hidden = true;
  setBar($('upload-progress'), 0);
  setUploadStatus('uploading', `Uploading ${file.name} (${format}, ${formatBytes(file.size)})…`);

  const request = new XMLHttpRequest();
  request.open('POST', `${API}/images?${query}`);
  request.setRequestHeader('Content-Type', 'application/octet-stream');
  request.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) setBar($('upload-progress'), (100 * event.loaded) / event.total);
  });
  request.addEventListener('load', () => {
    if (request.status >= 200 && request.status < 300) {
      let image = null;
      try { image = JSON.parse(request.responseText); } catch (_) { /* shown below */ }
      if (!image || image.id === undefined) {
        setUploadStatus('failed', `${file.name}: the device's answer did not name the stored image.`);
        showError(`Uploading ${file.name}`, new Error('the answer has no image id'));
        return;
      }
      state.uploaded = image;
      setBar($('upload-progress'), 100);
      setUploadStatus('done', `${image.name || file.name} stored as image ${image.id} (${formatBytes(image.size)}).`);
      const button = $('flash-uploaded');
      button.textContent = `Flash ${image.name || file.name}`;
      button.hidden = false;
      loadImages();
    } else {
      setUploadStatus('failed', `${file.name} was not stored.`);
      showError(`Uploading ${file.name}`, errorFromBody(request.status, request.responseText));
    }
  });
  request.addEventListener('error', () => {
    setUploadStatus('failed', `${file.name} was not stored.`);
    showError(`Uploading ${file.name}`, new Error('the connection to the device broke during the upload'));
  });
  request.addEventListener('timeout', () => {
    setUploadStatus('failed', `${file.name} was not stored.`);
    showError(`Uploading ${file.name}`, new Error('the device stopped answering during the upload'));
  });
  request.send(file);
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
    const job = await api('POST', '/jobs', request);
    // The new job replaces the one on screen, unless its events came first (a short job may even be finished).
    if (state.job && state.job.id !== job.id) state.job = null;
    mergeJob(Object.assign({ label }, job));
  } catch (err) {
    showError(`Starting ${label}`, err);
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
    await api('DELETE', `/jobs/${state.job.id}`);
  } catch (err) {
    showError(`Cancelling job ${state.job.id}`, err);
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
      mergeJob(await api('GET', `/jobs/${job.id}`));
    } catch (err) {
      showError(`Reading the result of job ${job.id}`, err);
    }
  }
  loadImages();
  loadDevice();
}

// Without the event stream (a proxy that buffers it, a reconnect), the job is followed by polling instead.
function pollWhileNoEvents() {
  if (state.pollTimer) return;
  state.pollTimer = setTimeout(async () => {
    state.pollTimer = 0;
    if (!isJobActive()) return;
    if (!state.eventsOpen) {
      try {
        mergeJob(await api('GET', `/jobs/${state.job.id}`));
        return;
      } catch (err) {
        showError(`Following job ${state.job.id}`, err);
        return;
      }
    }
    pollWhileNoEvents();
  }, 1000);
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
  if (error.detail) box.append(el('p', { text: error.detail }));
  if (error.message) box.append(el('p', { text: error.message }));
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
    const entries = await api('GET', '/log') || [];
    for (const entry of entries) appendLog(entry);
  } catch (err) {
    showError('Reading the log', err);
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

function connectEvents() {
  if (!window.EventSource) {
    setEventsState('off', 'no live updates in this browser');
    loadLog();
    return;
  }
  const events = new EventSource(`${API}/events`);
  events.addEventListener('open', () => {
    state.eventsOpen = true;
    setEventsState('open', 'live');
    loadLog();  // catches up on what was logged while the stream was down
  });
  events.addEventListener('error', () => {
    state.eventsOpen = false;
    setEventsState('closed', events.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…');
    if (isJobActive()) pollWhileNoEvents();
  });
  events.addEventListener('progress', (event) => {
    const data = parseEvent(event);
    if (data) mergeJob(data);
  });
  events.addEventListener('job', (event) => {
    const data = parseEvent(event);
    if (data) mergeJob(data);
  });
  events.addEventListener('log', (event) => {
    const data = parseEvent(event);
    if (data) appendLog(data);
  });
}

// ---- settings ------------------------------------------------------------------------------------------------

function fillSettings(settings) {
  if (!settings) return;
  if (settings.swclk_hz !== undefined) $('set-swclk').value = settings.swclk_hz;
  $('set-connect-under-reset').checked = !!settings.connect_under_reset;
  $('set-verify').checked = settings.verify !== false;
  $('opt-verify').checked = settings.verify !== false;
  $('set-signed-only').checked = !!(settings.policy && settings.policy.signed_only);
}

async function loadSettings() {
  try {
    fillSettings(await api('GET', '/settings'));
  } catch (err) {
    showError('Reading the settings', err);
  }
}

async function saveSettings(event) {
  event.preventDefault();
  const status = $('settings-status');
  const swclk = Number($('set-swclk').value);
  if (!Number.isInteger(swclk) || swclk <= 0) {
    showError('Saving the settings', new Error('the SWD clock must be a whole number of Hz, such as 4000000'));
    return;
  }
  const settings = {
    swclk_hz: swclk,
    connect_under_reset: $('set-connect-under-reset').checked,
    verify: $('set-verify').checked,
    policy: { signed_only: $('set-signed-only').checked },
  };
  status.textContent = 'Saving…';
  try {
    fillSettings(await api('PUT', '/settings', settings));
    status.textContent = 'Saved.';
    loadDevice();
  } catch (err) {
    status.textContent = 'Not saved.';
    showError('Saving the settings', err);
  }
}

// ---- start ---------------------------------------------------------------------------------------------------

function start() {
  $('identify').addEventListener('click', identifyTarget);
  $('rollback').addEventListener('click', rollback);
  $('job-cancel').addEventListener('click', cancelJob);
  $('settings-form').addEventListener('submit', saveSettings);
  setUpUpload();
  loadDevice();
  loadImages();
  loadSettings();
  connectEvents();
}

document.addEventListener('DOMContentLoaded', start);
