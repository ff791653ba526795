/**
 * Runs `stop` on the first SIGINT/SIGTERM. One Ctrl-C can arrive more than once (from the terminal's process
 * group and relayed by a wrapper), so repeats in the first seconds are ignored; a Ctrl-C pressed again later
 * forces an exit, as users expect of a stuck shutdown. The npm scripts load tsx in-process (`node --import tsx`)
 * rather than through the tsx CLI, whose signal relay SIGKILLs a child that does not acknowledge within 30 ms: on
 * a busy machine that cut shutdowns short.
 */
const REPEAT_GRACE_MS = 3_000;

export function onShutdownSignal(stop: () => void | Promise<void>): void {
  let first: number | undefined;
  const handle = () => {
    if (first === undefined) {
      first = Date.now();
      void stop();
    } else if (Date.now() - first > REPEAT_GRACE_MS) {
      process.stderr.write('Forced exit.\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  // Started by `ambit worker`, with an IPC channel to it: when the wrapper goes away, even by SIGKILL, the channel
  // closes and this worker stops too instead of living on unsupervised. The channel never keeps the process alive.
  if (process.send) {
    process.channel?.unref();
    process.once('disconnect', handle);
  }
}
