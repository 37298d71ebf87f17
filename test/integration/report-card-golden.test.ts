/**
 * Issue 13: the report card the bot posts, for five real diagnoses (DNS and SMTP servers on
 * loopback, test/fixtures/card-cases.ts), on all three surfaces: Slack Block Kit, Adaptive Card
 * 1.5 (checked with Microsoft's adaptivecards package) and console text. Each is compared with
 * its golden file under test/fixtures/golden/cases/<case>/ after what varies between runs is
 * normalised; the headline, the number of problems and that nothing is cut are asserted outright.
 */
import { fileURLToPath } from 'node:url';
import type { types } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../src/chat/slack/mrkdwn.js';
import type { AdaptiveCard, AdaptiveTextBlock } from '../../src/chat/teams/adaptive-card.js';
import { ADAPTIVE_CARD_LIMITS, cardJsonBytes } from '../../src/chat/teams/adaptive-card-limits.js';
import { markdownSafe } from '../../src/chat/teams/adaptive-card-text.js';
import { headline } from '../../src/diagnosis/headline.js';
import { buildProblems, type Problem } from '../../src/diagnosis/problems.js';
import { CARD_CASES, SEED_MX, type CardCase } from '../fixtures/card-cases.js';
import { adaptiveCard15Issues } from '../support/adaptive-card-validation.js';
import { blockKitViolations } from '../support/block-kit-violations.js';
import { startCardCaseWorld, type CardCaseResult, type CardCaseWorld } from '../support/card-case-world.js';
import { renderSurfaces, surfaceFiles, type CardSurfaces } from '../support/card-surfaces.js';
import { expectGoldenFile } from '../support/golden-file.js';
import { normaliseRun } from '../support/normalise-run.js';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden/cases/', import.meta.url));

/** What mailcheck-cards.ts promises (issue 13): the rest goes to the thread. */
const MAX_PROBLEMS_ON_CARD = 5;

const HEADLINES: Readonly<Record<Exclude<CardCase, 'healthy'>, string>> = {
  seed: "qmail 1.03, netqmail, notqmail 1.07 and notqmail 1.08 cannot deliver to filtered.test: MX filtered.test ends at byte 1,195, past 512. Their DNS admin's move: Shorten the MX RRset of filtered.test (fewer or shorter MX host names) below 512 bytes. Alpine < 3.18 / musl programs fail too (see the problems).",
  'dead-dns':
    'No one can deliver mail to dead.test now: its nameservers ns1.dead.test (127.0.13.31) and ns2.dead.test (127.0.13.32) do not answer. Their move: bring the nameservers back or fix the delegation at the registrar.',
  'null-mx':
    'nullmx.test accepts no mail (null MX, RFC 7505): every sender bounces at once. Intended? If not, publish the real MX records.',
  'many-findings':
    "qmail 1.03, netqmail, notqmail 1.07 cannot deliver to troubled.test: ANY troubled.test ends at byte 569, past 512. Their DNS admin's move: Answer ANY queries minimally (RFC 8482), or shrink the RRsets at troubled.test (TXT verification tokens that are no longer needed). Senders whose resolver sends no EDNS fail too (see the problems).",
};

const PROBLEMS_ON_CARD: Readonly<Record<CardCase, number>> = {
  seed: 3,
  'dead-dns': 1,
  'null-mx': 1,
  healthy: 0,
  'many-findings': 5,
};

/** A problem's title on every surface (bold on Slack): its status, its finding id, whose move. */
const PROBLEM_LINE = /^\*?(FAIL|ERROR|WARN) [a-z0-9-]+\.[a-z0-9.-]+: /;
/** What the renderers add where they cut or leave something out (block-kit-limits.ts, adaptive-card-limits.ts, thread-text.ts). */
const CUT_MARKS = ['…', 'cut here', 'not shown here', 'more characters not posted'];

const slackSections = (surfaces: CardSurfaces): string[] =>
  surfaces.slack.blocks.flatMap((b: types.KnownBlock) => (b.type === 'section' && b.text ? [b.text.text] : []));
