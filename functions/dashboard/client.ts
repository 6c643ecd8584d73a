/**
 * The dashboard's browser script, served as `/dashboard/assets/dashboard.js`. It is plain
 * JavaScript for evergreen browsers (no build step) kept in a module so the Lambda bundle carries
 * it; `String.raw` keeps its regular expressions as written, so the script itself must use no
 * backquote and no dollar-brace. It builds the DOM with `textContent` only: scenario and
 * initiative names are tenant input and never become HTML.
 *
 * What it draws and from which API (all with the user's bearer token):
 * - `GET /v1/scenarios` → the scenario picker (first by default);
 * - `GET /v1/scenarios/{id}`, `…/forecast` → headline figures, NPS waterfall, ROI × cost bubbles;
 * - `GET /v1/models/{modelId}` (+ its dataset for attribute labels) → importance bars, priority matrix;
 * - `GET /v1/scenarios/{id}/ranking?by=…&segment=…` → the ranked table (a header click re-fetches);
 * - `POST /v1/scenarios/{id}/optimize` → the efficient frontier (whole budget range) and the
 *   selection at the slider's budget, highlighted in the table, the bubbles and the frontier.
 *
 * State for tests and screen readers: `body[data-status]` is `signin`, `loading`, `ready`,
 * `partial` (some panel failed) or `error`; the table carries `data-by`; the optimiser card carries
 * `data-state` (`busy`/`ready`/`error`), `data-budget`, `data-objective` and `data-selected` (ids,
 * comma-separated) of the selection, and `data-frontier` (the objective the frontier shows).
 */
