#!/usr/bin/env node
// The oncosign command: the built CLI when dist/ exists (installed or after npm run build), otherwise the
// TypeScript source through tsx (a development checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
