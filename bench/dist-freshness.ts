/**
 * Whether dist/ is older than what it is built from (tsconfig.build.json: src/, commands/, jobs/,
 * and the compiler settings). startup.ts's smoke run builds only then: CI's `npm ci` has just built
 * dist/ (the prepare script), and a build that changes nothing costs ~30 s on 2 cores.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCES = ['src', 'commands', 'jobs'];
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

export function distIsStale(root: string, dist: string): boolean {
  const builtAt = statSync(path.join(dist, 'src/main.js'), { throwIfNoEntry: false })?.mtimeMs;
  return builtAt === undefined || newestChange(root) > builtAt;
}

function newestChange(root: string): number {
  const files = [
    ...SETTINGS.map((name) => path.join(root, name)),
    ...SOURCES.flatMap((dir) =>
      readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
        .map((entry) => path.join(entry.parentPath, entry.name)),
    ),
  ];
  return Math.max(...files.map((file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0));
}
