import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { classifySocketError, type SocketErrorKind } from '../../src/net/socket-error.js';
import { freePort } from '../support/wait.js';

describe('classifySocketError', () => {
  it.each<[string | undefined, SocketErrorKind]>([
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate'],
    ['CERT_HAS_EXPIRED', 'certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'tls'],
    // HTTP's own errors are the fetcher's to read; a property name is not a code.
    ['HPE_INVALID_CONSTANT', 'other'],
    ['EACCES', 'other'],
    ['constructor', 'other'],
    [undefined, 'other'],
  ])('reads %s as %s', (code, kind) => {
    expect(classifySocketError(Object.assign(new Error('test'), { code }))).toBe(kind);
  });

  it('reads the error of a real connection to a closed port as refused', async () => {
    const port = await freePort();
    const error = await new Promise<NodeJS.ErrnoException>((resolve) =>
      net.connect({ host: '127.0.0.1', port }).once('error', resolve),
    );
    expect(classifySocketError(error)).toBe('refused');
  });
});
