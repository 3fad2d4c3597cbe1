// pretest (and .ci/run): the Debian packages the tests use, installed when missing and we are root on Debian;
// otherwise it says what to install. No download of our own: this machine reaches only the npm and Debian
// registries.
//   chromium   — the report test drives it (CHROMIUM_PATH names another);
//   postgresql — the store tests start a throwaway cluster from its server binaries (TEST_DATABASE_URL names a
//                running server instead).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasPostgresServer = () =>
  existsSync('/usr/lib/postgresql') &&
  readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));

const missing = [
  ...(existsSync(chromiumPath)
    ? []
    : [{ pkg: 'chromium', why: `the report test needs Chromium at ${chromiumPath} (or set CHROMIUM_PATH)` }]),
  ...(process.env.TEST_DATABASE_URL || hasPostgresServer()
    ? []
    : [{ pkg: 'postgresql', why: 'the store tests need PostgreSQL server binaries (or set TEST_DATABASE_URL)' }]),
];

if (missing.length > 0) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    for (const { pkg, why } of missing) {
      console.error(`Install Debian's "${pkg}" package: ${why}.`);
    }
    process.exit(1);
  }
  const packages = missing.map((m) => m.pkg);
  console.error(`Installing Debian packages for the tests (apt-get): ${packages.join(', ')}...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
}
