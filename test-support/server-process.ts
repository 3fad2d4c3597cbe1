import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/*
 * The real server as its own process (`node --import tsx src/server.ts`, configuration from the environment), for
 * tests about what only a process has: signals, crashes, several replicas.
 */

const projectRoot = fileURLToPath(new URL('../', import.meta.url));

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Where this process listens (not PUBLIC_BASE_URL, which replicas behind one balancer share). */
  readonly baseUrl: string;
  /** stdout lines and stderr chunks so far, for failure messages and log assertions. */
  readonly output: string[];
  /** Resolves with the exit code and signal once the process has exited. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** A port that was free a moment ago (PUBLIC_BASE_URL must name the port before the server starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
  return port;
}

/**
 * Starts src/server.ts on a free port and resolves once it logs "oncosign listening" on that port.
 * PUBLIC_BASE_URL defaults to the process's own URL. `root` runs the copy of the project found there instead
 * (src/ and the data folders), for tests that must change a data file the server reads at start-up.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { root?: string } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${String(port)}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: options.root ?? projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      PUBLIC_BASE_URL: baseUrl,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout });
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not start within 30 s: ${output.join('')}`));
    }, 30_000);
    lines.on('line', (line) => {
      output.push(line);
      let parsed: { msg?: unknown; port?: unknown };
      try {
        parsed = JSON.parse(line) as { msg?: unknown; port?: unknown };
      } catch {
        return;
      }
      if (parsed.msg === 'oncosign listening' && typeof parsed.port === 'number') {
        clearTimeout(timer);
        resolve(parsed.port);
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${String(code ?? signal)}) before listening: ${output.join('\n')}`));
    });
  });
  const actual = await listening;
  if (actual !== port) {
    throw new Error(`server listened on ${String(actual)}, not ${String(port)}`);
  }
  return { child, port, baseUrl, output, exited };
}

/** SIGKILLs whatever is still running (afterAll), so a failed test leaves no server behind. */
export function killAll(servers: readonly ServerProcess[]): void {
  for (const { child } of servers) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
}
