import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseAuditChannel } from '../../src/store/audit-config.js';
import { chainHash, hashForm, keyIdOf } from '../../src/store/audit-chain.js';
import { formatCheckpointLine, parseKeptCheckpoint } from '../../src/store/audit-checkpoints.js';
import { AuditKey, auditKeyring, parseAuditKey, parseAuditKeys } from '../../src/store/audit-keys.js';

const SECRET = 'f'.repeat(16) + '0123456789abcdef0123456789abcdef0123456789abcdef';
const OLD_SECRET = 'a'.repeat(64);

const FIELDS = {
  seq: 3,
  at: Date.UTC(2026, 10, 1),
  actor: 'alice',
  action: 'ack',
  system: 'mail-gw-1',
  surface: 'slack',
  details: '{"patch":"CVE-2005-1513"}',
  prevHash: 'b'.repeat(64),
};

describe('audit keys', () => {
  it('names a key by an id derived from it, the same in every process, and never shows the secret', () => {
    const key = parseAuditKey(SECRET);
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
    expect(new AuditKey(SECRET).id).toBe(key.id);
    expect(parseAuditKey(OLD_SECRET).id).not.toBe(key.id);
    // The id is an HMAC of a fixed label: it says nothing about the key.
    expect(key.id).toBe(createHmac('sha256', SECRET).update('mxops audit key id').digest('hex').slice(0, 16));
    for (const shown of [
      JSON.stringify({ key }),
      inspect({ key }),
      String(Object.keys(key)),
      JSON.stringify({ ...key }),
    ])
      expect(shown).not.toContain(SECRET);
    expect(inspect(key)).toBe(`AuditKey(${key.id})`);
  });

  it('refuses short, spaced or comma-bearing keys without quoting them', () => {
    for (const bad of ['short-key', `${SECRET.slice(0, 40)} ${SECRET.slice(0, 10)}`, `${SECRET},x`, `${SECRET}é`]) {
      expect(() => parseAuditKey(bad)).toThrow(/openssl rand -hex 32/);
      try {
        parseAuditKey(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain(bad.slice(0, 8));
      }
    }
    expect(parseAuditKeys(`${OLD_SECRET}, ${SECRET}`).map((key) => key.id)).toEqual([
      parseAuditKey(OLD_SECRET).id,
      parseAuditKey(SECRET).id,
    ]);
    expect(() => parseAuditKeys(`${OLD_SECRET},tooshort`)).toThrow(/^key 2 of the list/);
  });

  it('reads the settings through loadConfig and reports a bad key without its value', () => {
    const config = loadConfig({
      MXOPS_AUDIT_KEY: SECRET,
      MXOPS_AUDIT_KEYS: OLD_SECRET,
      MXOPS_AUDIT_CHECKPOINT_FILE: '/var/lib/mxops/checkpoints',
      MXOPS_AUDIT_CHANNEL: 'slack:C0AUDIT01',
    });
    expect(config.audit.keyring.current?.id).toBe(parseAuditKey(SECRET).id);
    expect([...config.audit.keyring.known.keys()]).toEqual([parseAuditKey(OLD_SECRET).id, parseAuditKey(SECRET).id]);
    expect(config.audit).toMatchObject({
      checkpointFile: '/var/lib/mxops/checkpoints',
      channel: { platform: 'slack', id: 'C0AUDIT01' },
      checkpointMinutes: 60,
    });
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(loadConfig({}).audit).toMatchObject({
      keyring: { current: undefined },
      checkpointFile: undefined,
      channel: undefined,
    });
    expect(() => loadConfig({ MXOPS_AUDIT_KEY: 'hunter2-hunter2', MXOPS_AUDIT_CHANNEL: '#audit' })).toThrow(
      /MXOPS_AUDIT_KEY: a key must be 32[\s\S]*MXOPS_AUDIT_CHANNEL: "#audit" is not slack:<channel id>/,
    );
    try {
      loadConfig({ MXOPS_AUDIT_KEY: 'hunter2-hunter2' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('reads audit channels for Slack and Teams', () => {
    expect(parseAuditChannel('teams:19:audit@thread.tacv2')).toEqual({
      platform: 'teams',
      id: '19:audit@thread.tacv2',
    });
    expect(() => parseAuditChannel('slack:#audit')).toThrow('not a Slack channel id');
    expect(() => parseAuditChannel('teams:audit')).toThrow('not a Teams channel conversation id');
  });
});

describe('the chain hash', () => {
  it('is plain SHA-256 of the canonical fields without a key, and HMAC-SHA-256 naming the key with one', () => {
    const plain = chainHash(FIELDS);
    expect(plain).toBe(createHash('sha256').update(canonicalize(FIELDS)!).digest('hex'));
    expect(hashForm(plain)).toEqual({ keyed: false });
    const key = parseAuditKey(SECRET);
    const keyed = chainHash(FIELDS, key);
    // Anyone holding the key recomputes it from an export with JCS and HMAC-SHA-256 (openssl dgst -sha256 -hmac).
    expect(keyed).toBe(
      `hmac-sha256:${key.id}:${createHmac('sha256', SECRET)
        .update(canonicalize({ ...FIELDS, keyId: key.id })!)
        .digest('hex')}`,
    );
    expect(hashForm(keyed)).toEqual({ keyed: true, keyId: key.id });
    expect(keyIdOf(keyed)).toBe(key.id);
    expect(chainHash(FIELDS, parseAuditKey(OLD_SECRET))).not.toBe(keyed);
    expect(chainHash({ ...FIELDS, actor: 'mallory' }, key)).not.toBe(keyed);
    expect(hashForm('hmac-sha256:xyz:abc')).toBeUndefined();
    expect(auditKeyring(undefined).known.size).toBe(0);
  });
});

describe('checkpoints as text', () => {
  it('writes one line per checkpoint and reads back what a person kept', () => {
    const hash = chainHash(FIELDS);
    expect(formatCheckpointLine({ seq: 42, hash }, Date.UTC(2026, 10, 1, 9))).toBe(
      `2026-11-01T09:00:00.000Z 42 ${hash}\n`,
    );
    expect(parseKeptCheckpoint(`42:${hash}`)).toMatchObject({ seq: 42, hash });
    const keyed = chainHash(FIELDS, parseAuditKey(SECRET));
    expect(parseKeptCheckpoint(` 7:${keyed} `)).toMatchObject({ seq: 7, hash: keyed });
    for (const bad of ['42', `x:${hash}`, '42:deadbeef', `42 ${hash}`])
      expect(() => parseKeptCheckpoint(bad)).toThrow('give <seq>:<hash>');
  });
});
