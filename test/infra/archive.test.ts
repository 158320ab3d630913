/** The web archive in the stack: its function, routes and grants per `archive` mode. */
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesise, type Synthesised } from './synth.ts';

type Json = Record<string, unknown>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function helpers(s: Synthesised) {
  const resources = (type: string) => s.template.findResources(type) as Record<string, Json & { Properties: Json }>;
  const fnId = (prefix: string) =>
    Object.entries(resources('AWS::Lambda::Function')).find(([, r]) => String(r.Properties.Description ?? '').startsWith(`newsbrief: ${prefix}`))?.[0];
  const statementsOf = (id: string): Statement[] => {
    const role = (resources('AWS::Lambda::Function')[id]!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(resources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const routes = () => Object.values(resources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
  return { resources, fnId, statementsOf, routes };
}

describe('archive (example configuration: unlisted)', () => {
  let s: Synthesised;
  // cdk-nag runs on this same configuration in stack.test.ts.
  beforeAll(() => {
    s = synthesise({});
  }, 240_000);

  it('routes GET /archive and GET /archive/{id} to the archive function, and nothing else', () => {
    const { fnId, resources, routes } = helpers(s);
    const archive = fnId('serve the archive');
    expect(archive).toBeDefined();
    const integration = Object.entries(resources('AWS::ApiGatewayV2::Integration')).find(
      ([, r]) => JSON.stringify(r.Properties.IntegrationUri) === JSON.stringify({ 'Fn::GetAtt': [archive, 'Arn'] }),
    )?.[0];
    const mine = routes().filter((r) => JSON.stringify(r.Target).includes(integration as string));
    expect(mine.map((r) => r.RouteKey).sort()).toEqual(['GET /archive', 'GET /archive/{id}']);
    expect(s.config.archive).toBe('unlisted');
  });

  it('lets the archive function read below archive/ only, and write nothing', () => {
    const { fnId, statementsOf } = helpers(s);
    const statements = statementsOf(fnId('serve the archive') as string);
    const s3 = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap((st) => asArray(st.Action)).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    const get = s3.find((st) => asArray(st.Action).includes('s3:GetObject'))!;
    expect(JSON.stringify(get.Resource)).toMatch(/"\/archive\/\*"\]\]\}$/);
    const list = s3.find((st) => asArray(st.Action).includes('s3:ListBucket'))!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['archive/*'] } });
    const other = statements.flatMap((st) => asArray(st.Action)).filter((a) => !/^(s3:(GetObject|ListBucket)|logs:|xray:)/.test(a));
    expect(other).toEqual([]);
  });

  it('lets ingest and digest write web versions below archive/ (and read nothing there)', () => {
    const { fnId, statementsOf } = helpers(s);
    for (const prefix of ['parse and analyse', 'render the scheduled digest']) {
      const onArchive = statementsOf(fnId(prefix) as string).filter((st) => JSON.stringify(st.Resource).includes('/archive/*'));
      expect(onArchive.map((st) => asArray(st.Action))).toEqual([['s3:PutObject']]);
    }
  });

  it('gives the renderers and the archive function the mode and the URL', () => {
    const { fnId, resources } = helpers(s);
    for (const prefix of ['parse and analyse', 'render the scheduled digest', 'serve the archive']) {
      const env = (resources('AWS::Lambda::Function')[fnId(prefix) as string]!.Properties.Environment as { Variables: Json }).Variables;
      expect(env.ARCHIVE).toBe('unlisted');
      expect(env.PUBLIC_URL).toBeDefined();
    }
  });
});

describe('archive: off', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthesise({ archive: 'off' });
  }, 240_000);

  it('has no archive function, no archive route, and no write grant below archive/', () => {
    const { fnId, routes, statementsOf } = helpers(s);
    expect(fnId('serve the archive')).toBeUndefined();
    expect(routes().filter((r) => String(r.RouteKey).includes('/archive'))).toEqual([]);
    for (const prefix of ['parse and analyse', 'render the scheduled digest']) {
      expect(JSON.stringify(statementsOf(fnId(prefix) as string))).not.toContain('/archive/*');
    }
  });

  it('tells the renderers so, and rejects an unknown mode at synth', () => {
    const { fnId, resources } = helpers(s);
    const env = (resources('AWS::Lambda::Function')[fnId('render the scheduled digest') as string]!.Properties.Environment as { Variables: Json }).Variables;
    expect(env.ARCHIVE).toBe('off');
    expect(() => synthesise({ archive: 'secret' })).toThrow(/archive: Invalid option: expected one of "public"\|"unlisted"\|"off"/);
  });
});
