/** The what-if changes the known-truth tests check: small and large, every op, targeted by segment and role. */
import type { WhatIf } from '../../model/drivers/contract.js';

export const WHAT_IFS: { name: string; whatIf: WhatIf }[] = [
  { name: 'small: reliability +0.3 for everyone', whatIf: { changes: [{ attribute: 'reliability', op: 'add', value: 0.3 }] } },
  { name: 'tiny: delivery +0.1 for everyone', whatIf: { changes: [{ attribute: 'delivery', op: 'add', value: 0.1 }] } },
  { name: 'large: ease_of_use +1.5 for everyone', whatIf: { changes: [{ attribute: 'ease_of_use', op: 'add', value: 1.5 }] } },
  { name: 'very large: support +3 for everyone (saturates)', whatIf: { changes: [{ attribute: 'support', op: 'add', value: 3 }] } },
  { name: 'atLeast: onboarding at least 7', whatIf: { changes: [{ attribute: 'onboarding', op: 'atLeast', value: 7 }] } },
  { name: 'closeGap: value_for_money closes 30% of its gap', whatIf: { changes: [{ attribute: 'value_for_money', op: 'closeGap', value: 0.3 }] } },
  { name: 'targeted segment: onboarding +1 for smb', whatIf: { changes: [{ attribute: 'onboarding', op: 'add', value: 1 }], target: { segments: ['smb'] } } },
  { name: 'targeted segment: account_management closes half its gap for enterprise', whatIf: { changes: [{ attribute: 'account_management', op: 'closeGap', value: 0.5 }], target: { segments: ['enterprise'] } } },
  { name: 'targeted role: support +2 for operational users', whatIf: { changes: [{ attribute: 'support', op: 'add', value: 2 }], target: { roles: ['operational_user'] } } },
  { name: 'set: ease_of_use 9 for mid_market', whatIf: { changes: [{ attribute: 'ease_of_use', op: 'set', value: 9 }], target: { segments: ['mid_market'] } } },
  { name: 'two changes for enterprise gatekeepers', whatIf: { changes: [{ attribute: 'support', op: 'add', value: 1 }, { attribute: 'reliability', op: 'atLeast', value: 8 }], target: { segments: ['enterprise'], roles: ['gatekeeper'] } } },
  { name: 'decline: reliability −1 for everyone', whatIf: { changes: [{ attribute: 'reliability', op: 'add', value: -1 }] } },
];
