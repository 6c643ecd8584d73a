/**
 * The driver model as the importance chart and the priority matrix show it: one row per attribute
 * with its share of the explained variance (in % of the positive shares) and its performance (the
 * mean rating), sorted by importance. Pure, so that test/unit/dashboardPanels.test.ts can check it.
 */
import type { DriverModel, Interval } from './contract.js';
import { humanise } from './format.js';

/** The attribute kinds the charts colour; any other kind is drawn as `other`. */
export type AttributeKind = 'product' | 'service' | 'other';

/** Colour of each kind of attribute: the same in the bar chart and the matrix. */
export const KIND_COLOURS: ReadonlyMap<AttributeKind, string> = new Map([
  ['product', '#4e79a7'],
  ['service', '#f28e2b'],
  ['other', '#8c8c8c'],
]);

function kindOf(kind: string | undefined): AttributeKind {
  return kind === 'product' || kind === 'service' ? kind : 'other';
}

export interface AttributeRow {
  /** The attribute's name in the data (a column name: tenant input). */
  name: string;
  /** The dataset's label for it, or the name tidied up. */
  label: string;
  kind: AttributeKind;
  /** Share of the explained variance, in % of the positive shares (negative shares count as 0). */
  importance: number;
  /** Mean rating on the common scale, or in % of the attribute's own scale when scales differ. */
  performance: number;
}

export interface AttributeRows {
  /** Every attribute is rated on the same scale, so performances are comparable as they are. */
  sameScale: boolean;
  /** That common scale, when there is one. */
  scale: Interval | null;
  rows: AttributeRow[];
}

/**
 * The model's attributes as chart rows, most important first.
 *
 * @param labels the dataset's attribute labels, by attribute name
 */
export function attributeRows(model: DriverModel, labels: ReadonlyMap<string, string>): AttributeRows {
  const kinds = new Map<string, string>();
  const scales = new Map<string, Interval>();
  for (const a of model.attributes ?? []) {
    kinds.set(a.name, a.kind);
    scales.set(a.name, a.scale);
  }
  const importance = model.importance ?? [];
  const total = importance.reduce((s, i) => s + Math.max(0, i.share), 0) || 1;
  const sameScale = new Set([...scales.values()].map((s) => s.join('-'))).size <= 1;
  const first = importance[0];
  return {
    sameScale,
    scale: sameScale && first ? (scales.get(first.attribute) ?? null) : null,
    rows: importance
      .map((i) => {
        const sc = scales.get(i.attribute) ?? [0, 10];
        return {
          name: i.attribute,
          label: labels.get(i.attribute) || humanise(i.attribute),
          kind: kindOf(kinds.get(i.attribute)),
          importance: (100 * Math.max(0, i.share)) / total,
          // Attributes on different scales are compared as a share of their scale.
          performance: sameScale ? i.performance : (100 * (i.performance - sc[0])) / (sc[1] - sc[0]),
        };
      })
      .sort((a, b) => b.importance - a.importance),
  };
}

/** The kinds present among the rows, in legend order (product, service, other). */
export function kindsOf(rows: readonly AttributeRow[]): AttributeKind[] {
  return (['product', 'service', 'other'] as const).filter((k) => rows.some((r) => r.kind === k));
}
