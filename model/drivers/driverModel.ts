/**
 * The driver model: fitting (ordinal or linear, pooled by segment) and threshold-aware what-ifs.
 */
import type { DriverModel, ModelFailure, ModelRequest, WhatIf, WhatIfResult } from './contract.js';
import type { Population } from './population.js';

export function fitDriverModel(population: Population, request: ModelRequest): { ok: true; model: DriverModel } | ModelFailure {
  void population;
  void request;
  throw new Error('fitDriverModel: being written');
}

export function predictWhatIf(model: DriverModel, population: Population, whatIf: WhatIf): { ok: true; result: WhatIfResult } | ModelFailure {
  void model;
  void population;
  void whatIf;
  throw new Error('predictWhatIf: being written');
}
