/**
 * The demo scenario `npm start` seeds for tenant `demo`: seven customer-experience initiatives of
 * the kind B2B companies actually fund, on the demo wave's attributes (`model/demo.ts`), with costs,
 * ramps and effect ranges in the range such programmes report. The benchmark and the API tests post
 * it too, so it always matches the demo attributes.
 *
 * Costs are in USD: one-time (build, launch) and annual (run). Effects are rating points on the
 * 0–10 scales, with a `range` for how sure the team is.
 */
import type { ScenarioInputRaw } from '../../model/scenario/contract.js';

/** The demo scenario on `modelId` (a model fitted on a wave with the demo attributes). */
export function demoScenario(modelId: string): ScenarioInputRaw {
  return {
    name: 'FY27 customer-experience portfolio',
    description: 'Seven initiatives proposed for next year’s budget, forecast on the latest relationship survey.',
    modelId,
    currency: 'USD',
    horizonYears: 3,
    discountRate: 0.08,
    // Decision makers weigh most in whether an account stays and grows.
    roleWeights: { business_owner: 2, gatekeeper: 1.5, operational_user: 1 },
    initiatives: [
      {
        id: 'onboarding-programme',
        name: 'Onboarding programme for new accounts',
        description: 'A 90-day guided onboarding with a named implementation manager for every new SMB account.',
        effects: [{ attribute: 'onboarding', op: 'add', value: 1.5, range: [0.8, 2] }],
        target: { segments: ['smb'] },
        reach: 0.6,
        rampMonths: 6,
        cost: { oneTime: 250_000, annual: 150_000 },
      },
      {
        id: 'incident-reduction',
        name: 'Incident-reduction programme',
        description: 'Site-reliability engineering, change management and root-cause reviews to halve major incidents.',
        effects: [{ attribute: 'reliability', op: 'add', value: 1, range: [0.4, 1.5] }],
        reach: 1,
        rampMonths: 9,
        cost: { oneTime: 600_000, annual: 250_000 },
      },
      {
        id: 'account-team-visits',
        name: 'More frequent account-team visits to high-potential accounts',
        description: 'Quarterly business reviews on site with the decision makers of the enterprise accounts with most room to grow.',
        effects: [{ attribute: 'account_management', op: 'add', value: 1.5, range: [0.8, 2.2] }],
        target: { segments: ['enterprise'], roles: ['business_owner', 'gatekeeper'] },
        reach: 0.5,
        rampMonths: 3,
        cost: { oneTime: 150_000, annual: 400_000 },
      },
      {
        id: 'self-service-portal',
        name: 'Self-service ordering portal',
        description: 'Online ordering, reordering and invoice download for the people who place orders every day.',
        effects: [{ attribute: 'ease_of_use', op: 'add', value: 1, range: [0.4, 1.5] }],
        target: { segments: ['smb', 'mid_market'], roles: ['operational_user'] },
        reach: 0.7,
        rampMonths: 12,
        cost: { oneTime: 900_000, annual: 200_000 },
      },
      {
        id: 'delivery-tracking',
        name: 'Real-time delivery tracking',
        description: 'Live shipment status and proactive delay alerts in the portal and by e-mail.',
        effects: [{ attribute: 'delivery_on_time', op: 'add', value: 0.8, range: [0.3, 1.2] }],
        reach: 0.9,
        rampMonths: 6,
        cost: { oneTime: 450_000, annual: 120_000 },
      },
      {
        id: 'partner-agent-training',
        name: 'Agent training and tooling for partners',
        description: 'Certification, a shared knowledge base and case tooling for the partner agents who support smaller accounts.',
        effects: [{ attribute: 'support_responsiveness', op: 'add', value: 1.2, range: [0.6, 1.8] }],
        target: { segments: ['smb', 'mid_market'] },
        reach: 0.5,
        rampMonths: 6,
        cost: { oneTime: 200_000, annual: 180_000 },
      },
      {
        id: 'predictive-outreach',
        name: 'Predictive outreach to at-risk accounts',
        description:
          'A churn-risk score flags accounts whose decision makers turn detractor; support and the account team call them before renewal.',
        effects: [
          { attribute: 'support_responsiveness', op: 'closeGap', value: 0.25, range: [0.1, 0.4] },
          { attribute: 'account_management', op: 'add', value: 0.8, range: [0.3, 1.2] },
        ],
        target: { segments: ['mid_market', 'enterprise'], roles: ['business_owner'] },
        reach: 0.35,
        rampMonths: 3,
        cost: { oneTime: 300_000, annual: 220_000 },
      },
    ],
  };
}
