import { writeMp4WithTags, type Mp4TagResult } from './mp4-meta.ts';

// The child process that writes one MP4's tags (started by mp4-tag-child.ts): one job from the
// parent, one answer, then exit. Its own process so that the remux's packet buffers, which V8
// collects only past its external-memory threshold (tens of MB), never count against the engine's
// process, and all of it goes back to the system when the job ends. Started by Node's fork (an IPC
// channel: process.send) or by Electron's utilityProcess (process.parentPort).

interface Job {
  src: string;
  dest: string;
  ext: string;
  tags: Parameters<typeof writeMp4WithTags>[3];
}

interface ParentPort {
  once(event: 'message', fn: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const run = (job: Job): Promise<Mp4TagResult> =>
  writeMp4WithTags(job.src, job.dest, job.ext, job.tags).catch((err: unknown) => ({ why: err instanceof Error ? err.message : String(err) }));

const port = (process as { parentPort?: ParentPort }).parentPort;
if (port) {
  port.once('message', (e) => {
    void run(e.data as Job).then((result) => {
      port.postMessage(result);
      // The parent ends this process once it has the answer; this is only the backstop.
      setTimeout(() => process.exit(0), 5000);
    });
  });
} else {
  // The parent gone (quit, crash): nothing waits for the answer; the vault removes the temp file.
  process.on('disconnect', () => process.exit(1));
  process.once('message', (job: Job) => {
    void run(job).then((result) => process.send?.(result, () => process.exit(0)));
  });
}
