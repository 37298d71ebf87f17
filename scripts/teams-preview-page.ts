/**
 * An Adaptive Card as an HTML page rendered in the browser by Microsoft's adaptivecards package
 * (dist/adaptivecards.min.js, copied next to the page), with Teams' light host config, in a
 * message column 800 px wide (the card asks for msteams.width Full).
 */
import type { AdaptiveCard } from '../src/chat/teams/adaptive-card.js';
import { escapeHtml } from './slack-preview-page.js';

/**
 * From microsoft/AdaptiveCards samples/HostConfig/microsoft-teams-light.json: the parts that set
 * sizes (spacing, fonts, separators, fact sets, buttons). Segoe UI is not on Linux; Chromium falls
 * back along the same list, usually to DejaVu Sans, which runs wider: heights come out high.
 */
const TEAMS_HOST_CONFIG = {
  supportsInteractivity: true,
  spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#EEEEEE' },
  fontStyles: {
    default: {
      fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
    monospace: {
      fontFamily: "'Courier New', Courier, monospace",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
  },
  containerStyles: {
    default: { backgroundColor: '#ffffff', foregroundColors: { default: { default: '#252424', subtle: '#bf252424' } } },
  },
  actions: {
    maxActions: 6,
    spacing: 'Default',
    buttonSpacing: 8,
    actionsOrientation: 'Horizontal',
    actionAlignment: 'Left',
    showCard: { actionMode: 'Inline', inlineTopMargin: 16, style: 'emphasis' },
  },
  factSet: {
    title: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Bolder', wrap: true },
    value: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Default', wrap: true },
    spacing: 16,
  },
};

/**
 * Teams runs TextBlock text through its Markdown subset. The cards use only two of its rules
 * (adaptive-card-text.ts): backslash escapes and a blank line between paragraphs; without a
 * processor the package would show the backslashes.
 */
const MARKDOWN = `
function teamsMarkdown(text) {
  var html = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return html.split(/\\n\\n/).map(function (p) { return '<p style="margin:0">' + p.replace(/\\\\([\\\\*_\\[\\]+.-])/g, '$1').replace(/\\n/g, '<br>') + '</p>'; }).join('');
}`;

export function teamsPreviewPage(title: string, card: AdaptiveCard, script = 'adaptivecards.min.js'): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body { margin: 0; background: #f5f5f5; } .pane { width: 800px; box-sizing: border-box; padding: 8px 20px; } .card { background: #fff; border-radius: 4px; box-shadow: 0 1px 2px rgba(0,0,0,.14); overflow: hidden; }
.ac-pushButton { height: 32px; padding: 0 12px; border: 1px solid #e1dfdd; border-radius: 4px; background: #fff; font: 600 14px 'Segoe UI', Tahoma, Geneva, Verdana, sans-serif; color: #252424; } .ac-pushButton.style-positive { background: #6264a7; border-color: #6264a7; color: #fff; }</style>
<script src="${escapeHtml(script)}"></script></head>
<body><div class="pane"><div class="card" id="card"></div></div>
<script>${MARKDOWN}
AdaptiveCards.AdaptiveCard.onProcessMarkdown = function (text, result) { result.outputHtml = teamsMarkdown(text); result.didProcess = true; };
var card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig(${JSON.stringify(TEAMS_HOST_CONFIG)});
card.parse(${JSON.stringify(card).replace(/</g, '\\u003c')});
document.getElementById('card').appendChild(card.render());
document.title = 'height=' + document.body.scrollHeight;
</script>
</body></html>
`;
}
