// Plain JS on purpose: it must run on a fresh clone, before `npm install` brought tsx.
const { execSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.log('installing npm packages…');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
