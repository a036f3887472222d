// dusk's performance report: draws the data embedded in this file. No
// libraries and no requests: the file works offline.
'use strict';
(() => {
  const D = JSON.parse(document.getElementById('data').textContent);
  const $ = (id) => document.getElementById(id);
  const KIND_COLOR = { transfer: '#e15759', spill: '#ff9f1c', unspill: '#ff9f1c', error: '#000000' };
  const colors = {};
  for (const p of D.prefixes) colors[p.name] = p.color;

  function bytes(n) {
    if (!n) return '0 B';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + ' ' + u[i];
  }
  function secs(s) {
    if (s < 1e-3) return (s * 1e6).toFixed(0) + ' µs';
    if (s < 1) return (s * 1e3).toFixed(1) + ' ms';
    return s.toFixed(2) + ' s';
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function row(table, cells, header) {
    const tr = el('tr');
    cells.forEach((c, i) => {
      const td = el(header ? 'th' : 'td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = String(c);
      if (typeof c === 'number' || (i > 0 && /^[\d.,]+( |$)/.test(String(c)))) td.className = 'num';
      tr.appendChild(td);
    });
    table.appendChild(tr);
    return tr;
  }
  // shortName folds the type arguments of generic functions ("F[go.shape...]")
  // to "[…]", which can run to hundreds of characters.
  function shortName(n) {
    const i = n.indexOf('[');
    if (i < 0) return n;
    let depth = 0;
    for (let j = i; j < n.length; j++) {
      if (n[j] === '[') depth++;
      else if (n[j] === ']' && --depth === 0) return n.slice(0, i) + '[…]' + shortName(n.slice(j + 1));
    }
    return n;
  }
  function hbar(frac, color) {
    const d = el('div', 'hbar');
    d.style.width = Math.max(0, Math.min(1, frac)) * 100 + '%';
    d.style.background = color;
    return d;
  }

  // ------------------------------------------------------------ summary
  const S = D.summary;
  $('when').textContent = new Date(S.start).toLocaleString() + ' · ' + secs(S.duration);
  const sum = $('summary');
  const versions = Object.entries(S.versions || {}).map(([k, v]) => k + ' ' + v).join(', ');
  [
    ['Duration', secs(S.duration)],
    ['Tasks run', S.tasks + (S.failed ? ' (' + S.failed + ' failed)' : '')],
    ['Compute time', secs(S.computeTime) + (S.duration > 0 && S.threads ? ' · ' + (100 * S.computeTime / (S.duration * S.threads)).toFixed(0) + '% of the threads\' time' : '')],
    ['Workers', S.workers + ' with ' + S.threads + ' threads'],
    ['Memory', 'peak ' + bytes(S.peakMemory) + (S.memoryLimit ? ' of ' + bytes(S.memoryLimit) : '')],
    ['Transfers', S.transfers + ' · ' + bytes(S.transferBytes)],
    ['Called from', S.caller || '–'],
    ['Scheduler', S.scheduler || '–'],
    ['Versions', versions || '–'],
    ['Events', S.events + (S.lost ? ' (' + S.lost + ' missed)' : '')],
  ].forEach((r) => row(sum, r));

  // ------------------------------------------------------------ prefixes
  const pt = $('prefixes');
  row(pt, ['prefix', 'runs', 'total', 'mean', 'max', 'share'], true);
  const totalTime = D.prefixes.reduce((s, p) => s + p.seconds, 0) || 1;
  for (const p of D.prefixes) {
    const cell = el('div');
    cell.appendChild(hbar(p.seconds / totalTime, p.color));
    const tr = row(pt, [p.name, p.runs + (p.failed ? ' (' + p.failed + ' failed)' : ''), secs(p.seconds), secs(p.mean), secs(p.max), cell]);
    tr.lastChild.className = 'barcell';
  }
  if (!D.prefixes.length) row(pt, ['No task ran.', '', '', '', '', '']);

  // ------------------------------------------------------------ task stream
  const ROW_H = 14;
  const LABEL_W = 190;
  const cv = $('stream');
  const ctx = cv.getContext('2d');
  const end = Math.max(S.duration * 1000, ...D.stream.map((b) => b.e), 1);
  function drawStream() {
    const dpr = window.devicePixelRatio || 1;
    const w = cv.clientWidth;
    const h = D.rows.length * ROW_H + 20;
    cv.width = Math.round(w * dpr);
    cv.height = Math.round(h * dpr);
    cv.style.height = h + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const plot = w - LABEL_W;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    D.rows.forEach((r, i) => {
      ctx.fillStyle = i % 2 ? '#fafbfc' : '#ffffff';
      ctx.fillRect(LABEL_W, i * ROW_H, plot, ROW_H);
      ctx.fillStyle = r.thread < 0 ? '#9aa3ad' : '#4a5561';
      ctx.fillText(r.label, 4, i * ROW_H + ROW_H / 2, LABEL_W - 8);
    });
    for (const b of D.stream) {
      const x0 = LABEL_W + Math.max(b.s, 0) / end * plot;
      const x1 = Math.max(LABEL_W + b.e / end * plot, x0 + 0.5);
      ctx.fillStyle = KIND_COLOR[b.k] || colors[b.p] || '#888888';
      ctx.fillRect(x0, b.r * ROW_H + 2, x1 - x0, ROW_H - 4);
    }
    ctx.fillStyle = '#6b7785';
    ctx.textBaseline = 'top';
    const y = D.rows.length * ROW_H + 4;
    for (let i = 0; i <= 10; i++) {
      const x = LABEL_W + i / 10 * plot;
      ctx.fillRect(x, y - 4, 1, 4);
      ctx.fillText(secs(end * i / 10000), Math.min(x - 8, w - 40), y);
    }
  }
  $('stream-note').textContent = D.stream.length ? '' : 'No task ran while the report was recorded.';
  if (D.streamDropped) $('stream-note').textContent = D.streamDropped + ' bars beyond the first ' + D.stream.length + ' are left out.';
  drawStream();
  window.addEventListener('resize', drawStream);
  cv.addEventListener('mousemove', (ev) => {
    const r = cv.getBoundingClientRect();
    const mx = ev.clientX - r.left;
    const my = ev.clientY - r.top;
    const ri = Math.floor(my / ROW_H);
    const t = (mx - LABEL_W) / (cv.clientWidth - LABEL_W) * end;
    const slack = end / (cv.clientWidth - LABEL_W) * 2;
    const hit = D.stream.find((b) => b.r === ri && b.s - slack <= t && b.e + slack >= t);
    const tip = $('tip');
    if (!hit || mx < LABEL_W) { tip.hidden = true; return; }
    tip.textContent = hit.k + ' ' + hit.key + ' · ' + secs((hit.e - hit.s) / 1000) + (hit.b ? ' · ' + bytes(hit.b) : '');
    tip.style.left = (mx + 14) + 'px';
    tip.style.top = (my + 36) + 'px';
    tip.hidden = false;
  });
  cv.addEventListener('mouseleave', () => { $('tip').hidden = true; });

  // ------------------------------------------------------------ memory
  const memBox = $('memory');
  if (!D.memory.length) memBox.appendChild(el('p', 'note', 'No memory samples were recorded.'));
  // The charts share one scale: the most memory any worker used, with room
  // above; a limit far above it is named instead of flattening the charts.
  let memMax = 1;
  for (const w of D.memory) {
    for (const s of w.samples) memMax = Math.max(memMax, s.managed + s.unmanaged + s.spilled);
  }
  memMax *= 1.25;
  for (const w of D.memory) {
    const line = el('div', 'mem');
    const last = w.samples[w.samples.length - 1] || { managed: 0, unmanaged: 0 };
    let label = w.name + ' · ' + bytes(last.managed + last.unmanaged);
    if (w.limit) label += ' · limit ' + bytes(w.limit) + (w.limit > memMax ? ' (above the chart)' : '');
    line.appendChild(el('div', '', label));
    const c = el('canvas');
    line.appendChild(c);
    memBox.appendChild(line);
    drawMemory(c, w);
  }
  // drawMemory draws a worker's samples as steps: each holds until the next,
  // the last until the end of the recording.
  function drawMemory(c, w) {
    const dpr = window.devicePixelRatio || 1;
    const cw = c.clientWidth || 600;
    const ch = 70;
    c.width = cw * dpr;
    c.height = ch * dpr;
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const x = (t) => t / end * cw;
    const y = (v) => ch - v / memMax * (ch - 4);
    const layers = [
      ['#bab0ac', (s) => s.managed + s.unmanaged + s.spilled],
      ['#a0cbe8', (s) => s.managed + s.unmanaged],
      ['#4e79a7', (s) => s.managed],
    ];
    const n = w.samples.length;
    for (const [color, top] of layers) {
      g.fillStyle = color;
      for (let i = 0; i < n; i++) {
        const s = w.samples[i];
        const x0 = x(s.t);
        const x1 = i + 1 < n ? x(w.samples[i + 1].t) : cw;
        const y0 = y(top(s));
        g.fillRect(x0, y0, Math.max(x1 - x0, 1), ch - y0);
      }
    }
    g.fillStyle = '#e15759';
    for (const s of w.samples) if (s.paused) g.fillRect(x(s.t), 0, 2, 6);
    if (w.limit && w.limit <= memMax) {
      g.strokeStyle = '#1d2733';
      g.setLineDash([4, 3]);
      g.beginPath();
      g.moveTo(0, y(w.limit));
      g.lineTo(cw, y(w.limit));
      g.stroke();
    }
  }

  // ------------------------------------------------------------ bandwidth
  const pairsBox = $('pairs');
  const ps = D.bandwidth.pairs;
  if (!ps.length) {
    pairsBox.appendChild(el('p', 'note', 'No data moved between workers.'));
  } else {
    const names = [...new Set(ps.flatMap((p) => [p.from, p.to]))].sort();
    const most = Math.max(...ps.map((p) => p.bytes), 1);
    const t = el('table');
    row(t, ['from \\ to', ...names], true);
    for (const f of names) {
      const cells = [f];
      for (const to of names) {
        const p = ps.find((q) => q.from === f && q.to === to);
        const c = el('span', '', p ? bytes(p.bytes) : '');
        cells.push(c);
      }
      const tr = row(t, cells);
      names.forEach((to, i) => {
        const p = ps.find((q) => q.from === f && q.to === to);
        if (p) tr.children[i + 1].style.background = 'rgba(225,87,89,' + (0.15 + 0.6 * p.bytes / most) + ')';
        if (p) tr.children[i + 1].title = p.count + ' values in ' + secs(p.seconds);
      });
    }
    pairsBox.appendChild(t);
  }
  const types = $('types');
  row(types, ['type', 'values', 'bytes', 'share'], true);
  for (const tb of D.bandwidth.byType) {
    const cell = el('div');
    cell.appendChild(hbar(tb.bytes / (D.bandwidth.total || 1), '#e15759'));
    row(types, [tb.type, tb.count, bytes(tb.bytes), cell]).lastChild.className = 'barcell';
  }
  if (!D.bandwidth.byType.length) row(types, ['Nothing moved.', '', '', '']);

  // ------------------------------------------------------------ CPU profile
  const prof = $('profile');
  const P = D.profile;
  const intro = el('p', 'note', P.seconds ? secs(P.seconds) + ' of CPU sampled across the worker processes.' :
    'No CPU samples were recorded.');
  prof.appendChild(intro);
  for (const n of P.notes || []) prof.appendChild(el('p', 'note', n));
  for (const pp of P.prefixes) {
    const h = el('h3');
    const sw = el('i', 'sw');
    sw.style.background = pp.color;
    h.appendChild(sw);
    h.appendChild(document.createTextNode(pp.prefix + ' · ' + secs(pp.seconds) + ' (' + (100 * pp.seconds / (P.seconds || 1)).toFixed(0) + '%)'));
    prof.appendChild(h);
    const t = el('table');
    row(t, ['function', 'flat', 'cumulative', ''], true);
    for (const f of pp.top) {
      const cell = el('div');
      cell.appendChild(hbar(f.cum / (pp.seconds || 1), pp.color));
      const tr = row(t, [shortName(f.name), secs(f.flat), secs(f.cum), cell]);
      tr.firstChild.className = 'func';
      tr.firstChild.title = f.name;
      tr.lastChild.className = 'barcell';
    }
    prof.appendChild(t);
  }

  // ------------------------------------------------------------ findings and log
  const fb = $('findings');
  if (!D.findings.length) fb.appendChild(el('p', 'note', 'No findings: the advisor had nothing to say about this run.'));
  for (const f of D.findings) {
    const d = el('div', 'finding ' + f.severity);
    d.appendChild(el('b', '', f.rule + ': '));
    d.appendChild(document.createTextNode(f.message + (f.advice ? ' — ' + f.advice : '')));
    fb.appendChild(d);
  }
  $('log').textContent = D.log.map((l) => '+' + (l.t / 1000).toFixed(3) + 's ' + l.level + ' ' + l.text).join('\n') || '(no log lines)';

  // ------------------------------------------------------------ story of a key
  const storyNote = (n) => n + ' transitions recorded' + (D.transitionsDropped ? ' (the last ones; ' + D.transitionsDropped + ' earlier left out)' : '') + '; give a key to see its story.';
  $('story-note').textContent = storyNote(D.transitions.length);
  $('story-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = $('story-key').value.trim();
    const steps = D.transitions.filter((s) => s.key === key);
    const t = $('story');
    t.replaceChildren();
    $('story-note').textContent = steps.length ? steps.length + ' transitions of ' + key + ', each with its cause.' : 'No transition of ' + key + ' in this report.';
    if (!steps.length) return;
    const h = el('tr', '');
    for (const c of ['time', 'from', 'to', 'worker', 'cause', 'stimulus']) h.appendChild(el('th', '', c));
    t.appendChild(h);
    for (const s of steps) {
      const tr = el('tr', '');
      for (const v of ['+' + (s.t / 1000).toFixed(3) + 's', s.from, s.to, s.worker || '', s.cause, s.stimulus]) tr.appendChild(el('td', '', String(v)));
      t.appendChild(tr);
    }
  });
  window.__duskReport = D;
})();
