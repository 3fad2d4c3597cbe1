// pretest: the report test drives Debian's Chromium (no browser download: this machine reaches only the npm and
// Debian registries). Installs it when missing and we are root on Debian; otherwise says what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(
      `The report test needs Chromium at ${path}: install Debian's "chromium" package or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  console.error('Installing Debian chromium for the report test (apt-get)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
}
