import 'reflect-metadata';
import { Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { IntakeModule } from '../../../../apps/intake/src/intake.module';
import { ReleaseModule } from '../../../../apps/release/src/release.module';
import { RiskModule } from '../../../../apps/risk/src/risk.module';
import { ValuationModule } from '../../../../apps/valuation/src/valuation.module';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { ROLES } from './identity';

type ModuleLike = Type<unknown> | { module: Type<unknown>; controllers?: Type<unknown>[] };

/** Every controller a module brings, through its imports (static and dynamic). */
function controllersOf(mod: ModuleLike, seen = new Set<unknown>()): Type<unknown>[] {
  const cls = 'module' in mod ? mod.module : mod;
  if (seen.has(mod)) return [];
  seen.add(mod);
  const own: Type<unknown>[] = [
    ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) as Type<unknown>[]) ?? []),
    ...('module' in mod ? (mod.controllers ?? []) : []),
  ];
  const imports = [
    ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) as ModuleLike[]) ?? []),
    ...('module' in mod
      ? (((mod as { imports?: ModuleLike[] }).imports ?? []) as ModuleLike[])
      : []),
  ].filter(
    (m) => typeof m === 'function' || (typeof m === 'object' && m !== null && 'module' in m),
  );
  return [...own, ...imports.flatMap((m) => controllersOf(m, seen))];
}

interface Route {
  app: string;
  route: string;
  roles?: string[];
  isPublic: boolean;
}

function routesOf(app: string, mod: ModuleLike): Route[] {
  const routes: Route[] = [];
  for (const controller of controllersOf(mod)) {
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      if (name === 'constructor') continue;
      const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value;
      if (typeof handler !== 'function') continue;
      // HTTP routes only: Kafka handlers (@EventPattern) carry no request method.
      if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string;
      routes.push({
        app,
        route: `${controller.name}.${name} ${base ?? ''}/${path}`,
        roles:
          (Reflect.getMetadata(ROLES_KEY, handler) as string[] | undefined) ??
          (Reflect.getMetadata(ROLES_KEY, controller) as string[] | undefined),
        isPublic:
          Reflect.getMetadata(PUBLIC_KEY, handler) === true ||
          Reflect.getMetadata(PUBLIC_KEY, controller) === true,
      });
    }
  }
  return routes;
}

describe('every HTTP route of every service says who may call it', () => {
  const apps: [string, ModuleLike][] = [
    ['intake', IntakeModule],
    ['risk', RiskModule],
    ['valuation', ValuationModule],
    ['release', ReleaseModule],
  ];
  const routes = apps.flatMap(([app, mod]) => routesOf(app, mod));

  it('finds the routes (the enumeration itself works)', () => {
    const names = routes.map((r) => `${r.app} ${r.route}`);
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^intake DeclarationsController\.lodge /),
        expect.stringMatching(/^release OfficerActionsController\.recordControl /),
        expect.stringMatching(/^risk RulesetsController\.publish /),
        expect.stringMatching(/^valuation HealthController\./),
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it('has no route without @Roles or @Public (the guard would close it)', () => {
    const bare = routes.filter((r) => !r.isPublic && !(r.roles && r.roles.length > 0));
    expect(bare.map((r) => `${r.app} ${r.route}`)).toEqual([]);
  });

  it('names only known roles and never both public and restricted', () => {
    for (const r of routes) {
      for (const role of r.roles ?? []) expect(ROLES).toContain(role);
      if (r.isPublic)
        expect({ route: r.route, roles: r.roles }).toEqual({ route: r.route, roles: undefined });
    }
  });

  it('keeps only probes, metrics and API documents public', () => {
    const open = routes.filter((r) => r.isPublic).map((r) => r.route.split('.')[0]);
    expect([...new Set(open)].sort()).toEqual(
      ['AsyncApiController', 'HealthController', 'MetricsController'].sort(),
    );
  });

  it('lets only officers record control results and decide (no other role)', () => {
    const officer = routes.filter((r) => r.route.startsWith('OfficerActionsController.'));
    expect(officer.length).toBe(2);
    for (const r of officer) expect(r.roles).toEqual(['officer']);
  });

  it('gives auditors no write route', () => {
    // The request method of each auditor route must be GET (RequestMethod.GET = 0).
    let checked = 0;
    for (const [app, mod] of apps)
      for (const controller of controllersOf(mod))
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (typeof handler !== 'function') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as number | undefined;
          if (method === undefined) continue;
          const roles =
            (Reflect.getMetadata(ROLES_KEY, handler) as string[] | undefined) ??
            (Reflect.getMetadata(ROLES_KEY, controller) as string[] | undefined) ??
            [];
          if (!roles.includes('auditor')) continue;
          checked++;
          expect({ app, route: `${controller.name}.${name}`, method }).toEqual({
            app,
            route: `${controller.name}.${name}`,
            method: 0,
          });
        }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
