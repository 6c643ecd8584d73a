/**
 * Every key Liftcast writes, in one place. All keys begin with the tenant (`T#<tenant>`), so a
 * request can only ever address its own tenant's items: tenant isolation is a property of the key
 * space, not of a filter someone might forget.
 */
export const keys = {
  tenant: (tenant: string) => `T#${tenant}`,
  datasetSk: (id: string) => `DATASET#${id}`,
  datasetPrefix: 'DATASET#',
  /** Partition holding one dataset's chunks and batch records, so deleting a dataset is one query. */
  datasetPartition: (tenant: string, id: string) => `T#${tenant}#DATASET#${id}`,
  chunkSk: (seq: number) => `CHUNK#${String(seq).padStart(10, '0')}`,
  chunkPrefix: 'CHUNK#',
  batchSk: (key: string) => `BATCH#${key}`,
  batchPrefix: 'BATCH#',
  modelSk: (id: string) => `MODEL#${id}`,
  modelPrefix: 'MODEL#',
  /** Head of a scenario: name, model and latest version; listing scenarios is a query over these. */
  scenarioSk: (id: string) => `SCENARIO#${id}`,
  scenarioPrefix: 'SCENARIO#',
  /** Partition holding one scenario's immutable versions, so listing or deleting them is one query. */
  scenarioPartition: (tenant: string, id: string) => `T#${tenant}#SCENARIO#${id}`,
  scenarioVersionSk: (version: number) => `V#${String(version).padStart(10, '0')}`,
  scenarioVersionPrefix: 'V#',
  /** An optimisation run by the worker, in its scenario's partition (deleted with the scenario). */
  optimizationSk: (id: string) => `OPT#${id}`,
  /** A launch of an initiative (the forecast ledger); listing launches is a key-order query over these. */
  launchSk: (id: string) => `LAUNCH#${id}`,
  launchPrefix: 'LAUNCH#',
  idempotencySk: (operation: string, key: string) => `IDEM#${operation}#${key}`,
};
