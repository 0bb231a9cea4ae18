// For tests and benches that run the official @fal-ai/client against the simulator: a fetch that
// sends what the client addresses to fal's hosts to the simulator's stand-ins instead, so the
// client itself runs unchanged (pass it as `createFalClient({ credentials: sim.key, fetch })`).
export function fetchViaSimulator(sim: { queueUrl: string; storageUrl: string; apiUrl: string }, inner: typeof fetch = fetch): typeof fetch {
  const hosts: [string, string][] = [
    ['https://queue.fal.run', sim.queueUrl],
    ['https://rest.fal.ai', sim.storageUrl],
    ['https://api.fal.ai/v1', sim.apiUrl],
  ];
  return (input, init) => {
    let url = input instanceof Request ? input.url : String(input);
    for (const [from, to] of hosts) if (url.startsWith(from)) url = to + url.slice(from.length);
    return inner(url, init);
  };
}
