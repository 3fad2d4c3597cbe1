import { fileURLToPath } from 'node:url';

/**
 * The package root, whether running from `src/` (tsx, vitest) or `dist/` (built): both sit one level below it.
 * Data folders (`cards/`, `discovery/`, `terminology/`) are read relative to this at start-up.
 */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export function projectPath(...segments: string[]): string {
  return [projectRoot.replace(/\/$/, ''), ...segments].join('/');
}
