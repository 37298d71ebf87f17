import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import { createConsoleConversation } from '../../src/chat/console/console-chat.js';
import { renderCardText } from '../../src/chat/console/render-card-text.js';
import { showTerminalLine, showTerminalText } from '../../src/chat/console/terminal-text.js';
import { TERMINAL_CONTROL } from '../support/terminal-controls.js';

const ESC = '\u001b';
const RLO = '\u202e';

describe('showTerminalText and showTerminalLine', () => {
  it('shows a clear-screen sequence instead of clearing the screen', () => {
    expect(showTerminalText(`KB5034441 ${ESC}[2J${ESC}[Hall patched`)).toBe('KB5034441 \\x1b[2J\\x1b[Hall patched');
    expect(showTerminalLine(`${ESC}]0;owned${'\u0007'}title`)).toBe('\\x1b]0;owned\\x07title');
  });

  it('shows a right-to-left override instead of reversing what follows', () => {
    // Printed raw, this reads "invoice-exe.pdf" in a terminal that honours bidi.
    expect(showTerminalText(`invoice-${RLO}fdp.exe`)).toBe('invoice-\\u202efdp.exe');
    expect(showTerminalLine(`\u2066a\u2069 \u202ab\u202c \u200e\u200f\u061c`)).toBe(
      '\\u2066a\\u2069 \\u202ab\\u202c \\u200e\\u200f\\u061c',
    );
  });

  it('keeps newlines and tabs as layout in multi-line text, and shows them in a single line', () => {
    expect(showTerminalText('line one\n\tline two\r\nline three')).toBe('line one\n\tline two\nline three');
    expect(showTerminalLine('title\nInjected: yes\tand\rmore')).toBe('title\\nInjected: yes\\tand\\rmore');
  });

  it('shows a carriage return that would let later text hide earlier text, DEL and 8-bit CSI', () => {
    expect(showTerminalText('rm -rf /\rls     ')).toBe('rm -rf /\\rls     ');
    expect(showTerminalText(`a\u007fb\u009b2Jc\u0000`)).toBe('a\\x7fb\\x9b2Jc\\x00');
  });

  it('leaves ordinary text alone, other scripts and emoji included', () => {
    const text = 'Größe: 1\u202f204 bytes, עברית, 日本語, 👩\u200d💻, C:\\path\\x1b';
    expect(showTerminalText(text)).toBe(text);
    expect(showTerminalLine(text)).toBe(text);
  });
});

describe('the console surface prints user text through it', () => {
  it('renders every card field without an active control character', () => {
    const hostile = `${ESC}[2J${RLO}gpj.exe\n${ESC}[31mred`;
    const text = renderCardText({
      summary: hostile,
      blocks: [
        { kind: 'header', text: `Patch ${hostile}` },
        { kind: 'text', text: hostile },
        { kind: 'text', text: hostile, emphasis: 'strong' },
        { kind: 'text', text: hostile, emphasis: 'subtle' },
        { kind: 'item', title: hostile, body: hostile },
        { kind: 'facts', facts: [{ label: `reason${RLO}`, value: hostile }] },
        { kind: 'code', text: hostile },
        { kind: 'actions', actions: [{ id: ACTION_IDS.mailcheckRecheck, label: hostile, value: hostile }] },
      ],
    });
    expect(text).not.toMatch(TERMINAL_CONTROL);
    expect(text).toContain('== Patch \\x1b[2J\\u202egpj.exe\\n\\x1b[31mred ==');
    expect(text).toContain('>> \\x1b[2J\\u202egpj.exe\n\\x1b[31mred');
    expect(text).toContain('- \\x1b[2J\\u202egpj.exe\\n\\x1b[31mred\n    \\x1b[2J\\u202egpj.exe\n    \\x1b[31mred');
    expect(text).toContain('- \\x1b[2J\\u202egpj.exe\n  \\x1b[31mred');
    expect(text).toContain('  reason\\u202e  \\x1b[2J\\u202egpj.exe\\n\\x1b[31mred');
    expect(text).toContain('    [\\x1b[2J\\u202egpj.exe\\n\\x1b[31mred] (type: \\x1b[2J');
  });

  it('escapes thread replies and whispers, keeping their lines', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const conversation = createConsoleConversation(out);
    await conversation.replyInThread(
      { conversation: 'console', message: '1' },
      `550 5.7.1 ${ESC}[2Jrejected\nsecond line`,
    );
    await conversation.whisper(`Unknown command "${RLO}kcehcliam".`);
    expect(printed).toBe('[#1 thread]\n550 5.7.1 \\x1b[2Jrejected\nsecond line\nUnknown command "\\u202ekcehcliam".\n');
  });
});
