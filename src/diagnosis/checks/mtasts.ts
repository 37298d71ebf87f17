import type { Check, CheckContext } from '../check.js';
import type { QueryOutcome } from '../dns-lookups.js';
import type { MxRecord } from '../domain-facts.js';
import { isIpAddress } from '../domain-name.js';
import { finding, type Finding } from '../finding.js';
import type { HttpsFailure, HttpsFetcher, HttpsResponse, HttpsResult } from '../https-port.js';
import { inconclusive } from '../lookup-failure.js';
import { policyHostAddresses } from '../mta-sts-host.js';
import { coveringPattern, parseMtaStsPolicy, type MtaStsPolicy } from '../mta-sts-policy.js';
import { isMtaStsRecord, parseMtaStsRecord, type MtaStsRecord } from '../mta-sts-record.js';
import { txtRecords } from '../txt-records.js';

/** RFC 8461 §3.3: "a reasonable maximum policy size is 64 kilobytes", "a reasonable timeout is one minute". */
export const POLICY_MAX_BYTES = 64 * 1024;
export const POLICY_TIMEOUT_MS = 60_000;

/** Failures that say nothing about the partner's setup: we could not tell. */
const UNDECIDED: ReadonlySet<HttpsFailure['failure']> = new Set(['timeout', 'name-lookup-failed', 'other']);

