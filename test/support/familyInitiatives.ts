/**
 * Initiatives to forecast on a known-truth wave (test/support/truthFamily.ts): every operation (add,
 * atLeast, set, closeGap), targeted to everyone, segments, roles, both and a list of accounts, small
 * and large changes, a decline, and portfolios of two to four initiatives overlapping on the same
 * respondents. Attributes are picked by the seed, so each seed tests other levers.
 */
import type { ScenarioInputRaw } from '../../model/scenario/contract.js';
import { createRng } from '../../model/rng.js';
import { FAMILY_ATTRIBUTES, type FamilyWave, type TrueInitiative } from './truthFamily.js';

export interface Case {
  name: string;
  /** One initiative, or a portfolio (applied together, each to its own target). */
  initiatives: (TrueInitiative & { id: string })[];
}

/** Sixteen single initiatives and four portfolios for a wave. */
export function familyCases(wave: FamilyWave, seed: number): Case[] {
  const rng = createRng(seed * 31 + 5);
  const pick = (): string => FAMILY_ATTRIBUTES[rng.int(FAMILY_ATTRIBUTES.length)]!;
  // A third of the accounts, for account-targeted initiatives.
  const accounts = new Set<string>();
  for (let i = 0; i < wave.columns.size && accounts.size < Math.min(3000, Math.max(5, Math.floor(wave.account.at(-1)! / 3))); i += 3) accounts.add(wave.columns.accountId[i]!);
  const accountList = [...accounts];
  const singles: Case['initiatives'] = [
    { id: 'add-small', changes: [{ attribute: pick(), op: 'add', value: 0.3 }] },
    { id: 'add-one', changes: [{ attribute: pick(), op: 'add', value: 1 }] },
    { id: 'add-large', changes: [{ attribute: pick(), op: 'add', value: 2.5 }] },
    { id: 'decline', changes: [{ attribute: pick(), op: 'add', value: -1 }] },
    { id: 'at-least', changes: [{ attribute: pick(), op: 'atLeast', value: 7 }] },
    { id: 'set', changes: [{ attribute: pick(), op: 'set', value: 8 }] },
    { id: 'close-gap', changes: [{ attribute: pick(), op: 'closeGap', value: 0.4 }] },
    { id: 'smb', changes: [{ attribute: pick(), op: 'add', value: 1.5 }], target: { segments: ['smb'] } },
    { id: 'enterprise', changes: [{ attribute: pick(), op: 'closeGap', value: 0.3 }], target: { segments: ['enterprise'] } },
    { id: 'gatekeepers', changes: [{ attribute: pick(), op: 'add', value: 1.5 }], target: { roles: ['gatekeeper'] } },
    { id: 'operational', changes: [{ attribute: pick(), op: 'atLeast', value: 8 }], target: { roles: ['operational_user'] } },
    { id: 'mid-owners', changes: [{ attribute: pick(), op: 'add', value: 2 }], target: { segments: ['mid_market'], roles: ['business_owner'] } },
    { id: 'accounts', changes: [{ attribute: pick(), op: 'add', value: 1.2 }], target: { accounts: accountList } },
    { id: 'two-levers', changes: [{ attribute: pick(), op: 'add', value: 1 }, { attribute: pick(), op: 'add', value: 1 }] },
    { id: 'two-levers-smb', changes: [{ attribute: pick(), op: 'closeGap', value: 0.5 }, { attribute: pick(), op: 'add', value: 0.8 }], target: { segments: ['smb'] } },
    { id: 'everyone-big', changes: [{ attribute: pick(), op: 'add', value: 1.8 }, { attribute: pick(), op: 'atLeast', value: 6 }] },
  ];
  const cases: Case[] = singles.map((s) => ({ name: s.id, initiatives: [s] }));
  const portfolio = (name: string, ids: string[]): Case => ({ name, initiatives: ids.map((id) => singles.find((s) => s.id === id)!) });
  cases.push(
    portfolio('portfolio-2', ['add-one', 'smb']),
    portfolio('portfolio-3', ['gatekeepers', 'operational', 'close-gap']),
    portfolio('portfolio-3-overlap', ['add-large', 'two-levers', 'at-least']),
    portfolio('portfolio-4', ['enterprise', 'mid-owners', 'accounts', 'everyone-big']),
  );
  return cases;
}

/** A case as the scenario Liftcast forecasts: reach 1, no ramp, no cost (the lift is what is tested). */
export function scenarioOf(c: Case, modelId: string): ScenarioInputRaw {
  return {
    name: c.name,
    modelId,
    initiatives: c.initiatives.map((i) => ({
      id: i.id,
      name: i.id,
      effects: i.changes.map((ch) => ({ ...ch })),
      ...(i.target ? { target: i.target } : {}),
      cost: { oneTime: 1000, annual: 0 },
    })),
  };
}
