/** Initiatives on the known-truth population (test/support/truth.ts), for forecast accuracy tests. */
import type { ScenarioInputRaw } from '../../model/scenario/contract.js';

export const TRUTH_INITIATIVES: ScenarioInputRaw['initiatives'] = [
  { id: 'reliability-programme', name: 'Incident reduction', effects: [{ attribute: 'reliability', op: 'add', value: 0.8 }], cost: { oneTime: 400_000, annual: 100_000 } },
  { id: 'onboarding-smb', name: 'Onboarding for SMB', effects: [{ attribute: 'onboarding', op: 'add', value: 1.5 }], target: { segments: ['smb'] }, reach: 0.6, rampMonths: 6, cost: { oneTime: 250_000, annual: 150_000 } },
  { id: 'account-visits', name: 'Account-team visits', effects: [{ attribute: 'account_management', op: 'closeGap', value: 0.4 }], target: { segments: ['enterprise'] }, cost: { oneTime: 0, annual: 300_000 } },
  { id: 'support-tooling', name: 'Support tooling', effects: [{ attribute: 'support', op: 'atLeast', value: 7 }], cost: { oneTime: 200_000, annual: 50_000 } },
  { id: 'self-service', name: 'Self-service portal', effects: [{ attribute: 'ease_of_use', op: 'add', value: 0.5 }], target: { roles: ['operational_user'] }, cost: { oneTime: 600_000, annual: 80_000 } },
];
