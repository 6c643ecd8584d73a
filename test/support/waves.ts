/**
 * Six respondents (the README's quickstart wave). Promoters r1 (10), r2 (9); passives r3 (7),
 * r6 (8); detractors r4 (6), r5 (3): NPS = (2 − 2)/6 = 0. smb: P2 Pa1 D0 → +66.67; enterprise:
 * P0 Pa1 D2 → −66.67. ease_of_use mean = (9+8+6+5+2+7)/6 = 37/6; onboarding answered 5 of 6,
 * mean (8+5+4+3+7)/5 = 5.4.
 */
export const SMALL_WAVE = [
  'respondent_id,account_id,segment,role,ltr,ease_of_use,onboarding',
  'r1,A1,smb,gatekeeper,10,9,8',
  'r2,A1,smb,operational_user,9,8,',
  'r3,A2,smb,business_owner,7,6,5',
  'r4,A3,enterprise,gatekeeper,6,5,4',
  'r5,A3,enterprise,operational_user,3,2,3',
  'r6,A4,enterprise,business_owner,8,7,7',
].join('\n');
