import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { JwtVerifier } from './jwt-verifier';

/** A local HTTP server speaking the JWKS wire format, standing in for an identity provider. */
let server: http.Server;
let jwksUrl: string;
let rsa: { publicKey: KeyLike; privateKey: KeyLike };
let ec: { publicKey: KeyLike; privateKey: KeyLike };

beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  const rsaPublic = await exportJWK(rsa.publicKey);
  const ecPublic = await exportJWK(ec.publicKey);
  const keys = [
    { ...rsaPublic, kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...ecPublic, kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sign = (alg: 'RS256' | 'ES256', kid: string, key: KeyLike, { issuer = 'https://idp.test', audience = 'flock' } = {}) =>
  new SignJWT({ buckets: ['example'] })
    .setProtectedHeader({ alg, kid })
    .setSubject('alice')
    .setIssuer(issuer)
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(key);

describe('JWKS tokens, against a local JWKS server standing in for an identity provider', () => {
  const verifier = () => new JwtVerifier({ jwksUrl, issuer: 'https://idp.test', audience: 'flock' });

  it('accepts RS256 and ES256 tokens signed by a published key', async () => {
    await expect(verifier().verify(await sign('RS256', 'rsa-1', rsa.privateKey))).resolves.toEqual({
      kind: 'user',
      id: 'alice',
      buckets: ['example'],
      admin: false,
    });
    await expect(verifier().verify(await sign('ES256', 'ec-1', ec.privateKey))).resolves.toMatchObject({ id: 'alice' });
  });

  it('refuses a token signed by a key the JWKS does not publish', async () => {
    const stranger = await generateKeyPair('RS256');
    await expect(verifier().verify(await sign('RS256', 'rsa-1', stranger.privateKey))).rejects.toThrow('Invalid token');
  });

  it('checks issuer and audience when configured', async () => {
    const wrongIssuer = await sign('RS256', 'rsa-1', rsa.privateKey, { issuer: 'https://evil.test' });
    await expect(verifier().verify(wrongIssuer)).rejects.toThrow('Invalid token');
    const wrongAudience = await sign('RS256', 'rsa-1', rsa.privateKey, { audience: 'someone-else' });
    await expect(verifier().verify(wrongAudience)).rejects.toThrow('Invalid token');
  });

  it('refuses HS256 when only a JWKS is configured', async () => {
    const hs = await new SignJWT({ buckets: ['*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    await expect(verifier().verify(hs)).rejects.toThrow('Invalid token');
  });
});
