/**
 * Excel for finance: a scenario's forecast and ranking (`GET …/ranking`) and a comparison
 * (`POST /v1/compare`) as .xlsx when asked with the workbook's media type. Each workbook is opened
 * with exceljs 4.4.0 (an independent reader) and its cells compared exactly with the API's JSON:
 * numbers are numbers (with number formats), interval ends sit in their own columns, names stay
 * text even when they start with `=`, and the assumptions name the economics and the model.
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableFromObjects } from '../../model/dataset.js';
import { demoWave } from '../../model/demo.js';
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { ScenarioInputSchema } from '../../model/scenario/contract.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let lc: TestLiftcast;
let token: string;
let scenarioId: string;
let otherId: string;

beforeAll(async () => {
  lc = await createTestLiftcast();
  const tenant = lc.tenant();
  token = await lc.token(tenant);
  const wave = demoWave({ seed: 11, respondents: 800, accounts: 200 });
  const { dataset } = await lc.datasets.service.create(tenant, { name: wave.name, described: wave.attributes, table: tableFromObjects(wave.rows), seal: true });
  const fitted = await lc.models.service.create(tenant, ModelRequestSchema.parse({ datasetId: dataset.id, segmentBy: 'segment' }));
  const input = demoScenario(fitted.model.id);
  // A name a spreadsheet would run as a formula if it were written as one.
  input.initiatives[0]!.name = '=HYPERLINK("http://example.invalid","x")';
  scenarioId = (await lc.scenarios.service.create(tenant, ScenarioInputSchema.parse(input))).scenario.id;
  const fewer = { ...input, name: 'Three initiatives', initiatives: input.initiatives.slice(0, 3) };
  otherId = (await lc.scenarios.service.create(tenant, ScenarioInputSchema.parse(fewer))).scenario.id;
}, 120_000);

async function workbook(res: Response): Promise<ExcelJS.Workbook> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(XLSX);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  return wb;
}

/** A sheet's rows below the header, keyed by its header cells. */
function rowsOf(wb: ExcelJS.Workbook, name: string): Map<string, ExcelJS.Cell>[] {
  const ws = wb.getWorksheet(name);
  expect(ws, `sheet ${name}`).toBeDefined();
  const headers: string[] = [];
  ws!.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => (headers[col] = String(cell.value)));
  const rows: Map<string, ExcelJS.Cell>[] = [];
  ws!.eachRow((row, r) => {
    if (r === 1) return;
    const m = new Map<string, ExcelJS.Cell>();
    headers.forEach((h, col) => m.set(h, row.getCell(col)));
    rows.push(m);
  });
  return rows;
}

const value = (row: Map<string, ExcelJS.Cell>, header: string): unknown => {
  const cell = row.get(header);
  expect(cell, header).toBeDefined();
  return cell!.value;
};

