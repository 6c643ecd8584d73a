/**
 * Without a Java runtime DynamoDB Local cannot start: `npm start` (and the test setup) must say what
 * to install instead of failing with a spawn error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('starting without Java', () => {
  it('stops npm start with a message naming the package to install', () => {
    // Prepare: a PATH holding only node, so `java` cannot be found.
    const bin = mkdtempSync(join(tmpdir(), 'liftcast-nojava-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    // Act
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'functions/local/server.ts'], {
      env: { PATH: bin, HOME: tmpdir(), LIFTCAST_DATA_DIR: join(bin, 'data'), PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    rmSync(bin, { recursive: true, force: true });
    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/needs a Java runtime/);
    expect(run.stderr).toMatch(/apt-get install -y default-jre-headless/);
    expect(run.stderr).toMatch(/DYNAMODB_ENDPOINT/);
  });
});
