/**
 * A YAML document as the neutral inventory tree, with the line of every node (LineCounter).
 *
 * Scalars are kept as the text the user wrote: with the YAML 1.2 core schema `2026-10-01` and
 * `09:00` are strings already, and for numbers and booleans we take the source (`1.10` stays
 * `1.10`, a `%YAML 1.1` file's timestamps and sexagesimals stay as typed). Every field parser
 * then sees text, whichever format it came from.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { fieldPath, type InventoryNode, type ProblemLog } from './inventory-tree.js';

/** The document's root node, or undefined for an empty document; syntax errors are reported to `log`. */
export function readYamlTree(log: ProblemLog, text: string): InventoryNode | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: true, prettyErrors: true });
  for (const error of document.errors) {
    const message =
      error.code === 'MULTIPLE_DOCS'
        ? 'holds more than one YAML document (---): put everything in one'
        : describeYamlError(error.message);
    log.report({ line: error.linePos?.[0].line ?? 0, field: '' }, message);
  }
  if (document.errors.length > 0 || document.contents === null) return undefined;
  const lineOf = (node: unknown, fallback: number): number => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range === undefined ? fallback : lineCounter.linePos(range[0]).line;
  };

  const convert = (node: unknown, field: string, fallbackLine: number): InventoryNode => {
    const line = lineOf(node, fallbackLine);
    if (node === null || node === undefined) return { kind: 'leaf', line, field, text: '' };
    if (isScalar(node)) return { kind: 'leaf', line, field, text: scalarText(node.value, node.source) };
    if (isSeq(node))
      return {
        kind: 'list',
        line,
        field,
        items: node.items.map((item, index) => convert(item, fieldPath(field, index), line)),
      };
    if (isMap(node)) {
      const entries = new Map<string, InventoryNode>();
      for (const pair of node.items) {
        const keyLine = lineOf(pair.key, line);
        if (!isScalar(pair.key) || pair.key.value === null) {
          log.report({ line: keyLine, field }, 'keys must be plain names');
          continue;
        }
        const key = scalarText(pair.key.value, pair.key.source);
        entries.set(key, convert(pair.value, fieldPath(field, key), keyLine));
      }
      return { kind: 'map', line, field, entries };
    }
    // An alias would make one node stand at several places (which line is wrong?) and invites
    // alias bombs; inventories are short enough to write out.
    log.report(
      { line, field },
      isAlias(node) ? `YAML aliases (*${node.source}) are not supported: write the value out` : 'unsupported YAML node',
    );
    return { kind: 'invalid', line, field };
  };
  return convert(document.contents, '', 1);
}

function scalarText(value: unknown, source: string | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  return (source ?? String(value)).trim();
}

/** yaml's messages end with " at line 3, column 5:" and a code excerpt; our line prefix says as much. */
function describeYamlError(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return `YAML syntax: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}
