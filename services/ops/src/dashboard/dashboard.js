/* global document, fetch, sessionStorage, EventSource, URLSearchParams, location, history */
// The live pipeline dashboard: plain JS, no build step. It asks for OPS_TOKEN (or takes it from
// the address: /#token=…), trades it for an HttpOnly cookie via POST /api/session, then follows
// GET /api/live (server-sent events) and redraws on every snapshot.
(function () {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  let source;

  function setStatus(on, text) {
    const el = $('#status');
    el.className = 'status ' + (on ? 'on' : 'off');
    el.textContent = text;
  }

  async function login(token) {
    const res = await fetch('/api/session', { method: 'POST', headers: { authorization: 'Bearer ' + token } });
    if (res.status !== 204) throw new Error(res.status === 401 ? 'wrong token' : 'login failed: ' + res.status);
    sessionStorage.setItem('wire-ops-token', token);
  }

  function showLogin(message) {
    $('#board').hidden = true;
    $('#login').hidden = false;
    $('#login-error').textContent = message || '';
  }

  function connect() {
    $('#login').hidden = true;
    $('#board').hidden = false;
    if (source) source.close();
    source = new EventSource('/api/live');
    source.addEventListener('open', () => setStatus(true, 'live'));
    source.addEventListener('error', () => setStatus(false, 'reconnecting…'));
    source.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
  }

  function time(iso) {
    const d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleTimeString();
  }

  function render(s) {
    const rows = s.stories.map((st) => {
      const dests = st.destinations.length
        ? st.destinations.map((d) => '<span class="dest ' + (/^(delivered|success|ok|sent)/.test(d.status) ? 'ok' : /dead|fail|disabled/.test(d.status) ? 'bad' : '') + '">' + esc(d.partner) + ': ' + esc(d.status) + '</span>').join('')
        : '<span class="empty">—</span>';
      return '<tr class="story" data-uri="' + esc(st.uri) + '"><td>' + esc(time(st.at)) + '</td><td class="headline">' + esc(st.headline) +
        '</td><td>' + esc(st.source) + '</td><td>' + esc(st.language) + '</td><td>' + esc(st.version) +
        '</td><td><span class="badge ' + esc(st.decision) + '">' + esc(st.decision) + '</span>' + (st.of ? ' <small>of ' + esc(st.of) + '</small>' : '') +
        '</td><td>' + dests + '</td></tr>';
    });
    $('#stories tbody').innerHTML = rows.join('');
    $('#stories-empty').hidden = s.stories.length > 0;

    $('#partners tbody').innerHTML = s.partners.map((p) =>
      '<tr><td title="' + esc(p.name) + '">' + esc(p.id) + '</td><td>' + (p.successRate === null ? '—' : (p.successRate * 100).toFixed(1) + '%') +
      '</td><td>' + (p.p95Ms === null ? '—' : Math.round(p.p95Ms) + ' ms') + '</td><td>' + esc(p.attempts) +
      '</td><td>' + (p.disabled ? '<span class="error">disabled</span> ' + esc(p.disabledReason) : 'enabled') + '</td></tr>').join('') ||
      '<tr><td colspan="5" class="empty">no partners registered</td></tr>';

    $('#queues tbody').innerHTML = s.queues.map((q) => {
      const c = q.counts;
      return '<tr><td>' + esc(q.name) + '</td><td>' + esc((c.waiting || 0) + (c.prioritized || 0)) + '</td><td>' + esc(c.active || 0) +
        '</td><td>' + esc(c.delayed || 0) + '</td><td>' + esc(c.failed || 0) + '</td><td>' + esc(c.completed || 0) + '</td></tr>';
    }).join('');

    $('#lag tbody').innerHTML = s.lag.map((l) => '<tr><td>' + esc(l.group) + '</td><td>' + esc(l.topic) + '</td><td>' + esc(l.lag) + '</td></tr>').join('') ||
      '<tr><td colspan="3" class="empty">—</td></tr>';
    $('#decisions').textContent = Object.entries(s.decisions).map(([k, v]) => k + ': ' + v).join(' · ') || 'none yet';
    $('#dead-letters').textContent = 'ingest dead letters: ' + s.deadLetters.ingest;
    $('#problems').textContent = s.problems.join(' · ');
    // Deployment warnings (a Redis that does not persist, …): shown until fixed.
    const warnings = s.warnings || [];
    $('#warnings').hidden = warnings.length === 0;
    $('#warnings').textContent = warnings.map((w) => '⚠ ' + w).join('\n');
  }

  async function showStory(uri) {
    const res = await fetch('/api/stories/' + encodeURIComponent(uri));
    const body = await res.json();
    $('#story-detail').hidden = false;
    $('#detail-uri').textContent = uri;
    if (!res.ok) {
      $('#detail-body').textContent = body.error ? body.error.message : res.statusText;
      return;
    }
    const versions = body.versions.map((v) => {
      const imgs = v.story && v.story.images ? v.story.images.filter((i) => i.thumbnail).map((i) => '<img class="thumb" alt="' + esc(i.caption) + '" src="' + esc(i.thumbnail) + '">').join('') : '';
      return '<li>v' + esc(v.version) + ' <span class="badge ' + esc(v.decision.kind) + '">' + esc(v.decision.kind) + '</span> ' + esc(v.headline) +
        (v.decision.reasons.length ? ' <small>(' + esc(v.decision.reasons.join('; ')) + ')</small>' : '') + '<br>' + imgs + '</li>';
    }).join('');
    const links = body.dedupe.linkedFrom.map((l) => '<li>' + esc(l.kind) + ': ' + esc(l.uri) + ' v' + esc(l.version) + ' ' + esc(JSON.stringify(l.scores)) + ' ' + esc(l.reasons.join('; ')) + '</li>').join('');
    const deliveries = body.deliveries ? Object.entries(body.deliveries).map(([p, list]) =>
      '<li>' + esc(p) + ': ' + list.map((d) => 'v' + esc(d.version) + ' ' + esc(d.status) + (d.httpStatus ? ' ' + esc(d.httpStatus) : '') + ' (attempt ' + esc(d.attempt ?? 1) + ')').join(', ') + '</li>').join('') : '';
    $('#detail-body').innerHTML = '<h3>Versions</h3><ul>' + versions + '</ul>' + (links ? '<h3>Dedupe links</h3><ul>' + links + '</ul>' : '') +
      '<h3>Deliveries</h3><ul>' + (deliveries || '<li class="empty">none</li>') + '</ul>';
  }

  $('#stories').addEventListener('click', (e) => {
    const tr = e.target.closest('tr.story');
    if (tr) showStory(tr.dataset.uri).catch((err) => { $('#detail-body').textContent = String(err); });
  });
  $('#detail-close').addEventListener('click', () => { $('#story-detail').hidden = true; });
  $('#login').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('#token').value.trim();
    login(token).then(connect, (err) => showLogin(err.message));
  });

  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) history.replaceState(null, '', location.pathname);
  const token = fromHash || sessionStorage.getItem('wire-ops-token');
  if (token) login(token).then(connect, (err) => showLogin(err.message));
  else showLogin();
})();
