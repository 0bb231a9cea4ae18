// `npm run demo`: Kiln against both simulators (Replicate and fal), no account or network needed.
// Starts the simulators in-process on free ports, then the app: the Electron window when the
// Electron binary is installed, else browser mode (this is what headless machines get). Ctrl+C stops both.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../test/replicate-sim/index.ts';
import { startFalSimulator } from '../test/fal-sim/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const sim = await startSimulator({});
const fal = await startFalSimulator({});
const dataDir = process.env.KILN_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-demo-'));
process.stderr.write(`Replicate simulator: ${sim.baseUrl} (demo token)\nfal simulator: ${fal.origin} (demo key)\nData dir: ${dataDir}\n`);

// Both providers' keys and bases through the environment (ARCHITECTURE.md, "Fixed interfaces"), as a user would set them.
const env = {
  ...process.env,
  REPLICATE_API_TOKEN: sim.token,
  KILN_REPLICATE_BASE_URL: sim.baseUrl,
  FAL_KEY: fal.key,
  KILN_FAL_QUEUE_URL: fal.queueUrl,
  KILN_FAL_API_URL: fal.apiUrl,
  KILN_FAL_STORAGE_URL: fal.storageUrl,
  KILN_DATA_DIR: dataDir,
};

function electronBinary(): string | null {
  const dir = path.join(root, 'node_modules', 'electron');
  try {
    const bin = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim());
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function run(cmd: string, args: string[], opts: { inheritStdout: boolean }): ChildProcess {
  return spawn(cmd, args, { cwd: root, env, stdio: ['ignore', opts.inheritStdout ? 'inherit' : 'pipe', 'inherit'] });
}

function buildRenderer() {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (${code})`))));
  });
}

let child: ChildProcess;
await buildRenderer();
const electronBin = electronBinary();
if (electronBin) {
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs')], { cwd: root, stdio: 'inherit' });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build-electron failed (${code})`))));
  });
  process.stderr.write('Launching the Kiln window…\n');
  // The Electron app keeps its own userData; the simulator's token reaches it through the environment.
  child = run(electronBin, ['--js-flags=--max-semi-space-size=8', root], { inheritStdout: true });
} else {
  process.stderr.write('No Electron binary here: starting browser mode.\n');
  const webArgs = [
    '--port',
    process.env.PORT ?? '0',
    '--data-dir',
    dataDir,
    '--replicate-base-url',
    sim.baseUrl,
    '--fal-queue-url',
    fal.queueUrl,
    '--fal-api-url',
    fal.apiUrl,
    '--fal-storage-url',
    fal.storageUrl,
  ];
  child = run(process.execPath, ['--max-semi-space-size=8', path.join(root, 'electron', 'web', 'main.ts'), ...webArgs], { inheritStdout: false });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => process.stdout.write(chunk));
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null) child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  await Promise.all([sim.close(), fal.close()]);
  process.exit(code);
}
child.once('exit', (code) => void stop(code ?? 0));
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
