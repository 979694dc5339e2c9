import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A throwaway certificate authority for local mTLS (npm run prod-local -- --tls, and the tests): a CA,
// a server certificate for the loopback names, and a client certificate, made with openssl.

export interface TlsFiles {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function tlsFiles(dir: string): TlsFiles {
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-key.pem'),
  };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates the files in dir (kept when already there), readable by the owner only. */
export function ensureTlsFiles(dir: string): TlsFiles {
  const files = tlsFiles(dir);
  if (Object.values(files).every((path: string) => existsSync(path))) return files;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = (name: string) =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name], dir);
  key('ca-key.pem');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca-key.pem',
      '-days',
      '30',
      '-subj',
      '/CN=redis-dts-sync local CA',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  const leaf = (name: string, cn: string, extensions: string) => {
    key(`${name}-key.pem`);
    openssl(['req', '-new', '-key', `${name}-key.pem`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-days',
        '30',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      ],
      dir,
    );
  };
  leaf(
    'server',
    'localhost',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' +
      'subjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  leaf(
    'client',
    'redis-dts-sync',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n',
  );
  for (const name of ['server.csr', 'server.ext', 'client.csr', 'client.ext', 'ca.srl']) rmSync(join(dir, name));
  return files;
}
