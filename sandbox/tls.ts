// The sandbox's self-signed serving certificate for localhost and 127.0.0.1, kept beside
// the kubeconfig so a restarted sandbox stays trusted by the kubeconfig written before.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import selfsigned from 'selfsigned';

export interface Certificate {
  key: string;
  cert: string;
}

function stillValid(certificate: Certificate): boolean {
  try {
    const x509 = new X509Certificate(certificate.cert);
    return Date.parse(x509.validTo) > Date.now() + 24 * 3600_000 && x509.checkIP('127.0.0.1') !== undefined;
  } catch {
    return false;
  }
}

export async function loadOrCreateCertificate(cachePath: string | undefined): Promise<Certificate> {
  if (cachePath && existsSync(cachePath)) {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as Certificate;
    if (stillValid(cached)) return cached;
  }
  const notBeforeDate = new Date(Date.now() - 3600_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'meshdeck-sandbox' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const certificate = { key: pems.private, cert: pems.cert };
  if (cachePath) {
    mkdirSync(dirname(cachePath), { recursive: true });
    writeFileSync(cachePath, JSON.stringify(certificate), { mode: 0o600 });
  }
  return certificate;
}
