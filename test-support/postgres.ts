import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** A fresh, empty database on the test cluster, for one test file (files run in parallel and must not share). */
export interface TestDatabase {
  readonly url: string;
  /** Runs SQL over its own connection, as a reporting tool or another replica would see the data. */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** A connection of its own, for tests that hold a transaction open (release it when done). */
  connect(): Promise<pg.PoolClient>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const postgres = inject('postgres');
  if ('unavailable' in postgres) {
    throw new Error(postgres.unavailable);
  }
  const name = `oncosign_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgres.adminUrl);
  url.pathname = `/${name}`;
  const reader = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
      return (await reader.query<R>(text, values)).rows;
    },
    connect: () => reader.connect(),
    async drop() {
      await reader.end();
      const dropper = new pg.Client({ connectionString: postgres.adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
