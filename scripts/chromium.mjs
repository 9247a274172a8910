// Finds (and on a root Debian machine installs) the Chromium that every browser test runs in.
// Playwright's own browser download is never used: the machines we run on cannot reach it.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Flags that keep Chromium quiet on a closed network and runnable as root in CI. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ENV_VARS = ['CHROMIUM_PATH', 'CHROME_PATH'];
const DEFAULT_PATH = '/usr/bin/chromium';

/**
 * The Chromium executable to launch: `$CHROMIUM_PATH` (or `$CHROME_PATH`), else `/usr/bin/chromium`.
 * @returns {string | undefined} the path, or undefined when none exists
 */
export function findChromium() {
  for (const name of ENV_VARS) {
    const value = process.env[name];
    if (value && existsSync(value)) return value;
  }
  return existsSync(DEFAULT_PATH) ? DEFAULT_PATH : undefined;
}

function isRootOnDebian() {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version') && readFileSync('/etc/os-release', 'utf8').includes('debian');
}

/**
 * Returns a Chromium path, installing Debian's `chromium` with apt when none is found and the
 * process is root on Debian. Throws an error that says how to get one otherwise.
 * @returns {string}
 */
export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  if (isRootOnDebian()) {
    console.log('idb-memo: no Chromium found; installing Debian\'s chromium with apt-get…');
    execSync('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium', { stdio: 'inherit' });
    const installed = findChromium();
    if (installed) return installed;
  }
  throw new Error(
    'idb-memo: no Chromium found for the browser tests. Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`) ' +
      'or point CHROMIUM_PATH at a Chromium or Chrome executable. Playwright browser downloads are not used.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`idb-memo: browser tests use ${ensureChromium()}`);
}
