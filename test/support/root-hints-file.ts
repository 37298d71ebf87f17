/** Root hints for child processes in a test bed: one "root" on loopback, so the delegation walk never leaves it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'mxops-root-hints-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Writes a root hints file (zone format, as MXOPS_ROOT_HINTS reads it) naming `address` as the only root server; returns its path. */
export function rootHintsFile(address: string): string {
  const file = path.join(dir, `${address}.hints`);
  writeFileSync(file, `. 3600000 NS root.test.\nroot.test. 3600000 A ${address}\n`);
  return file;
}
