/**
 * What a TLS session tells about the server's certificates, as plain data (it travels through
 * Redis): the chain, trust, name match, and the bytes DANE needs.
 */
import { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import type { CertificateInfo } from '../diagnosis/smtp-port.js';

/** Leaf first. Node links each certificate to its issuer; a root links to itself, so stop there or at any loop. */
export function peerChain(socket: tls.TLSSocket): tls.DetailedPeerCertificate[] {
  const chain: tls.DetailedPeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  // An empty object (no `raw`) means the server sent no certificate.
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    chain.push(cert);
    seen.add(cert.fingerprint256);
    cert = cert.issuerCertificate;
  }
  return chain;
}

export function describeCertificate(raw: Buffer): CertificateInfo {
  const x509 = new X509Certificate(raw);
  return {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    names: certificateNames(x509),
    validFrom: isoDate(x509.validFrom),
    validTo: isoDate(x509.validTo),
    selfSigned: isSelfSigned(x509),
    der: raw.toString('base64'),
    // DANE selector 1 hashes the DER SubjectPublicKeyInfo (RFC 6698 §1.1.3).
    spki: x509.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    fingerprintSha256: x509.fingerprint256,
  };
}

/** RFC 6125 §6.4.4: the CN counts only when there are no DNS names in subjectAltName. */
function certificateNames(x509: X509Certificate): string[] {
  const dns = splitAltNames(x509.subjectAltName ?? '')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => unquote(entry.slice(4)));
  if (dns.length > 0) return dns;
  const cn = x509.subject.split('\n').find((part) => part.startsWith('CN='));
  return cn === undefined ? [] : [cn.slice(3)];
}

/** Node quotes (JSON-style) any entry holding a comma or quote, so split outside quotes only. */
function splitAltNames(text: string): string[] {
  return (text.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [])
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return String(JSON.parse(value));
  } catch {
    return value;
  }
}

/** Self-issued is not enough: the signature must verify with the certificate's own key. */
function isSelfSigned(x509: X509Certificate): boolean {
  if (x509.subject !== x509.issuer) return false;
  try {
    return x509.verify(x509.publicKey);
  } catch {
    return false;
  }
}

/** Node gives 'CN=a\nO=b'; evidence reads better on one line. */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

/** Node 20 gives OpenSSL's 'Jan  1 00:00:00 2030 GMT'; keep the text if it ever stops parsing. */
function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}
