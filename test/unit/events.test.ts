/**
 * Event contracts and their samples: every EventBridge sample parses against the contract its
 * `detail-type` names, every `invalid-*` sample is refused, and every contract has a valid sample.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, parseEvent } from '../../events/contracts.js';
import { eventBridgeEvent, type EventBridgeSample } from '../../events/samples.js';

const dir = fileURLToPath(new URL('../../events/samples/eventbridge/', import.meta.url));
const samples = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, '') as EventBridgeSample);

describe('EventBridge samples', () => {
  for (const name of samples.filter((s) => !s.startsWith('invalid-')))
    it(`parses ${name} against its contract`, () => {
      const { name: event, detail } = parseEvent(eventBridgeEvent(name));
      expect(EVENT_SCHEMAS[event].parse(detail)).toEqual(detail);
    });

  for (const name of samples.filter((s) => s.startsWith('invalid-')))
    it(`refuses ${name}`, () => {
      expect(() => parseEvent(eventBridgeEvent(name))).toThrow();
    });

  it('has a valid sample of every event Liftcast publishes', () => {
    const covered = new Set(samples.filter((s) => !s.startsWith('invalid-')).map((s) => parseEvent(eventBridgeEvent(s)).name));
    expect([...covered].sort()).toEqual(Object.keys(EVENT_SCHEMAS).sort());
  });

  it('applies detail overrides, and the contract checks them', () => {
    expect(parseEvent(eventBridgeEvent('scenario-forecasted', { scenarioVersion: 7 })).detail).toMatchObject({ scenarioVersion: 7 });
    expect(() => parseEvent(eventBridgeEvent('scenario-forecasted', { scenarioVersion: 1.5 }))).toThrow();
  });
});
