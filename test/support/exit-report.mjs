/**
 * Preloaded (`--import`) into an mxops process a test spawns, to tell how it ended: `drained` when
 * its event loop ran empty by itself (every socket, server and timer closed), `forced` when
 * something called process.exit() while work was still scheduled (a handle left open, which only
 * exitIfStillRunning's safety net ended). Written as the process's last stderr line.
 */
import process from 'node:process';

let drained = false;
process.on('beforeExit', () => {
  drained = true;
});
process.on('exit', () => {
  // What was still open, for the test's failure message (the timers include exitIfStillRunning's own).
  const open = drained ? '' : ` (still open: ${process.getActiveResourcesInfo().join(', ')})`;
  // Synchronous on Linux for pipes, so the line is out before the process is.
  process.stderr.write(`exit-report: ${drained ? 'drained' : 'forced'}${open}\n`);
});
