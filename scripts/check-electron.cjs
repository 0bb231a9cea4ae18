// `npm start` step: make sure the Electron binary exists before building and launching. Where it
// was never downloaded (offline install, a sandbox, ELECTRON_SKIP_BINARY_DOWNLOAD) and cannot be
// now, say so plainly and point at browser mode, instead of electron's stack trace.
// Plain CommonJS like check-node.cjs: it runs before anything is built.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it must run on Node versions that predate everything else here */
'use strict';
var fs = require('fs');
var path = require('path');
var childProcess = require('child_process');

var root = path.join(__dirname, '..');
var electronDir = path.join(root, 'node_modules', 'electron');

function binaryPath() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
  var pathFile = path.join(electronDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  return path.join(electronDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
}

function present() {
  var p = binaryPath();
  return p !== null && fs.existsSync(p);
}

function fail(why) {
  process.stderr.write(
    'kiln: cannot start the desktop app: ' +
      why +
      '\n' +
      'kiln: run `npm run web` instead to use Kiln in your browser (same data folder, same features), or `npm run -s kiln -- --help` for the command line.\n',
  );
  process.exit(1);
}

if (!fs.existsSync(path.join(electronDir, 'install.js'))) fail('the electron package is not installed (npm install --include=dev).');
if (!present()) {
  process.stderr.write('kiln: the Electron binary is missing; downloading it…\n');
  var r = childProcess.spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300000,
    encoding: 'utf8',
  });
  if (r.status !== 0 || !present()) {
    var detail = (r.stderr || '').split('\n').filter(function (l) {
      return /Error|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|timed out|status code/i.test(l);
    })[0];
    fail(
      'the Electron binary could not be downloaded' + (detail ? ' (' + detail.trim().slice(0, 200) + ')' : r.error ? ' (' + r.error.message + ')' : '') + '.',
    );
  }
}
