import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, SECRETS_KEY_FILE } from './secrets.js';

const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';

describe('secrets at rest', () => {
  test('AES-256-GCM: round trip, a new IV each time, no trace of the secret, tampering detected', () => {
    const box = new SecretBox({ key: randomBytes(32), dataDir: 'memory://' });
    const a = box.encrypt(SECRET);
    const b = box.encrypt(SECRET);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain(SECRET.slice(3, 15));
    expect(box.decrypt(a)).toBe(SECRET);
    const parts = a.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow(/could not be decrypted/);
    expect(() => new SecretBox({ key: randomBytes(32), dataDir: 'memory://' }).decrypt(a)).toThrow(/another key/);
  });

  test('embedded default: a key made once in the data folder, mode 0600, used again by the next process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paceline-secrets-'));
    try {
      const stored = new SecretBox({ dataDir: dir }).encrypt(SECRET);
      const file = join(dir, SECRETS_KEY_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
      expect(new SecretBox({ dataDir: dir }).decrypt(stored)).toBe(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL without SECRETS_KEY: nothing can be stored, and the error says what to set', () => {
    const box = new SecretBox({ databaseUrl: 'postgres://db/x', dataDir: './data/pglite' });
    expect(box.canStore).toBe(false);
    expect(() => box.encrypt(SECRET)).toThrow(/set SECRETS_KEY/);
    expect(new SecretBox({ databaseUrl: 'postgres://db/x', dataDir: 'x', key: randomBytes(32) }).canStore).toBe(true);
  });
});
