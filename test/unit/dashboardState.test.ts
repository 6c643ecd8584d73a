/**
 * The dashboard's state (web/src/state.ts) and session helpers (web/src/token.ts): the last request
 * wins, tenant names stay data (a segment or an initiative may be called `constructor` or
 * `__proto__`), and the token is read as people paste it.
 */
import { describe, expect, it } from 'vitest';
import type { Forecast, InitiativeForecast, ScenarioVersion } from '../../web/src/contract.js';
import { isObjective, isRankBy } from '../../web/src/contract.js';
import { adoptForecast, hasNoRevenue, horizonText, initialState, levelText, loaded, moneyOf, segmentsOf, selectedIds, Sequence } from '../../web/src/state.js';
import { PALETTE } from '../../web/src/theme.js';
import { claimsOf, pastedToken, tenantOf, tokenInFragment } from '../../web/src/token.js';

function initiative(id: string, lift = 1): InitiativeForecast {
  return {
    id,
    name: `Initiative ${id}`,
    nps: { baseline: 10, predicted: 10 + lift, lift, interval: [lift - 1, lift + 1], respondents: 100 },
    revenue: { npv: 2e6, interval: [1e6, 3e6] },
    cost: { oneTime: 5e5, annual: 1e5, total: 8e5 },
    roi: { estimate: 1.5, interval: [0.2, 2.8] },
    paybackMonths: 14,
  };
}

/** A forecast as the API sends it: parsed from JSON, so a `__proto__` segment is an own key. */
function forecast(ids: string[], segmentsJson = '{"enterprise": 12, "smb": 9}', revenueSource: 'revenueBase' | 'none' = 'revenueBase'): Forecast {
  const outcome = initiative('portfolio', 3);
  return {
    modelId: 'mdl_1',
    computedAt: '2026-12-01T10:00:00Z',
    intervalLevel: 0.8,
    currency: 'EUR',
    baseline: { nps: 10, bySegment: JSON.parse(segmentsJson) as Record<string, number> },
    initiatives: ids.map((id) => initiative(id)),
    portfolio: outcome,
    assumptions: { revenueSource },
  };
}

const scenario: ScenarioVersion = { version: 2, scenario: { name: 'FY27', modelId: 'mdl_1', currency: 'USD', horizonYears: 5, discountRate: 0.08, initiatives: [] } };

describe('Sequence', () => {
  it('keeps only the latest ticket current, and invalidate makes every earlier one stale', () => {
    const s = new Sequence();
    const first = s.next();
    const second = s.next();

    expect(s.isCurrent(first)).toBe(false);
    expect(s.isCurrent(second)).toBe(true);
    expect(s.latest).toBe(second);
    s.invalidate();
    expect(s.isCurrent(second)).toBe(false);
  });
});

describe('adoptForecast', () => {
  it('colours initiatives in forecast order, by id, even ids that are Object.prototype names', () => {
    // Prepare
    const state = initialState();
    const ids = ['constructor', '__proto__', 'toString', ...Array.from({ length: 9 }, (_, i) => `i${i}`)];

    // Act
    adoptForecast(state, scenario, forecast(ids));

    // Assess
    expect(state.colours.get('constructor')).toBe(PALETTE[0]);
    expect(state.colours.get('__proto__')).toBe(PALETTE[1]);
    expect(state.colours.get('toString')).toBe(PALETTE[2]);
    expect(state.colours.get('i7')).toBe(PALETTE[0]); // the eleventh: the palette repeats
    expect(state.byId.get('__proto__')?.name).toBe('Initiative __proto__');
    expect(state.byId.size).toBe(ids.length);
    expect(state.currency).toBe('EUR');
  });

  it('lists every segment of the forecast, sorted, including one called __proto__ or constructor', () => {
    const f = forecast(['a'], '{"smb": 1, "__proto__": 2, "constructor": 3}');

    expect(segmentsOf(f)).toEqual(['__proto__', 'constructor', 'smb']);
  });

  it('keeps a chosen segment the forecast has and drops one it does not have', () => {
    const state = initialState();
    state.segment = 'constructor';
    adoptForecast(state, scenario, forecast(['a'], '{"constructor": 3}'));
    expect(state.segment).toBe('constructor');

    state.segment = 'toString'; // on every object's prototype, but not a segment here
    adoptForecast(state, scenario, forecast(['a'], '{"constructor": 3}'));
    expect(state.segment).toBe('');
  });

  it('maximises NPS lift when the forecast has no revenue to value net worth by', () => {
    const state = initialState();
    expect(state.objective).toBe('npv');

    adoptForecast(state, scenario, forecast(['a'], '{}', 'none'));

    expect(hasNoRevenue(loaded(state).forecast)).toBe(true);
    expect(state.objective).toBe('npsLift');
  });
});

