/** The dashboard's colours and font for what it draws on canvases (the page's own colours are in dashboard.css). */

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** Tableau 10: distinct, colour-blind-friendly hues for up to ten initiatives, then repeated. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'] as const;
/** Totals: NPS today and with every initiative. */
export const TOTAL_COLOUR = '#3b4a5e';
/** What initiatives lose together to overlap and saturation. */
export const OVERLAP_COLOUR = '#aab1bd';
export const ACCENT = '#2f5d8a';
export const GRID = 'rgba(31,36,48,0.08)';
/** Detractor drivers: the share of today's detractors a change lifts out of detractor. */
export const DETRACTOR_COLOUR = '#e15759';
/** Promoter drivers: the share of today's non-promoters a change makes promoters. */
export const PROMOTER_COLOUR = '#59a14f';