export const DASHBOARD_JS = String.raw`(function () {
'use strict';

var TOKEN_KEY = 'liftcast.dashboard.token';
var SCENARIO_KEY = 'liftcast.dashboard.scenario';
var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
// Tableau 10: distinct, colour-blind-friendly hues for up to ten initiatives, then repeated.
var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];
var KIND_COLOURS = { product: '#4e79a7', service: '#f28e2b', other: '#8c8c8c' };
var TOTAL_COLOUR = '#3b4a5e';
var OVERLAP_COLOUR = '#aab1bd';
var ACCENT = '#2f5d8a';
var METRIC_NAMES = { npsLift: 'NPS lift', npv: 'net value (NPV)', roi: 'ROI', paybackMonths: 'payback (shortest first)', liftPerMillion: 'NPS lift per 1M spent' };

var state = {
  token: null, scenarios: [], scenarioId: null, scenario: null, forecast: null, currency: 'USD',
  colours: {}, byId: {}, by: 'roi', segment: '', ranking: [], objective: 'npv', budget: 0, budgetMax: 0,
  frontier: null, selection: null, loadSeq: 0, rankSeq: 0, optSeq: 0, frontierSeq: 0, debounce: null
};

function $(id) { return document.getElementById(id); }

/** An element with properties, attributes and children (strings become text nodes, never HTML). */
function el(tag, props, children) {
  var e = document.createElement(tag);
  if (props) Object.keys(props).forEach(function (k) {
    var v = props[k];
    if (v === null || v === undefined || v === false) return;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'colour') e.style.backgroundColor = v;
    else e.setAttribute(k, String(v));
  });
  (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.append(c); });
  return e;
}

// --- Formatting ------------------------------------------------------------------------------

var MINUS = '\u2212';
function finite(v) { return typeof v === 'number' && isFinite(v); }
function fixed(v, digits) {
  if (!finite(v)) return '\u2013';
  var s = Math.abs(v).toFixed(digits === undefined ? 1 : digits);
  return (v < 0 && Number(s) !== 0 ? MINUS : '') + s;
}
function signed(v, digits) {
  if (!finite(v)) return '\u2013';
  var s = Math.abs(v).toFixed(digits === undefined ? 1 : digits);
  if (Number(s) === 0) return s;
  return (v > 0 ? '+' : MINUS) + s;
}
var moneyFormats = {};
function money(v, full) {
  if (!finite(v)) return '\u2013';
  var key = state.currency + (full ? ':full' : ':compact');
  if (!moneyFormats[key]) {
    try {
      moneyFormats[key] = new Intl.NumberFormat('en-US', full
        ? { style: 'currency', currency: state.currency, maximumFractionDigits: 0 }
        : { style: 'currency', currency: state.currency, notation: 'compact', maximumSignificantDigits: 3 });
    } catch (e) {
      moneyFormats[key] = new Intl.NumberFormat('en-US', full ? { maximumFractionDigits: 0 } : { notation: 'compact', maximumSignificantDigits: 3 });
    }
  }
  return moneyFormats[key].format(v).replace('-', MINUS);
}
function percent(v) { return finite(v) ? fixed(v * 100, 0) + '%' : '\u2013'; }
function bracket(iv, fmt) { return iv && finite(iv[0]) && finite(iv[1]) ? '[' + fmt(iv[0]) + ', ' + fmt(iv[1]) + ']' : ''; }
function months(v) { return finite(v) ? v + (v === 1 ? ' month' : ' months') : 'beyond ' + horizonText(); }
function horizonText() { var h = state.scenario ? state.scenario.scenario.horizonYears : 3; return h + (h === 1 ? ' year' : ' years'); }
function levelText() { return state.forecast ? Math.round(state.forecast.intervalLevel * 100) + '%' : '90%'; }
function humanise(name) { var s = String(name).replace(/_/g, ' '); return s.charAt(0).toUpperCase() + s.slice(1); }
/** A name cut at a word boundary to at most n characters, for chart labels (tooltips show it whole). */
function short(name, n) {
  if (name.length <= n) return name;
  var cut = name.slice(0, n - 1);
  var space = cut.lastIndexOf(' ');
  return (space > n * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '') + '\u2026';
}
function alpha(hex, a) {
  var n = parseInt(hex.slice(1), 16);
  return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
}
/** Axis bounds on round numbers around [lo, hi], padded by a share of the range. */
function niceBounds(lo, hi, pad) {
  var r = (hi - lo) || Math.abs(hi) || 1;
  var step = niceStep(r / 6);
  return { min: Math.floor((lo - r * pad) / step) * step, max: Math.ceil((hi + r * pad) / step) * step };
}
function niceStep(x) {
  if (!(x > 0)) return 1;
  var p = Math.pow(10, Math.floor(Math.log10(x)));
  var m = x / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

// --- API ------------------------------------------------------------------------------------

function ApiError(status, title, detail, retryAfter) {
  this.name = 'ApiError'; this.status = status; this.title = title; this.message = detail || title;
  this.retryAfter = retryAfter || 0;
}
ApiError.prototype = Object.create(Error.prototype);

function api(path, init) {
  init = init || {};
  var headers = { accept: 'application/json', authorization: 'Bearer ' + state.token };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(path, { method: init.method || 'GET', headers: headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) })
    .catch(function (e) { throw new ApiError(0, 'Network error', 'The server did not answer (' + e.message + ').'); })
    .then(function (res) {
      return res.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (res.ok) return body;
        var detail = (body && (body.detail || body.title)) || ('HTTP ' + res.status);
        if (res.status === 401) signOut('The server refused the token: ' + detail);
        throw new ApiError(res.status, (body && body.title) || res.statusText, detail, Number(res.headers.get('retry-after')) || 0);
      });
    });
}
function scenarioPath(suffix) { return '/v1/scenarios/' + encodeURIComponent(state.scenarioId) + (suffix || ''); }

// --- Status, sign-in, messages ---------------------------------------------------------------

function setStatus(s) { document.body.setAttribute('data-status', s); }

function claimsOf(token) {
  try {
    var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '==='.slice((part.length + 3) % 4)));
  } catch (e) { return null; }
}

function tokenFromFragment() {
  if (!location.hash) return null;
  var params = new URLSearchParams(location.hash.slice(1));
  var token = params.get('token');
  // Out of the address bar (and so out of screenshots and history) as soon as it is read.
  history.replaceState(null, '', location.pathname + location.search);
  return token ? token.trim() : null;
}

function showSignIn(message) {
  destroyCharts();
  $('content').hidden = true;
  $('scenario-picker').hidden = true;
  $('session').hidden = true;
  $('signin').hidden = false;
  var m = $('signin-message');
  m.textContent = message || '';
  m.hidden = !message;
  setStatus('signin');
  $('token-input').focus();
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.loadSeq++;
  showSignIn(message);
}

function banner(text, kind) {
  var m = $('message');
  m.textContent = text || '';
  m.className = 'banner' + (kind === 'info' ? ' info' : '');
  m.hidden = !text;
}

function panelError(cardId, err) {
  var card = $(cardId);
  var p = card.querySelector('.panel-error');
  if (!p) { p = el('p', { class: 'panel-error', role: 'alert' }); card.querySelector('h2').after(p); }
  p.textContent = err ? 'Could not load: ' + (err.message || String(err)) : '';
  p.hidden = !err;
}

// --- Charts: shared set-up and small plugins ---------------------------------------------------

function setUpCharts() {
  Chart.defaults.font.family = FONT;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = '#3a4250';
  Chart.defaults.maintainAspectRatio = false;
  // No animation: figures appear at once, and screenshots and tests see the final frame.
  Chart.defaults.animation = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.labels.boxHeight = 12;
  Chart.defaults.plugins.tooltip.titleFont = { weight: '600' };
}

var CHART_IDS = ['chart-importance', 'chart-matrix', 'chart-waterfall', 'chart-roi', 'chart-frontier'];
function destroyCharts() {
  CHART_IDS.forEach(function (id) { var c = Chart.getChart($(id)); if (c) c.destroy(); });
}
function makeChart(id, config) {
  var old = Chart.getChart($(id));
  if (old) old.destroy();
  return new Chart($(id), config);
}
function axisTitle(text) { return { display: true, text: text, font: { size: 12, weight: '600' }, color: '#4a5361' }; }
var GRID = 'rgba(31,36,48,0.08)';
function zeroGrid(ctx) { return ctx.tick && ctx.tick.value === 0 ? '#7a8392' : GRID; }

/** Text with a white halo, legible over grid lines and bars. */
function haloText(ctx, text, x, y) {
  ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.lineJoin = 'round';
  ctx.strokeText(text, x, y);
  ctx.fillText(text, x, y);
}

/** Labels at the end of each horizontal bar; text(datasetIndex, index, chart) or null for none. */
function barLabels(text) {
  return {
    id: 'barLabels',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = '600 11px ' + FONT; ctx.fillStyle = '#2b313b'; ctx.textBaseline = 'middle'; ctx.textAlign = 'left';
      chart.data.datasets.forEach(function (ds, di) {
        var meta = chart.getDatasetMeta(di);
        if (meta.hidden) return;
        meta.data.forEach(function (bar, i) {
          var t = text(di, i, chart);
          if (t === null || t === undefined) return;
          var p = bar.getProps(['x', 'base', 'y'], true);
          haloText(ctx, t, Math.max(p.x, p.base) + 5, p.y);
        });
      });
      ctx.restore();
    }
  };
}

/** Dashed lines at (x, y) splitting the plot into quadrants, each captioned in its corner. */
function quadrants(x, y, captions) {
  return {
    id: 'quadrants',
    beforeDatasetsDraw: function (chart) {
      var a = chart.chartArea, ctx = chart.ctx;
      var px = chart.scales.x.getPixelForValue(x), py = chart.scales.y.getPixelForValue(y);
      ctx.save();
      ctx.strokeStyle = '#9aa3b0'; ctx.lineWidth = 1; ctx.setLineDash([5, 4]);
      ctx.beginPath(); ctx.moveTo(px, a.top); ctx.lineTo(px, a.bottom); ctx.moveTo(a.left, py); ctx.lineTo(a.right, py); ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = 'italic 600 11px ' + FONT; ctx.fillStyle = '#8d96a4';
      ctx.textBaseline = 'top'; ctx.textAlign = 'left'; ctx.fillText(captions[0], a.left + 6, a.top + 4);
      ctx.textAlign = 'right'; ctx.fillText(captions[1], a.right - 6, a.top + 4);
      ctx.textBaseline = 'bottom'; ctx.textAlign = 'left'; ctx.fillText(captions[2], a.left + 6, a.bottom - 4);
      ctx.textAlign = 'right'; ctx.fillText(captions[3], a.right - 6, a.bottom - 4);
      ctx.restore();
    }
  };
}

function overlapArea(r, s) {
  var w = Math.min(r.x + r.w, s.x + s.w) - Math.max(r.x, s.x), h = Math.min(r.y + r.h, s.y + s.h) - Math.max(r.y, s.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * A label beside each point, placed greedily (highest point first): of the positions right, left,
 * above, below and the diagonals, near then farther out, the first that stays in the plot and
 * covers no other label, point or quadrant caption; failing that, the one that covers least.
 */
function pointLabels() {
  return {
    id: 'pointLabels',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, a = chart.chartArea;
      ctx.save();
      ctx.font = '11px ' + FONT; ctx.fillStyle = '#2b313b'; ctx.textBaseline = 'middle'; ctx.textAlign = 'left';
      var points = [];
      chart.data.datasets.forEach(function (ds, di) {
        chart.getDatasetMeta(di).data.forEach(function (pt, i) { points.push({ x: pt.x, y: pt.y, label: ds.data[i].label }); });
      });
      var taken = points.map(function (p) { return { x: p.x - 7, y: p.y - 7, w: 14, h: 14 }; });
      taken.push({ x: a.left, y: a.top, w: 130, h: 18 }, { x: a.right - 130, y: a.top, w: 130, h: 18 },
        { x: a.left, y: a.bottom - 18, w: 130, h: 18 }, { x: a.right - 130, y: a.bottom - 18, w: 130, h: 18 });
      points.sort(function (p, q) { return p.y - q.y; });
      points.forEach(function (p) {
        var w = ctx.measureText(p.label).width, h = 13;
        var candidates = [];
        [0, 1, 2].forEach(function (k) {
          var d = 9 + k * 6, v = k * (h + 2);
          candidates.push(
            { x: p.x + d, y: p.y - h / 2 - v }, { x: p.x + d, y: p.y - h / 2 + v }, { x: p.x - d - w, y: p.y - h / 2 - v }, { x: p.x - d - w, y: p.y - h / 2 + v },
            { x: p.x - w / 2, y: p.y - 10 - h - v }, { x: p.x - w / 2, y: p.y + 10 + v });
        });
        var best = null, bestCost = Infinity;
        for (var i = 0; i < candidates.length && bestCost > 0; i++) {
          var r = { x: candidates[i].x, y: candidates[i].y, w: w, h: h };
          var outside = r.x < a.left || r.x + w > a.right || r.y < a.top || r.y + h > a.bottom;
          var cost = (outside ? 1e6 : 0) + taken.reduce(function (sum, t) { return sum + overlapArea(r, t); }, 0) + i;
          if (cost - i === 0) cost = 0;
          if (cost < bestCost) { best = r; bestCost = cost; }
        }
        taken.push(best);
        // A leader line when the label had to move away from its point.
        var nx = Math.max(best.x, Math.min(p.x, best.x + w)), ny = Math.max(best.y, Math.min(p.y, best.y + h));
        if (Math.hypot(nx - p.x, ny - p.y) > 14) {
          ctx.strokeStyle = '#9aa3b0'; ctx.lineWidth = 1;
          ctx.beginPath(); ctx.moveTo(p.x, p.y); ctx.lineTo(nx, ny); ctx.stroke();
        }
        haloText(ctx, p.label, best.x, best.y + h / 2);
      });
      ctx.restore();
    }
  };
}

/** Vertical interval whiskers (raw.lo to raw.hi) with caps, drawn under the bubbles. */
function whiskers() {
  return {
    id: 'whiskers',
    beforeDatasetsDraw: function (chart) {
      var ctx = chart.ctx, y = chart.scales.y;
      ctx.save();
      chart.data.datasets.forEach(function (ds, di) {
        var meta = chart.getDatasetMeta(di);
        if (meta.hidden) return;
        meta.data.forEach(function (pt, i) {
          var raw = ds.data[i];
          if (!finite(raw.lo) || !finite(raw.hi)) return;
          var top = y.getPixelForValue(raw.hi), bottom = y.getPixelForValue(raw.lo);
          ctx.strokeStyle = ds.whiskerColour; ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(pt.x, top); ctx.lineTo(pt.x, bottom);
          ctx.moveTo(pt.x - 6, top); ctx.lineTo(pt.x + 6, top);
          ctx.moveTo(pt.x - 6, bottom); ctx.lineTo(pt.x + 6, bottom);
          ctx.stroke();
        });
      });
      ctx.restore();
    }
  };
}

/** The slider's budget as a dashed vertical line, labelled at the top. */
function budgetLine() {
  return {
    id: 'budgetLine',
    afterDatasetsDraw: function (chart) {
      var a = chart.chartArea, ctx = chart.ctx;
      var px = chart.scales.x.getPixelForValue(state.budget);
      if (!(px >= a.left - 1 && px <= a.right + 1)) return;
      ctx.save();
      ctx.strokeStyle = '#c0392b'; ctx.lineWidth = 1.5; ctx.setLineDash([6, 4]);
      ctx.beginPath(); ctx.moveTo(px, a.top); ctx.lineTo(px, a.bottom); ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = '600 11px ' + FONT; ctx.fillStyle = '#a5281b'; ctx.textBaseline = 'top';
      var text = 'Budget ' + money(state.budget);
      var right = px + 6 + ctx.measureText(text).width > a.right;
      ctx.textAlign = right ? 'right' : 'left';
      haloText(ctx, text, right ? px - 6 : px + 6, a.top + 4);
      ctx.restore();
    }
  };
}

// --- Headline figures --------------------------------------------------------------------------

function kpi(label, value, detail, id) {
  return el('div', { class: 'kpi', id: id }, [
    el('div', { class: 'label', text: label }),
    el('div', { class: 'value', text: value }),
    el('div', { class: 'detail', text: detail || '' })
  ]);
}

function renderKpis() {
  var f = state.forecast, p = f.portfolio;
  var net = p.revenue ? p.revenue.npv - p.cost.total : null;
  var netIv = p.revenue ? [p.revenue.interval[0] - p.cost.total, p.revenue.interval[1] - p.cost.total] : null;
  $('kpis').replaceChildren(
    kpi('NPS today', fixed(p.nps.baseline), 'from ' + p.nps.respondents.toLocaleString('en-US') + ' respondents', 'kpi-baseline'),
    kpi('NPS with all initiatives', fixed(p.nps.predicted), signed(p.nps.lift) + ' points ' + bracket(p.nps.interval, signed), 'kpi-portfolio'),
    kpi('Net value (NPV)', money(net), p.revenue ? levelText() + ' interval ' + bracket(netIv, money) : 'no revenue data in the wave', 'kpi-npv'),
    kpi('ROI over ' + horizonText(), p.roi ? percent(p.roi.estimate) : '\u2013', p.roi ? bracket(p.roi.interval, percent) : '', 'kpi-roi'),
    kpi('Cost (discounted)', money(p.cost.total), money(p.cost.oneTime) + ' one-time + ' + money(p.cost.annual) + ' a year', 'kpi-cost'),
    kpi('Payback', finite(p.paybackMonths) ? months(p.paybackMonths) : 'beyond ' + horizonText(), f.initiatives.length + ' initiatives together', 'kpi-payback')
  );
}

// --- Driver importance and priority matrix --------------------------------------------------------

function attributeRows(model, labels) {
  var kinds = {}, scales = {};
  (model.attributes || []).forEach(function (a) { kinds[a.name] = a.kind; scales[a.name] = a.scale; });
  var total = model.importance.reduce(function (s, i) { return s + Math.max(0, i.share); }, 0) || 1;
  var scaleKeys = {};
  Object.keys(scales).forEach(function (n) { scaleKeys[scales[n].join('-')] = true; });
  var sameScale = Object.keys(scaleKeys).length <= 1;
  return {
    sameScale: sameScale,
    scale: sameScale ? scales[model.importance[0].attribute] : null,
    rows: model.importance.map(function (i) {
      var sc = scales[i.attribute] || [0, 10];
      return {
        name: i.attribute,
        label: labels[i.attribute] || humanise(i.attribute),
        kind: KIND_COLOURS[kinds[i.attribute]] ? kinds[i.attribute] : 'other',
        importance: (100 * Math.max(0, i.share)) / total,
        // Attributes on different scales are compared as a share of their scale.
        performance: sameScale ? i.performance : (100 * (i.performance - sc[0])) / (sc[1] - sc[0])
      };
    }).sort(function (a, b) { return b.importance - a.importance; })
  };
}

function kindsOf(rows) {
  return ['product', 'service', 'other'].filter(function (k) { return rows.some(function (r) { return r.kind === k; }); });
}

function renderImportance(model, labels) {
  var rows = attributeRows(model, labels).rows;
  var r2 = model.fit && finite(model.fit.r2) ? model.fit.r2 : null;
  $('importance-sub').textContent = 'Each attribute\u2019s share of the variance in likelihood to recommend the driver model explains' +
    (r2 !== null ? ' (R\u00b2 = ' + r2.toFixed(2) + ', ' + (model.method || 'model') + ' fit).' : '.');
  makeChart('chart-importance', {
    type: 'bar',
    data: {
      labels: rows.map(function (r) { return short(r.label, 34); }),
      datasets: kindsOf(rows).map(function (k) {
        return {
          label: humanise(k) + ' attribute',
          data: rows.map(function (r) { return r.kind === k ? r.importance : null; }),
          backgroundColor: KIND_COLOURS[k], borderRadius: 2, stack: 'share', barPercentage: 0.8, categoryPercentage: 0.9
        };
      })
    },
    options: {
      indexAxis: 'y',
      layout: { padding: { right: 8 } },
      scales: {
        x: { stacked: true, beginAtZero: true, grace: '12%', title: axisTitle('Share of explained variance (%)'), grid: { color: GRID },
          ticks: { callback: function (v) { return v + '%'; } } },
        y: { stacked: true, grid: { display: false } }
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: {
          title: function (items) { return rows[items[0].dataIndex].label; },
          label: function (c) { return fixed(c.parsed.x) + '% of explained variance'; }
        } }
      }
    },
    plugins: [barLabels(function (di, i, chart) {
      var v = chart.data.datasets[di].data[i];
      return v === null ? null : fixed(v) + '%';
    })]
  });
}

function renderMatrix(model, labels) {
  var set = attributeRows(model, labels), rows = set.rows;
  var mean = function (key) { return rows.reduce(function (s, r) { return s + r[key]; }, 0) / rows.length; };
  var mx = mean('performance'), my = mean('importance');
  var xs = rows.map(function (r) { return r.performance; }), ys = rows.map(function (r) { return r.importance; });
  var xmin = Math.min.apply(null, xs), xmax = Math.max.apply(null, xs);
  var ymax = Math.max.apply(null, ys);
  var perfTitle = set.sameScale && set.scale
    ? 'Performance: mean rating (' + set.scale[0] + '\u2013' + set.scale[1] + ' scale)'
    : 'Performance: mean rating (% of each attribute\u2019s scale)';
  makeChart('chart-matrix', {
    type: 'scatter',
    data: {
      datasets: kindsOf(rows).map(function (k) {
        return {
          label: humanise(k) + ' attribute',
          data: rows.filter(function (r) { return r.kind === k; }).map(function (r) {
            return { x: r.performance, y: r.importance, label: short(r.label, 28), full: r.label };
          }),
          backgroundColor: KIND_COLOURS[k], borderColor: '#fff', borderWidth: 1, pointRadius: 6, pointHoverRadius: 8
        };
      })
    },
    options: {
      layout: { padding: { right: 8 } },
      scales: {
        x: { min: niceBounds(xmin, xmax, 0.25).min, max: niceBounds(xmin, xmax, 0.25).max, title: axisTitle(perfTitle), grid: { color: GRID },
          ticks: { callback: function (v) { return fixed(v); } } },
        y: { min: 0, max: niceBounds(0, ymax * 1.12, 0).max, title: axisTitle('Importance (%)'), grid: { color: GRID },
          ticks: { callback: function (v) { return fixed(v, 0) + '%'; } } }
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: {
          title: function (items) { return items[0].raw.full; },
          label: function (c) { return 'importance ' + fixed(c.raw.y) + '%, mean rating ' + fixed(c.raw.x, 2); }
        } }
      }
    },
    plugins: [quadrants(mx, my, ['Improve first', 'Keep strong', 'Lower priority', 'Possible overkill']), pointLabels()]
  });
}

function loadModel(seq) {
  var modelId = state.scenario.scenario.modelId;
  return api('/v1/models/' + encodeURIComponent(modelId)).then(function (model) {
    if (!model.importance || !model.importance.length) throw new Error('the model ' + modelId + ' has no importance figures (status ' + model.status + ').');
    // Attribute labels are the dataset's; without them the names are shown tidied up.
    var labels = {};
    var labelled = model.datasetId
      ? api('/v1/datasets/' + encodeURIComponent(model.datasetId)).then(function (ds) {
          (ds.attributes || []).forEach(function (a) { if (a.label) labels[a.name] = a.label; });
        }, function (e) { if (e.status === 401) throw e; })
      : Promise.resolve();
    return labelled.then(function () {
      if (seq !== state.loadSeq) return;
      state.model = model;
      panelError('card-importance', null); panelError('card-matrix', null);
      renderImportance(model, labels);
      renderMatrix(model, labels);
      footer();
    });
  }).catch(function (e) {
    if (seq === state.loadSeq) { panelError('card-importance', e); panelError('card-matrix', e); }
    throw e;
  });
}

// --- Ranked table --------------------------------------------------------------------------------

function netInterval(o) { return o && o.revenue ? [o.revenue.interval[0] - o.cost.total, o.revenue.interval[1] - o.cost.total] : null; }

function loadRanking() {
  var seq = ++state.rankSeq, loadSeq = state.loadSeq;
  var table = $('ranking');
  table.setAttribute('aria-busy', 'true');
  var items = [], pages = 0;
  function page(cursor) {
    var q = new URLSearchParams({ by: state.by, limit: '50' });
    if (state.segment) q.set('segment', state.segment);
    if (cursor) q.set('cursor', cursor);
    return api(scenarioPath('/ranking?' + q.toString())).then(function (body) {
      items = items.concat(body.items);
      if (body.nextCursor && ++pages < 40) return page(body.nextCursor);
      return items;
    });
  }
  return page(null).then(function (all) {
    if (seq !== state.rankSeq || loadSeq !== state.loadSeq) return;
    state.ranking = all;
    panelError('card-ranking', null);
    renderTable();
  }).catch(function (e) {
    if (seq === state.rankSeq) { table.removeAttribute('aria-busy'); panelError('card-ranking', e); }
    throw e;
  });
}

function cell(cls, main, iv) {
  return el('td', { class: cls }, [main, iv ? el('span', { class: 'iv', text: iv }) : null]);
}

function renderTable() {
  var by = state.by, selected = selectedSet();
  var table = $('ranking');
  table.querySelectorAll('th[data-by]').forEach(function (th) {
    if (th.getAttribute('data-by') === by) th.setAttribute('aria-sort', by === 'paybackMonths' ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  });
  var rows = state.ranking.map(function (it) {
    var o = state.byId[it.id];
    var ranked = function (metric) { return 'num' + (metric === by ? ' ranked' : ''); };
    var ivFor = function (metric, fallback) { return metric === by && it.interval ? it.interval : fallback; };
    var npv = ivFor('npv', netInterval(o));
    var roi = ivFor('roi', o && o.roi ? o.roi.interval : null);
    // Per million from the row's own NPS lift, so that with a segment chosen it is that segment's too.
    var million = it.cost / 1e6;
    var perMillion = by === 'liftPerMillion' ? it.value : million > 0 ? it.npsLift / million : null;
    var perM = million > 0 ? [it.npsInterval[0] / million, it.npsInterval[1] / million] : null;
    var inPlan = selected && selected.has(it.id);
    return el('tr', { 'data-id': it.id, class: inPlan ? 'in-plan' : null }, [
      el('td', { class: 'num', text: String(it.rank) }),
      el('td', { class: 'name' }, [
        el('span', { class: 'swatch', colour: state.colours[it.id] || '#999' }),
        it.name,
        inPlan ? el('span', { class: 'badge', text: 'in plan', title: 'Selected by the budget optimiser' }) : null,
        el('span', { class: 'id', text: it.id })
      ]),
      cell(ranked('npsLift'), signed(it.npsLift), bracket(ivFor('npsLift', it.npsInterval), signed)),
      cell(ranked('npv') + (finite(it.npv) && it.npv < 0 ? ' neg' : ''), money(it.npv), bracket(npv, money)),
      cell(ranked('roi') + (finite(it.roi) && it.roi < 0 ? ' neg' : ''), percent(it.roi), bracket(roi, percent)),
      cell('num', money(it.cost), null),
      cell(ranked('paybackMonths'), finite(it.paybackMonths) ? String(it.paybackMonths) : 'beyond ' + horizonText(), null),
      cell(ranked('liftPerMillion'), signed(perMillion, 2), bracket(ivFor('liftPerMillion', perM), function (v) { return signed(v, 2); })),
      cell('num', finite(it.probabilityAboveNext) ? Math.round(it.probabilityAboveNext * 100) + '%' : '\u2013', null)
    ]);
  });
  table.tBodies[0].replaceChildren.apply(table.tBodies[0], rows);
  $('ranking-sub').textContent = 'Ranked by ' + METRIC_NAMES[by] + (state.segment ? ', NPS for ' + humanise(state.segment) + ' accounts' : '') +
    '. Brackets hold ' + levelText() + ' intervals; \u201cbeats next\u201d is the chance an initiative truly ranks above the one below it. Click a heading to re-rank.';
  table.setAttribute('data-by', by);
  table.setAttribute('data-segment', state.segment);
  table.removeAttribute('aria-busy');
}

// --- NPS waterfall -------------------------------------------------------------------------------

function renderWaterfall() {
  var f = state.forecast, p = f.portfolio.nps;
  var initiatives = f.initiatives.slice().sort(function (a, b) { return b.nps.lift - a.nps.lift; });
  var run = p.baseline, bars = [];
  bars.push({ label: 'NPS today', to: p.baseline, colour: TOTAL_COLOUR, text: fixed(p.baseline), tip: ['Baseline NPS ' + fixed(p.baseline)] });
  initiatives.forEach(function (o) {
    bars.push({ label: short(o.name, 36), from: run, to: run + o.nps.lift, colour: state.colours[o.id], text: signed(o.nps.lift),
      tip: [o.name, 'Lift on its own ' + signed(o.nps.lift) + ' points ' + bracket(o.nps.interval, signed)] });
    run += o.nps.lift;
  });
  var sum = run - p.baseline, overlap = p.lift - sum;
  bars.push({ label: 'Overlap and saturation', from: run, to: run + overlap, colour: OVERLAP_COLOUR, text: signed(overlap),
    tip: ['Overlap and saturation ' + signed(overlap) + ' points', 'Portfolio lift ' + signed(p.lift) + ' vs. ' + signed(sum) + ' summed alone'] });
  bars.push({ label: 'NPS with all initiatives', to: p.predicted, colour: TOTAL_COLOUR, text: fixed(p.predicted) + ' (' + signed(p.lift) + ')',
    tip: ['Portfolio forecast ' + fixed(p.predicted), 'Lift ' + signed(p.lift) + ' points ' + bracket(p.interval, signed)] });
  var values = [];
  bars.forEach(function (b) { values.push(b.to); if (finite(b.from)) values.push(b.from); });
  var lo = Math.floor(Math.min.apply(null, values) - 1), hi = Math.max.apply(null, values);
  var top = niceBounds(lo, hi + (hi - lo) * 0.2, 0).max;
  $('waterfall-sub').textContent = 'From today\u2019s NPS through each initiative\u2019s lift on its own to the portfolio. Together they add ' +
    signed(p.lift) + ' points, not the ' + signed(sum) + ' their separate lifts sum to: initiatives that reach the same respondents overlap and saturate (grey bar).';
  makeChart('chart-waterfall', {
    type: 'bar',
    data: {
      labels: bars.map(function (b) { return b.label; }),
      datasets: [{
        label: 'NPS',
        data: bars.map(function (b) { return [finite(b.from) ? b.from : lo, b.to]; }),
        backgroundColor: bars.map(function (b) { return b.colour; }),
        borderRadius: 2, barPercentage: 0.75, categoryPercentage: 0.9
      }]
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: { min: lo, max: top, title: axisTitle('NPS (points; the axis starts at ' + fixed(lo, 0) + ')'), grid: { color: GRID } },
        y: { grid: { display: false }, ticks: { autoSkip: false } }
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: { generateLabels: function () {
            return [
              { text: 'NPS today and with all initiatives', fillStyle: TOTAL_COLOUR, strokeStyle: TOTAL_COLOUR, lineWidth: 0 },
              { text: 'Lift of one initiative on its own', fillStyle: PALETTE[0], strokeStyle: PALETTE[0], lineWidth: 0 },
              { text: 'Overlap and saturation', fillStyle: OVERLAP_COLOUR, strokeStyle: OVERLAP_COLOUR, lineWidth: 0 }
            ];
          } },
          onClick: function () {}
        },
        tooltip: { callbacks: {
          title: function (items) { return bars[items[0].dataIndex].tip[0]; },
          label: function (c) { return bars[c.dataIndex].tip.slice(1); }
        } }
      }
    },
    plugins: [barLabels(function (di, i) { return bars[i].text; })]
  });
}

// --- ROI against cost ------------------------------------------------------------------------------

function renderRoi() {
  var f = state.forecast, selected = selectedSet();
  var withRoi = f.initiatives.filter(function (o) { return o.roi; });
  if (!withRoi.length) {
    panelError('card-roi', new Error('the forecast has no revenue figures (the wave has no account revenue and the scenario no revenueBase), so there is no ROI to plot.'));
  } else panelError('card-roi', null);
  var maxLift = Math.max.apply(null, withRoi.map(function (o) { return Math.max(0, o.nps.lift); }).concat([1e-9]));
  var ys = [0], costs = [];
  withRoi.forEach(function (o) { ys.push(o.roi.interval[0] * 100, o.roi.interval[1] * 100); costs.push(o.cost.total); });
  var yb = niceBounds(Math.min.apply(null, ys), Math.max.apply(null, ys), 0.06);
  var xb = niceBounds(0, Math.max.apply(null, costs.concat([1])) * 1.12, 0);
  $('roi-sub').textContent = 'ROI over ' + horizonText() + ' against discounted cost. Bubble area is the NPS lift; whiskers are the ' +
    levelText() + ' ROI interval; a dark outline marks the optimiser\u2019s selection.';
  makeChart('chart-roi', {
    type: 'bubble',
    data: {
      datasets: withRoi.map(function (o) {
        var c = state.colours[o.id], inPlan = selected && selected.has(o.id);
        return {
          label: short(o.name, 34), initiativeId: o.id, whiskerColour: alpha(c, 0.75),
          data: [{
            x: o.cost.total, y: o.roi.estimate * 100, r: 5 + 21 * Math.sqrt(Math.max(0, o.nps.lift) / maxLift),
            lo: o.roi.interval[0] * 100, hi: o.roi.interval[1] * 100, name: o.name, lift: o.nps.lift, liftIv: o.nps.interval
          }],
          backgroundColor: alpha(c, 0.6), borderColor: inPlan ? '#15191f' : c, borderWidth: inPlan ? 3 : 1.5
        };
      })
    },
    options: {
      layout: { padding: 4 },
      scales: {
        x: { min: 0, max: xb.max, title: axisTitle('Cost: discounted over ' + horizonText() + ' (' + state.currency + ')'),
          grid: { color: GRID }, ticks: { callback: function (v) { return money(v); } } },
        y: { min: yb.min, max: yb.max, title: axisTitle('ROI over ' + horizonText() + ' (%)'),
          grid: { color: zeroGrid }, ticks: { callback: function (v) { return fixed(v, 0) + '%'; } } }
      },
      plugins: {
        legend: { position: 'bottom', labels: { usePointStyle: true, pointStyle: 'circle', padding: 12 } },
        tooltip: { callbacks: {
          title: function (items) { return items[0].raw.name; },
          label: function (c) {
            var r = c.raw;
            return ['ROI ' + fixed(r.y, 0) + '% ' + bracket([r.lo, r.hi], function (v) { return fixed(v, 0) + '%'; }),
              'Cost ' + money(r.x), 'NPS lift ' + signed(r.lift) + ' points ' + bracket(r.liftIv, signed)];
          }
        } }
      }
    },
    plugins: [whiskers()]
  });
}

// --- Budget optimiser ------------------------------------------------------------------------------

function selectedSet() { return state.selection ? new Set(state.selection.selected) : null; }
function objectiveName() { return state.objective === 'npv' ? 'net value (NPV)' : 'NPS lift'; }
function objectiveText(v) { return state.objective === 'npv' ? money(v) : signed(v) + ' points'; }

function setUpSlider() {
  var total = state.forecast.initiatives.reduce(function (s, o) { return s + o.cost.total; }, 0);
  var step = niceStep(total / 200);
  state.budgetMax = Math.ceil(total / step) * step;
  var slider = $('budget');
  slider.min = '0'; slider.max = String(state.budgetMax); slider.step = String(step);
  state.budget = Math.min(state.budgetMax, Math.round((total * 0.5) / step) * step);
  slider.value = String(state.budget);
  $('budget-min').textContent = money(0);
  $('budget-max').textContent = money(state.budgetMax) + ' (everything)';
  showBudget();
}

function showBudget() { $('budget-output').textContent = money(state.budget, true); }

function optimizeRequest(budget) {
  var path = scenarioPath('/optimize');
  return api(path, { method: 'POST', body: { budget: budget, objective: state.objective } }).then(function settle(r) {
    // A large scenario is optimised by the worker (202): follow its optimisation until it is done.
    if (!r || typeof r.status !== 'string' || r.scenarioVersion === undefined) return r;
    if (r.status === 'ready') return r.result;
    if (r.status === 'failed') throw new ApiError(422, r.problem ? r.problem.title : 'Failed', r.problem ? r.problem.detail : 'The optimisation failed.');
    return new Promise(function (resolve) { setTimeout(resolve, 2000); })
      .then(function () { return api(scenarioPath('/optimizations/' + encodeURIComponent(r.id))); })
      .then(settle);
  });
}

/** The frontier over the whole range: one optimisation at the largest budget. */
function loadFrontier() {
  var seq = ++state.frontierSeq, loadSeq = state.loadSeq;
  return optimizeRequest(state.budgetMax).then(function (r) {
    if (seq !== state.frontierSeq || loadSeq !== state.loadSeq) return;
    state.frontier = r.frontier;
    renderFrontier();
    $('card-optimizer').setAttribute('data-frontier', r.objective || state.objective);
  });
}

function optimize() {
  var seq = ++state.optSeq, loadSeq = state.loadSeq, budget = state.budget;
  var card = $('card-optimizer');
  card.setAttribute('data-state', 'busy');
  return optimizeRequest(budget).then(function (r) {
    if (seq !== state.optSeq || loadSeq !== state.loadSeq) return;
    state.selection = r;
    panelError('card-optimizer', null);
    renderSelection();
    highlightSelection();
    card.setAttribute('data-budget', String(budget));
    card.setAttribute('data-objective', r.objective || state.objective);
    card.setAttribute('data-selected', r.selected.join(','));
    card.setAttribute('data-state', 'ready');
  }).catch(function (e) {
    if (seq === state.optSeq) { card.setAttribute('data-state', 'error'); panelError('card-optimizer', e); }
    throw e;
  });
}

function loadOptimizer() {
  return Promise.all([loadFrontier(), optimize()]).catch(function (e) { panelError('card-optimizer', e); throw e; });
}

function renderSelection() {
  var r = state.selection, box = $('selection');
  var ids = r.selected, n = state.forecast.initiatives.length;
  var o = r.forecast;
  var figures = [];
  function row(label, value) { figures.push(el('dt', { text: label }), el('dd', { text: value })); }
  if (o) {
    row('NPS lift', signed(o.nps.lift) + ' points ' + bracket(o.nps.interval, signed));
    if (o.revenue) row('Net value (NPV)', money(o.revenue.npv - o.cost.total) + ' ' + bracket(netInterval(o), money));
    if (o.roi) row('ROI', percent(o.roi.estimate) + ' ' + bracket(o.roi.interval, percent));
    row('Cost', money(o.cost.total, true));
    row('Payback', finite(o.paybackMonths) ? months(o.paybackMonths) : 'beyond ' + horizonText());
  } else if (r.value) {
    row('NPS lift', signed(r.value.npsLift) + ' points');
    row('Cost', money(r.value.cost, true));
  }
  row('Search', r.method === 'exhaustive' ? 'exact (every combination)' : (r.method || '') + ' heuristic');
  var chosen = state.forecast.initiatives.filter(function (i) { return ids.indexOf(i.id) >= 0; });
  box.replaceChildren(
    el('p', { class: 'headline', text: ids.length
      ? 'Fund ' + ids.length + ' of ' + n + ' initiatives for ' + money(r.value ? r.value.cost : 0) + ', the best ' + objectiveName() + ' within ' + money(state.budget)
      : 'No initiative fits within ' + money(state.budget) + '.' }),
    el('dl', { class: 'figures' }, figures),
    el('ul', null, chosen.map(function (i) {
      return el('li', { 'data-id': i.id }, [el('span', { class: 'swatch', colour: state.colours[i.id] }), i.name]);
    }))
  );
}

function highlightSelection() {
  if (state.ranking.length) renderTable();
  var selected = selectedSet();
  var roi = Chart.getChart($('chart-roi'));
  if (roi) {
    roi.data.datasets.forEach(function (ds) {
      var inPlan = selected && selected.has(ds.initiativeId);
      ds.borderColor = inPlan ? '#15191f' : state.colours[ds.initiativeId];
      ds.borderWidth = inPlan ? 3 : 1.5;
    });
    roi.update('none');
  }
  var fr = Chart.getChart($('chart-frontier'));
  if (fr && state.frontier) { fr.data.datasets[0].data = frontierPoints(); fr.data.datasets[1].data = selectedPoint(); fr.update('none'); }
}

function selectedPoint() {
  var r = state.selection;
  return r && r.value ? [{ x: r.value.cost, y: r.value.objective, ids: r.selected }] : [];
}

/**
 * The efficient portfolios (the frontier's levels, the empty one and the current selection) at
 * their own cost, keeping only those that beat every cheaper one. Between two of them the best
 * value for the money stays that of the cheaper: a step, not a slope.
 */
function frontierPoints() {
  var all = [{ x: 0, y: 0, ids: [] }].concat(state.frontier.map(function (f) { return { x: f.cost, y: f.objective, ids: f.selected }; }), selectedPoint());
  all.sort(function (a, b) { return a.x - b.x || b.y - a.y; });
  var out = [];
  all.forEach(function (p) { if (!out.length || p.y > out[out.length - 1].y + 1e-9) out.push(p); });
  var last = out[out.length - 1];
  if (last.x < state.budgetMax) out.push({ x: state.budgetMax, y: last.y, ids: last.ids, extension: true });
  return out;
}

function renderFrontier() {
  var names = function (ids) { return ids.map(function (id) { return state.byId[id] ? short(state.byId[id].name, 40) : id; }); };
  makeChart('chart-frontier', {
    type: 'line',
    data: {
      datasets: [
        { label: 'Efficient frontier: the best ' + objectiveName() + ' for the money', data: frontierPoints(), stepped: 'before', borderColor: ACCENT, backgroundColor: ACCENT,
          borderWidth: 2, pointRadius: function (c) { return c.raw && c.raw.extension ? 0 : 3.5; }, pointHoverRadius: 6, order: 2 },
        { label: 'Selected portfolio at the budget', data: selectedPoint(), showLine: false, pointStyle: 'rectRot', pointRadius: 9, pointHoverRadius: 10,
          backgroundColor: '#f2c94c', borderColor: '#15191f', borderWidth: 2, order: 1 }
      ]
    },
    options: {
      scales: {
        x: { type: 'linear', min: 0, max: state.budgetMax, title: axisTitle('Budget and portfolio cost: discounted over ' + horizonText() + ' (' + state.currency + ')'),
          grid: { color: GRID }, ticks: { callback: function (v) { return money(v); } } },
        y: { title: axisTitle(state.objective === 'npv' ? 'Net value, NPV (' + state.currency + ')' : 'Portfolio NPS lift (points)'),
          grid: { color: zeroGrid }, grace: '8%', ticks: { callback: function (v) { return state.objective === 'npv' ? money(v) : signed(v, Number.isInteger(v) ? 0 : 1); } } }
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          filter: function (item) { return !item.raw.extension; },
          callbacks: {
            title: function (items) { return (items[0].datasetIndex === 1 ? 'Selected portfolio, cost ' : 'Portfolio costing ') + money(items[0].raw.x); },
            label: function (c) { return objectiveName() + ': ' + objectiveText(c.raw.y); },
            afterBody: function (items) { var ids = items[0].raw.ids || []; return ids.length ? ['Funds:'].concat(names(ids)) : ['Funds nothing']; }
          }
        }
      }
    },
    plugins: [budgetLine()]
  });
}

// --- Scenario loading ----------------------------------------------------------------------------

function footer() {
  var s = state.scenario, f = state.forecast, m = state.model;
  var parts = ['Scenario \u201c' + s.scenario.name + '\u201d version ' + s.version, 'forecast ' + new Date(f.computedAt).toLocaleString('en-US'),
    'model ' + f.modelId + (m && m.fit ? ' (R\u00b2 ' + m.fit.r2.toFixed(2) + ')' : ''), levelText() + ' intervals', 'amounts in ' + f.currency];
  $('footer').replaceChildren(parts.join(' \u00b7 ') + ' \u00b7 ', el('a', { href: '/docs', text: 'API reference' }));
}

function loadScenario(id) {
  var seq = ++state.loadSeq;
  state.scenarioId = id;
  state.selection = null; state.frontier = null; state.ranking = []; state.model = null;
  sessionStorage.setItem(SCENARIO_KEY, id);
  setStatus('loading');
  banner('');
  return Promise.all([api(scenarioPath('')), api(scenarioPath('/forecast'))]).then(function (both) {
    if (seq !== state.loadSeq) return;
    state.scenario = both[0]; state.forecast = both[1]; state.currency = both[1].currency;
    state.colours = {}; state.byId = {};
    state.forecast.initiatives.forEach(function (o, i) { state.colours[o.id] = PALETTE[i % PALETTE.length]; state.byId[o.id] = o; });
    var segment = $('segment');
    segment.replaceChildren(el('option', { value: '', text: 'all accounts' }));
    Object.keys(state.forecast.baseline.bySegment).sort().forEach(function (s) {
      segment.append(el('option', { value: s, text: humanise(s) + ' accounts' }));
    });
    if (state.segment && !state.forecast.baseline.bySegment.hasOwnProperty(state.segment)) state.segment = '';
    // Without revenue there is no net value to maximise: the optimiser can only maximise NPS lift.
    var noRevenue = state.forecast.assumptions && state.forecast.assumptions.revenueSource === 'none';
    $('objective').querySelector('option[value=npv]').disabled = noRevenue;
    if (noRevenue) state.objective = 'npsLift';
    $('objective').value = state.objective;
    segment.value = state.segment;
    renderKpis();
    renderWaterfall();
    renderRoi();
    setUpSlider();
    footer();
    return Promise.allSettled([loadModel(seq), loadRanking(), loadOptimizer()]).then(function (results) {
      if (seq !== state.loadSeq) return;
      var failed = results.filter(function (r) { return r.status === 'rejected'; });
      setStatus(failed.length ? 'partial' : 'ready');
    });
  }).catch(function (e) {
    if (seq !== state.loadSeq || e.status === 401) return;
    // A large scenario's forecast is computed by the worker: wait as the API says, then try again.
    if (e.status === 409 && e.retryAfter > 0) {
      banner('This version\u2019s forecast is still being computed; it opens here as soon as it is ready.', 'info');
      setStatus('waiting');
      setTimeout(function () { if (seq === state.loadSeq) loadScenario(id); }, e.retryAfter * 1000);
      return;
    }
    banner('The scenario could not be loaded: ' + e.message);
    setStatus('error');
  });
}

function start() {
  var claims = claimsOf(state.token);
  $('signin').hidden = true;
  $('content').hidden = false;
  $('session').hidden = false;
  $('tenant').textContent = claims && claims.tenant ? 'Tenant ' + claims.tenant : '';
  setStatus('loading');
  return api('/v1/scenarios?limit=100').then(function (list) {
    state.scenarios = list.items;
    var select = $('scenario');
    select.replaceChildren.apply(select, list.items.map(function (s) {
      return el('option', { value: s.id, text: s.name + ' (v' + s.version + ')' });
    }));
    $('scenario-picker').hidden = list.items.length === 0;
    if (!list.items.length) {
      banner('This tenant has no scenarios yet. Create one with POST /v1/scenarios (see the API reference at /docs), then reload.', 'info');
      setStatus('empty');
      return;
    }
    var remembered = sessionStorage.getItem(SCENARIO_KEY);
    var id = list.items.some(function (s) { return s.id === remembered; }) ? remembered : list.items[0].id;
    select.value = id;
    return loadScenario(id);
  }).catch(function (e) {
    if (e.status === 401) return;
    banner('The scenarios could not be listed: ' + e.message);
    setStatus('error');
  });
}

function wire() {
  $('signin-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var token = $('token-input').value.trim().replace(/^Bearer\s+/i, '');
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    state.token = token;
    $('token-input').value = '';
    start();
  });
  $('signout').addEventListener('click', function () { signOut(null); });
  $('scenario').addEventListener('change', function (ev) { loadScenario(ev.target.value); });
  $('ranking').querySelector('thead').addEventListener('click', function (ev) {
    var button = ev.target.closest('button[data-by]');
    if (!button || !state.scenarioId) return;
    state.by = button.getAttribute('data-by');
    loadRanking().catch(function () {});
  });
  $('segment').addEventListener('change', function (ev) { state.segment = ev.target.value; loadRanking().catch(function () {}); });
  $('objective').addEventListener('change', function (ev) {
    state.objective = ev.target.value;
    loadOptimizer().catch(function () {});
  });
  var slider = $('budget');
  slider.addEventListener('input', function () {
    state.budget = Number(slider.value);
    showBudget();
    var fr = Chart.getChart($('chart-frontier'));
    if (fr) fr.draw();
    clearTimeout(state.debounce);
    state.debounce = setTimeout(function () { optimize().catch(function () {}); }, 250);
  });
  slider.addEventListener('change', function () {
    clearTimeout(state.debounce);
    state.budget = Number(slider.value);
    showBudget();
    optimize().catch(function () {});
  });
}

function boot() {
  if (typeof Chart === 'undefined') {
    document.body.textContent = 'Chart.js did not load from /dashboard/assets/chart.umd.min.js; run npm install and restart the server.';
    setStatus('error');
    return;
  }
  setUpCharts();
  wire();
  var fromLink = tokenFromFragment();
  if (fromLink) sessionStorage.setItem(TOKEN_KEY, fromLink);
  state.token = sessionStorage.getItem(TOKEN_KEY);
  if (state.token) start(); else showSignIn(null);
}

boot();
})();
`;