const teamsTexts = (card: AdaptiveCard): AdaptiveTextBlock[] =>
  card.body.filter((e): e is AdaptiveTextBlock => e.type === 'TextBlock');

describe('report cards of five real diagnoses on Slack, Teams and the console (issue 13)', () => {
  let world: CardCaseWorld | undefined;
  const results = new Map<CardCase, CardCaseResult & { surfaces: CardSurfaces; problems: Problem[]; at: Date }>();
  const result = (which: CardCase) => {
    const found = results.get(which);
    if (!found) throw new Error(`case ${which} did not run`);
    return found;
  };

  beforeAll(async () => {
    world = await startCardCaseWorld();
    const running = world;
    // All at once: troubled.test's slow banner alone takes over 10 s.
    await Promise.all(
      CARD_CASES.map(async (which) => {
        const at = new Date();
        const ran = await running.run(which);
        results.set(which, {
          ...ran,
          surfaces: renderSurfaces(ran.card),
          problems: buildProblems(ran.report.findings, ran.report.senders),
          at,
        });
      }),
    );
  });
  afterAll(() => world?.close());

  describe.each(CARD_CASES)('%s', (which) => {
    it('matches the golden Slack, Teams and console renderings, with what varies between runs normalised', () => {
      const { surfaces, at } = result(which);
      for (const [file, text] of Object.entries(surfaceFiles(surfaces))) {
        expectGoldenFile(`${GOLDEN_DIR}${which}/${file}`, normaliseRun(text, { ports: world?.ports ?? [], at }));
      }
    });

    it('shows the headline in full on every surface, bold on Slack and Teams', () => {
      const { report, problems, surfaces } = result(which);
      const said = headline(report, problems);
      expect(slackSections(surfaces)).toContain(`*${escapeMrkdwn(said)}*`);
      expect(teamsTexts(surfaces.teams).find((t) => t.weight === 'Bolder' && t.style !== 'heading')?.text).toBe(
        markdownSafe(said),
      );
      expect(surfaces.console.split('\n')).toContain(`>> ${said}`);
    });

    it(`shows at most ${MAX_PROBLEMS_ON_CARD} problems, the same number on every surface, each summary in full`, () => {
      const { problems, surfaces } = result(which);
      const onCard = problems.slice(0, MAX_PROBLEMS_ON_CARD);
      expect(onCard).toHaveLength(PROBLEMS_ON_CARD[which]);
      const slack = slackSections(surfaces).filter((text) => PROBLEM_LINE.test(text));
      const teams = teamsTexts(surfaces.teams).filter((t) => PROBLEM_LINE.test(t.text));
      const console = surfaces.console
        .split('\n')
        .filter((line) => PROBLEM_LINE.test(line.replace(/^- /, '')) && line.startsWith('- '));
      expect([slack.length, teams.length, console.length]).toEqual([onCard.length, onCard.length, onCard.length]);
      onCard.forEach((p, i) => {
        expect(slack[i]).toContain(`*${p.status.toUpperCase()} ${p.id}: `);
        expect(slack[i]).toContain(escapeMrkdwn(p.summary));
        expect(teams[i]?.text).toContain(`${p.status.toUpperCase()} ${p.id}: `);
        expect(teams[i]?.weight).toBe('Bolder');
        const teamsBodies = teamsTexts(surfaces.teams).map((t) => t.text);
        expect(teamsBodies[teamsBodies.indexOf(teams[i]?.text ?? '') + 1]).toContain(markdownSafe(p.summary));
        expect(surfaces.console).toContain(`\n    ${p.summary}\n`);
      });
      const more = problems.length - onCard.length;
      const note = `${more} more problems in the thread.`;
      expect(surfaces.console.includes(note)).toBe(more > 0);
    });

    it('cuts nothing: no cut marks, Slack within Block Kit limits, Teams within its message size', () => {
      const { surfaces } = result(which);
      const { fallbackText, ...teamsCard } = surfaces.teams;
      const visible = {
        slack: JSON.stringify(surfaces.slack.blocks),
        teams: JSON.stringify(teamsCard),
        console: surfaces.console,
      };
      for (const [surface, text] of Object.entries(visible))
        for (const mark of CUT_MARKS) expect(text, `${surface} says "${mark}"`).not.toContain(mark);
      expect(blockKitViolations(surfaces.slack)).toEqual([]);
      expect(surfaces.slack.text).not.toContain('…');
      expect(cardJsonBytes(surfaces.teams)).toBeLessThanOrEqual(ADAPTIVE_CARD_LIMITS.cardJsonBytes);
      expect(teamsCard.body.some((e) => e.type === 'TextBlock' && e.id === 'mxops-dropped')).toBe(false);
      // The notification line is capped by design (fitSummary); it must still begin with the card's own summary.
      const summary = result(which).card.summary.replace(/\s+/g, ' ');
      if (summary.length <= ADAPTIVE_CARD_LIMITS.summaryChars) expect(fallbackText).toBe(summary);
      else expect(summary.startsWith(fallbackText.replace(/…$/, ''))).toBe(true);
    });

    it("is a valid Adaptive Card 1.5 for Microsoft's adaptivecards package, which keeps every property", () => {
      const { teams } = result(which).surfaces;
      expect(teams.version).toBe('1.5');
      expect(adaptiveCard15Issues(teams)).toEqual([]);
    });
  });

  it.each(Object.entries(HEADLINES))('headline of %s', (which, expected) => {
    const { report, problems } = result(which as CardCase);
    expect(headline(report, problems)).toBe(expected);
  });

  it('seed case: 12 MX names on 2 addresses, the MX answer ends near byte 1,200 without EDNS, and both mail servers are healthy', () => {
    const { report } = result('seed');
    expect(report.observations.records['filtered.test MX']).toHaveLength(12);
    const over = report.findings.filter((f) => f.id === 'dns.answer-over-512' && f.evidence.qtype === 'MX');
    expect(over.map((f) => f.evidence.answerEnd)).toEqual([1195, 1195]);
    expect(
      report.findings
        .filter((f) => f.id === 'smtp.ok')
        .map((f) => f.evidence.address)
        .sort(),
    ).toEqual([...SEED_MX]);
    expect(
      report.findings.filter((f) => /^(smtp|tls)\./.test(f.id) && ['fail', 'warn', 'error'].includes(f.status)),
    ).toEqual([]);
  });

  it('many-findings case: about 20 findings that need attention, of many kinds, five on the card', () => {
    const { report, problems, surfaces } = result('many-findings');
    const attention = report.findings.filter((f) => ['fail', 'warn', 'error'].includes(f.status));
    expect(attention.length).toBeGreaterThanOrEqual(18);
    expect(new Set(attention.map((f) => f.id.split('.')[0])).size).toBeGreaterThanOrEqual(6);
    expect(attention.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'spf.missing',
        'dmarc.missing',
        'dns.tcp-unavailable',
        'dns.edns-noncompliant',
        'dns.lame-delegation',
        'smtp.starttls-missing',
        'tls.cert-expired',
        'smtp.banner-slow',
      ]),
    );
    expect(surfaces.console).toContain(`${problems.length - MAX_PROBLEMS_ON_CARD} more problems in the thread.`);
  });

  it('healthy case: an OK card with no problem and no sender failing', () => {
    const { report, problems, surfaces } = result('healthy');
    expect(problems).toEqual([]);
    expect(report.senders.filter((s) => s.verdict === 'fail')).toEqual([]);
    expect(surfaces.console.split('\n')[0]).toBe('== healthy.test: OK ==');
  });

  // tls1.0-only-sender stays "unknown" at every server that negotiates TLS 1.3 (one handshake cannot
  // settle it): that is no news about this domain, so the headline does not say it.
  it('healthy case: the headline says nothing stops mail', () => {
    const { report, problems } = result('healthy');
    expect(headline(report, problems)).toBe('No problem found that stops mail.');
  });
});
