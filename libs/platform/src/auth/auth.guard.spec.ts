import 'reflect-metadata';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { Controller, ForbiddenException, Get, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { SignJWT } from 'jose';
import { AuthGuard, AuthenticatedRequest } from './auth.guard';
import { Public, Roles } from './auth.decorators';
import { JwtVerifier } from './jwt.verifier';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const verifier = new JwtVerifier({
  publicKey: keys.publicKey,
  algorithm: 'EdDSA',
  issuer: 'iss-test',
  audience: 'aud-test',
  clockToleranceSeconds: 0,
  keySource: 'test',
});
const guard = new AuthGuard(new Reflector(), verifier);

@Controller('x')
@Roles('officer', 'admin')
class SampleController {
  @Get('a')
  officerOnly() {}

  @Get('b')
  @Roles('auditor')
  auditorOnly() {}

  @Get('health')
  @Public()
  open() {}
}

@Controller('y')
class UnannotatedController {
  @Get()
  forgotten() {}
}

function sign(
  claims: Record<string, unknown>,
  opts: { key?: KeyObject; iss?: string; aud?: string; exp?: number | string; alg?: string } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'EdDSA' })
    .setIssuer(opts.iss ?? 'iss-test')
    .setAudience(opts.aud ?? 'aud-test')
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? '5m');
  return jwt.sign(opts.key ?? keys.privateKey);
}

function call(
  controller: new () => object,
  method: string,
  authorization?: string,
): { run: Promise<boolean>; req: AuthenticatedRequest; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const req = { headers: authorization ? { authorization } : {} } as AuthenticatedRequest;
  const res = { setHeader: (k: string, v: string) => (headers[k] = v) };
  const handler = (controller.prototype as Record<string, () => void>)[method];
  const ctx = new ExecutionContextHost([req, res], controller, handler);
  ctx.setType('http');
  return { run: guard.canActivate(ctx), req, headers };
}

const officer = { sub: 'OFFICER-1', roles: ['officer'] };

describe('AuthGuard', () => {
  it('lets a public route through without a token', async () => {
    await expect(call(SampleController, 'open').run).resolves.toBe(true);
  });

  it('closes a route that declares nothing, even to an admin (fail closed)', async () => {
    const token = await sign({ sub: 'root', roles: ['admin'] });
    await expect(call(UnannotatedController, 'forgotten', `Bearer ${token}`).run).rejects.toThrow(
      ForbiddenException,
    );
  });

  it('admits a valid token with the role and sets the identity', async () => {
    const c = call(SampleController, 'officerOnly', `Bearer ${await sign(officer)}`);
    await expect(c.run).resolves.toBe(true);
    expect(c.req.identity).toEqual({ sub: 'OFFICER-1', roles: ['officer'] });
  });

  it('lets the method rule override the controller rule', async () => {
    const token = `Bearer ${await sign(officer)}`;
    await expect(call(SampleController, 'auditorOnly', token).run).rejects.toThrow(
      /requires the role auditor; the token has officer/,
    );
  });

  it('answers 401 with WWW-Authenticate without a token', async () => {
    const c = call(SampleController, 'officerOnly');
    await expect(c.run).rejects.toThrow(UnauthorizedException);
    expect(c.headers['WWW-Authenticate']).toMatch(/^Bearer /);
  });

  it.each([
    ['another key', () => sign(officer, { key: other.privateKey }), /signature/],
    [
      'an expired token',
      () => sign(officer, { exp: Math.floor(Date.now() / 1000) - 10 }),
      /expired/,
    ],
    ['another issuer', () => sign(officer, { iss: 'evil' }), /iss/],
    ['another audience', () => sign(officer, { aud: 'other' }), /aud/],
    ['no role we know', () => sign({ sub: 'x', roles: ['superuser'] }), /roles must include/],
    ['a declarant without its id', () => sign({ sub: 'x', roles: ['declarant'] }), /declarantId/],
    [
      'alg none',
      async () => {
        const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${b64({ alg: 'none' })}.${b64({ ...officer, iss: 'iss-test', aud: 'aud-test', exp: now + 60 })}.x`;
      },
      /algorithm|well-formed|verified|signature/,
    ],
    [
      'HS256 with the public key as the secret',
      () =>
        new SignJWT(officer)
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('iss-test')
          .setAudience('aud-test')
          .setExpirationTime('5m')
          .sign(new Uint8Array(keys.publicKey.export({ format: 'der', type: 'spki' }))),
      /algorithm/,
    ],
  ])('refuses %s with 401', async (_, token, reason) => {
    const c = call(SampleController, 'officerOnly', `Bearer ${await token()}`);
    await expect(c.run).rejects.toThrow(UnauthorizedException);
    await expect(c.run).rejects.toThrow(reason);
  });

  it('refuses a token without an expiry', async () => {
    const token = await new SignJWT(officer)
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('iss-test')
      .setAudience('aud-test')
      .sign(keys.privateKey);
    await expect(call(SampleController, 'officerOnly', `Bearer ${token}`).run).rejects.toThrow(
      /exp/,
    );
  });

  it.each(['Basic abc', 'Bearer', 'Bearer a.b', 'bearer x.y.z extra', 'Bearer x.y.z'])(
    'refuses the header %j with 401',
    async (header) => {
      await expect(call(SampleController, 'officerOnly', header).run).rejects.toThrow(
        UnauthorizedException,
      );
    },
  );

  it('does not guard Kafka handlers (the broker does)', async () => {
    const ctx = new ExecutionContextHost([{}], UnannotatedController, () => undefined);
    ctx.setType('rpc');
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
  });
});
