/**
 * Validates an Adaptive Card with Microsoft's own `adaptivecards` package (3.x, a devDependency;
 * botbuilder's transitive 1.2.3 predates 1.5 and stays nested under botframework-schema).
 *
 * Why the `dist` bundle through require: the package's `lib/` is ES modules with extension-less
 * imports (`./strings`), which Node's loader refuses; `dist/adaptivecards.js` is a self-contained
 * UMD bundle (swiper included) that loads in plain Node. Parsing, validating and serialising need
 * no DOM; only `render()` does (it calls document.createElement), and this never renders.
 */
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** Keys a host may add that the package does not model: Teams reads `msteams`, the package drops it. */
const HOST_EXTENSIONS = ['msteams'] as const;

/**
 * Everything the package objects to when it reads `json` as an Adaptive Card 1.5: parse events
 * (unknown element or action types, invalid values, properties newer than 1.5),
 * validation failures (duplicate ids, missing required properties), and any property it does not
 * know, found by serialising the parsed card back and comparing (an unknown property is dropped
 * silently, so a typo like `iSubtle` would otherwise pass).
 */
export function adaptiveCard15Issues(json: object): string[] {
  const target = AC.Versions.v1_5;
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(target);
  card.parse(json, context);
  const issues: string[] = [];
  for (let i = 0; i < context.eventCount; i++) issues.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of card.validateProperties().validationEvents) issues.push(`validate: ${event.message}`);
  const expected = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
  for (const key of HOST_EXTENSIONS) delete expected[key];
  const roundTrip = card.toJSON(new AC.SerializationContext(target));
  issues.push(...differences(expected, roundTrip, '$'));
  return issues;
}

/** Paths where `actual` lost or changed what `expected` holds (key order does not matter). */
function differences(expected: unknown, actual: unknown, path: string): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return [`round trip: ${path} changed from ${JSON.stringify(expected).slice(0, 200)}`];
    return expected.flatMap((item, i) => differences(item, actual[i], `${path}[${i}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return [`round trip: ${path} dropped`];
    const got = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([key, value]) =>
      key in got
        ? differences(value, got[key], `${path}.${key}`)
        : [`round trip: ${path}.${key} dropped (a property adaptivecards does not know)`],
    );
  }
  return expected === actual
    ? []
    : [`round trip: ${path} changed from ${JSON.stringify(expected)} to ${JSON.stringify(actual)}`];
}