describe('a scenario’s forecast and ranking as an Excel workbook', () => {
  it('holds every figure of the API’s forecast and ranking exactly, as formatted numbers, with the assumptions', async () => {
    // Prepare
    const forecast = await (await lc.request('GET', `/v1/scenarios/${scenarioId}/forecast`, { token })).json();
    const ranking = await (await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=npv&limit=100`, { token })).json();

    // Act
    const res = await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=npv`, { token, headers: { accept: XLSX } });

    // Assess: the file, its sheets
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`attachment; filename="liftcast-${scenarioId}-v1-npv\\.xlsx"`));
    const wb = await workbook(res);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Forecast', 'By segment', 'Ranking', 'Assumptions']);

    // … the forecast: one row per initiative, then the portfolio, every figure equal to the API's
    const rows = rowsOf(wb, 'Forecast');
    const outcomes = [...forecast.initiatives, { ...forecast.portfolio, id: 'portfolio' }];
    expect(rows.map((r) => value(r, 'Initiative id'))).toEqual(outcomes.map((o: { id: string }) => o.id));
    rows.forEach((r, i) => {
      const o = outcomes[i];
      expect(value(r, 'NPS lift')).toBe(o.nps.lift);
      expect(value(r, 'NPS lift low (90%)')).toBe(o.nps.interval[0]);
      expect(value(r, 'NPS lift high (90%)')).toBe(o.nps.interval[1]);
      expect(value(r, 'Revenue impact')).toBe(o.revenue.npv);
      expect(value(r, 'Revenue impact low (90%)')).toBe(o.revenue.interval[0]);
      expect(value(r, 'Cost (discounted)')).toBe(o.cost.total);
      expect(value(r, 'One-time cost')).toBe(o.cost.oneTime);
      expect(value(r, 'Net value (NPV − cost)')).toBe(o.revenue.npv - o.cost.total);
      expect(value(r, 'ROI')).toBe(o.roi.estimate);
      expect(value(r, 'ROI high (90%)')).toBe(o.roi.interval[1]);
      expect(value(r, 'Payback (months)')).toBe(o.paybackMonths ?? null);
    });
    // … numbers carry formats: one decimal for NPS, the currency for amounts, percent for ROI
    expect(rows[0]!.get('NPS lift')!.numFmt).toBe('0.0');
    expect(rows[0]!.get('Cost (discounted)')!.numFmt).toBe('"$"#,##0;[Red]-"$"#,##0');
    expect(rows[0]!.get('ROI')!.numFmt).toBe('0.0%');
    expect(wb.getWorksheet('Forecast')!.getRow(1).getCell(1).font?.bold).toBe(true);
    // … a name that looks like a formula is text
    const name = rows[0]!.get('Initiative')!;
    expect(name.type).toBe(ExcelJS.ValueType.String);
    expect(name.value).toBe('=HYPERLINK("http://example.invalid","x")');

    // … the ranking in the API's order, with its intervals and probabilities
    const ranked = rowsOf(wb, 'Ranking');
    expect(ranked.map((r) => value(r, 'Initiative id'))).toEqual(ranking.items.map((i: { id: string }) => i.id));
    ranked.forEach((r, i) => {
      const item = ranking.items[i];
      expect(value(r, 'Rank')).toBe(item.rank);
      expect(value(r, 'Ranked by: Net value (NPV)')).toBe(item.value);
      expect(value(r, 'Ranked by: Net value (NPV) low (90%)')).toBe(item.interval[0]);
      expect(value(r, 'Ranked by: Net value (NPV) high (90%)')).toBe(item.interval[1]);
      expect(value(r, 'Probability it beats the next')).toBe(item.probabilityAboveNext);
    });

    // … by segment: each initiative's lift in each segment
    const segments = rowsOf(wb, 'By segment');
    const first = forecast.initiatives[0];
    for (const [segment, nps] of Object.entries(first.bySegment as Record<string, { lift: number }>)) {
      const row = segments.find((r) => value(r, 'Initiative id') === first.id && value(r, 'Segment') === segment);
      expect(row && value(row, 'NPS lift'), segment).toBe(nps.lift);
    }

    // … the assumptions: economics, horizon, discount rate, level and the model used
    const assumptions = new Map(rowsOf(wb, 'Assumptions').map((r) => [String(value(r, 'Assumption')), r]));
    expect(value(assumptions.get('Discount rate')!, 'Value')).toBe(0.08);
    expect(value(assumptions.get('Horizon (years)')!, 'Value')).toBe(3);
    expect(value(assumptions.get('Interval level')!, 'Value')).toBe(forecast.intervalLevel);
    expect(value(assumptions.get('Model')!, 'Value')).toBe(forecast.modelId);
    expect(value(assumptions.get('Model')!, 'Note')).toBe('method ordinal');
    expect(value(assumptions.get('Promoter accounts: retention')!, 'Value')).toBe(forecast.assumptions.economics.promoter.retention);
    expect(value(assumptions.get('Detractor accounts: cost to serve')!, 'Value')).toBe(forecast.assumptions.economics.detractor.costToServe);
  });

  it('answers format=xlsx as it answers the Accept header, and a JSON page otherwise', async () => {
    const wb = await workbook(await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?format=xlsx`, { token }));
    expect(rowsOf(wb, 'Ranking')).toHaveLength(7);
    const json = await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking`, { token });
    expect(json.headers.get('content-type')).toContain('application/json');
  });
});

describe('a comparison as an Excel workbook', () => {
  it('puts the API’s comparison, its pairwise differences and each scenario’s assumptions in sheets, figure for figure', async () => {
    // Prepare
    const body = { scenarios: [scenarioId, otherId] };
    const comparison = await (await lc.request('POST', '/v1/compare', { token, body })).json();

    // Act
    const wb = await workbook(await lc.request('POST', '/v1/compare', { token, body, headers: { accept: XLSX } }));

    // Assess
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Comparison', 'Differences', 'Assumptions']);
    const rows = rowsOf(wb, 'Comparison');
    expect(rows.map((r) => value(r, 'Scenario id'))).toEqual([scenarioId, otherId]);
    rows.forEach((r, i) => {
      const s = comparison.scenarios[i];
      expect(value(r, 'NPS lift')).toBe(s.nps.lift);
      expect(value(r, 'NPS lift low (90%)')).toBe(s.nps.interval[0]);
      expect(value(r, 'Net value (NPV − cost)')).toBe(s.netValue.value);
      expect(value(r, 'Net value (NPV − cost) high (90%)')).toBe(s.netValue.interval[1]);
      expect(value(r, 'Cost (discounted)')).toBe(s.cost.total);
      expect(r.get('Cost (discounted)')!.numFmt).toBe('"$"#,##0;[Red]-"$"#,##0');
    });
    const [d] = rowsOf(wb, 'Differences');
    expect(value(d!, 'NPS lift, A − B')).toBe(comparison.differences[0].npsLift.value);
    expect(value(d!, 'Net value, A − B')).toBe(comparison.differences[0].netValue.value);
    expect(value(d!, 'Cost (discounted), A − B')).toBe(comparison.differences[0].cost);
    const scenarios = rowsOf(wb, 'Assumptions').filter((r) => value(r, 'Assumption') === 'Scenario');
    expect(scenarios.map((r) => value(r, 'Note'))).toEqual([scenarioId, otherId]);
  });
});
