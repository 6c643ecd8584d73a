/**
 * What the workbench (upload, fit, what-if, scenario editor) knows at a moment, apart from the
 * dashboard's view of one scenario (state.ts): the file being uploaded and its mapping, the model
 * the sliders ask, the scenario being edited and the version it was read at. Tenant names
 * (segments, roles, initiative ids) are only kept in arrays and Maps.
 */
import type { DriverModel, Interval, ScenarioInput } from './contract.js';
import { Sequence } from './state.js';
import type { ColumnMapping, CsvTable } from './upload.js';
import type { SliderOp } from './whatif.js';

export interface WorkState {
  upload: { table: CsvTable | null; mapping: ColumnMapping[]; fileName: string };
  whatIf: {
    modelId: string | null;
    model: DriverModel | null;
    /** Each attribute's scale, in the model's attribute order. */
    scales: Map<string, Interval>;
    /** Each slider's value. */
    values: Map<string, number>;
    op: SliderOp;
    segments: string[];
    roles: string[];
    /** The segments and roles the model's wave has, for the target boxes. */
    levels: { segments: string[]; roles: string[] };
    predictions: Sequence;
  };
  editor: {
    /** `null` for a scenario not saved yet. */
    scenarioId: string | null;
    /** The version the draft was read at: its `If-Match`. */
    version: number | null;
    draft: ScenarioInput | null;
    /** The initiative in the form: its id, `''` for a new one, `null` with the form closed. */
    editing: string | null;
    /** What the draft's model offers the form. */
    attributes: { name: string; scale: Interval }[];
    levels: { segments: string[]; roles: string[] };
  };
}

export function initialWork(): WorkState {
  return {
    upload: { table: null, mapping: [], fileName: '' },
    whatIf: { modelId: null, model: null, scales: new Map(), values: new Map(), op: 'add', segments: [], roles: [], levels: { segments: [], roles: [] }, predictions: new Sequence() },
    editor: { scenarioId: null, version: null, draft: null, editing: null, attributes: [], levels: { segments: [], roles: [] } },
  };
}