export function policyUrl(domain: string): string {
  return `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
}

/**
 * MTA-STS (RFC 8461): one valid TXT record at _mta-sts.<domain>, a policy served over HTTPS with a
 * valid certificate for mta-sts.<domain>, and every MX host named by one of its mx patterns.
 */
export const mtaStsCheck: Check = {
  name: 'mta-sts',
  async run(context: CheckContext): Promise<Finding[]> {
    const { domain, dns } = context;
    const name = `_mta-sts.${domain}`;
    const outcome = await dns.recursive(name, 'TXT');
    const failed = inconclusive(outcome, name, 'mtasts');
    if (failed) return [failed];
    const records = txtRecords(outcome).filter(isMtaStsRecord);
    if (records.length === 0) {
      return [
        finding({
          id: 'mtasts.missing',
          status: 'info',
          subject: domain,
          summary: `${domain} publishes no MTA-STS record, so senders may deliver to it without TLS or with any certificate.`,
          evidence: { name, rcode: outcome.ok ? outcome.reply.rcode : null, txtRecords: txtRecords(outcome) },
          remedy: `To require authenticated TLS from senders, serve a policy at ${policyUrl(domain)} and publish a TXT record "v=STSv1; id=<policy version>" at ${name}.`,
          ref: 'RFC 8461 §3.1',
        }),
      ];
    }
    if (records.length > 1) {
      return [
        finding({
          id: 'mtasts.multiple-records',
          status: 'fail',
          subject: name,
          summary: `${name} holds ${records.length} MTA-STS records, so senders treat ${domain} as having no MTA-STS policy at all.`,
          evidence: { name, records, count: records.length },
          remedy: `Keep exactly one TXT record starting with "v=STSv1;" at ${name}.`,
          ref: 'RFC 8461 §3.1',
        }),
      ];
    }
    const text = records[0] ?? '';
    const parsed = parseMtaStsRecord(text);
    if (!parsed.ok) {
      return [
        finding({
          id: 'mtasts.syntax',
          status: 'fail',
          subject: name,
          summary: `The MTA-STS record at ${name} is invalid, so senders ignore the policy: ${parsed.errors[0]?.message ?? ''}.`,
          evidence: { name, record: text, errors: parsed.errors.map((e) => ({ field: e.field, message: e.message })) },
          remedy: 'Publish the record as "v=STSv1; id=<1 to 32 letters and digits>", fields separated by ";".',
          ref: 'RFC 8461 §3.1',
        }),
      ];
    }
    if (!context.https) {
      return [
        finding({
          id: 'mtasts.skipped',
          status: 'skipped',
          subject: domain,
          summary: `${domain} publishes an MTA-STS record (id ${parsed.record.id}), but this run makes no HTTPS requests, so its policy was not fetched.`,
          evidence: { name, record: text, url: policyUrl(domain) },
          ref: 'RFC 8461 §3.3',
        }),
      ];
    }
    const [result, mx] = await Promise.all([fetchPolicy(context, context.https), context.facts.mx()]);
    const body = policyBody(domain, result);
    if (typeof body !== 'string') return [body];
    const policy = parseMtaStsPolicy(body);
    if (!policy.ok) {
      return [
        finding({
          id: 'mtasts.policy-invalid',
          status: 'fail',
          subject: `mta-sts.${domain}`,
          summary: `The MTA-STS policy at ${policyUrl(domain)} is invalid, so senders cannot use it: ${policy.errors[0]?.message ?? ''}.`,
          evidence: {
            url: policyUrl(domain),
            body: body.slice(0, 2048),
            errors: policy.errors.map((e) => ({ field: e.field, message: e.message })),
          },
          remedy:
            'Serve lines "version: STSv1", "mode: enforce|testing|none", "max_age: <seconds>" and one "mx: <host or *.domain>" per MX host, each on its own line.',
          ref: 'RFC 8461 §3.2',
        }),
      ];
    }
    return judgePolicy(context, parsed.record, policy.policy, mx);
  },
};

/** GETs the policy from the addresses the run's own DNS gives for mta-sts.<domain>. */
async function fetchPolicy(context: CheckContext, https: HttpsFetcher): Promise<HttpsResult> {
  const url = policyUrl(context.domain);
  const host = await policyHostAddresses(context.facts, `mta-sts.${context.domain}`, url);
  if (!host.ok) return host;
  return https.fetch(url, { timeoutMs: POLICY_TIMEOUT_MS, maxBytes: POLICY_MAX_BYTES, addresses: host.addresses });
}

/** The policy text, or the finding that says why there is none. */
function policyBody(domain: string, result: HttpsResult): string | Finding {
  const url = policyUrl(domain);
  const subject = `mta-sts.${domain}`;
  if (!result.ok) {
    if (UNDECIDED.has(result.failure)) {
      return finding({
        id: 'mtasts.policy-fetch-error',
        status: 'error',
        subject,
        summary: `Fetching ${url} ${result.failure === 'timeout' ? `did not complete in ${Math.round(POLICY_TIMEOUT_MS / 1000)} s` : `failed (${result.detail})`}, so the MTA-STS policy could not be checked.`,
        evidence: fetchEvidence(result),
        remedy: `Re-run the check; if it persists, check that ${subject} answers HTTPS promptly.`,
        ref: 'RFC 8461 §3.3',
      });
    }
    return finding({
      id: 'mtasts.policy-unreachable',
      status: 'fail',
      subject,
      summary: `${domain} publishes an MTA-STS record but its policy cannot be fetched from ${url} (${describeFailure(domain, result)}), so senders apply no policy.`,
      evidence: fetchEvidence(result),
      remedy: unreachableRemedy(domain, result),
      ref: 'RFC 8461 §3.3',
    });
  }
  if (result.status !== 200) {
    const redirect = result.status >= 300 && result.status < 400;
    return finding({
      id: 'mtasts.policy-unreachable',
      status: 'fail',
      subject,
      summary: `${url} answered HTTP ${result.status}${redirect ? ` redirecting to ${result.location ?? '(no Location)'}, which senders must not follow` : ' instead of 200'}, so senders apply no policy.`,
      evidence: fetchEvidence(result),
      remedy: redirect
        ? `Serve the policy at ${url} itself with status 200; senders never follow redirects.`
        : `Serve the policy at ${url} with status 200.`,
      ref: 'RFC 8461 §3.3',
    });
  }
  const mediaType = (result.contentType ?? '').split(';', 1)[0]?.trim().toLowerCase();
  const problem =
    mediaType !== 'text/plain'
      ? `it is served as ${result.contentType === undefined ? 'no Content-Type' : `"${result.contentType}"`}, not text/plain`
      : result.truncated
        ? `it is larger than ${POLICY_MAX_BYTES / 1024} KiB`
        : undefined;
  if (problem) {
    return finding({
      id: 'mtasts.policy-invalid',
      status: 'fail',
      subject,
      summary: `The MTA-STS policy at ${url} is unusable: ${problem}.`,
      evidence: { ...fetchEvidence(result), body: result.body.slice(0, 2048) },
      remedy:
        mediaType !== 'text/plain'
          ? 'Serve the file with "Content-Type: text/plain".'
          : `Keep the policy under ${POLICY_MAX_BYTES / 1024} KiB: one "mx:" line per pattern, wildcards for large MX sets.`,
      ref: 'RFC 8461 §3.3',
    });
  }
  return result.body;
}

function judgePolicy(
  context: CheckContext,
  record: MtaStsRecord,
  policy: MtaStsPolicy,
  mx: { readonly outcome: QueryOutcome; readonly records: readonly MxRecord[] },
): Finding[] {
  const { domain } = context;
  const where = { url: policyUrl(domain), id: record.id, mode: policy.mode, maxAge: policy.maxAge, mx: [...policy.mx] };
  const findings: Finding[] = [];
  if (policy.mode === 'enforce') {
    findings.push(
      finding({
        id: 'mtasts.enforce',
        status: 'info',
        subject: domain,
        summary: `The MTA-STS policy of ${domain} is in enforce mode: senders that support MTA-STS deliver only over TLS with a publicly trusted certificate, and only to MX hosts the policy names.`,
        evidence: where,
        ref: 'RFC 8461 §5',
      }),
    );
  }
  if (policy.mode !== 'none') {
    const failed = inconclusive(mx.outcome, domain);
    if (failed) findings.push(failed);
    else
      findings.push(
        ...uncoveredHosts(domain, policy, mxHosts(domain, mx.records, mx.outcome.ok ? mx.outcome.reply.rcode : '')),
      );
  }
  if (!findings.some((f) => f.status === 'error' || f.status === 'fail' || f.status === 'warn')) {
    findings.push(
      finding({
        id: 'mtasts.ok',
        status: 'pass',
        subject: domain,
        summary: `MTA-STS policy ${record.id} for ${domain}: mode ${policy.mode}, max_age ${policy.maxAge} s${policy.mode === 'none' ? '' : ', covering every MX host'}.`,
        evidence: where,
        ref: 'RFC 8461 §3.2',
      }),
    );
  }
  return findings;
}

/** The hosts mail goes to: the MX targets, or the domain itself under implicit MX (RFC 8461 §4.1 matches both). */
function mxHosts(domain: string, records: readonly MxRecord[], rcode: string): string[] {
  if (records.length === 0) return rcode === 'NOERROR' ? [domain] : [];
  return [
    ...new Set(records.map((r) => r.exchange.toLowerCase()).filter((h) => h !== '' && h !== '.' && !isIpAddress(h))),
  ];
}

function uncoveredHosts(domain: string, policy: MtaStsPolicy, hosts: readonly string[]): Finding[] {
  return hosts
    .filter((host) => coveringPattern(policy.mx, host) === undefined)
    .map((host) =>
      finding({
        id: 'mtasts.mx-not-covered',
        status: 'fail',
        subject: host,
        summary:
          policy.mode === 'enforce'
            ? `MX host ${host} matches no mx pattern of the enforced MTA-STS policy, so senders that support MTA-STS refuse to deliver to it.`
            : `MX host ${host} matches no mx pattern of the MTA-STS policy; in testing mode senders still deliver but report a failure, and in enforce mode they would refuse.`,
        evidence: { host, mxHost: host, mode: policy.mode, patterns: [...policy.mx], url: policyUrl(domain) },
        remedy: `Add "mx: ${host}" (or a "*." pattern covering it) to the policy, then change the id in the _mta-sts.${domain} TXT record so senders fetch it again.`,
        ref: 'RFC 8461 §4.1',
      }),
    );
}

function describeFailure(domain: string, result: HttpsFailure): string {
  switch (result.failure) {
    case 'certificate':
      return `its certificate is not valid for mta-sts.${domain}: ${result.code ?? result.detail}`;
    case 'name-not-found':
      return 'the host name does not resolve';
    case 'non-public-address':
      return 'the host name resolves only to non-public addresses';
    case 'refused':
      return 'connection refused on port 443';
    default:
      return `${result.failure}: ${result.code ?? result.detail}`;
  }
}

function unreachableRemedy(domain: string, result: HttpsFailure): string {
  const host = `mta-sts.${domain}`;
  switch (result.failure) {
    case 'certificate':
      return `Serve ${host} with a certificate from a public CA that names ${host} (subjectAltName), unexpired, with its intermediate certificates.`;
    case 'name-not-found':
      return `Publish an A/AAAA (or CNAME) record for ${host} pointing at the web server that serves the policy.`;
    case 'non-public-address':
      return `Point ${host} at a public address: senders on the internet must be able to reach it.`;
    default:
      return `Make ${host} answer HTTPS on port 443 with the policy at /.well-known/mta-sts.txt.`;
  }
}

function fetchEvidence(result: HttpsResult): { [key: string]: string | number | boolean | null } {
  if (!result.ok)
    return {
      url: result.url,
      failure: result.failure,
      code: result.code ?? null,
      detail: result.detail,
      ms: Math.round(result.ms),
    };
  const response: HttpsResponse = result;
  return {
    url: response.url,
    status: response.status,
    contentType: response.contentType ?? null,
    location: response.location ?? null,
    bytes: response.bytes,
    truncated: response.truncated,
    ms: Math.round(response.ms),
  };
}
