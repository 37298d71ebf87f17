/**
 * A Block Kit message as an HTML page that looks roughly as Slack's web client shows it, for
 * judging a card's height and how it reads. An approximation, not Slack: no Block Kit Builder
 * runs offline. What it copies from the client: the 800 px message pane with the 36 px avatar
 * gutter, Lato 15 px on 22 px lines, 18 px black headers, 13 px grey context, two-column fields,
 * 36 px buttons, and mrkdwn's *bold*, `code`, ```blocks``` and line breaks.
 */
import type { types } from '@slack/bolt';
import type { SlackMessage } from '../src/chat/slack/render-blocks.js';

const CSS = `
  body { margin: 0; background: #fff; color: #1d1c1d; font: 15px/22px Lato, 'Slack-Lato', 'Helvetica Neue', Helvetica, Arial, sans-serif; -webkit-font-smoothing: antialiased; }
  .pane { width: 800px; box-sizing: border-box; padding: 8px 20px; }
  .message { display: grid; grid-template-columns: 36px 1fr; column-gap: 8px; }
  .avatar { width: 36px; height: 36px; border-radius: 4px; background: #4a154b; }
  .sender { font-weight: 900; } .sender .app { font-size: 10px; font-weight: 700; color: #616061; background: #ddd; border-radius: 2px; padding: 1px 3px; margin-left: 4px; }
  .block { margin-top: 8px; overflow-wrap: anywhere; } .block:first-child { margin-top: 4px; }
  .header { font-size: 18px; line-height: 24px; font-weight: 900; }
  .fields { display: grid; grid-template-columns: 1fr 1fr; column-gap: 16px; row-gap: 8px; }
  .context { font-size: 13px; line-height: 18px; color: #616061; }
  hr.divider { border: 0; border-top: 1px solid #dddddd; margin: 12px 0 4px; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; }
  .button { height: 36px; box-sizing: border-box; padding: 0 12px; border: 1px solid rgba(29,28,29,.3); border-radius: 4px; font: 700 15px/34px Lato, sans-serif; background: #fff; color: #1d1c1d; }
  .button.primary { background: #007a5a; border-color: #007a5a; color: #fff; } .button.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
  code { font: 12px/18px Monaco, Menlo, Consolas, 'Courier New', monospace; color: #e01e5a; background: #f8f8f8; border: 1px solid #e8e8e8; border-radius: 3px; padding: 0 3px; }
  pre { font: 12px/18px Monaco, Menlo, Consolas, 'Courier New', monospace; background: #f8f8f8; border: 1px solid #e8e8e8; border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; }
`;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Slack sends &, < and > as entities in mrkdwn; the page escapes once itself. */
function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The mrkdwn the renderer produces: code fences, inline code, *bold* runs, line breaks. */
function mrkdwnHtml(mrkdwn: string): string {
  return unescapeMrkdwn(mrkdwn)
    .split(/```\n?([\s\S]*?)\n?```/)
    .map((part, i) =>
      i % 2 === 1
        ? `<pre>${escapeHtml(part)}</pre>`
        : escapeHtml(part)
            .replace(/`([^`\n]+)`/g, '<code>$1</code>')
            .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/gm, '$1<b>$2</b>')
            .replace(/\n/g, '<br>'),
    )
    .join('');
}

function textOf(element: { readonly type: string; readonly text?: string }): string {
  if (element.type === 'mrkdwn') return mrkdwnHtml(element.text ?? '');
  return escapeHtml(element.text ?? '');
}

function blockHtml(block: types.KnownBlock): string {
  switch (block.type) {
    case 'header':
      return `<div class="block header">${escapeHtml(block.text.text)}</div>`;
    case 'section': {
      const text = block.text ? `<div>${textOf(block.text)}</div>` : '';
      const fields = block.fields
        ? `<div class="fields">${block.fields.map((f) => `<div>${textOf(f)}</div>`).join('')}</div>`
        : '';
      return `<div class="block section">${text}${fields}</div>`;
    }
    case 'context':
      return `<div class="block context">${block.elements.map((e) => ('text' in e && typeof e.text === 'string' ? textOf(e as { type: string; text: string }) : '')).join(' ')}</div>`;
    case 'divider':
      return '<hr class="block divider">';
    case 'actions':
      return `<div class="block actions">${block.elements
        .map((e) =>
          e.type === 'button' ? `<span class="button ${e.style ?? ''}">${escapeHtml(e.text.text)}</span>` : '',
        )
        .join('')}</div>`;
    default:
      return `<div class="block">[${escapeHtml(block.type)} block not previewed]</div>`;
  }
}

/** The page; a script puts the rendered height into the title, where `chromium --dump-dom` can read it. */
export function slackPreviewPage(title: string, message: SlackMessage): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><div class="pane"><div class="message"><div class="avatar"></div><div>
<div class="sender">mxops<span class="app">APP</span></div>
${message.blocks.map(blockHtml).join('\n')}
</div></div></div>
<script>document.title = 'height=' + document.body.scrollHeight;</script>
</body></html>
`;
}