describe('derived texts', () => {
  it('say the horizon and interval level of the scenario on screen, with defaults before one loads', () => {
    const state = initialState();
    expect(horizonText(state)).toBe('3 years');
    expect(levelText(state)).toBe('90%');
    expect(() => loaded(state)).toThrow(/no scenario/);

    adoptForecast(state, scenario, forecast(['a']));

    expect(horizonText(state)).toBe('5 years');
    expect(levelText(state)).toBe('80%');
  });

  it('write amounts in the currency on screen when called, not when made', () => {
    const state = initialState();
    const money = moneyOf(state);
    expect(money(2_000_000)).toBe('$2M');

    adoptForecast(state, scenario, forecast(['a']));

    expect(money(2_000_000)).toBe('€2M');
    expect(money(1_234_567, true)).toBe('€1,234,567');
  });

  it('knows the selection only once the optimiser has answered', () => {
    const state = initialState();
    expect(selectedIds(state)).toBeNull();

    state.selection = { selected: ['a', 'constructor'], value: { objective: 1, npsLift: 1, cost: 1 }, forecast: null, frontier: [] };

    expect([...(selectedIds(state) ?? [])]).toEqual(['a', 'constructor']);
  });
});

describe('choices read from the page', () => {
  it('accept only the ranking metrics and objectives the API knows', () => {
    expect(['npsLift', 'npv', 'roi', 'paybackMonths', 'liftPerMillion'].every(isRankBy)).toBe(true);
    expect(isRankBy('constructor')).toBe(false);
    expect(isRankBy(null)).toBe(false);
    expect(isObjective('npsLift')).toBe(true);
    expect(isObjective('roi')).toBe(false);
  });
});

describe('tokens', () => {
  /** A JWT-shaped token with these claims (unsigned: the page never verifies, the API does). */
  const jwt = (claims: unknown): string => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

  it('shows the tenant a token names, decoding base64url and UTF-8', () => {
    expect(tenantOf(jwt({ tenant: 'acme', sub: 'a' }))).toBe('acme');
    expect(tenantOf(jwt({ tenant: 'Zürich-Ø' }))).toBe('Zürich-Ø');
    expect(claimsOf(jwt({ tenant: '??>>' }))).toEqual({ tenant: '??>>' }); // base64url '-' and '_'
  });

  it('shows no tenant for text that is not a JWT or names none', () => {
    expect(claimsOf('not-a-token')).toBeNull();
    expect(claimsOf('a.!!!.c')).toBeNull();
    expect(claimsOf(`x.${Buffer.from('[1]').toString('base64url')}.y`)).toBeNull();
    expect(tenantOf(jwt({ sub: 'a' }))).toBeNull();
    expect(tenantOf(jwt({ tenant: 42 }))).toBeNull();
  });

  it('takes a pasted token as people paste it: with spaces or the Bearer prefix', () => {
    expect(pastedToken('  Bearer abc.def.ghi \n')).toBe('abc.def.ghi');
    expect(pastedToken('bearer   abc')).toBe('abc');
    expect(pastedToken('   ')).toBe('');
  });

  it('reads the token of a #token= link', () => {
    expect(tokenInFragment('#token=abc.def')).toBe('abc.def');
    expect(tokenInFragment('#other=1&token=%20xyz%20')).toBe('xyz');
    expect(tokenInFragment('#other=1')).toBeNull();
    expect(tokenInFragment('')).toBeNull();
  });
});
