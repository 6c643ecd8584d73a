/**
 * What every part of the dashboard works with: the shared state, the API client and Chart.js.
 * Created once by main.ts and passed down, so that no module reaches for globals of its own.
 */
import type { Api } from './api.js';
import type { ChartLib } from './charts/lib.js';
import type { DashboardState } from './state.js';
import type { WorkState } from './work.js';

export interface Dashboard {
  readonly state: DashboardState;
  readonly api: Api;
  readonly chart: ChartLib;
  /** The workbench's state: upload, fit, what-if, scenario editor. */
  readonly work: WorkState;
}
