// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The pure cores must stay testable without a network, a chat platform or a database
// (DESIGN.md, "The arrows point inward"). Anything that does I/O is injected as a port.
const forbiddenInCores = [
  { group: ['@slack/*', 'botbuilder', 'botbuilder-*', '@microsoft/*'], message: 'Chat platforms belong in src/chat/.' },
  { group: ['bullmq', 'ioredis'], message: 'Queues belong in src/queue/ and jobs/.' },
  { group: ['pg', 'pg-*', 'better-sqlite3', 'kysely', 'knex'], message: 'Database access belongs in src/store/.' },
  {
    group: ['node:net', 'net', 'node:dgram', 'dgram', 'node:tls', 'tls', 'node:dns', 'dns', 'node:http', 'node:https'],
    message: 'Network access belongs in src/net/; take it as a port in deps.',
  },
  {
    group: ['**/net/**', '**/store/**', '**/chat/**', '**/queue/**'],
    message: 'Cores import nothing from the adapters; the arrows point inward.',
  },
];

// The store and the chat layer meet only at the composition root (src/cli/, src/main.ts) and in
// commands/: what both need (a patch, an outage request, a risk acceptance) is a core type, and
// what one hands the other is a port. So neither can grow a decision the other has to know about.
const storeFromChat = {
  group: ['**/store/**'],
  message: 'Chat imports nothing from src/store/: take the core types (src/patching/, src/outages/) or a port.',
};
const chatFromStore = {
  group: ['**/chat/**'],
  message: 'The store imports nothing from src/chat/: it loads, saves and audits core types; wire them in src/cli/.',
};
// One direction between the top folders: commands/ and jobs/ import src/, never the other way, so
// the graph has no cycle through them and an adapter never grows a use case. The composition root
// (src/main.ts and its per-command parts in src/cli/) is the one place in src/ that imports them: it
// binds the handlers to their deps and hands them down, ChatCommands (src/chat/chat-commands.ts) to
// the chat surfaces and the job processors to the queue workers (src/queue/*-workers.ts).
const upwardFromSrc = {
  group: ['**/commands/**', '**/jobs/**'],
  message:
    'src/ imports nothing from commands/ or jobs/: take the handler as a parameter (a port in src/) and wire it in src/cli/.',
};
// And the composition root is the top of the graph: nothing but src/main.ts imports it.
const compositionRoot = {
  group: ['**/cli/**', '**/main.js'],
  message: 'Only src/main.ts imports the composition root (src/cli/): take what it builds as a parameter.',
};
// no-restricted-imports does not look at import(): a lazily loaded handler is still an upward import.
const upwardImportExpression = {
  selector: 'ImportExpression[source.value=/(^|\\/)(commands|jobs)\\//]',
  message: upwardFromSrc.message,
};
// Redis is one place: src/queue/ (connections, the outage account, locks and the Redis adapters).
const redisOutsideQueue = { group: ['ioredis', 'bullmq'], message: 'Redis and BullMQ belong in src/queue/.' };
// The neutral chat layer (src/chat/*.ts: cards, action ids, the Conversation and NagNotifier ports)
// is what commands/ and every surface share; a platform SDK or surface here would load it for all.
const platformsInNeutralChat = {
  group: ['@slack/*', 'botbuilder', 'botbuilder-*', '@microsoft/*', './slack/*', './teams/*', './console/*'],
  message: 'The neutral chat layer knows no platform: put it in src/chat/slack|teams|console/ or wire it in src/cli/.',
};

// One "now" (src/clock.ts): code that reads the time itself cannot be tested at another time or
// without waiting. Take a Clock through deps; the composition root passes systemClock.
const timeReadMessage = 'Read the time through a Clock (src/clock.ts), taken through deps.';
const timeReads = [
  { object: 'Date', property: 'now', message: timeReadMessage },
  { object: 'performance', property: 'now', message: timeReadMessage },
];
const newDateNow = { selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: timeReadMessage };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and its
    // ordering; a promise passed where a callback's result is ignored (an event handler, a timer) does
    // the same. Both need type information: tsconfig.json covers src/, commands/, jobs/, test/, bench/
    // and scripts/, so every linted .ts file has a program.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // First: the blocks below replace these options for their folders (flat config does not merge a
    // rule's options), so each of them repeats upwardFromSrc and compositionRoot.
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [upwardFromSrc, compositionRoot] }],
      'no-restricted-syntax': ['error', upwardImportExpression, newDateNow],
    },
  },
  {
    files: ['commands/**/*.ts', 'jobs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [compositionRoot] }] },
  },
  {
    files: ['commands/**/*.ts', 'jobs/**/*.ts', 'src/main.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', newDateNow] },
  },
  {
    files: ['src/diagnosis/**/*.ts', 'src/patching/**/*.ts', 'src/outages/**/*.ts', 'src/bounces/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...forbiddenInCores, upwardFromSrc, compositionRoot] }] },
  },
  {
    files: ['src/chat/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [storeFromChat, redisOutsideQueue, upwardFromSrc, compositionRoot] },
      ],
    },
  },
  {
    // Flat config replaces a rule's options rather than merging them: the block above, plus platforms.
    files: ['src/chat/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [storeFromChat, redisOutsideQueue, platformsInNeutralChat, upwardFromSrc, compositionRoot] },
      ],
      // no-restricted-imports does not look at import(): a lazily loaded SDK is still a platform.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'ImportExpression[source.value=/^(@slack\\/|@microsoft\\/|botbuilder|\\.\\/(slack|teams|console)\\/)/]',
          message: platformsInNeutralChat.message,
        },
        upwardImportExpression,
        newDateNow,
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [chatFromStore, redisOutsideQueue, upwardFromSrc, compositionRoot] },
      ],
    },
  },
  {
    // Only the composition root and config read the environment (DESIGN.md, "Config parsed once"),
    // and only src/clock.ts reads the time.
    files: ['src/**/*.ts', 'commands/**/*.ts', 'jobs/**/*.ts'],
    ignores: ['src/clock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through loadConfig() in src/config.ts.' },
        ...timeReads,
      ],
    },
  },
  {
    files: ['src/config.ts', 'src/main.ts'],
    rules: { 'no-restricted-properties': ['error', ...timeReads] },
  },
);
