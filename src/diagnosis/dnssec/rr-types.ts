/** The RR type numbers DNSSEC validation deals in (IANA "Resource Record (RR) TYPEs"). */
export const RR_TYPE: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  DNAME: 39,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  CDS: 59,
  CDNSKEY: 60,
};

export function typeCode(type: string): number {
  const code = RR_TYPE[type.toUpperCase()] ?? /^TYPE(\d+)$/i.exec(type)?.[1];
  if (code === undefined) throw new RangeError(`unknown RR type ${type}`);
  return Number(code);
}

export function typeName(code: number): string {
  return Object.entries(RR_TYPE).find(([, n]) => n === code)?.[0] ?? `TYPE${code}`;
}
