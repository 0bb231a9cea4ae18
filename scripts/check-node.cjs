// First step of every npm script: say which Node is needed, in one line, instead of the confusing
// failure an older Node gives later (ERR_UNKNOWN_FILE_EXTENSION ".ts", no node:sqlite).
// Deliberately plain old JavaScript (no optional chaining, no top-level await, no imports beyond
// what Node 10 parses), so that it runs on the very Node versions it refuses.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it must run on Node versions that predate everything else here */
'use strict';
var fs = require('fs');
var path = require('path');

var pkgFile = path.join(__dirname, '..', 'package.json');
var range = '>=22.18.0';
try {
  var engines = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).engines;
  if (engines && typeof engines.node === 'string') range = engines.node;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- no optional catch binding: old Node must parse this
} catch (e) {
  // keep the default
}
var want = /(\d+)\.(\d+)\.(\d+)/.exec(range) || ['', '22', '18', '0'];
var have = process.versions.node.split('.').map(Number);
var need = [Number(want[1]), Number(want[2]), Number(want[3])];
var ok = have[0] !== need[0] ? have[0] > need[0] : have[1] !== need[1] ? have[1] > need[1] : have[2] >= need[2];
if (!ok) {
  process.stderr.write(
    'Kiln needs Node.js ' + need.join('.') + ' or newer (Node 24 recommended); this is Node ' + process.versions.node + ' (' + process.execPath + ').\n',
  );
  process.exit(1);
}
