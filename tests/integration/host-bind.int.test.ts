import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, startServerProcess, type ServerProcess } from '../../test-support/server-process.js';

/*
 * HOST: the address the service listens on. The sandbox recipe trusts a publicly known key, so it binds to loopback;
 * unset, the service listens on every interface, as it always has.
 */

const started: ServerProcess[] = [];
afterAll(() => {
  killAll(started);
});

/** Whether a TCP connection to host:port is accepted (true) or refused (false). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** An address of this machine that is not loopback, when it has one (containers usually do). */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

function listeningLine(server: ServerProcess): Record<string, unknown> {
  const line = server.output.find((l) => l.includes('"oncosign listening"'));
  return JSON.parse(line ?? '{}') as Record<string, unknown>;
}

describe('HOST', () => {
  it('binds the service to loopback only when HOST=127.0.0.1', async () => {
    const server = await startServerProcess({ HOST: '127.0.0.1', FEEDBACK_DB: ':memory:' });
    started.push(server);
    expect(await accepts('127.0.0.1', server.port)).toBe(true);
    if (externalAddress !== undefined) {
      expect(await accepts(externalAddress, server.port)).toBe(false);
    }
    expect(listeningLine(server).host).toBe('127.0.0.1');
    server.child.kill('SIGTERM');
    await server.exited;
  }, 60_000);

  it('listens on every interface when HOST is unset (the default, unchanged)', async () => {
    const server = await startServerProcess({ FEEDBACK_DB: ':memory:' });
    started.push(server);
    expect(['::', '0.0.0.0']).toContain(listeningLine(server).host);
    if (externalAddress !== undefined) {
      expect(await accepts(externalAddress, server.port)).toBe(true);
    }
    server.child.kill('SIGTERM');
    await server.exited;
  }, 60_000);

  it('refuses to start with a HOST that is not an address, naming the variable', async () => {
    await expect(startServerProcess({ HOST: 'http://127.0.0.1', FEEDBACK_DB: ':memory:' })).rejects.toThrow(
      /Invalid configuration: HOST/,
    );
  }, 60_000);
});
