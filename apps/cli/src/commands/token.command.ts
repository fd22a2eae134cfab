import { Command } from 'commander';
import { identityFromClaims, ROLES } from '@customs/platform';
import { authKeyPaths, mintToken, TokenClaims } from '../../../../libs/stack/src/auth-keys';

const TTL = /^(\d+)(s|m|h|d)?$/;

/** The options of `customs token`, checked: every problem named, nothing minted on a bad one. */
export function tokenClaimsFromOptions(opts: {
  role: string[];
  sub: string;
  declarant?: string;
  borderPost?: string;
  ttl: string;
}): { ok: true; claims: TokenClaims; ttl: string } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const roles = opts.role.flatMap((r) => r.split(',')).map((r) => r.trim());
  for (const r of roles)
    if (!(ROLES as readonly string[]).includes(r))
      problems.push(`--role ${r}: unknown role (one of ${ROLES.join(', ')})`);
  if (!TTL.test(opts.ttl)) problems.push(`--ttl ${opts.ttl}: a duration such as 900, 30m, 1h, 7d`);
  const claims: TokenClaims = {
    sub: opts.sub,
    roles,
    ...(opts.declarant !== undefined ? { declarantId: opts.declarant } : {}),
    ...(opts.borderPost !== undefined ? { borderPost: opts.borderPost } : {}),
  };
  if (problems.length === 0) {
    // The same check the services make, so a token minted here is one they accept.
    const checked = identityFromClaims({ ...claims });
    if (!checked.ok) problems.push(checked.reason);
  }
  if (problems.length > 0) return { ok: false, problems };
  const [, n, unit] = TTL.exec(opts.ttl)!;
  return { ok: true, claims, ttl: `${n}${unit ?? 's'}` };
}

/**
 * The Authorization header for a CLI command calling a service: `CUSTOMS_TOKEN` when set
 * (a token from the administration's identity provider), else a short-lived token minted
 * with the local stack's key for the given identity.
 */
export async function cliAuthorization(claims: TokenClaims): Promise<{ authorization: string }> {
  const token = process.env.CUSTOMS_TOKEN || (await mintToken(claims, { ttl: '15m' }));
  return { authorization: `Bearer ${token}` };
}

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description(
      "mint a JWT for the services' HTTP APIs with the local stack's private key (development and tests)",
    )
    .requiredOption(
      '--role <role>',
      `role, repeatable or comma-separated: ${ROLES.join(', ')}`,
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .requiredOption('--sub <subject>', 'who: an officer id, a system or a user name')
    .option('--declarant <id>', 'declarant id (EORI), required with --role declarant')
    .option('--border-post <id>', 'border post id, required with --role border-post')
    .option('--ttl <duration>', 'lifetime: seconds, or 30m, 1h, 7d', '1h')
    .option('--json', 'print {token, claims, expiresIn, publicKeyFile}')
    .action(
      async (opts: {
        role: string[];
        sub: string;
        declarant?: string;
        borderPost?: string;
        ttl: string;
        json?: boolean;
      }) => {
        const checked = tokenClaimsFromOptions(opts);
        if (!checked.ok) {
          process.stderr.write(`token: ${checked.problems.join('; ')}\n`);
          process.exitCode = 2;
          return;
        }
        const token = await mintToken(checked.claims, { ttl: checked.ttl });
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({
              token,
              claims: checked.claims,
              expiresIn: checked.ttl,
              publicKeyFile: authKeyPaths().publicKey,
            })}\n`,
          );
        else process.stdout.write(`${token}\n`);
      },
    );
}
