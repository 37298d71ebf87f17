/**
 * What the owner hears around an approved outage window: reminders before it, a notice when it
 * starts, and at its end the question whether the patches went in (Patched / Not done).
 */
import { describeDuration } from '../patching/duration.js';
import type { OutageRequest } from '../outages/outage-record.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card, CardBlock } from './card.js';
import { describeTime, type Reading } from './patch-text.js';

function details(request: OutageRequest, reading: Reading): CardBlock {
  return {
    kind: 'facts',
    facts: [
      {
        label: 'Window',
        value: `${describeTime(request.start, reading)} to ${describeTime(request.end, reading)} (${describeDuration(request.end - request.start)})`,
      },
      {
        label: 'Patches',
        value: request.patches.length > 0 ? request.patches.join(', ') : 'none were overdue when it was asked for',
      },
      { label: 'Reason', value: request.reason },
    ],
  };
}

export function outageReminderCard(request: OutageRequest, leadMs: number, reading: Reading): Card {
  const headline = `Reminder: the outage window on ${request.system} starts in ${describeDuration(leadMs)}`;
  return { summary: headline, blocks: [{ kind: 'header', text: headline }, details(request, reading)] };
}

export function outageStartCard(request: OutageRequest, reading: Reading): Card {
  const headline = `The outage window on ${request.system} starts now`;
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      details(request, reading),
      { kind: 'text', text: 'When it ends you will be asked whether the patches went in.', emphasis: 'subtle' },
    ],
  };
}

export function outageEndCard(request: OutageRequest, reading: Reading): Card {
  const headline = `The outage window on ${request.system} has ended: were the patches applied?`;
  const value = String(request.id);
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      details(request, reading),
      {
        kind: 'text',
        text: 'Patched marks these patches applied and stops their nags. Not done keeps them open, escalation goes on, and a new window is needed.',
        emphasis: 'subtle',
      },
      {
        kind: 'actions',
        actions: [
          {
            id: ACTION_IDS.outagePatched,
            label: 'Patched',
            value,
            style: 'primary',
            typed: `outage patched ${request.id}`,
          },
          {
            id: ACTION_IDS.outageNotDone,
            label: 'Not done',
            value,
            style: 'danger',
            typed: `outage not-done ${request.id}`,
          },
        ],
      },
    ],
  };
}
