/**
 * Connection settings validation and the token store's binding of a token to connection + origin.
 * The store runs on in-memory implementations of VS Code's SecretStorage/Memento interfaces (plain
 * maps with the same contract), so the binding rules are tested without an editor; the VS Code
 * suite exercises the real SecretStorage.
 */
import * as assert from 'node:assert/strict';
import { parseConnections } from '../../../src/core/backend/parseConnections';
import { TokenStore } from '../../../src/host/backend/tokenStore';

class MemorySecrets {
  readonly map = new Map<string, string>();
  async get(k: string) {
    return this.map.get(k);
  }
  async store(k: string, v: string) {
    this.map.set(k, v);
  }
  async delete(k: string) {
    this.map.delete(k);
  }
}
class MemoryMemento {
  readonly map = new Map<string, unknown>();
  get<T>(k: string): T | undefined {
    return this.map.get(k) as T | undefined;
  }
  async update(k: string, v: unknown) {
    this.map.set(k, v);
  }
  keys() {
    return [...this.map.keys()];
  }
}

function store() {
  const secrets = new MemorySecrets();
  const memento = new MemoryMemento();
  return { secrets, memento, tokens: new TokenStore(secrets as unknown as ConstructorParameters<typeof TokenStore>[0], memento as unknown as ConstructorParameters<typeof TokenStore>[1]) };
}

describe('backend: connection settings', () => {
  it('keeps valid entries, drops broken ones and any token field, first duplicate name wins', () => {
    const got = parseConnections([
      { name: ' prod ', url: 'https://profiles-prod-001.grafana.net', auth: 'basic', user: '123', token: 'leak' },
      { name: 'prod', url: 'http://other', auth: 'none' },
      { name: 'local', url: 'http://localhost:4040', auth: 'weird', tenant: 't1' },
      { url: 'http://no-name' },
      'garbage',
      null,
      { name: 'x', url: 42 },
    ]);
    assert.deepEqual(got, [
      { name: 'prod', url: 'https://profiles-prod-001.grafana.net', auth: 'basic', user: '123', tenant: undefined },
      { name: 'local', url: 'http://localhost:4040', auth: 'none', user: undefined, tenant: 't1' },
    ]);
    assert.ok(!JSON.stringify(got).includes('leak'));
    assert.deepEqual(parseConnections({ not: 'an array' }), []);
  });
});

describe('backend: tokens bound to connection and origin', () => {
  const prod = { name: 'prod', url: 'https://profiles-prod-001.grafana.net/', auth: 'basic' as const, user: '123' };

  it('stores under connection + scheme://host:port and finds it again for any path on that origin', async () => {
    const { tokens, secrets } = store();
    await tokens.store(prod, 's3cret');
    assert.deepEqual([...secrets.map.keys()], ['profileLens.backendToken/prod/https://profiles-prod-001.grafana.net:443']);
    assert.deepEqual(await tokens.lookup({ ...prod, url: 'https://profiles-prod-001.grafana.net:443/other/path' }), { kind: 'found', token: 's3cret' });
  });

  it('a changed host, port or scheme does not get the token: the lookup says where the token belongs', async () => {
    const { tokens } = store();
    await tokens.store(prod, 's3cret');
    for (const url of ['https://evil.example', 'http://profiles-prod-001.grafana.net', 'https://profiles-prod-001.grafana.net:8443']) {
      const r = await tokens.lookup({ ...prod, url });
      assert.deepEqual(r, { kind: 'other-origin', origins: ['https://profiles-prod-001.grafana.net:443'] }, url);
    }
    assert.deepEqual(await tokens.lookup({ ...prod, name: 'other' }), { kind: 'none' }, 'another connection never sees it');
  });

  it('after the user agrees, the token is copied to the new origin (and only then found there)', async () => {
    const { tokens } = store();
    await tokens.store(prod, 's3cret');
    const moved = { ...prod, url: 'https://profiles-prod-002.grafana.net' };
    assert.equal(await tokens.moveTo(moved, 'https://profiles-prod-001.grafana.net:443'), 's3cret');
    assert.deepEqual(await tokens.lookup(moved), { kind: 'found', token: 's3cret' });
    await tokens.delete(prod);
    assert.deepEqual(await tokens.lookup(moved), { kind: 'none' });
    assert.deepEqual(await tokens.lookup(prod), { kind: 'none' });
  });

  it('the origin index in globalState holds origins only, never token values', async () => {
    const { tokens, memento } = store();
    await tokens.store(prod, 's3cret');
    assert.ok(!JSON.stringify([...memento.map.values()]).includes('s3cret'));
  });

  it('an invalid URL finds no token (and does not throw)', async () => {
    const { tokens } = store();
    assert.deepEqual(await tokens.lookup({ ...prod, url: 'not a url' }), { kind: 'none' });
  });
});
