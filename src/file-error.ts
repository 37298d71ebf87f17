/**
 * Why a file could not be read, in words, for the messages that name the file: "no such file"
 * rather than Node's ENOENT. Pure, so config, the store and the commands share it.
 */
const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

export function fileErrorWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return WHY[code] ?? (code || (error instanceof Error ? error.message : String(error)));
}
