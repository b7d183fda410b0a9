/**
 * Secrets kept at rest encrypted (a DingTalk robot's 加签 secret): AES-256-GCM with a 96-bit
 * random IV, stored as `v1.{key id}.{iv}.{tag}.{ciphertext}` (base64url; the key id is the first
 * 8 hex digits of the key's SHA-256, so a value encrypted with another key is told apart).
 *
 * The key: SECRETS_KEY (32 bytes) when set. Otherwise, on the embedded database, a key generated
 * once and kept in `paceline-secrets.key` in the data folder (mode 0600; a copy of the folder
 * keeps it with the data); in memory (`memory://`) a key for the process's life. With
 * DATABASE_URL and no SECRETS_KEY there is no key: a secret is refused when subscribing, and one
 * stored earlier cannot be read.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRETS_KEY_FILE = 'paceline-secrets.key';
const AAD = Buffer.from('paceline subscription secret v1');

export interface SecretKeySource {
  /** SECRETS_KEY. */
  key?: Buffer;
  /** Set: PostgreSQL, where no key is made up. */
  databaseUrl?: string;
  /** The embedded database's folder ('memory://': nothing on disk). */
  dataDir: string;
}

/** No key to encrypt or decrypt with, or a value that does not decrypt; the message says which. */
export class SecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsError';
  }
}

const b64 = (b: Buffer) => b.toString('base64url');
const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** The key file in the data folder: read, or made (0600) on first use. */
function fileKey(dataDir: string): Buffer {
  const path = join(dataDir, SECRETS_KEY_FILE);
  const read = (): Buffer => {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new SecretsError(`${path} does not hold a 32-byte key (64 hex digits)`);
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return key;
  };
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first
  }
  return read();
}

export class SecretBox {
  private cached: Buffer | null | undefined;

  constructor(private readonly source: SecretKeySource) {}

  /** Whether secrets can be stored (a key is configured, or the embedded database keeps one). */
  get canStore(): boolean {
    return this.source.key !== undefined || !this.source.databaseUrl;
  }

  private key(): Buffer | null {
    if (this.cached !== undefined) return this.cached;
    this.cached = this.source.key
      ? this.source.key
      : this.source.databaseUrl
        ? null
        : this.source.dataDir === 'memory://'
          ? randomBytes(32)
          : fileKey(this.source.dataDir);
    return this.cached;
  }

  private requireKey(): Buffer {
    const key = this.key();
    if (!key)
      throw new SecretsError(
        'no key for secrets: set SECRETS_KEY (32 bytes, base64 or 64 hex digits), the same for the API and the worker',
      );
    return key;
  }

  encrypt(plain: string): string {
    const key = this.requireKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(AAD);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', keyId(key), b64(iv), b64(cipher.getAuthTag()), b64(data)].join('.');
  }

  decrypt(stored: string): string {
    const key = this.requireKey();
    const [version, id, iv, tag, data] = stored.split('.');
    if (version !== 'v1' || !id || iv === undefined || tag === undefined || data === undefined)
      throw new SecretsError('the stored secret is not in a known format');
    if (id !== keyId(key))
      throw new SecretsError('the stored secret was encrypted with another key (was SECRETS_KEY changed?)');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(AAD);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsError('the stored secret could not be decrypted (damaged)');
    }
  }
}
