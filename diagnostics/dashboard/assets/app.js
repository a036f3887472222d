// dusk's dashboard page: it receives the aggregator's updates as
// Server-Sent Events and draws them. No libraries; nothing leaves the
// machine.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const WINDOW_MS = 15000; // the task stream shows the last 15 seconds
  const MAX_BARS = 20000;
  const ROW_H = 16;
  const LABEL_W = 170;
  const KIND_COLOR = { transfer: '#e15759', spill: '#ff9f1c', unspill: '#ff9f1c', error: '#000000' };
  const STATE_FILL = {
    waiting: '#d5dbe3', queued: '#d5dbe3', 'no-worker': '#f0c8c8', processing: '#59a14f',
    memory: '#4e79a7', erred: '#000000', released: '#f4f6f8', forgotten: '#f4f6f8',
  };

  const st = { bars: [], prefixes: [], workers: [], colors: {}, offset: 0, seen: false };

  // ------------------------------------------------------------ formatting
  function bytes(n) {
    if (!n) return '0 B';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + ' ' + u[i];
  }
  function secs(ms) { return ms < 1 ? (ms * 1000).toFixed(0) + ' µs' : ms < 1000 ? ms.toFixed(1) + ' ms' : (ms / 1000).toFixed(2) + ' s'; }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function now() { return Date.now() + st.offset; }

  // ------------------------------------------------------------ updates
  function apply(u) {
    st.offset = u.now - Date.now();
    if (u.reset) { st.bars = []; $('log').textContent = ''; }
    for (const b of u.bars) st.bars.push(b);
    const horizon = now() - WINDOW_MS - 2000;
    if (st.bars.length > MAX_BARS || (st.bars.length && st.bars[0].e < horizon)) {
      st.bars = st.bars.filter((b) => b.e >= horizon).slice(-MAX_BARS);
    }
    st.prefixes = u.prefixes;
    st.workers = u.workers;
    for (const p of u.prefixes) st.colors[p.name] = p.color;
    $('scheduler').textContent = u.scheduler;
    $('n-workers').textContent = u.workers.length;
    $('n-threads').textContent = u.workers.reduce((s, w) => s + w.threads, 0);
    $('n-tasks').textContent = u.tasks;
    $('n-memory').textContent = bytes(u.workers.reduce((s, w) => s + w.managed + w.unmanaged, 0));
    let note = 'live';
    if (u.lost) note += ' · ' + u.lost + ' events missed';
    if (u.dropped) note += ' · ' + u.dropped + ' bars skipped';
    status(note, 'live');
    progress(u.prefixes);
    memory(u.workers);
    table(u.workers);
    logs(u.logs || []);
    st.seen = true;
  }

  function status(text, cls) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status ' + (cls || '');
  }

  // ------------------------------------------------------------ progress
  function progress(prefixes) {
    const box = $('progress');
    box.textContent = '';
    if (!prefixes.length) { box.appendChild(el('p', 'empty', 'No tasks yet.')); return; }
    for (const p of prefixes) {
      const row = el('div', 'row');
      row.dataset.prefix = p.name;
      const name = el('span', 'name', p.name);
      name.title = p.name + ': ' + p.runs + ' runs, ' + secs(p.seconds * 1000) + ' of compute';
      row.appendChild(name);
      const bar = el('div', 'bar');
      const total = Math.max(p.total, 1);
      const seg = (n, color, title) => {
        if (!n) return;
        const s = el('span');
        s.style.width = (100 * n / total) + '%';
        s.style.background = color;
        s.title = title + ': ' + n;
        bar.appendChild(s);
      };
      seg(p.done, p.color + '80', 'done');
      seg(p.memory, p.color, 'in memory');
      seg(p.erred, '#000000', 'erred');
      seg(p.processing, '#9aa7b4', 'processing');
      row.appendChild(bar);
      row.appendChild(el('span', 'num', (p.done + p.memory) + ' / ' + p.total + (p.erred ? ' · ' + p.erred + ' erred' : '')));
      box.appendChild(row);
    }
  }

  // ------------------------------------------------------------ memory
  function memory(workers) {
    const box = $('memory');
    box.textContent = '';
    if (!workers.length) { box.appendChild(el('p', 'empty', 'No workers.')); return; }
    let scale = 1;
    for (const w of workers) scale = Math.max(scale, w.limit || 0, w.managed + w.unmanaged + w.spilled);
    for (const w of workers) {
      const row = el('div', 'row');
      row.appendChild(el('span', 'name', w.name || w.address));
      const bar = el('div', 'bar');
      const used = w.managed + w.unmanaged;
      if (w.paused) bar.classList.add('paused');
      else if (w.spilled > 0 || (w.limit && used > 0.7 * w.limit)) bar.classList.add('spilling');
      const seg = (n, color, title) => {
        const s = el('span');
        s.style.width = (100 * n / scale) + '%';
        s.style.background = color;
        s.title = title + ': ' + bytes(n);
        bar.appendChild(s);
      };
      seg(w.managed, '#4e79a7', 'managed');
      seg(w.unmanaged, '#a0cbe8', 'unmanaged');
      seg(w.spilled, '#bab0ac', 'spilled');
      row.appendChild(bar);
      let text = bytes(used) + (w.limit ? ' / ' + bytes(w.limit) : '');
      if (w.paused) text += ' paused';
      row.appendChild(el('span', 'num', text));
      box.appendChild(row);
    }
  }

  // ------------------------------------------------------------ workers table
  function table(workers) {
    const body = $('workers').tBodies[0];
    body.textContent = '';
    for (const w of workers) {
      const tr = el('tr');
      const res = Object.entries(w.resources || {}).map(([k, v]) => k + '=' + v).join(', ');
      const cells = [w.address, w.name, w.threads, res || '–', w.limit ? bytes(w.limit) : 'none', w.status,
        Math.round(100 * (w.cpu || 0)) + '%', w.executing, w.ready, bytes(w.managed), bytes(w.unmanaged),
        bytes(w.spilled), bytes(w.bytesIn), bytes(w.bytesOut)];
      cells.forEach((c, i) => {
        const td = el('td', i === 5 && w.paused ? 'paused' : '', String(c));
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }

  // ------------------------------------------------------------ log
  function logs(lines) {
    const box = $('log');
    for (const l of lines) {
      const line = el('div', l.level, new Date(l.time).toLocaleTimeString() + ' ' + l.level + ' ' + l.text);
      box.appendChild(line);
    }
    while (box.childNodes.length > 500) box.removeChild(box.firstChild);
    if (lines.length) box.scrollTop = box.scrollHeight;
  }

  // ------------------------------------------------------------ task stream
  const canvas = $('stream');
  const ctx = canvas.getContext('2d');
  let rows = []; // {worker, thread, label}

  function layoutRows() {
    rows = [];
    const ws = st.workers.slice().sort((a, b) => a.address < b.address ? -1 : 1);
    for (const w of ws) {
      for (let t = 0; t < w.threads; t++) rows.push({ worker: w.id, thread: t, label: (w.name || w.address) + ' · ' + t });
      rows.push({ worker: w.id, thread: -1, label: (w.name || w.address) + ' · transfers' });
    }
  }

  function rowIndex() {
    const idx = new Map();
    rows.forEach((r, i) => idx.set(r.worker + '/' + r.thread, i));
    return idx;
  }

  function drawStream() {
    layoutRows();
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = Math.max(rows.length, 1) * ROW_H + 22;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.height = h + 'px';
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const t1 = now();
    const t0 = t1 - WINDOW_MS;
    const plotW = w - LABEL_W;
    const x = (t) => LABEL_W + (t - t0) / WINDOW_MS * plotW;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    rows.forEach((r, i) => {
      ctx.fillStyle = i % 2 ? '#fafbfc' : '#ffffff';
      ctx.fillRect(LABEL_W, i * ROW_H, plotW, ROW_H);
      ctx.fillStyle = r.thread < 0 ? '#9aa3ad' : '#4a5561';
      ctx.fillText(r.label, 4, i * ROW_H + ROW_H / 2, LABEL_W - 8);
    });
    const idx = rowIndex();
    for (const b of st.bars) {
      if (b.e < t0 || b.s > t1) continue;
      const i = idx.get(b.w + '/' + b.t);
      if (i === undefined) continue;
      const x0 = Math.max(x(b.s), LABEL_W);
      const x1 = Math.max(x(b.e), x0 + 1);
      ctx.fillStyle = KIND_COLOR[b.k] || st.colors[b.p] || '#888';
      ctx.fillRect(x0, i * ROW_H + 2, x1 - x0, ROW_H - 4);
    }
    // time axis
    const axisY = rows.length * ROW_H + 4;
    ctx.fillStyle = '#6b7785';
    ctx.textBaseline = 'top';
    for (let s = 0; s <= WINDOW_MS / 1000; s += 5) {
      const tx = x(t1 - s * 1000);
      ctx.fillRect(tx, axisY - 4, 1, 4);
      ctx.fillText(s ? '-' + s + ' s' : 'now', Math.min(tx - 10, w - 28), axisY);
    }
  }

  canvas.addEventListener('mousemove', (ev) => {
    const tip = $('tooltip');
    const r = canvas.getBoundingClientRect();
    const mx = ev.clientX - r.left;
    const my = ev.clientY - r.top;
    const row = rows[Math.floor(my / ROW_H)];
    const t0 = now() - WINDOW_MS;
    const t = t0 + (mx - LABEL_W) / (canvas.clientWidth - LABEL_W) * WINDOW_MS;
    let hit = null;
    if (row && mx > LABEL_W) {
      for (let i = st.bars.length - 1; i >= 0; i--) {
        const b = st.bars[i];
        if (b.w === row.worker && b.t === row.thread && b.s <= t + 30 && b.e >= t - 30) { hit = b; break; }
      }
    }
    if (!hit) { tip.hidden = true; return; }
    tip.textContent = hit.k + ' ' + hit.key + ' · ' + secs(hit.e - hit.s) + (hit.b ? ' · ' + bytes(hit.b) : '');
    tip.style.left = (mx + 12) + 'px';
    tip.style.top = (my + 40) + 'px';
    tip.hidden = false;
  });
  canvas.addEventListener('mouseleave', () => { $('tooltip').hidden = true; });

  // ------------------------------------------------------------ graph view
  let graphOn = false;
  let graphTimer = null;
  $('graph-toggle').addEventListener('click', () => {
    graphOn = !graphOn;
    $('graph-toggle').textContent = graphOn ? 'hide' : 'show';
    $('graph-box').hidden = !graphOn;
    if (graphOn) { loadGraph(); graphTimer = setInterval(loadGraph, 2000); } else {
      clearInterval(graphTimer);
      $('graph-note').textContent = 'Hidden.';
    }
  });

  // ------------------------------------------------------------ advisor
  $('advice-ask').addEventListener('click', async () => {
    $('advice-note').textContent = 'Asking…';
    let a;
    try {
      const r = await fetch('api/advice', { cache: 'no-store' });
      if (!r.ok) throw new Error(r.status + ' ' + (await r.text()));
      a = await r.json();
    } catch (e) {
      $('advice-note').textContent = 'Could not get advice: ' + e.message;
      return;
    }
    const box = $('advice');
    box.replaceChildren();
    if (a.unavailable) { $('advice-note').textContent = a.unavailable; return; }
    $('advice-note').textContent = a.findings.length ?
      a.findings.length + ' findings, the most severe first (as of ' + new Date().toLocaleTimeString() + ').' :
      'Nothing the optimization guide warns about (as of ' + new Date().toLocaleTimeString() + ').';
    for (const f of a.findings) {
      const d = el('div', 'finding ' + f.severity);
      d.appendChild(el('b', '', f.rule + ': '));
      d.appendChild(document.createTextNode(f.message));
      d.appendChild(el('div', 'advice', f.advice));
      box.appendChild(d);
    }
  });

  // ------------------------------------------------------------ story
  $('story-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const key = $('story-key').value.trim();
    if (!key) return;
    let s;
    try {
      const r = await fetch('api/story?key=' + encodeURIComponent(key), { cache: 'no-store' });
      if (!r.ok) throw new Error(r.status + ' ' + (await r.text()));
      s = await r.json();
    } catch (e) {
      $('story-note').textContent = 'Could not get the story: ' + e.message;
      return;
    }
    const body = $('story').querySelector('tbody');
    body.replaceChildren();
    $('story').hidden = s.story.length === 0;
    $('story-note').textContent = s.story.length ?
      s.story.length + ' transitions of ' + s.key + ' (as far as the event ring still holds them).' :
      'The event ring holds no transition of ' + s.key + '.';
    for (const t of s.story) {
      const tr = el('tr', '');
      for (const v of [new Date(t.time).toLocaleTimeString(), t.from, t.to, t.worker || '', t.cause, t.stimulus]) {
        tr.appendChild(el('td', '', String(v)));
      }
      body.appendChild(tr);
    }
  });

  async function loadGraph() {
    let g;
    try {
      const r = await fetch('api/graph', { cache: 'no-store' });
      if (!r.ok) throw new Error(r.status + ' ' + r.statusText);
      g = await r.json();
    } catch (e) {
      $('graph-note').textContent = 'Could not load the graph: ' + e.message;
      return;
    }
    if (!graphOn) return;
    if (g.tooBig) {
      $('graph-note').textContent = 'The graph has ' + g.tasks + ' tasks, more than the ' + g.limit +
        ' this view draws; the progress bars above follow it instead.';
      $('graph-box').hidden = true;
      return;
    }
    $('graph-box').hidden = false;
    $('graph-note').textContent = g.tasks ? g.tasks + ' tasks.' : 'The scheduler holds no tasks.';
    drawGraph(g);
  }

  function drawGraph(g) {
    const c = $('graph');
    const gc = c.getContext('2d');
    // Fit the width if labels stay readable (scale >= 0.5), else scroll
    // sideways; never past what a canvas can hold.
    const avail = Math.max(c.parentElement.clientWidth - 4, 200);
    const fit = Math.max(avail / Math.max(g.width, 1), 0.5);
    const scale = Math.min(1, fit, 30000 / Math.max(g.width, 1), 30000 / Math.max(g.height, 1));
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(g.width * scale, 10);
    const h = Math.max(g.height * scale, 10);
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = w + 'px';
    c.style.height = h + 'px';
    gc.setTransform(dpr * scale, 0, 0, dpr * scale, 0, 0);
    gc.clearRect(0, 0, g.width, g.height);
    gc.strokeStyle = '#b8c0ca';
    gc.lineWidth = 1 / Math.max(scale, 0.3);
    gc.beginPath();
    for (const [a, z] of g.edges) {
      const p = g.nodes[a];
      const q = g.nodes[z];
      gc.moveTo(p.x, p.y + 12);
      gc.lineTo(q.x, q.y - 12);
    }
    gc.stroke();
    gc.font = '12px system-ui, sans-serif';
    gc.textAlign = 'center';
    gc.textBaseline = 'middle';
    for (const n of g.nodes) {
      gc.fillStyle = STATE_FILL[n.state] || '#d5dbe3';
      gc.strokeStyle = n.color;
      gc.lineWidth = 3;
      gc.beginPath();
      gc.rect(n.x - n.w / 2, n.y - 12, n.w, 24);
      gc.fill();
      gc.stroke();
      if (scale >= 0.5) {
        gc.fillStyle = n.state === 'memory' || n.state === 'erred' || n.state === 'processing' ? '#ffffff' : '#1d2733';
        gc.fillText(n.label, n.x, n.y);
      }
    }
  }

  // ------------------------------------------------------------ start
  function connect() {
    const es = new EventSource('api/stream');
    es.addEventListener('update', (ev) => apply(JSON.parse(ev.data)));
    es.addEventListener('error', () => status(st.seen ? 'reconnecting…' : 'cannot reach the scheduler', 'down'));
  }
  connect();
  setInterval(drawStream, 100);
  window.__dusk = st; // for tests and the curious
})();
