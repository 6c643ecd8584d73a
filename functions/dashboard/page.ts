/**
 * The dashboard's HTML shell and style sheet. The shell is static: `client.ts` fills it from the
 * API. Element ids and `data-*` attributes here are what the client and the browser test use.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Liftcast dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script src="/dashboard/assets/chart.umd.min.js" defer></script>
<script src="/dashboard/assets/dashboard.js" defer></script>
</head>
<body data-status="starting">
<header class="topbar">
  <div class="brand"><span class="logo">Liftcast</span><span class="tagline">Which customer-experience investments move NPS and revenue</span></div>
  <label class="picker" id="scenario-picker" hidden>Scenario <select id="scenario"></select></label>
  <div class="session" id="session" hidden><span id="tenant"></span> <button type="button" id="signout" class="link">Sign out</button></div>
</header>

<section id="signin" class="signin" hidden>
  <h1>Open the dashboard</h1>
  <p>The dashboard shows one tenant's scenarios. Paste a bearer token for that tenant:
  <code>npm start</code> prints a dashboard link that carries one, and <code>npm run token</code> makes another.</p>
  <p id="signin-message" class="error" role="alert" hidden></p>
  <form id="signin-form">
    <label for="token-input">Bearer token</label>
    <textarea id="token-input" rows="3" spellcheck="false" autocomplete="off" placeholder="eyJhbGciOiJIUzI1NiIs…" required></textarea>
    <button type="submit">Open dashboard</button>
  </form>
  <p class="note">The token stays in this browser tab (sessionStorage) and is sent only to this server.</p>
</section>

<main id="content" hidden>
  <p id="message" class="banner" role="status" hidden></p>
  <section id="kpis" class="kpis" aria-label="Portfolio forecast"></section>

  <div class="grid">
    <article class="card" id="card-importance">
      <h2>Driver importance</h2>
      <p class="sub" id="importance-sub">What drives likelihood to recommend: each attribute's share of the variance the driver model explains.</p>
      <div class="chart"><canvas id="chart-importance" role="img" aria-label="Driver importance bar chart"></canvas></div>
    </article>

    <article class="card" id="card-matrix">
      <h2>Priority matrix: importance × performance</h2>
      <p class="sub">Importance as in the bar chart against the mean rating. Top left is where customers care most and rate lowest; dashed lines mark the averages.</p>
      <div class="chart"><canvas id="chart-matrix" role="img" aria-label="Importance against performance scatter chart"></canvas></div>
    </article>

    <article class="card wide" id="card-ranking">
      <div class="card-head">
        <div>
          <h2>Ranked initiatives</h2>
          <p class="sub" id="ranking-sub">Click a column heading to rank by it.</p>
        </div>
        <label class="inline">NPS for <select id="segment"><option value="">all accounts</option></select></label>
      </div>
      <div class="table-wrap">
        <table id="ranking" data-by="">
          <thead>
            <tr>
              <th scope="col" class="num">Rank</th>
              <th scope="col">Initiative</th>
              <th scope="col" class="num" data-by="npsLift"><button type="button" data-by="npsLift">NPS lift<span class="unit">points</span></button></th>
              <th scope="col" class="num" data-by="npv"><button type="button" data-by="npv">Net value<span class="unit">NPV</span></button></th>
              <th scope="col" class="num" data-by="roi"><button type="button" data-by="roi">ROI<span class="unit">over the horizon</span></button></th>
              <th scope="col" class="num">Cost<span class="unit">discounted</span></th>
              <th scope="col" class="num" data-by="paybackMonths"><button type="button" data-by="paybackMonths">Payback<span class="unit">months</span></button></th>
              <th scope="col" class="num" data-by="liftPerMillion"><button type="button" data-by="liftPerMillion">NPS per 1M<span class="unit">points</span></button></th>
              <th scope="col" class="num" title="Probability that this initiative truly beats the next one on the ranked metric">Beats next<span class="unit">probability</span></th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
    </article>

    <article class="card" id="card-waterfall">
      <h2>NPS waterfall</h2>
      <p class="sub" id="waterfall-sub">From today's NPS through each initiative on its own to the portfolio.</p>
      <div class="chart tall"><canvas id="chart-waterfall" role="img" aria-label="NPS waterfall chart"></canvas></div>
    </article>

    <article class="card" id="card-roi">
      <h2>ROI against cost</h2>
      <p class="sub" id="roi-sub">Bubble area is the NPS lift; whiskers are the ROI interval; a dark outline marks the optimiser's selection.</p>
      <div class="chart tall"><canvas id="chart-roi" role="img" aria-label="ROI against cost bubble chart"></canvas></div>
    </article>

    <article class="card wide" id="card-optimizer" data-state="idle">
      <h2>Budget optimiser</h2>
      <div class="optimizer">
        <div class="controls">
          <label class="inline">Maximise
            <select id="objective">
              <option value="npv">net value (NPV)</option>
              <option value="npsLift">NPS lift</option>
            </select>
          </label>
          <label for="budget" class="budget-label">Budget (discounted cost) <output id="budget-output" for="budget"></output></label>
          <input type="range" id="budget" min="0" max="1" step="1" value="0">
          <div class="range-ends"><span id="budget-min"></span><span id="budget-max"></span></div>
          <div id="selection" class="selection" aria-live="polite"></div>
        </div>
        <div class="chart"><canvas id="chart-frontier" role="img" aria-label="Efficient frontier line chart"></canvas></div>
      </div>
    </article>
  </div>
  <footer id="footer" class="footer"></footer>
</main>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root {
  --ink: #1f2430; --muted: #5b6473; --line: #dde2ea; --bg: #f4f6f9; --card: #fff;
  --accent: #2f5d8a; --good: #2e7d4f; --bad: #b3261e; --selected: #fff6d6;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; font-size: 14px; line-height: 1.4; }
[hidden] { display: none !important; }
button, select, input, textarea { font: inherit; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; background: #eef1f5; padding: 0 3px; border-radius: 3px; }

.topbar { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #1f2d3d; color: #fff; flex-wrap: wrap; }
.brand { display: flex; align-items: baseline; gap: 12px; margin-right: auto; }
.logo { font-weight: 700; font-size: 20px; letter-spacing: 0.02em; }
.tagline { color: #c5d0dc; font-size: 13px; }
.picker { display: flex; align-items: center; gap: 8px; color: #c5d0dc; }
.picker select { min-width: 320px; max-width: 46vw; padding: 4px 6px; border-radius: 4px; border: 1px solid #50627a; background: #fff; color: var(--ink); }
.session { color: #c5d0dc; font-size: 13px; }
button.link { background: none; border: none; color: #9fc3ea; cursor: pointer; text-decoration: underline; padding: 0; }

.signin { max-width: 640px; margin: 48px auto; background: var(--card); padding: 24px 28px; border-radius: 8px; border: 1px solid var(--line); }
.signin h1 { margin-top: 0; font-size: 22px; }
.signin form { display: grid; gap: 8px; }
.signin textarea { width: 100%; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; padding: 8px; }
.signin button[type=submit] { justify-self: start; padding: 6px 16px; background: var(--accent); color: #fff; border: none; border-radius: 4px; cursor: pointer; }
.note { color: var(--muted); font-size: 12px; }
.error { color: var(--bad); }

main { max-width: 1560px; margin: 0 auto; padding: 16px 24px 24px; }
.banner { background: #fdecea; color: var(--bad); border: 1px solid #f3c1bc; padding: 8px 12px; border-radius: 6px; }
.banner.info { background: #eef4fb; color: var(--accent); border-color: #c9dcf0; }

.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-bottom: 16px; }
.kpi { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.kpi .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.kpi .value { font-size: 24px; font-weight: 650; margin-top: 2px; }
.kpi .detail { color: var(--muted); font-size: 12px; }

.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 12px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.card h2 { font-size: 16px; margin: 0 0 2px; }
.card .sub { color: var(--muted); margin: 0 0 8px; font-size: 13px; }
.card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 16px; }
.card .panel-error { color: var(--bad); margin: 8px 0; }
.chart { position: relative; height: 320px; }
.chart.tall { height: 380px; }
label.inline { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); white-space: nowrap; }
label.inline select { padding: 3px 6px; }

.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: nowrap; vertical-align: bottom; }
th.num, td.num { text-align: right; }
th .unit { display: block; font-weight: 400; font-size: 11px; color: #8a93a3; }
th button { background: none; border: none; padding: 0; color: inherit; font: inherit; font-weight: 600; cursor: pointer; text-align: inherit; }
th button:hover { color: var(--accent); }
th[aria-sort] { color: var(--accent); }
th[aria-sort] button::before { content: "\\25BC\\00a0"; font-size: 10px; }
th[aria-sort=ascending] button::before { content: "\\25B2\\00a0"; }
td .iv { display: block; font-size: 11px; color: #7a8392; white-space: nowrap; }
td.name { max-width: 380px; }
td.name .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: baseline; }
td.name .id { display: block; font-size: 11px; color: #8a93a3; margin-left: 16px; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; margin-left: 6px; border-radius: 8px; background: #f2c94c; color: #4a3b00; font-weight: 600; }
tr.in-plan td { background: var(--selected); }
td.ranked { font-weight: 650; }
td.neg { color: var(--bad); }

.optimizer { display: grid; grid-template-columns: minmax(280px, 2fr) minmax(0, 5fr); gap: 20px; align-items: start; }
.controls { display: grid; gap: 8px; }
.budget-label { color: var(--muted); margin-top: 6px; }
.budget-label output { display: block; font-size: 22px; font-weight: 650; color: var(--ink); }
input[type=range] { width: 100%; accent-color: var(--accent); }
.range-ends { display: flex; justify-content: space-between; color: var(--muted); font-size: 12px; margin-top: -4px; }
.selection { border-top: 1px solid var(--line); padding-top: 8px; }
.selection .headline { font-weight: 600; margin: 0 0 6px; }
.selection ul { list-style: none; padding: 0; margin: 6px 0 0; display: grid; gap: 3px; }
.selection li .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; }
.selection .figures { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; font-size: 13px; }
.selection .figures dt { color: var(--muted); }
.selection .figures dd { margin: 0; font-variant-numeric: tabular-nums; }
#card-optimizer[data-state=busy] .selection { opacity: 0.55; }
.footer { color: var(--muted); font-size: 12px; margin-top: 16px; }

@media (max-width: 1100px) {
  .grid { grid-template-columns: minmax(0, 1fr); }
  .optimizer { grid-template-columns: minmax(0, 1fr); }
  .picker select { min-width: 200px; }
}
`;
