/**
 * The checks a bounce's hypothesis names, from the diagnosis's list. Apart from bounce.ts so that
 * reading a bounce without checking it (`mxops bounce --no-check`) does not load every check.
 */
import type { Hypothesis } from '../src/bounces/hypotheses.js';
import type { Check } from '../src/diagnosis/check.js';
import { ALL_CHECKS } from '../src/diagnosis/diagnose.js';

export function checksOf(hypothesis: Hypothesis): readonly Check[] {
  return ALL_CHECKS.filter((check) => hypothesis.checks.includes(check.name));
}
