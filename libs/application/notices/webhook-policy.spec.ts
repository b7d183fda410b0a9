import { loadConfig, ROBOT_ENDPOINTS } from '#config/config.js';
import { AllowList, classifyAddress, ipBytes, PolicyError, WebhookPolicy } from './webhook-policy.js';

const strict = new WebhookPolicy({ allowHttp: false, allow: [], robotEndpoints: ROBOT_ENDPOINTS });

function reason(policy: WebhookPolicy, channel: 'webhook' | 'wecom' | 'dingtalk', url: string): string | null {
  try {
    policy.checkSubscriptionUrl(channel, url);
    return null;
  } catch (e) {
    if (e instanceof PolicyError) return e.reason;
    throw e;
  }
}

describe('addresses', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['169.254.169.254', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::8.8.8.8', 'reserved'],
    ['not an address', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['64:ff9b::808:808', 'public'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  test('IPv6 text forms parse to the same bytes', () => {
    expect(ipBytes('::ffff:127.0.0.1')).toEqual(ipBytes('::ffff:7f00:1'));
    expect(ipBytes('[::1]')?.bytes).toEqual([...Array(15).fill(0), 1]);
    expect(ipBytes('fe80::1%eth0')).toBeNull();
    expect(ipBytes('1.2.3')).toBeNull();
  });

  test('the allow-list: addresses, ranges (IPv4 also in IPv6 forms) and host names', () => {
    const allow = new AllowList(['10.1.2.3', '10.20.0.0/16', 'fd00::/8', 'hooks.internal', '[::1]']);
    expect(allow.allowsAddress('10.1.2.3')).toBe(true);
    expect(allow.allowsAddress('10.1.2.4')).toBe(false);
    expect(allow.allowsAddress('10.20.255.1')).toBe(true);
    expect(allow.allowsAddress('::ffff:10.20.0.7')).toBe(true);
    expect(allow.allowsAddress('10.21.0.1')).toBe(false);
    expect(allow.allowsAddress('fd12::1')).toBe(true);
    expect(allow.allowsAddress('::1')).toBe(true);
    expect(allow.allowsAddress('127.0.0.1')).toBe(false);
    expect(allow.allowsHost('HOOKS.internal.')).toBe(true);
    expect(allow.allowsHost('other.internal')).toBe(false);
  });
});

describe('URLs at subscribe time', () => {
  test('webhooks: https only by default; every spelling of an internal address is refused', () => {
    expect(reason(strict, 'webhook', 'https://hooks.example.com/in')).toBeNull();
    expect(reason(strict, 'webhook', 'http://hooks.example.com/in')).toMatch(/https/);
    expect(reason(strict, 'webhook', 'ftp://hooks.example.com/in')).toMatch(/https/);
    expect(reason(strict, 'webhook', 'nonsense')).toBe('is not a URL');
    expect(reason(strict, 'webhook', 'https://u:p@hooks.example.com/')).toMatch(/user name or password/);
    for (const [url, cls] of [
      ['https://127.0.0.1/', 'loopback'],
      ['https://2130706433/', 'loopback'],
      ['https://0x7f000001/', 'loopback'],
      ['https://0177.0.0.1/', 'loopback'],
      ['https://127.1/', 'loopback'],
      ['https://[::ffff:7f00:1]:5432/', 'loopback'],
      ['https://[::ffff:127.0.0.1]/', 'loopback'],
      ['https://[::1]/', 'loopback'],
      ['https://localhost/', 'loopback'],
      ['https://LocalHost./', 'loopback'],
      ['https://api.localhost/', 'loopback'],
      ['https://169.254.169.254/', 'link-local'],
      ['https://10.0.0.1/', 'private'],
      ['https://0.0.0.0/', 'unspecified'],
      ['https://[::]/', 'unspecified'],
    ] as const) {
      expect([url, reason(strict, 'webhook', url)]).toEqual([url, expect.stringContaining(`(${cls})`)]);
    }
  });

  test('the allow-list and WEBHOOK_ALLOW_HTTP open what they name, nothing else', () => {
    const p = new WebhookPolicy({
      allowHttp: true,
      allow: ['10.20.0.0/16', 'hooks.internal', 'localhost'],
      robotEndpoints: ROBOT_ENDPOINTS,
    });
    expect(reason(p, 'webhook', 'http://10.20.3.4:8080/in')).toBeNull();
    expect(reason(p, 'webhook', 'http://hooks.internal/in')).toBeNull();
    expect(reason(p, 'webhook', 'http://localhost:9000/in')).toBeNull();
    expect(reason(p, 'webhook', 'http://10.21.3.4/in')).toMatch(/\(private\)/);
    expect(reason(p, 'webhook', 'http://127.0.0.1/in')).toMatch(/\(loopback\)/);
    expect(p.refusal('hooks.internal', '10.9.9.9')).toBeNull();
    expect(p.refusal('other.example.com', '10.9.9.9')).toBe('refused address 10.9.9.9 (private)');
    expect(p.refusal('other.example.com', '::ffff:10.20.0.1')).toBeNull();
  });

  test('robots: exactly the official endpoint with its key', () => {
    const wecom = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc';
    const dingtalk = 'https://oapi.dingtalk.com/robot/send?access_token=abc';
    expect(reason(strict, 'wecom', wecom)).toBeNull();
    expect(reason(strict, 'dingtalk', dingtalk)).toBeNull();
    expect(reason(strict, 'wecom', 'https://qyapi.weixin.qq.com:443/cgi-bin/webhook/send?key=abc')).toBeNull();
    for (const url of [
      'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc',
      'https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=abc',
      'https://QYAPI.weixin.qq.com.evil.com/cgi-bin/webhook/send?key=abc',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc&debug=1',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send/../upload?key=abc',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?key=abc',
      dingtalk,
    ]) {
      expect([url, reason(strict, 'wecom', url)]).toEqual([url, expect.stringMatching(/^must be the WeCom robot/)]);
    }
    expect(reason(strict, 'dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=a&timestamp=1')).toMatch(
      /^must be the DingTalk robot/,
    );
    expect(reason(strict, 'dingtalk', wecom)).toMatch(/^must be the DingTalk robot/);
  });
});

describe('URLs at send time', () => {
  test('the shape is checked again (rows stored before the checks); addresses are left to the connection', () => {
    expect(() => strict.checkUrl('webhook', 'http://hooks.example.com/in')).toThrow(/https/);
    expect(() => strict.checkUrl('wecom', 'http://127.0.0.1:5432/cgi-bin/webhook/send?key=x')).toThrow(
      /^must be the WeCom robot's URL https:\/\/qyapi\.weixin\.qq\.com\/cgi-bin\/webhook\/send\?key=…$/,
    );
    // The address is refused by the connection check (safe-request.ts), with its own message.
    expect(strict.checkUrl('webhook', 'https://127.0.0.1/').hostname).toBe('127.0.0.1');
    expect(strict.refusal('127.0.0.1', '127.0.0.1')).toBe('refused address 127.0.0.1 (loopback)');
  });
});

describe('settings', () => {
  test('WEBHOOK_ALLOW, WEBHOOK_ALLOW_HTTP and SECRETS_KEY are parsed and checked', () => {
    const c = loadConfig({
      WEBHOOK_ALLOW: ' 10.1.2.3, 10.20.0.0/16 ,Hooks.Internal,[fd00::1],fd00::/8',
      WEBHOOK_ALLOW_HTTP: 'on',
      SECRETS_KEY: 'ab'.repeat(32),
    });
    expect(c.webhookAllow).toEqual(['10.1.2.3', '10.20.0.0/16', 'hooks.internal', '[fd00::1]', 'fd00::/8']);
    expect(c.webhookAllowHttp).toBe(true);
    expect(c.secretsKey).toEqual(Buffer.alloc(32, 0xab));
    expect(loadConfig({ SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }).secretsKey).toEqual(Buffer.alloc(32, 7));
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({ webhookAllow: [], webhookAllowHttp: false, robotEndpoints: ROBOT_ENDPOINTS });
    expect(defaults.secretsKey).toBeUndefined();
    expect(() => loadConfig({ WEBHOOK_ALLOW: '10.0.0.0/33' })).toThrow(/WEBHOOK_ALLOW/);
    expect(() => loadConfig({ WEBHOOK_ALLOW: 'http://x' })).toThrow(/WEBHOOK_ALLOW/);
    expect(() => loadConfig({ WEBHOOK_ALLOW: '10.0.0' })).toThrow(/WEBHOOK_ALLOW/);
    expect(() => loadConfig({ WEBHOOK_ALLOW_HTTP: 'yes' })).toThrow(/WEBHOOK_ALLOW_HTTP/);
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrow(/SECRETS_KEY must be 32 bytes/);
    expect(() => loadConfig({ SECRETS_KEY: 'ab'.repeat(31) })).toThrow(/SECRETS_KEY/);
  });
});
