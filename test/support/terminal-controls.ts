/**
 * What a terminal acts on rather than shows, written out independently of the code under test
 * (src/chat/console/terminal-text.ts): C0 controls but newline and tab, DEL, C1 controls, and the
 * bidi controls and line separators. Matching control characters is the point here.
 */
export const TERMINAL_CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
