/**
 * Renders the five report-card cases of issue 13 (test/fixtures/card-cases.ts, diagnosed for real
 * on loopback) as pictures, to look at them as a mail admin would:
 *
 *   node --import tsx scripts/render-cards.ts <out-dir>
 *
 * writes, per case, teams-<case>.html (the Adaptive Card rendered by Microsoft's adaptivecards
 * package) and slack-<case>.html (an approximate Block Kit preview: see slack-preview-page.ts),
 * a PNG of each taken with headless Chromium, and prints each card's rendered height at 800 px.
 * Takes about 15 s: one case has a mail server whose greeting takes over 10 s.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CARD_CASES } from '../test/fixtures/card-cases.js';
import { startCardCaseWorld } from '../test/support/card-case-world.js';
import { renderSurfaces } from '../test/support/card-surfaces.js';
import { slackPreviewPage } from './slack-preview-page.js';
import { teamsPreviewPage } from './teams-preview-page.js';

const run = promisify(execFile);
const WIDTH = 800;
/** Slack's card for the seed case should fit one screen (issue 13). */
const SEED_SLACK_TARGET_PX = 1_000;

async function chromium(args: readonly string[]): Promise<string> {
  // A profile of its own per run: a second Chromium on the machine would otherwise hold the lock.
  const profile = await mkdtemp(join(tmpdir(), 'mxops-chromium-'));
  try {
    const { stdout } = await run(
      'chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The page writes document.body.scrollHeight into its title once rendered. */
async function renderedHeight(url: string): Promise<number> {
  const dom = await chromium([`--window-size=${WIDTH},2000`, '--dump-dom', url]);
  const height = /<title>height=(\d+)<\/title>/.exec(dom)?.[1];
  if (height === undefined) throw new Error(`${url} did not report its height (a script error in the page?)`);
  return Number(height);
}

async function screenshot(url: string, png: string, height: number): Promise<void> {
  // As tall as the card and a margin, so the picture holds the whole card and little else.
  await chromium([`--screenshot=${png}`, `--window-size=${WIDTH},${Math.max(200, height + 16)}`, url]);
}

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node --import tsx scripts/render-cards.ts <out-dir>');
  process.exit(2);
}
const out = resolve(outDir);
await mkdir(out, { recursive: true });
await copyFile(
  createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js'),
  join(out, 'adaptivecards.min.js'),
);

console.log('diagnosing the five cases on loopback...');
const world = await startCardCaseWorld();
const cards = await Promise.all(
  CARD_CASES.map(async (which) => ({ which, surfaces: renderSurfaces((await world.run(which)).card) })),
).finally(() => world.close());

const heights: { which: string; slack: number; teams: number }[] = [];
for (const { which, surfaces } of cards) {
  const pages = {
    slack: slackPreviewPage(`mxops ${which} (Slack, approximate)`, surfaces.slack),
    teams: teamsPreviewPage(`mxops ${which} (Teams)`, surfaces.teams),
  };
  const measured = { which, slack: 0, teams: 0 };
  for (const surface of ['slack', 'teams'] as const) {
    const html = join(out, `${surface}-${which}.html`);
    await writeFile(html, pages[surface]);
    const url = pathToFileURL(html).href;
    measured[surface] = await renderedHeight(url);
    await screenshot(url, join(out, `${surface}-${which}.png`), measured[surface]);
  }
  heights.push(measured);
}

console.log(`\nrendered height at ${WIDTH} px wide (Slack: an approximation of Slack's layout, not Slack itself):`);
for (const { which, slack, teams } of heights)
  console.log(`  ${which.padEnd(14)} Slack ~${String(slack).padStart(5)} px   Teams ${String(teams).padStart(5)} px`);
const seed = heights.find((h) => h.which === 'seed');
if (seed)
  console.log(
    `\nseed case on Slack: ~${seed.slack} px, target under ${SEED_SLACK_TARGET_PX} px: ${seed.slack < SEED_SLACK_TARGET_PX ? 'met' : 'NOT met'}`,
  );
console.log(`pages and screenshots in ${out}`);
